/**
 * The event queue: a binary min-heap ordered by (time, insertion sequence), so events at the same virtual time run
 * in the order they were scheduled. Cancellation is lazy: a cancelled entry stays in the heap and is skipped when
 * it reaches the top, which keeps cancel O(1) (TCP cancels and re-arms timers on almost every ACK).
 */
import { widenFields } from './repr.js';

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

// Virtual times outgrow small integers after 1.07 s (sim/repr.ts).
widenFields(new Timer(0, 0, () => {}), ['time']);

/**
 * A min-heap of timers keyed by (time, seq). The keys live in arrays of plain numbers beside the timers (V8 keeps
 * them unboxed and contiguous), so sifting compares numbers in place instead of loading each timer object: with
 * thousands of frames in flight the comparisons, not the moves, were the cost.
 */
export class EventQueue {
  private heap: Timer[] = [];
  private times: number[] = [];
  private seqs: number[] = [];
  private nextSeq = 0;

  /** Number of entries not yet run or cancelled-and-popped (cancelled ones still count until popped). */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules fn at time; returns the handle. */
  push(time: number, fn: () => void): Timer {
    const seq = this.nextSeq++;
    const t = new Timer(time, seq, fn);
    const h = this.heap, ts = this.times, ss = this.seqs;
    let i = h.length;
    h.push(t);
    ts.push(time);
    ss.push(seq);
    // Sift up: a new entry's seq is the largest, so it only passes parents strictly later in time.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (ts[p]! <= time) break;
      this.move(p, i);
      i = p;
    }
    this.place(i, t, time, seq);
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
    return h.length > 0 ? this.times[0] : undefined;
  }

  /** Removes and returns the heap's top entry, live or cancelled; the heap must not be empty. */
  private removeTop(): Timer {
    const h = this.heap, ts = this.times, ss = this.seqs;
    const top = h[0]!;
    const last = h.pop()!;
    const lt = ts.pop()!;
    const ls = ss.pop()!;
    const n = h.length;
    if (n === 0) return top;
    // Sift the last entry down from the root.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      let ct = ts[l]!;
      const r = l + 1;
      if (r < n) {
        const rt = ts[r]!;
        if (rt < ct || (rt === ct && ss[r]! < ss[l]!)) {
          c = r;
          ct = rt;
        }
      }
      if (lt < ct || (lt === ct && ls < ss[c]!)) break;
      this.move(c, i);
      i = c;
    }
    this.place(i, last, lt, ls);
    return top;
  }

  /** Copies entry `from` to slot `to`. */
  private move(from: number, to: number): void {
    this.heap[to] = this.heap[from]!;
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
  }

  /** Writes an entry into slot i. */
  private place(i: number, t: Timer, time: number, seq: number): void {
    this.heap[i] = t;
    this.times[i] = time;
    this.seqs[i] = seq;
  }
}
