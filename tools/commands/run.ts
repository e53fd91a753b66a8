/** `socksim run [SCENARIO]`: runs a scenario, records it, prints a summary and the command that replays it. */
import { mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { existsSync } from 'node:fs';
import { loadScenarioFile, ScenarioDataError } from '../../scenarios/data/load.js';
import { DATA_SCENARIO } from '../../scenarios/data/register.js';
import { listScenarios, findScenario, runScenario, type Params } from '../../scenarios/index.js';
import { formatTime } from '../../sim/time.js';
import { numberOpt, parse, seedOpt, UsageError } from '../args.js';

export const RUN_HELP = `usage: socksim run [SCENARIO | FILE.json] [options]

Runs a built-in scenario (default: udp-echo) or a scenario-data file, records every event, and prints a summary.

options:
  --seed N          master seed (default 1)
  --record FILE     where to write the recording (default recordings/SCENARIO.seedN.socksim)
  --no-record       do not record
  --loss P          link loss probability, for scenarios with a "loss" parameter
  --latency MS      link latency in ms, for scenarios with a "latencyMs" parameter
  --param K=V       set any scenario parameter (repeatable; V is JSON, or a string)
  --list            list the scenarios and their parameters
  -h, --help        this help`;

/** Parses K=V pairs into scenario parameters (V as JSON when it parses, else as a string). */
function parseParams(pairs: string[]): Params {
  const out: Params = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`--param expects K=V, got "${p}"`);
    const raw = p.slice(i + 1);
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      /* a plain string */
    }
    out[p.slice(0, i)] = v;
  }
  return out;
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    seed: { type: 'string' }, record: { type: 'string' }, 'no-record': { type: 'boolean' },
    loss: { type: 'string' }, latency: { type: 'string' }, param: { type: 'string', multiple: true },
    list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  if (values.list) {
    for (const s of listScenarios()) console.log(`${s.name.padEnd(22)} ${s.description}\n${' '.repeat(23)}params: ${JSON.stringify(s.defaults)}`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`run takes one scenario, got ${positionals.length}`);
  let name = positionals[0] ?? 'udp-echo';
  let params = parseParams(values.param ?? []);
  let seed = seedOpt(values.seed);
  let label = name;
  if (/\.json$/i.test(name) || (existsSync(name) && !findScenario(name))) {
    // A scenario-data file: its document is the parameter set of the "data" scenario.
    let doc;
    try {
      doc = loadScenarioFile(name);
    } catch (e) {
      if (e instanceof ScenarioDataError) throw new UsageError(`${name}: ${e.message}`);
      throw e;
    }
    if (values.param?.length || values.loss !== undefined || values.latency !== undefined) {
      throw new UsageError('--param, --loss and --latency do not apply to a scenario-data file; edit the file');
    }
    if (values.seed === undefined) seed = doc.seed;
    params = doc as unknown as Params;
    label = basename(name).replace(/\.json$/i, '');
    name = DATA_SCENARIO;
  }
  const def = findScenario(name);
  if (!def) throw new UsageError(`unknown scenario "${name}" (socksim run --list shows them)`);
  const loss = numberOpt(values.loss, 'loss', (n) => n >= 0 && n <= 1);
  const latency = numberOpt(values.latency, 'latency', (n) => n >= 0);
  for (const [opt, key, v] of [['--loss', 'loss', loss], ['--latency', 'latencyMs', latency]] as const) {
    if (v === undefined) continue;
    if (!(key in def.defaults)) throw new UsageError(`scenario "${name}" has no ${key} parameter, so ${opt} does not apply`);
    params[key] = v;
  }
  for (const k of def.freeParams ? [] : Object.keys(params)) {
    if (!(k in def.defaults)) throw new UsageError(`scenario "${name}" has no parameter "${k}" (it has: ${Object.keys(def.defaults).join(', ')})`);
  }
  const record = values['no-record'] ? null : values.record ?? `recordings/${label}.seed${seed}.socksim`;
  if (record) mkdirSync(dirname(record), { recursive: true });
  const t0 = process.hrtime.bigint();
  const run = await runScenario(name, { seed, params, record });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const r = run.result;
  console.log(`scenario ${label} (seed ${String(seed)}): ${r.status}${r.message ? ` — ${r.message}` : ''}`);
  for (const line of run.hooks.summary?.() ?? []) console.log(`  ${line}`);
  const drops = [...run.net.drops.byReason].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  console.log(`  events ${r.events}, packets sent ${run.net.packetsSent}, dropped ${run.net.drops.total()} (${drops})`);
  console.log(`  virtual time ${formatTime(r.timeNs)}, wall time ${wallMs.toFixed(1)} ms`);
  for (const p of r.processes) if (p.error) console.log(`  process ${p.pid} ${p.name}@${p.owner}: ${p.error}`);
  if (record) {
    console.log(`  recording: ${record} (${run.recordedEvents} events)`);
    console.log(`  replay it:  npx socksim replay ${record}`);
  }
  const ok = (run.hooks.ok?.() ?? true) && (r.status === 'completed' || r.status === 'stopped');
  return ok ? 0 : 1;
}
