/**
 * Recording overhead: the default scenario scaled up, run with and without a recorder (to memory and to a file);
 * the ratio is what recording costs. Also prints recording bytes per event, and the same for a TCP transfer (`replay`).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryOutput } from '../sim/recording.js';
import { runScenario } from '../scenarios/index.js';
import { replayFile } from '../scenarios/replay.js';
import { median, timeIt } from './util.js';

const PARAMS = { clients: 20, requests: 300, loss: 0.1 };

/** The TCP case of the replay benchmark: a 10 MB transfer at 1 Gbit/s with 1 % loss at the receiver (tcp-bulk). */
export const TCP_REPLAY_PARAMS = { bytes: 10e6, loss: 0.01 };

/** Wall and CPU seconds of one variant (medians, and the least seen). */
export interface VariantTime {
  wall: number;
  /** User + system CPU of this process: steadier than wall time on a shared machine. */
  cpu: number;
  /** The fastest round's wall time: the one least disturbed by other work on a shared machine. */
  minWall: number;
}

/** What one overhead measurement found. */
export interface RecordingMeasure {
  events: number;
  bytes: number;
  plain: VariantTime;
  mem: VariantTime;
  disk: VariantTime;
  replay: VariantTime;
  identical: boolean;
}

/** Runs `scenario` with `params` without a recorder, recording to memory and to a file, and replays the file. */
export async function measureRecording(scenario: string, params: Record<string, unknown>, reps: number): Promise<RecordingMeasure> {
  const file = join(tmpdir(), `socksim-bench-${process.pid}.socksim`);
  let events = 0, bytes = 0, identical = true;
  const plain = () => runScenario(scenario, { seed: 1, params });
  const mem = async () => {
    const out = new MemoryOutput();
    const r = await runScenario(scenario, { seed: 1, params, record: out });
    events = r.recordedEvents;
    bytes = out.bytes().length;
  };
  const disk = () => runScenario(scenario, { seed: 1, params, record: file });
  const replay = async () => {
    identical &&= (await replayFile(file)).identical;
  };
  // One untimed round first (the JIT warms up on it), then the four variants interleaved, so a slower machine
  // moment or a later GC hits them alike; medians per variant.
  await disk();
  await replay();
  const wall: number[][] = [[], [], [], []], cpu: number[][] = [[], [], [], []];
  for (let i = 0; i < reps; i++) {
    for (const [k, fn] of [plain, mem, disk, replay].entries()) {
      // Writing over the last run's file would charge the recorder with freeing its blocks: start from none.
      if (fn === disk) rmSync(file, { force: true });
      const c0 = process.cpuUsage();
      wall[k]!.push(await timeIt(fn));
      const c = process.cpuUsage(c0);
      cpu[k]!.push((c.user + c.system) / 1e6);
    }
  }
  rmSync(file, { force: true });
  const [p, m, d, r] = wall.map((w, k) => ({ wall: median(w), cpu: median(cpu[k]!), minWall: Math.min(...w) })) as [VariantTime, VariantTime, VariantTime, VariantTime];
  return { events, bytes, plain: p, mem: m, disk: d, replay: r, identical };
}

/** Prints one measurement; the last line is key=value pairs. */
function printMeasure(scenario: string, params: Record<string, unknown>, reps: number, m: RecordingMeasure): void {
  const ms = (v: VariantTime): string => `${(v.wall * 1000).toFixed(1)} ms wall, ${(v.cpu * 1000).toFixed(1)} ms cpu`;
  const ratio = (a: VariantTime, b: VariantTime): string => `${(a.wall / b.wall).toFixed(3)} wall, ${(a.cpu / b.cpu).toFixed(3)} cpu`;
  console.log(`recording: ${scenario} ${JSON.stringify(params)}, ${m.events} events, median of ${reps}`);
  console.log(`  run without recording:   ${ms(m.plain)}`);
  console.log(`  run recording to memory: ${ms(m.mem)}  overhead ratio ${ratio(m.mem, m.plain)}`);
  console.log(`  run recording to a file: ${ms(m.disk)}  overhead ratio ${ratio(m.disk, m.plain)}  (target ≤ 1.15)`);
  console.log(`  replay of that file:     ${ms(m.replay)}  replay/recorded run ${ratio(m.replay, m.disk)}  (target ≤ 1.0); `
    + `replay/unrecorded run ${ratio(m.replay, m.plain)}${m.identical ? '' : '  REPLAY DIVERGED'}`);
  console.log(`  recording size: ${m.bytes} bytes, ${(m.bytes / m.events).toFixed(1)} bytes/event`);
  console.log([
    `run_s=${m.plain.wall.toFixed(4)}`, `record_s=${m.disk.wall.toFixed(4)}`, `replay_s=${m.replay.wall.toFixed(4)}`,
    `record_overhead=${(m.disk.wall / m.plain.wall).toFixed(3)}`, `record_overhead_cpu=${(m.disk.cpu / m.plain.cpu).toFixed(3)}`,
    `replay_ratio=${(m.replay.wall / m.disk.wall).toFixed(3)}`, `replay_ratio_cpu=${(m.replay.cpu / m.disk.cpu).toFixed(3)}`,
    `record_overhead_min=${(m.disk.minWall / m.plain.minWall).toFixed(3)}`, `replay_ratio_min=${(m.replay.minWall / m.disk.minWall).toFixed(3)}`,
    `events=${m.events}`, `bytes_per_event=${(m.bytes / m.events).toFixed(1)}`, `identical=${m.identical}`,
  ].join(' '));
}

/** Runs the overhead benchmark and prints its numbers (udp-echo by default). */
export async function printRecordingBench(reps = 5, scenario = 'udp-echo', params: Record<string, unknown> = PARAMS): Promise<void> {
  printMeasure(scenario, params, reps, await measureRecording(scenario, params, reps));
}

/** The replay benchmark: the same measurement on a TCP transfer (scenario tcp-bulk). */
export async function printReplayBench(reps = 3, params: Record<string, unknown> = TCP_REPLAY_PARAMS): Promise<void> {
  await printRecordingBench(reps, 'tcp-bulk', params);
}
