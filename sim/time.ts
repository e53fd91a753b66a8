/**
 * Virtual time: integer nanoseconds held in a JS number. 2^53 ns is about 104 days of simulated time, far beyond
 * any run bound, and a number keeps the hot path free of BigInt arithmetic.
 */

/** Nanoseconds per unit. */
export const NS = 1, US = 1_000, MS = 1_000_000, SEC = 1_000_000_000;

/** Milliseconds → nanoseconds (rounded to an integer). */
export function ms(n: number): number {
  return Math.round(n * MS);
}

/** Seconds → nanoseconds (rounded to an integer). */
export function sec(n: number): number {
  return Math.round(n * SEC);
}

/** Microseconds → nanoseconds (rounded to an integer). */
export function us(n: number): number {
  return Math.round(n * US);
}

/** Formats a virtual time as seconds with nanosecond precision, e.g. "1.040000000s". */
export function formatTime(ns: number): string {
  const s = Math.floor(ns / SEC);
  const frac = String(ns - s * SEC).padStart(9, '0');
  return `${s}.${frac}s`;
}

/** Throws unless t is a non-negative safe integer: every time in socksim is whole nanoseconds. */
export function assertTime(t: number, what: string): void {
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`${what} must be a non-negative integer of nanoseconds, got ${t}`);
}
