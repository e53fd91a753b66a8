/**
 * Conformance goldens: what the real Linux kernel returned for each call of a case, parsed from the JSON lines the
 * exported C program prints, and stored as DIR/goldens/CASE.json (one result per line, so a diff reads well).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One call's outcome, as the C program prints it and as socksim's trace is reduced to. */
export interface StepResult {
  /** Process index. */
  p: number;
  /** Operation index in that process. */
  i: number;
  op: string;
  ret: number;
  errno: string | null;
  /** Outputs in outputs.ts's canonical text, when the call has any. */
  out?: string;
}

/** A golden file. */
export interface Golden {
  case: string;
  /** `uname -r` of the kernel that produced it. */
  kernel: string;
  results: StepResult[];
  /** How each process ended ("exit 0", "signal 13"), by index. */
  ends: string[];
  /** Steps ("p0#3") whose results differed between runs on Linux: timing-dependent, not compared. */
  unstable?: string[];
  /** The case's own expectations that Linux did not meet (the case needs fixing when this is not empty). */
  expectFailures?: string[];
}

/** The key of a step: "p0#3". */
export function stepKey(r: { p: number; i: number }): string {
  return `p${r.p}#${r.i}`;
}

/** What a run of an exported program printed: results and process ends. */
export interface ProgramOutput {
  results: StepResult[];
  ends: string[];
}

/** Parses the C program's stdout; a line that is not one of its JSON records is an error (with its number). */
export function parseProgramOutput(text: string): ProgramOutput {
  const results: StepResult[] = [];
  const ends: string[] = [];
  text.split('\n').forEach((line, n) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new Error(`line ${n + 1} of the program's output is not JSON: ${line.slice(0, 120)}`);
    }
    const o = v as Record<string, unknown>;
    if (typeof o.p === 'number' && typeof o.end === 'string') {
      ends[o.p] = o.end;
      return;
    }
    if (typeof o.p !== 'number' || typeof o.i !== 'number' || typeof o.op !== 'string' || typeof o.ret !== 'number'
      || !(o.errno === null || typeof o.errno === 'string') || !(o.out === undefined || typeof o.out === 'string')) {
      throw new Error(`line ${n + 1} of the program's output is not a result record: ${line.slice(0, 120)}`);
    }
    const r: StepResult = { p: o.p, i: o.i, op: o.op, ret: o.ret, errno: o.errno };
    if (o.out !== undefined) r.out = o.out;
    results.push(r);
  });
  results.sort((a, b) => a.p - b.p || a.i - b.i);
  return { results, ends };
}

/** Path of a case's golden. */
export function goldenPath(dir: string, name: string): string {
  return join(dir, 'goldens', `${name}.json`);
}

/** Reads a case's golden, or null when there is none. */
export function readGolden(dir: string, name: string): Golden | null {
  const p = goldenPath(dir, name);
  if (!existsSync(p)) return null;
  const g = JSON.parse(readFileSync(p, 'utf8')) as Golden;
  if (!Array.isArray(g.results)) throw new Error(`${p}: not a golden (no results list)`);
  return g;
}

/** A golden as text: fields on their own lines, one result per line. */
export function formatGolden(g: Golden): string {
  const head = [`  "case": ${JSON.stringify(g.case)}`, `  "kernel": ${JSON.stringify(g.kernel)}`, `  "ends": ${JSON.stringify(g.ends)}`];
  if (g.unstable?.length) head.push(`  "unstable": ${JSON.stringify(g.unstable)}`);
  if (g.expectFailures?.length) head.push(`  "expectFailures": ${JSON.stringify(g.expectFailures, null, 4).replace(/\n/g, '\n  ')}`);
  const rows = g.results.map((r) => `    ${JSON.stringify(r)}`);
  return `{\n${head.join(',\n')},\n  "results": [\n${rows.join(',\n')}\n  ]\n}\n`;
}

/** Writes a case's golden. */
export function writeGolden(dir: string, g: Golden): void {
  writeFileSync(goldenPath(dir, g.case), formatGolden(g));
}
