/**
 * ICMP error rate limiting as Linux does it (net/ipv4/icmp.c, net/ipv6/icmp.c, net/ipv4/inetpeer.c), shared by
 * ICMPv4 and ICMPv6 of one host:
 *   - a host-wide token bucket, icmp_msgs_per_sec (1000) refilled at most once every 20 ms up to icmp_msgs_burst
 *     (50) credits; each message sent takes 0, 1 or 2 credits at random (icmp_global_consume), so the limit is
 *     not guessable;
 *   - a per-destination bucket (inet_peer_xrlim_allow): one message per `timeout` (icmp_ratelimit, 1000 ms) with a
 *     burst of 6, a new peer starting full.
 * Times are kept in jiffies of 1 ms (HZ=1000).
 */
import type { Host } from './host.js';

/** XRLIM_BURST_FACTOR: a peer may save up six timeouts' worth of messages. */
const XRLIM_BURST_FACTOR = 6;

/** The shared limiter of one host. */
export class IcmpRateLimiter {
  /** net.ipv4.icmp_msgs_per_sec. */
  msgsPerSec = 1000;
  /** net.ipv4.icmp_msgs_burst. */
  msgsBurst = 50;
  private credit = 0;
  private stamp = -1e9;
  private readonly peers = new Map<string, { tokens: number; last: number }>();

  constructor(readonly host: Host) {}

  private jiffies(): number {
    return Math.floor(this.host.sim.now / 1e6);
  }

  /** icmp_global_allow: whether the host-wide bucket lets one more message through. */
  globalAllow(): boolean {
    if (this.credit > 0) return true;
    const now = this.jiffies();
    const delta = Math.min(now - this.stamp, 1000);
    if (delta < 1000 / 50) return false;
    const incr = Math.floor((this.msgsPerSec * delta) / 1000);
    if (incr === 0) return false;
    this.stamp = now;
    this.credit = Math.min(this.credit + incr, this.msgsBurst);
    return true;
  }

  /** icmp_global_consume: a random 0–2 credits per message sent. */
  globalConsume(): void {
    const s = this.host.sim.random.stream(`host:${this.host.name}:icmp-credit`);
    const n = s.int(0, 2);
    this.host.sim.decide(s.name, 'icmp-credits', n);
    this.credit -= n;
  }

  /** inet_peer_xrlim_allow for the peer `key` with a timeout of `timeoutMs`. */
  peerAllow(key: string, timeoutMs: number): boolean {
    const now = this.jiffies();
    let p = this.peers.get(key);
    // inet_getpeer: rate_last = jiffies - 60*HZ, so a new peer starts with a full bucket.
    if (!p) this.peers.set(key, (p = { tokens: 0, last: now - 60_000 }));
    let token = p.tokens + (now - p.last);
    p.last = now;
    if (token > XRLIM_BURST_FACTOR * timeoutMs) token = XRLIM_BURST_FACTOR * timeoutMs;
    let ok = false;
    if (token >= timeoutMs) {
      token -= timeoutMs;
      ok = true;
    }
    p.tokens = token;
    return ok;
  }

  /** Forgets all state (the host rebooted). */
  reset(): void {
    this.credit = 0;
    this.stamp = -1e9;
    this.peers.clear();
  }
}
