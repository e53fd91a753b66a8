/**
 * The data calls of a TCP socket: tcp_sendmsg (copy into the send buffer up to SO_SNDBUF and
 * TCP_NOTSENT_LOWAT, push marks for PSH, MSG_MORE, MSG_OOB), tcp_recvmsg (SO_RCVLOWAT, MSG_PEEK, MSG_TRUNC, the
 * urgent mark, receive-buffer auto-tuning and window-update ACKs), recv(MSG_OOB), and tcp_poll's masks.
 */
import {
  MSG_EOR, MSG_MORE, MSG_OOB, MSG_PEEK, MSG_TRUNC, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLPRI, POLLRDHUP, POLLRDNORM, POLLWRNORM,
} from '../constants.js';
import { Errno } from '../errno.js';
import type { RecvResult } from '../socket.js';
import { timestampCmsg } from '../rx-cmsg.js';
import type { TcpSocket } from './tcp-socket.js';
import {
  ACK_PUSHED, ACK_PUSHED2, ACK_SCHED, RCV_SHUTDOWN, SEND_SHUTDOWN, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED,
  TCP_SYN_RECV, TCP_SYN_SENT, type Tcb,
} from './tcb.js';
import { currentMss, NAGLE_CORK, NAGLE_PUSH, nagleMode, pushPending, sendAck } from './output.js';
import { rcvSpaceAdjust } from './conn.js';
import { URG_READ, URG_VALID } from './rcv.js';
import { rawSelectWindow } from './window.js';
import { seqLt } from './seq.js';
import { CHRONO_BUSY, chronoStart } from './chrono.js';

const EMPTY = new Uint8Array(0);
/** sk_gso_max_size: GSO_LEGACY_MAX_SIZE, 64 KB. */
const GSO_MAX_SIZE = 65536;

/** Bytes queued for sending (sk_wmem_queued; socksim charges payload). */
function wmemQueued(s: TcpSocket): number {
  const t = s.tcb;
  return t ? (t.writeSeq - t.sndUna) >>> 0 : 0;
}

/** tcp_notsent_lowat(). */
function notsentLowat(s: TcpSocket): number {
  return s.cfg.notsentLowat || s.layer.sysctl.notsentLowat;
}

/** __sk_stream_is_writeable(sk, 1): a third of the buffer free, and unsent bytes × 2 under TCP_NOTSENT_LOWAT. */
export function writeable(s: TcpSocket): boolean {
  const q = wmemQueued(s);
  if (s.sndbuf - q < q >> 1) return false;
  const t = s.tcb;
  const notsent = t ? (t.writeSeq - t.sndNxt) >>> 0 : 0;
  return notsent * 2 < notsentLowat(s);
}

/**
 * tcp_xmit_size_goal(): the payload one write-queue skb collects, a multiple of the MSS bounded by half the
 * largest window the peer offered (tcp_bound_to_half_wnd) and by the 64 KB GSO limit.
 */
function sizeGoal(t: Tcb): number {
  const mss = currentMss(t);
  let goal = GSO_MAX_SIZE;
  const cutoff = t.maxWindow > 536 ? t.maxWindow >> 1 : t.maxWindow;
  if (cutoff && goal > cutoff) goal = Math.max(cutoff, 68 - 20);
  return Math.max(mss, Math.floor(goal / mss) * mss);
}

/**
 * The copy loop of tcp_sendmsg_locked under TCP_NOTSENT_LOWAT: data first fills the unsent tail skb up to the
 * size goal without any check; only a new skb needs sk_stream_memory_free (unsent bytes below the mark). A full
 * skb at the head of the write queue is pushed at once (tcp_push_one), so the check sees what went out.
 * Copies at most `limit` bytes and returns how many the whole call takes; the first t.lowatCopied are already
 * appended.
 */
function lowatCopy(t: Tcb, data: Uint8Array, limit: number, lowat: number): number {
  const goal = sizeGoal(t);
  let copied = 0;
  while (copied < limit) {
    const unsent = (t.writeSeq - t.sndNxt) >>> 0;
    const eors = t.eorMarks;
    const eorTail = eors.length > 0 && eors[eors.length - 1] === t.writeSeq;
    const start = unsent > 0 && seqLt(t.tailSkbSeq, t.sndNxt) ? t.sndNxt : t.tailSkbSeq;
    let copy = unsent > 0 && !eorTail ? goal - ((t.writeSeq - start) >>> 0) : 0;
    if (copy <= 0) {
      if (copied > 0 && unsent >= lowat) break; // new_segment: !sk_stream_memory_free → wait_for_space
      t.tailSkbSeq = t.writeSeq;
      copy = goal;
    }
    copy = Math.min(copy, limit - copied);
    if (copied + copy === limit) return limit; // the caller appends the rest and pushes as usual
    if (t.writeSeq === t.sndNxt) chronoStart(t, CHRONO_BUSY);
    t.sendBuf.append(data, copied, copy);
    t.writeSeq = (t.writeSeq + copy) >>> 0;
    copied += copy;
    t.lowatCopied = copied;
    // The skb is full: forced_push marks PSH and pushes everything; otherwise push it if it heads the queue.
    if (((t.writeSeq - t.pushedSeq) | 0) > t.maxWindow >> 1) {
      t.pushMarks.push(t.writeSeq);
      t.pushedSeq = t.writeSeq;
    }
    pushPending(t, NAGLE_PUSH);
  }
  return copied;
}

/** tcp_sendmsg(). */
export function tcpSendmsg(s: TcpSocket, data: Uint8Array, flags: number): number {
  const t = s.tcb;
  if (!t || s.listener) return -Errno.EPIPE; // sk_stream_wait_connect: not connecting → EPIPE
  if (t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV) {
    if (s.soError) return -s.takeError();
    return -Errno.EAGAIN;
  }
  if (s.soError || t.shutdown & SEND_SHUTDOWN) return -(s.takeError() || Errno.EPIPE);
  if (t.state !== TCP_ESTABLISHED && t.state !== TCP_CLOSE_WAIT) return -(s.takeError() || Errno.EPIPE);
  if (data.length === 0) return 0;
  const queued = wmemQueued(s);
  const notsent = (t.writeSeq - t.sndNxt) >>> 0;
  const lowat = notsentLowat(s);
  if (queued >= s.sndbuf || notsent >= lowat) {
    s.nospace = true;
    return -Errno.EAGAIN;
  }
  // tcp_slow_start_after_idle_check: a new write after an idle period restarts from the initial window.
  if (t.writeSeq === t.sndNxt && t.packetsOut === 0) idleRestart(t);
  // Data appended to a still unsent tail joins that segment: the earlier write's push mark moves (tcp_sendmsg).
  // A tail ended by MSG_EOR takes nothing more (tcp_skb_can_collapse_to), so its mark stays.
  const marks = t.pushMarks;
  const eors = t.eorMarks;
  const eorTail = eors.length > 0 && eors[eors.length - 1] === t.writeSeq;
  if (marks.length > 0 && marks[marks.length - 1] === t.writeSeq && t.writeSeq !== t.sndNxt && !eorTail) marks.pop();
  let n = Math.min(data.length, s.sndbuf - queued);
  if (lowat < 0xffffffff) n = lowatCopy(t, data, n, lowat);
  // tcp_add_write_queue_tail: a new head of the write queue starts the busy chronograph.
  if (t.writeSeq === t.sndNxt) chronoStart(t, CHRONO_BUSY);
  const done = t.lowatCopied;
  t.lowatCopied = 0;
  t.sendBuf.append(data, done, n - done);
  t.writeSeq = (t.writeSeq + n - done) >>> 0;
  // tcp_sendmsg_locked: the skb holding the end of a fully copied MSG_EOR write is marked eor.
  if (flags & MSG_EOR && n === data.length) eors.push(t.writeSeq);
  if (flags & MSG_OOB) {
    // tcp_mark_urg: the urgent pointer follows the last byte of this write (BSD semantics).
    t.sndUp = t.writeSeq;
    t.urgMode = true;
  }
  if (!(flags & MSG_MORE) || ((t.writeSeq - t.pushedSeq) | 0) > t.maxWindow >> 1) {
    marks.push(t.writeSeq);
    t.pushedSeq = t.writeSeq;
  }
  pushPending(t, flags & MSG_MORE ? NAGLE_CORK : nagleMode(t));
  if (n < data.length) s.nospace = true;
  return n;
}

function result(data: Uint8Array, ret: number, msgFlags = 0): RecvResult {
  return { data, ret, from: null, msgFlags };
}

/** tcp_recvmsg(); the bytes go straight into `into` when given (see Socket.recvmsgEx). */
export function tcpRecvmsg(s: TcpSocket, len: number, flags: number, into?: Uint8Array): RecvResult | number {
  if (s.listener) return -Errno.ENOTCONN;
  if (flags & MSG_OOB) return recvUrg(s, len, flags);
  const t = s.tcb;
  // After tcp_disconnect (connect(AF_UNSPEC)) the pending ECONNRESET is reported first.
  if (!t) return s.soError ? -s.takeError() : -Errno.ENOTCONN;
  const peek = (flags & MSG_PEEK) !== 0;
  let avail = t.rcvQueue.bytes;
  let skipUrg = 0;
  if (avail > 0 && t.urgData && len > 0) {
    const off = (t.urgSeq - t.copiedSeq) | 0;
    if (off === 0 && !s.oobinline) {
      // The urgent byte sits at the read position: step over it (it is read with MSG_OOB).
      skipUrg = 1;
      avail--;
    } else if (off > 0 && off < avail) {
      avail = off; // stop at the mark
    }
  }
  // SO_RCVLOWAT: a blocking read waits for min(rcvlowat, len) bytes unless the stream ends first.
  if (avail > 0 && avail < Math.min(s.rcvlowat, len) && !t.done && !s.soError && !(t.shutdown & RCV_SHUTDOWN)) {
    return -Errno.EAGAIN;
  }
  if (avail > 0 && len > 0) {
    const n = Math.min(len, avail);
    // tcp_recvmsg_locked(): the stamp of the last skb used, also when peeking or discarding with MSG_TRUNC.
    const stamp = s.timestamp ? t.rcvQueue.stampAt(skipUrg + n - 1) : -1;
    const data = flags & MSG_TRUNC ? EMPTY : t.rcvQueue.read(n, peek, skipUrg, into);
    if (!peek) {
      if (flags & MSG_TRUNC) t.rcvQueue.discard(skipUrg + n);
      t.copiedSeq = (t.copiedSeq + n + skipUrg) >>> 0;
      if (t.urgData && ((t.copiedSeq - t.urgSeq) | 0) > 0) t.urgData = 0;
      rcvSpaceAdjust(t);
      cleanupRbuf(t, n);
    }
    const r = result(data, n);
    // tcp_recv_timestamp(): SCM_TIMESTAMP(NS) for data that was stamped on arrival (none for unstamped data).
    if (stamp >= 0) r.control = { cmsgs: [timestampCmsg(s, stamp)] };
    return r;
  }
  if (skipUrg && !peek) {
    t.rcvQueue.discard(1);
    t.copiedSeq = (t.copiedSeq + 1) >>> 0;
    t.urgData = 0;
  }
  if (len === 0 || t.done) return result(EMPTY, 0);
  if (s.soError) return -s.takeError();
  if (t.shutdown & RCV_SHUTDOWN) return result(EMPTY, 0);
  if (t.state === TCP_CLOSE) return -Errno.ENOTCONN;
  return -Errno.EAGAIN;
}

/** tcp_recv_urg(): recv(MSG_OOB) returns the urgent byte once; EINVAL when there is none or with SO_OOBINLINE. */
function recvUrg(s: TcpSocket, len: number, flags: number): RecvResult | number {
  const t = s.tcb;
  if (s.oobinline || !t || !t.urgData || t.urgData === URG_READ) return -Errno.EINVAL;
  if (t.state === TCP_CLOSE && !t.done) return -Errno.ENOTCONN;
  if (t.urgData & URG_VALID) {
    const c = t.urgData & 0xff;
    if (!(flags & MSG_PEEK)) t.urgData = URG_READ;
    if (len > 0) return result(Uint8Array.of(c), 1, MSG_OOB);
    return result(EMPTY, 0, MSG_OOB | MSG_TRUNC);
  }
  if (t.state === TCP_CLOSE || t.shutdown & RCV_SHUTDOWN) return result(EMPTY, 0);
  return -Errno.EAGAIN; // never blocks
}

/**
 * tcp_inq_hint(): the TCP_INQ control message's value — RCV.NXT − copied (so a received FIN counts one), and 1
 * once the peer finished and everything was read, telling the reader to come back for the EOF.
 */
export function inqHint(s: TcpSocket): number {
  const t = s.tcb;
  if (!t) return 0;
  const inq = (t.rcvNxt - t.copiedSeq) | 0;
  return inq === 0 && t.done ? 1 : Math.max(0, inq);
}

/**
 * SIOCINQ / FIONREAD (tcp_inq()): the bytes readable in order — not the FIN, and only up to a pending urgent byte
 * kept out of line. (Linux answers EINVAL on a listener; there is nothing queued, so 0 here.)
 */
export function tcpInq(s: TcpSocket): number {
  const t = s.tcb;
  if (!t || s.listener || t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV) return 0;
  if (s.oobinline || !t.urgData || seqLt(t.urgSeq, t.copiedSeq) || !seqLt(t.urgSeq, t.rcvNxt)) {
    const answ = (t.rcvNxt - t.copiedSeq) | 0;
    return answ > 0 && t.done ? answ - 1 : Math.max(0, answ);
  }
  return (t.urgSeq - t.copiedSeq) | 0;
}

/** tcp_poll(). */
export function tcpPoll(s: TcpSocket): number {
  if (s.listener) return s.listener.acceptQueue.length > 0 ? POLLIN | POLLRDNORM : 0;
  const t = s.tcb;
  const state = t ? t.state : TCP_CLOSE;
  const shut = t ? t.shutdown : 0;
  let mask = 0;
  if (shut === (RCV_SHUTDOWN | SEND_SHUTDOWN) || state === TCP_CLOSE) mask |= POLLHUP;
  if (shut & RCV_SHUTDOWN) mask |= POLLIN | POLLRDNORM | POLLRDHUP;
  if (state !== TCP_SYN_SENT && state !== TCP_SYN_RECV) {
    if (t) {
      let target = Math.max(1, s.rcvlowat);
      if (t.urgData && t.urgSeq === t.copiedSeq && !s.oobinline) target++;
      const avail = (t.rcvNxt - t.copiedSeq) | 0;
      if (avail > 0 && (avail >= target || t.receiveWindow() <= t.rcvMss)) mask |= POLLIN | POLLRDNORM;
    }
    if (!(shut & SEND_SHUTDOWN)) {
      if (writeable(s)) mask |= POLLOUT | POLLWRNORM;
      else s.nospace = true;
    } else {
      mask |= POLLOUT | POLLWRNORM;
    }
    if (t && t.urgData & URG_VALID) mask |= POLLPRI;
  }
  if (s.soError || s.errQueue.length) mask |= POLLERR;
  return mask;
}

/** tcp_cwnd_restart(): after idling longer than an RTO, cwnd falls back toward the initial window. */
function idleRestart(t: Tcb): void {
  if (!t.layer.sysctl.slowStartAfterIdle || t.packetsOut) return;
  let delta = t.layer.host.sim.now - t.lsndtime;
  if (delta <= t.rto) return;
  const restart = Math.min(10, t.cwnd);
  t.ssthresh = Math.max(t.ssthresh, (t.cwnd >> 1) + (t.cwnd >> 2));
  let cwnd = t.cwnd;
  while ((delta -= t.rto) > 0 && cwnd > restart) cwnd >>= 1;
  t.cwnd = Math.max(cwnd, restart);
  t.cwndStamp = t.layer.host.sim.now;
  t.sndCwndUsed = 0;
}

/** __tcp_cleanup_rbuf(): ACK now if a read emptied a queue of pushed data or opened the window a lot. */
function cleanupRbuf(t: Tcb, copied: number): void {
  let timeToAck = false;
  if (t.ackPending & ACK_SCHED) {
    if (((t.rcvNxt - t.rcvWup) >>> 0) > t.rcvMss
      || (copied > 0 && (t.ackPending & ACK_PUSHED2 || (t.ackPending & ACK_PUSHED && t.pingpong < t.layer.sysctl.pingpongThresh))
        && t.rcvQueue.bytes === 0 && t.ooo.empty)) {
      timeToAck = true;
    }
  }
  if (copied > 0 && !timeToAck && !(t.shutdown & RCV_SHUTDOWN)) {
    const now = t.receiveWindow();
    if (2 * now <= t.windowClamp) {
      const nw = rawSelectWindow(t);
      if (nw && nw >= 2 * now) timeToAck = true;
    }
  }
  if (timeToAck) sendAck(t);
}
