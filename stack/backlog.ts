/**
 * A host's receive backlog for packets it sends to itself (loopback_xmit and dev_loopback_xmit → netif_rx, then the
 * NET_RX softirq). Linux runs that softirq before the sending call returns (local_bh_enable at the end of
 * dev_queue_xmit), so a datagram sent to the host's own address is already queued when sendto(2) returns and a
 * TCP segment over lo is already answered. socksim does the same: the system call layer drains the backlog just
 * before a call returns (Sys `done`), and a packet looped back from a timer or an arriving packet is delivered by an
 * event at the same virtual time, right after the one that sent it. Deliveries run in the order they were queued;
 * what they send in turn is delivered in the same drain.
 */
import type { Sim } from '../sim/sim.js';
import type { Timer } from '../sim/queue.js';

/** One host's loopback backlog. */
export class Backlog {
  private readonly queue: (() => void)[] = [];
  private timer: Timer | null = null;
  private draining = false;

  constructor(private readonly sim: Sim) {}

  /** Queues a delivery; when no drain is under way, one is scheduled for now. */
  add(deliver: () => void): void {
    this.queue.push(deliver);
    if (!this.draining && this.timer === null) {
      this.timer = this.sim.at(this.sim.now, () => {
        this.timer = null;
        this.drain();
      });
    }
  }

  /** Runs every queued delivery, and those they queue (the softirq); a scheduled drain is then cancelled. */
  drain(): void {
    if (this.draining || this.queue.length === 0) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) this.queue[i]!();
    } finally {
      this.queue.length = 0;
      this.draining = false;
    }
    if (this.timer !== null) {
      this.timer.cancel();
      this.timer = null;
    }
  }

  /** Drops everything queued (the host crashed). */
  clear(): void {
    this.queue.length = 0;
    if (this.timer !== null) {
      this.timer.cancel();
      this.timer = null;
    }
  }
}
