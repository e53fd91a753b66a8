#!/usr/bin/env python3
"""Path-MTU discovery modes of UDP sockets on the real kernel, for test/socket/udp-pmtu.test.ts.

Run inside `unshare -n` with only lo up and its MTU 1500 (udp-pmtu.sh). For each mode a connected socket sends
1472 and 1473 bytes (IPv4: 20 + 8 + 1472 = 1500) or 1452 and 1453 (IPv6: 40 + 8 + 1452): the call's result, and
what crossed lo — one entry per IP packet: IPv4 [DF, MF, offset, total length], IPv6 [fragment header?, payload
length]. Prints JSON.
"""
import json, os, socket, struct, time

ETH_P_ALL = 3


def capture():
    c = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    c.bind(("lo", 0))
    c.setblocking(False)
    return c


def drain(c, port):
    out = []
    while True:
        try:
            p, addr = c.recvfrom(70000)
        except BlockingIOError:
            return out
        if addr[2] != socket.PACKET_OUTGOING:
            continue  # lo shows each packet twice: keep the outgoing copy
        if p[0] >> 4 == 4:
            flags = struct.unpack("!H", p[6:8])[0]
            if p[9] == 17 and (flags & 0x1FFF or struct.unpack("!H", p[22:24])[0] == port):
                out.append([bool(flags & 0x4000), bool(flags & 0x2000), (flags & 0x1FFF) * 8, struct.unpack("!H", p[2:4])[0]])
        elif p[0] >> 4 == 6:
            nh, plen = p[6], struct.unpack("!H", p[4:6])[0]
            if nh == 44 or (nh == 17 and struct.unpack("!H", p[42:44])[0] == port):
                out.append([nh == 44, plen])


def run(fam, lvl, opt_mode, mode, sizes, extra=()):
    addr = "127.0.0.1" if fam == socket.AF_INET else "::1"
    r = socket.socket(fam, socket.SOCK_DGRAM)
    r.bind((addr, 0))
    port = r.getsockname()[1]
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if mode is not None:
        s.setsockopt(lvl, opt_mode, mode)
    for l, o, v in extra:
        s.setsockopt(l, o, v)
    s.connect((addr, port))
    c = capture()
    res = []
    for n in sizes:
        try:
            ret = s.send(b"x" * n)
        except OSError as e:
            ret = -e.errno
        time.sleep(0.02)
        got = []
        r.setblocking(False)
        try:
            while True:
                got.append(len(r.recv(70000)))
        except BlockingIOError:
            pass
        res.append({"ret": ret, "wire": drain(c, port), "got": got})
    return res


def main():
    v4, v6 = socket.AF_INET, socket.AF_INET6
    out = {"kernel": os.uname().release, "v4": {}, "v6": {}, "opts": {}}
    for mode in (None, 0, 1, 2, 3, 4, 5):
        out["v4"][str(mode)] = run(v4, 0, 10, mode, (1472, 1473))
        out["v6"][str(mode)] = run(v6, 41, 23, mode, (1452, 1453))
    out["v6"]["dontfrag"] = run(v6, 41, 23, None, (1452, 1453), extra=((41, 62, 1),))
    o = out["opts"]
    for fam, lvl, name, key in ((v4, 0, 10, "IP_MTU_DISCOVER"), (v6, 41, 23, "IPV6_MTU_DISCOVER"), (v6, 41, 62, "IPV6_DONTFRAG")):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        o[key + " default"] = s.getsockopt(lvl, name)
        for v in (-1, 5, 6):
            try:
                s.setsockopt(lvl, name, v)
                o["%s %d" % (key, v)] = ["ok", s.getsockopt(lvl, name)]
            except OSError as e:
                o["%s %d" % (key, v)] = ["err", e.errno]
    for fam, lvl, name, key, addr in ((v4, 0, 14, "IP_MTU", "127.0.0.1"), (v6, 41, 24, "IPV6_MTU", "::1")):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        try:
            o[key + " unconnected"] = s.getsockopt(lvl, name)
        except OSError as e:
            o[key + " unconnected"] = ["err", e.errno]
        s.connect((addr, 9))
        o[key + " connected"] = s.getsockopt(lvl, name)
    print(json.dumps(out, indent=1))


main()
