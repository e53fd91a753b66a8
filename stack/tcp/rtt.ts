/**
 * RTT estimation and the retransmission timeout: RFC 6298 as Linux computes it (tcp_rtt_estimator,
 * __tcp_set_rto). srtt is kept × 8 and mdev × 4 in µs; rttvar never drops below tcp_rto_min (200 ms), so
 * RTO = srtt + max(4·mdev, 200 ms) — Linux applies the minimum to the variance term, not to the total.
 */
import { US } from '../../sim/time.js';
import type { Tcb } from './tcb.js';
import { seqGt } from './seq.js';

/** Feeds one RTT sample (µs) into the estimator (tcp_rtt_estimator). */
export function rttEstimator(t: Tcb, mrttUs: number): void {
  let m = mrttUs;
  let srtt = t.srttUs;
  const rtoMinUs = t.layer.sysctl.rtoMinNs / US;
  if (srtt !== 0) {
    m -= srtt >> 3;
    srtt += m;
    if (m < 0) {
      m = -m;
      m -= t.mdevUs >> 2;
      if (m > 0) m >>= 3;
    } else {
      m -= t.mdevUs >> 2;
    }
    t.mdevUs += m;
    if (t.mdevUs > t.mdevMaxUs) {
      t.mdevMaxUs = t.mdevUs;
      if (t.mdevMaxUs > t.rttvarUs) t.rttvarUs = t.mdevMaxUs;
    }
    if (seqGt(t.sndUna, t.rttSeq)) {
      if (t.mdevMaxUs < t.rttvarUs) t.rttvarUs -= (t.rttvarUs - t.mdevMaxUs) >> 2;
      t.rttSeq = t.sndNxt;
      t.mdevMaxUs = rtoMinUs;
    }
  } else {
    srtt = m << 3;
    t.mdevUs = m << 1;
    t.rttvarUs = Math.max(t.mdevUs, rtoMinUs);
    t.mdevMaxUs = t.rttvarUs;
    t.rttSeq = t.sndNxt;
  }
  t.srttUs = Math.max(1, srtt);
  if (t.minRttUs === 0 || mrttUs < t.minRttUs) t.minRttUs = Math.max(1, mrttUs);
}

/** RTO from the estimator, in ns rounded up to the 1 ms jiffy (usecs_to_jiffies), bounded by tcp_rto_max. */
export function computeRto(t: Tcb): number {
  const us = (t.srttUs >> 3) + t.rttvarUs;
  const ns = Math.ceil(us / 1000) * 1_000_000;
  return Math.min(ns, t.layer.sysctl.rtoMaxNs);
}

/** Takes a valid RTT sample: updates the estimator and the RTO, and clears the backoff (tcp_ack_update_rtt). */
export function rttSample(t: Tcb, mrttUs: number): void {
  if (mrttUs < 0) return;
  rttEstimator(t, mrttUs);
  t.rto = computeRto(t);
  t.backoff = 0;
}

/** The current RTO with exponential backoff applied, capped at rto_max (inet_csk_rto_backoff). */
export function rtoBackoff(t: Tcb): number {
  return Math.min(t.rto * 2 ** t.backoff, t.layer.sysctl.rtoMaxNs);
}
