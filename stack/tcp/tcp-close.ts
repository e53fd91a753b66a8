/**
 * Ending connections from the socket side: shutdown(2) (inet_shutdown, tcp_shutdown), close(2) (tcp_close: RST
 * instead of FIN when unread data is lost, RFC 2525 §2.17; SO_LINGER {1, 0} aborts; an orphan in FIN_WAIT2 lingers
 * tcp_fin_timeout), connect(AF_UNSPEC) (tcp_disconnect), and the state close moves to (tcp_close_state,
 * RFC 9293 §3.6).
 */
import { Errno } from '../errno.js';
import type { TcpSocket } from './tcp-socket.js';
import {
  RCV_SHUTDOWN, SEND_SHUTDOWN, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_CLOSING, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2,
  TCP_LAST_ACK, TCP_LISTEN, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIMEWAIT_LEN, TCP_TIME_WAIT, type Tcb,
} from './tcb.js';
import { NAGLE_OFF, pushPending, sendActiveReset } from './output.js';
import { clearTimers, enterTimeWait, setState } from './conn.js';

/** tcp_need_reset(): states where an abort must tell the peer. */
export function needReset(state: number): boolean {
  return state === TCP_ESTABLISHED || state === TCP_CLOSE_WAIT || state === TCP_FIN_WAIT1 || state === TCP_FIN_WAIT2
    || state === TCP_SYN_RECV;
}

/** tcp_close_state(): the state close() or shutdown(SHUT_WR) moves to, and whether a FIN must go. */
function closeState(t: Tcb): boolean {
  switch (t.state) {
    case TCP_ESTABLISHED: case TCP_SYN_RECV:
      setState(t, TCP_FIN_WAIT1);
      return true;
    case TCP_CLOSE_WAIT:
      setState(t, TCP_LAST_ACK);
      return true;
    case TCP_SYN_SENT: case TCP_LISTEN:
      setState(t, TCP_CLOSE);
      return false;
    default:
      return false;
  }
}

/** tcp_send_fin(): queue our FIN after the data and push without Nagle. */
function sendFin(t: Tcb): void {
  t.finQueued = true;
  if (t.state === TCP_SYN_RECV || t.state === TCP_SYN_SENT) return;
  pushPending(t, NAGLE_OFF);
}

/** Our FIN once a SYN_RECV connection with SEND_SHUTDOWN reaches ESTABLISHED. */
export function sendFinNow(s: TcpSocket): void {
  const t = s.tcb;
  if (t && closeState(t)) sendFin(t);
}

/** tcp_fin_time(): how long an orphan may sit in FIN_WAIT2 (TCP_LINGER2 or tcp_fin_timeout, ≥ 3.5 RTO). */
export function finTimeout(s: TcpSocket, t: Tcb): number {
  let fin = t.linger2Ns || s.layer.sysctl.finTimeoutNs;
  const rto = t.rto;
  if (fin < rto * 4 - rto / 2) fin = rto * 4 - rto / 2;
  return fin;
}

/** connect(AF_UNSPEC) / tcp_disconnect(): abort the connection (RST when one is needed) and reset the socket. */
export function disconnect(s: TcpSocket): number {
  const t = s.tcb;
  if (s.listener) {
    s.listener.stop();
    s.listener = null;
  }
  if (t && t.state !== TCP_CLOSE && t.state !== TCP_TIME_WAIT) {
    if (needReset(t.state)) {
      sendActiveReset(t);
      s.soError = Errno.ECONNRESET;
    } else if (t.state === TCP_SYN_SENT) {
      s.soError = Errno.ECONNRESET;
    }
    setState(t, TCP_CLOSE);
    clearTimers(t);
  }
  s.detachConnection();
  s.ss = 0;
  s.notify();
  return 0;
}

/** shutdown(2): inet_shutdown + tcp_shutdown. */
export function tcpShutdown(s: TcpSocket, how: number): number {
  const bits = how + 1;
  if (s.listener) {
    if (bits & RCV_SHUTDOWN) disconnect(s);
    return 0;
  }
  const t = s.tcb;
  if (!t || t.state === TCP_CLOSE) {
    s.notify();
    return -Errno.ENOTCONN;
  }
  if (t.state === TCP_SYN_SENT) {
    disconnect(s);
    return 0;
  }
  t.shutdown |= bits;
  if (bits & SEND_SHUTDOWN && (t.state === TCP_ESTABLISHED || t.state === TCP_SYN_RECV || t.state === TCP_CLOSE_WAIT)) {
    if (closeState(t)) sendFin(t);
  }
  s.notify();
  return 0;
}

/** A listener closed before accept(): the child is reset (inet_child_forget → tcp_disconnect). */
export function abortChild(s: TcpSocket): void {
  s.closed = true;
  const t = s.tcb;
  if (t && t.state !== TCP_CLOSE) {
    if (needReset(t.state)) sendActiveReset(t);
    t.dead = true;
    setState(t, TCP_CLOSE);
    clearTimers(t);
  }
  s.destroy();
}

/**
 * close(2) of the last fd (tcp_close). With SO_LINGER {1, N > 0} and a FIN still unacknowledged, the socket is not
 * orphaned yet: it returns with `lingerUntil` set, close(2) waits (closeWait) and then calls tcpLingerDone.
 */
export function tcpRelease(s: TcpSocket): void {
  s.closed = true;
  if (!s.host.up) return s.vanish();
  if (s.listener) {
    s.listener.stop();
    s.listener = null;
    s.destroy();
    return;
  }
  const t = s.tcb;
  if (!t || t.state === TCP_CLOSE) {
    s.destroy();
    return;
  }
  if (t.state === TCP_TIME_WAIT) {
    t.dead = true;
    return;
  }
  const unread = t.rcvQueue.bytes;
  t.rcvQueue.clear();
  t.shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
  t.dead = true;
  const lingerOn = s.linger.onoff && !s.host.profile.deviations.lingerIgnored;
  if (unread > 0) {
    // RFC 2525 §2.17: unread data is lost, so reset rather than FIN.
    setState(t, TCP_CLOSE);
    sendActiveReset(t);
  } else if (lingerOn && s.linger.secs === 0) {
    // SO_LINGER {1, 0}: abort (tcp_disconnect).
    if (needReset(t.state)) sendActiveReset(t);
    setState(t, TCP_CLOSE);
  } else if (closeState(t)) {
    sendFin(t);
  }
  if (lingerOn && s.linger.secs > 0 && finUnacked(t.state)) {
    // socket(7) SO_LINGER: close() blocks (even on a non-blocking socket, as sk_stream_wait_close does) until the
    // queued data and FIN are acknowledged or the timeout passes; the socket is orphaned only afterwards.
    t.dead = false;
    s.lingerUntil = s.host.sim.now + s.linger.secs * 1e9;
    return;
  }
  orphan(s, t);
}

/** The states in which our FIN is sent or queued but not yet acknowledged (sk_stream_closing). */
function finUnacked(state: number): boolean {
  return state === TCP_FIN_WAIT1 || state === TCP_CLOSING || state === TCP_LAST_ACK;
}

/** Whether a lingering close may return: the FIN was acknowledged (or the connection ended). */
export function lingerSettled(s: TcpSocket): boolean {
  const t = s.tcb;
  return !t || !finUnacked(t.state);
}

/** After the SO_LINGER wait of close(2), acknowledged or timed out: the socket becomes an orphan (adjudge_to_death). */
export function tcpLingerDone(s: TcpSocket): void {
  s.lingerUntil = null;
  const t = s.tcb;
  if (!t || t.dead) return;
  t.dead = true;
  if (t.state === TCP_TIME_WAIT) return;
  // Ended during the wait: connectionDone already destroyed the closed socket.
  if (t.state === TCP_CLOSE) return;
  orphan(s, t);
}

/** The orphan's part of tcp_close (after adjudge_to_death): FIN_WAIT2 lingers tcp_fin_timeout, CLOSE is freed. */
function orphan(s: TcpSocket, t: Tcb): void {
  if (t.state === TCP_FIN_WAIT2) {
    if (t.linger2Ns < 0) {
      setState(t, TCP_CLOSE);
      sendActiveReset(t);
    } else {
      const tmo = finTimeout(s, t);
      if (tmo > TCP_TIMEWAIT_LEN) t.keepaliveTimer.arm(tmo - TCP_TIMEWAIT_LEN);
      else {
        enterTimeWait(t, TCP_FIN_WAIT2, tmo);
        return;
      }
    }
  }
  if (t.state === TCP_CLOSE) {
    clearTimers(t);
    s.destroy();
  }
}
