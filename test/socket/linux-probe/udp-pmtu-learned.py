#!/usr/bin/env python3
"""UDP path-MTU modes once the route has learned a lower path MTU, on the real kernel, for
test/socket/udp-pmtu-learned.test.ts. Run by udp-pmtu-learned.sh in the client namespace: c0 (10.0.1.2) -> a
router -> the server 10.0.2.2, whose link has MTU 1400. A DO socket learns the path MTU (the router answers
"fragmentation needed", MTU 1400), then for each IP_MTU_DISCOVER mode a connected socket sends 1372 (fits the path),
1373, 1472 (fits the interface) and 1473 bytes. Each send is reported with its result (-errno) and the IPv4 packets
it put on c0: [DF, MF, fragment offset, total length]. A connected socket in a mode that heeds the path MTU gets the
router's ICMP error back as EMSGSIZE on its next send (__udp4_lib_err: a hard error on a connected socket). Then the
same over IPv6 under "v6" (packet too big, 1352/1452-byte sizes, IPV6_MTU)."""
import socket, struct, errno, time, json, os
sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); sniff.bind(('c0', 3)); sniff.setblocking(False)
def drain(port):
    out = []
    while True:
        try: f, a = sniff.recvfrom(70000)
        except BlockingIOError: break
        if a[2] == socket.PACKET_OUTGOING and f[12:14] == b'\x08\x00':
            p = f[14:]
            flags = struct.unpack('!H', p[6:8])[0]
            if p[9] == 17 and ((flags & 0x1fff) or struct.unpack('!H', p[22:24])[0] == port):
                out.append([bool(flags & 0x4000), bool(flags & 0x2000), (flags & 0x1fff) * 8, struct.unpack('!H', p[2:4])[0]])
    return out


# IPv6 packets: [has a Fragment header, payload length].
def drain6(port):
    out = []
    while True:
        try: f, a = sniff.recvfrom(70000)
        except BlockingIOError: break
        if a[2] == socket.PACKET_OUTGOING and f[12:14] == b'\x86\xdd':
            p = f[14:]
            nh, plen = p[6], struct.unpack('!H', p[4:6])[0]
            if nh == 44 or (nh == 17 and struct.unpack('!H', p[42:44])[0] == port):
                out.append([nh == 44, plen])
    return out

def run(fam, lvl, disc, mtu_opt, key, dst, fits, fits_dev, drain):
    """Learns the path MTU with a DO socket, then sends fits, fits + 1, fits_dev and fits_dev + 1 bytes per mode."""
    l = socket.socket(fam, socket.SOCK_DGRAM)
    l.setsockopt(lvl, disc, 2)
    l.connect((dst, 9))
    l.send(b'x' * fits_dev)
    time.sleep(0.1)
    learn = {key: l.getsockopt(lvl, mtu_opt)}
    try:
        l.send(b'x' * fits_dev)
        learn['resend'] = 'ok'
    except OSError as e:
        learn['resend'] = errno.errorcode[e.errno]
    drain(9)
    modes = {}
    for mode in range(6):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(lvl, disc, mode)
        s.connect((dst, 9))
        rows = []
        for n in (fits, fits + 1, fits_dev, fits_dev + 1):
            try:
                ret = s.send(b'x' * n)
            except OSError as e:
                ret = -e.errno
            time.sleep(0.02)
            rows.append({'len': n, 'ret': ret, 'wire': drain(9)})
        modes[str(mode)] = {'sends': rows, key: s.getsockopt(lvl, mtu_opt)}
    return {'learn': learn, 'modes': modes}


out = run(socket.AF_INET, 0, 10, 14, 'IP_MTU', '10.0.2.2', 1372, 1472, drain)
# The same over IPv6 (IPV6_MTU_DISCOVER, IPV6_MTU; 1352 bytes fit the path, 1452 the interface).
out['v6'] = run(socket.AF_INET6, 41, 23, 24, 'IPV6_MTU', '2001:db8:2::2', 1352, 1452, drain6)
print(json.dumps({'kernel': os.uname().release, **out}))
