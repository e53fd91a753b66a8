import socket, struct, errno, select, time
IP=socket.IPPROTO_IP
idx = socket.if_nametoindex
def mreqn(g, i): return socket.inet_aton(g)+socket.inet_aton('0.0.0.0')+struct.pack('i', i)
def sock(addr, **kw):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.setsockopt(IP, 12, 1)
    if 'join' in kw: s.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn(*kw['join']))
    s.bind(addr); return s
def drain(socks):
    time.sleep(0.2); out = {}
    for n, s in socks.items():
        got = []
        while select.select([s], [], [], 0)[0]:
            data, anc, fl, frm = s.recvmsg(100, 100)
            got.append((data.decode(), frm, [struct.unpack('i', d)[0] for (l, t, d) in anc]))
        out[n] = got
    return out
def E(f):
    try: return f()
    except OSError as e: return errno.errorcode[e.errno]
P=6000
R = {'any': sock(('0.0.0.0', P)), 'bcast': sock(('10.1.0.255', P)), 'uni': sock(('10.1.0.1', P)), 'lbcast': sock(('255.255.255.255', P))}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', P+1))
print('nobcast', E(lambda: s.sendto(b'x', ('10.1.0.255', P))))
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
print('subnet', E(lambda: s.sendto(b'subnet', ('10.1.0.255', P))))
print(drain(R))
print('limited', E(lambda: s.sendto(b'limited', ('255.255.255.255', P))))
print(drain(R))
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'v0')
print('limited bound dev', E(lambda: s.sendto(b'limited-dev', ('255.255.255.255', P))))
print(drain(R))
# sender itself bound to the port gets its own broadcast?
me = sock(('0.0.0.0', P)); me.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
me.sendto(b'self', ('10.1.0.255', P)); print('self', drain({'me': me}))
# multicast on dummy
M = {'j': sock(('0.0.0.0', 7000), join=('239.7.7.7', idx('v0')))}
m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m.setsockopt(IP, socket.IP_MULTICAST_IF, mreqn('0.0.0.0', idx('v0')))
m.sendto(b'loop1', ('239.7.7.7', 7000)); print('mc loop', drain(M))
m.setsockopt(IP, socket.IP_MULTICAST_TTL, 0)
m.sendto(b'ttl0', ('239.7.7.7', 7000)); print('mc ttl0', drain(M))
m.setsockopt(IP, socket.IP_MULTICAST_LOOP, 0)
m.sendto(b'noloop', ('239.7.7.7', 7000)); print('mc noloop', drain(M))
m2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m2.setsockopt(IP, socket.IP_MULTICAST_IF, socket.inet_aton('10.1.0.1'))
m2.sendto(b'224.0.0.1', ('224.0.0.1', 7000)); 
M2 = {'any7001': sock(('0.0.0.0', 7001))}
m2.sendto(b'allhosts', ('224.0.0.1', 7001)); print('allhosts loop', drain(M2))
# connect to multicast
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print('connect mc no if', E(lambda: c.connect(('239.7.7.7', 7000))))
c.setsockopt(IP, socket.IP_MULTICAST_IF, socket.inet_aton('10.1.0.1'))
print('connect mc if', E(lambda: c.connect(('239.7.7.7', 7000))), c.getsockname())
print('send conn', E(lambda: c.send(b'conn')), drain(M))
# connect to broadcast
c2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print('connect bcast', E(lambda: c2.connect(('10.1.0.255', 7000))))
# bind group, send
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(('239.7.7.7', 7002)); b.setsockopt(IP, socket.IP_MULTICAST_IF, socket.inet_aton('10.1.0.1'))
print('bound group send', E(lambda: b.sendto(b'fromgroup', ('239.7.7.7', 7000))), drain(M))
b2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b2.bind(('10.1.0.255', 7003)); b2.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
print('bound bcast send', E(lambda: b2.sendto(b'frombcast', ('10.1.0.255', 7000))), drain(M))
