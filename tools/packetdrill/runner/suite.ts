/**
 * Running many scripts: finding *.pkt files under the given paths, running each in the IP modes upstream's
 * run_all.py uses (or the one asked for), and summarising per script: a script passes when every mode passes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { formatParseError } from '../ast.js';
import { isParseFailure, parseScript } from '../parser.js';
import { buildConfig, ConfigError, modesForScript, type IpMode, type OptionSetting } from './config.js';
import { runScript, type Failure, type RunOutcome } from './runner.js';

/** One mode's result of a script. */
export interface ModeResult {
  mode: IpMode;
  outcome: RunOutcome;
}

/** A script's results. */
export interface ScriptResult {
  path: string;
  /** Path for display (relative to the argument it was found under). */
  name: string;
  results: ModeResult[];
  passed: boolean;
}

/** Suite options. */
export interface SuiteOptions {
  /** Only this mode (else the modes run_all.py runs the script in). */
  mode?: IpMode;
  overrides: OptionSetting[];
  seed?: string | number;
  /** Directory names (relative to a given path) to skip, e.g. fastopen, zerocopy. */
  exclude: string[];
}

/** The .pkt files under a path (the path itself when it is a file), sorted; excluded subtrees skipped. */
export function findScripts(path: string, exclude: readonly string[]): string[] {
  const root = resolve(path);
  if (!statSync(root).isDirectory()) return [root];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(dir, e.name);
      const rel = relative(root, full);
      if (exclude.some((x) => rel === x || rel.startsWith(`${x}/`))) continue;
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.pkt')) out.push(full);
    }
  };
  walk(root);
  return out;
}

function failedOutcome(failure: Failure): RunOutcome {
  return { failure, notes: [], durationNs: 0, printed: [], trace: [] };
}

/** Runs one script file in the modes the options ask for. */
export async function runFile(path: string, name: string, opts: SuiteOptions): Promise<ScriptResult> {
  const text = readFileSync(path, 'utf8');
  const parsed = parseScript(text, name);
  const modes = opts.mode ? [opts.mode] : modesForScript(path);
  const results: ModeResult[] = [];
  for (const mode of modes) {
    if (isParseFailure(parsed)) {
      const e = parsed.errors[0]!;
      results.push({ mode, outcome: failedOutcome({ line: e.line, message: `syntax error: ${formatParseError(e)}`, details: [] }) });
      continue;
    }
    let outcome: RunOutcome;
    try {
      const cfg = buildConfig(mode, parsed.options, opts.overrides);
      outcome = await runScript(parsed, cfg, dirname(path), { seed: opts.seed ?? 1 });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      outcome = failedOutcome({ line: 1, message: `bad option: ${e.message}`, details: [] });
    }
    results.push({ mode, outcome });
  }
  return { path, name, results, passed: results.every((r) => r.outcome.failure === null) };
}

/** Renders a script's result: `PASS name (modes)` or `FAIL name [mode] line N: message` plus details. */
export function formatResult(r: ScriptResult, verbose: boolean, trace = false): string {
  const modes = r.results.map((m) => m.mode).join(', ');
  const lines: string[] = [];
  if (r.passed) lines.push(`PASS ${r.name} (${modes})`);
  else {
    const bad = r.results.filter((m) => m.outcome.failure !== null);
    const first = bad[0]!;
    const f = first.outcome.failure!;
    const others = bad.slice(1).map((m) => m.mode);
    const ok = r.results.filter((m) => m.outcome.failure === null).map((m) => m.mode);
    lines.push(`FAIL ${r.name} [${first.mode}] line ${f.line}: ${f.message}`);
    for (const d of f.details) lines.push(`       ${d}`);
    if (others.length > 0 || ok.length > 0) {
      const parts: string[] = [];
      if (others.length > 0) parts.push(`also fails in ${others.join(', ')}`);
      if (ok.length > 0) parts.push(`passes in ${ok.join(', ')}`);
      lines.push(`       (${parts.join('; ')})`);
    }
    if (verbose) {
      for (const m of bad.slice(1)) lines.push(`       [${m.mode}] line ${m.outcome.failure!.line}: ${m.outcome.failure!.message}`);
    }
  }
  if (verbose) {
    const notes = new Set(r.results.flatMap((m) => m.outcome.notes));
    for (const n of notes) lines.push(`       note: ${n}`);
  }
  const traced = r.results.find((m) => m.outcome.failure !== null);
  if (trace && traced) for (const t of traced.outcome.trace) lines.push(`       trace [${traced.mode}] ${t}`);
  return lines.join('\n');
}
