/**
 * The `%{ }%` code blocks: kept verbatim (trimmed of spaces/tabs like packetdrill's
 * lexer) and, for the straight-line Python the corpus uses, parsed into an expression
 * tree with Python's precedence and chained comparisons (Python language reference 6.10,
 * 6.17), so a runner can evaluate `assert tcpi_snd_cwnd == 10` without Python.
 */
import { describe, expect, it } from 'vitest';
import { formatPyExpr, formatPyStmt } from '../../../tools/packetdrill/format.js';
import { parsePython, type PyBlock, type PyStmt } from '../../../tools/packetdrill/python.js';
import { eventOf } from './helpers.js';

/** The statements of a block that must parse. */
function stmts(code: string): readonly PyStmt[] {
  const b: PyBlock = parsePython(code, 1, 1);
  if (!b.ok) expect.fail(`python subset rejected: ${b.error.line}:${b.error.column}: ${b.error.message}`);
  return b.statements;
}

describe('code blocks in scripts', () => {
  it('keeps the trimmed text, its position, and the parsed assert', () => {
    const e = eventOf('+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%', 'code');
    expect(e.text).toBe('assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd');
    expect(e.codeLoc).toEqual({ line: 1, column: 4 });
    expect(e.python).toEqual({
      ok: true,
      statements: [
        {
          kind: 'assert',
          test: { kind: 'compare', first: { kind: 'name', name: 'tcpi_snd_cwnd' }, rest: [{ op: '==', right: { kind: 'num', value: 10, text: '10' } }] },
          message: { kind: 'name', name: 'tcpi_snd_cwnd' },
          line: 1,
        },
      ],
    });
  });

  it('numbers statements by script line in a multi-line block', () => {
    const e = eventOf('+0 %{\nassert 5000 <= tcpi_rtt <= 20000, "srtt=%d us" % tcpi_rtt\n# note\nprint(tcpi_rtt)\n}%', 'code');
    expect(e.python.ok && e.python.statements.map((s) => [s.kind, s.line])).toEqual([
      ['assert', 2],
      ['expr', 4],
    ]);
  });

  it('does not fail the script when the code is outside the subset, but says where', () => {
    const e = eventOf('+0 %{\nif tcpi_rtt > 0:\n  x = 1\n}%', 'code');
    expect(e.python).toEqual({ ok: false, error: { line: 2, column: 1, message: "'if' statements are not supported (only assert, assignments and expressions)" } });
  });
});

describe('parsePython', () => {
  it('reads bitwise tests against constants', () => {
    const [s] = stmts('assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0, tcpi_options');
    expect(s?.kind === 'assert' && formatPyExpr(s.test)).toBe('(tcpi_options & TCPI_OPT_SYN_DATA) != 0');
  });

  it('keeps chained comparisons as one node', () => {
    const [s] = stmts('assert 5000 <= tcpi_rtt <= 20000');
    expect(s).toMatchObject({ kind: 'assert', test: { kind: 'compare', rest: [{ op: '<=' }, { op: '<=' }] } });
  });

  it('reads assignments, augmented assignments and ;-separated statements', () => {
    expect(stmts('TCP_INFINITE_SSTHRESH = 0x7fffffff')).toMatchObject([{ kind: 'assign', target: 'TCP_INFINITE_SSTHRESH', op: '=', value: { value: 0x7fffffff } }]);
    expect(stmts('cwnd = 58; cwnd += 10;').map(formatPyStmt)).toEqual(['cwnd = 58', 'cwnd += 10']);
  });

  it('applies Python precedence: * over +, & over |, ** over unary minus, not over and', () => {
    const e = (src: string): string => {
      const [s] = stmts(src);
      return s?.kind === 'expr' ? formatPyExpr(s.expr) : '';
    };
    expect(e('a + b * c')).toBe('a + (b * c)');
    expect(e('a | b & c')).toBe('a | (b & c)');
    expect(e('-x ** 2')).toBe('-(x ** 2)');
    expect(e('not a == b and c')).toBe('(not (a == b)) and c');
    expect(e('a << 2 + 1')).toBe('a << (2 + 1)');
    expect(e('a // b % c')).toBe('(a // b) % c');
  });

  it('joins lines inside brackets and after a backslash', () => {
    expect(stmts('assert (a ==\n  1)\nx = 1 + \\\n 2').map(formatPyStmt)).toEqual(['assert a == 1', 'x = 1 + 2']);
  });

  it('reads string literals with escapes and implicit concatenation, and True/False', () => {
    expect(stmts("x = 'a\\n' \"b\"")).toMatchObject([{ value: { kind: 'str', value: 'a\nb' } }]);
    expect(stmts('x = True')).toMatchObject([{ value: { kind: 'num', value: 1 } }]);
  });

  it('rejects attribute access, unknown characters and unterminated strings with positions', () => {
    expect(parsePython('x = os.path', 7, 3)).toMatchObject({ ok: false, error: { line: 7, column: 9, message: 'attribute access is not supported' } });
    expect(parsePython('x = $', 1, 1)).toMatchObject({ ok: false, error: { column: 5 } });
    expect(parsePython("x = 'abc", 1, 1)).toMatchObject({ ok: false, error: { message: 'unterminated string literal' } });
    expect(parsePython('x = (1', 1, 1)).toMatchObject({ ok: false, error: { message: "expected ')', found end of code" } });
    expect(parsePython('x = 1 2', 1, 1)).toMatchObject({ ok: false, error: { message: "expected ';' or end of line after the statement, found '2'" } });
  });
});
