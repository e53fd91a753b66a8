/** Helpers for TCP tests: a two-host network and a few socket conveniences. */
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import type { Host } from '../../stack/host.js';
import type { Link } from '../../stack/link.js';
import type { LinkParams } from '../../stack/faults.js';
import { Sys } from '../../stack/sys.js';
import { WaitQueue } from '../../sim/process.js';
import { AF_INET, SOCK_STREAM } from '../../stack/constants.js';
import { inet } from '../../stack/sockaddr.js';
import type { TcpSocket } from '../../stack/tcp/tcp-socket.js';
import type { EventSink, SimEvent } from '../../sim/events.js';

/** A client host "a" (10.0.0.1) and a server host "b" (10.0.0.2) on one link. */
export function twoHosts(params: Partial<LinkParams> = {}, seed: string | number = 1, sink: EventSink | null = null,
  staticArp = true): {
  sim: Sim; net: Network; a: Host; b: Host; link: Link;
} {
  const sim = new Sim({ seed, sink, maxTimeNs: 4 * 3600e9 });
  const net = new Network(sim);
  const a = net.addHost('a');
  const b = net.addHost('b');
  const link = net.connect(a, b, { latencyNs: 1_000_000, ...params }, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
  if (staticArp) {
    // `ip neigh add … nud permanent` on both ends: these tests are about TCP, not address resolution.
    const ia = a.iface('eth0')!, ib = b.iface('eth0')!;
    a.ipv4.arp.table.addPermanent(ia, 0x0a000002, String(0x0a000002), ib.mac);
    b.ipv4.arp.table.addPermanent(ib, 0x0a000001, String(0x0a000001), ia.mac);
  }
  return { sim, net, a, b, link };
}

/** An event sink keeping everything in memory. */
export class MemorySink implements EventSink {
  readonly events: SimEvent[] = [];
  push(ev: SimEvent): void {
    this.events.push(ev);
  }
  /** Events of one kind. */
  of(kind: string): SimEvent[] {
    return this.events.filter((e) => e[0] === kind);
  }
}

/** socket + bind + listen; returns the fd. */
export async function listenOn(sys: Sys, port: number, backlog = 16): Promise<number> {
  const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
  if (await sys.bind(fd, inet('0.0.0.0', port)) < 0) throw new Error(`bind: errno ${sys.errno}`);
  if (await sys.listen(fd, backlog) < 0) throw new Error(`listen: errno ${sys.errno}`);
  return fd;
}

/** socket + connect; returns the fd or -errno. */
export async function connectTo(sys: Sys, addr: string, port: number): Promise<number> {
  const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
  const r = await sys.connect(fd, inet(addr, port));
  return r < 0 ? -sys.errno : fd;
}

/** Sends all of data (blocking); returns its length or -errno. */
export async function sendAll(sys: Sys, fd: number, data: Uint8Array, flags = 0): Promise<number> {
  let off = 0;
  while (off < data.length) {
    const n = await sys.send(fd, data.subarray(off), flags);
    if (n < 0) return -sys.errno;
    off += n;
  }
  return off;
}

/** Reads until EOF or error; returns the bytes and the final result (0 for EOF, -errno otherwise). */
export async function readAll(sys: Sys, fd: number, chunk = 65536): Promise<{ data: Uint8Array; end: number }> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(chunk);
  for (;;) {
    const n = await sys.recv(fd, buf);
    if (n <= 0) {
      const out = new Uint8Array(total);
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return { data: out, end: n === 0 ? 0 : -sys.errno };
    }
    parts.push(buf.slice(0, n));
    total += n;
  }
}

/** The TcpSocket behind an fd. */
export function tcpSock(sys: Sys, fd: number): TcpSocket {
  const e = sys.fds.get(fd);
  if (!e) throw new Error(`fd ${fd} not open`);
  return e.file.obj as TcpSocket;
}

/** Deterministic pseudo-random bytes. */
export function pattern(n: number, seed = 7): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** A thread: another process sharing `parent`'s fd table (its exit closes nothing). */
export interface Thread {
  done: boolean;
  readonly wq: WaitQueue;
}

/** Starts body as a thread of parent's process. */
export function thread(parent: Sys, name: string, body: (sys: Sys) => Promise<unknown>): Thread {
  const th: Thread = { done: false, wq: new WaitQueue() };
  parent.host.sim.spawn(name, parent.host.name, async (p) => {
    try {
      await body(new Sys(parent.host, p, parent.fds));
    } finally {
      th.done = true;
      th.wq.wakeAll();
    }
  });
  return th;
}

/** Waits for a thread to finish. */
export async function join(sys: Sys, th: Thread): Promise<void> {
  while (!th.done) await sys.proc.block([th.wq], null, 'join');
}
