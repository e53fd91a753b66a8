/**
 * Segment arrival for a connection (RFC 9293 §3.10.7.3–4, as Linux's tcp_rcv_state_process,
 * tcp_rcv_synsent_state_process, tcp_validate_incoming and tcp_timewait_state_process): PAWS (RFC 7323 §5),
 * the sequence check, RST handling with RFC 5961 challenge ACKs, SYN in a synchronized state, ACK processing and
 * the per-state transitions, then urgent data, segment text and FIN. Returns true when the caller must answer
 * the segment with a RST (RFC 9293 §3.10.7.1 reset generation).
 */
import { MS } from '../../sim/time.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_RST, TCP_SYN } from '../wire/tcp.js';
import type { Seg } from './segment.js';
import { seqBetween, seqGt, seqLt } from './seq.js';
import {
  ACK_SCHED, RCV_SHUTDOWN, SEND_SHUTDOWN, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_CLOSING, TCP_DELACK_MAX, TCP_ESTABLISHED,
  TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_MAX_QUICKACKS, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIMEWAIT_LEN,
  TCP_TIME_WAIT, type Tcb,
} from './tcb.js';
import { tcpAck } from './ack.js';
import { FLAG_SLOWPATH, FLAG_UPDATE_TS_RECENT } from './recovery.js';
import { pushPending, sendAck, sendSyn, checkProbeTimer } from './output.js';
import { ackSndCheck, dataQueue, enterQuickack, rcvRttMeasureTs, urgInput } from './rcv.js';
import { enterTimeWait, initTransfer, resetReceived, setState, tcpDone } from './conn.js';
import { initializeRcvMss, syncMss } from './window.js';
import { rttSample } from './rtt.js';
import { resetXmitTimer, XMIT_RTO } from './xmit-timer.js';
import { keepaliveStart } from './timers.js';

/** TCP_PAWS_24DAYS in ns: a timestamp older than this is no longer compared. */
const PAWS_24DAYS = 24 * 86400 * 1000 * MS;

/** __tcp_oow_rate_limited(): at most one out-of-window reply per tcp_invalid_ratelimit. */
function oowRateLimited(t: Tcb): boolean {
  const now = t.layer.host.sim.now;
  if (t.lastOowAck > 0) {
    const elapsed = now - t.lastOowAck;
    if (elapsed >= 0 && elapsed < t.layer.sysctl.invalidRatelimitNs) return true;
  }
  t.lastOowAck = now || 1;
  return false;
}

/** tcp_send_challenge_ack() (RFC 5961 §3.2, §4.2, §5.2), rate limited per socket. */
export function sendChallengeAck(t: Tcb): void {
  if (oowRateLimited(t)) return;
  t.layer.stats.challengeAcks++;
  sendAck(t);
}

/** tcp_send_dupack(): ACK a segment we could not use; an old retransmission also gets a D-SACK. */
function sendDupack(t: Tcb, seg: Seg): void {
  if (seg.end !== seg.seq && seqLt(seg.seq, t.rcvNxt)) {
    enterQuickack(t, TCP_MAX_QUICKACKS);
    if (t.sackOk && t.layer.sysctl.dsack) {
      const end = seqGt(seg.end, t.rcvNxt) ? t.rcvNxt : seg.end;
      t.dsack = true;
      t.dsackStart = seg.seq;
      t.dsackEnd = end;
    }
  }
  sendAck(t);
}

/** Out-of-window replies to pure segments are rate limited; data segments are not (tcp_oow_rate_limited). */
function oowLimited(t: Tcb, seg: Seg): boolean {
  if (seg.seq !== seg.end && !(seg.flags & TCP_SYN)) return false;
  return oowRateLimited(t);
}

/** tcp_paws_discard(): the segment's TSval is older than TS.Recent (RFC 7323 §5.3), and not a disordered ACK. */
function pawsDiscard(t: Tcb, seg: Seg): boolean {
  if (((t.tsRecent - seg.tsval) | 0) <= 1) return false;
  if (t.layer.host.sim.now >= t.tsRecentStamp + PAWS_24DAYS) return false;
  if (!t.tsRecent) return false;
  // tcp_disordered_ack: a pure duplicate ACK reordered with a newer one is harmless.
  const ackOnly = (seg.flags & (TCP_ACK | TCP_SYN | TCP_FIN | TCP_RST)) === TCP_ACK;
  if (ackOnly && seg.seq === seg.end && seg.seq === t.rcvNxt && seg.ack === t.sndUna
    && seg.wnd * 2 ** t.sndWscale === t.sndWnd && ((t.tsRecent - seg.tsval) | 0) <= t.rto / MS * 1024 / 1000) {
    return false;
  }
  return true;
}

/** tcp_sequence(): the segment overlaps the receive window (RFC 9293 §3.10.7.4, first check). */
function sequenceOk(t: Tcb, seg: Seg): boolean {
  return !seqLt(seg.end, t.rcvWup) && !seqGt(seg.seq, (t.rcvNxt + t.receiveWindow()) >>> 0);
}

/** tcp_validate_incoming(): false when the segment was consumed here (dropped, reset, or challenged). */
function validateIncoming(t: Tcb, seg: Seg): boolean {
  const pawsBad = t.sawTstamp && t.tsRecentStamp !== 0 && pawsDiscard(t, seg);
  if ((pawsBad && !(seg.flags & TCP_RST)) || !sequenceOk(t, seg)) {
    // Unacceptable: ACK it (RFC 9293 §3.10.7.4), a SYN with a challenge ACK (RFC 5961 §4.2), never a RST.
    if (!(seg.flags & TCP_RST)) {
      if (seg.flags & TCP_SYN) sendChallengeAck(t);
      else if (!oowLimited(t, seg)) sendDupack(t, seg);
    }
    return false;
  }
  if (seg.flags & TCP_RST) {
    // RFC 5961 §3.2: reset only on an exact match, challenge anything else in the window.
    let exact = seg.seq === t.rcvNxt;
    if (!exact && seg.seq === ((t.rcvNxt - 1) >>> 0) && (t.state === TCP_CLOSE_WAIT || t.state === TCP_LAST_ACK || t.state === TCP_CLOSING)) exact = true;
    if (!exact && t.sackOk && t.numSacks > 0) {
      let maxSack = t.sacks[1]!;
      for (let i = 1; i < t.numSacks; i++) if (seqGt(t.sacks[2 * i + 1]!, maxSack)) maxSack = t.sacks[2 * i + 1]!;
      if (seg.seq === maxSack) exact = true;
    }
    if (exact) resetReceived(t);
    else sendChallengeAck(t);
    return false;
  }
  if (seg.flags & TCP_SYN) {
    // RFC 5961 §4.2: a SYN in a synchronized state gets a challenge ACK.
    if (t.state === TCP_SYN_RECV && seg.flags & TCP_ACK && ((seg.seq + 1) >>> 0) === seg.end
      && ((seg.seq + 1) >>> 0) === t.rcvNxt && seg.ack === t.sndNxt) {
      return true; // a retransmitted SYN-ACK in a simultaneous open
    }
    sendChallengeAck(t);
    return false;
  }
  return true;
}

/** Parses what a SYN (or SYN-ACK) negotiates into the TCB (tcp_parse_options on a SYN). */
function takeSynOptions(t: Tcb, seg: Seg): void {
  const sc = t.layer.sysctl;
  if (seg.mss) t.mssClamp = t.userMss && t.userMss < seg.mss ? t.userMss : seg.mss;
  t.wscaleOk = seg.wscale >= 0 && sc.windowScaling;
  t.sndWscale = t.wscaleOk ? Math.min(seg.wscale, 14) : 0;
  t.sackOk = seg.sackOk && sc.sack;
}

/** tcp_rcv_synsent_state_process(); true → answer with RST. */
function synSentInput(t: Tcb, seg: Seg): boolean {
  const now = t.layer.host.sim.now;
  if (seg.flags & TCP_ACK) {
    // RFC 9293: SEG.ACK must acknowledge our SYN and nothing more.
    if (!seqGt(seg.ack, t.sndUna) || seqGt(seg.ack, t.sndNxt)) {
      if (seg.flags & TCP_RST) return false;
      if (t.retransmits === 0) resetXmitTimer(t, XMIT_RTO, 2 * MS);
      return true;
    }
    if (t.sawTstamp && t.rcvTsecr) {
      const stamp = (Math.floor((t.retransStamp || t.synSentAt) / MS) + t.tsOff) >>> 0;
      if (!seqBetween(t.rcvTsecr, stamp, t.tsNow())) return true;
    }
    if (seg.flags & TCP_RST) {
      resetReceived(t);
      return false;
    }
    if (!(seg.flags & TCP_SYN)) return false;
    // tcp_ecn_rcv_synack: ECN holds only when the SYN-ACK carries ECE without CWR (RFC 3168 §6.1.1).
    if (t.ecnOk && (!(seg.flags & TCP_ECE) || seg.flags & TCP_CWR)) t.ecnOk = false;
    takeSynOptions(t, seg);
    t.sndWl1 = seg.seq;
    tcpAck(t, seg, FLAG_SLOWPATH);
    t.rcvNxt = (seg.seq + 1) >>> 0;
    t.rcvWup = t.rcvNxt;
    t.irs = seg.seq;
    // RFC 7323 §2.2: the window of a SYN is never scaled.
    t.sndWnd = seg.wnd;
    t.maxWindow = Math.max(t.maxWindow, t.sndWnd);
    if (!t.wscaleOk) {
      t.sndWscale = t.rcvWscale = 0;
      t.windowClamp = Math.min(t.windowClamp, 65535);
    }
    if (t.sawTstamp) {
      t.tsOk = true;
      t.tcpHeaderLen = 32;
      t.advmss -= 12;
      t.tsRecent = seg.tsval;
      t.tsRecentStamp = now || 1;
    } else {
      t.tsOk = false;
      t.tcpHeaderLen = 20;
    }
    syncMss(t, t.pmtu);
    initializeRcvMss(t);
    t.copiedSeq = t.rcvNxt;
    // tcp_finish_connect
    setState(t, TCP_ESTABLISHED);
    t.lrcvtime = now;
    initTransfer(t);
    t.lsndtime = now;
    if (t.sock.keepalive) keepaliveStart(t);
    t.sock.stateChanged();
    if (t.pingpong >= t.layer.sysctl.pingpongThresh) {
      // Save one ACK: data will follow shortly (tcp_rcv_synsent_state_process).
      t.ackPending |= ACK_SCHED;
      enterQuickack(t, TCP_MAX_QUICKACKS);
      t.ackPending |= 2;
      t.ackTimeout = now + TCP_DELACK_MAX;
      t.delackTimer.armAt(t.ackTimeout);
      return false;
    }
    sendAck(t);
    pushPending(t);
    return false;
  }
  if (seg.flags & TCP_RST) return false;
  if (t.tsRecentStamp && t.sawTstamp && ((t.tsRecent - seg.tsval) | 0) > 0) return false;
  if (seg.flags & TCP_SYN) {
    // Crossed SYNs: simultaneous open (RFC 9293 §3.5, figure 8).
    setState(t, TCP_SYN_RECV);
    takeSynOptions(t, seg);
    if (t.sawTstamp) {
      t.tsOk = true;
      t.tsRecent = seg.tsval;
      t.tsRecentStamp = now || 1;
      t.tcpHeaderLen = 32;
    } else {
      t.tsOk = false;
      t.tcpHeaderLen = 20;
    }
    if (!t.wscaleOk) t.rcvWscale = 0;
    t.irs = seg.seq;
    t.rcvNxt = (seg.seq + 1) >>> 0;
    t.copiedSeq = t.rcvNxt;
    t.rcvWup = t.rcvNxt;
    t.sndWnd = seg.wnd;
    t.sndWl1 = seg.seq;
    t.maxWindow = t.sndWnd;
    syncMss(t, t.pmtu);
    initializeRcvMss(t);
    sendSyn(t);
  }
  return false;
}

/** The SYN_RECV → ESTABLISHED step once our SYN is acknowledged (tcp_rcv_state_process, TCP_SYN_RECV). */
function synRecvEstablished(t: Tcb, seg: Seg): void {
  t.delivered++;
  if (!t.srttUs && t.synackSentAt >= 0 && !t.synackRetrans) {
    rttSample(t, Math.floor((t.layer.host.sim.now - t.synackSentAt) / 1000));
  }
  t.retransStamp = 0;
  initTransfer(t);
  t.copiedSeq = t.rcvNxt;
  setState(t, TCP_ESTABLISHED);
  t.sndUna = seg.ack;
  t.sndWnd = seg.wnd * 2 ** t.sndWscale;
  t.sndWl1 = seg.seq;
  if (t.tsOk) t.advmss -= 12;
  t.lsndtime = t.layer.host.sim.now;
  initializeRcvMss(t);
  t.sock.stateChanged();
}

/** tcbInput results: consumed; answer with a RST; a SYN that may reopen a TIME_WAIT connection. */
export const IN_OK = 0, IN_RST = 1, IN_TW_SYN = 2;

/** A segment for this connection; returns IN_OK, IN_RST or IN_TW_SYN. */
export function tcbInput(t: Tcb, seg: Seg): number {
  t.segsIn++;
  if (seg.payload.length) t.dataSegsIn++;
  t.sawTstamp = seg.ts && (t.tsOk || t.state === TCP_SYN_SENT && t.layer.sysctl.timestamps);
  t.rcvTsecr = t.sawTstamp ? (seg.tsecr) : 0;
  if (t.state === TCP_TIME_WAIT || (t.state === TCP_FIN_WAIT2 && t.twDeadline)) return timewaitInput(t, seg);
  if (t.state === TCP_SYN_SENT) return synSentInput(t, seg) ? IN_RST : IN_OK;
  if (t.state === TCP_CLOSE) return IN_RST;
  if (!(seg.flags & (TCP_ACK | TCP_RST | TCP_SYN))) return IN_OK;
  if (!validateIncoming(t, seg)) return IN_OK;
  const wasSynRecv = t.state === TCP_SYN_RECV;
  const r = tcpAck(t, seg, FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT);
  if (r <= 0) {
    if (wasSynRecv) return IN_RST;
    if (r < 0) {
      if (t.state !== TCP_ESTABLISHED || r === -2) sendChallengeAck(t);
      return IN_OK;
    }
  }
  if (!(seg.flags & TCP_ACK)) return IN_OK;
  switch (t.state) {
    case TCP_SYN_RECV:
      synRecvEstablished(t, seg);
      if (t.shutdown & SEND_SHUTDOWN) t.sock.sendFinNow();
      break;
    case TCP_FIN_WAIT1:
      if (t.finSent() && t.sndUna === t.sndNxt) {
        setState(t, TCP_FIN_WAIT2);
        t.shutdown |= SEND_SHUTDOWN;
        if (!t.dead) {
          t.sock.stateChanged();
          break;
        }
        if (t.linger2Ns < 0) {
          tcpDone(t);
          return IN_RST;
        }
        if (seg.end !== seg.seq && seqGt((seg.end - (seg.flags & TCP_FIN ? 1 : 0)) >>> 0, t.rcvNxt)) {
          // An orphan receiving new data: abort (Linux's TCPAbortOnData).
          tcpDone(t);
          return IN_RST;
        }
        const tmo = t.sock.finTimeout(t);
        if (tmo > TCP_TIMEWAIT_LEN) {
          t.keepaliveTimer.arm(tmo - TCP_TIMEWAIT_LEN);
        } else if (seg.flags & TCP_FIN) {
          t.keepaliveTimer.arm(tmo);
        } else {
          enterTimeWait(t, TCP_FIN_WAIT2, tmo);
          return IN_OK;
        }
      }
      break;
    case TCP_CLOSING:
      if (t.sndUna === t.sndNxt && t.finSent()) {
        enterTimeWait(t, TCP_TIME_WAIT);
        return IN_OK;
      }
      break;
    case TCP_LAST_ACK:
      if (t.sndUna === t.sndNxt && t.finSent()) {
        tcpDone(t);
        return IN_OK;
      }
      break;
  }
  urgInput(t, seg);
  // Seventh step, segment text (tcp_rcv_state_process): after the peer's FIN only old data is looked at; after
  // our receive side was shut, new data draws a reset (RFC 1122 §4.2.2.13).
  const st = t.state;
  const afterPeerFin = st === TCP_CLOSE_WAIT || st === TCP_CLOSING || st === TCP_LAST_ACK;
  const closing = st === TCP_FIN_WAIT1 || st === TCP_FIN_WAIT2;
  if ((afterPeerFin && seqLt(seg.seq, t.rcvNxt)) || closing || st === TCP_ESTABLISHED) {
    if ((afterPeerFin || closing) && t.shutdown & RCV_SHUTDOWN && seg.end !== seg.seq
      && seqGt((seg.end - (seg.flags & TCP_FIN ? 1 : 0)) >>> 0, t.rcvNxt)) {
      resetReceived(t);
      return IN_RST;
    }
    rcvRttMeasureTs(t, seg);
    dataQueue(t, seg);
  }
  if (t.state !== TCP_CLOSE && t.state !== TCP_TIME_WAIT) {
    dataSndCheck(t);
    ackSndCheck(t);
  }
  return IN_OK;
}

/** tcp_data_snd_check(): send what the ACK allows, then wake a writer waiting for space. */
export function dataSndCheck(t: Tcb): void {
  pushPending(t);
  if (t.packetsOut === 0 && t.hasUnsent()) checkProbeTimer(t);
  t.sock.checkSpace();
}

/** tcp_in_window(). */
function inWindow(seq: number, end: number, sWin: number, eWin: number): boolean {
  if (seq === sWin) return true;
  if (seqGt(end, sWin) && seqLt(seq, eWin)) return true;
  return seq === eWin && seq === end;
}

/**
 * tcp_timewait_state_process(): TIME_WAIT (and an orphan's lingering FIN_WAIT2). A RST at RCV.NXT ends TIME_WAIT
 * (tcp_rfc1337 = 0); anything else but a RST is ACKed and, when it carries ACK, restarts the 2MSL timer; a new
 * SYN with a higher sequence number may reopen the connection through a listener (RFC 6191).
 */
function timewaitInput(t: Tcb, seg: Seg): number {
  const now = t.layer.host.sim.now;
  const pawsReject = t.sawTstamp && t.tsRecentStamp !== 0 && ((t.tsRecent - seg.tsval) | 0) > 1;
  if (t.state === TCP_FIN_WAIT2) {
    if (pawsReject || !inWindow(seg.seq, seg.end, t.rcvNxt, (t.rcvNxt + t.rcvWnd) >>> 0)) {
      if (!(seg.flags & TCP_RST) && !oowLimited(t, seg)) sendAck(t);
      return IN_OK;
    }
    if (seg.flags & TCP_RST) {
      tcpDone(t);
      return IN_OK;
    }
    if (seg.flags & TCP_SYN && !seqLt(seg.seq, t.rcvNxt)) return IN_RST;
    if (!(seg.flags & TCP_ACK) || !seqGt(seg.end, t.rcvNxt) || seg.end === seg.seq) return IN_OK;
    if (!(seg.flags & TCP_FIN) || seg.end !== ((t.rcvNxt + 1) >>> 0)) {
      // New data after a half-duplex close: reset.
      tcpDone(t);
      return IN_RST;
    }
    t.rcvNxt = seg.end;
    if (t.sawTstamp) {
      t.tsRecent = seg.tsval;
      t.tsRecentStamp = now || 1;
    }
    setState(t, TCP_TIME_WAIT);
    t.twDeadline = now + TCP_TIMEWAIT_LEN;
    t.keepaliveTimer.arm(TCP_TIMEWAIT_LEN);
    sendAck(t);
    return IN_OK;
  }
  if (!pawsReject && seg.seq === t.rcvNxt && (seg.seq === seg.end || seg.flags & TCP_RST)) {
    if (seg.flags & TCP_RST) {
      if (!t.layer.sysctl.rfc1337) {
        tcpDone(t);
        return IN_OK;
      }
    } else {
      t.twDeadline = now + TCP_TIMEWAIT_LEN;
      t.keepaliveTimer.arm(TCP_TIMEWAIT_LEN);
    }
    if (t.sawTstamp) {
      t.tsRecent = seg.tsval;
      t.tsRecentStamp = now || 1;
    }
    return IN_OK;
  }
  if (seg.flags & TCP_SYN && !(seg.flags & (TCP_RST | TCP_ACK)) && !pawsReject
    && (seqGt(seg.seq, t.rcvNxt) || (t.sawTstamp && ((t.tsRecent - seg.tsval) | 0) < 0))) {
    return IN_TW_SYN;
  }
  if (!(seg.flags & TCP_RST)) {
    if (pawsReject || seg.flags & TCP_ACK) {
      t.twDeadline = now + TCP_TIMEWAIT_LEN;
      t.keepaliveTimer.arm(TCP_TIMEWAIT_LEN);
    }
    if (!oowLimited(t, seg)) sendAck(t);
  }
  return IN_OK;
}
