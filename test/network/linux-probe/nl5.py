import socket, struct, select, subprocess, time, errno
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); s.bind((0, 0x10))
pid = s.getsockname()[0]
try: s.bind((pid, 0x1)); print('rebind own pid', s.getsockname(), s.getsockopt(270, 9, 8).hex())
except OSError as e: print('rebind own pid', errno.errorcode[e.errno])
s.bind((pid, 0x10))
def drain(label):
    time.sleep(0.3)
    while select.select([s], [], [], 0)[0]:
        d, a = s.recvfrom(65536); o = 0
        while o < len(d):
            ln, ty, fl, seq, p = struct.unpack_from('<IHHII', d, o)
            print(label, a, ty, socket.inet_ntoa(d[o+16+12:o+16+16]))
            o += (ln + 3) & ~3
def run(c, label): subprocess.run(c, shell=True, check=True); drain(label)
run('ip addr add 10.0.0.1/24 dev v0; ip addr add 10.0.0.7/24 dev v0; ip addr add 10.0.0.8/24 dev v0', 'add')
run('ip addr del 10.0.0.1/24 dev v0', 'del-primary')
u = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
u.setsockopt(270, 1, 5)
print('unbound member name', u.getsockname())
subprocess.run('ip addr add 10.0.0.9/24 dev v0', shell=True)
time.sleep(0.3)
print('unbound member got', select.select([u], [], [], 0)[0] != [], u.getsockname())
