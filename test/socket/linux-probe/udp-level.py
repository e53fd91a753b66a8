#!/usr/bin/env python3
"""IPPROTO_UDP options and UDP segmentation offload on the real kernel, for test/socket/udp-level.test.ts.

Run inside `unshare -n` with only lo up and its MTU set to 1500 (udp-level.sh does that); prints JSON:
{"kernel": ..., "options": {family: {case: result}}, "sends": [{"case", "rets", "got": [[len, [[level, type, hex]]]]}]}.
Sizes and segment sizes are chosen around the 1500-byte MTU: 1472 = 1500 - 20 - 8 and 1452 = 1500 - 40 - 8.
"""
import json, os, socket, struct

SOL_UDP = 17
UDP_CORK, UDP_ENCAP, NC6TX, NC6RX, UDP_SEGMENT, UDP_GRO = 1, 100, 101, 102, 103, 104
NAMES = (("cork", UDP_CORK), ("encap", UDP_ENCAP), ("nc6tx", NC6TX), ("nc6rx", NC6RX), ("seg", UDP_SEGMENT), ("gro", UDP_GRO), ("x99", 99))


def tryset(s, name, val):
    try:
        s.setsockopt(SOL_UDP, name, val)
    except OSError as e:
        return ["err", e.errno]
    return ["ok", s.getsockopt(SOL_UDP, name)]


def options(fam):
    r = {}
    for nm, name in NAMES:
        r["set1_" + nm] = tryset(socket.socket(fam, socket.SOCK_DGRAM), name, 1)
        try:
            r["get0_" + nm] = socket.socket(fam, socket.SOCK_DGRAM).getsockopt(SOL_UDP, name)
        except OSError as e:
            r["get0_" + nm] = ["err", e.errno]
    for v in (2, 7):
        r["encap%d" % v] = tryset(socket.socket(fam, socket.SOCK_DGRAM), UDP_ENCAP, v)
    for v in (-1, 65535, 65536):
        r["seg%d" % v] = tryset(socket.socket(fam, socket.SOCK_DGRAM), UDP_SEGMENT, v)
    for v in (2, -1, 0):
        r["gro%d" % v] = tryset(socket.socket(fam, socket.SOCK_DGRAM), UDP_GRO, v)
    try:
        socket.socket(fam, socket.SOCK_DGRAM).setsockopt(SOL_UDP, UDP_GRO, b"\x01")
        r["gro_short"] = ["ok"]
    except OSError as e:
        r["gro_short"] = ["err", e.errno]
    return r


def recvall(r):
    res = []
    r.settimeout(0.1)
    try:
        while True:
            d, anc, _fl, _a = r.recvmsg(70000, 64)
            res.append([len(d), [[lv, t, x.hex()] for lv, t, x in anc]])
    except socket.timeout:
        pass
    return res


def case(fam, addr, name, gso=0, sizes=(3000,), cork=False, more=False, cmsg=None, gro=False):
    r = socket.socket(fam, socket.SOCK_DGRAM)
    r.bind((addr, 0))
    if gro:
        r.setsockopt(SOL_UDP, UDP_GRO, 1)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect(r.getsockname()[:2])
    if gso:
        s.setsockopt(SOL_UDP, UDP_SEGMENT, gso)
    if cork:
        s.setsockopt(SOL_UDP, UDP_CORK, 1)
    rets = []
    for n in sizes:
        try:
            if cmsg is not None:
                rets.append(s.sendmsg([b"x" * n], cmsg))
            else:
                rets.append(s.send(b"x" * n, socket.MSG_MORE if more else 0))
        except OSError as e:
            rets.append(-e.errno)
    if cork:
        s.setsockopt(SOL_UDP, UDP_CORK, 0)
    if more:
        try:
            rets.append(s.send(b""))
        except OSError as e:
            rets.append(-e.errno)
    return {"case": name, "rets": rets, "got": recvall(r)}


def main():
    out = {"kernel": os.uname().release, "options": {}, "sends": []}
    for fam, addr, t in ((socket.AF_INET, "127.0.0.1", "v4"), (socket.AF_INET6, "::1", "v6")):
        out["options"][t] = options(fam)
        seg = lambda n: struct.pack("H", n)
        for args in (
            ("cork 2 parts", dict(sizes=(100, 200), cork=True)),
            ("more 2 parts", dict(sizes=(100, 200), more=True)),
            ("gso1000 3000", dict(gso=1000)),
            ("gso1000 3000 gro", dict(gso=1000, gro=True)),
            ("gso1452 3000", dict(gso=1452)),
            ("gso1453 3000", dict(gso=1453)),
            ("gso1472 3000", dict(gso=1472)),
            ("gso1473 3000", dict(gso=1473)),
            ("gso1473 500", dict(gso=1473, sizes=(500,))),
            ("gso100 12800", dict(gso=100, sizes=(12800,))),
            ("gso100 12801", dict(gso=100, sizes=(12801,))),
            ("gso1000 cork", dict(gso=1000, sizes=(1500, 1500), cork=True)),
            ("cmsg500 1200", dict(sizes=(1200,), cmsg=[(SOL_UDP, UDP_SEGMENT, seg(500))])),
            ("cmsg bad len", dict(sizes=(1200,), cmsg=[(SOL_UDP, UDP_SEGMENT, struct.pack("I", 500))])),
            ("cmsg type1", dict(sizes=(1200,), cmsg=[(SOL_UDP, 1, seg(500))])),
            ("cmsg 0", dict(gso=1000, cmsg=[(SOL_UDP, UDP_SEGMENT, seg(0))])),
        ):
            out["sends"].append(case(fam, addr, t + " " + args[0], **args[1]))
    print(json.dumps(out, indent=1))


main()
