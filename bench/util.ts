/** Shared helpers for benchmarks: wall-clock timing (benchmarks may read real time; sim/ and stack/ never do). */

/** Wall seconds taken by fn. */
export async function timeIt(fn: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** The median of some numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs fn `reps` times and returns the median wall seconds. */
export async function medianTime(reps: number, fn: () => unknown): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) ts.push(await timeIt(fn));
  return median(ts);
}

/** Formats a rate with SI suffix. */
export function rate(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(1);
}
