/**
 * The bulk benchmark of issue 9: one TCP transfer over a point-to-point link (scenarios/tcp-bulk.ts), the same work
 * as bench/peers/ns3-bulk.cc — same bytes, rate and one-way delay, loss on the receiving side only, MSS 1448 (MTU
 * 1500 with timestamps), 4 MiB socket buffers, NewReno with SACK (socksim's "reno"), a 1000-frame drop-tail queue.
 * Prints wall and simulated seconds, events, simulated bytes per wall second and events per second beside the bare
 * binary heap's rate; with the ns-3 peer, runs it in the same invocation and prints ns3_wall / socksim_wall.
 */
import { Sim } from '../sim/sim.js';
import { Network } from '../stack/network.js';
import { buildBulk } from '../scenarios/tcp-bulk.js';
import { findNs3, runNs3, type Ns3Result } from './ns3.js';
import { bareHeapRate } from './queue.js';
import { median, rate } from './util.js';
import { readFileSync } from 'node:fs';

/** One bulk case, in the peer's terms (rate and delay as ns-3 strings: "1Gbps", "5ms"). */
export interface BulkCase {
  bytes: number;
  rate: string;
  delay: string;
  loss: number;
  cc: string;
  seed: number;
  /** SO_SNDBUF/SO_RCVBUF, bytes. */
  bufBytes: number;
}

/** The case ns-3's defaults describe. */
export const BULK_CASE_DEFAULTS: BulkCase = { bytes: 100e6, rate: '1Gbps', delay: '5ms', loss: 0, cc: 'reno', seed: 1, bufBytes: 4 << 20 };

/** The two cases issue 9 compares: 100 MB without loss, 20 MB with 1 % loss. */
export const BULK_CASES: readonly Partial<BulkCase>[] = [{ bytes: 100e6, loss: 0 }, { bytes: 20e6, loss: 0.01 }];

/** What one socksim run measured. */
export interface BulkMeasure {
  wallS: number;
  /** Process CPU seconds (user + system, every thread: the GC's helpers and the JIT's compiler threads count too). */
  cpuS: number;
  /**
   * CPU seconds of the main thread alone (the simulation itself; Linux's per-thread schedstat), or null where it
   * cannot be read. On a busy machine it moves least: wall time also counts waiting for a core, and process CPU
   * counts the optimizing compiler, which does as much work as the simulation in a cold run.
   */
  mainCpuS: number | null;
  simS: number;
  events: number;
  received: number;
  frames: number;
  retransmits: number;
  sndMss: number;
  status: string;
}

const UNITS: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Bps: 8, KBps: 8e3, MBps: 8e6, GBps: 8e9 };

/** Parses an ns-3 DataRate string ("1Gbps", "100Mbps", "1000000bps"; a bare number is bits per second). */
export function parseRate(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(s.trim());
  if (!m) return null;
  const unit = m[2] === '' ? 1 : UNITS[m[2]!];
  return unit === undefined ? null : Number(m[1]) * unit;
}

/** Parses an ns-3 Time string ("5ms", "100us", "1s", "250ns") into whole nanoseconds. */
export function parseDelay(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(s|ms|us|ns)$/.exec(s.trim());
  if (!m) return null;
  const mult = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 }[m[2] as 's' | 'ms' | 'us' | 'ns'];
  return Math.round(Number(m[1]) * mult);
}

/** CPU time of the calling (main) thread in ns, from /proc/self/task/PID/schedstat; null elsewhere. */
function mainThreadNs(): number | null {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/** Runs socksim's side of one case (no recorder: the sink is null, so no event is even built). */
export async function measureBulk(c: BulkCase): Promise<BulkMeasure> {
  const rateBps = parseRate(c.rate), delayNs = parseDelay(c.delay);
  if (rateBps === null) throw new Error(`bad rate "${c.rate}"`);
  if (delayNs === null) throw new Error(`bad delay "${c.delay}"`);
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadNs();
  const sim = new Sim({ seed: c.seed, maxTimeNs: 3600e9 });
  const net = new Network(sim);
  const st = buildBulk(net, {
    bytes: c.bytes, rateBps, delayNs, loss: c.loss, lossSide: 'receiver', cc: c.cc, bufBytes: c.bufBytes, queueLimit: 1000,
  });
  const r = await sim.run();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadNs();
  return {
    wallS, cpuS: (cpu.user + cpu.system) / 1e6, mainCpuS: main0 !== null && main1 !== null ? (main1 - main0) / 1e9 : null,
    simS: (st.t1 - st.t0) / 1e9, events: r.events, received: st.received,
    frames: net.packetsSent, retransmits: st.source.tcp.stats.retransSegs, sndMss: st.sndMss, status: r.status,
  };
}

/** Options of a printed run. */
export interface BulkPrintOptions {
  /** Run the ns-3 peer too. */
  ns3: boolean;
  /** A specific ns-3 binary (else found or compiled, see bench/ns3.ts). */
  ns3Bin?: string;
  /** Runs of each side; the medians are printed. */
  reps: number;
  /** Also measure the bare-heap floor (about a second). */
  floor: boolean;
  /** Run an untimed transfer first, so the measured one runs on warmed-up (JIT-compiled) code. */
  warmup?: boolean;
}

/** Runs one case and prints it; the last line is `wall_s=… sim_s=… events=…` and more key=value pairs. */
export async function printBulk(c: BulkCase, o: BulkPrintOptions): Promise<void> {
  const label = `${c.bytes} bytes over ${c.rate}, ${c.delay} one-way, loss ${c.loss} on the receiving side, ${c.cc}`;
  console.log(`bulk: ${label} (SACK on, MSS 1448, ${c.bufBytes} B socket buffers, 1000-frame drop-tail queue, seed ${c.seed})`);
  if (o.warmup) {
    const w = await measureBulk({ ...c, bytes: Math.min(c.bytes, 20e6) });
    console.log(`  warm-up (not counted): ${w.received} bytes in ${w.wallS.toFixed(3)} s wall`);
  }
  const runs: BulkMeasure[] = [];
  for (let i = 0; i < o.reps; i++) runs.push(await measureBulk(c));
  const m = runs[runs.length - 1]!;
  const wallS = median(runs.map((r) => r.wallS));
  const cpuS = median(runs.map((r) => r.cpuS));
  const mainS = runs.every((r) => r.mainCpuS !== null) ? median(runs.map((r) => r.mainCpuS!)) : null;
  const evRate = m.events / wallS;
  console.log(`  socksim: ${m.status}, received ${m.received} bytes (segment payload ${m.sndMss}), ${m.simS.toFixed(6)} s simulated, `
    + `${m.events} events, ${m.frames} frames, ${m.retransmits} retransmitted segments`);
  console.log(`  socksim: wall ${wallS.toFixed(3)} s${o.reps > 1 ? ` (median of ${o.reps}: ${runs.map((r) => r.wallS.toFixed(3)).join(' ')})` : ''}, `
    + `cpu ${cpuS.toFixed(3)} s${mainS !== null ? ` (main thread ${mainS.toFixed(3)} s)` : ''}; `
    + `${rate(m.received / wallS)} simulated bytes per wall second; ${rate(evRate)} events/s`);
  const kv: [string, string][] = [
    ['wall_s', wallS.toFixed(3)], ['sim_s', m.simS.toFixed(6)], ['events', String(m.events)], ['cpu_s', cpuS.toFixed(3)],
    ['sim_bytes_per_wall_s', (m.received / wallS).toFixed(0)], ['events_per_s', evRate.toFixed(0)], ['received', String(m.received)],
    ['warm', String(o.warmup === true || o.reps > 1)], ['frames_per_s', (m.frames / wallS).toFixed(0)],
  ];
  if (mainS !== null) kv.push(['main_cpu_s', mainS.toFixed(3)]);
  if (o.floor) {
    const floor = await bareHeapRate(1_000_000, 1000, 3);
    console.log(`  event rate ${rate(evRate)}/s against the bare binary heap's ${rate(floor)}/s (bench/queue.ts): ratio ${(evRate / floor).toFixed(3)} (target ≥ 0.25); `
      + `an event here carries a frame through Ethernet, IP and TCP (${rate(m.frames / wallS)} frames/s), a bare-heap event does nothing`);
    kv.push(['floor_events_per_s', floor.toFixed(0)], ['floor_ratio', (evRate / floor).toFixed(4)]);
  }
  if (o.ns3) {
    const bin = findNs3(o.ns3Bin);
    if ('error' in bin) {
      console.log(`  ns-3: not run: ${bin.error}`);
      kv.push(['ns3', 'unavailable']);
    } else {
      if (bin.compiled) console.log(`  ns-3: compiled ${bin.path}`);
      const peer: Ns3Result[] = [];
      for (let i = 0; i < o.reps; i++) peer.push(runNs3(bin.path, c));
      const nsWall = median(peer.map((p) => p.wallS));
      const nsCpu = peer.every((p) => p.cpuS !== null) ? median(peer.map((p) => p.cpuS!)) : null;
      console.log(`  ns-3: ${peer[peer.length - 1]!.line}${o.reps > 1 ? ` (wall median of ${o.reps}: ${nsWall.toFixed(3)})` : ''}`);
      const ratio = nsWall / wallS;
      console.log(`  ns3_wall / socksim_wall = ${ratio.toFixed(2)} (target ≥ 10)`
        + (nsCpu !== null ? `; process cpu ns-3 ${nsCpu.toFixed(2)} s / socksim ${cpuS.toFixed(2)} s = ${(nsCpu / cpuS).toFixed(2)}` : ''));
      kv.push(['ns3_wall_s', nsWall.toFixed(3)], ['ns3_sim_s', peer[0]!.simS.toFixed(6)], ['ratio', ratio.toFixed(3)]);
    }
  }
  console.log(kv.map(([k, v]) => `${k}=${v}`).join(' '));
}

/** `npm run bench bulk`: both of issue 9's cases against ns-3 when it is available. */
export async function printBulkBench(): Promise<void> {
  for (const c of BULK_CASES) await printBulk({ ...BULK_CASE_DEFAULTS, ...c }, { ns3: true, reps: 1, floor: c === BULK_CASES[0] });
}
