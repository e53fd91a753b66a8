/**
 * `socksim conform DIR`: every case (DIR/*.json, scenario data) runs in socksim and is compared step by step with
 * its golden (DIR/goldens/CASE.json), which `--linux` produces by running the case's exported C program on the
 * real kernel. Disagreements listed in DIR/KNOWN_GAPS.md are known; any other one is new.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, ScenarioDataError } from '../../scenarios/data/load.js';
import { runData } from '../../scenarios/data/run.js';
import type { ScenarioData } from '../../scenarios/data/schema.js';
import { ExportRefused } from '../export-c/program.js';
import { compareCase, returnsFd, stepSignature, traceSteps, type CaseComparison, type Disagreement } from './compare.js';
import { gapFor, readKnownGaps, type KnownGap } from './gaps.js';
import { readGolden, stepKey, writeGolden, type Golden, type StepResult } from './golden.js';
import { buildCase, kernelRelease, runOnLinux, type LinuxRun } from './linux.js';

/** How to run conform. */
export interface ConformOptions {
  /** Produce goldens on the real kernel first. */
  linux?: boolean;
  /** Runs per case on Linux; each step's golden is the majority result (no majority: unstable, not compared). */
  runs?: number;
  /** Only these case names. */
  only?: readonly string[];
  /** Progress lines (--linux). */
  log?: (line: string) => void;
}

/** A disagreement and the known-gap row that explains it, if any. */
export interface ReportedDisagreement extends Disagreement {
  known?: KnownGap;
}

/** The outcome of one case. */
export interface CaseReport {
  case: string;
  status: 'pass' | 'fail' | 'no-golden' | 'error';
  /** For errors: what went wrong (bad case file, socksim crash, no golden). */
  message?: string;
  comparison?: CaseComparison;
  disagreements: ReportedDisagreement[];
  /** The case's own expectations that Linux did not meet (from the golden). */
  expectFailures: string[];
}

/** The outcome of a conform run. */
export interface ConformReport {
  cases: CaseReport[];
  passed: number;
  failed: number;
  steps: number;
  agreed: number;
  /** Steps not compared because Linux gave different results on different runs. */
  unstable: number;
  /** Disagreements KNOWN_GAPS.md does not list. */
  unknown: ReportedDisagreement[];
  /** Known-gap rows that matched nothing (their gap may be fixed: the row can go). */
  staleGaps: KnownGap[];
}

/** The case files of a directory, by name. */
export function listCases(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/**
 * The golden of several Linux runs: per step, the result most runs agree on (a run slowed by a busy machine is
 * outvoted); a step with no majority is kept from the first run and marked unstable (not compared).
 */
export function majorityGolden(name: string, data: ScenarioData, runs: readonly LinuxRun[]): Golden {
  const results: StepResult[] = [];
  const unstable: string[] = [];
  const byKey = runs.map((r) => new Map(r.output.results.map((x) => [stepKey(x), x])));
  data.processes.forEach((p, pi) => p.ops.forEach((op, i) => {
    const key = `p${pi}#${i}`;
    const seen = byKey.map((m) => m.get(key));
    const sigs = seen.map((r) => stepSignature(r, returnsFd(op)));
    const best = sigs.find((s) => sigs.filter((x) => x === s).length * 2 > runs.length);
    const pick = best === undefined ? seen[0] : seen[sigs.indexOf(best)];
    if (best === undefined) unstable.push(key);
    if (pick) results.push(pick);
  }));
  const votes = (k: number) => runs.map((r) => r.output.ends[k] ?? '?');
  const ends = data.processes.map((_, k) => {
    const v = votes(k);
    return v.find((e) => v.filter((x) => x === e).length * 2 > runs.length) ?? v[0]!;
  });
  const g: Golden = { case: name, kernel: kernelRelease(), ends, results };
  if (unstable.length) g.unstable = unstable;
  const fails = expectationFailures(data, results);
  if (fails.length) g.expectFailures = fails;
  return g;
}

/** The case's expectations the (majority) Linux results do not meet, as the C program words them. */
export function expectationFailures(data: ScenarioData, results: readonly StepResult[]): string[] {
  const byKey = new Map(results.map((r) => [stepKey(r), r]));
  const out: string[] = [];
  data.processes.forEach((p, pi) => p.ops.forEach((op, i) => {
    const r = byKey.get(`p${pi}#${i}`);
    const e = op.expect;
    if (!r || !e) return;
    let ok = e.errno === undefined || (r.ret === -1 && r.errno === e.errno);
    if (e.ret !== undefined) ok &&= e.ret === '>=0' ? r.ret >= 0 : r.ret === e.ret;
    if (ok) return;
    const want = e.errno !== undefined ? `-1 ${e.errno}` : String(e.ret);
    const got = r.ret === -1 && r.errno ? `-1 ${r.errno}` : String(r.ret);
    out.push(`process ${pi} op #${i} ${op.op}: expected ${want}, got ${got}`);
  }));
  return out;
}

/** Produces a case's golden on the real kernel from `runs` runs (see majorityGolden). */
export function makeGolden(dir: string, name: string, data: ScenarioData, runs: number): Golden {
  const work = mkdtempSync(join(tmpdir(), `socksim-conform-${name}-`));
  try {
    const built = buildCase(data, name, work);
    const all: LinuxRun[] = [];
    for (let k = 0; k < runs; k++) all.push(runOnLinux(data, built, work));
    const g = majorityGolden(name, data, all);
    mkdirSync(join(dir, 'goldens'), { recursive: true });
    writeGolden(dir, g);
    return g;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function socksimSteps(data: ScenarioData): Promise<StepResult[]> {
  const { trace } = await runData(data);
  return traceSteps(trace.results);
}

/** Runs one case against its golden. */
export async function conformCase(dir: string, name: string, gaps: readonly KnownGap[], opts: ConformOptions = {}): Promise<CaseReport> {
  const rep: CaseReport = { case: name, status: 'error', disagreements: [], expectFailures: [] };
  let data: ScenarioData;
  try {
    data = loadScenarioFile(join(dir, `${name}.json`));
  } catch (e) {
    if (!(e instanceof ScenarioDataError)) throw e;
    rep.message = e.message;
    return rep;
  }
  let golden: Golden | null;
  try {
    golden = opts.linux ? makeGolden(dir, name, data, opts.runs ?? 3) : readGolden(dir, name);
  } catch (e) {
    rep.message = e instanceof ExportRefused ? e.message : `Linux run failed: ${e instanceof Error ? e.message : String(e)}`;
    return rep;
  }
  if (!golden) {
    rep.status = 'no-golden';
    rep.message = 'no golden (run socksim conform --linux to make it)';
    return rep;
  }
  rep.expectFailures = golden.expectFailures ?? [];
  let mine: StepResult[] = [];
  let crash: string | null = null;
  try {
    mine = await socksimSteps(data);
  } catch (e) {
    crash = e instanceof Error ? e.message : String(e);
  }
  const cmp = compareCase(name, data, mine, golden.results, { unstable: golden.unstable });
  if (crash) for (const d of cmp.disagreements) d.socksim = `socksim crashed: ${crash}`;
  rep.comparison = cmp;
  rep.disagreements = cmp.disagreements.map((d) => ({ ...d, known: gapFor(gaps, d) }));
  rep.status = cmp.disagreements.length === 0 && !crash ? 'pass' : 'fail';
  if (crash) rep.message = `socksim crashed: ${crash}`;
  return rep;
}

/** Deletes goldens whose case file is gone (a renamed or removed case), so none is left behind unchecked. */
function pruneGoldens(dir: string, names: readonly string[], log?: (line: string) => void): void {
  const gdir = join(dir, 'goldens');
  if (!existsSync(gdir)) return;
  for (const f of readdirSync(gdir)) {
    if (!f.endsWith('.json') || names.includes(f.slice(0, -5))) continue;
    rmSync(join(gdir, f));
    log?.(`removed goldens/${f}: no case ${f.slice(0, -5)}.json`);
  }
}

/** Runs every case of a directory. */
export async function conformDir(dir: string, opts: ConformOptions = {}): Promise<ConformReport> {
  const gaps = readKnownGaps(join(dir, 'KNOWN_GAPS.md'));
  const names = listCases(dir).filter((n) => !opts.only?.length || opts.only.includes(n));
  const report: ConformReport = { cases: [], passed: 0, failed: 0, steps: 0, agreed: 0, unstable: 0, unknown: [], staleGaps: [] };
  const used = new Set<KnownGap>();
  if (opts.linux && !opts.only?.length) pruneGoldens(dir, names, opts.log);
  for (const name of names) {
    const c = await conformCase(dir, name, gaps, opts);
    opts.log?.(`${c.status.toUpperCase()} ${name}`);
    report.cases.push(c);
    if (c.status === 'pass') report.passed++;
    else report.failed++;
    if (c.comparison) {
      report.steps += c.comparison.steps;
      report.agreed += c.comparison.agreed;
      report.unstable += c.comparison.unstable;
    }
    for (const d of c.disagreements) {
      if (d.known) used.add(d.known);
      else report.unknown.push(d);
    }
  }
  report.staleGaps = gaps.filter((g) => !used.has(g) && names.includes(g.case));
  return report;
}

/** The report as the lines the command prints. */
export function formatReport(r: ConformReport, opts: { quiet?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const c of r.cases) {
    const known = c.disagreements.length > 0 && c.disagreements.every((d) => d.known);
    const tag = c.status === 'pass' ? 'PASS' : c.status === 'fail' ? (known ? 'FAIL (known gap)' : 'FAIL') : c.status === 'no-golden' ? 'NO GOLDEN' : 'ERROR';
    out.push(`${tag.padEnd(17)} ${c.case}${c.message ? `: ${c.message}` : ''}`);
    for (const d of c.disagreements) {
      if (d.known && opts.quiet) continue;
      out.push(`    ${d.step} ${d.call}`);
      out.push(`        socksim: ${d.socksim}`);
      out.push(`        linux:   ${d.linux}`);
      if (d.known) out.push(`        known gap: ${d.known.reason}`);
    }
    for (const f of c.expectFailures) out.push(`    the case's expectation is not what Linux does: ${f}`);
  }
  for (const g of r.staleGaps) out.push(`stale KNOWN_GAPS.md row (line ${g.line}): ${g.case} no longer disagrees there`);
  const pct = r.steps ? ((100 * r.agreed) / r.steps).toFixed(1) : '100.0';
  out.push(`${r.passed} passed, ${r.failed} failed; ${r.agreed} of ${r.steps} steps agree (${pct} %)`
    + `${r.unstable ? `; ${r.unstable} unstable on Linux, not compared` : ''}; ${r.unknown.length} disagreements not in KNOWN_GAPS.md`);
  return out;
}

/** Re-exported for callers that key steps. */
export { stepKey };
