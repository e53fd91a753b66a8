#!/usr/bin/env python3
"""Peer benchmark: the bulk transfer of bench/peers/ns3-bulk.cc, run by the real Linux kernel on this machine.

Two network namespaces ("a" sends, "b" receives) inside a private `unshare -n -m`, each with one TUN device
(MTU 1500, no offloads, so every segment is an MSS-sized packet). This process is the wire between them: it reads
a packet from one TUN, serialises it at RATE behind a drop-tail queue of QUEUE packets, drops it with probability
LOSS if it is going from a to b (ns-3's ReceiveErrorModel sits on the receiving device, so only data is lost), and
writes it to the other TUN DELAY later. Nothing leaves the machine: both namespaces only know each other.

The kernel's own TCP runs the transfer (TCP_CONGESTION = CC, 4 MiB SO_SNDBUF/SO_RCVBUF as ns-3's peer sets,
MSS 1448 from the 1500-byte MTU with timestamps). Timing is wall-clock and the forwarder is userspace Python, so
its delay is accurate to roughly 0.1 ms and rates far above ~100 Mbit/s are not reachable: use it for the lossy
case (where the window, not the link, limits the rate), not for 1 Gbit/s without loss.

Needs root (unshare, ip netns, /dev/net/tun). Prints one line like the ns-3 peer:
    peer=linux-<release> cc=… bytes=… received=… sim_s=… goodput_mbps=… retrans=…
Usage: linux-bulk.py --bytes 20000000 --rate 1Gbps --delay 5ms --loss 0.01 --cc reno --seed 1
"""
import argparse, ctypes, fcntl, heapq, os, random, select, socket, struct, subprocess, sys, threading, time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
PORT = 5001
BUF = 4 << 20


def parse_rate(s):
    units = {'gbps': 1e9, 'mbps': 1e6, 'kbps': 1e3, 'bps': 1}
    for u, m in units.items():
        if s.lower().endswith(u):
            return float(s[: -len(u)]) * m
    return float(s)


def parse_time(s):
    units = {'ms': 1e-3, 'us': 1e-6, 'ns': 1e-9, 's': 1}
    for u, m in units.items():
        if s.endswith(u):
            return float(s[: -len(u)]) * m
    return float(s)


def sh(*args):
    subprocess.run(args, check=True)


libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f'setns {path}')
    finally:
        os.close(fd)


def make_tun(ns, name):
    """Opens a TUN device created inside namespace `ns` (setns affects only this thread, which is switched back)."""
    home = os.open('/proc/self/task/%d/ns/net' % threading.get_native_id(), os.O_RDONLY)
    setns(f'/run/netns/{ns}')
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    libc.setns(home, CLONE_NEWNET)
    os.close(home)
    return fd


class Wire:
    """One direction: drop-tail queue at `rate`, then `delay` of propagation; loss on arrival with probability p."""

    def __init__(self, out_fd, rate, delay, queue, loss, rng):
        self.out_fd, self.rate, self.delay, self.queue, self.loss, self.rng = out_fd, rate, delay, queue, loss, rng
        self.free_at = 0.0
        self.departures = []  # serialisation end times of packets still in the queue
        self.dropped = 0

    def offer(self, now, pkt, pending):
        while self.departures and self.departures[0] <= now:
            self.departures.pop(0)
        if len(self.departures) >= self.queue:
            self.dropped += 1
            return
        start = max(now, self.free_at)
        self.free_at = start + len(pkt) * 8 / self.rate
        self.departures.append(self.free_at)
        if self.loss and self.rng.random() < self.loss:
            self.dropped += 1
            return
        heapq.heappush(pending, (self.free_at + self.delay, id(pkt), self.out_fd, pkt))


def forward(fa, fb, rate, delay, queue, loss, seed, stop):
    rng = random.Random(seed)
    wires = {fa: Wire(fb, rate, delay, queue, loss, rng), fb: Wire(fa, rate, delay, queue, 0.0, rng)}
    pending = []
    while not stop.is_set():
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, fd, pkt = heapq.heappop(pending)
            os.write(fd, pkt)
        timeout = 0.05 if not pending else max(0.0, pending[0][0] - time.monotonic())
        ready, _, _ = select.select([fa, fb], [], [], timeout)
        now = time.monotonic()
        for fd in ready:
            for _ in range(64):
                try:
                    pkt = os.read(fd, 2048)
                except BlockingIOError:
                    break
                wires[fd].offer(now, pkt, pending)
    return wires


RECEIVER = r'''
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, %(buf)d); s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, %(buf)d)
s.bind(('10.0.0.2', %(port)d)); s.listen(1); print('ready', flush=True)
c, _ = s.accept(); n = 0; want = %(bytes)d
while n < want:
    d = c.recv(1 << 20)
    if not d: break
    n += len(d)
print(n, repr(time.monotonic()), flush=True)
c.close()
'''

SENDER = r'''
import socket, struct, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, %(buf)d); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, %(buf)d)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b'%(cc)s')
t0 = time.monotonic(); s.connect(('10.0.0.2', %(port)d))
block = b'x' * 65536; left = %(bytes)d
while left > 0:
    left -= s.send(block[:min(left, len(block))])
s.shutdown(socket.SHUT_WR)
s.recv(1)  # EOF once the receiver has read everything: every segment is acknowledged by then
info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 152)
print(repr(t0), struct.unpack_from('I', info, 100)[0], struct.unpack_from('I', info, 148)[0], flush=True)  # total_retrans, min_rtt
s.close()
'''


def inner(a):
    # A private tmpfs for the namespace handles, so nothing is left in the machine's /run/netns.
    os.makedirs('/run/netns', exist_ok=True)
    sh('mount', '-t', 'tmpfs', 'socksim-netns', '/run/netns')
    sh('ip', 'netns', 'add', 'a')
    sh('ip', 'netns', 'add', 'b')
    fa, fb = make_tun('a', 't0'), make_tun('b', 't1')
    for ns, dev, ip in (('a', 't0', '10.0.0.1'), ('b', 't1', '10.0.0.2')):
        sh('ip', '-n', ns, 'link', 'set', 'lo', 'up')
        sh('ip', '-n', ns, 'addr', 'add', f'{ip}/24', 'dev', dev)
        sh('ip', '-n', ns, 'link', 'set', dev, 'mtu', '1500', 'txqueuelen', '1000', 'up')
        for k in ('net.core.wmem_max', 'net.core.rmem_max'):
            subprocess.run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', f'{k}={BUF}'], check=False,
                           stderr=subprocess.DEVNULL)  # per-namespace only on some kernels; else the host's cap applies
    for fd in (fa, fb):
        os.set_blocking(fd, False)
    stop = threading.Event()
    result = {}
    th = threading.Thread(target=lambda: result.update(w=forward(fa, fb, a.rate, a.delay, a.queue, a.loss, a.seed, stop)))
    th.start()
    params = dict(buf=BUF, port=PORT, bytes=a.bytes, cc=a.cc)
    rx = subprocess.Popen(['ip', 'netns', 'exec', 'b', sys.executable, '-c', RECEIVER % params],
                          stdout=subprocess.PIPE, text=True)
    assert rx.stdout.readline().strip() == 'ready'
    tx = subprocess.run(['ip', 'netns', 'exec', 'a', sys.executable, '-c', SENDER % params],
                        stdout=subprocess.PIPE, text=True, check=True)
    got, t1 = rx.stdout.readline().split()
    rx.wait()
    stop.set()
    th.join()
    t0, retrans, min_rtt = tx.stdout.split()
    sim_s = float(t1) - float(t0)
    print(f'peer=linux-{os.uname().release} cc={a.cc} bytes={a.bytes} received={got} sim_s={sim_s:.6f} '
          f'goodput_mbps={int(got) * 8 / sim_s / 1e6:.2f} retrans={retrans} min_rtt_us={min_rtt} '
          f'wire_drops={result["w"][fa].dropped}')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--bytes', type=int, default=20_000_000)
    p.add_argument('--rate', type=parse_rate, default=parse_rate('1Gbps'))
    p.add_argument('--delay', type=parse_time, default=parse_time('5ms'))
    p.add_argument('--loss', type=float, default=0.01)
    p.add_argument('--queue', type=int, default=1000)
    p.add_argument('--cc', default='reno')
    p.add_argument('--seed', type=int, default=1)
    a = p.parse_args()
    if os.environ.get('LINUX_BULK_INNER') != '1':
        env = dict(os.environ, LINUX_BULK_INNER='1')
        sys.exit(subprocess.run(['unshare', '-n', '-m', '--propagation', 'private', sys.executable, *sys.argv], env=env).returncode)
    inner(a)


if __name__ == '__main__':
    main()
