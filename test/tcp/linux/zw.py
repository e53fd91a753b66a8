"""Zero-window probing on the real kernel (packets.test.ts "a zero window is probed"). Usage: unshare -rn python3 zw.py"""
import sys, socket, threading, time, struct
sys.path.insert(0, __import__('os').path.dirname(__file__))
from tunlib import *
fd = setup({})
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind((LOCAL, 8080)); l.setsockopt(6, 13, b'cubic'); l.listen(1)
d = Drv(fd)
def server():
    c, _ = l.accept()
    c.send(b'x' * 2000)
    time.sleep(6)
th = threading.Thread(target=server); th.start()
d.send(40000, 8080, 0, 0, 'S', 65535, [('mss', 1460), 'sackOK', ('TS', 100, 0), 'nop', ('wscale', 7)])
d.drain(0.1)
I = d.isn
tsv = [p for t, p in d.log if 'S' in p['flags']][0]['opts']
ecr = int([o for o in tsv if o.startswith('TS')][0].split()[2])
d.send(40000, 8080, 1, I + 1, '.', 0, ['nop', 'nop', ('TS', 200, ecr)])
d.drain(5.0)
d.send(40000, 8080, 1, I + 1, '.', 257, ['nop', 'nop', ('TS', 5000, ecr)])
d.drain(5.3)
th.join()
