/**
 * Keyed hashes of connection endpoints: initial sequence numbers (RFC 6528 §3: ISN = M + F(4-tuple, secret), M a
 * clock ticking every 64 ns as Linux's secure_tcp_seq uses ktime >> 6), timestamp offsets (Linux's
 * secure_tcp_ts_off: one random offset per address pair), the ephemeral-port search offset, and SYN-cookie hashes.
 * Linux uses SipHash; any good keyed 32-bit mix gives the same properties here (unpredictable without the secret,
 * stable for a given secret), and the secrets come from the host's seeded random stream.
 */
import type { RandomStream } from '../../sim/random.js';

/** An IPv4 address (a uint32) or an IPv6 address (16 bytes). */
export type IpAddr = number | Uint8Array;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** One murmur3 round: folds the 32-bit word k into h. */
function round(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finaliser: every input bit affects every output bit. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds an address into h, one 32-bit word at a time. */
function addAddr(h: number, a: IpAddr): number {
  if (typeof a === 'number') return round(h, a | 0);
  for (let i = 0; i < 16; i += 4) h = round(h, (a[i]! << 24) | (a[i + 1]! << 16) | (a[i + 2]! << 8) | a[i + 3]!);
  return h;
}

/** A keyed hash of (local addr, remote addr, ports word, extra) under a 4-word secret. */
export function endpointHash(secret: Uint32Array, laddr: IpAddr, raddr: IpAddr, ports: number, extra = 0): number {
  let h = secret[0]! | 0;
  h = round(h, secret[1]! | 0);
  h = addAddr(h, laddr);
  h = addAddr(h, raddr);
  h = round(h, ports | 0);
  h = round(h, extra | 0);
  h = round(h, secret[2]! | 0);
  h = round(h, secret[3]! | 0);
  return finish(h);
}

/** Draws a fresh 128-bit secret (net_secret / ts_secret / syncookie_secret are generated once per boot). */
export function drawSecret(s: RandomStream): Uint32Array {
  return Uint32Array.of(s.uint32(), s.uint32(), s.uint32(), s.uint32());
}

/** RFC 6528 ISN: F(4-tuple, secret) plus a 64 ns clock (Linux's seq_scale: ktime_get_real_ns() >> 6). */
export function secureIsn(secret: Uint32Array, laddr: IpAddr, lport: number, raddr: IpAddr, rport: number,
  nowNs: number): number {
  const h = endpointHash(secret, laddr, raddr, (lport << 16) | rport);
  return (h + Math.floor(nowNs / 64)) >>> 0;
}

/** The per address-pair TCP timestamp offset (secure_tcp_ts_off). */
export function secureTsOffset(secret: Uint32Array, laddr: IpAddr, raddr: IpAddr): number {
  return endpointHash(secret, laddr, raddr, 0, 0x7473);
}

/** Starting offset of the connect() ephemeral-port search (secure_ipv4_port_ephemeral). */
export function securePortOffset(secret: Uint32Array, laddr: IpAddr, raddr: IpAddr, rport: number): number {
  return endpointHash(secret, laddr, raddr, rport, 0x706f);
}
