/**
 * The event queue orders timers by (time, insertion sequence): DEVELOPERS.md's determinism rule "queue ties break by
 * insertion sequence". Cancelled timers never come out, and peekTime always agrees with the next pop.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { EventQueue, type Timer } from '../../../sim/queue.js';

/** One step against the queue: schedule at a time, cancel the k-th timer pushed so far, or pop one. */
type Op = { op: 'push'; time: number } | { op: 'cancel'; k: number } | { op: 'pop' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  // Times from a small range so that ties are common.
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 8 }).map((time) => ({ op: 'push' as const, time })) },
  { weight: 2, arbitrary: fc.nat({ max: 200 }).map((k) => ({ op: 'cancel' as const, k })) },
  { weight: 2, arbitrary: fc.constant({ op: 'pop' as const }) },
);

/** The reference model: the earliest live timer by (time, seq), found by a linear scan. */
function earliest(live: Timer[]): Timer | undefined {
  let best: Timer | undefined;
  for (const t of live) if (!best || t.time < best.time || (t.time === best.time && t.seq < best.seq)) best = t;
  return best;
}

describe('EventQueue', () => {
  test('equal times come out in insertion order', () => {
    const q = new EventQueue();
    const order: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) q.push(10, () => order.push(name));
    q.push(5, () => order.push('early'));
    for (let t = q.pop(); t; t = q.pop()) t.fn();
    expect(order).toEqual(['early', 'a', 'b', 'c', 'd', 'e']);
  });

  test('cancelled timers are skipped, and cancelling twice or after popping is harmless', () => {
    const q = new EventQueue();
    const a = q.push(1, () => {});
    const b = q.push(2, () => {});
    const c = q.push(3, () => {});
    b.cancel();
    b.cancel();
    expect(q.peekTime()).toBe(1);
    expect(q.pop()).toBe(a);
    a.cancel();
    expect(q.peekTime()).toBe(3);
    expect(q.pop()).toBe(c);
    expect(q.pop()).toBeUndefined();
    expect(q.peekTime()).toBeUndefined();
  });

  test('timers cancelled after they ran never hide later timers, however many pile up', () => {
    // A process's deadline timer is cancelled by its own wake-up, after it ran: the queue must forget such
    // cancellations (they can pile up past its sweep threshold) without losing or skipping live timers.
    const q = new EventQueue();
    const ran: number[] = [];
    for (let round = 0; round < 5; round++) {
      const fired: Timer[] = [];
      for (let i = 0; i < 400; i++) fired.push(q.push(round * 1000 + i, () => {}));
      for (let t = q.pop(); t; t = q.pop()) t.fn();
      for (const t of fired) t.cancel();
      const keep = q.push(round * 1000 + 500, () => ran.push(round));
      const drop = q.push(round * 1000 + 400, () => ran.push(-1));
      drop.cancel();
      expect(q.peekTime()).toBe(keep.time);
      const t = q.pop();
      expect(t).toBe(keep);
      t!.fn();
      expect(q.pop()).toBeUndefined();
    }
    expect(ran).toEqual([0, 1, 2, 3, 4]);
  });

  test.prop([fc.array(opArb, { maxLength: 300 })], { numRuns: 300 })(
    'any push/cancel/pop sequence pops exactly the live timers in (time, seq) order; peekTime agrees with pop and popFn',
    (ops) => {
      const q = new EventQueue();
      const pushed: Timer[] = [];
      const live: Timer[] = [];
      // pop (the handle, after peekTime, which drops cancelled entries itself) and popFn (the run loop's: the
      // callback and poppedTime, with no peekTime before it) take turns.
      let byFn = false;
      const checkPop = (): void => {
        const want = earliest(live);
        if (!byFn) expect(q.peekTime()).toBe(want?.time);
        if (byFn) {
          expect(q.popFn()).toBe(want?.fn);
          if (want) expect(q.poppedTime).toBe(want.time);
        } else {
          expect(q.pop()).toBe(want);
        }
        byFn = !byFn;
        if (want) live.splice(live.indexOf(want), 1);
      };
      for (const o of ops) {
        if (o.op === 'push') {
          const t = q.push(o.time, () => {});
          // seq is the insertion counter: strictly increasing across pushes.
          if (pushed.length > 0) expect(t.seq).toBeGreaterThan(pushed[pushed.length - 1]!.seq);
          pushed.push(t);
          live.push(t);
        } else if (o.op === 'cancel') {
          if (pushed.length === 0) continue;
          const t = pushed[o.k % pushed.length]!;
          t.cancel();
          const i = live.indexOf(t);
          if (i >= 0) live.splice(i, 1);
        } else {
          checkPop();
        }
      }
      // Drain: exactly the non-cancelled timers, in order, then nothing.
      while (live.length > 0) checkPop();
      expect(q.peekTime()).toBeUndefined();
      expect(q.pop()).toBeUndefined();
      expect(q.size).toBe(0);
    },
  );
});
