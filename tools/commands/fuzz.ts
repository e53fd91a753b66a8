/**
 * `socksim fuzz [PROPERTY]`: generates scenarios, checks properties, and on failure shrinks the lowest-numbered
 * failing run, saves it as a recording and prints the op list and the command that replays it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkRun, propertyOrThrow, safeCheck, scenarioFor, shardRuns, type RunOutcome } from '../../scenarios/fuzz/campaign.js';
import { PROPERTIES } from '../../scenarios/fuzz/properties.js';
import { countOps, shrinkScenario } from '../../scenarios/fuzz/shrink.js';
import { formatScenario } from '../../scenarios/data/format.js';
import { runData } from '../../scenarios/data/run.js';
import { PROFILES } from '../../stack/profiles.js';
import { numberOpt, parse, UsageError } from '../args.js';

export const FUZZ_HELP = `usage: socksim fuzz [PROPERTY] [options]

Runs generated scenarios against a property (default: every property) and, on failure, shrinks the lowest-numbered
failing run to a minimal case, saves it as a recording, prints its operations and the command that replays it, and
exits 1. The same --seed and --runs give the same scenarios and results whatever --workers and --shard say.

properties:
${PROPERTIES.map((p) => `  ${p.name.padEnd(20)} ${p.description}`).join('\n')}

options:
  --runs N          runs per property (default 200)
  --seed N          campaign seed (default: derived from the clock, and printed)
  --profile NAME    run every scenario on a stack profile (socksim profiles lists them; default linux)
  --workers K       worker threads (default 1)
  --shard I/N       run only shard I of N (runs r with r mod N = I-1)
  --out DIR         where failing cases are saved (default recordings/)
  --no-shrink       save the failing case as found
  -h, --help        this help`;

/** Progress on stderr: a bar on a terminal, a line per 10 % otherwise. */
class Progress {
  private lastPct = -1;
  constructor(private readonly label: string, private readonly total: number) {}
  update(done: number, failed: number): void {
    const pct = this.total ? Math.floor((done * 100) / this.total) : 100;
    if (process.stderr.isTTY) {
      const width = 30, filled = Math.round((width * pct) / 100);
      process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} failed ${failed}`);
      if (done === this.total) process.stderr.write('\n');
    } else if (Math.floor(pct / 10) !== Math.floor(this.lastPct / 10) || done === this.total) {
      process.stderr.write(`${this.label}: ${done}/${this.total} runs, ${failed} failed\n`);
    }
    this.lastPct = pct;
  }
}

async function runAll(property: string, seed: number, profile: string | null, runs: number[], workers: number,
  onDone: (o: RunOutcome) => void): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  if (workers <= 1) {
    for (const r of runs) {
      const o = await checkRun(property, seed, r, profile);
      outcomes.push(o);
      onDone(o);
    }
    return outcomes;
  }
  // One slice of run numbers per worker; each run is independent, so the split does not change any result.
  const slices: number[][] = Array.from({ length: workers }, () => []);
  runs.forEach((r, i) => slices[i % workers]!.push(r));
  const url = new URL('../fuzz-worker.js', import.meta.url);
  await Promise.all(slices.filter((s) => s.length).map((slice) => new Promise<void>((resolve, reject) => {
    const w = new Worker(url, { workerData: { property, seed, profile, runs: slice } });
    w.on('message', (o: RunOutcome) => {
      outcomes.push(o);
      onDone(o);
    });
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fuzz worker exited with ${code}`))));
  })));
  return outcomes.sort((a, b) => a.run - b.run);
}

export async function fuzzCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    runs: { type: 'string' }, seed: { type: 'string' }, profile: { type: 'string' }, workers: { type: 'string' },
    shard: { type: 'string' }, out: { type: 'string' }, 'no-shrink': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(FUZZ_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('fuzz takes at most one property');
  const props = positionals.length ? [positionals[0]!] : PROPERTIES.map((p) => p.name);
  for (const p of props) if (!PROPERTIES.some((q) => q.name === p)) throw new UsageError(`unknown property "${p}" (socksim fuzz --help lists them)`);
  const runs = numberOpt(values.runs, 'runs', (n) => Number.isInteger(n) && n > 0) ?? 200;
  const workers = numberOpt(values.workers, 'workers', (n) => Number.isInteger(n) && n >= 1 && n <= 64) ?? 1;
  const seed = numberOpt(values.seed, 'seed', (n) => Number.isSafeInteger(n) && n >= 0) ?? Number(process.hrtime.bigint() % 1_000_000n);
  const profile = values.profile ?? null;
  if (profile !== null && !PROFILES.some((p) => p.name === profile)) throw new UsageError(`unknown profile "${profile}" (socksim profiles lists them)`);
  let shard = { index: 1, count: 1 };
  if (values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard);
    if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard expects I/N with 1 ≤ I ≤ N, got "${values.shard}"`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  const outDir = values.out ?? 'recordings';
  console.log(`fuzz: seed ${seed}, ${runs} runs per property${shard.count > 1 ? `, shard ${shard.index}/${shard.count}` : ''}, ${workers} worker(s)${profile ? `, profile ${profile}` : ''}`);
  let failedProps = 0;
  for (const name of props) {
    const prop = propertyOrThrow(name);
    const mine = shardRuns(runs, shard);
    const progress = new Progress(name, mine.length);
    let done = 0, failed = 0;
    const t0 = process.hrtime.bigint();
    const outcomes = await runAll(name, seed, profile, mine, workers, (o) => {
      done++;
      if (!o.ok) failed++;
      progress.update(done, failed);
    });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const fails = outcomes.filter((o) => !o.ok);
    console.log(`${name}: ${outcomes.length} runs, ${outcomes.length - fails.length} passed, ${fails.length} failed in ${wall.toFixed(1)} s (${(outcomes.length / wall).toFixed(1)} runs/s)`);
    // A digest of every run's outcome: equal digests mean equal results (it does not depend on --workers).
    const digest = createHash('sha256').update(JSON.stringify(outcomes)).digest('hex').slice(0, 16);
    console.log(`  results digest ${digest}`);
    if (fails.length === 0) continue;
    failedProps++;
    const first = fails[0]!;
    console.log(`  first failure: run ${first.run}: ${first.message}`);
    let scenario = scenarioFor(prop, seed, first.run, profile);
    let message = first.message!;
    if (!values['no-shrink']) {
      const before = { ops: countOps(scenario), faults: scenario.faults.length };
      const sh = await shrinkScenario(scenario, message, (s) => safeCheck(prop, s));
      scenario = sh.scenario;
      message = sh.message;
      console.log(`  shrunk from ${before.ops} operations and ${before.faults} faults to ${countOps(scenario)} operations and ${scenario.faults.length} faults (${sh.attempts} attempts)`);
    }
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `fuzz-${name}-seed${seed}-run${first.run}${profile ? `-${profile}` : ''}.socksim`);
    try {
      await runData(scenario, { record: file, meta: { property: name, message, campaignSeed: seed, run: first.run, profile } });
    } catch {
      // The simulator threw on this case: the recording ends with that crash as its outcome, which replay checks.
    }
    console.log(`  minimal case (${message}):`);
    for (const line of formatScenario(scenario)) console.log(`    ${line}`);
    console.log(`  saved: ${file}`);
    console.log(`  replay it: npx socksim replay ${file}`);
  }
  return failedProps ? 1 : 0;
}
