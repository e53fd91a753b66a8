/**
 * Tokenizer for packetdrill scripts.
 *
 * It follows the token classes of packetdrill's lexer.l (flex): longest match wins and,
 * on equal length, the earlier class wins (integer before word, hex before word). Keywords
 * (`ack`, `win`, `mss`...) are ordinary words here; the parser recognises them by context,
 * which accepts everything upstream accepts. Comments (`//`, `/* *\/`) and whitespace are
 * dropped; back-quoted commands and `%{ }%` code blocks become single tokens.
 */

import type { Loc } from './ast.js';

/** Kinds of token. `punct` covers every other single character (`(`, `<`, `|`, `~`...). */
export type TokenKind =
  | 'int'
  | 'hex'
  | 'float'
  | 'word'
  | 'string'
  | 'command'
  | 'code'
  | 'option'
  | 'ipv4'
  | 'ipv6'
  | 'ellipsis'
  | 'punct'
  | 'eof';

/** One token with its source span. */
export interface Token {
  readonly kind: TokenKind;
  /** The exact source text of the token. */
  readonly text: string;
  /**
   * Decoded payload: the unescaped string for `string`, the inner text for `command`,
   * the trimmed code for `code`, the option name (without `--`) for `option`.
   */
  readonly value: string;
  /** For `option`: the text after `=`, if any. */
  readonly optionValue?: string;
  /** Offsets of the first character and just past the last one in the script text. */
  readonly offset: number;
  readonly endOffset: number;
  /** Start position. */
  readonly line: number;
  readonly column: number;
  /** Position just after the token's last character. */
  readonly endLine: number;
  readonly endColumn: number;
}

/** A lexical error (unterminated string, comment, command or code block). */
export interface LexError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Result of tokenizing a whole script; the token list always ends with one `eof` token. */
export interface LexResult {
  readonly tokens: readonly Token[];
  readonly errors: readonly LexError[];
}

const IPV4_RE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/;
const FLOAT_RE = /^-?[0-9]*\.[0-9]+/;
const INT_RE = /^-?[0-9]+/;
const HEX_RE = /^0x[0-9a-fA-F]+/;
const WORD_RE = /^[A-Za-z0-9_]+/;
const OPTION_RE = /^--[A-Za-z0-9_]+/;
/** Characters an IPv6 literal (possibly with an embedded IPv4 tail) can contain. */
const IPV6_RUN_RE = /^[0-9A-Fa-f:.]+/;

/** Whether `s` is a syntactically valid IPv6 address (RFC 4291 section 2.2 text forms). */
export function isIpv6Literal(s: string): boolean {
  let head = s;
  let tailGroups = 0;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    // Embedded IPv4 in the last 32 bits (RFC 4291 section 2.2, form 3).
    const v4 = s.slice(lastColon + 1);
    if (!isIpv4Literal(v4)) return false;
    const upTo = s.slice(0, lastColon + 1);
    head = upTo.endsWith('::') ? upTo : upTo.slice(0, -1);
    tailGroups = 2;
  }
  const parts = head.split('::');
  if (parts.length > 2) return false;
  const groups = (p: string): string[] | undefined => {
    if (p === '') return [];
    const g = p.split(':');
    return g.every((x) => /^[0-9A-Fa-f]{1,4}$/.test(x)) ? g : undefined;
  };
  if (parts.length === 1) {
    const g = groups(parts[0] ?? '');
    return g !== undefined && g.length + tailGroups === 8;
  }
  const left = groups(parts[0] ?? '');
  const right = groups(parts[1] ?? '');
  return left !== undefined && right !== undefined && left.length + right.length + tailGroups <= 7;
}

/** Whether `s` is a dotted-quad IPv4 address with each part 0..255. */
export function isIpv4Literal(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * The longest IPv6 literal at the start of `rest`, if any. Like the flex rule it only
 * accepts forms containing `::` or all eight groups, so `1:1001` (a sequence range) is
 * never taken for an address.
 */
function matchIpv6(rest: string): string | undefined {
  const run = IPV6_RUN_RE.exec(rest)?.[0];
  if (run === undefined || !run.includes(':')) return undefined;
  for (let len = run.length; len >= 2; len--) {
    const cand = run.slice(0, len);
    const colons = cand.split(':').length - 1;
    if ((cand.includes('::') || colons === 7) && isIpv6Literal(cand)) return cand;
  }
  return undefined;
}

/** Decode the C-style escapes packetdrill strings may contain (`\xf7`, `\n`, `\\`, `\"`, octal). */
export function decodeCString(inner: string): string {
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] ?? '';
    if (c !== '\\' || i + 1 >= inner.length) {
      out += c;
      continue;
    }
    const n = inner[++i] ?? '';
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };
    if (n === 'x') {
      const hex = /^[0-9A-Fa-f]{1,2}/.exec(inner.slice(i + 1))?.[0] ?? '';
      out += hex === '' ? 'x' : String.fromCharCode(parseInt(hex, 16));
      i += hex.length;
    } else if (/[0-7]/.test(n) && /^[0-7]{2}/.test(inner.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(inner.slice(i, i + 3), 8));
      i += 2;
    } else {
      out += simple[n] ?? n;
    }
  }
  return out;
}

/** Tokenize a whole script. Never throws: problems are returned as `errors`. */
export function tokenize(text: string): LexResult {
  const tokens: Token[] = [];
  const errors: LexError[] = [];
  let pos = 0;
  let line = 1;
  let col = 1;

  /** Advance over `n` characters, tracking line and column. */
  const advance = (n: number): void => {
    for (let k = 0; k < n; k++) {
      if (text[pos] === '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
      pos++;
    }
  };
  const push = (kind: TokenKind, len: number, value: string, optionValue?: string): void => {
    const startLine = line;
    const startCol = col;
    const start = pos;
    const src = text.slice(pos, pos + len);
    advance(len);
    const tok: Token = { kind, text: src, value, offset: start, endOffset: pos, line: startLine, column: startCol, endLine: line, endColumn: col };
    tokens.push(optionValue === undefined ? tok : { ...tok, optionValue });
  };
  /** Length of a delimited span starting at pos (opening delimiter of `open.length`), or -1. */
  const spanTo = (open: string, close: string, escapes: boolean): number => {
    let i = pos + open.length;
    while (i < text.length) {
      if (escapes && text[i] === '\\') {
        i += 2;
        continue;
      }
      if (text.startsWith(close, i)) return i + close.length - pos;
      i++;
    }
    return -1;
  };
  const unterminated = (what: string): void => {
    errors.push({ line, column: col, message: `unterminated ${what}` });
    advance(text.length - pos);
  };

  while (pos < text.length) {
    const ch = text[pos] ?? '';
    const rest = text.slice(pos, pos + 200);
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v') {
      advance(1);
      continue;
    }
    if (rest.startsWith('//')) {
      const nl = text.indexOf('\n', pos);
      advance((nl < 0 ? text.length : nl) - pos);
      continue;
    }
    if (rest.startsWith('/*')) {
      const len = spanTo('/*', '*/', false);
      if (len < 0) unterminated("comment ('/*' without '*/')");
      else advance(len);
      continue;
    }
    if (rest.startsWith('%{')) {
      const len = spanTo('%{', '}%', false);
      if (len < 0) {
        unterminated("code block ('%{' without '}%')");
        continue;
      }
      const inner = text.slice(pos + 2, pos + len - 2);
      push('code', len, inner.replace(/^[ \t]+/, '').replace(/[ \t]+$/, ''));
      continue;
    }
    if (ch === '`') {
      const len = spanTo('`', '`', true);
      if (len < 0) {
        unterminated("shell command (missing closing '`')");
        continue;
      }
      push('command', len, text.slice(pos + 1, pos + len - 1));
      continue;
    }
    if (ch === '"') {
      const len = spanTo('"', '"', true);
      if (len < 0) {
        unterminated("string (missing closing '\"')");
        continue;
      }
      push('string', len, decodeCString(text.slice(pos + 1, pos + len - 1)));
      continue;
    }
    if (rest.startsWith('...')) {
      push('ellipsis', 3, '...');
      continue;
    }
    const opt = OPTION_RE.exec(rest)?.[0];
    if (opt !== undefined) {
      lexOption(opt);
      continue;
    }
    // Longest match among the numeric / word / address classes; ties keep the earlier class.
    const candidates: [TokenKind, string | undefined][] = [
      ['float', FLOAT_RE.exec(rest)?.[0]],
      ['int', INT_RE.exec(rest)?.[0]],
      ['hex', HEX_RE.exec(rest)?.[0]],
      ['word', WORD_RE.exec(rest)?.[0]],
      ['ipv4', IPV4_RE.exec(rest)?.[0]],
      ['ipv6', /[0-9A-Fa-f:]/.test(ch) ? matchIpv6(rest) : undefined],
    ];
    let best: [TokenKind, string] | undefined;
    for (const [kind, m] of candidates) {
      if (m !== undefined && (best === undefined || m.length > best[1].length)) best = [kind, m];
    }
    if (best !== undefined) {
      push(best[0], best[1].length, best[1]);
      continue;
    }
    push('punct', 1, ch);
  }
  tokens.push({ kind: 'eof', text: '', value: '', offset: pos, endOffset: pos, line, column: col, endLine: line, endColumn: col });
  return { tokens, errors };

  /** `--name`, optionally `=value` where the value runs to whitespace or a comment. */
  function lexOption(opt: string): void {
    const startLine = line;
    const startCol = col;
    const start = pos;
    let i = pos + opt.length;
    let value: string | undefined;
    if (text[i] === '=') {
      i++;
      if (text[i] === '"') {
        const close = text.indexOf('"', i + 1);
        const end = close < 0 ? text.length : close + 1;
        value = decodeCString(text.slice(i + 1, close < 0 ? end : close));
        i = end;
      } else {
        // Raw up to whitespace or a comment; a quoted part (`--define=CC="a b"`) is kept with its quotes.
        let j = i;
        while (j < text.length && !/\s/.test(text[j] ?? '') && !text.startsWith('//', j) && !text.startsWith('/*', j)) {
          if (text[j] === '"') {
            const close = text.indexOf('"', j + 1);
            j = close < 0 ? text.length : close + 1;
          } else j++;
        }
        value = text.slice(i, j);
        i = j;
      }
    }
    advance(i - start);
    const tok: Token = {
      kind: 'option',
      text: text.slice(start, i),
      value: opt.slice(2),
      offset: start,
      endOffset: i,
      line: startLine,
      column: startCol,
      endLine: line,
      endColumn: col,
    };
    tokens.push(value === undefined ? tok : { ...tok, optionValue: value });
  }
}

/** The start position of a token as a `Loc`. */
export function tokenLoc(t: Token): Loc {
  return { line: t.line, column: t.column };
}
