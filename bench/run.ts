/**
 * `npm run bench [NAME...]`: runs benchmarks and prints their numbers (never pass/fail: targets are compared by
 * reading the ratios). Names: queue, recording, fuzz, profiles, bulk, replay, many.
 */
import { printQueueBench } from './queue.js';
import { printRecordingBench, printReplayBench } from './recording.js';
import { printFuzzBench } from './fuzz.js';
import { printProfileTable } from './profiles.js';
import { printBulkBench } from './bulk.js';
import { printMany } from './many.js';

const benches: Record<string, () => Promise<void>> = {
  queue: () => printQueueBench(),
  recording: () => printRecordingBench(),
  fuzz: () => printFuzzBench(),
  profiles: () => printProfileTable(),
  bulk: () => printBulkBench(),
  replay: () => printReplayBench(),
  many: () => printMany(),
};

async function main(names: string[]): Promise<void> {
  const todo = names.length ? names : Object.keys(benches);
  for (const n of todo) {
    const b = benches[n];
    if (!b) {
      console.error(`unknown benchmark "${n}" (have: ${Object.keys(benches).join(', ')})`);
      process.exitCode = 2;
      return;
    }
    await b();
  }
}

void main(process.argv.slice(2));
