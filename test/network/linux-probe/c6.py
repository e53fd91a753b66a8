import socket, errno, struct
def E(f):
    try: r = f(); return r if r is not None else 0
    except OSError as e: return errno.errorcode[e.errno]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
print('connect ff12 noscope', E(lambda: s.connect(('ff12::1', 5))))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex('v0'))
print('connect ff12 with mcast_if', E(lambda: s.connect(('ff12::1', 5))), s.getsockname(), s.getpeername())
print('bound dev after', s.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16))
t = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
print('connect ff05 noscope', E(lambda: t.connect(('ff05::1', 5))))
