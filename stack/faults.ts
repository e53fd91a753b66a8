/**
 * Link faults as rules: a rule sees a frame and returns a verdict — pass, drop, delay (optionally allowed to
 * reorder), or duplicate. Rules run in install order; a drop ends the walk. Each rule draws from its own named
 * random stream, and every decision other than "pass" is recorded.
 */
import type { Sim } from '../sim/sim.js';
import type { RandomStream } from '../sim/random.js';
import type { FrameInFlight } from './link.js';

/** A rule's decision about one frame. */
export type Verdict =
  | { kind: 'pass' }
  | { kind: 'drop'; reason: string }
  | { kind: 'delay'; ns: number; reorder?: boolean }
  | { kind: 'duplicate'; ns: number };

/** A fault rule. */
export interface FaultRule {
  readonly name: string;
  apply(f: FrameInFlight): Verdict;
}

/** Gilbert–Elliott bursty loss: a two-state Markov chain (good/bad), each state with its own loss rate. */
export interface BurstLoss {
  /** P(good → bad) per frame. */
  pGoodToBad: number;
  /** P(bad → good) per frame. */
  pBadToGood: number;
  /** Loss probability in the good state (often 0). */
  lossGood: number;
  /** Loss probability in the bad state (often 1). */
  lossBad: number;
}

/** Everything a link can be told to do. Times in ns, rates in bits per second, probabilities in [0, 1]. */
export interface LinkParams {
  latencyNs: number;
  /** Extra delay drawn uniformly from [0, jitterNs] per frame; never reorders frames by itself. */
  jitterNs: number;
  /** Independent loss probability. */
  loss: number;
  burst: BurstLoss | null;
  duplicate: number;
  /** Probability a frame is held back by `reorderDelayNs` and so overtaken by later ones. */
  reorder: number;
  reorderDelayNs: number;
  /** Probability a frame gets one random bit flipped (checksums then catch it at the receiver). */
  corrupt: number;
  /**
   * Whether receiving NICs check the Ethernet FCS and drop corrupted frames themselves ('bad-fcs', as rx_crc_errors).
   * Off by default: corruption then reaches IP, UDP, TCP and ICMP, whose checksums must catch it (a NIC with rx-fcs
   * and rx-all on behaves so); ARP has no checksum, so a corrupted ARP packet is believed, as it would be.
   */
  fcs: boolean;
  /** 0 = unlimited. */
  rateBps: number;
  /** Drop-tail queue length in frames when rate-limited. */
  queueLimit: number;
  /** Per-frame bytes counted by the rate but not carried (preamble, FCS, gap); 0 by default. */
  overheadBytes: number;
  /** The MTU given to interfaces attached to this link (IP bytes, excluding the Ethernet header). */
  mtu: number;
}

const PASS: Verdict = { kind: 'pass' };

function stream(sim: Sim, link: string, fault: string): RandomStream {
  return sim.random.stream(`link:${link}:${fault}`);
}

/** The rules a set of parameters implies, in a fixed order: loss, burst loss, corruption, duplication, reordering, jitter. */
export function faultRules(sim: Sim, link: string, p: LinkParams): FaultRule[] {
  const rules: FaultRule[] = [];
  if (p.loss > 0) {
    const s = stream(sim, link, 'loss');
    rules.push({ name: 'loss', apply: () => (s.chance(p.loss) ? { kind: 'drop', reason: 'loss' } : PASS) });
  }
  if (p.burst) {
    const s = stream(sim, link, 'burst');
    const b = p.burst;
    let bad = false;
    rules.push({
      name: 'burst-loss',
      apply: () => {
        bad = bad ? !s.chance(b.pBadToGood) : s.chance(b.pGoodToBad);
        return s.chance(bad ? b.lossBad : b.lossGood) ? { kind: 'drop', reason: 'burst-loss' } : PASS;
      },
    });
  }
  if (p.corrupt > 0) {
    const s = stream(sim, link, 'corrupt');
    rules.push({
      name: 'corrupt',
      apply: (f) => {
        if (!s.chance(p.corrupt) || f.bytes.length === 0) return PASS;
        const bit = s.int(0, f.bytes.length * 8 - 1);
        f.bytes = f.bytes.slice();
        f.bytes[bit >> 3]! ^= 1 << (bit & 7);
        f.corrupt = true;
        sim.decide(s.name, 'flip-bit', [f.id, bit]);
        return PASS;
      },
    });
  }
  if (p.duplicate > 0) {
    const s = stream(sim, link, 'duplicate');
    rules.push({
      name: 'duplicate',
      apply: (f) => {
        if (!s.chance(p.duplicate)) return PASS;
        sim.decide(s.name, 'duplicate', f.id);
        return { kind: 'duplicate', ns: 0 };
      },
    });
  }
  if (p.reorder > 0) {
    const s = stream(sim, link, 'reorder');
    rules.push({
      name: 'reorder',
      apply: (f) => {
        if (!s.chance(p.reorder)) return PASS;
        sim.decide(s.name, 'hold-back', f.id);
        return { kind: 'delay', ns: p.reorderDelayNs, reorder: true };
      },
    });
  }
  if (p.jitterNs > 0) {
    const s = stream(sim, link, 'jitter');
    rules.push({
      name: 'jitter',
      apply: (f) => {
        const ns = s.int(0, p.jitterNs);
        sim.decide(s.name, 'delay', [f.id, ns]);
        return { kind: 'delay', ns };
      },
    });
  }
  return rules;
}

/** A rule that drops the frames `match` selects (a filter installed with `Link.addRule`). */
export function dropIf(name: string, match: (f: FrameInFlight) => boolean, reason = 'rule'): FaultRule {
  return { name, apply: (f) => (match(f) ? { kind: 'drop', reason } : PASS) };
}

/** A rule that delays the frames `match` selects by `ns`; with `reorder`, later frames may overtake them. */
export function delayIf(name: string, match: (f: FrameInFlight) => boolean, ns: number, reorder = false): FaultRule {
  return { name, apply: (f) => (match(f) ? { kind: 'delay', ns, reorder } : PASS) };
}
