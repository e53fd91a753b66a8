/**
 * The `many` benchmark of issue 9: 10,000 concurrent TCP connections across 1,000 hosts (scenarios/many-conns.ts:
 * ten switches behind a router, an epoll server per host, each connection connects, exchanges a request and a
 * response, stays idle until every one is open, then closes). Prints wall time, events per second, and memory:
 * the V8 heap and RSS sampled every 10 ms of virtual time, and the live heap after a full GC at the idle instant
 * when all connections are open.
 */
import { setFlagsFromString, getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runScenario } from '../scenarios/index.js';
import { rate } from './util.js';

/** What the run measured. */
export interface ManyMeasure {
  wallS: number;
  events: number;
  status: string;
  ok: boolean;
  summary: string[];
  /** Largest used V8 heap and RSS seen by the sampler, bytes. */
  peakHeap: number;
  peakRss: number;
  /** Used heap after a full GC with every connection open (null when a GC could not be forced). */
  liveHeapIdle: number | null;
  /** external + arrayBuffers at that instant (socket buffers live outside the V8 heap). */
  externalIdle: number | null;
}

/** A function that runs a full GC, or null (exposed through V8's flag, as `node --expose-gc` would). */
function gcFunction(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

/** Runs many-conns with `params` overriding its defaults and samples memory while it runs. */
export async function measureMany(params: Record<string, number> = {}): Promise<ManyMeasure> {
  const gc = gcFunction();
  gc?.();
  let peakHeap = 0, peakRss = 0;
  let liveHeapIdle: number | null = null, externalIdle: number | null = null;
  const closeAtNs = (params.closeAtMs ?? 2000) * 1e6;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
    peakRss = Math.max(peakRss, m.rss);
  };
  const t0 = process.hrtime.bigint();
  const run = await runScenario('many-conns', {
    seed: 1, params,
    onSim: (sim) => {
      // Samples ride on simulator events (a real timer cannot fire while the run loop holds the thread); they
      // add events of their own, which the printed count includes.
      const every = 10_000_000;
      const tick = (): void => {
        sample();
        if (sim.now + every <= closeAtNs + 1e9) sim.after(every, tick);
      };
      sim.after(every, tick);
      sim.at(closeAtNs - 1_000_000, () => {
        if (!gc) return;
        gc();
        const m = process.memoryUsage();
        liveHeapIdle = getHeapStatistics().used_heap_size;
        externalIdle = m.external + m.arrayBuffers;
        sample();
      });
    },
  });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  sample();
  return {
    wallS, events: run.result.events, status: run.result.status, ok: run.hooks.ok?.() ?? false,
    summary: run.hooks.summary?.() ?? [], peakHeap, peakRss, liveHeapIdle, externalIdle,
  };
}

const mb = (n: number | null): string => (n === null ? 'n/a' : `${(n / 2 ** 20).toFixed(0)} MiB`);

/** Runs the benchmark and prints it; the last line is key=value pairs. */
export async function printMany(params: Record<string, number> = {}): Promise<void> {
  const m = await measureMany(params);
  const p = { hosts: 1000, conns: 10000, switches: 10, ...params };
  console.log(`many: ${p.conns} TCP connections across ${p.hosts} hosts on ${p.switches} switches behind a router (scenario many-conns)`);
  console.log(`  ${m.status}; ${m.summary.join('; ')}; check ${m.ok ? 'ok' : 'FAILED'}`);
  console.log(`  wall ${m.wallS.toFixed(2)} s, ${m.events} events, ${rate(m.events / m.wallS)} events/s`);
  console.log(`  memory: peak V8 heap used ${mb(m.peakHeap)} (sampled every 10 ms virtual), peak RSS ${mb(m.peakRss)}; `
    + `with every connection open, after a full GC: heap ${mb(m.liveHeapIdle)}, external+arrayBuffers ${mb(m.externalIdle)} (target heap ≤ 1 GB)`);
  console.log([
    `wall_s=${m.wallS.toFixed(3)}`, `events=${m.events}`, `events_per_s=${(m.events / m.wallS).toFixed(0)}`, `peak_heap_bytes=${m.peakHeap}`,
    `peak_rss_bytes=${m.peakRss}`, `live_heap_idle_bytes=${m.liveHeapIdle ?? 'n/a'}`, `ok=${m.ok}`,
  ].join(' '));
}
