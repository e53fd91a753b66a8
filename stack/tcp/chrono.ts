/**
 * The sender's chronographs (tcp_chrono_start/stop/set in net/ipv4/tcp_output.c): how long the connection was
 * busy sending, and how much of that it was held back by the peer's window or by the send buffer. They feed
 * tcpi_busy_time, tcpi_rwnd_limited and tcpi_sndbuf_limited (struct tcp_info), counted in jiffies (HZ=1000).
 */
import { MS } from '../../sim/time.js';
import type { Tcb } from './tcb.js';

/** enum tcp_chrono: a higher value is "more interesting" and takes over a running lower one. */
export const CHRONO_UNSPEC = 0;
/** Data is queued or in flight. */
export const CHRONO_BUSY = 1;
/** tcp_write_xmit stopped at the peer's receive window. */
export const CHRONO_RWND_LIMITED = 2;
/** The application is waiting for send-buffer space. */
export const CHRONO_SNDBUF_LIMITED = 3;

/** tcp_jiffies32 at HZ=1000. */
function jiffies(t: Tcb): number {
  return Math.floor(t.layer.host.sim.now / MS);
}

/** tcp_chrono_set(): charges the running chronograph and starts `type`. */
function chronoSet(t: Tcb, type: number): void {
  const now = jiffies(t);
  const d = (now - t.chronoStart) * MS;
  if (t.chronoType === CHRONO_BUSY) t.busyNs += d;
  else if (t.chronoType === CHRONO_RWND_LIMITED) t.rwndLimitedNs += d;
  else if (t.chronoType === CHRONO_SNDBUF_LIMITED) t.sndbufLimitedNs += d;
  t.chronoStart = now;
  t.chronoType = type;
}

/** tcp_chrono_start(): only a more interesting condition replaces the running one. */
export function chronoStart(t: Tcb, type: number): void {
  if (type > t.chronoType) chronoSet(t, type);
}

/**
 * tcp_chrono_stop(): with nothing queued or in flight every chronograph stops; otherwise, if `type` was the running
 * one, the connection falls back to plain busy.
 */
export function chronoStop(t: Tcb, type: number): void {
  if (t.packetsOut === 0 && t.writeSeq === t.sndNxt) chronoSet(t, CHRONO_UNSPEC);
  else if (type === t.chronoType) chronoSet(t, CHRONO_BUSY);
}

/**
 * tcp_get_info_chrono_stats(): [busy, rwnd-limited, sndbuf-limited] in µs, the running one included. Busy time is
 * the total of all three, as Linux reports it.
 */
export function chronoStats(t: Tcb): [number, number, number] {
  const run = (jiffies(t) - t.chronoStart) * MS;
  const busy = t.busyNs + (t.chronoType === CHRONO_BUSY ? run : 0);
  const rwnd = t.rwndLimitedNs + (t.chronoType === CHRONO_RWND_LIMITED ? run : 0);
  const sndbuf = t.sndbufLimitedNs + (t.chronoType === CHRONO_SNDBUF_LIMITED ? run : 0);
  const us = (ns: number): number => Math.floor(ns / 1000);
  return [us(busy + rwnd + sndbuf), us(rwnd), us(sndbuf)];
}
