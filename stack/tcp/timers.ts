/**
 * The connection's other timers: delayed ACK (tcp_delack_timer_handler), keepalive (RFC 9293 §3.8.4, Linux's
 * tcp_keepalive_timer with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT and TCP_USER_TIMEOUT), the end of TIME_WAIT and of an
 * orphan's FIN_WAIT2 (tcp_fin_timeout), and the compressed-SACK timer. The shared retransmission timer lives in
 * xmit-timer.ts.
 */
import { ACK_SCHED, ACK_TIMER, TCP_ATO_MIN, TCP_CLOSE, TCP_FIN_WAIT2, TCP_LISTEN, TCP_RESOURCE_PROBE_INTERVAL,
  TCP_SYN_SENT, TCP_TIMEWAIT_LEN, TCP_TIME_WAIT, type Tcb } from './tcb.js';
import { sendActiveReset, sendAck, writeWakeup } from './output.js';
import { enterTimeWait, tcpDone, writeError } from './conn.js';
import { onXmitTimer } from './xmit-timer.js';

/** Timer kinds of a TCB. */
export const TIMER_XMIT = 0, TIMER_DELACK = 1, TIMER_KEEPALIVE = 2, TIMER_COMPACK = 3;

/** keepalive_time_when(). */
function keepIdle(t: Tcb): number {
  return t.keepIdleNs || t.layer.sysctl.keepaliveTimeNs;
}

/** keepalive_intvl_when(). */
function keepIntvl(t: Tcb): number {
  return t.keepIntvlNs || t.layer.sysctl.keepaliveIntvlNs;
}

/** keepalive_probes(). */
function keepCnt(t: Tcb): number {
  return t.keepCnt || t.layer.sysctl.keepaliveProbes;
}

/** Starts (or restarts) keepalive for a connection (SO_KEEPALIVE, tcp_set_keepalive). */
export function keepaliveStart(t: Tcb): void {
  if (t.state === TCP_CLOSE || t.state === TCP_LISTEN || t.state === TCP_TIME_WAIT) return;
  t.keepaliveTimer.arm(keepIdle(t));
}

/** Stops keepalive (SO_KEEPALIVE cleared). */
export function keepaliveStop(t: Tcb): void {
  if (t.state === TCP_TIME_WAIT || (t.state === TCP_FIN_WAIT2 && t.dead)) return;
  t.keepaliveTimer.cancel();
}

/** Time since we last heard from the peer (keepalive_time_elapsed). */
function keepaliveElapsed(t: Tcb): number {
  const now = t.layer.host.sim.now;
  return Math.min(now - t.lrcvtime, now - t.rcvTstamp);
}

/** tcp_keepalive_timer(), which also ends TIME_WAIT and an orphan's FIN_WAIT2. */
function keepaliveTimer(t: Tcb): void {
  if (t.state === TCP_TIME_WAIT || (t.state === TCP_FIN_WAIT2 && t.twDeadline)) {
    t.layer.recordTimer(t, 'timewait');
    tcpDone(t);
    return;
  }
  if (t.state === TCP_FIN_WAIT2 && t.dead) {
    t.layer.recordTimer(t, 'fin_wait2');
    if (t.linger2Ns >= 0) {
      const tmo = t.sock.finTimeout(t) - TCP_TIMEWAIT_LEN;
      if (tmo > 0) {
        enterTimeWait(t, TCP_FIN_WAIT2, tmo);
        return;
      }
    }
    sendActiveReset(t);
    tcpDone(t);
    return;
  }
  if (!t.sock.keepalive || t.state === TCP_CLOSE || t.state === TCP_SYN_SENT) return;
  t.layer.recordTimer(t, 'keepalive');
  let next = keepIdle(t);
  if (t.packetsOut || t.hasUnsent()) {
    t.keepaliveTimer.arm(next);
    return;
  }
  const elapsed = keepaliveElapsed(t);
  if (elapsed >= keepIdle(t)) {
    const ut = t.userTimeoutNs;
    if ((ut !== 0 && elapsed >= ut && t.probesOut > 0) || (ut === 0 && t.probesOut >= keepCnt(t))) {
      sendActiveReset(t);
      writeError(t);
      return;
    }
    if (!writeWakeup(t)) {
      t.probesOut++;
      next = keepIntvl(t);
    } else {
      next = TCP_RESOURCE_PROBE_INTERVAL;
    }
  } else {
    next = keepIdle(t) - elapsed;
  }
  t.keepaliveTimer.arm(next);
}

/** tcp_delack_timer_handler(). */
function delackTimer(t: Tcb): void {
  if (t.state === TCP_CLOSE || t.state === TCP_LISTEN) return;
  if (!(t.ackPending & ACK_TIMER)) return;
  t.ackPending &= ~ACK_TIMER;
  if (t.ackPending & ACK_SCHED) {
    t.layer.recordTimer(t, 'delack');
    if (t.pingpong < t.layer.sysctl.pingpongThresh) {
      // Delayed ACK missed: inflate ATO.
      t.ato = Math.min(t.ato * 2, t.rto);
    } else {
      // Delayed ACK missed: leave ping-pong mode and deflate ATO.
      t.pingpong = 0;
      t.ato = TCP_ATO_MIN;
    }
    sendAck(t);
  }
}

/** The compressed-SACK timer (tcp_compressed_ack_kick). */
function compAckTimer(t: Tcb): void {
  if (t.compressedAck) {
    t.compressedAck--;
    sendAck(t);
  }
}

/** Runs the expired timer `kind` of t. */
export function dispatchTimer(t: Tcb, kind: number): void {
  switch (kind) {
    case TIMER_XMIT: onXmitTimer(t); break;
    case TIMER_DELACK: delackTimer(t); break;
    case TIMER_KEEPALIVE: keepaliveTimer(t); break;
    case TIMER_COMPACK: compAckTimer(t); break;
  }
}
