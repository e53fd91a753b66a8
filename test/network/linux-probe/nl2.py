import socket, struct, select, subprocess, time, sys
groups = int(sys.argv[1], 0)
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
s.bind((0, groups))
def drain(label):
    time.sleep(0.3)
    while select.select([s], [], [], 0)[0]:
        d, a = s.recvfrom(65536)
        o = 0
        while o < len(d):
            ln, ty, fl, seq, pid = struct.unpack_from('<IHHII', d, o)
            body = d[o+16:o+ln]
            print(label, 'from', a, 'type', ty, 'flags', hex(fl), 'seq', seq, 'pid', pid, 'len', ln, body.hex() if ty in (20, 21) or len(sys.argv) > 2 else body[:16].hex())
            o += (ln + 3) & ~3
def run(c, label):
    subprocess.run(c, shell=True, check=True); drain(label)
run('ip addr add 10.0.0.1/24 brd + dev v0', 'add4')
run('ip addr add 10.0.0.7/24 dev v0', 'add4sec')
run('ip addr del 10.0.0.7/24 dev v0', 'del4sec')
run('ip -6 addr add 2001:db8::1/64 dev v0 nodad', 'add6')
run('ip -6 addr del 2001:db8::1/64 dev v0', 'del6')
run('ip link set v0 mtu 1400', 'mtu')
run('ip link set v0 up', 'up')
run('ip link set v0 down', 'down')
run('ip addr del 10.0.0.1/24 dev v0', 'del4')
