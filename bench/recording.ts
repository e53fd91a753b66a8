/**
 * Recording overhead: the default scenario scaled up, run with and without a recorder (to memory and to a file);
 * the ratio is what recording costs. Also prints recording bytes per event.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryOutput } from '../sim/recording.js';
import { runScenario } from '../scenarios/index.js';
import { replayFile } from '../scenarios/replay.js';
import { medianTime } from './util.js';

const PARAMS = { clients: 20, requests: 300, loss: 0.1 };

/** Runs the overhead benchmark and prints its numbers. */
export async function printRecordingBench(reps = 5): Promise<void> {
  const plain = await medianTime(reps, () => runScenario('udp-echo', { seed: 1, params: PARAMS }));
  let events = 0, bytes = 0;
  const mem = await medianTime(reps, async () => {
    const out = new MemoryOutput();
    const r = await runScenario('udp-echo', { seed: 1, params: PARAMS, record: out });
    events = r.recordedEvents;
    bytes = out.bytes().length;
  });
  const file = join(tmpdir(), `socksim-bench-${process.pid}.socksim`);
  const disk = await medianTime(reps, () => runScenario('udp-echo', { seed: 1, params: PARAMS, record: file }));
  const replay = await medianTime(reps, () => replayFile(file));
  rmSync(file, { force: true });
  console.log(`recording: udp-echo ${JSON.stringify(PARAMS)}, ${events} events, median of ${reps}`);
  console.log(`  run without recording: ${(plain * 1000).toFixed(1)} ms`);
  console.log(`  run recording to memory: ${(mem * 1000).toFixed(1)} ms  overhead ratio ${(mem / plain).toFixed(3)}`);
  console.log(`  run recording to a file: ${(disk * 1000).toFixed(1)} ms  overhead ratio ${(disk / plain).toFixed(3)}  (target ≤ 1.15)`);
  console.log(`  replay of that file:     ${(replay * 1000).toFixed(1)} ms  replay/run ratio ${(replay / disk).toFixed(3)}  (target ≤ 1.0)`);
  console.log(`  recording size: ${bytes} bytes, ${(bytes / events).toFixed(1)} bytes/event`);
}
