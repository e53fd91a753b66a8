/**
 * Emulation of the shell commands packetdrill scripts run (`` `…` ``), instead of a real /bin/sh: sysctl
 * writes, the defaults.sh and set_sysctls.py helpers (resolved relative to the script's directory, as
 * packetdrill runs commands there), tc qdisc on tun0, `ip tcp_metrics flush`, and the few file and grep uses in
 * the corpus. As with `sh -c`, a command list's status is its last command's; a command the emulator does not
 * know is always an error, so nothing is silently skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { DEFAULTS_SH, normalizeSysctlName, type SysctlTable } from './sysctl.js';
import type { TunMedium } from './tun.js';

/** The value `${PPID}` expands to (the simulated packetdrill's pid, for /tmp/sysctl_restore_${PPID}.sh). */
export const FAKE_PID = 4242;

/** What the commands act on. */
export interface ShellContext {
  /** Directory commands run in (the script's). */
  cwd: string;
  sysctl: SysctlTable;
  tun: TunMedium;
  /** Writes n zero bytes to a file on the host's VFS (dd if=/dev/zero). */
  writeZeros(path: string, n: number): Promise<string | null>;
  /** Removes a file (rm -f): no error when missing. */
  remove(path: string): Promise<void>;
  /** Text of /proc/net/tcp or /proc/net/tcp6 for the sockets the script holds. */
  procNetTcp(v6: boolean): Promise<string>;
  /** Things emulated only approximately, for the report. */
  notes: string[];
  /** Values set_sysctls.py saved for /tmp/sysctl_restore_<pid>.sh. */
  saved: Map<string, string | undefined>;
}

/** A command the emulator cannot run: the script fails with this message. */
export class ShellError extends Error {}

interface Result {
  status: number;
  out: string;
}

/** `$((…))` arithmetic over integers: + - * / % and parentheses (POSIX shell arithmetic, the subset used). */
function arith(expr: string): number {
  const toks = expr.match(/\d+|[-+*/%()]/g) ?? [];
  if (toks.join('') !== expr.replace(/\s+/g, '')) throw new ShellError(`unsupported arithmetic $((${expr}))`);
  let i = 0;
  const atom = (): number => {
    const t = toks[i++];
    if (t === '(') {
      const v = sum();
      i++;
      return v;
    }
    if (t === '-') return -atom();
    if (t === undefined || !/^\d+$/.test(t)) throw new ShellError(`bad arithmetic $((${expr}))`);
    return Number(t);
  };
  const product = (): number => {
    let v = atom();
    while (toks[i] === '*' || toks[i] === '/' || toks[i] === '%') {
      const op = toks[i++];
      const r = atom();
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (toks[i] === '+' || toks[i] === '-') v = toks[i++] === '+' ? v + product() : v - product();
    return v;
  };
  return sum();
}

/** Splits a command into words, honouring quotes and backslashes; `$((…))` and `${PPID}` are expanded first. */
function words(cmd: string): string[] {
  const expanded = cmd
    .replace(/\$\(\(([^)]*)\)\)/g, (_m, expr: string) => {
      return String(arith(expr));
    })
    .replace(/\$\{PPID\}|\$PPID/g, String(FAKE_PID));
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | null = null;
  for (let i = 0; i < expanded.length; i++) {
    const ch = expanded[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < expanded.length) cur += expanded[++i];
      else cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < expanded.length) {
      cur += expanded[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (quote) throw new ShellError(`unterminated quote in: ${cmd}`);
  if (has) out.push(cur);
  return out;
}

/** Splits text into lines (joining `\` continuations), drops comments, then splits on `;` and `&&`. */
function commandList(text: string): { cmd: string; and: boolean }[] {
  const out: { cmd: string; and: boolean }[] = [];
  for (const raw of text.replace(/\\\n/g, ' ').split('\n')) {
    let line = '';
    let quote: string | null = null;
    for (const ch of raw) {
      if (quote) quote = ch === quote ? null : quote;
      else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '#' && (line === '' || /\s$/.test(line))) break;
      line += ch;
    }
    let and = false;
    for (const part of line.split(/(;|&&)/)) {
      if (part === ';') and = false;
      else if (part === '&&') and = true;
      else if (part.trim() !== '') out.push({ cmd: part.trim(), and });
    }
  }
  return out;
}

/** Runs a command text; returns an error message (the script fails) or null. */
export async function runShell(text: string, ctx: ShellContext): Promise<string | null> {
  let status = 0;
  let last = '';
  let output = '';
  for (const { cmd, and } of commandList(text)) {
    if (and && status !== 0) continue;
    let input = '';
    status = 0;
    for (const stage of cmd.split('|').map((s) => s.trim())) {
      const w = words(stage.replace(/\s*\d?>\s*&\d|\s*\d?>\s*\/dev\/null/g, ''));
      const r = await simple(w, input, ctx);
      status = r.status;
      input = r.out;
    }
    last = cmd;
    output = input.trim();
  }
  if (status === 0) return null;
  return `command exited with status ${status}: ${last}${output ? ` (${output})` : ''}`;
}

function ok(out = ''): Result {
  return { status: 0, out };
}

async function simple(w: string[], input: string, ctx: ShellContext): Promise<Result> {
  const [cmd, ...args] = w;
  if (cmd === undefined || cmd === 'true' || cmd === ':') return ok();
  const base = basename(cmd);
  if (base === 'false') return { status: 1, out: '' };
  if (base === 'sysctl') return sysctl(args, ctx);
  if (base === 'defaults.sh') return defaults(cmd, ctx);
  if (base === 'set_sysctls.py') return setSysctls(args, ctx);
  if (/^sysctl_restore_\d+\.sh$/.test(base)) {
    for (const [k, v] of ctx.saved) if (v !== undefined) ctx.sysctl.set(k, v);
    ctx.saved.clear();
    return ok();
  }
  if (base === 'ip' && args[0] === 'tcp_metrics' && args[1] === 'flush') return ok();
  if (base === 'tc' && args[0] === 'qdisc') return qdisc(args, ctx);
  if (base === 'ethtool') {
    ctx.notes.push(`ethtool ${args.join(' ')} has no effect (socksim has no offloads to switch)`);
    return ok();
  }
  if (base === 'echo') return echo(args, ctx);
  if (base === 'cat') return ok(args.map((a) => procRead(a, ctx)).join(''));
  if (base === 'grep') return grep(args, input, ctx);
  if (base === 'rm') {
    for (const a of args.filter((x) => !x.startsWith('-'))) await ctx.remove(a);
    return ok();
  }
  if (base === 'dd') return dd(args, ctx);
  throw new ShellError(`unsupported shell command: ${w.join(' ')}`);
}

function sysctl(args: string[], ctx: ShellContext): Result {
  const names = args.filter((a) => !a.startsWith('-'));
  const print = args.includes('-n') || names.every((n) => !n.includes('='));
  let out = '';
  for (const a of names) {
    const eq = a.indexOf('=');
    if (eq < 0) {
      const v = ctx.sysctl.get(a);
      if (v === undefined) throw new ShellError(`sysctl: cannot read key "${a}" (not modelled)`);
      out += print && !args.includes('-n') ? `${normalizeSysctlName(a)} = ${v}\n` : `${v}\n`;
      continue;
    }
    const err = ctx.sysctl.set(a.slice(0, eq), a.slice(eq + 1));
    if (err) return { status: 255, out: err };
  }
  return ok(out);
}

async function defaults(path: string, ctx: ShellContext): Promise<Result> {
  const file = resolve(ctx.cwd, path);
  if (!existsSync(file)) {
    // The helper is not next to the script: apply the settings upstream's defaults.sh makes.
    for (const [k, v] of DEFAULTS_SH) ctx.sysctl.set(k, v);
    ctx.notes.push(`${path} not found; applied packetdrill's defaults.sh settings`);
    return ok();
  }
  // The helper runs as its own shell script: every line is emulated, its status is its last command's.
  const err = await runShell(readFileSync(file, 'utf8'), { ...ctx, cwd: dirname(file) });
  return err ? { status: 1, out: `${path}: ${err}` } : ok();
}

function setSysctls(args: string[], ctx: ShellContext): Result {
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq < 0) throw new ShellError(`set_sysctls.py: bad argument "${a}"`);
    const name = normalizeSysctlName(a.slice(0, eq));
    if (!ctx.saved.has(name)) ctx.saved.set(name, ctx.sysctl.get(name));
    const err = ctx.sysctl.set(name, a.slice(eq + 1));
    if (err) return { status: 1, out: err };
  }
  return ok();
}

function qdisc(args: string[], ctx: ShellContext): Result {
  const op = args[1];
  const kindAt = args.indexOf('root') + 1;
  const kind = kindAt > 0 ? args[kindAt] : undefined;
  if (op === 'del' || op === 'delete') {
    ctx.tun.dropAll = false;
    return ok();
  }
  if (op !== 'add' && op !== 'replace' && op !== 'change') throw new ShellError(`unsupported: tc ${args.join(' ')}`);
  if (kind === 'pfifo' || kind === 'pfifo_fast') {
    const li = args.indexOf('limit');
    ctx.tun.dropAll = li >= 0 && Number(args[li + 1]) === 0;
    if (ctx.tun.dropAll) ctx.notes.push('pfifo limit 0 drops every outbound packet, but TCP is not told (no NET_XMIT_DROP feedback)');
    return ok();
  }
  if (kind === 'fq') {
    ctx.notes.push('tc qdisc fq: FQ pacing is not modelled; packets leave unpaced');
    return ok();
  }
  throw new ShellError(`unsupported qdisc: tc ${args.join(' ')}`);
}

function echo(args: string[], ctx: ShellContext): Result {
  // Only `echo V > /proc/sys/...` reaches here with a redirection left in the words.
  const gt = args.indexOf('>');
  if (gt >= 0 && args[gt + 1]?.startsWith('/proc/sys/')) {
    const err = ctx.sysctl.set(args[gt + 1]!, args.slice(0, gt).join(' '));
    return err ? { status: 1, out: err } : ok();
  }
  if (args.some((a) => a.includes('>'))) throw new ShellError(`unsupported redirection: echo ${args.join(' ')}`);
  return ok(`${args.join(' ')}\n`);
}

function procRead(path: string, ctx: ShellContext): string {
  if (!path.startsWith('/proc/sys/')) throw new ShellError(`unsupported: cat ${path}`);
  const v = ctx.sysctl.get(path);
  if (v === undefined) throw new ShellError(`cat: ${path}: not modelled`);
  return `${v}\n`;
}

async function grep(args: string[], input: string, ctx: ShellContext): Promise<Result> {
  const flags = args.filter((a) => /^-[a-zA-Z]+$/.test(a)).join('');
  const rest = args.filter((a) => !/^-[a-zA-Z]+$/.test(a));
  const [pattern, ...files] = rest;
  if (pattern === undefined) throw new ShellError('grep: no pattern');
  let text = input;
  if (files.length > 0) {
    text = '';
    for (const f of files) {
      if (f !== '/proc/net/tcp' && f !== '/proc/net/tcp6') throw new ShellError(`unsupported: grep in ${f}`);
      const body = await ctx.procNetTcp(f.endsWith('6'));
      text += files.length > 1 ? body.split('\n').filter((l) => l).map((l) => `${f}:${l}\n`).join('') : body;
    }
  }
  const lines = text.split('\n').filter((l) => l !== '' && l.includes(pattern) !== flags.includes('v'));
  const out = flags.includes('q') ? '' : flags.includes('c') ? `${lines.length}\n` : lines.map((l) => `${l}\n`).join('');
  return { status: lines.length > 0 ? 0 : 1, out };
}

async function dd(args: string[], ctx: ShellContext): Promise<Result> {
  const kv = new Map(args.map((a) => a.split('=') as [string, string]));
  if (kv.get('if') !== '/dev/zero' || !kv.get('of')) throw new ShellError(`unsupported: dd ${args.join(' ')}`);
  const n = Number(kv.get('bs') ?? 512) * Number(kv.get('count') ?? 1);
  const err = await ctx.writeZeros(kv.get('of')!, n);
  return err ? { status: 1, out: err } : ok();
}
