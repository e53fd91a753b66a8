/**
 * A cursor over the token list with the error conventions the parser shares:
 * every syntax error says what was expected and what was found, located at the
 * offending token, or just after the previous token when the line ended early.
 */

import type { Loc, ParseError } from './ast.js';
import type { Token, TokenKind } from './lexer.js';

/** Thrown to abandon the current statement after an error has been recorded. */
export class ParseAbort extends Error {
  constructor() {
    super('parse aborted');
    this.name = 'ParseAbort';
  }
}

/** How a token reads in an error message. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'command':
      return 'a shell command';
    case 'code':
      return 'a code block';
    case 'string':
      return `string ${t.text.length > 24 ? t.text.slice(0, 21) + '..."' : t.text}`;
    case 'option':
      return `option '${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}

/** Token cursor plus the error list of one parse. */
export class Cursor {
  /** Index of the next token. */
  pos = 0;

  constructor(
    private readonly tokens: readonly Token[],
    /** The script text the tokens came from (for verbatim notes and annotations). */
    readonly source: string,
    readonly fileName: string,
    readonly errors: ParseError[],
  ) {}

  /** The token `k` ahead (the final `eof` repeats forever). */
  peek(k = 0): Token {
    const last = this.tokens[this.tokens.length - 1];
    const t = this.tokens[this.pos + k] ?? last;
    if (t === undefined) throw new Error('token list must end with eof');
    return t;
  }

  /** The token before the current one, if any. */
  prev(): Token | undefined {
    return this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
  }

  /** Consume and return the current token. */
  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  /** Whether the token `k` ahead is the punctuation character `c`. */
  isPunct(c: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'punct' && t.text === c;
  }

  /** Whether the token `k` ahead is the word `w` (any word when `w` is omitted). */
  isWord(w?: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === 'word' && (w === undefined || t.text === w);
  }

  /** Whether the token `k` ahead has kind `kind`. */
  isKind(kind: TokenKind, k = 0): boolean {
    return this.peek(k).kind === kind;
  }

  /** Consume the punctuation `c` if it is next. */
  eatPunct(c: string): Token | undefined {
    return this.isPunct(c) ? this.next() : undefined;
  }

  /** Consume the word `w` if it is next. */
  eatWord(w: string): Token | undefined {
    return this.isWord(w) ? this.next() : undefined;
  }

  /** Consume the punctuation `c` or fail with "expected `what`". */
  expectPunct(c: string, what: string = `'${c}'`): Token {
    return this.eatPunct(c) ?? this.fail(what);
  }

  /** Consume a token of kind `kind` or fail with "expected `what`". */
  expectKind(kind: TokenKind, what: string): Token {
    return this.isKind(kind) ? this.next() : this.fail(what);
  }

  /**
   * Record "expected `what`, found X" and abort the statement. When the unexpected
   * token sits on a later line than the previous token, the error points just past the
   * previous token and says "found end of line": the line ended too early.
   */
  fail(what: string): never {
    const t = this.peek();
    const p = this.prev();
    if (p !== undefined && t.line > p.endLine && t.kind !== 'eof') {
      this.record({ line: p.endLine, column: p.endColumn }, `expected ${what}, found end of line`);
    } else {
      this.record({ line: t.line, column: t.column }, `expected ${what}, found ${describeToken(t)}`);
    }
    throw new ParseAbort();
  }

  /**
   * Consume a bracketed group whose opener (`(` or `{`) is the current token and return
   * the source text between the brackets, trimmed; nested pairs of the same kind are allowed.
   */
  rawGroup(what: string): string {
    const open = this.next();
    const close = open.text === '(' ? ')' : '}';
    let depth = 1;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') this.fail(`'${close}' to close the ${what}`);
      this.next();
      if (t.kind === 'punct' && t.text === open.text) depth++;
      if (t.kind === 'punct' && t.text === close && --depth === 0) return this.source.slice(open.endOffset, t.offset).trim();
    }
  }

  /** Record an error at `loc` without aborting (semantic checks). */
  record(loc: Loc, message: string): void {
    this.errors.push({ fileName: this.fileName, line: loc.line, column: loc.column, message });
  }
}
