"""A small authoritative DNS server for the glibc probe (UDP and TCP, one thread each).

It answers from zone.json the way socksim's answerAuthoritative does (stack/dns/authority.ts): AA set, RA clear,
the question echoed, owner names in lower case, CNAMEs followed inside the zones, NXDOMAIN and NODATA with the SOA
(TTL min(SOA TTL, MINIMUM)), REFUSED outside its zones, names compressed as BIND does (compress(), the same rules
as socksim's stack/dns/compress.ts), and a UDP reply larger than the
client's limit (512 without EDNS, else min(its size, 1232)) sent with TC and its answer and authority sections emptied (zone.json's only oversized reply is one RRset,
which socksim's encodeForUdp drops whole too).

Modes: "zone" (answer), "blackhole" (log and never answer), "drop-aaaa" (answer all but AAAA queries),
"servfail" (SERVFAIL to everything), "delay" (answer UDP queries 1.5 s late), "spurious" (first a reply with the
wrong ID, then the real one 0.5 s later). Every query is logged with its arrival time.
"""
import ipaddress
import json
import socket
import struct
import threading
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "TXT": 16, "AAAA": 28, "OPT": 41}


def canon(name, origin):
    if name == "@":
        return origin
    if name.endswith("."):
        name = name[:-1]
        return name.lower() if name else "."
    full = name if origin == "." else name + "." + origin
    return full.lower()


def wire_name(name):
    if name in (".", ""):
        return b"\x00"
    out = b""
    for label in name.rstrip(".").split("."):
        b = label.encode("latin1")
        out += bytes([len(b)]) + b
    return out + b"\x00"


# RDATA layouts with compressible names (RFC 1035 types; RFC 3597 §4 forbids compression in others).
COMPRESSIBLE = {2: ["name"], 5: ["name"], 6: ["name", "name", 20], 12: ["name"], 15: [2, "name"]}


def compress(msg):
    """The uncompressed message `msg` with names compressed (RFC 1035 §4.1.4): each name's longest suffix already
    written (case-insensitively, at an offset below 0x4000) becomes a pointer; RDLENGTHs are recomputed."""
    out = bytearray(msg[:12])
    seen = {}

    def name(off):
        labels = []
        while msg[off]:
            labels.append(msg[off + 1:off + 1 + msg[off]])
            off += 1 + msg[off]
        for i in range(len(labels)):
            key = b".".join(l.lower() for l in labels[i:])
            if key in seen:
                out.extend(struct.pack(">H", 0xC000 | seen[key]))
                return off + 1
            if len(out) < 0x4000:
                seen[key] = len(out)
            out.append(len(labels[i]))
            out.extend(labels[i])
        out.append(0)
        return off + 1

    qd, an, ns, ar = struct.unpack(">HHHH", msg[4:12])
    off = 12
    for _ in range(qd):
        off = name(off)
        out.extend(msg[off:off + 4])
        off += 4
    for _ in range(an + ns + ar):
        off = name(off)
        rtype, rdlen = struct.unpack(">H", msg[off:off + 2])[0], struct.unpack(">H", msg[off + 8:off + 10])[0]
        out.extend(msg[off:off + 8])
        at = len(out)
        out.extend(b"\0\0")
        off += 10
        end = off + rdlen
        if rtype in COMPRESSIBLE:
            q = off
            for field in COMPRESSIBLE[rtype]:
                if field == "name":
                    q = name(q)
                else:
                    out.extend(msg[q:q + field])
                    q += field
        else:
            out.extend(msg[off:end])
        out[at:at + 2] = struct.pack(">H", len(out) - at - 2)
        off = end
    return bytes(out)


def read_name(msg, off):
    labels = []
    jumped = False
    end = off
    hops = 0
    while True:
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumped = True
            hops += 1
            if hops > 64:
                raise ValueError("loop")
            continue
        if n == 0:
            if not jumped:
                end = off + 1
            return ".".join(labels) if labels else ".", end
        labels.append(msg[off + 1:off + 1 + n].decode("latin1"))
        off += 1 + n


class Zones:
    def __init__(self, data):
        self.zones = []
        for z in data["zones"]:
            origin = canon(z["origin"], ".")
            soa = z["soa"]
            recs = []
            for r in z["records"]:
                owner = canon(r["name"], origin)
                ttl = r.get("ttl", z["ttl"])
                recs.append((owner, r["type"], ttl, r["data"], origin))
            self.zones.append({"origin": origin, "soa": soa, "ttl": z["ttl"], "records": recs})

    def zone_for(self, name):
        best = None
        for z in self.zones:
            o = z["origin"]
            if name == o or name.endswith("." + o):
                if best is None or len(o) > len(best["origin"]):
                    best = z
        return best

    def rdata(self, rtype, data, origin):
        if rtype == "A":
            return ipaddress.IPv4Address(data).packed
        if rtype == "AAAA":
            return ipaddress.IPv6Address(data).packed
        if rtype in ("CNAME", "PTR", "NS"):
            return wire_name(canon(data, origin))
        if rtype == "TXT":
            b = data.encode()
            return bytes([len(b)]) + b
        raise ValueError(rtype)

    def rr(self, owner, rtype, ttl, rdata):
        return wire_name(owner) + struct.pack(">HHIH", TYPES[rtype], 1, ttl, len(rdata)) + rdata

    def soa_rr(self, z):
        s = z["soa"]
        origin = z["origin"]
        rd = wire_name(canon(s["mname"], origin)) + wire_name(canon(s["rname"], origin))
        rd += struct.pack(">IIIII", s.get("serial", 1), s.get("refresh", 86400), s.get("retry", 7200),
                          s.get("expire", 3600000), s.get("minimum", 3600))
        ttl = min(s.get("ttl", z["ttl"]), s.get("minimum", 3600))
        return self.rr(origin, "SOA", ttl, rd)

    def answer(self, qname, qtype):
        """Returns (rcode, aa, answers[], authorities[]) as wire RRs."""
        name = qname.lower().rstrip(".") or "."
        answers, auth = [], []
        first = True
        seen = set()
        while True:
            seen.add(name)
            z = self.zone_for(name)
            if z is None:
                return (5 if first else 0), (not first), answers, auth
            first = False
            recs = [r for r in z["records"] if r[0] == name]
            cname = [r for r in recs if r[1] == "CNAME"]
            if cname and qtype != TYPES["CNAME"]:
                o, t, ttl, d, origin = cname[0]
                answers.append(self.rr(name, "CNAME", ttl, self.rdata("CNAME", d, origin)))
                target = canon(d, origin)
                if target in seen:
                    return 0, True, answers, auth
                name = target
                continue
            hits = [r for r in recs if TYPES[r[1]] == qtype]
            if hits:
                for o, t, ttl, d, origin in hits:
                    answers.append(self.rr(name, t, ttl, self.rdata(t, d, origin)))
                return 0, True, answers, auth
            exists = bool(recs) or any(r[0].endswith("." + name) for r in z["records"]) or name == z["origin"]
            auth.append(self.soa_rr(z))
            return (0 if exists else 3), True, answers, auth


class Server:
    def __init__(self, zones, addr, mode, log):
        self.zones, self.addr, self.mode, self.log = zones, addr, mode, log
        self.t0 = time.monotonic()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((addr, 53))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((addr, 53))
        self.tcp.listen(16)
        threading.Thread(target=self.serve_udp, daemon=True).start()
        threading.Thread(target=self.serve_tcp, daemon=True).start()

    def respond(self, msg, proto, peer):
        reply = self.respond_uncompressed(msg, proto, peer)
        return None if reply is None else compress(reply)

    def respond_uncompressed(self, msg, proto, peer):
        qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", msg[:12])
        qname, off = read_name(msg, 12)
        qtype, qclass = struct.unpack(">HH", msg[off:off + 4])
        qend = off + 4
        question = msg[12:qend]
        edns = None
        if ar > 0:
            try:
                _, aoff = read_name(msg, qend)
                atype, asize = struct.unpack(">HH", msg[aoff:aoff + 4])
                if atype == 41:
                    edns = asize
            except Exception:
                pass
        self.log.append({"t": round(time.monotonic() - self.t0, 6), "server": self.addr, "proto": proto,
                         "qname": qname, "qtype": qtype, "id": qid, "sport": peer[1], "edns": edns})
        if self.mode == "blackhole" or (self.mode == "drop-aaaa" and qtype == 28):
            return None
        rd = flags & 0x0100
        if self.mode == "servfail":
            return struct.pack(">HHHHHH", qid, 0x8000 | rd | 2, 1, 0, 0, 0) + question
        rcode, aa, answers, auth = self.zones.answer(qname, qtype)
        opt = b""
        if edns is not None:
            opt = b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 0)
        hflags = 0x8000 | (0x0400 if aa else 0) | rd | rcode
        body = question + b"".join(answers) + b"".join(auth)
        full = struct.pack(">HHHHHH", qid, hflags, 1, len(answers), len(auth), 1 if opt else 0) + body + opt
        limit = 512 if edns is None else max(512, min(edns, 1232))
        if proto == "udp" and len(compress(full)) > limit:
            # TC with no records: the one oversized reply in zone.json is a single RRset, dropped whole.
            return struct.pack(">HHHHHH", qid, hflags | 0x0200, 1, 0, 0, 1 if opt else 0) + question + opt
        return full

    def serve_udp(self):
        while True:
            msg, peer = self.udp.recvfrom(65535)
            try:
                out = self.respond(msg, "udp", peer)
            except Exception:
                continue
            if out is None:
                continue
            if self.mode == "delay":
                threading.Timer(1.5, self.udp.sendto, (out, peer)).start()
            elif self.mode == "spurious":
                self.udp.sendto(struct.pack(">H", struct.unpack(">H", out[:2])[0] ^ 1) + out[2:], peer)
                threading.Timer(0.5, self.udp.sendto, (out, peer)).start()
            else:
                self.udp.sendto(out, peer)

    def serve_tcp(self):
        while True:
            conn, peer = self.tcp.accept()
            threading.Thread(target=self.serve_conn, args=(conn, peer), daemon=True).start()

    def serve_conn(self, conn, peer):
        buf = b""
        with conn:
            while True:
                chunk = conn.recv(65535)
                if not chunk:
                    return
                buf += chunk
                while len(buf) >= 2 and len(buf) >= 2 + struct.unpack(">H", buf[:2])[0]:
                    n = struct.unpack(">H", buf[:2])[0]
                    msg, buf = buf[2:2 + n], buf[2 + n:]
                    out = self.respond(msg, "tcp", peer)
                    if out is not None:
                        conn.sendall(struct.pack(">H", len(out)) + out)


def start(zone_path, addrs, mode, log):
    with open(zone_path) as f:
        zones = Zones(json.load(f))
    return [Server(zones, a, mode, log) for a in addrs]
