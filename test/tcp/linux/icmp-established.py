#!/usr/bin/env python3
"""ICMP host unreachable on an established TCP connection, with and without IP_RECVERR, on the real kernel
(test/tcp/recverr.test.ts). Run as root: unshare -n sh -c 'ip link set lo up; python3 icmp-established.py'.
The ICMP error is injected on loopback with a raw socket, quoting the connection's SND.UNA (its ISN + 1, read from
the SYN captured with AF_PACKET). Linux 6.18 printed:
recverr isn found poll ['0xc'] errqueue EAGAIN recv EHOSTUNREACH send 1 send again 1 SO_ERROR after 0 peer got b'xy'
plain isn found poll ['0x4'] errqueue EAGAIN recv EAGAIN send 1 send again 1 SO_ERROR after 0 peer got b'xy'
"""
import socket, struct, time, errno, select
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def run(recverr):
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    sniff.bind(('lo', 0x0800)); sniff.setblocking(False)
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
    c = socket.socket()
    if recverr: c.setsockopt(socket.IPPROTO_IP, 11, 1)
    c.connect(l.getsockname()); s, _ = l.accept()
    cport = c.getsockname()[1]; sport = l.getsockname()[1]
    isn = None
    while True:
        try: f = sniff.recv(2000)
        except BlockingIOError: break
        ip = f[14:]; ihl = (ip[0] & 15) * 4; tcp = ip[ihl:]
        sp, dp, seq = struct.unpack('!HHI', tcp[:8]); flags = tcp[13]
        if sp == cport and flags & 2: isn = seq
    inner_ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 60, 1, 0, 64, 6, 0, socket.inet_aton('127.0.0.1'), socket.inet_aton('127.0.0.1'))
    inner = inner_ip + struct.pack('!HHI', cport, sport, (isn + 1) & 0xffffffff)
    icmp = struct.pack('!BBHI', 3, 1, 0, 0) + inner
    icmp = struct.pack('!BBHI', 3, 1, csum(icmp), 0) + inner
    r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    r.sendto(icmp, ('127.0.0.1', 0)); time.sleep(0.05)
    ev = select.poll(); ev.register(c, select.POLLIN | select.POLLOUT | select.POLLERR); pm = ev.poll(0)
    try: c.recvmsg(100, 100, socket.MSG_ERRQUEUE); eq = 'entry'
    except OSError as e: eq = errno.errorcode[e.errno]
    c.setblocking(False)
    try: rr = len(c.recv(100))
    except OSError as e: rr = errno.errorcode[e.errno]
    try: n = c.send(b'x'); sendr = n
    except OSError as e: sendr = errno.errorcode[e.errno]
    try: n = c.send(b'y'); sendr2 = n
    except OSError as e: sendr2 = errno.errorcode[e.errno]
    err2 = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    time.sleep(0.05)
    print('recverr' if recverr else 'plain', 'isn found' if isn is not None else 'NO ISN', 'poll', [hex(m) for _, m in pm], 'errqueue', eq, 'recv', rr, 'send', sendr, 'send again', sendr2, 'SO_ERROR after', err2, 'peer got', s.recv(10))
run(True); run(False)
