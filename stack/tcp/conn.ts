/**
 * Connection lifecycle: state changes (recorded as ['tcp', conn, 'state', from, to]), the end of a connection
 * (tcp_done), aborts with an error (tcp_write_err, tcp_reset: RFC 9293 §3.10.7.4 "RST bit" errors as Linux maps
 * them), TIME_WAIT (60 s, RFC 9293 §3.6.1) and the start of data transfer (tcp_init_transfer).
 */
import { Errno } from '../errno.js';
import {
  RCV_SHUTDOWN, SEND_SHUTDOWN, STATE_NAMES, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_INIT_CWND, TCP_SYN_SENT,
  TCP_TIMEOUT_FALLBACK, TCP_TIMEWAIT_LEN, TCP_TIME_WAIT, type Tcb,
} from './tcb.js';
import { clearXmitTimer } from './xmit-timer.js';
import { fullSpace, winFromSpace } from './window.js';
import { newCongestion } from './config.js';

/** tcp_set_state(). */
export function setState(t: Tcb, s: number): void {
  const old = t.state;
  if (old === s) return;
  t.state = s;
  const sim = t.layer.host.sim;
  if (sim.sink) sim.record('tcp', t.name, 'state', STATE_NAMES[old], STATE_NAMES[s]);
  if (s === TCP_CLOSE) t.layer.unhash(t);
}

/** Stops every timer of the connection. */
export function clearTimers(t: Tcb): void {
  clearXmitTimer(t);
  t.delackTimer.cancel();
  t.keepaliveTimer.cancel();
  t.compAckTimer.cancel();
  t.ackPending = 0;
}

/** Drops unsent and unacknowledged data (tcp_write_queue_purge). */
export function purgeWriteQueue(t: Tcb): void {
  t.rtx.length = 0;
  t.rtxHead = 0;
  t.rtxHint = -1;
  t.tsHead = t.tsTail = null;
  t.sendBuf.clear();
  t.sndBufSeq = t.writeSeq;
  t.pushMarks.length = 0;
  t.eorMarks.length = 0;
  t.packetsOut = t.sackedOut = t.lostOut = t.retransOut = 0;
  t.sndUna = t.sndNxt;
  t.writeSeq = t.finQueued && t.finSent() ? (t.sndNxt - 1) >>> 0 : t.sndNxt;
}

/** tcp_done(): the connection is over; an orphan is destroyed, a socket's owner is told. */
export function tcpDone(t: Tcb): void {
  setState(t, TCP_CLOSE);
  clearTimers(t);
  t.shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
  t.sock.connectionDone(t);
}

/** Aborts with an error the application will see (tcp_done_with_error). */
export function doneWithError(t: Tcb, err: number): void {
  t.sock.soError = err;
  purgeWriteQueue(t);
  tcpDone(t);
}

/** tcp_write_err(): retransmissions or probes gave up; the error is the last soft error or ETIMEDOUT. */
export function writeError(t: Tcb): void {
  doneWithError(t, t.softError || Errno.ETIMEDOUT);
}

/** tcp_reset(): a valid RST arrived. ECONNREFUSED in SYN_SENT, EPIPE in CLOSE_WAIT, else ECONNRESET. */
export function resetReceived(t: Tcb): void {
  let err: number;
  switch (t.state) {
    case TCP_SYN_SENT: err = Errno.ECONNREFUSED; break;
    case TCP_CLOSE_WAIT: err = Errno.EPIPE; break;
    case TCP_CLOSE: return;
    default: err = Errno.ECONNRESET;
  }
  doneWithError(t, err);
}

/**
 * Enters TIME_WAIT (tcp_time_wait) for 2MSL = 60 s (TCP_TIMEWAIT_LEN; Linux does not scale it by RTO), or an
 * orphaned FIN_WAIT2 that lingers for `timeout`.
 */
export function enterTimeWait(t: Tcb, state: number, timeout = TCP_TIMEWAIT_LEN): void {
  clearTimers(t);
  purgeWriteQueue(t);
  // Received data stays readable while the socket is open (tcp_time_wait leaves the socket's queue alone).
  if (t.dead) t.rcvQueue.clear();
  t.ooo.clear();
  setState(t, state);
  t.twDeadline = t.layer.host.sim.now + timeout;
  t.keepaliveTimer.arm(timeout);
  if (state === TCP_TIME_WAIT) t.sock.connectionDone(t);
}

/** tcp_init_transfer(): the handshake completed; set cwnd, RTO fallback, buffer space, congestion control. */
export function initTransfer(t: Tcb): void {
  const now = t.layer.host.sim.now;
  // RFC 6298 §5.7: no RTT sample from the handshake (a retransmitted SYN without timestamps) → RTO 3 s.
  if (t.srttUs === 0) {
    t.rttvarUs = TCP_TIMEOUT_FALLBACK / 1000;
    t.mdevUs = t.mdevMaxUs = t.rttvarUs;
    t.rto = TCP_TIMEOUT_FALLBACK;
  }
  // Cut cwnd to 1 when the SYN or SYN-ACK was retransmitted more than once (RFC 5681 §3.1).
  t.cwnd = t.totalRetrans > 1 && t.undoMarker ? 1 : TCP_INIT_CWND;
  t.cc = newCongestion(t.cc.name, t); // tcp_init_congestion_control
  t.cwndStamp = now;
  t.lsndtime = now;
  initBufferSpace(t);
}

/** tcp_init_buffer_space(): send buffer sized for cwnd, window clamp leaving room for one segment. */
function initBufferSpace(t: Tcb): void {
  if (!t.sndbufLocked) sndbufExpand(t);
  t.rcvqSpaceTime = t.layer.host.sim.now;
  t.rcvqSpaceSeq = t.copiedSeq;
  const maxwin = fullSpace(t);
  if (t.windowClamp >= maxwin) {
    t.windowClamp = maxwin;
    if (maxwin > 4 * t.advmss) t.windowClamp = Math.max(maxwin - Math.floor(maxwin / 2 ** 31), 4 * t.advmss);
  }
  if (t.windowClamp > 2 * t.advmss && t.windowClamp + t.advmss > maxwin) {
    t.windowClamp = Math.max(2 * t.advmss, maxwin - t.advmss);
  }
  t.rcvSsthresh = Math.min(t.rcvSsthresh, t.windowClamp);
  t.rcvqSpace = Math.min(t.rcvSsthresh, t.rcvWnd, TCP_INIT_CWND * t.advmss);
}

/**
 * tcp_sndbuf_expand(): room for twice the congestion window of worst-case (non-GSO) skbs, up to tcp_wmem[2].
 * socksim charges the send buffer by payload bytes, so the per-segment cost is the kernel's estimate
 * (roundup_pow_of_two(mss + headers + shared info) + sk_buff ≈ 4352 B for a 1460-byte MSS).
 */
export function sndbufExpand(t: Tcb): void {
  let perMss = Math.max(t.mssClamp, t.mssCache) + 320 + 320;
  perMss = 2 ** Math.ceil(Math.log2(perMss)) + 256;
  const nrSegs = Math.max(TCP_INIT_CWND, t.cwnd, t.reordering + 1);
  const sndmem = 2 * nrSegs * perMss;
  if (t.sock.sndbuf < sndmem) t.sock.sndbuf = Math.min(sndmem, t.layer.sysctl.wmem[2]);
}

/** tcp_rcv_space_adjust(): grows the receive buffer to twice what the application read in the last RTT. */
export function rcvSpaceAdjust(t: Tcb): void {
  const now = t.layer.host.sim.now;
  const time = (now - t.rcvqSpaceTime) / 1000;
  if (t.rcvRttUs === 0 || time < t.rcvRttUs >> 3) return;
  let copied = ((t.copiedSeq - t.rcvqSpaceSeq) >>> 0);
  const inq = ((t.rcvNxt - t.copiedSeq) >>> 0);
  copied = Math.max(0, copied - inq);
  if (copied > t.rcvqSpace) {
    if (t.layer.sysctl.moderateRcvbuf && !t.rcvbufLocked) {
      let rcvwin = 2 * copied + 16 * t.advmss;
      const grow = Math.floor((rcvwin * (copied - t.rcvqSpace)) / Math.max(t.rcvqSpace, 1));
      rcvwin += 2 * grow;
      const rcvbuf = Math.min(Math.floor((rcvwin * 256) / t.scalingRatio), t.layer.sysctl.rmem[2]);
      if (rcvbuf > t.sock.rcvbuf) {
        t.sock.rcvbuf = rcvbuf;
        t.windowClamp = winFromSpace(t, rcvbuf);
      }
    }
    t.rcvqSpace = copied;
  }
  t.rcvqSpaceSeq = t.copiedSeq;
  t.rcvqSpaceTime = now;
}

