/** Worker thread of `socksim fuzz`: runs the numbered runs it is given and posts each outcome back. */
import { parentPort, workerData } from 'node:worker_threads';
import { checkRun } from '../scenarios/fuzz/campaign.js';
import '../scenarios/index.js';

interface Job {
  property: string;
  seed: number;
  profile: string | null;
  runs: number[];
}

const job = workerData as Job;
for (const r of job.runs) {
  const out = await checkRun(job.property, job.seed, r, job.profile);
  parentPort!.postMessage(out);
}
