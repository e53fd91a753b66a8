/**
 * The receive half of RFC 9293 §3.10.7.4 steps six to eight as Linux does them: urgent data (BSD semantics, one
 * byte kept out of band unless SO_OOBINLINE), queueing in-order data and out-of-order data with SACK (RFC 2018)
 * and D-SACK (RFC 2883) blocks, the FIN, and when to acknowledge: delayed ACKs (40 ms minimum, quick-ACK mode,
 * every second full segment, RFC 9293 §3.8.6.3 / RFC 1122 §4.2.3.2), immediate ACKs for out-of-order data and
 * compressed SACKs (tcp_sack_compress_send_ack).
 */
import { MS, US } from '../../sim/time.js';
import { TCP_FIN, TCP_PSH, TCP_SYN, TCP_URG } from '../wire/tcp.js';
import type { Seg } from './segment.js';
import { seqGt, seqLt } from './seq.js';
import { rxStampNow } from '../rx-cmsg.js';
import {
  ACK_NOMEM, ACK_NOW, ACK_PUSHED, ACK_PUSHED2, ACK_SCHED, MAX_SACKS, RCV_SHUTDOWN, TCP_ATO_MIN, TCP_CLOSE_WAIT,
  TCP_CLOSING, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_MAX_QUICKACKS, TCP_SYN_RECV, TCP_TIME_WAIT, type Tcb,
} from './tcb.js';
import { sendAck, sendDelayedAck } from './output.js';
import { rawSelectWindow, rmemCharged, tcpSpace } from './window.js';
import { enterTimeWait, setState } from './conn.js';

/** tcp_incr_quickack(). */
export function incrQuickack(t: Tcb, max: number): void {
  let q = Math.floor(t.rcvWnd / (2 * t.rcvMss));
  if (q === 0) q = 2;
  q = Math.min(q, max);
  if (q > t.quick) t.quick = q;
}

/** tcp_enter_quickack_mode(). */
export function enterQuickack(t: Tcb, max: number): void {
  incrQuickack(t, max);
  t.pingpong = 0;
  t.ato = TCP_ATO_MIN;
}

function inQuickack(t: Tcb): boolean {
  return t.quick > 0 && t.pingpong < t.layer.sysctl.pingpongThresh;
}

/** tcp_sack_extend(): grows block i of `a` to cover [s, e) when they touch; returns whether it did. */
function sackExtend(a: Uint32Array, i: number, s: number, e: number): boolean {
  if (!seqGt(s, a[2 * i + 1]!) && !seqGt(a[2 * i]!, e)) {
    if (seqLt(s, a[2 * i]!)) a[2 * i] = s;
    if (seqGt(e, a[2 * i + 1]!)) a[2 * i + 1] = e;
    return true;
  }
  return false;
}

/** tcp_dsack_set(). */
export function dsackSet(t: Tcb, s: number, e: number): void {
  if (!t.sackOk || !t.layer.sysctl.dsack) return;
  t.dsack = true;
  t.dsackStart = s;
  t.dsackEnd = e;
}

/** tcp_dsack_extend(). */
function dsackExtend(t: Tcb, s: number, e: number): void {
  if (!t.dsack) {
    dsackSet(t, s, e);
    return;
  }
  if (!seqGt(s, t.dsackEnd) && !seqGt(t.dsackStart, e)) {
    if (seqLt(s, t.dsackStart)) t.dsackStart = s;
    if (seqGt(e, t.dsackEnd)) t.dsackEnd = e;
  }
}

/** tcp_sack_new_ofo_skb(): the newest out-of-order data goes first in the SACK blocks (RFC 2018 §4). */
function sackNewOfo(t: Tcb, s: number, e: number): void {
  const a = t.sacks;
  const n = t.numSacks;
  for (let i = 0; i < n; i++) {
    if (sackExtend(a, i, s, e)) {
      // Rotate this block to the front, then merge any others it now reaches (tcp_sack_maybe_coalesce).
      for (; i > 0; i--) swapBlocks(a, i, i - 1);
      if (n > 1) {
        let k = 1;
        while (k < t.numSacks) {
          if (sackExtend(a, 0, a[2 * k]!, a[2 * k + 1]!)) {
            for (let j = k; j < t.numSacks - 1; j++) {
              a[2 * j] = a[2 * j + 2]!;
              a[2 * j + 1] = a[2 * j + 3]!;
            }
            t.numSacks--;
            continue;
          }
          k++;
        }
      }
      return;
    }
  }
  let cnt = n;
  if (cnt >= MAX_SACKS) {
    cnt--;
    t.numSacks--;
  }
  for (let i = cnt; i > 0; i--) {
    a[2 * i] = a[2 * i - 2]!;
    a[2 * i + 1] = a[2 * i - 1]!;
  }
  a[0] = s;
  a[1] = e;
  t.numSacks++;
}

function swapBlocks(a: Uint32Array, i: number, j: number): void {
  const s = a[2 * i]!, e = a[2 * i + 1]!;
  a[2 * i] = a[2 * j]!;
  a[2 * i + 1] = a[2 * j + 1]!;
  a[2 * j] = s;
  a[2 * j + 1] = e;
}

/** tcp_sack_remove(): drops SACK blocks RCV.NXT has passed. */
function sackRemove(t: Tcb): void {
  if (t.ooo.empty) {
    t.numSacks = 0;
    return;
  }
  const a = t.sacks;
  let i = 0;
  while (i < t.numSacks) {
    if (!seqLt(t.rcvNxt, a[2 * i]!)) {
      for (let j = i + 1; j < t.numSacks; j++) {
        a[2 * j - 2] = a[2 * j]!;
        a[2 * j - 1] = a[2 * j + 1]!;
      }
      t.numSacks--;
      continue;
    }
    i++;
  }
}

/** tcp_measure_rcv_mss(): learn the peer's segment size to pace delayed ACKs. */
function measureRcvMss(t: Tcb, seg: Seg): void {
  const lss = t.lastSegSize;
  t.lastSegSize = 0;
  let len = seg.payload.length;
  if (len >= t.rcvMss) {
    t.rcvMss = Math.min(len, t.advmss);
    if (seg.flags & TCP_PSH) t.ackPending |= ACK_PUSHED;
  } else {
    len += seg.hlen;
    if (len >= 536 + 20 || (len >= 88 + 20 && !(seg.flags & (TCP_FIN | TCP_URG | TCP_SYN | TCP_PSH)))) {
      len -= t.tcpHeaderLen;
      t.lastSegSize = len;
      if (len === lss) {
        t.rcvMss = len;
        return;
      }
    }
    if (t.ackPending & ACK_PUSHED) t.ackPending |= ACK_PUSHED2;
    t.ackPending |= ACK_PUSHED;
  }
}

/** tcp_grow_window(): raise rcv_ssthresh as well-sized segments arrive (socksim's truesize is 2 × len). */
function growWindow(t: Tcb, len: number): void {
  const room = Math.min(t.windowClamp, tcpSpace(t)) - t.rcvSsthresh;
  if (room <= 0) return;
  const incr = Math.max(2 * t.advmss, 2 * len);
  t.rcvSsthresh += Math.min(room, incr);
  t.quick |= 1;
}

/** tcp_event_data_recv(): delayed-ACK engine bookkeeping for new in-order data. */
function eventDataRecv(t: Tcb, seg: Seg): void {
  const now = t.layer.host.sim.now;
  t.ackPending |= ACK_SCHED;
  measureRcvMss(t, seg);
  rcvRttMeasure(t);
  if (!t.ato) {
    // The first data: start in quick-ACK mode.
    incrQuickack(t, TCP_MAX_QUICKACKS);
    t.ato = TCP_ATO_MIN;
  } else {
    const m = Math.floor(now / MS) - Math.floor(t.lrcvtime / MS);
    const mNs = m * MS;
    if (mNs <= TCP_ATO_MIN / 2) {
      t.ato = Math.floor(t.ato / 2) + TCP_ATO_MIN / 2;
    } else if (mNs < t.ato) {
      t.ato = Math.floor(t.ato / 2) + mNs;
      if (t.ato > t.rto) t.ato = t.rto;
    } else if (mNs > t.rto) {
      incrQuickack(t, TCP_MAX_QUICKACKS);
    }
  }
  t.lrcvtime = now;
  if (seg.payload.length >= 128) growWindow(t, seg.payload.length);
}

/** tcp_rcv_rtt_measure(): without timestamps, one sample per window of data. */
function rcvRttMeasure(t: Tcb): void {
  if (t.tsOk) return;
  const now = t.layer.host.sim.now;
  if (t.rcvRttTime !== 0) {
    if (seqLt(t.rcvNxt, t.rcvRttSeq)) return;
    rcvRttUpdate(t, Math.max(1, Math.floor((now - t.rcvRttTime) / US)), true);
  }
  t.rcvRttSeq = (t.rcvNxt + t.rcvWnd) >>> 0;
  t.rcvRttTime = now || 1;
}

/** tcp_rcv_rtt_measure_ts(): a receiver RTT sample from a full segment's TSecr. */
export function rcvRttMeasureTs(t: Tcb, seg: Seg): void {
  if (!t.sawTstamp || !t.rcvTsecr || t.rcvTsecr === t.rcvRttLastTsecr) return;
  t.rcvRttLastTsecr = t.rcvTsecr;
  if (seg.payload.length < t.rcvMss) return;
  const delta = ((t.tsNow() - t.rcvTsecr) | 0);
  if (delta < 0) return;
  rcvRttUpdate(t, Math.max(1, delta) * 1000, false);
}

function rcvRttUpdate(t: Tcb, sample: number, winDep: boolean): void {
  let ns = t.rcvRttUs;
  let m = sample || 1;
  if (ns !== 0) {
    if (!winDep) {
      m -= ns >> 3;
      ns += m;
    } else if (m < ns) {
      ns = m << 3;
    }
  } else {
    ns = m << 3;
  }
  t.rcvRttUs = ns;
}

/**
 * The segment's receive timestamp (skb->tstamp): the virtual time now, if some socket on the host has receive
 * timestamps on (net_enable_timestamp: the stack stamps arriving packets only then), else -1. A TCP read reports
 * no stamp for data that arrived unstamped, even after SO_TIMESTAMP is turned on (Linux 6.18, probed).
 */
function rxStamp(t: Tcb): number {
  return rxStampNow(t.layer.host);
}

/** Appends in-order payload and advances RCV.NXT (tcp_queue_rcv). */
function queueRcv(t: Tcb, data: Uint8Array): void {
  if (data.length === 0) return;
  t.rcvQueue.push(data, rxStamp(t));
  t.rcvNxt = (t.rcvNxt + data.length) >>> 0;
  t.bytesReceived += data.length;
}

/** tcp_fin(): the peer's FIN is in order. */
export function tcpFin(t: Tcb): void {
  t.ackPending |= ACK_SCHED;
  t.shutdown |= RCV_SHUTDOWN;
  t.done = true;
  switch (t.state) {
    case TCP_SYN_RECV:
    case TCP_ESTABLISHED:
      setState(t, TCP_CLOSE_WAIT);
      t.pingpong = t.layer.sysctl.pingpongThresh; // inet_csk_enter_pingpong_mode
      break;
    case TCP_FIN_WAIT1:
      // Simultaneous close (RFC 9293 §3.6): acknowledge and enter CLOSING.
      sendAck(t);
      setState(t, TCP_CLOSING);
      break;
    case TCP_FIN_WAIT2:
      sendAck(t);
      enterTimeWait(t, TCP_TIME_WAIT);
      break;
    default:
      break;
  }
  // Anything queued out of order beyond the FIN is dropped.
  t.ooo.clear();
  t.numSacks = 0;
  t.sock.stateChanged();
}

/** tcp_ofo_queue(): moves now in-order runs from the out-of-order queue. */
function oooQueue(t: Tcb): void {
  const r = t.ooo.drain(t.rcvNxt, (d, stamp) => {
    t.rcvQueue.push(d, stamp);
    t.bytesReceived += d.length;
  });
  t.rcvNxt = r.rcvNxt;
  if (r.fin) tcpFin(t);
}

const dsackSink = {
  t: null as Tcb | null,
  dsackSet(s: number, e: number): void {
    dsackSet(this.t!, s, e);
  },
  dsackExtend(s: number, e: number): void {
    dsackExtend(this.t!, s, e);
  },
};

/** tcp_data_queue_ofo(). */
function dataQueueOfo(t: Tcb, seg: Seg): void {
  t.ackPending |= ACK_SCHED;
  t.rcvOoopack++;
  const seq = seg.seq;
  const end = seg.end;
  const wasEmpty = t.ooo.empty;
  dsackSink.t = t;
  const kept = t.ooo.insert(seq, seg.payload, (seg.flags & TCP_FIN) !== 0, dsackSink, rxStamp(t));
  if (t.sackOk) {
    if (wasEmpty) {
      t.numSacks = 1;
      t.sacks[0] = seq;
      t.sacks[1] = end;
    } else {
      sackNewOfo(t, seq, end);
    }
  }
  if (kept > 0 && t.sackOk) growWindow(t, seg.payload.length);
}

/**
 * tcp_data_queue(): in-order data is queued (and the out-of-order queue drained), old data triggers D-SACK and
 * an immediate ACK, data beyond the window is dropped with an ACK, the rest goes out of order.
 */
export function dataQueue(t: Tcb, seg: Seg): void {
  const seq = seg.seq;
  const end = seg.end;
  if (seq === end) return;
  const len = seg.payload.length;
  if (seq === t.rcvNxt) {
    if (t.receiveWindow() === 0) {
      // Only a FIN (or an empty window probe) may pass a zero window.
      if (len === 0 && seg.flags & TCP_FIN) {
        t.rcvNxt = end;
        tcpFin(t);
        return;
      }
      outOfWindow(t);
      return;
    }
    if (len > 0 && t.rcvQueue.bytes > 0 && rmemCharged(t) + 2 * len > t.sock.rcvbuf) {
      // tcp_try_rmem_schedule failed: drop and advertise what room is left (ICSK_ACK_NOMEM).
      t.ackPending |= ACK_NOMEM | ACK_NOW | ACK_SCHED;
      t.sock.dataReady();
      return;
    }
    queueAndOut(t, seg, seg.payload);
    return;
  }
  if (!seqGt(end, t.rcvNxt)) {
    // A retransmission of data we have: D-SACK it and ACK at once.
    dsackSet(t, seq, end);
    outOfWindow(t);
    return;
  }
  if (!seqLt(seq, (t.rcvNxt + t.receiveWindow()) >>> 0)) {
    outOfWindow(t);
    return;
  }
  if (seqLt(seq, t.rcvNxt)) {
    // Partly old: D-SACK the old part and queue the new part.
    dsackSet(t, seq, t.rcvNxt);
    if (!t.receiveWindow()) {
      outOfWindow(t);
      return;
    }
    const skip = (t.rcvNxt - seq) >>> 0;
    queueAndOut(t, seg, seg.payload.subarray(Math.min(skip, len)));
    return;
  }
  dataQueueOfo(t, seg);
}

/** tcp_data_queue's queue_and_out: the in-order part is queued, then the FIN and the out-of-order queue. */
function queueAndOut(t: Tcb, seg: Seg, data: Uint8Array): void {
  queueRcv(t, data);
  if (seg.flags & TCP_FIN) t.rcvNxt = (t.rcvNxt + 1) >>> 0;
  if (data.length > 0) eventDataRecv(t, seg);
  if (seg.flags & TCP_FIN) tcpFin(t);
  if (!t.ooo.empty) {
    oooQueue(t);
    // RFC 5681 §4.2: ACK at once when a gap is filled.
    if (t.ooo.empty) t.ackPending |= ACK_NOW;
  }
  if (t.numSacks) sackRemove(t);
  if (!t.dead) t.sock.dataReady();
}

function outOfWindow(t: Tcb): void {
  enterQuickack(t, TCP_MAX_QUICKACKS);
  t.ackPending |= ACK_SCHED;
}

/** __tcp_ack_snd_check(): ACK now, delay it, or compress a SACK. */
export function ackSndCheck(t: Tcb): void {
  if (!(t.ackPending & ACK_SCHED)) return;
  const ofoPossible = true;
  // More than one full segment since the last ACK, and either below SO_RCVLOWAT or the window would not shrink.
  if ((((t.rcvNxt - t.rcvWup) >>> 0) > t.rcvMss
    && (((t.rcvNxt - t.copiedSeq) >>> 0) < t.sock.rcvlowat || rawSelectWindow(t) >= t.rcvWnd))
    || inQuickack(t) || t.ackPending & ACK_NOW) {
    sendAck(t);
    return;
  }
  if (!ofoPossible || t.ooo.empty) {
    sendDelayedAck(t);
    return;
  }
  if (!t.sackOk || t.compressedAck >= 44) {
    sendAck(t);
    return;
  }
  if (t.compressedAckRcvNxt !== t.rcvNxt) {
    t.compressedAckRcvNxt = t.rcvNxt;
    t.dupAckCounter = 0;
  }
  if (t.dupAckCounter < 3) {
    t.dupAckCounter++;
    sendAck(t);
    return;
  }
  t.compressedAck++;
  if (t.compAckTimer.armed) return;
  // Compressed SACK: wait 5 % of the RTT, at most tcp_comp_sack_delay_ns (1 ms).
  let rtt = t.rcvRttUs;
  if (t.srttUs && (t.srttUs < rtt || !rtt)) rtt = t.srttUs;
  const delay = Math.min(1_000_000, Math.floor((rtt * 1000) / 8 / 20));
  t.compAckTimer.arm(delay);
}

/** urg_data flag bits (TCP_URG_VALID, TCP_URG_NOTYET, TCP_URG_READ); the low byte holds the urgent byte. */
export const URG_VALID = 0x100, URG_NOTYET = 0x200, URG_READ = 0x400;

/**
 * tcp_check_urg() + tcp_urg(): the peer's urgent pointer, with BSD semantics (tcp_stdurg 0: it points one past
 * the urgent byte). The byte stays in the stream; reads skip it unless SO_OOBINLINE, and recv(MSG_OOB) returns it.
 */
export function urgInput(t: Tcb, seg: Seg): void {
  if (seg.flags & TCP_URG && seg.urp) {
    const ptr = (seg.seq + seg.urp - 1) >>> 0;
    if (!seqGt(t.copiedSeq, ptr) && !seqLt(ptr, t.rcvNxt) && !(t.urgData && !seqGt(ptr, t.urgSeq))) {
      if (t.urgSeq === t.copiedSeq && t.urgData && !t.sock.oobInline && t.copiedSeq !== t.rcvNxt) {
        // The last byte read was urgent: step over it so it is not read again as data.
        t.copiedSeq = (t.copiedSeq + 1) >>> 0;
        t.rcvQueue.discard(1);
      }
      t.urgData = URG_NOTYET;
      t.urgSeq = ptr;
      t.sock.urgentNotice();
    }
  }
  if (t.urgData === URG_NOTYET) {
    const off = (t.urgSeq - seg.seq) >>> 0;
    if (off < seg.payload.length) {
      t.urgData = URG_VALID | seg.payload[off]!;
      if (!t.dead) t.sock.dataReady();
    }
  }
}

