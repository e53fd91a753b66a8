#!/usr/bin/env python3
"""SO_TIMESTAMP(NS) on TCP sockets on the real kernel, for test/socket/tcp-timestamp.test.ts.

Run inside `unshare -n` with only lo up (tcp-timestamp.sh). Prints JSON {"kernel", "cases": {name: reads}}. The
sender writes 10 ms apart (TCP_NODELAY, so each write is one segment); a read's stamp is reported as the index of
the write whose arrival it is (stamps are wall-clock here), or null when the read carried no stamp. Each read is
[bytes, [[level, type, length]...], stamp index, msg_flags].
"""
import json, os, socket, struct, time

GAP = 0.010
TS = {29, 35}


class Pair:
    def __init__(self):
        l = socket.socket()
        l.bind(("127.0.0.1", 0))
        l.listen()
        self.c = socket.socket()
        self.c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.c.connect(l.getsockname())
        self.s, _ = l.accept()
        l.close()
        self.sent = []

    def close(self):
        self.s.close()
        self.c.close()

    def send(self, data):
        self.sent.append(time.time())
        self.c.send(data)
        time.sleep(GAP)

    def recv(self, n, flags=0, control=256):
        d, anc, fl, _ = self.s.recvmsg(n, control, flags)
        idx = None
        for lvl, typ, x in anc:
            if lvl == 1 and typ in TS:
                sec, frac = struct.unpack("qq", x)
                t = sec + frac / (1e9 if typ == 35 else 1e6)
                idx = min(range(len(self.sent)), key=lambda i: abs(self.sent[i] - t))
        return [len(d), [[l, t, len(x)] for l, t, x in anc], idx, fl]


def main():
    c = {}
    p = Pair()
    p.send(b"A" * 10)
    p.s.setsockopt(1, 35, 1)
    p.send(b"B" * 10)
    c["enabled after the first arrival"] = [p.recv(5), p.recv(100)]

    p = Pair()
    p.s.setsockopt(1, 35, 1)
    p.send(b"A" * 10)
    p.send(b"B" * 10)
    c["two writes coalesce"] = [p.recv(5), p.recv(5, socket.MSG_PEEK), p.recv(100)]

    p = Pair()
    p.s.setsockopt(1, 35, 1)
    p.send(b"A" * 10)
    first = p.recv(5)
    p.send(b"B" * 10)
    c["a partly read skb still coalesces"] = [first, p.recv(5), p.recv(100)]

    p = Pair()
    p.s.setsockopt(1, 29, 1)
    for i in range(25):
        p.send(bytes([65 + i]) * 100)
    c["seventeen segments per skb"] = [p.recv(100) for _ in range(25)]

    p = Pair()
    p.s.setsockopt(1, 29, 1)
    p.s.setsockopt(socket.IPPROTO_TCP, 36, 1)  # TCP_INQ
    p.send(b"A" * 10)
    c["timestamp before TCP_CM_INQ"] = [p.recv(4)]
    c["MSG_TRUNC discards and stamps"] = [p.recv(3, socket.MSG_TRUNC)]
    c["no control buffer"] = [p.recv(100, 0, 0)]
    p.c.shutdown(socket.SHUT_WR)
    time.sleep(GAP)
    c["end of file"] = [p.recv(100)]

    # The stamping switch is host-wide: another socket's SO_TIMESTAMP makes arriving segments stamped.
    p = Pair()
    other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    other.setsockopt(1, 29, 1)
    time.sleep(0.05)  # the first socket to want stamps turns the switch on from a work item, a moment later
    p.send(b"A" * 10)
    p.s.setsockopt(1, 29, 1)
    c["another socket wanted stamps"] = [p.recv(100)]
    # Turning SO_TIMESTAMP off leaves the switch on (sock_set_timestamp only clears the socket's flag): this socket
    # keeps segments stamped until it is destroyed.
    p.s.setsockopt(1, 29, 0)
    other.close()
    time.sleep(0.2)
    p.send(b"B" * 10)
    p.s.setsockopt(1, 29, 1)
    c["turned off, the socket still keeps stamping on"] = [p.recv(100)]
    p.close()

    # Once every socket that turned it on is closed (destroyed after an RCU grace period), arrivals go unstamped.
    time.sleep(0.2)
    p = Pair()
    p.send(b"A" * 10)
    p.s.setsockopt(1, 29, 1)
    c["every stamping socket closed"] = [p.recv(100)]

    # Unlike TCP, a datagram that arrived unstamped is stamped when read (__sock_recv_timestamp): report whether the
    # stamp is the send time or the read time. (Every socket that wanted stamps is closed first.)
    p.close()
    time.sleep(0.2)
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.bind(("127.0.0.1", 0))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = time.time()
    u.sendto(b"x", r.getsockname())
    time.sleep(0.1)
    r.setsockopt(1, 35, 1)
    time.sleep(0.1)
    read = time.time()
    _d, anc, _fl, _a = r.recvmsg(10, 256)
    sec, ns = struct.unpack("qq", anc[0][2])
    t = sec + ns / 1e9
    c["udp datagram queued unstamped"] = "read time" if abs(t - read) < abs(t - sent) else "send time"

    print(json.dumps({"kernel": os.uname().release, "cases": c}, indent=1))


main()
