/**
 * `socksim packetdrill [options] PATH...`: runs packetdrill scripts against a simulated Linux host, the script
 * acting as the remote peer. Prints PASS or FAIL per script (with the line, expected and actual packet or value,
 * and the timing), then `N passed, N failed`; exits 0 only when every script passed.
 */
import { relative, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { UsageError } from '../args.js';
import type { IpMode, OptionSetting } from '../packetdrill/runner/config.js';
import { findScripts, formatResult, runFile, type SuiteOptions } from '../packetdrill/runner/suite.js';

/** The command's --help text. */
export const PACKETDRILL_HELP = `usage: socksim packetdrill [options] PATH...

Runs packetdrill scripts (files, or directories searched for *.pkt) against a simulated Linux host. Each script
runs in the modes upstream's run_all.py uses: ipv4 and ipv4-mapped-ipv6, and ipv6 (scripts ending in v4.pkt
skip ipv6, those ending in v6.pkt run only over ipv6). A script passes when every mode passes.

options:
  --ip_version=MODE     run only MODE: ipv4, ipv6 or ipv4-mapped-ipv6
  --exclude=DIR         skip DIR (relative to a PATH argument; repeatable), e.g. --exclude=fastopen
  --seed=N              simulation seed (default 1)
  -D NAME=VALUE         define a symbol, as packetdrill's -D
  --NAME[=VALUE]        any other packetdrill option (--tolerance_usecs=10000, --strict_segments, ...);
                        it overrides the script's own option lines
  -v, --verbose         also print notes: approximations, sysctls the TCP does not read, ignored options
  --trace               for a failing script, print what happened event by event (injected, sniffed, returned)
  -h, --help            this help`;

const MODES = new Set(['ipv4', 'ipv6', 'ipv4-mapped-ipv6']);

/** Parses argv (packetdrill's options are open-ended, so this is not util.parseArgs). */
function parseArgv(argv: string[]): { paths: string[]; opts: SuiteOptions; verbose: boolean; help: boolean; trace: boolean } {
  const paths: string[] = [];
  const overrides: OptionSetting[] = [];
  const exclude: string[] = [];
  let mode: IpMode | undefined;
  let seed: string | number | undefined;
  let verbose = false, help = false, trace = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') help = true;
    else if (a === '-v' || a === '--verbose') verbose = true;
    else if (a === '--trace') trace = true;
    else if (a === '-D' || a === '--define') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs NAME=VALUE`);
      overrides.push({ name: 'define', value: v });
    } else if (a.startsWith('-D')) overrides.push({ name: 'define', value: a.slice(2) });
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const value = eq < 0 ? undefined : a.slice(eq + 1);
      if (name === 'ip_version') {
        if (value === undefined || !MODES.has(value)) throw new UsageError(`--ip_version must be ipv4, ipv6 or ipv4-mapped-ipv6`);
        mode = value as IpMode;
      } else if (name === 'exclude') {
        if (!value) throw new UsageError('--exclude needs a directory');
        exclude.push(value.replace(/\/+$/, ''));
      } else if (name === 'seed') {
        if (!value) throw new UsageError('--seed needs a value');
        seed = /^-?\d+$/.test(value) ? Number(value) : value;
      } else overrides.push({ name, value });
    } else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else paths.push(a);
  }
  return { paths, opts: { overrides, exclude, ...(mode ? { mode } : {}), ...(seed !== undefined ? { seed } : {}) }, verbose, help, trace };
}

/** Runs the command; returns the exit status (0 only when every script passed, 2 is thrown as a usage error). */
export async function packetdrillCommand(argv: string[]): Promise<number> {
  const { paths, opts, verbose, help, trace } = parseArgv(argv);
  if (help) {
    console.log(PACKETDRILL_HELP);
    return 0;
  }
  if (paths.length === 0) throw new UsageError('no script or directory given (socksim packetdrill --help)');
  let passed = 0, failed = 0;
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`${p}: no such file or directory`);
    const root = resolve(p);
    const isDir = statSync(root).isDirectory();
    for (const file of findScripts(root, opts.exclude)) {
      const name = isDir ? relative(root, file) : p;
      const r = await runFile(file, name, opts);
      console.log(formatResult(r, verbose, trace));
      if (r.passed) passed++;
      else failed++;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}
