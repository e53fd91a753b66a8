/**
 * The retransmission timer and what shares it (Linux's icsk_retransmit_timer with icsk_pending): the RTO
 * (RFC 6298 §5 with Linux's exponential backoff, linear SYN timeouts and give-up rules of tcp_write_timeout),
 * zero-window probes (persist timer, RFC 9293 §3.8.6.1), tail loss probes and RACK's reordering timer (RFC 8985).
 */
import { MS, US } from '../../sim/time.js';
import { seqLt } from './seq.js';
import {
  CA_CWR, CA_OPEN, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIMEOUT_INIT,
  TCP_RESOURCE_PROBE_INTERVAL, type Tcb,
} from './tcb.js';
import { currentMss, retransmitSeg, writeWakeup, writeXmit, NAGLE_OFF, segPayloadLen, splitSeg } from './output.js';
import { enterLoss, rackReoTimeout } from './recovery.js';
import { writeError } from './conn.js';

/** What the shared timer stands for. */
export const XMIT_RTO = 1, XMIT_PROBE = 2, XMIT_TLP = 3, XMIT_REO = 4;

/** tcp_reset_xmit_timer(): arms the shared timer for `what` in `delay` ns (capped at rto_max). */
export function resetXmitTimer(t: Tcb, what: number, delay: number): void {
  t.xmitPending = what;
  t.xmitTimer.arm(Math.min(delay, t.layer.sysctl.rtoMaxNs));
}

/** Clears the shared timer. */
export function clearXmitTimer(t: Tcb): void {
  t.xmitPending = 0;
  t.xmitTimer.cancel();
}

/** Arms the RTO `delay` ns from now. */
export function armRtoAfter(t: Tcb, delay: number): void {
  resetXmitTimer(t, XMIT_RTO, delay);
}

/** How far in the future the RTO of the head segment lies, µs (tcp_rto_delta_us). */
function rtoDeltaUs(t: Tcb): number {
  const head = t.rtx[t.rtxHead];
  if (!head) return Math.floor(t.rto / US);
  return Math.floor((head.xmitTime + t.rto - t.layer.host.sim.now) / US);
}

/** tcp_rearm_rto(). */
export function rearmRto(t: Tcb): void {
  if (!t.packetsOut) {
    clearXmitTimer(t);
    return;
  }
  let rto = t.rto;
  if (t.xmitPending === XMIT_REO || t.xmitPending === XMIT_TLP) {
    rto = Math.ceil(Math.max(rtoDeltaUs(t), 1) / 1000) * MS;
  }
  resetXmitTimer(t, XMIT_RTO, rto);
}

/** The RTO started by sending new data when nothing was outstanding (tcp_event_new_data_sent → tcp_rearm_rto). */
export function armRto(t: Tcb): void {
  rearmRto(t);
}

/**
 * tcp_schedule_loss_probe(): for a SACK connection in Open/CWR state, probe the tail after 2·SRTT (+ the min RTO
 * when one segment is out, for the peer's delayed ACK), or sooner if the RTO comes first.
 */
export function scheduleLossProbe(t: Tcb, advancingRto: boolean): boolean {
  const er = t.layer.sysctl.earlyRetrans;
  if ((er !== 3 && er !== 4) || !t.packetsOut || !t.sackOk || (t.caState !== CA_OPEN && t.caState !== CA_CWR)) return false;
  if (t.state !== TCP_ESTABLISHED && t.state !== TCP_CLOSE_WAIT && t.state < 4) return false;
  let timeout: number;
  if (t.srttUs) {
    let us = t.srttUs >> 2;
    us += t.packetsOut === 1 ? t.layer.sysctl.rtoMinNs / US : 2000;
    timeout = Math.ceil(us / 1000) * MS;
  } else {
    timeout = TCP_TIMEOUT_INIT;
  }
  const deltaUs = advancingRto ? Math.floor(t.rto / US) : rtoDeltaUs(t);
  if (deltaUs > 0) timeout = Math.min(timeout, Math.ceil(deltaUs / 1000) * MS);
  resetXmitTimer(t, XMIT_TLP, timeout);
  return true;
}

/** tcp_set_xmit_timer(): after an ACK, a loss probe if allowed, else the RTO. */
export function setXmitTimer(t: Tcb): void {
  if (!scheduleLossProbe(t, true)) rearmRto(t);
}

/** tcp_probe0_base() << backoff, capped (tcp_probe0_when). */
function probe0When(t: Tcb): number {
  const base = Math.max(t.rto, t.layer.sysctl.rtoMinNs);
  return Math.min(base * 2 ** t.backoff, t.layer.sysctl.rtoMaxNs);
}

/** tcp_ack_probe(): an ACK while data waits behind the peer's window. */
export function ackProbe(t: Tcb): void {
  const unsent = (t.writeSeq - t.sndNxt) | 0;
  const end = (t.sndNxt + Math.min(Math.max(unsent, 0), currentMss(t)) + (unsent <= 0 ? 1 : 0)) >>> 0;
  if (!seqLt(t.wndEnd(), end)) {
    // The window opened: stop probing; the caller's tcp_data_snd_check sends.
    t.backoff = 0;
    t.probesTstamp = 0;
    if (t.xmitPending === XMIT_PROBE) clearXmitTimer(t);
  } else {
    resetXmitTimer(t, XMIT_PROBE, clampToUserTimeout(t, probe0When(t)));
  }
}

/** Caps a probe interval so TCP_USER_TIMEOUT is honoured (tcp_clamp_probe0_to_user_timeout). */
function clampToUserTimeout(t: Tcb, when: number): number {
  if (!t.userTimeoutNs || !t.probesTstamp) return when;
  const remaining = t.userTimeoutNs - (t.layer.host.sim.now - t.probesTstamp);
  return Math.max(Math.min(when, remaining), MS);
}

/** tcp_model_timeout(): how long `boundary` backed-off retransmissions starting at rtoBase take. */
function modelTimeout(t: Tcb, boundary: number, rtoBase: number): number {
  const rtoMax = t.layer.sysctl.rtoMaxNs;
  const thresh = Math.floor(Math.log2(rtoMax / rtoBase));
  if (boundary <= thresh) return (2 ** (boundary + 1) - 1) * rtoBase;
  return (2 ** (thresh + 1) - 1) * rtoBase + (boundary - thresh) * rtoMax;
}

/** retransmits_timed_out(). */
function retransmitsTimedOut(t: Tcb, boundary: number, timeoutNs: number): boolean {
  if (!t.retransmits) return false;
  const start = t.retransStamp;
  const delta = t.layer.host.sim.now - start;
  if (timeoutNs === 0) {
    const base = t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV ? TCP_TIMEOUT_INIT : t.layer.sysctl.rtoMinNs;
    timeoutNs = modelTimeout(t, boundary, base);
  }
  return timeoutNs - delta <= 0;
}

/** tcp_orphan_retries(). */
function orphanRetries(t: Tcb, alive: boolean): number {
  const r = t.layer.sysctl.orphanRetries;
  if (r === 0 && alive) return 8;
  return r;
}

/** tcp_write_timeout(): true when the connection was aborted. */
function writeTimeout(t: Tcb): boolean {
  const sc = t.layer.sysctl;
  let expired = false;
  let retryUntil: number;
  if (t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV) {
    retryUntil = t.synRetries || sc.synRetries;
    let maxRetransmits = retryUntil;
    if (t.state === TCP_SYN_SENT) maxRetransmits += sc.synLinearTimeouts;
    expired = t.retransmits >= maxRetransmits;
  } else {
    retryUntil = sc.retries2;
    if (t.dead) {
      const alive = t.rto < sc.rtoMaxNs;
      retryUntil = orphanRetries(t, alive);
    }
  }
  if (!expired) expired = retransmitsTimedOut(t, retryUntil, t.userTimeoutNs);
  if (expired) {
    writeError(t);
    return true;
  }
  return false;
}

/** The RTO fired (tcp_retransmit_timer). */
function retransmitTimer(t: Tcb): void {
  if (!t.packetsOut) return;
  const head = t.rtx[t.rtxHead]!;
  const sc = t.layer.sysctl;
  const now = t.layer.host.sim.now;
  const handshake = t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV;
  if (!t.sndWnd && !t.dead && !handshake) {
    // The receiver shrank its window to zero: retransmissions act as probes and do not time out
    // (unless TCP_USER_TIMEOUT or rto_max worth of silence says so).
    const rtxDelta = now - (t.retransStamp || head.xmitTime);
    const limit = t.userTimeoutNs || sc.rtoMaxNs;
    if (now - t.rcvTstamp > limit && rtxDelta > limit) {
      writeError(t);
      return;
    }
    enterLoss(t);
    retransmitSeg(t, t.rtxHead, true);
  } else {
    if (writeTimeout(t)) return;
    enterLoss(t);
    t.retransmits++;
    t.totalRto++;
    if (!retransmitSeg(t, t.rtxHead, true)) {
      resetXmitTimer(t, XMIT_RTO, TCP_RESOURCE_PROBE_INTERVAL);
      return;
    }
  }
  // Exponential backoff, except the first tcp_syn_linear_timeouts SYN retransmissions (Linux ≥ 6.5).
  if (t.state !== TCP_SYN_SENT || t.totalRto > sc.synLinearTimeouts) {
    t.backoff++;
    t.rto = Math.min(t.rto * 2, sc.rtoMaxNs);
  }
  resetXmitTimer(t, XMIT_RTO, clampRtoToUserTimeout(t));
}

/** tcp_clamp_rto_to_user_timeout(). */
function clampRtoToUserTimeout(t: Tcb): number {
  if (!t.userTimeoutNs || !t.retransStamp) return t.rto;
  const remaining = t.userTimeoutNs - (t.layer.host.sim.now - t.retransStamp);
  if (remaining <= 0) return MS;
  return Math.min(t.rto, remaining);
}

/** The zero-window probe timer fired (tcp_probe_timer). */
function probeTimer(t: Tcb): void {
  const sc = t.layer.sysctl;
  const now = t.layer.host.sim.now;
  if (t.packetsOut || !t.hasUnsent()) {
    t.probesOut = 0;
    t.probesTstamp = 0;
    return;
  }
  // RFC 9293 §3.8.6.1 (RFC 1122 4.2.2.17): probe forever while the peer answers, unless orphaned or bounded
  // by TCP_USER_TIMEOUT.
  if (!t.probesTstamp) {
    t.probesTstamp = now;
  } else if (t.userTimeoutNs && now - t.probesTstamp >= t.userTimeoutNs) {
    writeError(t);
    return;
  }
  let maxProbes = sc.retries2;
  if (t.dead) {
    const alive = probe0When(t) < sc.rtoMaxNs;
    maxProbes = orphanRetries(t, alive);
    if (!alive && t.backoff >= maxProbes) {
      writeError(t);
      return;
    }
  }
  if (t.probesOut >= maxProbes) {
    writeError(t);
    return;
  }
  sendProbe0(t);
}

/** tcp_send_probe0(). */
export function sendProbe0(t: Tcb): void {
  writeWakeup(t);
  if (t.packetsOut || !t.hasUnsent()) {
    t.probesOut = 0;
    t.backoff = 0;
    t.probesTstamp = 0;
    return;
  }
  t.probesOut++;
  if (t.backoff < t.layer.sysctl.retries2) t.backoff++;
  resetXmitTimer(t, XMIT_PROBE, clampToUserTimeout(t, probe0When(t)));
}

/** The tail loss probe fired (tcp_send_loss_probe): send new data if possible, else the last segment again. */
function sendLossProbe(t: Tcb): void {
  if (t.tlpHighSeq) {
    rearmRto(t);
    return;
  }
  t.tlpRetrans = false;
  const before = t.packetsOut;
  if (t.writeSeq !== t.sndNxt) {
    writeXmit(t, NAGLE_OFF, true);
    if (t.packetsOut > before) {
      t.tlpHighSeq = t.sndNxt;
      t.xmitPending = 0;
      rearmRto(t);
      return;
    }
  }
  if (t.rtxLen === 0) {
    clearXmitTimer(t);
    return;
  }
  let idx = t.rtx.length - 1;
  const last = t.rtx[idx]!;
  const mss = currentMss(t);
  const len = segPayloadLen(last);
  if (len > mss) {
    splitSeg(t, idx, len - mss);
    idx++;
  }
  if (retransmitSeg(t, idx, false)) {
    t.tlpRetrans = true;
    t.tlpHighSeq = t.sndNxt;
    t.xmitPending = 0;
  }
  rearmRto(t);
}

/** The shared timer expired: dispatch on what it stands for. */
export function onXmitTimer(t: Tcb): void {
  const what = t.xmitPending;
  t.xmitPending = 0;
  switch (what) {
    case XMIT_RTO: t.layer.recordTimer(t, 'rto'); retransmitTimer(t); break;
    case XMIT_PROBE: t.layer.recordTimer(t, 'probe0'); probeTimer(t); break;
    case XMIT_TLP: t.layer.recordTimer(t, 'tlp'); sendLossProbe(t); break;
    case XMIT_REO: t.layer.recordTimer(t, 'rack'); rackReoTimeout(t); break;
  }
}

