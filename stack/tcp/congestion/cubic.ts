/**
 * CUBIC (RFC 9438) as Linux's net/ipv4/tcp_cubic.c implements it: beta 717/1024, C = 0.4 (bic_scale 41), fast
 * convergence, TCP friendliness, and HyStart (ack-train and delay detection) to leave slow start early. Time is
 * counted in 1 ms jiffies (HZ=1000) and RTTs in µs, as the kernel does. The cube root is exact here, where the
 * kernel uses a table plus one Newton step (within 0.2 %).
 */
import { MS, US } from '../../../sim/time.js';
import type { Tcb } from '../tcb.js';
import { CA_LOSS } from '../tcb.js';
import { seqGt } from '../seq.js';
import { CA_EVENT_TX_START, congAvoidAi, inSlowStart, isCwndLimited, slowStart, type CongestionControl } from './cc.js';

const BICTCP_BETA_SCALE = 1024;
const BICTCP_HZ = 10;
const BETA = 717;
const BIC_SCALE = 41;
const HZ = 1000;
const CUBE_RTT_SCALE = BIC_SCALE * 10;
/** 8 * (1024 + 717) / 3 / (1024 - 717), integer arithmetic as cubictcp_register computes it. */
const BETA_SCALE = Math.floor(Math.floor((8 * (BICTCP_BETA_SCALE + BETA)) / 3) / (BICTCP_BETA_SCALE - BETA));
const CUBE_FACTOR = 2 ** (10 + 3 * BICTCP_HZ) / (BIC_SCALE * 10);
const HYSTART_LOW_WINDOW = 16;
const HYSTART_ACK_DELTA_US = 2000;
const HYSTART_MIN_SAMPLES = 8;
const HYSTART_DELAY_MIN = 4000;
const HYSTART_DELAY_MAX = 16000;

function jiffies(t: Tcb): number {
  return Math.floor(t.layer.host.sim.now / MS);
}

function clockUs(t: Tcb): number {
  return Math.floor(t.layer.host.sim.now / US);
}

/** CUBIC ("cubic" for TCP_CONGESTION), Linux's default. */
export class Cubic implements CongestionControl {
  readonly name = 'cubic';
  private cnt = 0;
  private lastMaxCwnd = 0;
  private lastCwnd = 0;
  private lastTime = 0;
  private originPoint = 0;
  private k = 0;
  private delayMin = 0;
  private epochStart = 0;
  private ackCnt = 0;
  private tcpCwnd = 0;
  private sampleCnt = 0;
  private found = false;
  private roundStart = 0;
  private endSeq = 0;
  private lastAck = 0;
  private currRtt = 0;

  constructor(t: Tcb) {
    this.hystartReset(t);
  }

  private reset(): void {
    this.cnt = 0;
    this.lastMaxCwnd = 0;
    this.lastCwnd = 0;
    this.lastTime = 0;
    this.originPoint = 0;
    this.k = 0;
    this.delayMin = 0;
    this.epochStart = 0;
    this.ackCnt = 0;
    this.tcpCwnd = 0;
    this.sampleCnt = 0;
    this.found = false;
  }

  private hystartReset(t: Tcb): void {
    this.roundStart = this.lastAck = clockUs(t);
    this.endSeq = t.sndNxt;
    this.currRtt = 0xffffffff;
    this.sampleCnt = 0;
  }

  cwndEvent(t: Tcb, ev: number): void {
    if (ev !== CA_EVENT_TX_START) return;
    // Idle (application limited) for a while: shift the epoch to keep cwnd on the cubic curve.
    const now = jiffies(t);
    const delta = now - Math.floor(t.lsndtime / MS);
    if (this.epochStart && delta > 0) {
      this.epochStart += delta;
      if (this.epochStart > now) this.epochStart = now;
    }
  }

  private update(t: Tcb, cwnd: number, acked: number): void {
    const now = jiffies(t);
    this.ackCnt += acked;
    if (this.lastCwnd === cwnd && now - this.lastTime <= HZ / 32) return;
    if (!(this.epochStart && now === this.lastTime)) {
      this.lastCwnd = cwnd;
      this.lastTime = now;
      if (this.epochStart === 0) {
        this.epochStart = now;
        this.ackCnt = acked;
        this.tcpCwnd = cwnd;
        if (this.lastMaxCwnd <= cwnd) {
          this.k = 0;
          this.originPoint = cwnd;
        } else {
          this.k = Math.floor(Math.cbrt(CUBE_FACTOR * (this.lastMaxCwnd - cwnd)));
          this.originPoint = this.lastMaxCwnd;
        }
      }
      let tt = now - this.epochStart + Math.ceil(this.delayMin / 1000);
      tt = Math.floor((tt * 2 ** BICTCP_HZ) / HZ);
      const offs = tt < this.k ? this.k - tt : tt - this.k;
      const delta = Math.floor((CUBE_RTT_SCALE * offs * offs * offs) / 2 ** (10 + 3 * BICTCP_HZ));
      const target = tt < this.k ? this.originPoint - delta : this.originPoint + delta;
      this.cnt = target > cwnd ? Math.floor(cwnd / (target - cwnd)) : 100 * cwnd;
      // The initial growth may be too conservative while the bandwidth is unknown: at least 5 % per RTT.
      if (this.lastMaxCwnd === 0 && this.cnt > 20) this.cnt = 20;
    }
    // TCP friendliness: never grow slower than Reno would.
    const d = (cwnd * BETA_SCALE) >> 3;
    if (d > 0) {
      while (this.ackCnt > d) {
        this.ackCnt -= d;
        this.tcpCwnd++;
      }
    }
    if (this.tcpCwnd > cwnd) {
      const maxCnt = Math.floor(cwnd / (this.tcpCwnd - cwnd));
      if (this.cnt > maxCnt) this.cnt = maxCnt;
    }
    this.cnt = Math.max(this.cnt, 2);
  }

  congAvoid(t: Tcb, _ack: number, acked: number): void {
    if (!isCwndLimited(t)) return;
    if (inSlowStart(t)) {
      acked = slowStart(t, acked);
      if (!acked) return;
    }
    this.update(t, t.cwnd, acked);
    congAvoidAi(t, this.cnt, acked);
  }

  ssthresh(t: Tcb): number {
    this.epochStart = 0;
    // Wmax and fast convergence.
    if (t.cwnd < this.lastMaxCwnd) this.lastMaxCwnd = Math.floor((t.cwnd * (BICTCP_BETA_SCALE + BETA)) / (2 * BICTCP_BETA_SCALE));
    else this.lastMaxCwnd = t.cwnd;
    return Math.max(Math.floor((t.cwnd * BETA) / BICTCP_BETA_SCALE), 2);
  }

  undoCwnd(t: Tcb): number {
    return Math.max(t.cwnd, t.priorCwnd);
  }

  setState(t: Tcb, state: number): void {
    if (state === CA_LOSS) {
      this.reset();
      this.hystartReset(t);
    }
  }

  pktsAcked(t: Tcb, _acked: number, rttUs: number): void {
    if (rttUs < 0) return;
    // Discard delay samples right after fast recovery.
    if (this.epochStart && jiffies(t) - this.epochStart < HZ) return;
    const delay = rttUs === 0 ? 1 : rttUs;
    if (this.delayMin === 0 || this.delayMin > delay) this.delayMin = delay;
    if (!this.found && inSlowStart(t)) this.hystartUpdate(t, delay);
  }

  private hystartUpdate(t: Tcb, delay: number): void {
    if (seqGt(t.sndUna, this.endSeq)) this.hystartReset(t);
    if (t.cwnd < HYSTART_LOW_WINDOW) return;
    // Ack-train detection: ACKs of one round spread over more than half the minimum delay (no pacing).
    const now = clockUs(t);
    if (now - this.lastAck <= HYSTART_ACK_DELTA_US) {
      this.lastAck = now;
      const threshold = (this.delayMin + this.ackDelayUs(t)) >> 1;
      if (now - this.roundStart > threshold) {
        this.found = true;
        t.ssthresh = t.cwnd;
      }
    }
    // Delay detection: the round's minimum RTT rose by delay_min/8 (clamped to 4..16 ms).
    if (this.currRtt > delay) this.currRtt = delay;
    if (this.sampleCnt < HYSTART_MIN_SAMPLES) {
      this.sampleCnt++;
    } else {
      const thresh = Math.min(Math.max(this.delayMin >> 3, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX);
      if (this.currRtt > this.delayMin + thresh) {
        this.found = true;
        t.ssthresh = t.cwnd;
      }
    }
  }

  /**
   * hystart_ack_delay(): the TSO/GRO cushion, min(1 ms, 4 × 64 KB at the pacing rate). Linux's internal pacing
   * rate in slow start is 2 × cwnd × mss / srtt (tcp_update_pacing_rate, pacing_ss_ratio 200 %).
   */
  private ackDelayUs(t: Tcb): number {
    if (t.srttUs === 0) return 0;
    const rateBps = (2 * t.cwnd * t.mssCache * 1e6) / (t.srttUs >> 3 || 1);
    if (rateBps <= 0) return 0;
    return Math.min(1000, Math.floor((65536 * 4 * 1e6) / rateBps));
  }
}
