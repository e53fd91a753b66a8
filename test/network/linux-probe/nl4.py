import socket, struct, select, subprocess, time
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); s.bind((0, 1))
def drain(label):
    time.sleep(0.3)
    while select.select([s], [], [], 0)[0]:
        d, a = s.recvfrom(65536); o = 0
        while o < len(d):
            ln, ty, fl, seq, pid = struct.unpack_from('<IHHII', d, o)
            body = d[o+16:o+ln]
            fam, _, typ, idx, flags, change = struct.unpack_from('<BBHiII', body, 0)
            attrs = {}; p = 16
            while p + 4 <= len(body):
                al, at = struct.unpack_from('<HH', body, p)
                attrs[at] = body[p+4:p+al]; p += (al + 3) & ~3
            print(label, 'idx', idx, 'flags', hex(flags), 'change', hex(change), 'oper', attrs.get(16, b'?').hex(), 'carrier', attrs.get(33, b'?').hex(), 'mtu', struct.unpack('<I', attrs[4])[0], 'attrs', sorted(attrs))
            o += (ln + 3) & ~3
def run(c, label): subprocess.run(c, shell=True, check=True); drain(label)
run('ip link set v1 up', 'peer-up')
run('ip link set v0 up', 'up')
run('ip link set v0 mtu 1400', 'mtu')
run('ip link set v0 mtu 1400', 'mtu-same')
run('ip link set v0 down', 'down')
run('ip link set v0 down', 'down-again')
