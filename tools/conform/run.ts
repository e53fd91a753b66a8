/**
 * `socksim conform DIR`: every case (DIR/*.json, scenario data) runs in socksim and is compared step by step with
 * its golden (DIR/goldens/CASE.json), which `--linux` produces by running the case's exported C program on the
 * real kernel. Disagreements listed in DIR/KNOWN_GAPS.md are known; any other one is new.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, ScenarioDataError } from '../../scenarios/data/load.js';
import { runData } from '../../scenarios/data/run.js';
import type { ScenarioData } from '../../scenarios/data/schema.js';
import { ExportRefused } from '../export-c/program.js';
import { compareCase, traceSteps, type CaseComparison, type Disagreement } from './compare.js';
import { gapFor, readKnownGaps, type KnownGap } from './gaps.js';
import { readGolden, stepKey, writeGolden, type Golden, type StepResult } from './golden.js';
import { buildCase, kernelRelease, runOnLinux } from './linux.js';

/** How to run conform. */
export interface ConformOptions {
  /** Produce goldens on the real kernel first. */
  linux?: boolean;
  /** Runs per case on Linux (steps that differ between runs are marked unstable). */
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

/** Produces a case's golden on the real kernel (runs it `runs` times and marks steps that varied). */
export function makeGolden(dir: string, name: string, data: ScenarioData, runs: number): Golden {
  const work = mkdtempSync(join(tmpdir(), `socksim-conform-${name}-`));
  try {
    const built = buildCase(data, name, work);
    const first = runOnLinux(data, built, work);
    const unstable = new Set<string>();
    for (let k = 1; k < runs; k++) {
      const again = runOnLinux(data, built, work);
      for (const d of compareCase(name, data, again.output.results, first.output.results).disagreements) unstable.add(d.step);
    }
    const g: Golden = { case: name, kernel: kernelRelease(), ends: first.output.ends, results: first.output.results };
    if (unstable.size) g.unstable = [...unstable];
    const fails = first.stderr.split('\n').filter((l) => l.trim());
    if (fails.length) g.expectFailures = fails;
    writeGolden(dir, g);
    return g;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function socksimSteps(data: ScenarioData): Promise<{ steps: StepResult[]; unsupported: Set<string> }> {
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
    golden = opts.linux ? makeGolden(dir, name, data, opts.runs ?? 2) : readGolden(dir, name);
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
  let mine: { steps: StepResult[]; unsupported: Set<string> };
  let crash: string | null = null;
  try {
    mine = await socksimSteps(data);
  } catch (e) {
    crash = e instanceof Error ? e.message : String(e);
    mine = { steps: [], unsupported: new Set() };
  }
  const cmp = compareCase(name, data, mine.steps, golden.results, { unsupported: mine.unsupported, unstable: golden.unstable });
  if (crash) for (const d of cmp.disagreements) d.socksim = `socksim crashed: ${crash}`;
  rep.comparison = cmp;
  rep.disagreements = cmp.disagreements.map((d) => ({ ...d, known: gapFor(gaps, d) }));
  rep.status = cmp.disagreements.length === 0 && !crash ? 'pass' : 'fail';
  if (crash) rep.message = `socksim crashed: ${crash}`;
  return rep;
}

/** Runs every case of a directory. */
export async function conformDir(dir: string, opts: ConformOptions = {}): Promise<ConformReport> {
  const gaps = readKnownGaps(join(dir, 'KNOWN_GAPS.md'));
  const names = listCases(dir).filter((n) => !opts.only?.length || opts.only.includes(n));
  const report: ConformReport = { cases: [], passed: 0, failed: 0, steps: 0, agreed: 0, unstable: 0, unknown: [], staleGaps: [] };
  const used = new Set<KnownGap>();
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
export function formatReport(r: ConformReport, opts: { verbose?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const c of r.cases) {
    const known = c.disagreements.length > 0 && c.disagreements.every((d) => d.known);
    const tag = c.status === 'pass' ? 'PASS' : c.status === 'fail' ? (known ? 'FAIL (known gap)' : 'FAIL') : c.status === 'no-golden' ? 'NO GOLDEN' : 'ERROR';
    out.push(`${tag.padEnd(17)} ${c.case}${c.message ? `: ${c.message}` : ''}`);
    for (const d of c.disagreements) {
      if (d.known && !opts.verbose) continue;
      out.push(`    ${d.step} ${d.call}${d.unsupported ? ' [not in socksim yet]' : ''}`);
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
