#!/usr/bin/env python3
"""Receive-side control messages of UDP sockets on the real kernel, for test/socket/udp-rx-cmsg.test.ts.

Run inside `unshare -n` with only lo up (udp-rx-cmsg.sh). Prints JSON {"kernel", "cases": {name: result}}. A
timestamp's bytes are the wall clock here, so stamps are reported as [level, type, length] only.
"""
import json, os, socket, struct

TS = {29, 35}


def show(anc):
    return [[l, t, len(x)] if (l == 1 and t in TS) else [l, t, x.hex()] for l, t, x in anc]


def exchange(rfam, ropts, sfam, to, tos=0, ttl=None):
    r = socket.socket(rfam, socket.SOCK_DGRAM)
    r.bind(("::" if rfam == socket.AF_INET6 else "0.0.0.0", 0))
    for lvl, o in ropts:
        r.setsockopt(lvl, o, 1)
    s = socket.socket(sfam, socket.SOCK_DGRAM)
    if tos:
        s.setsockopt(*((41, 67) if sfam == socket.AF_INET6 else (0, 1)), tos)
    if ttl:
        s.setsockopt(*((41, 16) if sfam == socket.AF_INET6 else (0, 2)), ttl)
    s.sendto(b"hello", (to, r.getsockname()[1]))
    _d, anc, _fl, _a = r.recvmsg(100, 256)
    return show(anc)


def opt(fam, lvl, name, val):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        s.setsockopt(lvl, name, val)
    except OSError as e:
        return ["err", e.errno]
    return ["ok", s.getsockopt(lvl, name)]


def main():
    v4, v6 = socket.AF_INET, socket.AF_INET6
    c = {
        "v4 pktinfo ttl tos": exchange(v4, [(0, 8), (0, 12), (0, 13)], v4, "127.0.0.1", tos=0x28, ttl=33),
        "v4 timestamp then pktinfo": exchange(v4, [(1, 29), (0, 8)], v4, "127.0.0.1"),
        "v4 timestampns": exchange(v4, [(1, 35)], v4, "127.0.0.1"),
        "v4 pktinfo to 127.1.2.3": exchange(v4, [(0, 8)], v4, "127.1.2.3"),
        "v6 pktinfo hoplimit tclass": exchange(v6, [(41, 49), (41, 51), (41, 66)], v6, "::1", tos=0x28, ttl=33),
        "v6 socket, v4 datagram, ipv6 options": exchange(v6, [(41, 49), (41, 51), (41, 66)], v4, "127.0.0.1", tos=0x28, ttl=33),
        "v6 socket, v4 datagram, ip options": exchange(v6, [(0, 8), (0, 12), (0, 13)], v4, "127.0.0.1", tos=0x28, ttl=33),
        "v6 socket, v4 datagram, both": exchange(v6, [(0, 8), (41, 49)], v4, "127.0.0.1"),
        "v6 socket, v6 datagram, ip options": exchange(v6, [(0, 8), (0, 12), (0, 13)], v6, "::1"),
        "get IP_PKTINFO 5": opt(v4, 0, 8, 5),
        "get IP_RECVTTL 5": opt(v4, 0, 12, 5),
        "get IP_RECVTOS one byte": opt(v4, 0, 13, b"\x01"),
        "get IPV6_RECVPKTINFO 5": opt(v6, 41, 49, 5),
        "IPV6_RECVPKTINFO one byte": opt(v6, 41, 49, b"\x01"),
        "get IPV6_RECVTCLASS 5": opt(v6, 41, 66, 5),
    }
    s = socket.socket(v4, socket.SOCK_DGRAM)
    s.setsockopt(1, 35, 1)
    c["SO_TIMESTAMPNS then get both"] = [s.getsockopt(1, 29), s.getsockopt(1, 35)]
    s.setsockopt(1, 29, 1)
    c["then SO_TIMESTAMP, get both"] = [s.getsockopt(1, 29), s.getsockopt(1, 35)]
    s.setsockopt(1, 35, 0)
    c["then SO_TIMESTAMPNS 0, get both"] = [s.getsockopt(1, 29), s.getsockopt(1, 35)]
    t = socket.socket(v4, socket.SOCK_STREAM)
    t.setsockopt(0, 8, 1)
    c["tcp IP_PKTINFO"] = t.getsockopt(0, 8)
    print(json.dumps({"kernel": os.uname().release, "cases": c}, indent=1))


main()
