import socket, struct, errno, select, time
idx = socket.if_nametoindex
IP=socket.IPPROTO_IP; V6=socket.IPPROTO_IPV6
def mreqn(g, i): return socket.inet_aton(g)+socket.inet_aton('0.0.0.0')+struct.pack('i', i)
def mr6(g, i): return socket.inet_pton(socket.AF_INET6, g)+struct.pack('i', i)
def sock(fam, addr, **kw):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET: s.setsockopt(IP, 12, 1)
    else: s.setsockopt(V6, socket.IPV6_RECVHOPLIMIT, 1)
    for k, v in kw.items():
        if k == 'all0': s.setsockopt(IP if fam == socket.AF_INET else V6, 49 if fam == socket.AF_INET else 29, 0)
        if k == 'join4': s.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn(*v))
        if k == 'join6': s.setsockopt(V6, socket.IPV6_JOIN_GROUP, mr6(*v))
        if k == 'v6only': s.setsockopt(V6, socket.IPV6_V6ONLY, 1)
    s.bind(addr)
    return s
def drain(socks):
    time.sleep(0.2)
    out = {}
    for n, s in socks.items():
        got = []
        while True:
            r, _, _ = select.select([s], [], [], 0)
            if not r: break
            data, anc, fl, frm = s.recvmsg(100, 100)
            ttl = [struct.unpack('i', d)[0] for (l, t, d) in anc]
            got.append((data.decode(), frm[0], ttl))
        out[n] = got
    return out
P = 5000
socks4 = {
 'A_join_v1': sock(socket.AF_INET, ('0.0.0.0', P), join4=('239.1.1.1', idx('v1'))),
 'B_plain': sock(socket.AF_INET, ('0.0.0.0', P)),
 'C_all0': sock(socket.AF_INET, ('0.0.0.0', P), all0=1),
 'D_bound_group': sock(socket.AF_INET, ('239.1.1.1', P)),
 'E_all0_join_v0': sock(socket.AF_INET, ('0.0.0.0', P), all0=1, join4=('239.1.1.1', idx('v0'))),
 'F_v6_dual': sock(socket.AF_INET6, ('::', P)),
 'G_v6_join4': sock(socket.AF_INET6, ('::', P), join4=('239.1.1.1', idx('v1'))),
 'H_bound_uni': sock(socket.AF_INET, ('10.0.0.2', P)),
 'I_bound_other_group': sock(socket.AF_INET, ('239.2.2.2', P)),
}
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(IP, socket.IP_MULTICAST_IF, socket.inet_aton('10.0.0.1'))
s.setsockopt(IP, socket.IP_MULTICAST_LOOP, 0)
s.sendto(b'm1-noloop', ('239.1.1.1', P))
s.sendto(b'm2-unjoined', ('239.2.2.2', P))
print('v4 noloop', drain(socks4))
s.setsockopt(IP, socket.IP_MULTICAST_LOOP, 1)
s.setsockopt(IP, socket.IP_MULTICAST_TTL, 5)
s.sendto(b'm3-loop', ('239.1.1.1', P))
print('v4 loop ttl5', drain(socks4))
# leave on E: v0 no longer joined
socks4['E_all0_join_v0'].setsockopt(IP, socket.IP_DROP_MEMBERSHIP, mreqn('239.1.1.1', idx('v0')))
s.sendto(b'm4-loop-after-leave', ('239.1.1.1', P))
print('v4 loop after E leaves', drain(socks4))
# no IF, no route
s2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try: s2.sendto(b'x', ('239.1.1.1', P)); print('noif send ok')
except OSError as e: print('noif send', errno.errorcode[e.errno])
# bound to v1 address: source picks device
s3 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s3.bind(('10.0.0.1', 0)); s3.setsockopt(IP, socket.IP_MULTICAST_LOOP, 0)
try: s3.sendto(b'm5-boundsrc', ('239.1.1.1', P)); print('boundsrc ok')
except OSError as e: print('boundsrc', errno.errorcode[e.errno])
print('v4 bound src', drain(socks4))
for x in socks4.values(): x.close()

P=5001
socks6 = {
 'A6_join_v1': sock(socket.AF_INET6, ('::', P), join6=('ff12::1', idx('v1'))),
 'B6_plain': sock(socket.AF_INET6, ('::', P)),
 'C6_all0': sock(socket.AF_INET6, ('::', P), all0=1),
 'E6_all0_join_v0': sock(socket.AF_INET6, ('::', P), all0=1, join6=('ff12::1', idx('v0'))),
 'F6_v4': sock(socket.AF_INET, ('0.0.0.0', P)),
 'G6_bound_group': sock(socket.AF_INET6, ('ff12::1', P, 0, idx('v1'))),
 'H6_bound_group_v0': sock(socket.AF_INET6, ('ff12::1', P, 0, idx('v0'))),
}
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(V6, socket.IPV6_MULTICAST_IF, idx('v0'))
s.setsockopt(V6, socket.IPV6_MULTICAST_LOOP, 0)
s.sendto(b'n1-noloop', ('ff12::1', P))
s.sendto(b'n2-unjoined', ('ff12::2', P))
print('v6 noloop', drain(socks6))
s.setsockopt(V6, socket.IPV6_MULTICAST_LOOP, 1)
s.setsockopt(V6, socket.IPV6_MULTICAST_HOPS, 5)
s.sendto(b'n3-loop', ('ff12::1', P))
print('v6 loop hops5', drain(socks6))
s.sendto(b'n4-scope-v1', ('ff12::1', P, 0, idx('v1')))
print('v6 scope v1 (loop)', drain(socks6))
s2 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
try: s2.sendto(b'n5-noif', ('ff12::1', P)); print('v6 noif ok')
except OSError as e: print('v6 noif', errno.errorcode[e.errno])
print('v6 noif', drain(socks6))
