/**
 * The congestion-control interface (Linux's struct tcp_congestion_ops) and the helpers every algorithm shares:
 * slow start and additive increase exactly as tcp_slow_start() / tcp_cong_avoid_ai() count them (cwnd in packets).
 */
import type { Tcb } from '../tcb.js';

/** Congestion-window events (enum tcp_ca_event). */
export const CA_EVENT_TX_START = 0, CA_EVENT_CWND_RESTART = 1, CA_EVENT_COMPLETE_CWR = 2, CA_EVENT_LOSS = 3;

/** A congestion-control algorithm bound to one connection. */
export interface CongestionControl {
  /** The name TCP_CONGESTION reports ("cubic", "reno"). */
  readonly name: string;
  /** The new ssthresh after a loss (ssthresh op). */
  ssthresh(t: Tcb): number;
  /** Grows cwnd for `acked` newly delivered packets (cong_avoid op). */
  congAvoid(t: Tcb, ack: number, acked: number): void;
  /** The cwnd to restore when a reduction is undone (undo_cwnd op). */
  undoCwnd(t: Tcb): number;
  /** A CA state change (set_state op). */
  setState(t: Tcb, state: number): void;
  /** A cwnd event (cwnd_event op). */
  cwndEvent(t: Tcb, ev: number): void;
  /** An RTT sample from an ACK, µs, or -1 (pkts_acked op). */
  pktsAcked(t: Tcb, acked: number, rttUs: number): void;
}

/** Whether the connection is in slow start (tcp_in_slow_start). */
export function inSlowStart(t: Tcb): boolean {
  return t.cwnd < t.ssthresh;
}

/** Whether cwnd currently limits sending (tcp_is_cwnd_limited). */
export function isCwndLimited(t: Tcb): boolean {
  if (t.isCwndLimited) return true;
  if (inSlowStart(t)) return t.cwnd < 2 * t.maxPacketsOut;
  return false;
}

/** RFC 5681 slow start with Linux's counting (tcp_slow_start); returns the acked packets left over. */
export function slowStart(t: Tcb, acked: number): number {
  const cwnd = Math.min(t.cwnd + acked, t.ssthresh);
  acked -= cwnd - t.cwnd;
  t.cwnd = cwnd;
  return acked;
}

/** Additive increase: one packet per `w` packets acked (tcp_cong_avoid_ai). */
export function congAvoidAi(t: Tcb, w: number, acked: number): void {
  if (t.cwndCnt >= w) {
    t.cwndCnt = 0;
    t.cwnd++;
  }
  t.cwndCnt += acked;
  if (t.cwndCnt >= w) {
    const delta = Math.floor(t.cwndCnt / w);
    t.cwndCnt -= delta * w;
    t.cwnd += delta;
  }
}
