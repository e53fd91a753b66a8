/**
 * ACK processing (RFC 9293 §3.10.7.4 fifth step, as Linux's tcp_ack): window update (tcp_ack_update_window),
 * SACK scoreboard (RFC 2018, D-SACK RFC 2883: tcp_sacktag_write_queue), removal of acknowledged segments with RTT
 * samples by Karn's rule (tcp_clean_rtx_queue), then congestion control and loss recovery (recovery.ts).
 */
import { US } from '../../sim/time.js';
import { TCP_SYN } from '../wire/tcp.js';
import type { Seg } from './segment.js';
import { seqGeq, seqGt, seqLeq, seqLt, seqMax } from './seq.js';
import { rttSample } from './rtt.js';
import { syncMss } from './window.js';
import {
  CA_OPEN, S_EVER_RETRANS, S_LOST, S_RETRANS, S_SACKED, type Tcb, type TxSeg,
} from './tcb.js';
import {
  FLAG_ACKED, FLAG_CA_ALERT, FLAG_DATA, FLAG_DATA_ACKED, FLAG_DATA_SACKED, FLAG_DSACKING_ACK, FLAG_DSACK_TLP,
  FLAG_NOT_DUP, FLAG_ORIG_SACK_ACKED, FLAG_RETRANS_DATA_ACKED, FLAG_SET_XMIT_TIMER,
  FLAG_SND_UNA_ADVANCED, FLAG_SYN_ACKED, FLAG_UPDATE_TS_RECENT, FLAG_WIN_UPDATE, REXMIT_NONE,
  checkSackReordering, congControl, fastretransAlert, processTlpAck, rackAdvance, xmitRecovery, type AckState,
} from './recovery.js';
import { ackProbe, setXmitTimer } from './xmit-timer.js';
import { CHRONO_BUSY, chronoStop } from './chrono.js';
import { widenFields } from '../../sim/repr.js';

/** Scratch state of one ACK (Linux's tcp_sacktag_state plus rate sample). */
const st: AckState = widenFields({
  firstSackt: -1, lastSackt: -1, sackDelivered: 0, rexmit: REXMIT_NONE, rttUs: -1, reord: 0,
}, ['firstSackt', 'lastSackt', 'reord']); // send times and a sequence number (sim/repr.ts)

/** The highest SACKed sequence, or SND.UNA (tcp_highest_sack_seq). */
export function highestSackSeq(t: Tcb): number {
  return t.sackedOut > 0 ? seqMax(t.highSacked, t.sndUna) : t.sndUna;
}

/** Index in t.rtx of the first segment whose end is after `seq` (binary search). */
export function rtxIndexAfter(t: Tcb, seq: number): number {
  let lo = t.rtxHead;
  let hi = t.rtx.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (seqGt(t.rtx[mid]!.end, seq)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** tcp_replace_ts_recent(): take the peer's TSval when the segment is at the window's left edge (RFC 7323 §4.3). */
export function replaceTsRecent(t: Tcb, seg: Seg): void {
  if (t.sawTstamp && !seqGt(seg.seq, t.rcvWup)) {
    // tcp_store_ts_recent, but never move it backwards (PAWS already vetted the segment).
    if (((seg.tsval - t.tsRecent) | 0) >= 0 || t.tsRecentStamp === 0) {
      t.tsRecent = seg.tsval;
      t.tsRecentStamp = t.layer.host.sim.now || 1;
    }
  }
}

/** tcp_ack_update_window(). */
function updateWindow(t: Tcb, seg: Seg, ack: number): number {
  let flag = 0;
  let nwin = seg.wnd;
  // A shift, not 2 ** n (a call to pow per ACK): the shift count is at most 14 (RFC 7323 §2.3).
  if (!(seg.flags & TCP_SYN)) nwin *= 1 << t.sndWscale;
  if (seqGt(ack, t.sndUna) || seqGt(seg.seq, t.sndWl1) || (seg.seq === t.sndWl1 && (nwin > t.sndWnd || nwin === 0))) {
    flag |= FLAG_WIN_UPDATE;
    t.sndWl1 = seg.seq;
    if (t.sndWnd !== nwin) {
      t.sndWnd = nwin;
      if (nwin > t.maxWindow) {
        t.maxWindow = nwin;
        syncMss(t, t.pmtu);
      }
    }
  }
  sndUnaUpdate(t, ack);
  return flag;
}

function sndUnaUpdate(t: Tcb, ack: number): void {
  const delta = (ack - t.sndUna) >>> 0;
  if (seqGt(ack, t.sndUna)) {
    t.bytesAcked += delta;
    t.sndUna = ack;
    // Free acknowledged bytes (the SYN and FIN occupy sequence space but not the buffer).
    const dataEnd = seqGt(ack, t.writeSeq) ? t.writeSeq : ack;
    const n = (dataEnd - t.sndBufSeq) | 0;
    if (n > 0) {
      t.sendBuf.consume(n);
      t.sndBufSeq = dataEnd;
    }
    if (t.urgMode && !seqLt(t.sndUna, t.sndUp)) t.urgMode = false;
  }
}

/** Marks one segment SACKed (tcp_sacktag_one); returns flags. */
function sacktagOne(t: Tcb, s: TxSeg, dup: boolean): number {
  let flag = 0;
  let sacked = s.sacked;
  if (dup && sacked & (S_RETRANS | S_EVER_RETRANS)) {
    // A D-SACK for retransmitted data: one retransmission was unnecessary (RFC 3708 undo).
    if (t.undoMarker && t.undoRetrans > 0 && seqGt(s.end, t.undoMarker)) t.undoRetrans = Math.max(0, t.undoRetrans - 1);
    if (t.tlpHighSeq && s.end === t.tlpHighSeq) flag |= FLAG_DSACK_TLP;
    if (sacked & S_SACKED && seqLt(s.seq, st.reord)) st.reord = s.seq;
  }
  if (!seqGt(s.end, t.sndUna)) return flag; // about to be dropped as cumulatively acked
  if (!(sacked & S_SACKED)) {
    rackAdvance(t, sacked, s.end, s.xmitTime);
    if (sacked & S_RETRANS) {
      // A retransmission not marked lost is believed still in flight: keep counting it.
      if (sacked & S_LOST) {
        sacked &= ~(S_LOST | S_RETRANS);
        t.lostOut--;
        t.retransOut--;
      }
    } else {
      if (!(sacked & S_EVER_RETRANS)) {
        // A never-retransmitted segment SACKed below the highest SACK: the network reordered.
        if (seqLt(s.seq, highestSackSeq(t)) && seqLt(s.seq, st.reord)) st.reord = s.seq;
        if (seqLeq(s.end, t.highSeq)) flag |= FLAG_ORIG_SACK_ACKED;
        if (st.firstSackt < 0) st.firstSackt = s.xmitTime;
        st.lastSackt = s.xmitTime;
      }
      if (sacked & S_LOST) {
        sacked &= ~S_LOST;
        t.lostOut--;
      }
    }
    sacked |= S_SACKED;
    flag |= FLAG_DATA_SACKED;
    t.sackedOut++;
    st.sackDelivered++;
    t.delivered++;
    t.tsUnlink(s);
    if (t.sackedOut === 1 || seqGt(s.end, t.highSacked)) t.highSacked = s.end;
  }
  if (dup && sacked & S_RETRANS) {
    sacked &= ~S_RETRANS;
    t.retransOut--;
  }
  s.sacked = sacked;
  return flag;
}

/** tcp_sacktag_write_queue(): applies the SACK blocks of `seg`. */
function sacktag(t: Tcb, seg: Seg, priorSndUna: number): number {
  let flag = 0;
  const n = seg.nsack;
  const sk = seg.sack;
  st.reord = t.sndNxt;
  // D-SACK (RFC 2883 §4): the first block lies below the cumulative ACK, or inside the second block.
  let dsack = false;
  if (n > 0) {
    const s0 = sk[0]!, e0 = sk[1]!;
    if (seqLt(s0, seg.ack) || (n > 1 && seqGeq(s0, sk[2]!) && seqLeq(e0, sk[3]!))) {
      dsack = true;
      flag |= FLAG_DSACKING_ACK;
      t.dsackDups++;
      t.rackReoWndSteps = Math.min(t.rackReoWndSteps + 1, 0xff);
    }
  }
  const maxWin = Math.max(t.maxWindow, 1);
  // The previous ACK's blocks (Linux's recv_sack_cache): what they covered was tagged already, so only the new
  // parts of each block are walked. Without it every ACK of a long recovery re-walks the whole SACKed range.
  if (t.sackedOut === 0) t.sackCacheN = 0;
  const cache = t.sackCache;
  const cacheN = t.sackCacheN;
  let newN = 0;
  for (let i = 0; i < n; i++) {
    const start = sk[2 * i]!, end = sk[2 * i + 1]!;
    const isDup = dsack && i === 0;
    // tcp_is_sackblock_valid: inside [SND.UNA - max_window, SND.NXT] and not inverted.
    if (!seqLt(start, end) || seqGt(end, t.sndNxt)) continue;
    if (!isDup && seqLt(start, priorSndUna)) continue;
    if (isDup && seqLt(start, (priorSndUna - maxWin) >>> 0)) continue;
    if (!isDup) {
      t.sackCacheNext[2 * newN] = start;
      t.sackCacheNext[2 * newN + 1] = end;
      newN++;
    }
    let from = start;
    if (!isDup) {
      // Skip a prefix some cached block already covered (blocks grow at their right edge).
      for (let c = 0; c < cacheN; c++) {
        const cs = cache[2 * c]!, ce = cache[2 * c + 1]!;
        if (seqLeq(cs, from) && seqGt(ce, from)) from = ce;
      }
      if (!seqLt(from, end)) continue;
    }
    for (let k = rtxIndexAfter(t, from); k < t.rtx.length; k++) {
      const s = t.rtx[k]!;
      if (!seqLt(s.seq, end)) break;
      // Only whole segments are tagged (Linux would split an skb a block only partly covers).
      if (seqGeq(s.seq, start) && seqLeq(s.end, end)) flag |= sacktagOne(t, s, isDup);
    }
  }
  t.sackCache.set(t.sackCacheNext.subarray(0, 2 * newN));
  t.sackCacheN = newN;
  if (seqLt(st.reord, t.sndNxt)) checkSackReordering(t, st.reord, false);
  return flag;
}

/**
 * Removes acknowledged segments (tcp_clean_rtx_queue): counts, RTT samples (Karn: none from retransmitted data;
 * RFC 7323 §4.1: TSecr otherwise), RACK advance.
 */
function cleanRtxQueue(t: Tcb, priorFack: number, flagIn: number): number {
  const now = t.layer.host.sim.now;
  let flag = 0;
  let firstAckt = -1;
  let lastAckt = -1;
  let pktsAcked = 0;
  let reord = t.sndNxt;
  while (t.rtxHead < t.rtx.length) {
    const s = t.rtx[t.rtxHead]!;
    if (seqGt(s.end, t.sndUna)) {
      // Partially acknowledged: trim its head (tcp_trim_head) unless it is the SYN.
      if (seqGt(t.sndUna, s.seq) && !(s.flags & TCP_SYN)) s.seq = t.sndUna;
      break;
    }
    const sacked = s.sacked;
    if (sacked & (S_RETRANS | S_EVER_RETRANS)) {
      if (sacked & S_RETRANS) t.retransOut--;
      flag |= FLAG_RETRANS_DATA_ACKED;
    } else if (!(sacked & S_SACKED)) {
      lastAckt = s.xmitTime;
      if (firstAckt < 0) firstAckt = lastAckt;
      if (seqLt(s.seq, reord)) reord = s.seq;
      if (seqLeq(s.end, t.highSeq)) flag |= FLAG_ORIG_SACK_ACKED;
    }
    if (sacked & S_SACKED) {
      t.sackedOut--;
    } else if (t.sackOk) {
      t.delivered++;
      rackAdvance(t, sacked, s.end, s.xmitTime);
    }
    if (sacked & S_LOST) t.lostOut--;
    t.packetsOut--;
    pktsAcked++;
    if (s.flags & TCP_SYN) {
      flag |= FLAG_SYN_ACKED;
      t.retransStamp = 0;
    } else {
      flag |= FLAG_DATA_ACKED;
    }
    t.tsUnlink(s);
    t.rtx[t.rtxHead] = undefined as unknown as TxSeg;
    t.rtxHead++;
  }
  if (t.rtxHint >= 0 && t.rtxHint < t.rtxHead) t.rtxHint = -1;
  if (t.rtxHead === t.rtx.length) {
    t.rtx.length = 0;
    t.rtxHead = 0;
    t.rtxHint = -1;
    chronoStop(t, CHRONO_BUSY); // tcp_clean_rtx_queue: the retransmission queue is empty
  } else if (t.rtxHead > 1024 && t.rtxHead * 2 > t.rtx.length) {
    const drop = t.rtxHead;
    t.rtx.splice(0, drop);
    t.rtxHead = 0;
    if (t.rtxHint >= 0) t.rtxHint -= drop;
  }
  let seqRttUs = -1;
  let caRttUs = -1;
  if (firstAckt >= 0 && !(flag & FLAG_RETRANS_DATA_ACKED)) {
    seqRttUs = Math.floor((now - firstAckt) / US);
    caRttUs = Math.floor((now - lastAckt) / US);
  }
  let sackRttUs = -1;
  if (st.firstSackt >= 0) {
    sackRttUs = Math.floor((now - st.firstSackt) / US);
    caRttUs = Math.floor((now - st.lastSackt) / US);
  }
  // tcp_ack_update_rtt: prefer ACK timing; fall back to the timestamp echo when only TSecr can tell.
  if (seqRttUs < 0) seqRttUs = sackRttUs;
  if (seqRttUs < 0 && t.sawTstamp && t.rcvTsecr && (flag | flagIn) & FLAG_ACKED) {
    const d = ((t.tsNow() - t.rcvTsecr) | 0);
    if (d >= 0) seqRttUs = caRttUs = d * 1000;
  }
  st.rttUs = caRttUs;
  const rttUpdate = seqRttUs >= 0;
  if (rttUpdate) rttSample(t, seqRttUs);
  if (flag & FLAG_ACKED) {
    flag |= FLAG_SET_XMIT_TIMER;
    if (!t.sackOk) {
      // tcp_remove_reno_sacks: one ACK fills the hole, the rest eat the dup-ACK count.
      t.delivered += Math.max(pktsAcked - t.sackedOut, 1);
      if (pktsAcked - 1 >= t.sackedOut) t.sackedOut = 0;
      else t.sackedOut -= pktsAcked - 1;
      if (flag & FLAG_RETRANS_DATA_ACKED) flag &= ~FLAG_ORIG_SACK_ACKED;
    } else if (seqLt(reord, priorFack)) {
      checkSackReordering(t, reord, false);
    }
  } else if (t.rtxHead < t.rtx.length && rttUpdate && sackRttUs >= 0
    && sackRttUs > Math.floor((now - t.rtx[t.rtxHead]!.xmitTime) / US)) {
    flag |= FLAG_SET_XMIT_TIMER;
  }
  if (pktsAcked > 0) t.queueShrunk = true;
  if (pktsAcked > 0 || st.rttUs >= 0) t.cc.pktsAcked(t, pktsAcked, st.rttUs);
  return flag;
}

/**
 * tcp_ack(). Returns 1 when processed, 0 for an old (duplicate-below-SND.UNA) ACK, -1 when the ACK is for data
 * never sent or far too old (the caller drops the segment; in synchronized states other than ESTABLISHED it
 * answers with a challenge ACK as RFC 5961 §5.2 asks).
 */
export function tcpAck(t: Tcb, seg: Seg, flagIn: number): number {
  const ack = seg.ack;
  const priorSndUna = t.sndUna;
  const priorPackets = t.packetsOut;
  const priorDelivered = t.delivered;
  const priorLost = t.lost;
  let flag = flagIn;
  st.firstSackt = -1;
  st.lastSackt = -1;
  st.sackDelivered = 0;
  st.rexmit = REXMIT_NONE;
  st.rttUs = -1;
  if (seqLt(ack, priorSndUna)) {
    // RFC 5961 §5.2: an ACK more than a window below SND.UNA is an injection attempt.
    const maxWin = Math.min(t.maxWindow, t.bytesAcked);
    if (seqLt(ack, (priorSndUna - maxWin) >>> 0)) return -2;
    if (seg.nsack > 0 && t.sackOk) {
      flag |= sacktag(t, seg, priorSndUna);
      fastretransAlert(t, priorSndUna, 0, flag, st);
      xmitRecovery(t, st.rexmit);
    }
    return 0;
  }
  if (seqGt(ack, t.sndNxt)) return -1;
  if (seqGt(ack, priorSndUna)) {
    flag |= FLAG_SND_UNA_ADVANCED;
    t.retransmits = 0;
  }
  const priorFack = t.sackOk ? highestSackSeq(t) : t.sndUna;
  if (flag & FLAG_UPDATE_TS_RECENT) replaceTsRecent(t, seg);
  if (seg.seq !== seg.end) flag |= FLAG_DATA;
  flag |= updateWindow(t, seg, ack);
  if (seg.nsack > 0 && t.sackOk) flag |= sacktag(t, seg, priorSndUna);
  t.softError = 0;
  t.probesOut = 0;
  t.rcvTstamp = t.layer.host.sim.now;
  if (priorPackets === 0) {
    if (flag & FLAG_DSACKING_ACK) fastretransAlert(t, priorSndUna, 0, flag, st);
    if (t.hasUnsent()) ackProbe(t);
    if (t.tlpHighSeq) processTlpAck(t, ack, flag);
    return 1;
  }
  flag |= cleanRtxQueue(t, priorFack, flag);
  if (t.tlpHighSeq) processTlpAck(t, ack, flag);
  if (!(flag & FLAG_NOT_DUP) || flag & FLAG_CA_ALERT || t.caState !== CA_OPEN) {
    let numDupack = 0;
    if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DSACKING_ACK))) numDupack = 1;
    flag = fastretransAlert(t, priorSndUna, numDupack, flag, st);
  }
  if (flag & FLAG_SET_XMIT_TIMER) setXmitTimer(t);
  const delivered = t.delivered - priorDelivered;
  congControl(t, ack, delivered, t.lost - priorLost, flag);
  xmitRecovery(t, st.rexmit);
  if (t.caState === CA_OPEN && t.retransOut === 0) t.retransStamp = 0;
  return 1;
}

/** Whether the state-machine code must treat this ACK as acknowledging our FIN. */
export function finAcked(t: Tcb): boolean {
  return t.finSent() && t.sndUna === t.sndNxt;
}

/** Flags for callers. */
