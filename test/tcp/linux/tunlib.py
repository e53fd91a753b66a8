"""
Tiny packetdrill-like driver for checking Linux itself: the kernel's TCP talks to a TUN device whose other end is
this script, which injects hand-built IPv4/TCP segments from 192.168.0.2 and prints what the kernel sends (times in
seconds from the start, sequence numbers relative to the kernel's ISN). Run the scripts next to it inside
`unshare -rn` (a private network namespace with only loopback and tun0: never any real network). Note the machine's
kernel may use HZ=250 and BBR by default: the scripts pick CUBIC per socket with TCP_CONGESTION.
"""
import os, fcntl, struct, socket, select, time, threading, subprocess

TUNSETIFF = 0x400454ca
LOCAL, REMOTE = '192.168.0.1', '192.168.0.2'

def setup(sysctls=None):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', b'tun0', 0x0001 | 0x1000))
    for c in ['ip link set lo up', 'ip link set tun0 up', f'ip addr add {LOCAL}/24 dev tun0']:
        subprocess.check_call(c.split())
    for k, v in (sysctls or {}).items():
        with open('/proc/sys/net/ipv4/' + k, 'w') as f: f.write(str(v))
    return fd

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def opts_bytes(opts):
    out = b''
    for o in opts:
        if o == 'nop': out += b'\x01'
        elif o[0] == 'mss': out += struct.pack('!BBH', 2, 4, o[1])
        elif o[0] == 'wscale': out += struct.pack('!BBB', 3, 3, o[1])
        elif o == 'sackOK': out += b'\x04\x02'
        elif o[0] == 'sack':
            out += struct.pack('!BB', 5, 2 + 8 * len(o[1])) + b''.join(struct.pack('!II', a, b) for a, b in o[1])
        elif o[0] == 'TS': out += struct.pack('!BBII', 8, 10, o[1], o[2])
    while len(out) % 4: out += b'\x01'
    return out

FL = {'F': 1, 'S': 2, 'R': 4, 'P': 8, '.': 16, 'U': 32}

def tcp_pkt(sport, dport, seq, ack, flags, win, opts=(), payload=b''):
    ob = opts_bytes(opts)
    fl = sum(FL[c] for c in flags)
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff, (5 + len(ob) // 4) << 4, fl, win, 0, 0) + ob
    seg = hdr + payload
    ph = socket.inet_aton(REMOTE) + socket.inet_aton(LOCAL) + struct.pack('!BBH', 0, 6, len(seg))
    c = csum(ph + seg)
    seg = seg[:16] + struct.pack('!H', c) + seg[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(seg), 0, 0x4000, 64, 6, 0, socket.inet_aton(REMOTE), socket.inet_aton(LOCAL))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return ip + seg

def parse(pkt):
    ihl = (pkt[0] & 15) * 4
    if pkt[9] != 6: return None
    t = pkt[ihl:]
    sport, dport, seq, ack, off, fl, win = struct.unpack('!HHIIBBH', t[:16])
    doff = (off >> 4) * 4
    o, i, opts = t[20:doff], 0, []
    while i < len(o):
        k = o[i]
        if k == 0: break
        if k == 1: opts.append('nop'); i += 1; continue
        l = o[i + 1]
        if k == 2: opts.append('mss %d' % struct.unpack('!H', o[i + 2:i + 4]))
        elif k == 3: opts.append('wscale %d' % o[i + 2])
        elif k == 4: opts.append('sackOK')
        elif k == 5: opts.append('sack ' + ' '.join('%d:%d' % struct.unpack('!II', o[j:j + 8]) for j in range(i + 2, i + l, 8)))
        elif k == 8: opts.append('TS val %d ecr %d' % struct.unpack('!II', o[i + 2:i + 10]))
        else: opts.append('opt%d' % k)
        i += l
    flags = ''.join(c for c, b in [('F', 1), ('S', 2), ('R', 4), ('P', 8)] if fl & b) or ''
    if fl & 16: flags += '.'
    return dict(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags, win=win, len=len(t) - doff, opts=opts)

class Drv:
    def __init__(self, fd):
        self.fd, self.t0, self.isn, self.log = fd, time.time(), None, []
    def now(self): return time.time() - self.t0
    def send(self, *a, **k): os.write(self.fd, tcp_pkt(*a, **k))
    def drain(self, until):
        """Reads what the kernel sends until absolute script time `until`."""
        while True:
            left = until - self.now()
            if left <= 0: return
            r, _, _ = select.select([self.fd], [], [], left)
            if not r: return
            p = parse(os.read(self.fd, 65535))
            if not p: continue
            if self.isn is None and 'S' in p['flags']: self.isn = p['seq']
            rel = (p['seq'] - (self.isn or 0)) & 0xffffffff
            line = '%.3f %s %d:%d(%d) ack %d win %d <%s>' % (self.now(), p['flags'], rel, rel + p['len'], p['len'], p['ack'], p['win'], ','.join(p['opts']))
            print(line, flush=True)
            self.log.append((self.now(), p))


def watch(c, d, seconds):
    """Prints the connection's congestion state (TCP_INFO) each time it changes, for `seconds`."""
    last, end = None, time.time() + seconds
    while time.time() < end:
        ti = c.getsockopt(6, 11, 104)
        ca, = struct.unpack('B', ti[1:2])
        unacked, sacked, lost, retrans = struct.unpack('IIII', ti[24:40])
        cwnd, = struct.unpack('I', ti[80:84])
        rto, = struct.unpack('I', ti[8:12])
        rtt, rttvar = struct.unpack('II', ti[68:76])
        cur = (ca, cwnd, unacked, sacked, lost, retrans, rto, rtt, rttvar)
        if cur != last:
            print('  %.3f info ca %d cwnd %d unacked %d sacked %d lost %d retrans %d rto %d rtt %d rttvar %d' % ((d.now(),) + cur), flush=True)
            last = cur
        time.sleep(0.0005)
