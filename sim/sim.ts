/**
 * The scheduler: virtual clock, event queue, random streams, processes and the event stream, driven by one run loop.
 *
 * Determinism with async processes: after every event the loop lets woken processes run (by yielding to the
 * microtask queue) until each of them has parked again or exited, before it takes the next event. Woken processes
 * take turns in wake order, each running until it parks, so the interleaving is a pure function of the events, and a
 * process killed before its turn (its host crashed in the event that woke it) never runs again.
 */
import { EventQueue, type Timer } from './queue.js';
import { RandomStreams } from './random.js';
import { Process, type ProcessHost, type WaitQueue, type WakeReason } from './process.js';
import { EV_NOTE, EV_PROC_EXIT, EV_PROC_START, EV_RANDOM, EV_TIMER, type EventSink, type SimEvent } from './events.js';
import { assertTime, formatTime } from './time.js';
import { widenFieldsOnce } from './repr.js';

/** Options of a run. */
export interface SimOptions {
  /** Master seed of every random stream. */
  seed: string | number;
  /** Stop with status 'time-limit' past this virtual time (ns). Default: 1 hour. */
  maxTimeNs?: number;
  /** Stop with status 'event-limit' after this many events. Default: 50 million. */
  maxEvents?: number;
  /** Where events go (a recorder or a replay comparator); none: events are not built at all. */
  sink?: EventSink | null;
}

/** How a run ended. */
export type RunStatus = 'completed' | 'idle' | 'stopped' | 'time-limit' | 'event-limit' | 'diverged';

/** The outcome of `Sim.run()`. */
export interface RunResult {
  status: RunStatus;
  /** A sentence for limit and divergence endings. */
  message: string | null;
  /** Virtual time when the run ended. */
  timeNs: number;
  /** Events executed by the queue. */
  events: number;
  /** Processes, in spawn order. */
  processes: { pid: number; name: string; owner: string; state: string; exitCode: number | null; error: string | null; blockedIn: string | null }[];
}

/** Thrown when a process awaits something the simulator does not control (real I/O, a real timer). */
export class ForeignAwaitError extends Error {}

/** Thrown by `Sim.stopWith` callers to end the run from inside an event (a replay divergence, for one). */
export class RunAbort extends Error {
  constructor(readonly status: RunStatus, message: string) {
    super(message);
  }
}

/** How many microtask turns a woken process may take to park again before we call it a foreign await. */
const SETTLE_SPIN_LIMIT = 100_000;
/**
 * How many simulator calls (syscalls) processes may make within one instant of virtual time before the run is
 * declared a busy loop: a process polling with non-blocking calls and never sleeping would otherwise spin forever
 * in wall time, since no event (and so no run bound) ever comes.
 */
const SETTLE_CALL_LIMIT = 20_000_000;

/** The deterministic scheduler. */
export class Sim implements ProcessHost {
  /** Current virtual time, ns. */
  now = 0;
  /** Named random streams of this run. */
  readonly random: RandomStreams;
  /** The event sink, or null when nothing observes events (callers test `sim.sink` before building one). */
  sink: EventSink | null;
  readonly maxTimeNs: number;
  readonly maxEvents: number;
  /** Events executed so far. */
  eventCount = 0;
  private readonly queue = new EventQueue();
  private readonly procs: Process[] = [];
  /** Processes resumed (or started) but not yet parked or exited, including those still waiting in `runnable`. */
  private active = 0;
  /** Woken processes whose turn has not come yet, in wake order, with the reason each will see. */
  private readonly runnable: { p: Process; why: WakeReason }[] = [];
  private stopRequested: string | null = null;
  private abort: RunAbort | null = null;
  private running = false;

  constructor(opts: SimOptions) {
    this.random = new RandomStreams(opts.seed);
    this.sink = opts.sink ?? null;
    this.maxTimeNs = opts.maxTimeNs ?? 3600e9;
    this.maxEvents = opts.maxEvents ?? 50_000_000;
    widenFieldsOnce('Sim', this, ['now']); // passes 2^30 ns after 1.07 s (sim/repr.ts)
  }

  /** Runs fn at absolute virtual time `time` (whole nanoseconds, not before now). */
  at(time: number, fn: () => void): Timer {
    this.checkEventTime(time);
    return this.queue.push(time, fn);
  }

  /** A NaN or fractional time would break the queue's ordering or the integer clock; a past one would move time back. */
  private checkEventTime(time: number): void {
    assertTime(time, 'event time');
    if (time < this.now) throw new RangeError(`cannot schedule in the past: ${formatTime(time)} < now ${formatTime(this.now)}`);
  }

  /** `at` for an event nobody will cancel: no handle is made (a frame's arrival, once per frame). */
  post(time: number, fn: () => void): void {
    this.checkEventTime(time);
    this.queue.post(time, fn);
  }

  /**
   * Whether a notional event at (time, seq) — seq from `reserveSeq()` — would have run by now: it is earlier, or at
   * this instant and scheduled before the event now running (ties run in scheduling order).
   */
  hasPassed(time: number, seq: number): boolean {
    return time < this.now || (time === this.now && seq < this.queue.poppedSeq);
  }

  /**
   * The insertion sequence an event scheduled now would get, without scheduling one. An owner that accounts for an
   * effect-free event lazily (it only ends something at a known time) compares it with `hasPassed` instead of paying
   * for a queue entry, and the run orders exactly as if the event had been queued.
   */
  reserveSeq(): number {
    return this.queue.reserveSeq();
  }

  /** Runs fn after `delay` ns. */
  after(delay: number, fn: () => void): Timer {
    return this.at(this.now + delay, fn);
  }

  /** Like `after`, and records a 'timer' event labelled `label` when it fires. */
  timer(delay: number, label: string, fn: () => void): Timer {
    return this.at(this.now + delay, () => {
      if (this.sink) this.sink.push([EV_TIMER, this.now, label]);
      fn();
    });
  }

  /** Appends an event [kind, now, ...fields] to the stream (no-op without a sink). */
  record(kind: string, ...fields: unknown[]): void {
    if (this.sink) this.sink.push([kind, this.now, ...fields]);
  }

  /** Records a random decision (a drop, a delay, an ISN, a port), so a replay can point at the first that differs. */
  decide(stream: string, what: string, value: unknown): void {
    if (this.sink) this.sink.push([EV_RANDOM, this.now, stream, what, value]);
  }

  /** Records a free-text annotation from a scenario. */
  note(text: string): void {
    if (this.sink) this.sink.push([EV_NOTE, this.now, text]);
  }

  /** Creates a process that starts at virtual time `at` (default: now). */
  spawn(name: string, owner: string, fn: (p: Process) => Promise<unknown>, at = this.now): Process {
    assertTime(at, 'spawn time');
    const p = new Process(this, this.procs.length + 1, name, owner);
    this.procs.push(p);
    this.at(at, () => {
      if (p.state !== 'new') return; // killed before it started
      p.state = 'running';
      this.active++;
      this.record(EV_PROC_START, p.pid, owner, name);
      let ret: Promise<unknown>;
      try {
        ret = fn(p);
      } catch (e) {
        ret = Promise.reject(e);
      }
      ret.then(
        (v) => this.finish(p, typeof v === 'number' ? v : 0, null),
        (e: unknown) => this.finish(p, 1, e instanceof Error ? e.message : String(e)),
      );
    });
    return p;
  }

  /** Processes in spawn order. */
  processes(): readonly Process[] {
    return this.procs;
  }

  /** Kills a process: it never runs again and its exit hooks run now (its host crashed, for instance). */
  kill(p: Process, why: string): void {
    if (!p.alive) return;
    const wasRunning = p.state === 'running';
    this.detach(p);
    this.unqueue(p);
    p.resume = null;
    if (wasRunning) this.active--;
    p.state = 'killed';
    p.error = why;
    this.record(EV_PROC_EXIT, p.pid, null, why);
    for (const h of p.exitHooks.splice(0)) h();
  }

  /** Asks the run loop to stop after the current event. */
  stop(reason = 'stopped by the scenario'): void {
    this.stopRequested = reason;
  }

  /** Ends the run now with a given status (used by the replay comparator on divergence). */
  abortRun(status: RunStatus, message: string): void {
    if (!this.abort) this.abort = new RunAbort(status, message);
  }

  /** @internal */
  blockProcess(p: Process, queues: readonly WaitQueue[], deadline: number | null): Promise<WakeReason> {
    // A past deadline is allowed (it times out at once, like poll(2) with a zero timeout), a fractional one is not.
    if (deadline !== null && !Number.isSafeInteger(deadline)) throw new RangeError(`deadline must be an integer of nanoseconds, got ${deadline}`);
    if (p.state !== 'running') {
      const state = p.state;
      if (state === 'blocked') {
        // The process is in fact still executing (it did not await its first blocking call). Undo that block so the
        // error unwinds a running process: it is then accounted for until it exits, and leaves no stale waiter behind.
        this.detach(p);
        p.resume = null;
        p.blockedIn = null;
        p.state = 'running';
        this.active++;
      }
      throw new Error(`process ${p.pid} (${p.name}) made a blocking call while ${state}: a process is one thread; spawn another process for concurrency`);
    }
    p.state = 'blocked';
    this.active--;
    for (const q of queues) q.waiters.add(p);
    p.waitingOn = queues;
    if (deadline !== null) p.deadlineTimer = this.queue.push(Math.max(deadline, this.now), () => this.wakeProcess(p, 'timeout'));
    return new Promise<WakeReason>((resolve) => {
      p.resume = resolve;
    });
  }

  /** @internal */
  wakeProcess(p: Process, why: WakeReason): void {
    if (p.state !== 'blocked') return;
    this.detach(p);
    p.state = 'running';
    p.blockedIn = null;
    this.active++;
    // Resumed later, by settle(), when its turn comes: resolving its promise now would let it run even if it is
    // killed before then, since a resolved promise cannot be taken back.
    this.runnable.push({ p, why });
  }

  /** Takes p out of the runnable list (it was killed or exited before its turn). */
  private unqueue(p: Process): void {
    const i = this.runnable.findIndex((r) => r.p === p);
    if (i >= 0) this.runnable.splice(i, 1);
  }

  private detach(p: Process): void {
    for (const q of p.waitingOn) q.waiters.delete(p);
    p.waitingOn = [];
    if (p.deadlineTimer) {
      p.deadlineTimer.cancel();
      p.deadlineTimer = null;
    }
  }

  private finish(p: Process, code: number, error: string | null): void {
    if (p.state === 'killed') return;
    if (p.state === 'running') this.active--;
    // A process can return with a block it never awaited: take it off its wait queues and cancel its deadline, or a
    // later wakeOne() would hand its wake-up to the dead process instead of a live waiter.
    this.detach(p);
    this.unqueue(p);
    p.resume = null;
    p.state = 'exited';
    p.exitCode = code;
    p.error = error;
    this.record(EV_PROC_EXIT, p.pid, code, error);
    for (const h of p.exitHooks.splice(0)) h();
  }

  /** Lets woken processes run, one at a time in wake order, until all have parked or exited. */
  /**
   * Tells the scheduler that the running process made a simulator call. Microtask turns are then not a sign of a
   * foreign await (that budget restarts), but the calls count towards the busy-loop bound.
   */
  progress(): void {
    this.spins = 0;
    if (++this.callsThisInstant > SETTLE_CALL_LIMIT) {
      const msg = `processes made ${SETTLE_CALL_LIMIT} calls at virtual time ${formatTime(this.now)} without letting time pass (a busy loop that never blocks or sleeps?)`;
      this.abortRun('event-limit', msg);
      throw new RunAbort('event-limit', msg); // ends the calling process; the run loop stops at the abort
    }
  }

  private spins = 0;
  private callsThisInstant = 0;

  private async settle(): Promise<void> {
    // One budget for the whole settle, not per turn: processes that wake each other forever never let an event
    // (hence a run bound) happen, and this budget is then all that ends the run.
    this.spins = 0;
    let turns = 0;
    while (this.active > 0) {
      if (this.active === this.runnable.length) {
        // Nobody is executing: the next woken process takes its turn, and runs until it parks or exits.
        const { p, why } = this.runnable.shift()!;
        const resume = p.resume!;
        p.resume = null;
        resume(why);
        turns++;
      }
      await null;
      if (++this.spins > SETTLE_SPIN_LIMIT) {
        const waiting = new Set(this.runnable.map((r) => r.p));
        const names = this.procs.filter((p) => p.state === 'running' && !waiting.has(p)).map((p) => `${p.pid} (${p.name})`);
        const livelock = turns > 1
          ? `, or processes keep waking each other with no virtual time passing (${turns} turns at ${formatTime(this.now)})`
          : '';
        throw new ForeignAwaitError(`process ${names.join(', ')} is awaiting something outside the simulation (real I/O or a real timer?)${livelock}; simulated processes may only await socksim calls`);
      }
    }
  }

  /** Runs until the queue is empty, `stop()` is called, or a bound is reached. */
  async run(): Promise<RunResult> {
    if (this.running) throw new Error('Sim.run() is already running');
    this.running = true;
    let status: RunStatus = 'completed';
    let message: string | null = null;
    try {
      await this.settle();
      for (;;) {
        if (this.abort) break;
        if (this.stopRequested !== null) {
          status = 'stopped';
          message = this.stopRequested;
          break;
        }
        const fn = this.queue.popFn();
        if (!fn) break;
        const time = this.queue.poppedTime;
        if (time > this.maxTimeNs) {
          status = 'time-limit';
          message = `run exceeded its bound of ${formatTime(this.maxTimeNs)} of virtual time after ${this.eventCount} events (next event at ${formatTime(time)})`;
          break;
        }
        if (this.eventCount >= this.maxEvents) {
          status = 'event-limit';
          message = `run exceeded its bound of ${this.maxEvents} events at virtual time ${formatTime(this.now)}`;
          break;
        }
        if (time !== this.now) this.callsThisInstant = 0;
        this.now = time;
        this.eventCount++;
        fn();
        if (this.active > 0) await this.settle();
      }
    } catch (e) {
      if (!(e instanceof RunAbort)) throw e;
      this.abort ??= e;
    } finally {
      this.running = false;
    }
    if (this.abort) {
      status = this.abort.status;
      message = this.abort.message;
    } else if (status === 'completed' && this.procs.some((p) => p.state === 'blocked')) {
      status = 'idle';
      message = 'no events left; some processes are blocked forever';
    }
    return {
      status,
      message,
      timeNs: this.now,
      events: this.eventCount,
      processes: this.procs.map((p) => ({
        pid: p.pid, name: p.name, owner: p.owner, state: p.state, exitCode: p.exitCode, error: p.error, blockedIn: p.blockedIn,
      })),
    };
  }
}

export type { SimEvent };
