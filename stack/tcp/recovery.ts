/**
 * Loss recovery and the congestion state machine, after Linux's tcp_fastretrans_alert(): Open, Disorder,
 * Recovery (RFC 6675 SACK recovery / RFC 6582 NewReno for peers without SACK, cwnd reduced by PRR, RFC 6937),
 * Loss (after an RTO, RFC 6298 §5.5), loss detection by RACK (RFC 8985) for SACK peers and by the dup-ACK
 * threshold otherwise, undo of spurious reductions by D-SACK (RFC 3708) and timestamps (Eifel, RFC 3522),
 * and the tail loss probe's follow-up (RFC 8985 §7.4).
 */
import { US } from '../../sim/time.js';
import { seqGt, seqLt } from './seq.js';
import { CA_EVENT_COMPLETE_CWR, CA_EVENT_LOSS } from './congestion/cc.js';
import {
  CA_CWR, CA_DISORDER, CA_LOSS, CA_OPEN, CA_RECOVERY, S_EVER_RETRANS, S_LOST, S_RETRANS, S_SACKED,
  TCP_INFINITE_SSTHRESH, type Tcb, type TxSeg,
} from './tcb.js';
import { currentMss, pushPending, retransmitSeg, splitSeg, NAGLE_OFF, segPayloadLen } from './output.js';
import { armRtoAfter, rearmRto, resetXmitTimer, XMIT_REO, XMIT_RTO } from './xmit-timer.js';

/** ACK flags (tcp_input.c FLAG_*). */
export const FLAG_DATA = 0x01, FLAG_WIN_UPDATE = 0x02, FLAG_DATA_ACKED = 0x04, FLAG_RETRANS_DATA_ACKED = 0x08,
  FLAG_SYN_ACKED = 0x10, FLAG_DATA_SACKED = 0x20, FLAG_ECE = 0x40, FLAG_LOST_RETRANS = 0x80, FLAG_SLOWPATH = 0x100,
  FLAG_ORIG_SACK_ACKED = 0x200, FLAG_SND_UNA_ADVANCED = 0x400, FLAG_DSACKING_ACK = 0x800,
  FLAG_SET_XMIT_TIMER = 0x1000, FLAG_UPDATE_TS_RECENT = 0x4000, FLAG_DSACK_TLP = 0x20000;
/** Composite flags. */
export const FLAG_ACKED = FLAG_DATA_ACKED | FLAG_SYN_ACKED, FLAG_NOT_DUP = FLAG_DATA | FLAG_WIN_UPDATE | FLAG_ACKED,
  FLAG_CA_ALERT = FLAG_DATA_SACKED | FLAG_ECE | FLAG_DSACKING_ACK, FLAG_FORWARD_PROGRESS = FLAG_ACKED | FLAG_DATA_SACKED;
/** What to retransmit after an ACK. */
export const REXMIT_NONE = 0, REXMIT_LOST = 1, REXMIT_NEW = 2;

/** Per-ACK scratch state shared with ack.ts. */
export interface AckState {
  firstSackt: number;
  lastSackt: number;
  sackDelivered: number;
  rexmit: number;
  rttUs: number;
  reord: number;
}

/** Whether RACK loss detection is on (tcp_recovery & 1) for this (SACK) connection. */
function isRack(t: Tcb): boolean {
  return (t.layer.sysctl.recovery & 1) !== 0 && t.sackOk;
}

/** Records a congestion-state change (tcp_set_ca_state). */
export function setCaState(t: Tcb, state: number): void {
  if (t.caState === state) return;
  t.cc.setState(t, state);
  t.caState = state;
}

/** tcp_check_sack_reordering(): data below the highest SACK arrived late, so raise the reordering estimate. */
export function checkSackReordering(t: Tcb, lowSeq: number, _ts: boolean): void {
  const fack = t.sackedOut > 0 && seqGt(t.highSacked, t.sndUna) ? t.highSacked : t.sndUna;
  if (!seqLt(lowSeq, fack)) return;
  const mss = t.mssCache;
  const metric = (fack - lowSeq) >>> 0;
  if (mss && metric > t.reordering * mss) {
    t.reordering = Math.min(Math.ceil(metric / mss), t.layer.sysctl.maxReordering);
  }
  t.reordSeen++;
}

/** tcp_rack_advance(): remember the most recently sent segment known delivered. */
export function rackAdvance(t: Tcb, sacked: number, endSeq: number, xmitTime: number): void {
  const now = t.layer.host.sim.now;
  const rttUs = Math.floor((now - xmitTime) / US);
  // An ambiguous retransmission that looks faster than the path can be: ignore (RFC 8985 §6.2 step 2).
  if (sacked & (S_RETRANS | S_EVER_RETRANS) && rttUs < t.minRttUs) return;
  t.rackAdvanced = true;
  t.rackRttUs = rttUs;
  if (xmitTime > t.rackMstamp || (xmitTime === t.rackMstamp && seqGt(endSeq, t.rackEndSeq))) {
    t.rackMstamp = xmitTime;
    t.rackEndSeq = endSeq;
  }
}

/** RACK's reordering window (tcp_rack_reo_wnd), µs. */
function rackReoWnd(t: Tcb): number {
  if (!t.reordSeen) {
    if (t.caState >= CA_RECOVERY) return 0;
    if (t.sackedOut >= t.reordering) return 0;
  }
  return Math.min((t.minRttUs >> 2) * t.rackReoWndSteps, t.srttUs >> 3);
}

/** tcp_mark_skb_lost(). */
export function markLost(t: Tcb, s: TxSeg): void {
  if (s.sacked & S_SACKED) return;
  if (s.sacked & S_LOST) {
    if (s.sacked & S_RETRANS) {
      // A retransmission lost again.
      s.sacked &= ~S_RETRANS;
      t.retransOut--;
      t.lost++;
    }
  } else {
    t.lostOut++;
    s.sacked |= S_LOST;
    t.lost++;
  }
  const idx = t.rtx.indexOf(s, t.rtxHead);
  if (idx >= 0 && (t.rtxHint < 0 || idx < t.rtxHint)) t.rtxHint = idx;
}

/** tcp_rack_detect_loss(): marks lost what was sent before a delivered segment and is older than RTT + reo_wnd. */
function rackDetectLoss(t: Tcb): number {
  const now = t.layer.host.sim.now;
  const reoWnd = rackReoWnd(t);
  let reoTimeout = 0;
  let s = t.tsHead;
  while (s) {
    const next = s.tsNext;
    if (s.sacked & S_LOST && !(s.sacked & S_RETRANS)) {
      s = next;
      continue;
    }
    // Stop at the first segment sent after the most recent delivered one.
    if (!(t.rackMstamp > s.xmitTime || (t.rackMstamp === s.xmitTime && seqGt(t.rackEndSeq, s.end)))) break;
    const remaining = t.rackRttUs + reoWnd - Math.floor((now - s.xmitTime) / US);
    if (remaining <= 0) {
      markLost(t, s);
      t.tsUnlink(s);
    } else if (remaining > reoTimeout) {
      reoTimeout = remaining;
    }
    s = next;
  }
  return reoTimeout;
}

/** tcp_rack_mark_lost(): runs RACK if something new was delivered; arms the reordering timer if needed. */
function rackMarkLost(t: Tcb): boolean {
  if (!t.rackAdvanced) return false;
  t.rackAdvanced = false;
  const timeout = rackDetectLoss(t);
  if (timeout) {
    resetXmitTimer(t, XMIT_REO, Math.ceil((timeout + 2000) / 1000) * 1_000_000);
    return true;
  }
  return false;
}

/** RACK reordering-timer expiry (tcp_rack_reo_timeout). */
export function rackReoTimeout(t: Tcb): void {
  const priorInflight = t.inFlight();
  const priorLost = t.lost;
  rackDetectLoss(t);
  if (priorInflight !== t.inFlight()) {
    if (t.caState !== CA_RECOVERY) {
      enterRecovery(t);
      cwndReduction(t, 1, t.lost - priorLost, 0);
    }
    xmitRetransmitQueue(t);
  }
  if (t.xmitPending !== XMIT_RTO) rearmRto(t);
}

/** tcp_newreno_mark_lost(): without SACK, the head is lost after dupthresh dup-ACKs or a partial ACK. */
function newrenoMarkLost(t: Tcb, sndUnaAdvanced: boolean): void {
  if ((t.caState < CA_RECOVERY && t.sackedOut >= t.reordering) || (t.caState === CA_RECOVERY && sndUnaAdvanced)) {
    const s = t.rtx[t.rtxHead];
    if (!s || s.sacked & S_LOST) return;
    const mss = currentMss(t);
    if (segPayloadLen(s) > mss) splitSeg(t, t.rtxHead, mss);
    markLost(t, t.rtx[t.rtxHead]!);
  }
}

/** tcp_identify_packet_loss(). */
function identifyLoss(t: Tcb, flag: number): number {
  if (t.rtxHead >= t.rtx.length) return flag;
  if (!t.sackOk) {
    newrenoMarkLost(t, (flag & FLAG_SND_UNA_ADVANCED) !== 0);
  } else if (isRack(t)) {
    const priorRetrans = t.retransOut;
    if (rackMarkLost(t)) flag &= ~FLAG_SET_XMIT_TIMER;
    if (priorRetrans > t.retransOut) flag |= FLAG_LOST_RETRANS;
  }
  return flag;
}

/** tcp_time_to_recover(). */
function timeToRecover(t: Tcb): boolean {
  if (t.lostOut) return true;
  if (!isRack(t) && t.sackOk && t.sackedOut + 1 > t.reordering) return true;
  return false;
}

/** tcp_add_reno_sack(): a dup-ACK from a peer without SACK counts as one SACKed segment. */
function addRenoSack(t: Tcb, numDupack: number): void {
  if (numDupack) {
    const prior = t.sackedOut;
    t.sackedOut = Math.min(t.sackedOut + numDupack, Math.max(t.packetsOut - t.lostOut, 0));
    if (t.sackedOut > prior) t.delivered += t.sackedOut - prior;
    // tcp_check_reno_reordering: more dup-ACKs than outstanding segments means reordering.
  }
}

/** tcp_init_undo(). */
function initUndo(t: Tcb): void {
  t.undoMarker = t.sndUna || 1;
  t.undoRetrans = t.retransOut ? t.retransOut : -1;
}

/** tcp_init_cwnd_reduction(). */
function initCwndReduction(t: Tcb): void {
  t.highSeq = t.sndNxt;
  t.tlpHighSeq = 0;
  t.cwndCnt = 0;
  t.priorCwnd = t.cwnd;
  t.prrDelivered = 0;
  t.prrOut = 0;
  t.ssthresh = t.cc.ssthresh(t);
}

/** tcp_current_ssthresh(). */
function currentSsthresh(t: Tcb): number {
  if (t.caState === CA_CWR || t.caState === CA_RECOVERY) return t.ssthresh;
  return Math.max(t.ssthresh, (t.cwnd >> 1) + (t.cwnd >> 2));
}

/** tcp_enter_recovery(). */
export function enterRecovery(t: Tcb): void {
  t.priorSsthresh = 0;
  initUndo(t);
  if (t.caState < CA_CWR) {
    t.priorSsthresh = currentSsthresh(t);
    initCwndReduction(t);
  }
  setCaState(t, CA_RECOVERY);
}

/** PRR (RFC 6937), tcp_cwnd_reduction(). */
export function cwndReduction(t: Tcb, newlyAckedSacked: number, newlyLost: number, flag: number): void {
  if (newlyAckedSacked <= 0 || !t.priorCwnd) return;
  const delta = t.ssthresh - t.inFlight();
  let sndcnt: number;
  t.prrDelivered += newlyAckedSacked;
  if (delta < 0) {
    sndcnt = Math.floor((t.ssthresh * t.prrDelivered + t.priorCwnd - 1) / t.priorCwnd) - t.prrOut;
  } else {
    sndcnt = Math.max(t.prrDelivered - t.prrOut, newlyAckedSacked);
    if (flag & FLAG_SND_UNA_ADVANCED && !newlyLost) sndcnt++;
    sndcnt = Math.min(delta, sndcnt);
  }
  // Force a fast retransmit upon entering fast recovery.
  sndcnt = Math.max(sndcnt, t.prrOut ? 0 : 1);
  t.cwnd = Math.max(1, t.inFlight() + sndcnt);
}

/** tcp_end_cwnd_reduction(). */
function endCwndReduction(t: Tcb): void {
  if (t.ssthresh < TCP_INFINITE_SSTHRESH && (t.caState === CA_CWR || t.undoMarker)) {
    t.cwnd = t.ssthresh;
    t.cwndStamp = t.layer.host.sim.now;
  }
  t.cc.cwndEvent(t, CA_EVENT_COMPLETE_CWR);
}

/** tcp_undo_cwnd_reduction(). */
function undoCwndReduction(t: Tcb, unmarkLoss: boolean): void {
  if (unmarkLoss) {
    for (let i = t.rtxHead; i < t.rtx.length; i++) t.rtx[i]!.sacked &= ~S_LOST;
    t.lostOut = 0;
    t.rtxHint = -1;
  }
  if (t.priorSsthresh) {
    t.cwnd = t.cc.undoCwnd(t);
    if (t.priorSsthresh > t.ssthresh) t.ssthresh = t.priorSsthresh;
  }
  t.cwndStamp = t.layer.host.sim.now;
  t.undoMarker = 0;
  t.rackAdvanced = true;
}

/** tcp_packet_delayed(): the ACK echoes a timestamp from before our first retransmission (Eifel). */
function packetDelayed(t: Tcb): boolean {
  if (!t.retransStamp || !t.sawTstamp || !t.rcvTsecr) return false;
  const stampTs = (Math.floor(t.retransStamp / 1_000_000) + t.tsOff) >>> 0;
  return ((t.rcvTsecr - stampTs) | 0) < 0;
}

/** tcp_may_undo(). */
function mayUndo(t: Tcb): boolean {
  return t.undoMarker !== 0 && (!t.undoRetrans || packetDelayed(t));
}

/** Whether any retransmission is outstanding (tcp_any_retrans_done). */
function anyRetransDone(t: Tcb): boolean {
  if (t.retransOut) return true;
  const h = t.rtx[t.rtxHead];
  return !!h && (h.sacked & S_EVER_RETRANS) !== 0;
}

/** tcp_try_keep_open(). */
function tryKeepOpen(t: Tcb): void {
  const state = t.sackedOut + t.lostOut > 0 || anyRetransDone(t) ? CA_DISORDER : CA_OPEN;
  if (t.caState !== state) {
    setCaState(t, state);
    t.highSeq = t.sndNxt;
  }
}

/** tcp_try_to_open(). */
function tryToOpen(t: Tcb): void {
  if (!anyRetransDone(t)) t.retransStamp = 0;
  if (t.caState !== CA_CWR) tryKeepOpen(t);
}

/**
 * tcp_is_non_sack_preventing_reopen(): without SACK, hold the recovery state until something above high_seq is
 * acknowledged (RFC 6582), lest a duplicate ACK trigger a false fast retransmit.
 */
function nonSackPreventingReopen(t: Tcb): boolean {
  if (t.sackOk || t.sndUna !== t.highSeq) return false;
  if (!anyRetransDone(t)) t.retransStamp = 0;
  return true;
}

/** tcp_try_undo_recovery(); true when the state must be held (NewReno at exactly high_seq). */
function tryUndoRecovery(t: Tcb): boolean {
  if (mayUndo(t)) undoCwndReduction(t, false);
  if (nonSackPreventingReopen(t)) return true;
  setCaState(t, CA_OPEN);
  return false;
}

/** tcp_try_undo_dsack(). */
function tryUndoDsack(t: Tcb): boolean {
  if (t.undoMarker && !t.undoRetrans) {
    undoCwndReduction(t, false);
    return true;
  }
  return false;
}

/** tcp_try_undo_loss(): frtoUndo when F-RTO proved the timeout spurious (RFC 5682 §3.1 step 3.b). */
function tryUndoLoss(t: Tcb, frtoUndo: boolean): boolean {
  if (!frtoUndo && !mayUndo(t)) return false;
  undoCwndReduction(t, true);
  t.retransmits = 0;
  if (nonSackPreventingReopen(t)) return true;
  if (frtoUndo || t.sackOk) setCaState(t, CA_OPEN);
  return true;
}

/** tcp_try_undo_partial(): returns true when the caller should stop here. */
function tryUndoPartial(t: Tcb, priorSndUna: number): boolean {
  if (t.undoMarker && packetDelayed(t)) {
    checkSackReordering(t, priorSndUna, true);
    if (t.retransOut) return true;
    if (!anyRetransDone(t)) t.retransStamp = 0;
    undoCwndReduction(t, true);
    tryKeepOpen(t);
  }
  return false;
}

/** tcp_process_loss(), with F-RTO (RFC 5682 §3.1, the SACK-enhanced version). */
function processLoss(t: Tcb, flag: number, numDupack: number, st: AckState): void {
  const recovered = !seqLt(t.sndUna, t.highSeq);
  if (flag & FLAG_SND_UNA_ADVANCED && tryUndoLoss(t, false)) return;
  if (t.frto) {
    // Step 3.b: the timeout was spurious if never-retransmitted data is (S)ACKed.
    if (flag & FLAG_ORIG_SACK_ACKED && tryUndoLoss(t, true)) return;
    if (seqGt(t.sndNxt, t.highSeq)) {
      // Step 3.a: SACKs or duplicate ACKs after the new data: the loss was real.
      if (flag & FLAG_DATA_SACKED || numDupack) t.frto = false;
    } else if (flag & FLAG_SND_UNA_ADVANCED && !recovered) {
      t.highSeq = t.sndNxt;
      // Step 2.b: send new data (after tcp_ack updated cwnd) if the window allows, else recover as usual.
      if (t.hasUnsent() && seqGt(t.wndEnd(), t.sndNxt)) {
        st.rexmit = REXMIT_NEW;
        return;
      }
      t.frto = false;
    }
  }
  if (recovered) {
    tryUndoRecovery(t);
    return;
  }
  if (!t.sackOk) {
    if (seqGt(t.sndNxt, t.highSeq) && numDupack) addRenoSack(t, numDupack);
    else if (flag & FLAG_SND_UNA_ADVANCED) t.sackedOut = 0;
  }
  st.rexmit = REXMIT_LOST;
}

/** tcp_fastretrans_alert(): the congestion state machine run on a dubious ACK. Returns the updated flags. */
export function fastretransAlert(t: Tcb, priorSndUna: number, numDupack: number, flag: number, st: AckState): number {
  if (!t.packetsOut && t.sackedOut) t.sackedOut = 0;
  // D. State exit conditions: high_seq acknowledged.
  if (t.caState === CA_OPEN) {
    t.retransStamp = 0;
  } else if (!seqLt(t.sndUna, t.highSeq)) {
    if (t.caState === CA_CWR) {
      if (t.sndUna !== t.highSeq) {
        endCwndReduction(t);
        setCaState(t, CA_OPEN);
      }
    } else if (t.caState === CA_RECOVERY) {
      if (!t.sackOk) t.sackedOut = 0;
      if (tryUndoRecovery(t)) return flag;
      endCwndReduction(t);
    }
  }
  // E. Process the state.
  let common = false;
  if (t.caState === CA_RECOVERY) {
    if (!(flag & FLAG_SND_UNA_ADVANCED)) {
      if (!t.sackOk) addRenoSack(t, numDupack);
    } else if (tryUndoPartial(t, priorSndUna)) {
      return flag;
    }
    if (tryUndoDsack(t)) tryToOpen(t);
    flag = identifyLoss(t, flag);
    if ((t.caState as number) !== CA_RECOVERY) {
      if (!timeToRecover(t)) return flag;
      enterRecovery(t);
    }
  } else if (t.caState === CA_LOSS) {
    processLoss(t, flag, numDupack, st);
    flag = identifyLoss(t, flag);
    // Leave Loss for the common path when cwnd was undone or retransmissions were lost again.
    if (!((t.caState as number) === CA_OPEN || flag & FLAG_LOST_RETRANS)) return flag;
    common = true;
  } else {
    common = true;
  }
  if (common) {
    if (!t.sackOk) {
      if (flag & FLAG_SND_UNA_ADVANCED) t.sackedOut = 0;
      addRenoSack(t, numDupack);
    }
    if (t.caState <= CA_DISORDER) tryUndoDsack(t);
    flag = identifyLoss(t, flag);
    if (!timeToRecover(t)) {
      tryToOpen(t);
      return flag;
    }
    enterRecovery(t);
  }
  st.rexmit = REXMIT_LOST;
  return flag;
}

/** tcp_process_tlp_ack(). */
export function processTlpAck(t: Tcb, ack: number, flag: number): void {
  if (seqLt(ack, t.tlpHighSeq)) return;
  if (!t.tlpRetrans) {
    t.tlpHighSeq = 0;
  } else if (flag & FLAG_DSACK_TLP) {
    t.tlpHighSeq = 0;
  } else if (seqGt(ack, t.tlpHighSeq)) {
    // The probe repaired a loss: reduce cwnd once (CWR).
    initCwndReduction(t);
    setCaState(t, CA_CWR);
    endCwndReduction(t);
    tryKeepOpen(t);
  } else if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED))) {
    t.tlpHighSeq = 0;
  }
}

/** tcp_cong_control(): PRR while reducing, else the algorithm's growth when allowed (tcp_may_raise_cwnd). */
export function congControl(t: Tcb, ack: number, ackedSacked: number, newlyLost: number, flag: number): void {
  if (t.caState === CA_CWR || t.caState === CA_RECOVERY) {
    cwndReduction(t, ackedSacked, newlyLost, flag);
  } else {
    const may = t.reordering > t.layer.sysctl.reordering ? flag & FLAG_FORWARD_PROGRESS : flag & FLAG_DATA_ACKED;
    if (may) {
      t.cc.congAvoid(t, ack, ackedSacked);
      t.cwndStamp = t.layer.host.sim.now;
    }
  }
}

/** tcp_xmit_retransmit_queue(): retransmits segments marked lost while cwnd allows. */
export function xmitRetransmitQueue(t: Tcb): void {
  if (!t.packetsOut) return;
  let rearm = false;
  let i = t.rtxHint >= t.rtxHead ? t.rtxHint : t.rtxHead;
  let hole = false;
  for (; i < t.rtx.length; i++) {
    if (!hole) t.rtxHint = i;
    if (t.cwnd - t.inFlight() <= 0) break;
    if (t.retransOut >= t.lostOut) break;
    const s = t.rtx[i]!;
    const sacked = s.sacked;
    if (!(sacked & S_LOST)) {
      if (!hole && !(sacked & (S_RETRANS | S_SACKED))) hole = true;
      continue;
    }
    if (sacked & (S_SACKED | S_RETRANS)) continue;
    if (!retransmitSeg(t, i, true)) break;
    if (t.caState === CA_CWR || t.caState === CA_RECOVERY) t.prrOut++;
    if (i === t.rtxHead && t.xmitPending !== XMIT_REO) rearm = true;
  }
  if (rearm) armRtoAfter(t, t.rto);
}

/** tcp_xmit_recovery(). */
export function xmitRecovery(t: Tcb, rexmit: number): void {
  if (rexmit === REXMIT_NONE) return;
  if (rexmit === REXMIT_NEW) {
    // F-RTO step 2.b: new data first; retransmit only if none could go.
    pushPending(t, NAGLE_OFF);
    if (seqGt(t.sndNxt, t.highSeq)) return;
    t.frto = false;
  }
  xmitRetransmitQueue(t);
}

/**
 * tcp_enter_loss(): an RTO fired. Marks outstanding segments lost (tcp_timeout_mark_lost: all but those sent
 * within the last RACK RTT), reduces ssthresh once per window, collapses cwnd to in-flight + 1.
 */
export function enterLoss(t: Tcb): void {
  const now = t.layer.host.sim.now;
  const newRecovery = t.caState < CA_RECOVERY;
  const head = t.rtx[t.rtxHead];
  const reneg = !!head && (head.sacked & S_SACKED) !== 0;
  if (reneg) {
    t.sackedOut = 0;
    t.sackCacheN = 0;
  } else if (!t.sackOk) {
    t.sackedOut = 0;
  }
  for (let i = t.rtxHead; i < t.rtx.length; i++) {
    const s = t.rtx[i]!;
    if (reneg) s.sacked &= ~S_SACKED;
    else if (i !== t.rtxHead && t.rackRttUs - Math.floor((now - s.xmitTime) / US) > 0) continue;
    markLost(t, s);
  }
  t.rtxHint = -1;
  if (t.caState <= CA_DISORDER || !seqGt(t.highSeq, t.sndUna) || (t.caState === CA_LOSS && !t.retransmits)) {
    t.priorSsthresh = currentSsthresh(t);
    t.priorCwnd = t.cwnd;
    t.ssthresh = t.cc.ssthresh(t);
    t.cc.cwndEvent(t, CA_EVENT_LOSS);
    initUndo(t);
  }
  t.cwnd = t.inFlight() + 1;
  t.cwndCnt = 0;
  t.cwndStamp = now;
  const sysReordering = t.layer.sysctl.reordering;
  if (t.caState <= CA_DISORDER && t.sackedOut >= sysReordering) t.reordering = Math.min(t.reordering, sysReordering);
  setCaState(t, CA_LOSS);
  t.highSeq = t.sndNxt;
  t.tlpHighSeq = 0;
  // F-RTO step 1 (RFC 5682 §3.1): probe unless a recovery was already under way, except when the same SND.UNA
  // times out again (§3.2). No path-MTU probing here, which would also disable it.
  t.frto = t.layer.sysctl.frto !== 0 && (newRecovery || t.retransmits > 0);
}

/** Sends new data without Nagle (the loss probe's first choice). */
export function pushNoNagle(t: Tcb): void {
  pushPending(t, NAGLE_OFF);
}

