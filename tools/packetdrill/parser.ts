/**
 * Parser for packetdrill scripts: text in, `Script` (or located errors) out.
 *
 * Grammar (packetdrill parser.y, `script`):
 *   script  := option* [command] event+ [command]
 *   option  := --name[=value]
 *   event   := time action
 *   time    := T | +T | * | T~T | +T~+T          (T: seconds, integer or decimal)
 *   action  := packet | [...T] syscall | `command` | %{ code }%
 *   syscall := name(expr, ...) = expr [ERRNO] [(note)]
 * The language is free-form (newlines are whitespace); each event ends where its
 * grammar ends. After an error the parser skips to the next line that starts with a
 * time, so one run reports every broken line.
 */

import {
  type CodeEvent,
  type CommandEvent,
  type EventTime,
  type Loc,
  type PacketEvent,
  type ParseError,
  type ParseFailure,
  type Script,
  type ScriptEvent,
  type ScriptOption,
  type ShellCommand,
  type SyscallEvent,
  type TimeValue,
} from './ast.js';
import { Cursor, ParseAbort, describeToken } from './cursor.js';
import { type Expr, parseExpr, parseExprList } from './expr.js';
import { type Token, tokenLoc, tokenize } from './lexer.js';
import { parsePacket } from './packet.js';
import { parsePython } from './python.js';

/** Parsing stops collecting after this many errors. */
const MAX_ERRORS = 100;

const EVENT_START = "an event: a time (e.g. 0, 0.100, +.1, *) followed by a packet, system call, `command` or %{ code }%";

/** Exact microseconds of a non-negative decimal seconds literal (`0.100` -> 100000). */
export function secondsToUsecs(text: string): number {
  const [whole = '', frac = ''] = text.split('.');
  return Number(whole === '' ? '0' : whole) * 1_000_000 + Number((frac + '000000').slice(0, 6));
}

/** Whether a token can begin a statement (used to resynchronise after an error). */
function startsStatement(t: Token): boolean {
  if (t.kind === 'int' || t.kind === 'float' || t.kind === 'command' || t.kind === 'code' || t.kind === 'option') return true;
  return t.kind === 'punct' && (t.text === '+' || t.text === '*');
}

/** A seconds literal: an integer or decimal token, not negative. */
function parseTimeValue(c: Cursor, what: string): TimeValue {
  const t = c.peek();
  if (t.kind !== 'int' && t.kind !== 'float') c.fail(what);
  c.next();
  if (t.text.startsWith('-')) c.record(tokenLoc(t), 'negative time');
  const text = t.text.replace(/^-/, '');
  return { text, usecs: secondsToUsecs(text) };
}

/** The time prefix of an event. */
function parseEventTime(c: Cursor): EventTime {
  if (c.eatPunct('*')) return { kind: 'any' };
  if (c.eatPunct('+')) {
    const start = parseTimeValue(c, "a relative time after '+' (e.g. +0, +.1)");
    if (!c.eatPunct('~')) return { kind: 'relative', at: start };
    c.expectPunct('+', "'+' after '~' (a relative range is written +a~+b)");
    return { kind: 'relativeRange', start, end: parseTimeValue(c, "the end of the time range after '~+'") };
  }
  const start = parseTimeValue(c, EVENT_START);
  if (!c.eatPunct('~')) return { kind: 'absolute', at: start };
  return { kind: 'absoluteRange', start, end: parseTimeValue(c, "the end of the time range after '~'") };
}

/** A syscall result: an expression in which a word is never taken as a call (`= X (note)`). */
function parseResult(c: Cursor): Expr {
  if (c.isPunct('(')) c.fail('the expected return value (e.g. 0, -1, ...)');
  return parseExpr(c, false);
}

/** `name(args) = result [ERRNO] [(note)]`, the name being the current token. */
function parseSyscall(c: Cursor): Omit<SyscallEvent, 'time' | 'loc' | 'kind'> {
  const nameTok = c.expectKind('word', 'a system call name');
  const nameLoc = tokenLoc(nameTok);
  c.expectPunct('(', `'(' after the system call name '${nameTok.text}'`);
  const args = parseExprList(c, ')', `the arguments of ${nameTok.text}()`);
  c.expectPunct(')', `')' to close the arguments of ${nameTok.text}()`);
  c.expectPunct('=', `'=' and the expected return value after ${nameTok.text}(...)`);
  const result = parseResult(c);
  let out: { name: string; nameLoc: Loc; args: Expr[]; result: Expr; errno?: { name: string; loc: Loc }; note?: string } = {
    name: nameTok.text,
    nameLoc,
    args,
    result,
  };
  if (c.isKind('word')) {
    if (!/^E[A-Z0-9]+$/.test(c.peek().text)) c.fail('an errno name (e.g. EAGAIN) or a (note) after the return value');
    const e = c.next();
    out = { ...out, errno: { name: e.text, loc: tokenLoc(e) } };
  }
  if (c.isPunct('(')) out = { ...out, note: c.rawGroup('note') };
  return out;
}

/** Semantic checks packetdrill applies once an event is complete. */
function checkEvent(c: Cursor, e: ScriptEvent): void {
  const t = e.time;
  if ((t.kind === 'absoluteRange' || t.kind === 'relativeRange') && t.end.usecs < t.start.usecs) {
    c.record(e.loc, 'time range is backwards');
  }
  const outbound = e.kind === 'packet' && e.direction === 'outbound';
  if (t.kind === 'any' && !outbound) c.record(e.loc, 'event time <star> can only be used with outbound packets');
  if ((t.kind === 'absoluteRange' || t.kind === 'relativeRange') && !outbound) {
    c.record(e.loc, 'event time range can only be used with outbound packets');
  }
  if (e.kind !== 'packet') return;
  const inbound = e.direction === 'inbound';
  if (inbound && e.ipInfo?.ecn === 'ect01') c.record(e.loc, '[ect01] can only be used with outbound packets');
  if (e.body.protocol === 'tcp') {
    if (inbound && e.body.options === 'any') c.record(e.loc, '<...> for TCP options can only be used with outbound packets');
    if (inbound && e.body.win === undefined) c.record(e.loc, "window must be specified for inbound packets ('win N')");
  }
  if (e.body.protocol === 'udp' && e.ipInfo?.ecn !== undefined) c.record(e.loc, 'ECN can only be used with TCP packets');
}

/** One timed event. */
function parseEvent(c: Cursor): ScriptEvent {
  const loc = tokenLoc(c.peek());
  const time = parseEventTime(c);
  const t = c.peek();
  if (t.kind === 'ellipsis') {
    c.next();
    const end = parseTimeValue(c, "the time a blocking call returns after '...' (e.g. +0...0.200 accept(...))");
    if (!c.isKind('word')) c.fail("a system call after the blocking end time ('...T')");
    return { kind: 'syscall', time, loc, ...parseSyscall(c), end };
  }
  if (t.kind === 'punct' && (t.text === '<' || t.text === '>')) {
    return { kind: 'packet', time, loc, ...parsePacket(c) } satisfies PacketEvent;
  }
  if (t.kind === 'command') {
    c.next();
    return { kind: 'command', time, loc, command: { text: t.value, loc: tokenLoc(t) } } satisfies CommandEvent;
  }
  if (t.kind === 'code') {
    c.next();
    const python = parsePython(t.text.slice(2, -2), t.line, t.column + 2);
    return { kind: 'code', time, loc, text: t.value, codeLoc: tokenLoc(t), python } satisfies CodeEvent;
  }
  if (t.kind === 'word') return { kind: 'syscall', time, loc, ...parseSyscall(c) };
  return c.fail("a packet ('<' or '>'), a system call, a `shell command` or a %{ code }% block after the time");
}

/**
 * After a statement, the rest of its line must be empty. packetdrill's grammar would let
 * a second event follow on the same line, but no script does that, and requiring a line
 * break turns "stray token" mistakes into a precise error instead of a confusing one.
 */
function checkLineEnd(c: Cursor, what: string): void {
  const t = c.peek();
  const p = c.prev();
  if (t.kind === 'eof' || p === undefined || t.line > p.endLine) return;
  const hint = what === 'packet' ? ' (TCP fields go in the order: flags seq [ack N] [win N] [urg N] [<options>])' : '; each event goes on its own line';
  c.record(tokenLoc(t), `unexpected ${describeToken(t)} after the ${what}${hint}`);
  throw new ParseAbort();
}

/** Skip tokens until a line that starts with something that can begin a statement. */
function resync(c: Cursor, startPos: number): void {
  if (c.pos === startPos) c.next();
  for (;;) {
    const t = c.peek();
    const p = c.prev();
    if (t.kind === 'eof') return;
    if (p !== undefined && t.line > p.endLine && startsStatement(t)) return;
    c.next();
  }
}

/** An untimed command found between events, with where it was. */
interface Untimed {
  readonly command: ShellCommand;
  readonly eventsBefore: number;
}

/**
 * Parse a whole packetdrill script. Returns the `Script` when there are no errors,
 * otherwise a `ParseFailure` listing every error found (file:line:column + message).
 */
export function parseScript(text: string, fileName: string): Script | ParseFailure {
  const lexed = tokenize(text);
  const errors: ParseError[] = lexed.errors.map((e) => ({ fileName, line: e.line, column: e.column, message: e.message }));
  const c = new Cursor(lexed.tokens, text, fileName, errors);
  const options: ScriptOption[] = [];
  const events: ScriptEvent[] = [];
  const untimed: Untimed[] = [];

  while (c.isKind('option')) {
    const t = c.next();
    options.push({ name: t.value, value: t.optionValue, loc: tokenLoc(t) });
  }
  while (!c.isKind('eof') && errors.length < MAX_ERRORS) {
    const startPos = c.pos;
    const t = c.peek();
    try {
      if (t.kind === 'option') {
        c.next();
        c.record(tokenLoc(t), `option '${t.text}' must come before the first command or event`);
      } else if (t.kind === 'command') {
        c.next();
        untimed.push({ command: { text: t.value, loc: tokenLoc(t) }, eventsBefore: events.length });
        checkLineEnd(c, 'shell command');
      } else {
        const e = parseEvent(c);
        checkEvent(c, e);
        events.push(e);
        checkLineEnd(c, e.kind === 'syscall' ? 'system call' : e.kind === 'packet' ? 'packet' : e.kind === 'code' ? 'code block' : 'shell command');
      }
    } catch (err) {
      if (!(err instanceof ParseAbort)) throw err;
      resync(c, startPos);
    }
  }

  let initCommand: ShellCommand | undefined;
  let cleanupCommand: ShellCommand | undefined;
  for (const u of untimed) {
    if (u.eventsBefore === 0 && initCommand === undefined) initCommand = u.command;
    else if (u.eventsBefore === events.length && events.length > 0 && cleanupCommand === undefined) cleanupCommand = u.command;
    else {
      c.record(u.command.loc, 'a shell command without a time must be the first statement (init command) or the last one (cleanup command); give it a time such as +0');
    }
  }
  if (events.length === 0 && errors.length === 0) {
    const eof = c.peek();
    c.record(tokenLoc(eof), `expected at least one event, found end of file (${EVENT_START})`);
  }
  if (errors.length > 0) {
    // Errors after an unterminated string/comment/command are cascades of it: drop them.
    const firstLex = lexed.errors[0];
    const kept = firstLex === undefined ? errors : errors.filter((e) => lexed.errors.some((l) => l.line === e.line && l.column === e.column) || e.line < firstLex.line || (e.line === firstLex.line && e.column < firstLex.column));
    const sorted = [...kept].sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, fileName, errors: sorted };
  }
  return {
    ok: true,
    fileName,
    options,
    ...(initCommand === undefined ? {} : { initCommand }),
    events,
    ...(cleanupCommand === undefined ? {} : { cleanupCommand }),
  };
}

/** Type guard separating the two results of `parseScript`. */
export function isParseFailure(r: Script | ParseFailure): r is ParseFailure {
  return !r.ok;
}
