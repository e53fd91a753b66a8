/**
 * A single-threaded event loop for server processes, as BIND and Unbound run one: fds watched for poll(2) events
 * and timers in virtual time, served by one ppoll(2) call at a time. Handlers run one after another, in fd
 * registration order and then timer order, so a server's behaviour is a function of what arrives and when.
 */
import type { PollFd } from '../poll.js';
import type { Sys } from '../sys.js';

/** A watched fd's handler: called with the revents ppoll reported. */
export type ReadyHandler = (revents: number) => Promise<void>;

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => Promise<void>;
}

/** The event loop of one server process. */
export class Reactor {
  private readonly watches = new Map<number, { events: number; handler: ReadyHandler }>();
  private timers: Timer[] = [];
  private nextTimerId = 1;
  private stopped = false;

  constructor(private readonly sys: Sys) {}

  /** Watches `fd` for `events` (replacing an earlier watch of it). */
  watch(fd: number, events: number, handler: ReadyHandler): void {
    this.watches.set(fd, { events, handler });
  }

  /** Stops watching `fd`. */
  unwatch(fd: number): void {
    this.watches.delete(fd);
  }

  /** Runs `fn` at virtual time `at` (ns); returns an id for clearTimer. */
  setTimer(at: number, fn: () => Promise<void>): number {
    const t: Timer = { id: this.nextTimerId++, at, fn };
    // Keep timers sorted by time, ties in the order they were set.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.at > at) i--;
    this.timers.splice(i, 0, t);
    return t.id;
  }

  /** Cancels a timer (unknown ids are ignored). */
  clearTimer(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Ends run() after the current round. */
  stop(): void {
    this.stopped = true;
  }

  /** Serves events until stop(), or until nothing is watched and no timer is left. */
  async run(): Promise<void> {
    while (!this.stopped && (this.watches.size > 0 || this.timers.length > 0)) {
      const fds: PollFd[] = [...this.watches].map(([fd, w]) => ({ fd, events: w.events, revents: 0 }));
      const next = this.timers[0];
      const waitNs = next === undefined ? null : Math.max(0, next.at - this.sys.now);
      const timeout = waitNs === null ? null : { sec: Math.floor(waitNs / 1e9), nsec: waitNs % 1e9 };
      const n = await this.sys.ppoll(fds, fds.length, timeout);
      if (n < 0) throw new Error(`reactor: ppoll failed with errno ${this.sys.errno}`);
      for (const p of fds) {
        const w = this.watches.get(p.fd);
        if (p.revents !== 0 && w !== undefined && !this.stopped) await w.handler(p.revents);
      }
      while (!this.stopped && this.timers[0] !== undefined && this.timers[0].at <= this.sys.now) {
        const t = this.timers.shift() as Timer;
        await t.fn();
      }
    }
  }
}
