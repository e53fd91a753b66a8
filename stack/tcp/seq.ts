/**
 * Modular sequence-number arithmetic (RFC 9293 §3.4): sequence numbers live in a 32-bit space that wraps, and
 * comparisons are made on the signed 32-bit difference, as Linux's before()/after() do.
 */

/** a < b in sequence space. */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a ≤ b in sequence space. */
export function seqLeq(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** a > b in sequence space. */
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** a ≥ b in sequence space. */
export function seqGeq(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** a + n, wrapped to an unsigned 32-bit sequence number. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** The signed distance a − b (positive when a is after b). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** Whether lo ≤ x ≤ hi in sequence space (Linux's between()). */
export function seqBetween(x: number, lo: number, hi: number): boolean {
  return ((hi - lo) >>> 0) >= ((x - lo) >>> 0);
}

/** The later of a and b. */
export function seqMax(a: number, b: number): number {
  return ((a - b) | 0) >= 0 ? a : b;
}

/** The earlier of a and b. */
export function seqMin(a: number, b: number): number {
  return ((a - b) | 0) <= 0 ? a : b;
}
