/**
 * The event queue: a binary min-heap ordered by (time, insertion sequence), so events at the same virtual time run
 * in the order they were scheduled. Cancellation is lazy: a cancelled entry stays in the heap and is skipped when
 * it reaches the top, which keeps cancel O(1) (TCP cancels and re-arms timers on almost every ACK).
 */

/** A scheduled callback; `cancel()` stops it from running. */
export class Timer {
  /** @internal heap position is not tracked; cancellation is lazy. */
  cancelled = false;
  constructor(
    /** Virtual time (ns) at which it fires. */
    readonly time: number,
    /** Insertion sequence, the tie-breaker. */
    readonly seq: number,
    /** What runs. */
    readonly fn: () => void,
  ) {}

  /** Stops the timer; cancelling twice or after it fired is harmless. */
  cancel(): void {
    this.cancelled = true;
  }
}

/** A min-heap of timers keyed by (time, seq). */
export class EventQueue {
  private heap: Timer[] = [];
  private nextSeq = 0;

  /** Number of entries not yet run or cancelled-and-popped (cancelled ones still count until popped). */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules fn at time; returns the handle. */
  push(time: number, fn: () => void): Timer {
    const t = new Timer(time, this.nextSeq++, fn);
    const h = this.heap;
    h.push(t);
    this.siftUp(h.length - 1);
    return t;
  }

  /** Removes and returns the earliest live timer, or undefined when none is left. */
  pop(): Timer | undefined {
    while (this.heap.length > 0) {
      const top = this.removeTop();
      if (!top.cancelled) return top;
    }
    return undefined;
  }

  /** The time of the earliest live timer, or undefined. Drops cancelled entries on the way. */
  peekTime(): number | undefined {
    const h = this.heap;
    // Only cancelled entries may be removed here: pop() would also take (and lose) the live timer beneath them.
    while (h.length > 0 && h[0]!.cancelled) this.removeTop();
    return h.length > 0 ? h[0]!.time : undefined;
  }

  /** Removes and returns the heap's top entry, live or cancelled; the heap must not be empty. */
  private removeTop(): Timer {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private static before(a: Timer, b: Timer): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const item = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!EventQueue.before(item, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = item;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const item = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && EventQueue.before(h[r]!, h[l]!) ? r : l;
      if (!EventQueue.before(h[c]!, item)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = item;
  }
}
