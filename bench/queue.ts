/**
 * Event-queue throughput: how many schedule+run cycles per second socksim's scheduler sustains, next to a bare
 * binary heap of (time, seq) pairs doing the same work — the floor issue 9 compares the bulk benchmark against.
 */
import { EventQueue } from '../sim/queue.js';
import { Sim } from '../sim/sim.js';
import { medianTime, rate } from './util.js';

/** A minimal binary heap keyed by (time, seq): the reference floor. */
class BareHeap {
  t: number[] = [];
  s: number[] = [];
  f: (() => void)[] = [];
  push(time: number, seq: number, fn: () => void): void {
    const { t, s, f } = this;
    let i = t.length;
    t.push(time); s.push(seq); f.push(fn);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! < time || (t[p] === time && s[p]! < seq)) break;
      t[i] = t[p]!; s[i] = s[p]!; f[i] = f[p]!;
      i = p;
    }
    t[i] = time; s[i] = seq; f[i] = fn;
  }
  pop(): (() => void) | undefined {
    const { t, s, f } = this;
    if (t.length === 0) return undefined;
    const top = f[0];
    const lt = t.pop()!, ls = s.pop()!, lf = f.pop()!;
    const n = t.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (t[r]! < t[l]! || (t[r] === t[l] && s[r]! < s[l]!)) ? r : l;
        if (lt < t[c]! || (lt === t[c] && ls < s[c]!)) break;
        t[i] = t[c]!; s[i] = s[c]!; f[i] = f[c]!;
        i = c;
      }
      t[i] = lt; s[i] = ls; f[i] = lf;
    }
    return top;
  }
}

/** The work: `pending` timers live at once; each run schedules one more at a pseudo-random future time. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Wall seconds (median of `reps`) the bare heap takes for `events` pop+push cycles with `pending` timers live. */
async function bareHeapSeconds(events: number, pending: number, reps: number): Promise<number> {
  return medianTime(reps, () => {
    const h = new BareHeap();
    const r = lcg(1);
    let seq = 0, now = 0, n = 0;
    const fn = () => { n++; };
    for (let i = 0; i < pending; i++) h.push(Math.floor(r() * 1e6), seq++, fn);
    for (let i = 0; i < events; i++) {
      h.pop()!();
      now += 1;
      h.push(now + Math.floor(r() * 1e6), seq++, fn);
    }
    if (n !== events) throw new Error('bare heap lost events');
  });
}

/** The floor reference alone: events per second of the bare binary heap. */
export async function bareHeapRate(events = 2_000_000, pending = 1000, reps = 3): Promise<number> {
  return events / (await bareHeapSeconds(events, pending, reps));
}

/** Events per second of the bare heap, of EventQueue, and of the full Sim run loop (no processes). */
export async function queueBench(events = 2_000_000, pending = 1000): Promise<{ bare: number; queue: number; sim: number }> {
  const bareS = await bareHeapSeconds(events, pending, 3);
  const queueS = await medianTime(3, () => {
    const q = new EventQueue();
    const r = lcg(1);
    let now = 0, n = 0;
    const fn = () => { n++; };
    for (let i = 0; i < pending; i++) q.push(Math.floor(r() * 1e6), fn);
    for (let i = 0; i < events; i++) {
      const t = q.pop()!;
      now = t.time;
      t.fn();
      q.push(now + Math.floor(r() * 1e6), fn);
    }
    if (n !== events) throw new Error('queue lost events');
  });
  const simS = await medianTime(3, async () => {
    const sim = new Sim({ seed: 1, maxEvents: events });
    const r = lcg(1);
    let n = 0;
    const fn = () => {
      n++;
      if (n + pending <= events) sim.after(Math.floor(r() * 1e6), fn);
    };
    for (let i = 0; i < pending; i++) sim.after(Math.floor(r() * 1e6), fn);
    await sim.run();
  });
  return { bare: events / bareS, queue: events / queueS, sim: events / simS };
}

/** Prints the queue benchmark. */
export async function printQueueBench(): Promise<void> {
  const r = await queueBench();
  console.log('queue: schedule+run cycles per wall second (1000 pending timers)');
  console.log(`  bare binary heap (floor reference): ${rate(r.bare)}/s`);
  console.log(`  sim EventQueue:                     ${rate(r.queue)}/s  (ratio to bare ${(r.queue / r.bare).toFixed(2)})`);
  console.log(`  Sim.run loop:                       ${rate(r.sim)}/s  (ratio to bare ${(r.sim / r.bare).toFixed(2)})`);
}
