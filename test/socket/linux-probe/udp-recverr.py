#!/usr/bin/env python3
"""IP_RECVERR / IPV6_RECVERR and MSG_ERRQUEUE on the real kernel, for test/socket/udp-recverr.test.ts.

Run inside `unshare -n` with only lo up (udp-recverr.sh): a UDP socket sends "abcdef" to port 9 of loopback, where
nothing listens, with and without the option, connected or not; then poll, recvmsg(MSG_ERRQUEUE), SO_ERROR, a
second MSG_ERRQUEUE read and a plain recv. Prints JSON.
"""
import socket, struct, select, time, json
IP_RECVERR=11; MSG_ERRQUEUE=0x2000; IPV6_RECVERR=25
def show(anc):
    """IP_RECVERR / IPV6_RECVERR control messages unpacked: errno, origin, type, code, info, data, offender hex."""
    out=[]
    for l,t,x in anc:
        if (l,t) in ((0,11),(41,25)):
            ee_errno, origin, typ, code, pad, info, data = struct.unpack('IBBBBII', x[:16])
            out.append([l,t,ee_errno,origin,typ,code,info,data,x[16:].hex()])
        else: out.append([l,t,x.hex()])
    return out
def case(fam, recverr, connect, port_open=False):
    addr = '127.0.0.1' if fam == 2 else '::1'
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if recverr: s.setsockopt(*((0, IP_RECVERR) if fam == 2 else (41, IPV6_RECVERR)), 1)
    dst = (addr, 9)
    if connect: s.connect(dst)
    s.sendto(b'abcdef', dst)
    time.sleep(0.05)
    res = {}
    p = select.poll(); p.register(s, select.POLLIN|select.POLLERR); res['poll'] = p.poll(0)[0][1] if p.poll(0) else 0
    try:
        d, anc, fl, a = s.recvmsg(100, 256, MSG_ERRQUEUE)
        res['errq'] = [d.hex(), show(anc), fl, list(a[:2]) if a else None]
    except OSError as e: res['errq'] = ['err', e.errno]
    try: res['so_error'] = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    except OSError as e: res['so_error'] = ['err', e.errno]
    try:
        d, anc, fl, a = s.recvmsg(100, 256, MSG_ERRQUEUE)
        res['errq2'] = [d.hex()]
    except OSError as e: res['errq2'] = ['err', e.errno]
    s.setblocking(False)
    try: s.recv(100); res['recv'] = 'data'
    except OSError as e: res['recv'] = ['err', e.errno]
    return res
out = {}
for fam in (2, 10):
    for rv in (False, True):
        for c in (False, True):
            out[f'{fam} recverr={rv} connected={c}'] = case(fam, rv, c)
s = socket.socket(2, 2)
try: s.recvmsg(100, 0, MSG_ERRQUEUE); out['empty errq'] = 'ok'
except OSError as e: out['empty errq'] = e.errno
s.setsockopt(0, IP_RECVERR, 5); out['get'] = s.getsockopt(0, IP_RECVERR)
import os
print(json.dumps({"kernel": os.uname().release, "cases": out}, indent=1))
