/** Fuzz rate: small generated scenarios checked per wall second on one core (one process, no workers). */
import { checkRun } from '../scenarios/fuzz/campaign.js';
import '../scenarios/index.js';
import { timeIt } from './util.js';

/** Prints runs per second for each property given. */
export async function printFuzzBench(properties = ['udp-integrity', 'expectations'], runs = 400): Promise<void> {
  console.log(`fuzz: small scenarios per second on one core (${runs} runs each, seed 1)`);
  for (const p of properties) {
    let failed = 0;
    const s = await timeIt(async () => {
      for (let r = 0; r < runs; r++) if (!(await checkRun(p, 1, r)).ok) failed++;
    });
    console.log(`  ${p.padEnd(16)} ${(runs / s).toFixed(0)} runs/s  (${failed} of ${runs} runs failed their property)`);
  }
}
