import socket, struct
def unspec(s):
    s.connect(socket.socket.__new__ and ('0.0.0.0', 0)) if False else None
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def disconnect(s):
    sa = struct.pack('=H14s', 0, b'')
    return libc.connect(s.fileno(), sa, len(sa))
r = {}
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.connect(('127.0.0.1', 9)); r['auto_before'] = a.getsockname()
disconnect(a); r['auto_after'] = a.getsockname()
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(('0.0.0.0', 0)); p = b.getsockname(); b.connect(('127.0.0.1', 9)); disconnect(b); r['bind0_after'] = (p, b.getsockname())
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.bind(('0.0.0.0', 4444)); c.connect(('127.0.0.1', 9)); disconnect(c); r['bind4444_after'] = c.getsockname()
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); d.bind(('127.0.0.1', 0)); d.connect(('127.0.0.1', 9)); disconnect(d); r['bindaddr_port0_after'] = d.getsockname()
e = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); e.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'lo'); e.connect(('127.0.0.1', 9)); disconnect(e); r['bindtodev_after'] = e.getsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, 16)
f = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); f.connect(('127.0.0.1', 9)); disconnect(f); 
try: f.bind(('0.0.0.0', 5555)); r['rebind_after'] = f.getsockname()
except OSError as x: r['rebind_after'] = x
g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); g.sendto(b'x', ('127.0.0.1', 9)); p = g.getsockname(); disconnect(g); r['sendto_autobind_disc'] = (p, g.getsockname())
for k, v in r.items(): print(k, v)
