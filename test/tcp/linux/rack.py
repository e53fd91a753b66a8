"""RACK reordering timer on the real kernel (packets.test.ts "RACK reordering timer"). Usage inside `unshare -rn`:
   python3 rack.py one|two"""
import sys, socket, threading, time, struct
sys.path.insert(0, __import__('os').path.dirname(__file__))
from tunlib import *
fd = setup({'tcp_timestamps': 0})
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind((LOCAL, 8080)); l.setsockopt(6, 13, b'cubic'); l.listen(1)
d = Drv(fd)
def server():
    c, _ = l.accept()
    c.send(b'x' * 10000)
    watch(c, d, 1.0)
th = threading.Thread(target=server); th.start()
d.send(40000, 8080, 0, 0, 'S', 65535, [('mss', 1000), 'sackOK', 'nop', ('wscale', 7)])
d.drain(0.1)
I = d.isn
d.send(40000, 8080, 1, I + 1, '.', 1000)
d.drain(0.2)
mode = sys.argv[1]
if mode == 'one':
    d.send(40000, 8080, 1, I + 1, '.', 1000, [('sack', [(I + 1001, I + 2001)])])
elif mode == 'two':
    d.send(40000, 8080, 1, I + 1, '.', 1000, [('sack', [(I + 1001, I + 2001)])])
    d.send(40000, 8080, 1, I + 1, '.', 1000, [('sack', [(I + 1001, I + 3001)])])
d.drain(0.4)
d.send(40000, 8080, 1, I + 10001, '.', 1000)
d.drain(0.6)
th.join()
