/** `socksim conform DIR [--linux]`: compares socksim with Linux goldens, case by case and step by step. */
import { existsSync, statSync } from 'node:fs';
import { numberOpt, parse, UsageError } from '../args.js';
import { linuxUnavailable } from '../conform/linux.js';
import { conformDir, formatReport } from '../conform/run.js';

/** Help text of `socksim conform`. */
export const CONFORM_HELP = `usage: socksim conform DIR [--linux] [--case NAME]... [--min-agreement PCT] [-q]

Runs every case (DIR/*.json, scenario data) in socksim and compares each call's result (return value, errno and
outputs) with the case's golden (DIR/goldens/CASE.json). Prints PASS/FAIL per case, each disagreement (step,
call, socksim's result and Linux's, and the reason when DIR/KNOWN_GAPS.md lists it), and "N passed, N failed"
with the share of steps that agree.

options:
  --linux              first make the goldens on the real kernel: export each case to C, build it with gcc,
                       run it in fresh network and mount namespaces (needs root, gcc, iproute2)
  --runs N             with --linux, runs per case; each step's golden is the majority result, and a step
                       with no majority is marked unstable and not compared (default 3)
  --case NAME          only this case (repeatable)
  --min-agreement PCT  exit 1 when fewer steps agree
  -q, --quiet          leave out the disagreements KNOWN_GAPS.md lists
  -h, --help           this help

exit status: 0 when every disagreement is a known gap (and agreement is at least --min-agreement), 1 otherwise,
2 for bad arguments.`;

/** Runs `socksim conform` with argv (after the command name); returns the exit status. */
export async function conformCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    linux: { type: 'boolean' }, runs: { type: 'string' }, case: { type: 'string', multiple: true },
    'min-agreement': { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(CONFORM_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('conform takes exactly one directory of cases');
  const dir = positionals[0]!;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a directory`);
  const runs = numberOpt(values.runs, 'runs', (n) => Number.isInteger(n) && n >= 1 && n <= 20) ?? 3;
  const min = numberOpt(values['min-agreement'], 'min-agreement', (n) => n >= 0 && n <= 100) ?? 0;
  if (values.linux) {
    const why = linuxUnavailable();
    if (why) {
      console.error(`socksim conform: --linux: ${why}`);
      return 2;
    }
  }
  const report = await conformDir(dir, {
    linux: values.linux, runs, only: values.case,
    log: values.linux ? (l) => console.error(`linux: ${l}`) : undefined,
  });
  for (const line of formatReport(report, { quiet: values.quiet })) console.log(line);
  const pct = report.steps ? (100 * report.agreed) / report.steps : 100;
  return report.unknown.length === 0 && pct >= min && report.cases.every((c) => c.status !== 'error' && c.status !== 'no-golden') ? 0 : 1;
}
