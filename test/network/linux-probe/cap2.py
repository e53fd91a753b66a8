import socket, struct, time, select
idx = socket.if_nametoindex
IP=socket.IPPROTO_IP; V6=socket.IPPROTO_IPV6
cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)); cap.bind(('v1', 0))
def drain(wait):
    end = time.time() + wait; out = []
    while True:
        r = select.select([cap], [], [], max(0, end - time.time()))[0]
        if not r: break
        d, a = cap.recvfrom(2000)
        if a[2] == 4: continue
        if d[12:14] == b'\x08\x00' and d[23] == 2: out.append(d[14+24:].hex())
        if d[12:14] == b'\x86\xdd' and d[20] == 0: out.append(d[14+48:].hex())
    return out
def mreqn(g, i): return socket.inet_aton(g)+socket.inet_aton('0.0.0.0')+struct.pack('i', i)
drain(0.3)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn('239.1.2.3', idx('v0')))
s.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn('239.1.2.4', idx('v0')))
print('two joins', drain(2))
s.setsockopt(IP, socket.IP_DROP_MEMBERSHIP, mreqn('239.1.2.3', idx('v0')))
s.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn('239.1.2.5', idx('v0')))
s.setsockopt(IP, socket.IP_DROP_MEMBERSHIP, mreqn('239.1.2.4', idx('v0')))
print('leave+join+leave', drain(2))
s2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s2.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn('239.1.2.5', idx('v0')))
s2.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn('224.0.0.1', idx('v0')))
s2.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn('224.0.0.9', idx('v0')))
print('second member + all-hosts + 224.0.0.9', drain(2))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for g in ('ff02::1', 'ff01::5', 'ff12::7', 'ff12::8'):
    s6.setsockopt(V6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, g) + struct.pack('i', idx('v0')))
print('v6 joins', drain(2))
s6.close(); s.close()
print('close', drain(2))
