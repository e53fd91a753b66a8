/**
 * Shrinking a failing scenario: greedy delta debugging over the scenario data. It tries removing processes,
 * faults, chunks of operations and single operations, then milder settings (no loss, zero latency, shorter data),
 * keeping each change under which the property still fails, until no change helps or the attempt budget runs out.
 * Working on the data itself (not on a generator's internal state) means an old recording can be shrunk again.
 */
import type { ScenarioData } from '../data/schema.js';

/** What the shrinker reports. */
export interface ShrinkResult {
  scenario: ScenarioData;
  /** The failure message of the smallest case. */
  message: string;
  /** Property evaluations spent. */
  attempts: number;
}

/** Operations in a scenario. */
export function countOps(s: ScenarioData): number {
  return s.processes.reduce((n, p) => n + p.ops.length, 0);
}

/** Size of a scenario for comparisons: operations first, then faults, processes, hosts. */
function weight(s: ScenarioData): number {
  return countOps(s) * 1000 + s.faults.length * 100 + s.processes.length * 10 + s.hosts.length;
}

const clone = (s: ScenarioData): ScenarioData => structuredClone(s);

/** Candidate simplifications of s, biggest first. */
function* candidates(s: ScenarioData): Generator<ScenarioData> {
  for (let i = 0; i < s.processes.length; i++) {
    const c = clone(s);
    c.processes.splice(i, 1);
    yield c;
  }
  for (let i = 0; i < s.faults.length; i++) {
    const c = clone(s);
    c.faults.splice(i, 1);
    yield c;
  }
  for (let pi = 0; pi < s.processes.length; pi++) {
    const n = s.processes[pi]!.ops.length;
    for (let chunk = n >> 1; chunk >= 1; chunk >>= 1) {
      for (let start = n - chunk; start >= 0; start -= chunk) {
        const c = clone(s);
        c.processes[pi]!.ops.splice(start, chunk);
        yield c;
      }
    }
  }
  // Hosts that nothing references any more (and their links).
  for (let hi = s.hosts.length - 1; hi >= 0; hi--) {
    const h = s.hosts[hi]!;
    const text = JSON.stringify([s.processes, s.faults]);
    if (text.includes(`"${h}"`)) continue;
    const links = s.links.filter((l) => l.a === h || l.b === h);
    if (links.length > 1) continue; // removing an inner node would disconnect the tree
    const c = clone(s);
    c.hosts.splice(hi, 1);
    c.links = c.links.filter((l) => l.a !== h && l.b !== h);
    yield c;
  }
  // Milder settings.
  for (let li = 0; li < s.links.length; li++) {
    for (const k of ['loss', 'duplicate', 'reorder', 'corrupt', 'jitterMs', 'latencyMs', 'reorderDelayMs'] as const) {
      if (s.links[li]![k] === undefined) continue;
      const c = clone(s);
      delete c.links[li]![k];
      yield c;
    }
  }
  for (let fi = 0; fi < s.faults.length; fi++) {
    if (s.faults[fi]!.at === 0) continue;
    const c = clone(s);
    c.faults[fi]!.at = 0;
    yield c;
  }
  for (let pi = 0; pi < s.processes.length; pi++) {
    const p = s.processes[pi]!;
    if (p.startMs) {
      const c = clone(s);
      c.processes[pi]!.startMs = 0;
      yield c;
    }
    for (let oi = 0; oi < p.ops.length; oi++) {
      const op = p.ops[oi]!;
      const smaller = (mut: (o: Record<string, unknown>) => void) => {
        const c = clone(s);
        mut(c.processes[pi]!.ops[oi] as unknown as Record<string, unknown>);
        return c;
      };
      if ('data' in op && 'len' in op.data && op.data.len > 1) yield smaller((o) => { o.data = { len: 1 }; });
      if ('data' in op && 'len' in op.data && op.data.len > 0) yield smaller((o) => { o.data = { len: 0 }; });
      if (op.op === 'sleep' && op.ms > 0) yield smaller((o) => { o.ms = 0; });
      if ('fd' in op && op.fd > 0) yield smaller((o) => { o.fd = 0; });
      if ('flags' in op && op.flags !== undefined) yield smaller((o) => { delete o.flags; });
      if ('expect' in op && op.expect) yield smaller((o) => { delete o.expect; });
    }
  }
}

/**
 * The "same bug" test of shrinking: a smaller case is kept only if it fails with the same message once numbers
 * are set aside (sizes, times and indices change as a case shrinks; the kind of failure must not). Without it a
 * shrink step that deletes, say, the socket() call would swap the bug for a trivial EBADF.
 */
export function failureSignature(message: string): string {
  // Which process and operation failed may change as the case shrinks; what the call returned may not, except
  // that positive counts (lengths) shrink with the data: 0 (end of file) and -1 ERRNO stay distinct from them.
  return message
    .replace(/process \d+/g, 'process P').replace(/#\d+/g, '#I').replace(/\d+ ns/g, 'T ns')
    .replace(/\b[1-9]\d*\b/g, 'N');
}

/**
 * Shrinks a failing scenario. `fails` runs the property and returns its failure message, or null when it holds.
 */
export async function shrinkScenario(start: ScenarioData, firstMessage: string, fails: (s: ScenarioData) => Promise<string | null>,
  budget = 3000): Promise<ShrinkResult> {
  const signature = failureSignature(firstMessage);
  let best = start;
  let message = firstMessage;
  let attempts = 0;
  let progress = true;
  while (progress && attempts < budget) {
    progress = false;
    for (const c of candidates(best)) {
      if (attempts >= budget) break;
      if (weight(c) > weight(best)) continue;
      attempts++;
      const m = await fails(c);
      if (m !== null && failureSignature(m) === signature) {
        best = c;
        message = m;
        progress = true;
        break; // restart from the biggest simplifications of the new best
      }
    }
  }
  return { scenario: best, message, attempts };
}
