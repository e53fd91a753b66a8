import socket, struct, time, select, binascii
idx = socket.if_nametoindex
IP=socket.IPPROTO_IP; V6=socket.IPPROTO_IPV6
cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
cap.bind(('v1', 0))
t0 = time.time()
def drain(wait):
    end = time.time() + wait; out = []
    while True:
        r = select.select([cap], [], [], max(0, end - time.time()))[0]
        if not r: break
        d, a = cap.recvfrom(2000)
        if a[2] == 4: continue  # outgoing
        out.append((round(time.time() - t0, 3), d.hex()))
    return out
def mreqn(g, i): return socket.inet_aton(g)+socket.inet_aton('0.0.0.0')+struct.pack('i', i)
drain(0.3)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.time()
s.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn('239.1.2.3', idx('v0')))
for x in drain(3): print('join4', x)
t0 = time.time()
s.setsockopt(IP, socket.IP_DROP_MEMBERSHIP, mreqn('239.1.2.3', idx('v0')))
for x in drain(3): print('leave4', x)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(IP, socket.IP_MULTICAST_IF, mreqn('0.0.0.0', idx('v0')))
u.sendto(b'hello', ('239.1.2.3', 5000)); u.sendto(b'hello2', ('239.1.2.3', 5000))
u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
u.sendto(b'bc', ('10.0.0.255', 5000))
for x in drain(0.5): print('data4', x)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
t0 = time.time()
s6.setsockopt(V6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, 'ff12::1:2') + struct.pack('i', idx('v0')))
for x in drain(3): print('join6', x)
t0 = time.time()
s6.setsockopt(V6, socket.IPV6_LEAVE_GROUP, socket.inet_pton(socket.AF_INET6, 'ff12::1:2') + struct.pack('i', idx('v0')))
for x in drain(3): print('leave6', x)
s6.setsockopt(V6, socket.IPV6_MULTICAST_IF, idx('v0'))
s6.sendto(b'hello6', ('ff12::1:2', 5000))
for x in drain(0.5): print('data6', x)
