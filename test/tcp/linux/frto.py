"""F-RTO on the real kernel (see packets.test.ts "F-RTO"). Usage inside `unshare -rn`:
   python3 frto.py FRTO(0|2) MODE(spurious|real|sacknew|dupack) _ CC(cubic|reno)"""
import sys, socket, threading, time, struct
sys.path.insert(0, __import__('os').path.dirname(__file__))
from tunlib import *
frto = int(sys.argv[1]); mode = sys.argv[2]
cc = sys.argv[4] if len(sys.argv) > 4 else 'cubic'
sc = {'tcp_frto': frto, 'tcp_timestamps': 0}
fd = setup(sc)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind((LOCAL, 8080)); l.setsockopt(6, 13, cc.encode()); l.listen(1)
d = Drv(fd)
info = []
def server():
    c, _ = l.accept()
    c.send(b'x' * 30000)
    watch(c, d, 1.6)
    ti = c.getsockopt(6, 11, 104)
    info.append(struct.unpack('B', ti[1:2])[0])
    info.append(struct.unpack('I', ti[80:84])[0])  # snd_cwnd
th = threading.Thread(target=server); th.start()
d.send(40000, 8080, 0, 0, 'S', 65535, [('mss', 1000)] + ([] if mode == 'dupack' else ['sackOK']) + ['nop', ('wscale', 7)])
d.drain(0.1)
I = d.isn
d.send(40000, 8080, 1, I + 1, '.', 1000)
d.drain(0.8)
if mode == 'spurious':
    d.send(40000, 8080, 1, I + 1001, '.', 1000)      # the original ACK of segment 1, late
    d.drain(d.now() + 0.05)
    d.send(40000, 8080, 1, I + 10001, '.', 1000)     # ...and of segments 2-10: never-retransmitted data acked
    d.drain(d.now() + 0.3)
else:
    d.send(40000, 8080, 1, I + 1001, '.', 1000)      # the retransmission arrived
    d.drain(d.now() + 0.05)
    if mode == 'dupack': d.send(40000, 8080, 1, I + 1001, '.', 1000)
    elif mode == 'sacknew': d.send(40000, 8080, 1, I + 1001, '.', 1000, [('sack', [(I + 11001, I + 12001)])])
    else: d.send(40000, 8080, 1, I + 1001, '.', 1000, [('sack', [(I + 10001, I + 11001)])])
    d.drain(d.now() + 0.3)
th.join()
print('ca_state', info[0], 'cwnd', info[1])
