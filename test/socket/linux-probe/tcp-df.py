#!/usr/bin/env python3
"""DF on a TCP connection's segments per IP_MTU_DISCOVER mode, on the real kernel, for test/tcp/pmtu-mode.test.ts.

Run inside `unshare -n` with only lo up (tcp-df.sh): for each mode (unset, 0..5) a client connects over lo and
sends 100 bytes; prints {mode: [DF of the client's first three segments, the option read back]} as JSON.
"""
import json
import socket, struct, time
def cap():
    c = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(3)); c.bind(('lo', 0)); c.setblocking(False); return c
res = {}
for mode in (None, 0, 1, 2, 3, 4, 5):
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
    c = cap()
    s = socket.socket()
    if mode is not None: s.setsockopt(0, 10, mode)
    s.connect(l.getsockname()); a, _ = l.accept(); s.send(b'x' * 100); time.sleep(0.05)
    port = s.getsockname()[1]; dfs = []
    while True:
        try: p, addr = c.recvfrom(70000)
        except BlockingIOError: break
        if addr[2] != socket.PACKET_OUTGOING or p[9] != 6: continue
        sport = struct.unpack('!H', p[20:22])[0]
        if sport == port: dfs.append(bool(struct.unpack('!H', p[6:8])[0] & 0x4000))
    res[str(mode)] = [dfs[:3], s.getsockopt(0, 10)]
print(json.dumps(res))
