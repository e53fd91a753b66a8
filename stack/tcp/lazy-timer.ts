/**
 * A re-armable timer that touches the scheduler as little as possible. TCP re-arms its retransmission timer on
 * nearly every ACK; here moving a deadline later costs nothing (the scheduled event, when it comes, sees the new
 * deadline and re-schedules itself once), and only an earlier deadline schedules a new event. Cancelling cancels
 * the event too, so a finished connection leaves nothing in the queue to keep the run alive.
 */
import type { Sim } from '../../sim/sim.js';
import type { Timer } from '../../sim/queue.js';
import { widenFieldsOnce } from '../../sim/repr.js';

/** What a timer calls when its deadline is reached. */
export interface TimerTarget {
  /** Called with the kind the timer was created with. */
  fireTimer(kind: number): void;
}

/** One timer of a connection. */
export class LazyTimer {
  /** Absolute deadline (ns), or -1 when not armed. */
  deadline = -1;
  private event: Timer | null = null;
  private eventTime = -1;
  private readonly onEvent = (): void => {
    this.event = null;
    if (this.deadline < 0) return;
    if (this.deadline > this.sim.now) {
      this.schedule(this.deadline);
      return;
    }
    this.deadline = -1;
    this.target.fireTimer(this.kind);
  };

  constructor(private readonly sim: Sim, private readonly target: TimerTarget, private readonly kind: number) {
    widenFieldsOnce('LazyTimer', this, ['deadline', 'eventTime']); // virtual times (sim/repr.ts)
  }

  /** Whether the timer is armed. */
  get armed(): boolean {
    return this.deadline >= 0;
  }

  /** Arms (or re-arms) the timer to fire at absolute time `at`. */
  armAt(at: number): void {
    if (at < this.sim.now) at = this.sim.now;
    this.deadline = at;
    if (this.event === null || this.eventTime > at) {
      if (this.event) this.event.cancel();
      this.schedule(at);
    }
  }

  /** Arms the timer `delay` ns from now. */
  arm(delay: number): void {
    this.armAt(this.sim.now + Math.max(0, Math.round(delay)));
  }

  /**
   * Disarms without cancelling the scheduled event (it will find no deadline and do nothing). For a timer that is
   * re-armed again soon (the delayed-ACK timer after every ACK) this saves a queue insertion per re-arm.
   */
  disarm(): void {
    this.deadline = -1;
  }

  /** Disarms the timer and drops its scheduled event. */
  cancel(): void {
    this.deadline = -1;
    if (this.event) {
      this.event.cancel();
      this.event = null;
    }
  }

  private schedule(at: number): void {
    this.eventTime = at;
    this.event = this.sim.at(at, this.onEvent);
  }
}
