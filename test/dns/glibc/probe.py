"""Runs probe.c against the real glibc in a private network and mount namespace and writes probe.json.

Run through regen.sh, which compiles probe.c and calls `unshare -rmn python3 probe.py --inner BIN OUT`. Inside:
only lo is up (127.0.0.1/8 and ::1, as a socksim host with no other interface), the /etc files below are bind-
mounted over the real ones, and dnsd.py answers on 127.0.0.1-3:53. Each "timing" case runs the probe once in a
fresh process and records when the servers saw each query, relative to the start of the call (both clocks are
CLOCK_MONOTONIC).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dnsd  # noqa: E402

HOSTS = """127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
127.0.1.1\tmulti m1
127.0.1.2\tmulti m2
10.1.1.1\tMulti m3
"""

BASIC_RESOLV = "nameserver 127.0.0.1\nsearch example.com\n"

# Each timing case: (id, resolv.conf, server mode, probe arguments).
TIMING = [
    ("default-blackhole-unspec", "nameserver 127.0.0.1\n", "blackhole", ["one-gai", "www.example.com", "0"]),
    ("blackhole-unspec", "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", "blackhole", ["one-gai", "www.example.com", "0"]),
    ("blackhole-inet", "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", "blackhole", ["one-gai", "www.example.com", "2"]),
    ("blackhole-search-short", "nameserver 127.0.0.1\nsearch example.com\noptions timeout:1 attempts:2\n", "blackhole", ["one-gai", "www", "2"]),
    ("blackhole-search-dotted", "nameserver 127.0.0.1\nsearch example.com\noptions timeout:1 attempts:2\n", "blackhole", ["one-gai", "www.example.com", "2"]),
    ("blackhole-three", "nameserver 127.0.0.1\nnameserver 127.0.0.2\nnameserver 127.0.0.3\noptions timeout:1 attempts:2\n", "blackhole", ["one-gai", "www.example.com", "2"]),
    ("blackhole-three-t5", "nameserver 127.0.0.1\nnameserver 127.0.0.2\nnameserver 127.0.0.3\noptions attempts:1\n", "blackhole", ["one-gai", "www.example.com", "2"]),
    ("drop-aaaa-unspec", "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", "drop-aaaa", ["one-gai", "www.example.com", "0"]),
    ("drop-aaaa-twice", "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", "drop-aaaa", ["one-gai", "www.example.com", "0", "2"]),
    ("delay-inet", "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", "delay", ["one-gai", "www.example.com", "2"]),
    ("spurious-inet", "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", "spurious", ["one-gai", "www.example.com", "2"]),
    ("servfail-unspec", "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", "servfail", ["one-gai", "www.example.com", "0"]),
    ("servfail-inet", "nameserver 127.0.0.1\nsearch example.com\noptions timeout:1 attempts:2\n", "servfail", ["one-gai", "www", "2"]),
    ("zone-gai-inet", "nameserver 127.0.0.1\n", "zone", ["one-gai", "www.example.com", "2"]),
    ("zone-gai-unspec", "nameserver 127.0.0.1\n", "zone", ["one-gai", "www.example.com", "0"]),
    ("zone-gai-tc", "nameserver 127.0.0.1\n", "zone", ["one-gai", "many.example.com", "0"]),
    ("zone-gai-edns", "nameserver 127.0.0.1\noptions edns0\n", "zone", ["one-gai", "many.example.com", "2"]),
    ("zone-gai-inet-huge", "nameserver 127.0.0.1\n", "zone", ["one-gai", "huge.example.com", "2"]),
    ("zone-ghbn", "nameserver 127.0.0.1\n", "zone", ["one-ghbn", "www.example.com"]),
    ("zone-ghbnr-small", "nameserver 127.0.0.1\n", "zone", ["one-ghbnr", "www.example.com", "1024"]),
    ("rotate", "nameserver 127.0.0.1\nnameserver 127.0.0.2\noptions rotate timeout:1 attempts:1\n", "blackhole", ["one-gai", "www.example.com", "2"]),
]


def run(binary, args):
    out = subprocess.run([binary] + args, capture_output=True, text=True, timeout=120).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def inner(binary, out_path):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    tmp = tempfile.mkdtemp()
    files = {
        "hosts": HOSTS, "resolv.conf": BASIC_RESOLV, "nsswitch.conf": "hosts: files dns\n",
        "host.conf": "multi on\n", "gai.conf": "",
    }
    for name, text in files.items():
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        target = "/etc/" + name
        if not os.path.exists(target):
            continue
        subprocess.run(["mount", "--bind", path, target], check=True)

    def set_resolv(text):
        with open(os.path.join(tmp, "resolv.conf"), "w") as f:
            f.write(text)

    log = []
    servers = dnsd.start(os.path.join(HERE, "zone.json"), ["127.0.0.1", "127.0.0.2", "127.0.0.3"], "zone", log)

    def set_mode(mode):
        for s in servers:
            s.mode = mode

    result = {"hosts": HOSTS, "resolv_conf": BASIC_RESOLV}
    for group in ("gai", "gni", "ghbn", "buffers"):
        set_mode("zone")
        set_resolv(BASIC_RESOLV)
        rows = run(binary, [group])
        result[group] = [r for r in rows if "id" in r]
    timing = []
    for case_id, resolv, mode, args in TIMING:
        set_mode(mode)
        set_resolv(resolv)
        del log[:]
        t_server0 = servers[0].t0
        rows = run(binary, args)
        starts = [r["start"] for r in rows if "start" in r]
        outcomes = [r for r in rows if "id" in r]
        for r, s in zip(outcomes, starts):
            r["t_start"] = round(s - starts[0], 3)
        queries = [{**q, "t": round(q["t"] + t_server0 - starts[0], 3)} for q in log]
        for q in queries:
            del q["sport"]
        timing.append({"id": case_id, "resolv_conf": resolv, "mode": mode, "args": args, "outcome": outcomes[0],
                       "outcomes": outcomes, "queries": queries})
    result["timing"] = timing
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--inner":
        inner(sys.argv[2], sys.argv[3])
    else:
        print("run regen.sh", file=sys.stderr)
        sys.exit(2)
