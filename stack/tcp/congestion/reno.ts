/**
 * NewReno congestion avoidance (RFC 5681 with RFC 6582 recovery done by the loss-recovery code), as Linux's
 * tcp_reno_* functions: halve on loss (but not below 2), slow start, then one packet per window.
 */
import type { Tcb } from '../tcb.js';
import { congAvoidAi, inSlowStart, isCwndLimited, slowStart, type CongestionControl } from './cc.js';

/** Reno ("reno" for TCP_CONGESTION). */
export class Reno implements CongestionControl {
  readonly name = 'reno';

  ssthresh(t: Tcb): number {
    return Math.max(t.cwnd >> 1, 2);
  }

  congAvoid(t: Tcb, _ack: number, acked: number): void {
    if (!isCwndLimited(t)) return;
    if (inSlowStart(t)) {
      acked = slowStart(t, acked);
      if (!acked) return;
    }
    congAvoidAi(t, t.cwnd, acked);
  }

  undoCwnd(t: Tcb): number {
    return Math.max(t.cwnd, t.priorCwnd);
  }

  setState(): void {}

  cwndEvent(): void {}

  pktsAcked(): void {}
}
