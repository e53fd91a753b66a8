/**
 * Recording overhead: the default scenario scaled up, run with and without a recorder (to memory and to a file);
 * the ratio is what recording costs. Also prints recording bytes per event, and the same for a TCP transfer (`replay`).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryOutput } from '../sim/recording.js';
import { runScenario } from '../scenarios/index.js';
import { replayFile } from '../scenarios/replay.js';
import { median, timeIt } from './util.js';

const PARAMS = { clients: 20, requests: 300, loss: 0.1 };

/** The TCP case of the replay benchmark: a 10 MB transfer at 1 Gbit/s with 1 % loss at the receiver (tcp-bulk). */
export const TCP_REPLAY_PARAMS = { bytes: 10e6, loss: 0.01 };

/** Wall and CPU seconds of one variant (per run: medians, and the least seen). */
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
  /** Medians over rounds of each round's own ratio (wall, then CPU): a slow stretch of the machine cancels out. */
  paired: { recordOverhead: number; recordOverheadCpu: number; replayRatio: number; replayRatioCpu: number };
  /** Runs of each variant per timed sample (more for short runs, so that a sample lasts ~SAMPLE_S). */
  runsPerSample: number;
  identical: boolean;
  rounds: number;
}

/** A timed sample lasts about this long at least: a 50 ms run alone is mostly scheduling noise on a shared machine. */
const SAMPLE_S = 0.25;
/** Most runs of one variant in a sample. */
const MAX_RUNS_PER_SAMPLE = 10;
/**
 * The order of the variants (plain, memory, file, replay) round by round: a balanced Latin square, in which every
 * variant comes right after every other once in four rounds. A run pays for the garbage the one before it left (a
 * memory recording's copies, a replay's file buffer), so a fixed order (or a rotation, which keeps who follows
 * whom) charges one variant for another: with plain, memory, file, replay in that order, the file run always paid
 * for the memory run and the plain run for the replay, which flattered both ratios.
 */
const ORDERS = [[0, 1, 3, 2], [1, 2, 0, 3], [2, 3, 1, 0], [3, 0, 2, 1]];

/**
 * Runs `scenario` with `params` without a recorder, recording to memory and to a file, and replays the file; `reps`
 * timed rounds. Every variant does the same work in every round; only the order changes (ORDERS).
 */
export async function measureRecording(scenario: string, params: Record<string, unknown>, reps: number): Promise<RecordingMeasure> {
  const dir = join(tmpdir(), `socksim-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = (j: number): string => join(dir, `run${j}.socksim`);
  let events = 0, bytes = 0, identical = true;
  const plain = () => runScenario(scenario, { seed: 1, params });
  const mem = async () => {
    const out = new MemoryOutput();
    const r = await runScenario(scenario, { seed: 1, params, record: out });
    events = r.recordedEvents;
    bytes = out.bytes().length;
  };
  const disk = (j: number) => runScenario(scenario, { seed: 1, params, record: file(j) });
  const replay = async () => {
    identical &&= (await replayFile(file(0))).identical;
  };
  const variants: ((j: number) => Promise<unknown>)[] = [plain, mem, disk, replay];
  // One untimed round first (the JIT warms up on it); a warm plain run's time then sets how many runs make a sample.
  for (const fn of variants) await fn(0);
  const warm = await timeIt(plain);
  const runs = Math.max(1, Math.min(MAX_RUNS_PER_SAMPLE, Math.ceil(SAMPLE_S / warm)));
  const wall: number[][] = [[], [], [], []], cpu: number[][] = [[], [], [], []];
  for (let i = 0; i < reps; i++) {
    for (let n = 0; n < variants.length; n++) {
      const k = ORDERS[i % ORDERS.length]![n]!;
      const fn = variants[k]!;
      // Writing over an earlier run's file would charge the recorder with freeing its blocks: start from none.
      if (fn === disk) for (let j = 0; j < runs; j++) rmSync(file(j), { force: true });
      const c0 = process.cpuUsage();
      wall[k]!.push((await timeIt(async () => {
        for (let j = 0; j < runs; j++) await fn(j);
      })) / runs);
      const c = process.cpuUsage(c0);
      cpu[k]!.push((c.user + c.system) / 1e6 / runs);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const [p, m, d, r] = wall.map((w, k) => ({ wall: median(w), cpu: median(cpu[k]!), minWall: Math.min(...w) })) as [VariantTime, VariantTime, VariantTime, VariantTime];
  const pairedRatio = (xs: number[][], a: number, b: number): number => median(xs[a]!.map((x, i) => x / xs[b]![i]!));
  const paired = {
    recordOverhead: pairedRatio(wall, 2, 0), recordOverheadCpu: pairedRatio(cpu, 2, 0),
    replayRatio: pairedRatio(wall, 3, 2), replayRatioCpu: pairedRatio(cpu, 3, 2),
  };
  return { events, bytes, plain: p, mem: m, disk: d, replay: r, paired, runsPerSample: runs, identical, rounds: reps };
}

/** Prints one measurement; the last line is key=value pairs. */
function printMeasure(scenario: string, params: Record<string, unknown>, m: RecordingMeasure): void {
  const ms = (v: VariantTime): string => `${(v.wall * 1000).toFixed(1)} ms wall, ${(v.cpu * 1000).toFixed(1)} ms cpu`;
  const ratio = (a: VariantTime, b: VariantTime): string => `${(a.wall / b.wall).toFixed(3)} wall, ${(a.cpu / b.cpu).toFixed(3)} cpu`;
  const each = m.runsPerSample > 1 ? `, each sample ${m.runsPerSample} runs (times per run)` : '';
  console.log(`recording: ${scenario} ${JSON.stringify(params)}, ${m.events} events, median of ${m.rounds} rounds${each}`);
  console.log(`  run without recording:   ${ms(m.plain)}`);
  console.log(`  run recording to memory: ${ms(m.mem)}  overhead ratio ${ratio(m.mem, m.plain)}`);
  console.log(`  run recording to a file: ${ms(m.disk)}  overhead ratio ${ratio(m.disk, m.plain)}  (target ≤ 1.15)`);
  console.log(`  replay of that file:     ${ms(m.replay)}  replay/recorded run ${ratio(m.replay, m.disk)}  (target ≤ 1.0); `
    + `replay/unrecorded run ${ratio(m.replay, m.plain)}${m.identical ? '' : '  REPLAY DIVERGED'}`);
  console.log(`  round by round (median of each round's ratio): overhead ${m.paired.recordOverhead.toFixed(3)} wall, `
    + `${m.paired.recordOverheadCpu.toFixed(3)} cpu; replay/recorded ${m.paired.replayRatio.toFixed(3)} wall, ${m.paired.replayRatioCpu.toFixed(3)} cpu`);
  console.log(`  recording size: ${m.bytes} bytes, ${(m.bytes / m.events).toFixed(1)} bytes/event`);
  console.log([
    `run_s=${m.plain.wall.toFixed(4)}`, `record_s=${m.disk.wall.toFixed(4)}`, `replay_s=${m.replay.wall.toFixed(4)}`,
    `record_overhead=${(m.disk.wall / m.plain.wall).toFixed(3)}`, `record_overhead_cpu=${(m.disk.cpu / m.plain.cpu).toFixed(3)}`,
    `replay_ratio=${(m.replay.wall / m.disk.wall).toFixed(3)}`, `replay_ratio_cpu=${(m.replay.cpu / m.disk.cpu).toFixed(3)}`,
    `record_overhead_min=${(m.disk.minWall / m.plain.minWall).toFixed(3)}`, `replay_ratio_min=${(m.replay.minWall / m.disk.minWall).toFixed(3)}`,
    `record_overhead_paired=${m.paired.recordOverhead.toFixed(3)}`, `replay_ratio_paired=${m.paired.replayRatio.toFixed(3)}`,
    `events=${m.events}`, `bytes_per_event=${(m.bytes / m.events).toFixed(1)}`, `identical=${m.identical}`,
  ].join(' '));
}

/** Runs the overhead benchmark and prints its numbers (udp-echo by default). */
export async function printRecordingBench(reps = 5, scenario = 'udp-echo', params: Record<string, unknown> = PARAMS): Promise<void> {
  printMeasure(scenario, params, await measureRecording(scenario, params, reps));
}

/** The replay benchmark: the same measurement on a TCP transfer (scenario tcp-bulk). */
export async function printReplayBench(reps = 3, params: Record<string, unknown> = TCP_REPLAY_PARAMS): Promise<void> {
  await printRecordingBench(reps, 'tcp-bulk', params);
}
