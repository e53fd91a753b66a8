/**
 * The event queue: a 4-ary min-heap ordered by (time, insertion sequence), so events at the same virtual time run
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
    /** The queue it was scheduled on (null for a detached handle). */
    private readonly queue: EventQueue | null = null,
  ) {}

  /** Stops the timer; cancelling twice or after it fired is harmless. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.queue?.noteCancelled(this.seq);
  }
}

// Virtual times outgrow small integers after 1.07 s (sim/repr.ts).
widenFields(new Timer(0, 0, () => {}), ['time']);

/** How many cancelled sequence numbers may pile up before the ones no longer in the heap are forgotten. */
const CANCELLED_SWEEP = 256;

/**
 * A min-heap of timers keyed by (time, seq). Keys and callbacks live in arrays beside the handles (V8 keeps the
 * numbers unboxed and contiguous), and cancellations are remembered by sequence number, so running the queue
 * never loads a timer object: with thousands of frames in flight that object is cold in the cache by the time its
 * event comes, and comparing through it (then reading its flag) was most of the run loop's own time.
 */
export class EventQueue {
  /** The handles, or null for an entry `post` scheduled without one. */
  private heap: (Timer | null)[] = [];
  private times: number[] = [];
  private seqs: number[] = [];
  private fns: (() => void)[] = [];
  /** Sequence numbers of cancelled timers, some possibly already run or popped (swept now and then). */
  private readonly cancelled = new Set<number>();
  private nextSeq = 0;
  /** Time of the entry `popFn` returned last. */
  poppedTime = 0;
  /** Sequence number of the entry `popFn` returned last (-1 before the first). */
  poppedSeq = -1;

  /** Number of entries not yet run or cancelled-and-popped (cancelled ones still count until popped). */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules fn at time; returns the handle. */
  push(time: number, fn: () => void): Timer {
    const seq = this.nextSeq++;
    const t = new Timer(time, seq, fn, this);
    this.insert(t, time, seq, fn);
    return t;
  }

  /**
   * Schedules fn at time with no handle, so it cannot be cancelled: for the events nobody ever cancels (a frame
   * reaching the far end of a link), which then cost no object.
   */
  post(time: number, fn: () => void): void {
    this.insert(null, time, this.nextSeq++, fn);
  }

  private insert(t: Timer | null, time: number, seq: number, fn: () => void): void {
    let i = this.heap.length;
    this.heap.push(t);
    this.times.push(time);
    this.seqs.push(seq);
    this.fns.push(fn);
    // Sift up: a new entry's seq is the largest, so it only passes parents strictly later in time.
    const ts = this.times;
    while (i > 0) {
      const p = (i - 1) >> 2;
      if (ts[p]! <= time) break;
      this.move(p, i);
      i = p;
    }
    this.place(i, t, time, seq, fn);
  }

  /**
   * Takes the sequence number an entry pushed now would get, without pushing one: for an event whose only effect is
   * accounted for lazily by its owner (stack/link.ts's transmitter departures), which must still order against the
   * others exactly as a pushed entry would.
   */
  reserveSeq(): number {
    return this.nextSeq++;
  }

  /** Removes and returns the earliest live timer, or undefined when none is left. */
  pop(): Timer | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0] ?? new Timer(this.times[0]!, this.seqs[0]!, this.fns[0]!);
      if (this.removeTop()) return top;
    }
    return undefined;
  }

  /**
   * Removes the earliest live timer and returns its callback (its time in `poppedTime`), or undefined when none is
   * left: `pop` without touching the timer object.
   */
  popFn(): (() => void) | undefined {
    while (this.heap.length > 0) {
      const fn = this.fns[0]!;
      const time = this.times[0]!;
      const seq = this.seqs[0]!;
      if (this.removeTop()) {
        this.poppedTime = time;
        this.poppedSeq = seq;
        return fn;
      }
    }
    return undefined;
  }

  /** The time of the earliest live timer, or undefined. Drops cancelled entries on the way. */
  peekTime(): number | undefined {
    // Only cancelled entries may be removed here: pop() would also take (and lose) the live timer beneath them.
    while (this.heap.length > 0 && this.cancelled.size > 0 && this.cancelled.has(this.seqs[0]!)) this.removeTop();
    return this.heap.length > 0 ? this.times[0] : undefined;
  }

  /** @internal Timer.cancel: remembers that the entry `seq` must not run. */
  noteCancelled(seq: number): void {
    this.cancelled.add(seq);
    // Timers cancelled after they ran (a process's deadline, cancelled by its own wake-up) are never popped again:
    // forget those now and then, so the set stays about as small as the number of cancelled entries in the heap.
    if (this.cancelled.size > CANCELLED_SWEEP && this.cancelled.size > this.heap.length) {
      const inHeap = new Set(this.seqs);
      for (const s of this.cancelled) if (!inHeap.has(s)) this.cancelled.delete(s);
    }
  }

  /** Removes the heap's top entry (the heap must not be empty); returns whether it was live (not cancelled). */
  private removeTop(): boolean {
    const h = this.heap, ts = this.times, ss = this.seqs, fs = this.fns;
    const live = this.cancelled.size === 0 || !this.cancelled.delete(ss[0]!);
    const last = h.pop()!;
    const lt = ts.pop()!;
    const ls = ss.pop()!;
    const lf = fs.pop()!;
    const n = h.length;
    if (n === 0) return live;
    // Sift the last entry down from the root (a 4-ary heap: half the depth of a binary one, and the four
    // children's keys are adjacent).
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      let c = first;
      let ct = ts[first]!;
      let cs = ss[first]!;
      const end = first + 4 < n ? first + 4 : n;
      for (let k = first + 1; k < end; k++) {
        const kt = ts[k]!;
        if (kt < ct || (kt === ct && ss[k]! < cs)) {
          c = k;
          ct = kt;
          cs = ss[k]!;
        }
      }
      if (lt < ct || (lt === ct && ls < cs)) break;
      this.move(c, i);
      i = c;
    }
    this.place(i, last, lt, ls, lf);
    return live;
  }

  /** Copies entry `from` to slot `to`. */
  private move(from: number, to: number): void {
    this.heap[to] = this.heap[from]!;
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.fns[to] = this.fns[from]!;
  }

  /** Writes an entry into slot i. */
  private place(i: number, t: Timer | null, time: number, seq: number, fn: () => void): void {
    this.heap[i] = t;
    this.times[i] = time;
    this.seqs[i] = seq;
    this.fns[i] = fn;
  }
}
