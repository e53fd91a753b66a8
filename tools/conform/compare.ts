/**
 * Comparing socksim with a golden, step by step. A step agrees when both sides have a result and the return value,
 * errno and outputs match, or when neither has one (the process blocked or died before it on both). Values that
 * are chosen at random on both sides are compared by kind: fd numbers (any fd is as good as another), ephemeral
 * ports (net.ipv4.ip_local_port_range, 32768–60999), and AF_UNIX autobind names ("\0" and five hex digits).
 */
import { formatOp } from '../../scenarios/data/format.js';
import { sym } from '../../scenarios/data/constants.js';
import type { OpResult } from '../../scenarios/data/interpret.js';
import type { Op, ScenarioData } from '../../scenarios/data/schema.js';
import { EPHEMERAL_PORT_HIGH, EPHEMERAL_PORT_LOW, F_DUPFD, F_DUPFD_CLOEXEC } from '../../stack/constants.js';
import { stepKey, type StepResult } from './golden.js';

/** One step where socksim and Linux disagree. */
export interface Disagreement {
  case: string;
  /** "p0#3". */
  step: string;
  /** The call as socksim shows it: "connect(fd[0], b:9000)". */
  call: string;
  socksim: string;
  linux: string;
}

/** The comparison of one case. */
export interface CaseComparison {
  case: string;
  steps: number;
  agreed: number;
  /** Steps left out because Linux itself gave different results on different runs. */
  unstable: number;
  disagreements: Disagreement[];
}

/** The trace of a socksim run reduced to the golden's form. */
export function traceSteps(results: readonly OpResult[]): StepResult[] {
  return results.map((r) => {
    const s: StepResult = { p: r.process, i: r.index, op: r.op, ret: r.ret, errno: r.errno };
    if (r.out !== undefined) s.out = r.out;
    return s;
  });
}

/** Whether an op returns a new fd (its number is not compared, only that it is one). */
export function returnsFd(op: Op): boolean {
  if (op.op === 'fcntl') {
    const cmd = sym(op.cmd);
    return cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC;
  }
  return op.op === 'socket' || op.op === 'accept' || op.op === 'dup' || op.op === 'epoll_create';
}

/** Outputs with the values both kernels choose at random replaced by their kind. */
export function normalizeOut(out: string | undefined): string {
  if (out === undefined) return '';
  return out
    .replace(/(\d+\.\d+\.\d+\.\d+|\]):(\d+)/g, (m, host: string, port: string) => {
      const n = Number(port);
      return n >= EPHEMERAL_PORT_LOW && n <= EPHEMERAL_PORT_HIGH ? `${host}:<ephemeral>` : m;
    })
    .replace(/unix:@[0-9a-f]{5}(?![0-9A-Za-z_.-])/g, 'unix:@<autobind>');
}

/** A result as a short text: "-1 ECONNREFUSED", "fd", "5 d=68656c6c6f". */
export function resultText(r: StepResult | undefined, fdLike: boolean): string {
  if (!r) return 'no result (the process was blocked or gone)';
  const ret = r.ret === -1 && r.errno ? `-1 ${r.errno}` : fdLike && r.ret >= 0 ? `fd (${r.ret})` : String(r.ret);
  return r.out ? `${ret} ${r.out}` : ret;
}

/** What is compared of a result: two results agree exactly when their signatures are equal. */
export function stepSignature(r: StepResult | undefined, fdLike: boolean): string {
  if (!r) return 'none';
  const ret = fdLike && r.ret >= 0 ? 'fd' : String(r.ret);
  return JSON.stringify([r.op, ret, r.errno, normalizeOut(r.out)]);
}

function same(a: StepResult, b: StepResult, fdLike: boolean): boolean {
  return stepSignature(a, fdLike) === stepSignature(b, fdLike);
}

/** Compares socksim's steps with Linux's for one case. */
export function compareCase(name: string, data: ScenarioData, socksim: readonly StepResult[], linux: readonly StepResult[],
  opts: { unstable?: readonly string[] } = {}): CaseComparison {
  const mine = new Map(socksim.map((r) => [stepKey(r), r]));
  const theirs = new Map(linux.map((r) => [stepKey(r), r]));
  const unstable = new Set(opts.unstable ?? []);
  const cmp: CaseComparison = { case: name, steps: 0, agreed: 0, unstable: 0, disagreements: [] };
  data.processes.forEach((p, pi) => p.ops.forEach((op, i) => {
    const key = `p${pi}#${i}`;
    const a = mine.get(key), b = theirs.get(key);
    if (!a && !b) return; // neither side reached it: not a step of this run
    if (unstable.has(key)) {
      cmp.unstable++;
      return;
    }
    cmp.steps++;
    const fdLike = returnsFd(op);
    if (a && b && same(a, b, fdLike)) {
      cmp.agreed++;
      return;
    }
    cmp.disagreements.push({ case: name, step: key, call: formatOp(op), socksim: resultText(a, fdLike), linux: resultText(b, fdLike) });
  }));
  return cmp;
}
