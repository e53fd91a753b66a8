#!/bin/sh
# A SYN whose TTL runs out at a router (test/tcp/recverr.test.ts): connect() fails at once with EHOSTUNREACH, and
# with or without IP_RECVERR the ICMP error is also queued. Client, router and server namespaces joined by veth.
# Run as root: unshare -n -m sh -c 'mount -t tmpfs none /run; mkdir -p /run/netns; sh icmp-ttl.sh'
# Linux 6.18 printed "ttl 1 EHOSTUNREACH 0.0",
# "ttl 64 connected", then for IP_RECVERR 1 and 0 alike: "connect EHOSTUNREACH", "poll ['0x11c']",
# "cmsg 0 11 (113, 2, 11, 0, 0, 0, 0) 10.0.1.1", "data 40 <ports> flags 0x2000 name ('10.0.2.2', 80)".
set -e
. "$(dirname "$0")/../../socket/linux-probe/three-ns.sh"
three_ns_up 1500
ip netns exec sv python3 -c "
import socket,time; l=socket.socket(); l.bind(('0.0.0.0',80)); l.listen(); time.sleep(3)" &
sleep 0.5
python3 -c "
import socket, errno, time
for ttl in (1, 64):
    c = socket.socket(); c.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl); c.settimeout(2)
    t0 = time.time()
    try: c.connect(('10.0.2.2', 80)); print('ttl', ttl, 'connected')
    except OSError as e: print('ttl', ttl, errno.errorcode.get(e.errno, e), round(time.time()-t0, 3))
"
python3 -c "
import socket, errno, struct, select
for recverr in (1, 0):
    c = socket.socket(); c.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1); c.setsockopt(socket.IPPROTO_IP, 11, recverr)
    try: c.connect(('10.0.2.2', 80))
    except OSError as e: print('IP_RECVERR', recverr, 'connect', errno.errorcode.get(e.errno))
    p = select.poll(); p.register(c, 0xffff); print('poll', [hex(m) for _, m in p.poll(0)])
    try:
        d, anc, fl, addr = c.recvmsg(100, 256, socket.MSG_ERRQUEUE)
        for l, t, x in anc: print('cmsg', l, t, struct.unpack('IBBBBII', x[:16]), socket.inet_ntoa(x[20:24]))
        print('data', len(d), d[:4].hex(), 'flags', hex(fl), 'name', addr)
    except OSError as e: print('errqueue', errno.errorcode.get(e.errno))
"
three_ns_down
