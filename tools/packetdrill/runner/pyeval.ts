/**
 * Evaluates the Python subset of `%{ }%` blocks (parsed by ../python.ts) with Python 3 semantics for what the
 * corpus uses: int/float arithmetic (`/` true division, `//` and `%` floor towards -inf), bitwise operators,
 * chained comparisons, `and`/`or`/`not`, `assert test, msg`, assignments that persist from one block to the next
 * (packetdrill runs every block in one interpreter), `print`, and `'%d' % x` formatting of messages.
 */
import type { PyBinaryOp, PyExpr, PyStmt } from '../python.js';

/** A Python value in this subset. */
export type PyValue = number | string | boolean | PyValue[];

/** A failed `assert` or a runtime error, with the Python-style message. */
export class PyError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

function truthy(v: PyValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.length > 0;
  return v !== 0 && v !== false;
}

function num(v: PyValue, line: number): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  throw new PyError(`TypeError: unsupported operand type(s): '${typeName(v)}'`, line);
}

function typeName(v: PyValue): string {
  return Array.isArray(v) ? 'tuple' : typeof v === 'string' ? 'str' : typeof v === 'boolean' ? 'bool' : Number.isInteger(v) ? 'int' : 'float';
}

/** str() of a value. */
export function pyStr(v: PyValue): string {
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(', ')}${v.length === 1 ? ',' : ''})`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' && !Number.isInteger(v)) return String(v);
  return String(v);
}

function pyRepr(v: PyValue): string {
  return typeof v === 'string' ? `'${v}'` : pyStr(v);
}

/** `fmt % args` for %d %i %u %s %r %x %X %f %%. */
function format(fmt: string, args: PyValue, line: number): string {
  const list = Array.isArray(args) ? args : [args];
  let i = 0;
  return fmt.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([diusrxXf%])/g, (_m, _flags: string, width: string, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const v = list[i++];
    if (v === undefined) throw new PyError('TypeError: not enough arguments for format string', line);
    let s: string;
    switch (conv) {
      case 's': s = pyStr(v); break;
      case 'r': s = pyRepr(v); break;
      case 'x': s = Math.trunc(num(v, line)).toString(16); break;
      case 'X': s = Math.trunc(num(v, line)).toString(16).toUpperCase(); break;
      case 'f': s = num(v, line).toFixed(prec === undefined ? 6 : Number(prec)); break;
      default: s = String(Math.trunc(num(v, line)));
    }
    return width ? s.padStart(Number(width)) : s;
  });
}

function binary(op: PyBinaryOp, a: PyValue, b: PyValue, line: number): PyValue {
  if (op === '%' && typeof a === 'string') return format(a, b, line);
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  const x = num(a, line), y = num(b, line);
  const ints = Number.isInteger(x) && Number.isInteger(y);
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/':
      if (y === 0) throw new PyError('ZeroDivisionError: division by zero', line);
      return x / y;
    case '//':
      if (y === 0) throw new PyError('ZeroDivisionError: integer division or modulo by zero', line);
      return Math.floor(x / y);
    case '%':
      if (y === 0) throw new PyError('ZeroDivisionError: integer modulo by zero', line);
      return x - y * Math.floor(x / y);
    case '**': return x ** y;
    default:
      if (!ints) throw new PyError(`TypeError: unsupported operand type(s) for ${op}: 'float'`, line);
      // Bitwise operators on Python's unbounded ints: BigInt keeps 64-bit TCP_INFO fields exact.
      return Number(bitwise(op, BigInt(x), BigInt(y)));
  }
}

function bitwise(op: PyBinaryOp, x: bigint, y: bigint): bigint {
  switch (op) {
    case '&': return x & y;
    case '|': return x | y;
    case '^': return x ^ y;
    case '<<': return x << y;
    default: return x >> y;
  }
}

function compare(op: string, a: PyValue, b: PyValue, line: number): boolean {
  if (typeof a === 'string' || typeof b === 'string') {
    if (op === '==') return a === b;
    if (op === '!=') return a !== b;
    if (typeof a !== 'string' || typeof b !== 'string') throw new PyError("TypeError: '<' not supported between 'str' and a number", line);
  }
  const x = typeof a === 'string' ? a : num(a, line), y = typeof b === 'string' ? b : num(b, line);
  switch (op) {
    case '==': return x === y;
    case '!=': return x !== y;
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    default: return x >= y;
  }
}

/** One interpreter: variables persist across blocks; `print` output is collected. */
export class PyInterpreter {
  readonly globals = new Map<string, PyValue>();
  readonly output: string[] = [];

  constructor(constants: ReadonlyMap<string, number>) {
    for (const [k, v] of constants) this.globals.set(k, v);
  }

  /** Runs a block with `bound` names (the tcpi_* snapshot) set first; throws PyError on a failed assert. */
  run(stmts: readonly PyStmt[], bound: ReadonlyMap<string, number>): void {
    for (const [k, v] of bound) this.globals.set(k, v);
    for (const s of stmts) this.exec(s);
  }

  private exec(s: PyStmt): void {
    switch (s.kind) {
      case 'assert':
        if (!truthy(this.eval(s.test, s.line))) {
          const msg = s.message === undefined ? '' : `: ${pyStr(this.eval(s.message, s.line))}`;
          throw new PyError(`AssertionError${msg}`, s.line);
        }
        return;
      case 'assign': {
        const v = this.eval(s.value, s.line);
        if (s.op === '=') this.globals.set(s.target, v);
        else {
          const old = this.globals.get(s.target);
          if (old === undefined) throw new PyError(`NameError: name '${s.target}' is not defined`, s.line);
          this.globals.set(s.target, binary(s.op.slice(0, -1) as PyBinaryOp, old, v, s.line));
        }
        return;
      }
      case 'expr':
        this.eval(s.expr, s.line);
    }
  }

  private eval(e: PyExpr, line: number): PyValue {
    switch (e.kind) {
      case 'num': return e.value;
      case 'str': return e.value;
      case 'name': {
        const v = this.globals.get(e.name);
        if (v === undefined) throw new PyError(`NameError: name '${e.name}' is not defined`, line);
        return v;
      }
      case 'tuple': return e.items.map((i) => this.eval(i, line));
      case 'unary': {
        const v = this.eval(e.operand, line);
        if (e.op === 'not') return !truthy(v);
        const n = num(v, line);
        return e.op === '-' ? -n : e.op === '+' ? n : Number(~BigInt(Math.trunc(n)));
      }
      case 'binary': {
        const a = this.eval(e.left, line);
        if (e.op === 'and') return truthy(a) ? this.eval(e.right, line) : a;
        if (e.op === 'or') return truthy(a) ? a : this.eval(e.right, line);
        return binary(e.op, a, this.eval(e.right, line), line);
      }
      case 'compare': {
        let left = this.eval(e.first, line);
        for (const r of e.rest) {
          const right = this.eval(r.right, line);
          if (!compare(r.op, left, right, line)) return false;
          left = right;
        }
        return true;
      }
      case 'call': return this.call(e.callee, e.args.map((a) => this.eval(a, line)), line);
    }
  }

  private call(name: string, args: PyValue[], line: number): PyValue {
    const a0 = args[0];
    switch (name) {
      case 'print':
        this.output.push(args.map(pyStr).join(' '));
        return 0;
      case 'int': return a0 === undefined ? 0 : Math.trunc(typeof a0 === 'string' ? Number(a0) : num(a0, line));
      case 'float': return a0 === undefined ? 0 : typeof a0 === 'string' ? Number(a0) : num(a0, line);
      case 'abs': return Math.abs(num(a0 ?? 0, line));
      case 'min': return Math.min(...args.map((x) => num(x, line)));
      case 'max': return Math.max(...args.map((x) => num(x, line)));
      case 'round': return Math.round(num(a0 ?? 0, line));
      case 'str': return a0 === undefined ? '' : pyStr(a0);
      case 'hex': return `0x${Math.trunc(num(a0 ?? 0, line)).toString(16)}`;
      case 'len':
        if (typeof a0 === 'string' || Array.isArray(a0)) return a0.length;
        throw new PyError('TypeError: object has no len()', line);
      case 'bool': return a0 !== undefined && truthy(a0);
      default:
        throw new PyError(`NameError: name '${name}' is not defined`, line);
    }
  }
}
