/**
 * System-call argument and result expressions (packetdrill parser.y `expression`).
 *
 * packetdrill has one production per C struct it knows (sockaddr, msghdr, iovec, pollfd,
 * epoll_event, linger, cmsg, sock_extended_err, scm_timestamping). They all share one
 * shape — `{name=value, ...}`, `name(arg)=value`, `[a, b]`, `A|B` — so this module parses
 * that shape generically and leaves the struct meaning to the runner, which looks fields
 * up by name (see `structField`). That also accepts struct fields packetdrill versions add.
 */

import type { Loc } from './ast.js';
import { Cursor } from './cursor.js';
import { tokenLoc } from './lexer.js';

/** An integer literal, decimal (possibly negative) or `0x` hex. */
export interface IntExpr {
  readonly kind: 'int';
  /** The value (exact while within Number.MAX_SAFE_INTEGER). */
  readonly value: number;
  /** The literal as written (`-1`, `0x2`). */
  readonly text: string;
  readonly loc: Loc;
}

/** A symbol such as `SOCK_STREAM`, `AF_INET` or `EPOLLIN`, left for the runner to resolve. */
export interface WordExpr {
  readonly kind: 'word';
  readonly name: string;
  readonly loc: Loc;
}

/** A string literal (adjacent literals are concatenated, like C). */
export interface StringExpr {
  readonly kind: 'string';
  /** The decoded bytes as a JS string (one char per byte for `\xNN`). */
  readonly value: string;
  /** True for `"abc"...`: the buffer starts with the string and may go on. */
  readonly prefix: boolean;
  readonly loc: Loc;
}

/** `...`: fill in / do not care. */
export interface EllipsisExpr {
  readonly kind: 'ellipsis';
  readonly loc: Loc;
}

/** A bitwise OR of two or more operands: `O_RDWR|O_NONBLOCK`. */
export interface OrExpr {
  readonly kind: 'or';
  readonly operands: readonly Expr[];
  readonly loc: Loc;
}

/** `[a, b, ...]`: an array, or the int-in-a-buffer form `[1]` used by setsockopt/getsockopt. */
export interface ListExpr {
  readonly kind: 'list';
  readonly items: readonly Expr[];
  readonly loc: Loc;
}

/** `{a, b=c, ...}`: a struct, whose items are usually `assign` fields. */
export interface StructExpr {
  readonly kind: 'struct';
  readonly items: readonly Expr[];
  readonly loc: Loc;
}

/**
 * `name=value` (a struct field) or `name(arg)=value` (packetdrill's `msg_iov(1)=[...]`,
 * where the parenthesised part is the element count, and `msg_name(...)=...`).
 */
export interface AssignExpr {
  readonly kind: 'assign';
  readonly name: string;
  /** The parenthesised argument of `name(arg)=value`. */
  readonly arg?: Expr;
  readonly value: Expr;
  readonly loc: Loc;
}

/** A function-like form: `htons(8080)`, `inet_addr("192.0.2.1")`, `inet6_addr("::1")`. */
export interface CallExpr {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly loc: Loc;
}

/** Any syscall argument or result expression. */
export type Expr = IntExpr | WordExpr | StringExpr | EllipsisExpr | OrExpr | ListExpr | StructExpr | AssignExpr | CallExpr;

/** The value of field `name` in a struct expression, if present (e.g. `structField(e, 'msg_iov')`). */
export function structField(e: Expr, name: string): AssignExpr | undefined {
  if (e.kind !== 'struct') return undefined;
  for (const item of e.items) if (item.kind === 'assign' && item.name === name) return item;
  return undefined;
}

/** Parse an integer token's text (decimal or `0x` hex). */
export function intValue(text: string): number {
  return text.startsWith('0x') ? parseInt(text.slice(2), 16) : parseInt(text, 10);
}

/**
 * Parse one expression: `primary ('|' primary)*`. With `calls` false (a syscall result),
 * a word followed by `(` stays a word, so `= O_RDWR (flags)` reads the parenthesis as the note.
 */
export function parseExpr(c: Cursor, calls = true): Expr {
  const first = parsePrimary(c, calls);
  if (!c.isPunct('|')) return first;
  const operands: Expr[] = [first];
  while (c.eatPunct('|')) operands.push(parsePrimary(c, calls));
  return { kind: 'or', operands, loc: first.loc };
}

/** Parse a comma-separated expression list up to (not including) the closing `close`. */
export function parseExprList(c: Cursor, close: string, context: string): Expr[] {
  const items: Expr[] = [];
  if (c.isPunct(close)) return items;
  for (;;) {
    items.push(parseExpr(c));
    if (c.eatPunct(',')) continue;
    if (c.isPunct(close)) return items;
    c.fail(`',' or '${close}' in ${context}`);
  }
}

const EXPRESSION = 'an expression (integer, symbol, string, ..., [list] or {struct})';

function parsePrimary(c: Cursor, calls: boolean): Expr {
  const t = c.peek();
  const loc = tokenLoc(t);
  switch (t.kind) {
    case 'int':
    case 'hex':
      c.next();
      return { kind: 'int', value: intValue(t.text), text: t.text, loc };
    case 'ellipsis':
      c.next();
      return { kind: 'ellipsis', loc };
    case 'string': {
      let value = '';
      while (c.isKind('string')) value += c.next().value;
      const prefix = c.isKind('ellipsis');
      if (prefix) c.next();
      return { kind: 'string', value, prefix, loc };
    }
    case 'word':
      if (!calls) {
        c.next();
        return { kind: 'word', name: t.text, loc };
      }
      return parseWordForm(c);
    case 'punct':
      if (t.text === '[') {
        c.next();
        const items = parseExprList(c, ']', 'a [list]');
        c.expectPunct(']');
        return { kind: 'list', items, loc };
      }
      if (t.text === '{') {
        c.next();
        const items = parseExprList(c, '}', 'a {struct}');
        c.expectPunct('}');
        return { kind: 'struct', items, loc };
      }
      break;
    default:
      break;
  }
  return c.fail(EXPRESSION);
}

/** `word`, `word=expr`, `word(args)` or `word(arg)=expr`. */
function parseWordForm(c: Cursor): Expr {
  const t = c.next();
  const loc = tokenLoc(t);
  if (c.eatPunct('=')) return { kind: 'assign', name: t.text, value: parseExpr(c), loc };
  if (!c.isPunct('(')) return { kind: 'word', name: t.text, loc };
  c.next();
  const args = parseExprList(c, ')', `the arguments of '${t.text}(...)'`);
  c.expectPunct(')');
  if (c.eatPunct('=')) {
    const arg = args[0];
    if (args.length !== 1 || arg === undefined) {
      c.record(loc, `'${t.text}(...)=' takes exactly one value in parentheses, found ${args.length}`);
    }
    const value = parseExpr(c);
    return arg === undefined ? { kind: 'assign', name: t.text, value, loc } : { kind: 'assign', name: t.text, arg, value, loc };
  }
  return { kind: 'call', name: t.text, args, loc };
}
