import socket, struct, select, time
IP=socket.IPPROTO_IP
def mreqn(g, i): return socket.inet_aton(g)+socket.inet_aton('0.0.0.0')+struct.pack('i', i)
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.setsockopt(IP, socket.IP_ADD_MEMBERSHIP, mreqn('239.1.1.1', 1)); r.bind(('0.0.0.0', 5000))
r2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r2.bind(('0.0.0.0', 5001))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for loop in (1, 0):
    s.setsockopt(IP, socket.IP_MULTICAST_LOOP, loop)
    s.sendto(b'x%d' % loop, ('239.1.1.1', 5000)); s.sendto(b'y%d' % loop, ('224.0.0.1', 5001)); time.sleep(0.1)
    for q in (r, r2):
        while select.select([q], [], [], 0)[0]: print('loop', loop, q.getsockname(), q.recvfrom(100))
