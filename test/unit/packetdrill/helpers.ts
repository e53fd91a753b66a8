/** Shared helpers for the packetdrill parser tests. */
import { expect } from 'vitest';
import { formatParseError, type ParseError, type Script, type ScriptEvent } from '../../../tools/packetdrill/ast.js';
import { parseScript } from '../../../tools/packetdrill/parser.js';

/** Parse `text` (file name `t.pkt`) and fail the test with the error list if it does not parse. */
export function parseOk(text: string): Script {
  const r = parseScript(text, 't.pkt');
  if (!r.ok) expect.fail(`expected a clean parse, got:\n${r.errors.map(formatParseError).join('\n')}`);
  return r;
}

/** Parse `text` and return its errors, failing the test if it parsed. */
export function parseErrors(text: string): readonly ParseError[] {
  const r = parseScript(text, 't.pkt');
  if (r.ok) expect.fail('expected parse errors, but the script parsed');
  return r.errors;
}

/** Parse a script made of exactly one event and return that event. */
export function oneEvent(line: string): ScriptEvent {
  const s = parseOk(line);
  expect(s.events).toHaveLength(1);
  return s.events[0] as ScriptEvent;
}

/** The single event of `line`, asserting its kind. */
export function eventOf<K extends ScriptEvent['kind']>(line: string, kind: K): Extract<ScriptEvent, { kind: K }> {
  const e = oneEvent(line);
  expect(e.kind).toBe(kind);
  return e as Extract<ScriptEvent, { kind: K }>;
}

/** Drop every source position so trees from different texts can be compared. */
export function stripLocs<T>(v: T): T {
  const dropped = new Set(['loc', 'nameLoc', 'codeLoc', 'fileName', 'line', 'column']);
  return JSON.parse(JSON.stringify(v, (k, x: unknown) => (dropped.has(k) ? undefined : x))) as T;
}
