#!/usr/bin/env python3
"""UDP path-MTU modes once the route has learned a lower path MTU, on the real kernel, for
test/socket/udp-pmtu-learned.test.ts. Run by udp-pmtu-learned.sh in the client namespace: c0 (10.0.1.2) -> a
router -> the server 10.0.2.2, whose link has MTU 1400. A DO socket learns the path MTU (the router answers
"fragmentation needed", MTU 1400), then for each IP_MTU_DISCOVER mode a connected socket sends 1372 (fits the path),
1373, 1472 (fits the interface) and 1473 bytes. Each send is reported with its result (-errno) and the IPv4 packets
it put on c0: [DF, MF, fragment offset, total length]. A connected socket in a mode that heeds the path MTU gets the
router's ICMP error back as EMSGSIZE on its next send (__udp4_lib_err: a hard error on a connected socket)."""
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
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Learn the path MTU: a DO socket's too-big datagram draws "fragmentation needed" (MTU 1400) from the router.
l = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); l.setsockopt(0, 10, 2); l.connect(('10.0.2.2', 9)); l.send(b'x' * 1472); time.sleep(0.1)
learn = {'IP_MTU': l.getsockopt(0, 14)}
try: l.send(b'x' * 1472); learn['resend'] = 'ok'
except OSError as e: learn['resend'] = errno.errorcode[e.errno]
drain(9)
res = {}
for mode in range(6):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(0, 10, mode); s.connect(('10.0.2.2', 9))
    port = 9
    rows = []
    for n in (1372, 1373, 1472, 1473):
        try: ret = s.send(b'x' * n)
        except OSError as e: ret = -e.errno
        time.sleep(0.02)
        rows.append({'len': n, 'ret': ret, 'wire': drain(port)})
    try: mtu = s.getsockopt(0, 14)
    except OSError as e: mtu = -e.errno
    res[str(mode)] = {'sends': rows, 'IP_MTU': mtu}
print(json.dumps({'kernel': os.uname().release, 'learn': learn, 'modes': res}))
