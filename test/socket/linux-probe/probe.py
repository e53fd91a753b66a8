#!/usr/bin/env python3
"""Runs the socket-layer expectation table (cases.json) on the real Linux kernel and writes what every step
returned (expected.json). Each case runs in a fresh forked child with only fds 0-2 open, so fd numbers match
socksim's. Calls go through libc with ctypes, so return values and errno are the kernel's own. Run it with
run.sh, inside `unshare -n` with only loopback up."""
import ctypes, ctypes.util, json, os, shutil, signal, struct, sys

libc = ctypes.CDLL(None, use_errno=True)
CASES = json.load(open(sys.argv[1]))
C = CASES["consts"]
BASE = "/tmp/socksim-probe"


class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32), ("iov", ctypes.POINTER(Iovec)),
                ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class EpollEvent(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("events", ctypes.c_uint32), ("data", ctypes.c_uint64)]


class PollFd(ctypes.Structure):
    _fields_ = [("fd", ctypes.c_int), ("events", ctypes.c_short), ("revents", ctypes.c_short)]


class Timeval(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("usec", ctypes.c_long)]


class Rlimit(ctypes.Structure):
    _fields_ = [("cur", ctypes.c_ulong), ("max", ctypes.c_ulong)]


for name in ["socket", "bind", "connect", "listen", "accept", "accept4", "send", "sendto", "recv", "recvfrom",
             "sendmsg", "recvmsg", "shutdown", "close", "setsockopt", "getsockopt", "getsockname", "getpeername",
             "poll", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "dup", "dup2", "dup3", "fcntl",
             "pipe2", "read", "write", "select", "socketpair", "setrlimit", "getrlimit", "open", "unlink", "mkdir",
             "lseek", "sendfile", "readv", "writev"]:
    getattr(libc, name).restype = ctypes.c_long if name in ("send", "sendto", "recv", "recvfrom", "sendmsg", "recvmsg", "read", "write", "lseek", "sendfile", "readv", "writev") else ctypes.c_int


def const(x):
    if isinstance(x, int):
        return x
    v = 0
    for part in x.split("|"):
        part = part.strip()
        neg = part.startswith("~")
        p = part[1:] if neg else part
        n = int(p, 0) if p[0].isdigit() or p[0] == "-" else C[p]
        v |= (~n & 0xffffffff) if neg else n
    return v


def payload(spec):
    if isinstance(spec, str) and spec.startswith("hex:"):
        return bytes.fromhex(spec[4:])
    return bytes(i % 251 for i in range(spec))


def sockaddr(spec, case_dir, case_id):
    """'unix:PATH' ('@D' is the case's directory), 'abs:NAME', 'in:A:PORT', 'in6:A:PORT', 'hex:..', 'unspec'."""
    if spec is None:
        return None
    kind, _, rest = spec.partition(":")
    if kind == "unix":
        p = rest.replace("@D", case_dir).encode()
        return struct.pack("<H", 1) + p + b"\0"
    if kind == "unixn":  # exact length: path bytes without the NUL
        return struct.pack("<H", 1) + rest.replace("@D", case_dir).encode()
    if kind == "abs":
        return struct.pack("<H", 1) + b"\0" + (case_id + "-" + rest).encode()
    if kind == "in":
        a, port = rest.rsplit(":", 1)
        return struct.pack("<H", 2) + struct.pack(">H", int(port)) + bytes(int(x) for x in a.split(".")) + bytes(8)
    if kind == "in6":
        import socket as s
        a, port = rest[1:].split("]:")
        return struct.pack("<H", 10) + struct.pack(">H", int(port)) + bytes(4) + s.inet_pton(s.AF_INET6, a) + bytes(4)
    if kind == "hex":
        return bytes.fromhex(rest)
    if kind == "unspec":
        return struct.pack("<H", 0) + bytes(14)
    raise ValueError(spec)


def fmt_addr(b, n, case_dir, case_id):
    b = b[:n]
    if n < 2:
        return "len%d" % n
    fam = struct.unpack("<H", b[:2])[0]
    if fam == 1:
        if n == 2:
            return "unix:"
        if b[2] == 0:
            name = b[3:].decode("latin1")
            if name.startswith(case_id + "-"):
                return "abs:" + name[len(case_id) + 1:]
            return "abs-auto:%d" % (n - 3)
        return "unix:" + b[2:].split(b"\0")[0].decode().replace(case_dir, "@D")
    if fam == 2:
        return "in:%s" % ".".join(str(x) for x in b[4:8])
    if fam == 10:
        import socket as s
        return "in6:%s" % s.inet_ntop(s.AF_INET6, b[8:24])
    return "af%d" % fam


def run_case(case):
    cid = case["id"]
    case_dir = os.path.join(BASE, cid)
    os.makedirs(case_dir, exist_ok=True)
    v = {}
    out = []

    def arg(x):
        if isinstance(x, str) and x.startswith("$"):
            return v[x[1:]]
        return const(x)

    for step in case["steps"]:
        head, args = step[0], step[1:]
        var = None
        if "=" in head:
            var, head = head.split("=")
        ctypes.set_errno(0)
        res = {}
        r = None
        if head == "socket":
            r = libc.socket(arg(args[0]), arg(args[1]), arg(args[2]))
        elif head == "socketpair":
            sv = (ctypes.c_int * 2)()
            r = libc.socketpair(arg(args[0]), arg(args[1]), arg(args[2]), sv)
            if var and r == 0:
                v[var + "0"], v[var + "1"] = sv[0], sv[1]
                res["fds"] = [sv[0], sv[1]]
            var = None
        elif head == "pipe2":
            sv = (ctypes.c_int * 2)()
            r = libc.pipe2(sv, arg(args[0]))
            if var and r == 0:
                v[var + "0"], v[var + "1"] = sv[0], sv[1]
                res["fds"] = [sv[0], sv[1]]
            var = None
        elif head in ("bind", "connect"):
            a = sockaddr(args[1], case_dir, cid)
            n = len(a) if len(args) < 3 else args[2]
            r = getattr(libc, head)(arg(args[0]), a, n)
        elif head == "listen":
            r = libc.listen(arg(args[0]), arg(args[1]))
        elif head in ("accept", "accept4"):
            buf = ctypes.create_string_buffer(128)
            ln = ctypes.c_uint32(128)
            r = libc.accept(arg(args[0]), buf, ctypes.byref(ln)) if head == "accept" else libc.accept4(arg(args[0]), buf, ctypes.byref(ln), arg(args[1]))
            if r >= 0:
                res["from"] = fmt_addr(buf.raw, ln.value, case_dir, cid)
        elif head in ("send", "sendto", "write"):
            data = payload(args[1])
            if head == "send":
                r = libc.send(arg(args[0]), data, len(data), arg(args[2]))
            elif head == "write":
                r = libc.write(arg(args[0]), data, len(data))
            else:
                a = sockaddr(args[3], case_dir, cid)
                r = libc.sendto(arg(args[0]), data, len(data), arg(args[2]), a, len(a) if a else 0)
        elif head in ("recv", "recvfrom", "read"):
            n = args[1]
            buf = ctypes.create_string_buffer(max(n, 1))
            if head == "recv":
                r = libc.recv(arg(args[0]), buf, n, arg(args[2]))
            elif head == "read":
                r = libc.read(arg(args[0]), buf, n)
            else:
                ab = ctypes.create_string_buffer(128)
                ln = ctypes.c_uint32(128)
                r = libc.recvfrom(arg(args[0]), buf, n, arg(args[2]), ab, ctypes.byref(ln))
                if r >= 0:
                    res["from"] = fmt_addr(ab.raw, ln.value, case_dir, cid) if ln.value else None
            if r > 0:
                res["data"] = buf.raw[:min(r, n, 16)].hex()
        elif head == "sendmsg":
            # ["sendmsg", fd, nbytes, flags, [fds...] or null, creds? (null | "self" | [pid, uid, gid])]
            data = payload(args[1])
            fds = [arg(x) for x in (args[3] or [])]
            ctl = b""
            if fds:
                ctl += struct.pack("<Qii", 16 + 4 * len(fds), 1, 1) + b"".join(struct.pack("<i", f) for f in fds)
                ctl += bytes((-len(ctl)) % 8)
            cr = args[4] if len(args) > 4 else None
            if cr is not None:
                pid, uid, gid = (os.getpid(), 0, 0) if cr == "self" else cr
                ctl += struct.pack("<Qii", 28, 1, 2) + struct.pack("<iII", pid, uid, gid) + bytes(4)
            for lvl, typ, hx in (args[5] if len(args) > 5 else []):
                d = bytes.fromhex(hx)
                ctl += struct.pack("<Qii", 16 + len(d), arg(lvl), arg(typ)) + d + bytes((-len(d)) % 8)
            buf = ctypes.create_string_buffer(data, len(data))
            iov = Iovec(ctypes.cast(buf, ctypes.c_void_p), len(data))
            cbuf = ctypes.create_string_buffer(ctl, len(ctl)) if ctl else None
            m = Msghdr(None, 0, ctypes.pointer(iov), 1, ctypes.cast(cbuf, ctypes.c_void_p) if cbuf else None, len(ctl), 0)
            r = libc.sendmsg(arg(args[0]), ctypes.byref(m), arg(args[2]))
        elif head == "recvmsg":
            # ["recvmsg", fd, nbytes, controllen, flags]
            n, cl = args[1], args[2]
            buf = ctypes.create_string_buffer(max(n, 1))
            iov = Iovec(ctypes.cast(buf, ctypes.c_void_p), n)
            cbuf = ctypes.create_string_buffer(max(cl, 1))
            m = Msghdr(None, 0, ctypes.pointer(iov), 1, ctypes.cast(cbuf, ctypes.c_void_p) if cl else None, cl, 0)
            r = libc.recvmsg(arg(args[0]), ctypes.byref(m), arg(args[3]))
            if r >= 0:
                res["flags"] = m.flags
                res["clen"] = m.controllen
                cm, off, raw, nfds = [], 0, cbuf.raw[:m.controllen], 0
                while off + 16 <= len(raw):
                    ln, lvl, typ = struct.unpack("<Qii", raw[off:off + 16])
                    cm.append([lvl, typ, ln])
                    if lvl == 1 and typ == 1:
                        nfds += (min(ln, len(raw) - off) - 16) // 4
                    if lvl == 1 and typ == 2 and ln >= 28:
                        pid, uid, gid = struct.unpack("<iII", raw[off + 16:off + 28])
                        res["cred"] = ["self" if pid == os.getpid() else pid, uid, gid]
                    off += (ln + 7) & ~7
                res["cmsgs"] = cm
                res["nfds"] = nfds
                if r > 0:
                    res["data"] = buf.raw[:min(r, n, 16)].hex()
        elif head == "shutdown":
            r = libc.shutdown(arg(args[0]), arg(args[1]))
        elif head == "close":
            r = libc.close(arg(args[0]))
        elif head == "setsockopt":
            # ["setsockopt", fd, level, name, int value | "hex:..", optlen?]
            val = args[3]
            b = bytes.fromhex(val[4:]) if isinstance(val, str) and val.startswith("hex:") else struct.pack("<i", arg(val))
            n = len(b) if len(args) < 5 else args[4]
            bb = ctypes.create_string_buffer(b, max(len(b), n, 1))
            r = libc.setsockopt(arg(args[0]), arg(args[1]), arg(args[2]), bb, n)
        elif head == "getsockopt":
            n = args[3]
            bb = ctypes.create_string_buffer(max(n, 1) + 64)
            ln = ctypes.c_uint32(n & 0xffffffff)
            r = libc.getsockopt(arg(args[0]), arg(args[1]), arg(args[2]), bb, ctypes.byref(ln))
            if r == 0:
                res["len"] = ln.value
                raw = bb.raw[:ln.value]
                res["v"] = struct.unpack("<i", raw)[0] if ln.value == 4 else raw.hex()
                if arg(args[2]) == C["SO_PEERCRED"] and ln.value >= 4:
                    # The pid is the probe's own: say "self" so socksim's pids compare.
                    pid = struct.unpack("<i", raw[:4])[0]
                    res["v"] = ["self" if pid == os.getpid() else pid] + [x for x in struct.unpack("<%dI" % ((ln.value - 4) // 4), raw[4:4 + (ln.value - 4) // 4 * 4])]
        elif head in ("getsockname", "getpeername"):
            ab = ctypes.create_string_buffer(128)
            ln = ctypes.c_uint32(128)
            r = getattr(libc, head)(arg(args[0]), ab, ctypes.byref(ln))
            if r == 0:
                res["len"] = ln.value
                res["addr"] = fmt_addr(ab.raw, ln.value, case_dir, cid)
        elif head in ("poll", "ppoll"):
            # ["poll", [[fd, events]...], timeout_ms]
            arr = (PollFd * len(args[0]))(*[PollFd(arg(f), arg(e), 0) for f, e in args[0]])
            if head == "poll":
                r = libc.poll(arr, len(args[0]), args[1])
            else:
                ts = Timeval(args[1] // 1000, (args[1] % 1000) * 1000000)  # same layout as struct timespec
                libc.ppoll.restype = ctypes.c_int
                r = libc.ppoll(arr, len(args[0]), ctypes.byref(ts), None)
            res["rev"] = [p.revents & 0xffff for p in arr]
        elif head in ("epoll_create", "epoll_create1"):
            r = getattr(libc, head)(arg(args[0]))
        elif head == "epoll_ctl":
            # ["epoll_ctl", ep, op, fd, events|null, data?]
            if args[3] is None:
                r = libc.epoll_ctl(arg(args[0]), arg(args[1]), arg(args[2]), None)
            else:
                ev = EpollEvent(arg(args[3]), args[4] if len(args) > 4 else arg(args[2]))
                r = libc.epoll_ctl(arg(args[0]), arg(args[1]), arg(args[2]), ctypes.byref(ev))
        elif head == "epoll_wait":
            mx = args[1]
            evs = (EpollEvent * max(mx, 1))()
            r = libc.epoll_wait(arg(args[0]), evs, mx, args[2])
            res["ev"] = [[evs[i].events, evs[i].data] for i in range(max(r, 0))]
        elif head in ("select", "pselect"):
            # ["select", nfds, [rd], [wr], [ex], timeout_us|null]
            sets = []
            for lst in args[1:4]:
                fs = (ctypes.c_ulong * 16)()
                for f in lst or []:
                    f = arg(f)
                    fs[f // 64] |= 1 << (f % 64)
                sets.append(fs if lst is not None else None)
            if head == "pselect":
                tv = Timeval(args[4] // 1000000, (args[4] % 1000000) * 1000) if args[4] is not None else None
                libc.pselect.restype = ctypes.c_int
                r = libc.pselect(arg(args[0]), *[ctypes.byref(s) if s is not None else None for s in sets], ctypes.byref(tv) if tv else None, None)
            tv = Timeval(args[4] // 1000000, args[4] % 1000000) if args[4] is not None else None
            if head == "select":
                r = libc.select(arg(args[0]), *[ctypes.byref(s) if s is not None else None for s in sets], ctypes.byref(tv) if tv else None)
            for key, s in zip(("rd", "wr", "ex"), sets):
                if s is not None:
                    res[key] = [f for f in range(1024) if s[f // 64] >> (f % 64) & 1]
        elif head in ("dup", "close"):
            r = getattr(libc, head)(arg(args[0]))
        elif head == "dup2":
            r = libc.dup2(arg(args[0]), arg(args[1]))
        elif head == "dup3":
            r = libc.dup3(arg(args[0]), arg(args[1]), arg(args[2]))
        elif head == "fcntl":
            r = libc.fcntl(arg(args[0]), arg(args[1]), ctypes.c_long(arg(args[2]) if len(args) > 2 else 0))
        elif head == "setrlimit":
            r = libc.setrlimit(7, ctypes.byref(Rlimit(args[0], args[1])))
        elif head == "getrlimit":
            rl = Rlimit()
            r = libc.getrlimit(7, ctypes.byref(rl))
            res["lim"] = [rl.cur, rl.max]
        elif head == "open":
            r = libc.open(args[0].replace("@D", case_dir).encode(), arg(args[1]), 0o644)
        elif head == "unlink":
            r = libc.unlink(args[0].replace("@D", case_dir).encode())
        elif head == "mkdir":
            r = libc.mkdir(args[0].replace("@D", case_dir).encode(), 0o755)
        elif head == "lseek":
            r = libc.lseek(arg(args[0]), ctypes.c_long(args[1]), args[2])
        elif head == "sendfile":
            off = ctypes.c_long(args[2]) if args[2] is not None else None
            r = libc.sendfile(arg(args[0]), arg(args[1]), ctypes.byref(off) if off is not None else None, args[3])
            if off is not None:
                res["off"] = off.value
        elif head in ("readv", "writev"):
            # ["writev", fd, [n1, n2...]] / ["readv", fd, [n1, n2...]]: scatter/gather over several buffers
            bufs = [ctypes.create_string_buffer(payload(n) if head == "writev" else max(n, 1), max(n, 1)) for n in args[1]]
            iovs = (Iovec * len(bufs))(*[Iovec(ctypes.cast(b, ctypes.c_void_p), n) for b, n in zip(bufs, args[1])])
            r = getattr(libc, head)(arg(args[0]), iovs, len(bufs))
            if head == "readv" and r > 0:
                res["data"] = [b.raw[:n].hex() for b, n in zip(bufs, args[1])]
        elif head == "ioctl":
            # ["ioctl", fd, request, value|null]: an int in/out argument (null: no argument)
            libc.ioctl.restype = ctypes.c_int
            if len(args) > 2 and args[2] is not None:
                iv = ctypes.c_int(args[2])
                r = libc.ioctl(arg(args[0]), ctypes.c_ulong(arg(args[1])), ctypes.byref(iv))
                if r == 0:
                    res["v"] = iv.value
            else:
                r = libc.ioctl(arg(args[0]), ctypes.c_ulong(arg(args[1])), None)
        elif head == "fill":
            # ["fill", fd, chunk, flags]: non-blocking sends (writes on a non-socket) until one fails
            data = payload(args[1])
            count, total = 0, 0
            while count < 200000:
                ctypes.set_errno(0)
                n = libc.send(arg(args[0]), data, len(data), arg(args[2]) | C["MSG_DONTWAIT"])
                if n < 0 and ctypes.get_errno() == 88:
                    n = libc.write(arg(args[0]), data, len(data))
                if n < 0:
                    break
                count += 1
                total += n
            r = -1
            res["n"] = count
            res["bytes"] = total
        else:
            raise ValueError("unknown op " + head)
        err = ctypes.get_errno() if r is not None and r < 0 else 0
        res = {"r": r, "e": err, **res}
        if signal.sigtimedwait([signal.SIGPIPE], 0) is not None:
            res["sig"] = 1
        if var and r is not None and r >= 0:
            v[var] = r
        out.append(res)
    return out


def main():
    shutil.rmtree(BASE, ignore_errors=True)
    os.makedirs(BASE)
    results = {}
    for case in CASES["cases"]:
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGPIPE])
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            os.closerange(3, wfd)
            os.closerange(wfd + 1, 4096)
            os.dup2(wfd, 1000)
            os.close(wfd)
            try:
                data = json.dumps({"ok": run_case(case)})
            except Exception as ex:  # a broken case is reported, not fatal
                data = json.dumps({"error": repr(ex)})
            os.write(1000, data.encode())
            os._exit(0)
        os.close(wfd)
        chunks = []
        while True:
            b = os.read(rfd, 65536)
            if not b:
                break
            chunks.append(b)
        os.close(rfd)
        os.waitpid(pid, 0)
        got = json.loads(b"".join(chunks) or b'{"error": "no output"}')
        if "error" in got:
            print("case %s failed: %s" % (case["id"], got["error"]), file=sys.stderr)
        results[case["id"]] = got.get("ok")
    sysctl = {}
    for f in ("net/core/rmem_max", "net/core/wmem_max", "net/core/rmem_default", "net/core/wmem_default",
              "net/unix/max_dgram_qlen", "net/core/somaxconn"):
        sysctl[f.replace("/", ".")] = int(open("/proc/sys/" + f).read())
    meta = {"kernel": os.uname().release, "cases": len(results), "sysctl": sysctl}
    json.dump({"meta": meta, "results": results}, open(sys.argv[2], "w"), indent=None, separators=(",", ":"))
    print("wrote %d cases to %s (kernel %s)" % (len(results), sys.argv[2], meta["kernel"]))


main()
