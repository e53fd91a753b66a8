/** `socksim export-c CASE`: writes a scenario-data case (or a "data" recording) as a standalone C program. */
import { writeFileSync } from 'node:fs';
import { parse, UsageError } from '../args.js';
import { exportC, ExportRefused } from '../export-c/program.js';
import { CaseSourceError, loadCase } from '../export-c/source.js';

/** Help text of `socksim export-c`. */
export const EXPORT_C_HELP = `usage: socksim export-c RECORDING|SCENARIO.json [-o OUT.c] [--approximate]

Writes the case as one C99 program over libc/POSIX that makes the same calls in the same order, prints one JSON
line per call ({"p","i","op","ret","errno","out"}) and checks the case's expectations (exit 1 on a mismatch). Each
process is a forked child; hosts' addresses go on lo of a fresh network namespace (the program's header comment
says how to run it). Cases with link loss, jitter, rate limits, faults or a deviation profile are refused.

options:
  -o, --output FILE  where to write the program (default: standard output)
  --approximate      export what loopback cannot reproduce anyway, listing each approximation in the header
  -h, --help         this help`;

/** Runs `socksim export-c` with argv (after the command name); returns the exit status. */
export async function exportCCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' }, approximate: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(EXPORT_C_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('export-c takes exactly one recording or scenario file');
  try {
    const c = loadCase(positionals[0]!);
    const name = values.output ? values.output.replace(/^.*\//, '').replace(/\.c$/, '') : c.name;
    const r = exportC(c.data, { name, approximate: values.approximate });
    if (values.output) {
      writeFileSync(values.output, r.source);
      console.error(`wrote ${values.output} (${c.data.processes.length} processes, ${c.data.processes.reduce((n, p) => n + p.ops.length, 0)} calls)`);
    } else process.stdout.write(r.source);
    return 0;
  } catch (e) {
    if (e instanceof CaseSourceError || e instanceof ExportRefused) {
      console.error(`socksim export-c: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
