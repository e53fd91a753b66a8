/**
 * One TCP bulk transfer over a point-to-point link: host a ("source") connects to host b ("sink") and sends
 * `bytes`; the sink reads until EOF. The link has a rate, a one-way delay and a drop-tail queue (1000 frames), and
 * random loss either on both directions (LinkParams.loss) or only on frames arriving at the sink, which is where
 * ns-3's ReceiveErrorModel sits in bench/peers/ns3-bulk.cc (so only data segments are lost, never ACKs).
 *
 * The builder is shared by bench/tcp-bulk.ts (TCP goodput tests), the `socksim bench bulk` comparison with ns-3
 * and the replay benchmark (registered as the scenario "tcp-bulk", so a recording of it replays).
 */
import type { Host } from '../stack/host.js';
import type { Network } from '../stack/network.js';
import {
  AF_INET, IPPROTO_TCP, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, SO_RCVLOWAT, SO_SNDBUF, TCP_CONGESTION, TCP_INFO,
} from '../stack/constants.js';
import { dropIf } from '../stack/faults.js';
import { coreSysctlOf } from '../stack/sockopt.js';
import { inet } from '../stack/sockaddr.js';
import type { OptOut, Sys } from '../stack/sys.js';
import { ms } from '../sim/time.js';
import { num, registerScenario, type Params, type ScenarioHooks } from './registry.js';

/** What the transfer looks like. */
export interface BulkOptions {
  /** Bytes the source sends. */
  bytes: number;
  /** Link rate, bits per second (0: unlimited). */
  rateBps: number;
  /** One-way propagation delay, ns. */
  delayNs: number;
  /** Drop-tail queue length of each direction, frames. */
  queueLimit: number;
  /** Random loss probability. */
  loss: number;
  /** 'both': every frame either way may be lost; 'receiver': only frames arriving at the sink (data, not ACKs). */
  lossSide: 'both' | 'receiver';
  /** TCP_CONGESTION of the source ('cubic' or 'reno', the latter being NewReno with SACK as in Linux). */
  cc: string;
  /**
   * SO_SNDBUF and SO_RCVBUF for both sockets, bytes (0: leave Linux's auto-tuning). net.core.wmem_max/rmem_max are
   * raised to this value on both hosts first (as `sysctl -w` would), since socket(7) caps the option at them.
   */
  bufBytes: number;
  /** SO_RCVLOWAT of the sink: it wakes per this many bytes rather than per segment, as a bulk reader would. */
  rcvLowat: number;
}

/** Defaults: the transfer bench/tcp-bulk.ts has always measured (1 Gbit/s, 5 ms, CUBIC, auto-tuned buffers). */
export const BULK_DEFAULTS: BulkOptions = {
  bytes: 10e6, rateBps: 1e9, delayNs: ms(5), queueLimit: 1000, loss: 0, lossSide: 'both', cc: 'cubic', bufBytes: 0,
  rcvLowat: 32 * 1024,
};

/** What a bulk run observed; filled in while the simulation runs. */
export interface BulkState {
  readonly source: Host;
  readonly sink: Host;
  /** Virtual time the source called connect(). */
  t0: number;
  /** Virtual time the sink read EOF (0 until then). */
  t1: number;
  /** Bytes the sink read. */
  received: number;
  /** Bytes the source's send() accepted. */
  sent: number;
  /** (time, bytes read so far) after each read. */
  readonly progress: [number, number][];
  /** The source's tcpi_snd_mss (payload bytes per full segment) just before it closed. */
  sndMss: number;
}

const PORT = 5001;

/** SO_SNDBUF + SO_RCVBUF as socket(7) takes them (the kernel doubles the value for its bookkeeping overhead). */
async function setBuffers(sys: Sys, fd: number, bytes: number): Promise<void> {
  if (bytes <= 0) return;
  await sys.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, bytes);
  await sys.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, bytes);
}

/** Builds the two hosts, the link and both processes on `net`; the returned state fills in as the run goes. */
export function buildBulk(net: Network, options: Partial<BulkOptions> = {}): BulkState {
  const o = { ...BULK_DEFAULTS, ...options };
  const a = net.addHost('a');
  const b = net.addHost('b');
  const link = net.connect(a, b, {
    latencyNs: o.delayNs, rateBps: o.rateBps, queueLimit: o.queueLimit, loss: o.lossSide === 'both' ? o.loss : 0,
  }, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
  if (o.lossSide === 'receiver' && o.loss > 0) {
    // A frame is lost after it crossed the wire, at the sink's NIC; it drew from its own stream, like every fault.
    const s = net.sim.random.stream(`link:${link.name}:rx-loss`);
    const sinkEnd = link.b;
    link.addRule(dropIf('rx-loss', (f) => f.to === sinkEnd && s.chance(o.loss), 'loss'));
  }
  if (o.bufBytes > 0) {
    for (const h of [a, b]) {
      const core = coreSysctlOf(h);
      core.wmemMax = Math.max(core.wmemMax, o.bufBytes);
      core.rmemMax = Math.max(core.rmemMax, o.bufBytes);
    }
  }
  const st: BulkState = { source: a, sink: b, t0: 0, t1: 0, received: 0, sent: 0, progress: [], sndMss: 0 };
  b.spawn('sink', async (sys) => {
    const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
    // Set on the listener so the accepted socket inherits it and the SYN-ACK's window scale reflects it (tcp(7)).
    await setBuffers(sys, l, o.bufBytes);
    await sys.bind(l, inet('0.0.0.0', PORT));
    await sys.listen(l, 8);
    const c = await sys.accept(l, null);
    if (o.rcvLowat > 0) await sys.setsockopt(c, SOL_SOCKET, SO_RCVLOWAT, o.rcvLowat);
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = await sys.recv(c, buf);
      if (n <= 0) break;
      st.received += n;
      st.progress.push([sys.now, st.received]);
    }
    st.t1 = sys.now;
    await sys.close(c);
    await sys.close(l);
  });
  a.spawn('source', async (sys) => {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, new TextEncoder().encode(o.cc));
    await setBuffers(sys, fd, o.bufBytes);
    st.t0 = sys.now;
    await sys.connect(fd, inet('10.0.0.2', PORT));
    const chunk = new Uint8Array(1 << 20);
    while (st.sent < o.bytes) {
      const n = await sys.send(fd, chunk.subarray(0, Math.min(chunk.length, o.bytes - st.sent)));
      if (n < 0) break;
      st.sent += n;
    }
    const info: OptOut = { len: 104 };
    if ((await sys.getsockopt(fd, IPPROTO_TCP, TCP_INFO, info)) === 0 && info.value) {
      st.sndMss = new DataView(info.value.buffer, info.value.byteOffset).getUint32(16, true); // tcpi_snd_mss
    }
    await sys.close(fd);
  });
  return st;
}

/** The scenario's parameters as BulkOptions. */
function optionsOf(p: Params): Partial<BulkOptions> {
  const side = p.lossSide;
  if (side !== 'both' && side !== 'receiver') throw new TypeError(`scenario parameter "lossSide" must be "both" or "receiver", got ${JSON.stringify(side)}`);
  if (typeof p.cc !== 'string') throw new TypeError(`scenario parameter "cc" must be a string, got ${JSON.stringify(p.cc)}`);
  return {
    bytes: num(p, 'bytes'), rateBps: num(p, 'rateMbps') * 1e6, delayNs: Math.round(num(p, 'delayMs') * 1e6), loss: num(p, 'loss'),
    lossSide: side, cc: p.cc, bufBytes: num(p, 'bufBytes'), queueLimit: num(p, 'queueLimit'),
  };
}

function build(net: Network, p: Params): ScenarioHooks {
  const o = optionsOf(p);
  const st = buildBulk(net, o);
  return {
    summary: () => [
      `${st.received} of ${o.bytes} bytes in ${((st.t1 - st.t0) / 1e9).toFixed(3)} s virtual `
        + `(${((st.received * 8) / Math.max(1e-9, (st.t1 - st.t0) / 1e9) / 1e6).toFixed(1)} Mbit/s), segment payload ${st.sndMss} bytes, `
        + `${st.source.tcp.stats.retransSegs} retransmitted segments`,
    ],
    ok: () => st.received === o.bytes && st.t1 > 0,
  };
}

registerScenario({
  name: 'tcp-bulk',
  description: 'one TCP bulk transfer over a rate-limited point-to-point link with random loss (ns-3 comparison setup)',
  defaults: { bytes: 10e6, rateMbps: 1000, delayMs: 5, loss: 0, lossSide: 'receiver', cc: 'reno', bufBytes: 4 << 20, queueLimit: 1000 },
  maxTimeNs: 3600e9,
  build,
});
