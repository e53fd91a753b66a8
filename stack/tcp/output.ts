/**
 * Segment output: building segments (header, options in Linux's order, payload from the send buffer, checksum),
 * pure ACKs, resets, SYNs, and tcp_write_xmit()'s decision of what new data may go now: the congestion window, the
 * peer's window (tcp_snd_wnd_test), Nagle's algorithm in Linux's Minshall form (RFC 9293 §3.7.4; TCP_NODELAY,
 * TCP_CORK, MSG_MORE), and the FIN riding on the last data segment.
 */
import { IPPROTO_TCP } from '../constants.js';
import { MS } from '../../sim/time.js';
import { pseudoSumV4, pseudoSumV6 } from '../wire/checksum.js';
import { fastSum } from './csum.js';
import { allocBytes } from '../wire/bytes.js';
import { FRAME_HEADROOM } from '../ipv4.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../wire/tcp.js';
import { OutOpts, writeHeader, writeOptions } from './segment.js';
import { seqGt, seqLeq, seqLt } from './seq.js';
import { CHRONO_RWND_LIMITED, chronoStart, chronoStop } from './chrono.js';
import {
  ACK_SCHED, ACK_TIMER, TCP_ATO_MIN, CA_CWR, CA_OPEN, CA_RECOVERY, S_EVER_RETRANS, S_LOST, S_RETRANS, S_SACKED,
  TCP_DELACK_MAX, TCP_DELACK_MIN, TCP_SYN_RECV, TCP_SYN_SENT, TxSeg, type Tcb,
} from './tcb.js';
import { selectWindow } from './window.js';
import { CA_EVENT_TX_START } from './congestion/cc.js';
import { armRto, scheduleLossProbe } from './xmit-timer.js';

/** Nagle modes (tp->nonagle bits). */
export const NAGLE_OFF = 1, NAGLE_CORK = 2, NAGLE_PUSH = 4;

const opts = new OutOpts();

/**
 * IPv6 segments are built in one reusable buffer: ipv6.output copies the payload into a fresh frame before it
 * returns (and queues frames, not payloads, while a neighbour resolves), so the bytes are free again once
 * layer.transmit() returns. IPv4 segments are built inside their frame instead (Ipv4Send.frame), which saves that
 * copy too.
 */
let scratchBuf = new Uint8Array(65536 + 120);

function scratch(n: number): Uint8Array {
  if (n > scratchBuf.length) scratchBuf = new Uint8Array(n);
  const b = scratchBuf.subarray(0, n);
  return b;
}

/** The pseudo-header sum of the connection for a TCP length of `len`. */
function pseudo(t: Tcb, len: number): number {
  return t.v === 4
    ? pseudoSumV4(t.laddr as number, t.raddr as number, IPPROTO_TCP, len)
    : pseudoSumV6(t.laddr as Uint8Array, t.raddr as Uint8Array, IPPROTO_TCP, len);
}

/** Fills `opts` with what an established connection's segment carries (tcp_established_options). */
function establishedOptions(t: Tcb): void {
  opts.clear();
  let room = 40;
  if (t.tsOk) {
    opts.ts = true;
    opts.tsval = t.tsNow();
    opts.tsecr = t.tsRecent;
    room -= 12;
  }
  const eff = t.numSacks + (t.dsack ? 1 : 0);
  if (eff > 0 && room >= 12) {
    const n = Math.min(eff, (room - 4) >> 3);
    let k = 0;
    if (t.dsack) {
      opts.sack[0] = t.dsackStart;
      opts.sack[1] = t.dsackEnd;
      k = 1;
    }
    for (let i = 0; k < n; i++, k++) {
      opts.sack[2 * k] = t.sacks[2 * i]!;
      opts.sack[2 * k + 1] = t.sacks[2 * i + 1]!;
    }
    opts.nsack = n;
  }
}

/** Option bytes an established segment carries besides timestamps (SACK blocks shrink the payload room). */
export function extraOptionBytes(t: Tcb): number {
  const eff = t.numSacks + (t.dsack ? 1 : 0);
  if (eff === 0) return 0;
  const room = t.tsOk ? 28 : 40;
  return 4 + 8 * Math.min(eff, (room - 4) >> 3);
}

/** The send MSS right now (tcp_current_mss): mssCache less any SACK option bytes. */
export function currentMss(t: Tcb): number {
  return t.mssCache - extraOptionBytes(t);
}

/** The ECT(0) codepoint in the IP TOS / traffic-class field (RFC 3168 §5). */
const INET_ECN_ECT_0 = 2;

/**
 * Builds and sends one segment. `dataOff` is the payload's offset from SND.UNA in the send buffer. Options come
 * from `opts` (already filled); the window field is chosen here unless the segment is a SYN.
 */
function emit(t: Tcb, seq: number, flags: number, dataOff: number, len: number, urp: number, ect = 0): void {
  const olen = opts.length();
  const hlen = 20 + olen;
  const frame = t.v === 4 ? allocBytes(FRAME_HEADROOM + hlen + len) : undefined;
  const b = frame ? frame.subarray(FRAME_HEADROOM) : scratch(hlen + len);
  let wnd: number;
  if (flags & TCP_SYN) wnd = Math.min(t.rcvWnd, 65535);
  else wnd = selectWindow(t);
  const ack = flags & TCP_ACK ? t.rcvNxt : 0;
  writeHeader(b, t.lport, t.rport, seq, ack, hlen, flags, wnd, urp);
  writeOptions(opts, b, 20);
  if (len > 0) t.sendBuf.copyOut(dataOff, len, b, hlen);
  const sum = fastSum(b, pseudo(t, b.length));
  const c = ~sum & 0xffff;
  b[16] = c >>> 8;
  b[17] = c;
  if (opts.nsack > 0 && t.dsack) t.dsack = false; // a D-SACK is reported once (tcp_options_write)
  t.segsOut++;
  if (flags & TCP_ACK) ackSent(t);
  t.layer.transmit(t, b, ect, frame);
}

/** tcp_event_ack_sent(): an ACK went out, so a pending delayed ACK is satisfied. */
function ackSent(t: Tcb): void {
  if (t.compressedAck) {
    t.compressedAck = 0;
    t.compAckTimer.disarm();
  }
  // tcp_dec_quickack_mode
  if (t.quick) {
    const pkts = t.ackPending & ACK_SCHED ? 1 : 0;
    if (pkts >= t.quick) {
      t.quick = 0;
      t.ato = TCP_ATO_MIN;
    } else {
      t.quick -= pkts;
    }
  }
  t.ackPending = 0;
  // Linux only clears the pending bits here too (inet_csk_clear_xmit_timer on ICSK_TIME_DACK).
  t.delackTimer.disarm();
}

/** Sends a pure ACK now (tcp_send_ack). */
export function sendAck(t: Tcb): void {
  establishedOptions(t);
  emit(t, t.sndNxt, TCP_ACK, 0, 0, 0);
}

/** Sends a segment with the given sequence and flags but no data, current options (zero-window probe etc.). */
export function sendBare(t: Tcb, seq: number, flags: number): void {
  establishedOptions(t);
  emit(t, seq, flags, 0, 0, 0);
}

/** Sends RST|ACK at SND.NXT (tcp_send_active_reset): an abort. */
export function sendActiveReset(t: Tcb): void {
  opts.clear();
  if (t.tsOk) {
    opts.ts = true;
    opts.tsval = t.tsNow();
    opts.tsecr = t.tsRecent;
  }
  emit(t, t.sndNxt, TCP_RST | TCP_ACK, 0, 0, 0);
}

/** Schedules a delayed ACK (tcp_send_delayed_ack). */
export function sendDelayedAck(t: Tcb): void {
  let ato = t.ato;
  const now = t.layer.host.sim.now;
  if (ato > TCP_DELACK_MIN) {
    let maxAto = 500_000_000; // HZ / 2
    if (t.pingpong >= t.layer.sysctl.pingpongThresh || t.ackPending & 4 /* PUSHED */) maxAto = TCP_DELACK_MAX;
    if (t.srttUs) {
      const rtt = Math.max(Math.ceil((t.srttUs >> 3) / 1000) * 1_000_000, TCP_DELACK_MIN);
      if (rtt < maxAto) maxAto = rtt;
    }
    ato = Math.min(ato, maxAto);
  }
  ato = Math.min(ato, TCP_DELACK_MAX);
  // A timer due now runs at the next jiffy (HZ=1000): a connection that never received data has ato 0.
  let timeout = now + Math.max(ato, MS);
  if (t.ackPending & ACK_TIMER) {
    // If the delayed-ACK timer is about to expire anyway, send the ACK now.
    if (t.ackTimeout <= now + (ato >> 2)) {
      sendAck(t);
      return;
    }
    if (timeout >= t.ackTimeout) timeout = t.ackTimeout;
  }
  t.ackPending |= ACK_SCHED | ACK_TIMER;
  t.ackTimeout = timeout;
  t.delackTimer.armAt(timeout);
}

/** The SYN or SYN-ACK options of this connection (tcp_syn_options / tcp_synack_options). */
function synOptions(t: Tcb, synack: boolean): void {
  opts.clear();
  opts.mss = t.advmss;
  if (t.tsOk || (!synack && t.layer.sysctl.timestamps)) {
    opts.ts = true;
    opts.tsval = t.tsNow();
    opts.tsecr = synack ? t.tsRecent : 0;
  }
  if (synack ? t.sackOk : t.layer.sysctl.sack) opts.sackOk = true;
  if (synack ? t.wscaleOk : t.layer.sysctl.windowScaling) opts.wscale = t.rcvWscale;
}

/**
 * Sends (or resends) our SYN (SYN_SENT) or SYN-ACK (SYN_RECV, simultaneous open). tcp_ecn_send_syn: with
 * tcp_ecn=1 the SYN asks for ECN with ECE|CWR (RFC 3168 §6.1.1); tcp_ecn_clear_syn drops them from a
 * retransmission when tcp_ecn_fallback is set.
 */
export function sendSyn(t: Tcb, retrans = false): void {
  const synack = t.state === TCP_SYN_RECV;
  synOptions(t, synack);
  let flags = synack ? TCP_SYN | TCP_ACK : TCP_SYN;
  if (!synack && !retrans) t.ecnOk = t.layer.sysctl.ecn === 1;
  if (!synack && t.ecnOk && !(retrans && t.layer.sysctl.ecnFallback)) flags |= TCP_ECE | TCP_CWR;
  emit(t, t.iss, flags, 0, 0, 0);
}

/** Whether the data segment [seq, end) should carry PSH: it reaches a push mark (the end of a write). */
function takePush(t: Tcb, end: number): boolean {
  const m = t.pushMarks;
  let push = false;
  while (m.length > 0 && seqLeq(m[0]!, end)) {
    m.shift();
    push = true;
  }
  return push;
}

/**
 * The length of the next new segment: at most `len`, and never past an MSG_EOR boundary (tcp_skb_can_collapse_to
 * keeps eor skbs apart, so tcp_write_xmit never builds a segment across one). Drops boundaries already sent.
 */
function eorCap(t: Tcb, len: number): number {
  const m = t.eorMarks;
  while (m.length > 0 && seqLeq(m[0]!, t.sndNxt)) m.shift();
  return m.length > 0 ? Math.min(len, (m[0]! - t.sndNxt) >>> 0) : len;
}

/** Puts a transmitted segment on the retransmission queue and the time-sorted list. */
function queueSent(t: Tcb, s: TxSeg): void {
  t.rtx.push(s);
  t.tsAppend(s);
  t.packetsOut++;
}

/**
 * Sends a data (or FIN) segment for the first time: [seq, seq+len) of the stream, flags beyond ACK.
 * tcp_event_new_data_sent() bookkeeping included.
 */
function sendNew(t: Tcb, len: number, flags: number): void {
  const seq = t.sndNxt;
  const now = t.layer.host.sim.now;
  if (t.inFlight() === 0) t.cc.cwndEvent(t, CA_EVENT_TX_START);
  const s = new TxSeg(seq, (seq + len + (flags & TCP_FIN ? 1 : 0)) >>> 0, flags);
  s.xmitTime = now;
  const priorPackets = t.packetsOut;
  transmitData(t, s, len, true);
  t.sndNxt = s.end;
  queueSent(t, s);
  if (len > 0 && len < t.mssCache) t.sndSml = s.end; // tcp_minshall_update
  // tcp_event_new_data_sent: start the RTO with the first outstanding segment (or replace a loss probe).
  if (priorPackets === 0 || t.xmitPending === 3) armRto(t);
}

/** Transmits a TxSeg's bytes with the current ACK and options (tcp_transmit_skb). */
function transmitData(t: Tcb, s: TxSeg, len: number, fresh = false): void {
  const now = t.layer.host.sim.now;
  establishedOptions(t);
  let flags = TCP_ACK | (s.flags & (TCP_FIN | TCP_PSH));
  let urp = 0;
  if (t.urgMode && seqGt(t.sndUp, s.seq)) {
    // RFC 9293 §3.8.5 with Linux's BSD semantics: the pointer names the byte after the urgent byte.
    const off = (t.sndUp - s.seq) >>> 0;
    if (off <= 0xffff) {
      urp = off;
      flags |= TCP_URG;
    } else {
      urp = 0xffff;
      flags |= TCP_URG;
    }
  }
  // tcp_ecn_send: only new data is ECN-capable (INET_ECN_xmit → ECT(0)); retransmissions and pure ACKs are not
  // (RFC 3168 §6.1.5).
  emit(t, s.seq, flags, (s.seq - t.sndBufSeq) >>> 0, len, urp, fresh && len > 0 && t.ecnOk ? INET_ECN_ECT_0 : 0);
  if (len > 0) {
    t.dataSegsOut++;
    t.bytesSent += len;
    // tcp_event_data_sent: a reply within ato of the last received data counts toward ping-pong mode.
    if (now - t.lrcvtime < t.ato && t.pingpong < 255) t.pingpong++;
  }
  t.lsndtime = now;
}

/** Length of a TxSeg's payload. */
export function segPayloadLen(s: TxSeg): number {
  return ((s.end - s.seq) >>> 0) - (s.flags & TCP_FIN ? 1 : 0) - (s.flags & TCP_SYN ? 1 : 0);
}

/**
 * Retransmits one queued segment (tcp_retransmit_skb): splits it first if the MSS shrank, marks it retransmitted.
 * Returns false when it cannot go now (outside the peer's window).
 */
export function retransmitSeg(t: Tcb, idx: number, countRetrans: boolean): boolean {
  let s = t.rtx[idx]!;
  if (s.flags & TCP_SYN) {
    t.rtx[idx]!.xmitTime = t.layer.host.sim.now;
    sendSyn(t, true);
    s.sacked |= S_EVER_RETRANS;
    t.totalRetrans++;
    return true;
  }
  // Do not send what lies beyond the peer's window (tcp_retransmit_skb: -EAGAIN), unless it is the head.
  if (seqGt(s.seq, t.wndEnd()) && s.seq !== t.sndUna) return false;
  const mss = currentMss(t);
  let len = segPayloadLen(s);
  if (len > mss) {
    splitSeg(t, idx, mss);
    s = t.rtx[idx]!;
    len = mss;
  }
  s.xmitTime = t.layer.host.sim.now;
  transmitData(t, s, len);
  if (!(s.sacked & S_SACKED)) t.tsAppend(s);
  t.totalRetrans++;
  t.bytesRetrans += len;
  if (countRetrans) {
    if (!(s.sacked & S_RETRANS)) t.retransOut++;
    s.sacked |= S_RETRANS;
  }
  s.sacked |= S_EVER_RETRANS;
  if (!t.retransStamp) t.retransStamp = s.xmitTime || t.layer.host.sim.now;
  if (t.undoRetrans < 0) t.undoRetrans = 0;
  t.undoRetrans++;
  t.layer.recordRetransmit(t, s.seq, len);
  return true;
}

/** Splits rtx[idx] after `first` payload bytes (tcp_fragment): the second part inherits FIN and PSH. */
export function splitSeg(t: Tcb, idx: number, first: number): void {
  const s = t.rtx[idx]!;
  const mid = (s.seq + first) >>> 0;
  const tail = new TxSeg(mid, s.end, s.flags);
  tail.sacked = s.sacked;
  tail.xmitTime = s.xmitTime;
  if (s.inTs) {
    // Keep time order: the tail goes right after s.
    tail.inTs = true;
    tail.tsPrev = s;
    tail.tsNext = s.tsNext;
    if (s.tsNext) s.tsNext.tsPrev = tail;
    else t.tsTail = tail;
    s.tsNext = tail;
  }
  s.end = mid;
  s.flags &= ~(TCP_FIN | TCP_PSH);
  t.rtx.splice(idx + 1, 0, tail);
  if (t.rtxHint > idx) t.rtxHint++;
  t.packetsOut++;
  if (s.sacked & S_SACKED) t.sackedOut++;
  if (s.sacked & S_LOST) t.lostOut++;
  if (s.sacked & S_RETRANS) t.retransOut++;
}

/**
 * tcp_write_xmit(): sends new data while the congestion and receive windows and Nagle allow. With pushOne (the
 * loss probe's push_one == 2) exactly one segment goes, even over cwnd. Returns true when nothing is in flight but
 * data is waiting (the caller then arms the zero-window probe timer).
 */
export function writeXmit(t: Tcb, nonagle: number, pushOne = false): boolean {
  if (t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV) return false;
  let sent = 0;
  let cwndLimited = false;
  let rwndLimited = false;
  for (;;) {
    const unsent = (t.writeSeq - t.sndNxt) | 0;
    const finPending = t.finQueued && unsent === 0 && !t.finSent();
    if (unsent <= 0 && !finPending) break;
    if (t.inFlight() >= t.cwnd) {
      cwndLimited = true;
      // A loss probe (push_one == 2) goes out even when cwnd is full.
      if (!pushOne) break;
    }
    const mss = currentMss(t);
    const len = eorCap(t, Math.min(mss, Math.max(unsent, 0)));
    const withFin = t.finQueued && len === unsent;
    // tcp_snd_wnd_test: the whole segment (the FIN counts one) must fit in the peer's window.
    const end = (t.sndNxt + len + (withFin && len === 0 ? 1 : 0)) >>> 0;
    if (seqGt(end, t.wndEnd())) {
      rwndLimited = true;
      break;
    }
    // Only the last skb is subject to Nagle; an earlier one (cut short by MSG_EOR) goes as if pushed.
    if (len > 0 && len < mss && len === unsent && !withFin && !(nonagle & NAGLE_PUSH) && !t.urgMode) {
      // tcp_nagle_check: hold a partial segment when corked, or (Nagle on) while a small one is unacked.
      if (nonagle & NAGLE_CORK) break;
      if (!(nonagle & NAGLE_OFF) && t.packetsOut > 0 && seqGt(t.sndSml, t.sndUna) && seqLeq(t.sndSml, t.sndNxt)) break;
    }
    let flags = withFin ? TCP_FIN : 0;
    if (len > 0 && takePush(t, (t.sndNxt + len) >>> 0)) flags |= TCP_PSH;
    sendNew(t, len, flags);
    sent++;
    if (t.caState === CA_RECOVERY || t.caState === CA_CWR) t.prrOut++;
    if (pushOne) break;
  }
  if (sent > 0) {
    cwndValidate(t, cwndLimited || t.inFlight() >= t.cwnd);
    if (!pushOne) scheduleLossProbe(t, false);
  }
  if (rwndLimited) chronoStart(t, CHRONO_RWND_LIMITED);
  else chronoStop(t, CHRONO_RWND_LIMITED);
  return t.packetsOut === 0 && t.hasUnsent();
}

/** tcp_cwnd_validate(): remembers whether cwnd limited sending in this window. */
function cwndValidate(t: Tcb, limited: boolean): void {
  if (!seqLt(t.sndUna, t.cwndUsageSeq) || limited || (!t.isCwndLimited && t.packetsOut > t.maxPacketsOut)) {
    t.isCwndLimited = limited;
    t.maxPacketsOut = t.packetsOut;
    t.cwndUsageSeq = t.sndNxt;
  }
  const now = t.layer.host.sim.now;
  if (t.isCwndLimited || (t.cwnd < t.ssthresh && t.cwnd < 2 * t.maxPacketsOut)) {
    t.sndCwndUsed = 0;
    t.cwndStamp = now;
  } else {
    if (t.packetsOut > t.sndCwndUsed) t.sndCwndUsed = t.packetsOut;
    // RFC 7661-style: after an application-limited RTO, shrink cwnd toward what was used.
    if (t.layer.sysctl.slowStartAfterIdle && now - t.cwndStamp >= t.rto && t.caState === CA_OPEN) {
      const initWin = 10;
      const winUsed = Math.max(t.sndCwndUsed, initWin);
      if (winUsed < t.cwnd) {
        t.ssthresh = Math.max(t.ssthresh, ((t.cwnd >> 1) + (t.cwnd >> 2)));
        t.cwnd = (t.cwnd + winUsed) >> 1;
      }
      t.sndCwndUsed = 0;
      t.cwndStamp = now;
    }
  }
}

/** The connection's Nagle mode (tp->nonagle). */
export function nagleMode(t: Tcb): number {
  return (t.nodelay ? NAGLE_OFF : 0) | (t.cork ? NAGLE_CORK : 0);
}

/** __tcp_push_pending_frames(): write_xmit, then arm the probe timer if data is stuck behind a closed window. */
export function pushPending(t: Tcb, nonagle = nagleMode(t)): void {
  if (!t.hasUnsent()) return;
  if (writeXmit(t, nonagle)) checkProbeTimer(t);
}

/** tcp_check_probe_timer(): nothing in flight and no timer pending: start zero-window probing. */
export function checkProbeTimer(t: Tcb): void {
  if (t.packetsOut === 0 && t.xmitPending === 0) {
    t.xmitPending = 2;
    t.xmitTimer.arm(Math.max(t.rto, t.layer.sysctl.rtoMinNs));
  }
}

/**
 * tcp_write_wakeup(): probe the peer's window. With some window open, send new data that fits (PSH set);
 * otherwise a zero-length segment with an old sequence number (SND.UNA − 1) to elicit an ACK (RFC 9293 §3.8.6.1).
 * Returns whether a new-data probe was sent.
 */
export function writeWakeup(t: Tcb): boolean {
  const unsent = (t.writeSeq - t.sndNxt) | 0;
  if ((unsent > 0 || (t.finQueued && !t.finSent())) && seqLt(t.sndNxt, t.wndEnd())) {
    const room = (t.wndEnd() - t.sndNxt) >>> 0;
    const len = eorCap(t, Math.min(room, currentMss(t), Math.max(unsent, 0)));
    const withFin = t.finQueued && len === unsent;
    takePush(t, (t.sndNxt + len) >>> 0);
    if (seqLt(t.pushedSeq, (t.sndNxt + len) >>> 0)) t.pushedSeq = (t.sndNxt + len) >>> 0;
    sendNew(t, len, TCP_PSH | (withFin ? TCP_FIN : 0));
    return true;
  }
  if (t.urgMode && seqGt(t.sndUp, t.sndUna)) sendBare(t, t.sndUna, TCP_ACK);
  sendBare(t, (t.sndUna - 1) >>> 0, TCP_ACK);
  return false;
}
