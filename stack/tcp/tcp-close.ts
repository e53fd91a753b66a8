/**
 * Ending connections from the socket side: shutdown(2) (inet_shutdown, tcp_shutdown), close(2) (tcp_close: RST
 * instead of FIN when unread data is lost, RFC 2525 §2.17; SO_LINGER {1, 0} aborts; an orphan in FIN_WAIT2 lingers
 * tcp_fin_timeout), connect(AF_UNSPEC) (tcp_disconnect), and the state close moves to (tcp_close_state,
 * RFC 9293 §3.6).
 */
import { Errno } from '../errno.js';
import type { TcpSocket } from './tcp-socket.js';
import {
  RCV_SHUTDOWN, SEND_SHUTDOWN, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2,
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

/** close(2) of the last fd (tcp_close). */
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
  if (unread > 0) {
    // RFC 2525 §2.17: unread data is lost, so reset rather than FIN.
    setState(t, TCP_CLOSE);
    sendActiveReset(t);
  } else if (s.linger.onoff && s.linger.secs === 0 && !s.host.profile.deviations.lingerIgnored) {
    // SO_LINGER {1, 0}: abort (tcp_disconnect).
    if (needReset(t.state)) sendActiveReset(t);
    setState(t, TCP_CLOSE);
  } else if (closeState(t)) {
    sendFin(t);
  }
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
