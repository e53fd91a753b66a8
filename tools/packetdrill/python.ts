/**
 * The small Python subset packetdrill scripts use inside `%{ ... }%` blocks.
 *
 * packetdrill runs these blocks with a real Python interpreter after binding the
 * `tcpi_*` fields of getsockopt(TCP_INFO). The corpus only uses straight-line
 * statements — `assert <expr>[, <msg>]`, `name = expr`, `name += expr`, calls such as
 * `print(x)` — separated by newlines or `;`, over integer arithmetic, bitwise and
 * (chained) comparison operators. This module parses exactly that into an AST a runner
 * can evaluate; anything else (if/for/def, lambdas, attribute access) yields
 * `{ ok: false }` with a located reason, never an exception.
 */

/** A Python expression in the supported subset. */
export type PyExpr =
  | { readonly kind: 'num'; readonly value: number; readonly text: string }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | '~' | 'not'; readonly operand: PyExpr }
  | { readonly kind: 'binary'; readonly op: PyBinaryOp; readonly left: PyExpr; readonly right: PyExpr }
  /** `a < b <= c` keeps Python's chained meaning: every adjacent pair must hold. */
  | { readonly kind: 'compare'; readonly first: PyExpr; readonly rest: readonly { readonly op: PyCompareOp; readonly right: PyExpr }[] }
  | { readonly kind: 'call'; readonly callee: string; readonly args: readonly PyExpr[] }
  | { readonly kind: 'tuple'; readonly items: readonly PyExpr[] };

/** Binary operators, including the short-circuit `and` / `or`. */
export type PyBinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '&' | '|' | '^' | '<<' | '>>' | 'and' | 'or';

/** Comparison operators. */
export type PyCompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Assignment operators. */
export type PyAssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '//=' | '%=' | '&=' | '|=' | '^=' | '<<=' | '>>=';

/** One statement; `line` is the script line it starts on. */
export type PyStmt =
  | { readonly kind: 'assert'; readonly test: PyExpr; readonly message?: PyExpr; readonly line: number }
  | { readonly kind: 'assign'; readonly target: string; readonly op: PyAssignOp; readonly value: PyExpr; readonly line: number }
  | { readonly kind: 'expr'; readonly expr: PyExpr; readonly line: number };

/** A parsed code block, or the reason it is outside the subset. */
export type PyBlock =
  | { readonly ok: true; readonly statements: readonly PyStmt[] }
  | { readonly ok: false; readonly error: { readonly line: number; readonly column: number; readonly message: string } };

interface PyTok {
  readonly kind: 'num' | 'str' | 'name' | 'op' | 'nl' | 'eof';
  readonly text: string;
  readonly value: string;
  readonly line: number;
  readonly column: number;
}

class PySyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

const OPS = ['**=', '//=', '<<=', '>>=', '**', '//', '<<', '>>', '<=', '>=', '==', '!=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '+', '-', '*', '/', '%', '&', '|', '^', '~', '<', '>', '=', '(', ')', ',', ';', '[', ']', ':', '.'];
const STRING_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** Tokenize; newlines inside brackets or after a backslash do not end a statement (Python's implicit line joining). */
function tokenizePy(text: string, line0: number, col0: number): PyTok[] {
  const out: PyTok[] = [];
  let i = 0;
  let line = line0;
  let col = col0;
  let depth = 0;
  const adv = (n: number): void => {
    for (let k = 0; k < n; k++, i++) {
      if (text[i] === '\n') {
        line++;
        col = 1;
      } else col++;
    }
  };
  while (i < text.length) {
    const ch = text[i] ?? '';
    const rest = text.slice(i);
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') adv(1);
      continue;
    }
    if (ch === '\\' && text[i + 1] === '\n') {
      adv(2);
      continue;
    }
    if (ch === '\n') {
      if (depth === 0) out.push({ kind: 'nl', text: '\n', value: '', line, column: col });
      adv(1);
      continue;
    }
    if (/\s/.test(ch)) {
      adv(1);
      continue;
    }
    const start = { line, column: col };
    const num = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|([0-9][0-9_]*)?\.[0-9_]+([eE][-+]?[0-9]+)?|[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?)/.exec(rest)?.[0];
    if (num !== undefined) {
      out.push({ kind: 'num', text: num, value: num, ...start });
      adv(num.length);
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    if (name !== undefined) {
      out.push({ kind: 'name', text: name, value: name, ...start });
      adv(name.length);
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = 1;
      let value = '';
      while (j < rest.length && rest[j] !== ch && rest[j] !== '\n') {
        if (rest[j] === '\\' && j + 1 < rest.length) {
          value += STRING_ESCAPES[rest[j + 1] ?? ''] ?? '\\' + (rest[j + 1] ?? '');
          j += 2;
        } else value += rest[j++];
      }
      if (rest[j] !== ch) throw new PySyntaxError(start.line, start.column, 'unterminated string literal');
      out.push({ kind: 'str', text: rest.slice(0, j + 1), value, ...start });
      adv(j + 1);
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (op === undefined) throw new PySyntaxError(line, col, `unexpected character '${ch}'`);
    if (op === '(' || op === '[') depth++;
    if ((op === ')' || op === ']') && depth > 0) depth--;
    out.push({ kind: 'op', text: op, value: op, ...start });
    adv(op.length);
  }
  out.push({ kind: 'eof', text: '', value: '', line, column: col });
  return out;
}

const UNSUPPORTED_KEYWORDS = new Set(['if', 'elif', 'else', 'for', 'while', 'def', 'class', 'import', 'from', 'return', 'lambda', 'with', 'try', 'global', 'del', 'pass']);
const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '//=', '%=', '&=', '|=', '^=', '<<=', '>>=']);
/** Binary operator precedence levels, loosest first (Python language reference section 6.17). */
const BINARY_LEVELS: readonly (readonly string[])[] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '//', '%']];

class PyParser {
  private i = 0;
  constructor(private readonly toks: readonly PyTok[]) {}

  private peek(): PyTok {
    return this.toks[Math.min(this.i, this.toks.length - 1)] as PyTok;
  }
  private isOp(o: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === o;
  }
  private isName(n: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text === n;
  }
  private fail(what: string): never {
    const t = this.peek();
    const found = t.kind === 'eof' ? 'end of code' : t.kind === 'nl' ? 'end of line' : `'${t.text}'`;
    throw new PySyntaxError(t.line, t.column, `expected ${what}, found ${found}`);
  }

  block(): PyStmt[] {
    const stmts: PyStmt[] = [];
    for (;;) {
      while (this.peek().kind === 'nl' || this.isOp(';')) this.i++;
      if (this.peek().kind === 'eof') return stmts;
      stmts.push(this.statement());
      const t = this.peek();
      if (t.kind !== 'nl' && t.kind !== 'eof' && !this.isOp(';')) this.fail("';' or end of line after the statement");
    }
  }

  private statement(): PyStmt {
    const t = this.peek();
    const line = t.line;
    if (t.kind === 'name' && UNSUPPORTED_KEYWORDS.has(t.text)) {
      throw new PySyntaxError(t.line, t.column, `'${t.text}' statements are not supported (only assert, assignments and expressions)`);
    }
    if (t.kind === 'name' && t.text === 'assert') {
      this.i++;
      const test = this.expr();
      if (this.isOp(',')) {
        this.i++;
        return { kind: 'assert', test, message: this.expr(), line };
      }
      return { kind: 'assert', test, line };
    }
    const next = this.toks[this.i + 1];
    if (t.kind === 'name' && next !== undefined && next.kind === 'op' && ASSIGN_OPS.has(next.text)) {
      this.i += 2;
      return { kind: 'assign', target: t.text, op: next.text as PyAssignOp, value: this.expr(), line };
    }
    return { kind: 'expr', expr: this.exprOrTuple(), line };
  }

  private exprOrTuple(): PyExpr {
    const first = this.expr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.i++;
      if (this.isOp(')') || this.peek().kind === 'nl' || this.peek().kind === 'eof') break;
      items.push(this.expr());
    }
    return { kind: 'tuple', items };
  }

  expr(): PyExpr {
    return this.orExpr();
  }

  private orExpr(): PyExpr {
    let left = this.andExpr();
    while (this.isName('or')) {
      this.i++;
      left = { kind: 'binary', op: 'or', left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): PyExpr {
    let left = this.notExpr();
    while (this.isName('and')) {
      this.i++;
      left = { kind: 'binary', op: 'and', left, right: this.notExpr() };
    }
    return left;
  }

  private notExpr(): PyExpr {
    if (this.isName('not')) {
      this.i++;
      return { kind: 'unary', op: 'not', operand: this.notExpr() };
    }
    return this.comparison();
  }

  private comparison(): PyExpr {
    const first = this.binary(0);
    const rest: { op: PyCompareOp; right: PyExpr }[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !COMPARE_OPS.has(t.text)) break;
      this.i++;
      rest.push({ op: t.text as PyCompareOp, right: this.binary(0) });
    }
    return rest.length === 0 ? first : { kind: 'compare', first, rest };
  }

  private binary(level: number): PyExpr {
    const ops = BINARY_LEVELS[level];
    if (ops === undefined) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !ops.includes(t.text)) return left;
      this.i++;
      left = { kind: 'binary', op: t.text as PyBinaryOp, left, right: this.binary(level + 1) };
    }
  }

  private unary(): PyExpr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '~')) {
      this.i++;
      return { kind: 'unary', op: t.text, operand: this.unary() };
    }
    return this.power();
  }

  private power(): PyExpr {
    const base = this.atom();
    if (!this.isOp('**')) return base;
    this.i++;
    // `**` binds tighter than unary minus on its left and is right-associative.
    return { kind: 'binary', op: '**', left: base, right: this.unary() };
  }

  private atom(): PyExpr {
    const t = this.peek();
    if (t.kind === 'num') {
      this.i++;
      return { kind: 'num', value: pyNumber(t.text), text: t.text };
    }
    if (t.kind === 'str') {
      let value = '';
      while (this.peek().kind === 'str') value += this.toks[this.i++]?.value ?? '';
      return { kind: 'str', value };
    }
    if (t.kind === 'name') {
      if (t.text === 'lambda' || t.text === 'if') this.fail('an expression');
      this.i++;
      if (t.text === 'True' || t.text === 'False') return { kind: 'num', value: t.text === 'True' ? 1 : 0, text: t.text };
      if (this.isOp('.')) throw new PySyntaxError(this.peek().line, this.peek().column, 'attribute access is not supported');
      if (!this.isOp('(')) return { kind: 'name', name: t.text };
      this.i++;
      const args: PyExpr[] = [];
      while (!this.isOp(')')) {
        args.push(this.expr());
        if (this.isOp(',')) this.i++;
        else if (!this.isOp(')')) this.fail("',' or ')' in the call");
      }
      this.i++;
      return { kind: 'call', callee: t.text, args };
    }
    if (this.isOp('(')) {
      this.i++;
      const inner = this.exprOrTuple();
      if (!this.isOp(')')) this.fail("')'");
      this.i++;
      return inner;
    }
    return this.fail('an expression');
  }
}

/** Value of a Python numeric literal (underscores allowed, 0x/0o/0b prefixes). */
function pyNumber(text: string): number {
  const t = text.replace(/_/g, '').toLowerCase();
  if (t.startsWith('0x')) return parseInt(t.slice(2), 16);
  if (t.startsWith('0o')) return parseInt(t.slice(2), 8);
  if (t.startsWith('0b')) return parseInt(t.slice(2), 2);
  return Number(t);
}

/**
 * Parse the text of a `%{ }%` block. `line` / `column` give where the text starts in the
 * script, so errors and statement lines refer to script positions.
 */
export function parsePython(text: string, line: number, column: number): PyBlock {
  try {
    return { ok: true, statements: new PyParser(tokenizePy(text, line, column)).block() };
  } catch (e) {
    if (e instanceof PySyntaxError) return { ok: false, error: { line: e.line, column: e.column, message: e.message } };
    throw e;
  }
}
