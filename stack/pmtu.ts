/**
 * Path MTU state of one host and one IP version: what ICMP "fragmentation needed" (RFC 1191) and "packet too big"
 * (RFC 8201) taught us per destination, kept for net.ipv4.route.mtu_expires / net.ipv6.route.mtu_expires (600 s),
 * and the per-host IP identification generator.
 */
import type { Host } from './host.js';

/** Learned path MTUs, keyed by destination address text. */
export class PmtuCache {
  private readonly entries = new Map<string, { mtu: number; expires: number }>();
  /** How long a learned MTU lasts (mtu_expires, 600 s). */
  expiresNs = 600e9;

  constructor(readonly host: Host, readonly min: number) {}

  /** Whether nothing was learned (the common case: callers then skip building the key). */
  get empty(): boolean {
    return this.entries.size === 0;
  }

  /** The learned MTU towards key, or undefined (none, or expired). */
  get(key: string): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.host.sim.now >= e.expires) {
      this.entries.delete(key);
      return undefined;
    }
    return e.mtu;
  }

  /**
   * Learns a smaller MTU; a value under the floor (ip_rt_min_pmtu 552 for IPv4, IPV6_MIN_MTU 1280 for IPv6) is
   * raised to it, and news that would raise the MTU is ignored (RFC 1191 §6.3). Returns the MTU now in force when
   * it changed, else undefined.
   */
  update(key: string, mtu: number, linkMtu: number): number | undefined {
    const clamped = Math.max(mtu, this.min);
    const cur = this.get(key) ?? linkMtu;
    if (clamped >= cur) return undefined;
    this.entries.set(key, { mtu: clamped, expires: this.host.sim.now + this.expiresNs });
    return clamped;
  }

  /** Forgets everything (the host crashed). */
  reset(): void {
    this.entries.clear();
  }
}

/**
 * IP identification values as Linux's ip_idents_reserve() hands them out: a counter per (source, destination,
 * protocol) bucket starting at a random value, advanced by the number of packets plus a random amount below the
 * jiffies (ms) elapsed since the bucket was last used, so that an observer cannot count a host's traffic.
 */
export class IpIdent {
  private readonly buckets = new Map<string, { id: number; stamp: number }>();

  constructor(readonly host: Host, readonly bits: 16 | 32) {}

  /** Reserves `segs` consecutive ids in the bucket `key` and returns the first. */
  next(key: string, segs = 1): number {
    const s = this.host.sim.random.stream(`host:${this.host.name}:ip-id`);
    const now = Math.floor(this.host.sim.now / 1e6);
    let b = this.buckets.get(key);
    if (!b) {
      b = { id: s.uint32(), stamp: now };
      this.buckets.set(key, b);
    }
    let delta = 0;
    if (b.stamp !== now) {
      delta = s.int(0, now - b.stamp - 1);
      b.stamp = now;
    }
    const mod = this.bits === 16 ? 0x10000 : 0x100000000;
    const first = (b.id + delta) % mod;
    b.id = (first + segs) % mod;
    return first;
  }

  /** Forgets every bucket (the host rebooted). */
  reset(): void {
    this.buckets.clear();
  }
}
