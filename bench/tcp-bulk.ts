/**
 * TCP bulk-transfer benchmark: one connection pushes N bytes over a 1 Gbps, 5 ms link (10 ms RTT, 1000-frame
 * drop-tail queue). Prints the virtual-time goodput against the link rate, the wall time, and the segment count.
 * Usage: node dist/bench/tcp-bulk.js [megabytes=100] [loss=0] [cc=cubic]
 */
import { Sim } from '../sim/sim.js';
import { Network } from '../stack/network.js';
import { buildBulk, type BulkOptions } from '../scenarios/tcp-bulk.js';

/** Result of one bulk run. */
export interface BulkResult {
  bytes: number;
  virtualNs: number;
  goodputBps: number;
  wallMs: number;
  /** CPU time of this process during the run (less sensitive than wall time to a busy machine). */
  cpuMs: number;
  frames: number;
  retransmits: number;
  /** Goodput from 200 ms after the first byte arrived to the end (past the handshake and slow start). */
  steadyBps: number;
}

/**
 * Runs one transfer of `bytes` over a 1 Gbps / 5 ms link with independent loss `loss` (the scenario tcp-bulk's
 * builder); `more` overrides further builder options (loss side, socket buffers).
 */
export async function bulk(bytes: number, loss = 0, cc = 'cubic', seed = 1, more: Partial<BulkOptions> = {}): Promise<BulkResult> {
  const wall0 = Date.now();
  const cpu0 = process.cpuUsage();
  const sim = new Sim({ seed, maxTimeNs: 3600e9 });
  const net = new Network(sim);
  const st = buildBulk(net, { ...more, bytes, loss, cc });
  await sim.run();
  const { t0, t1, received, progress } = st;
  const virtualNs = t1 - t0;
  const first = progress[0]?.[0] ?? 0;
  const from = progress.find(([t]) => t >= first + 200_000_000) ?? progress[0] ?? [0, 0];
  const steadyBps = ((received - from[1]) * 8) / Math.max(1e-9, (t1 - from[0]) / 1e9);
  return {
    bytes: received, virtualNs, goodputBps: (received * 8) / (virtualNs / 1e9), wallMs: Date.now() - wall0,
    cpuMs: Math.round((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000),
    frames: net.packetsSent, retransmits: st.source.tcp.stats.retransSegs, steadyBps,
  };
}

async function main(): Promise<void> {
  const mb = Number(process.argv[2] ?? 100);
  const loss = Number(process.argv[3] ?? 0);
  const cc = process.argv[4] ?? 'cubic';
  const r = await bulk(mb * 1e6, loss, cc);
  console.log(`tcp-bulk ${mb} MB loss ${loss} ${cc}: ${r.bytes} bytes in ${(r.virtualNs / 1e9).toFixed(3)} s virtual = ` +
    `${(r.goodputBps / 1e6).toFixed(1)} Mbit/s (${((r.goodputBps / 1e9) * 100).toFixed(1)} % of 1 Gbit/s; ` +
    `${((r.steadyBps / 1e9) * 100).toFixed(1)} % after slow start); ` +
    `wall ${r.wallMs} ms (cpu ${r.cpuMs} ms); ${r.frames} frames; ${r.retransmits} retransmissions`);
}

if (process.argv[1]?.endsWith('tcp-bulk.js')) void main();
