/**
 * Address values and their text forms. On the hot path addresses stay cheap: a MAC is a 48-bit number, an IPv4
 * address a uint32 number (always `>>> 0`), an IPv6 address a 16-byte Uint8Array. Text parsing follows glibc's
 * inet_pton(3) (strict dotted quad, no leading zeros; RFC 4291 §2.2 forms for IPv6) and text output follows
 * RFC 5952 §4 (canonical IPv6 text), as Linux's `%pI6c` does.
 */

import { readU32 } from './bytes.js';

/** `::`, the unspecified address (RFC 4291 §2.5.2). Shared: never mutate it. */
export const IPV6_UNSPECIFIED: Uint8Array = new Uint8Array(16);

/** `::1`, the loopback address (RFC 4291 §2.5.3). Shared: never mutate it. */
export const IPV6_LOOPBACK: Uint8Array = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

/** Dotted-quad text of a uint32 IPv4 address, e.g. `192.0.2.1`. */
export function ipv4ToString(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Parses exactly four decimal octets `a.b.c.d` of 0–255 from `s[start, end)`, or returns -1. Like glibc's
 * inet_pton(AF_INET), a leading zero ("01") is rejected: inet_aton would read it as octal, so it is ambiguous.
 */
function parseDottedQuad(s: string, start: number, end: number): number {
  let value = 0;
  let parts = 0;
  let i = start;
  while (parts < 4) {
    const first = i;
    let octet = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && s.charCodeAt(first) === 48)) return -1;
    value = value * 256 + octet;
    parts++;
    if (parts < 4) {
      if (i >= end || s.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}

/** Parses a strict dotted-quad IPv4 address (as inet_pton(AF_INET)), or returns null. */
export function ipv4FromString(s: string): number | null {
  const v = parseDottedQuad(s, 0, s.length);
  return v < 0 ? null : v;
}

/** Whether `n` is an IPv4 multicast (class D, 224.0.0.0/4) address (RFC 1112 §4). */
export function isIpv4Multicast(n: number): boolean {
  return n >>> 28 === 0xe;
}

/** Whether `a` is an IPv6 multicast address, ff00::/8 (RFC 4291 §2.7). */
export function isIpv6Multicast(a: Uint8Array): boolean {
  return a[0] === 0xff;
}

/** Byte-wise equality of two IPv6 addresses. */
export function ipv6Equal(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The IPv4-mapped IPv6 address `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2). */
export function ipv4Mapped(n: number): Uint8Array {
  const a = new Uint8Array(16);
  a[10] = 0xff;
  a[11] = 0xff;
  a[12] = n >>> 24;
  a[13] = n >>> 16;
  a[14] = n >>> 8;
  a[15] = n;
  return a;
}

/** Whether `a` is IPv4-mapped, `::ffff:0:0/96` (RFC 4291 §2.5.5.2). */
export function isIpv4Mapped(a: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address, or null when `a` is not IPv4-mapped. */
export function ipv4FromMapped(a: Uint8Array): number | null {
  return isIpv4Mapped(a) ? readU32(a, 12) : null;
}

/** The solicited-node multicast address `ff02::1:ffXX:XXXX` of `a` (RFC 4291 §2.7.1). */
export function ipv6SolicitedNode(a: Uint8Array): Uint8Array {
  const m = new Uint8Array(16);
  m[0] = 0xff;
  m[1] = 0x02;
  m[11] = 0x01;
  m[12] = 0xff;
  m[13] = a[13];
  m[14] = a[14];
  m[15] = a[15];
  return m;
}

/** The Ethernet group address of an IPv4 multicast group: 01:00:5e plus the low 23 bits (RFC 1112 §6.4). */
export function ipv4MulticastMac(n: number): number {
  return 0x01005e000000 + (n & 0x7fffff);
}

/** The Ethernet group address of an IPv6 multicast group: 33:33 plus the low 32 bits (RFC 2464 §7). */
export function ipv6MulticastMac(a: Uint8Array): number {
  return 0x333300000000 + readU32(a, 12);
}

/** Colon-separated lowercase text of a 48-bit MAC, e.g. `02:00:00:00:00:01` (as ether_ntoa_r pads it). */
export function macToString(n: number): string {
  let s = '';
  for (let shift = 40; shift >= 0; shift -= 8) {
    const byte = Math.floor(n / 2 ** shift) % 256;
    s += (byte < 16 ? '0' : '') + byte.toString(16) + (shift > 0 ? ':' : '');
  }
  return s;
}

/** Value of hex digit code `c`, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses `aa:bb:cc:dd:ee:ff` (1–2 hex digits a byte, either case, as ether_aton(3) accepts), or returns null. */
export function macFromString(s: string): number | null {
  let value = 0;
  let i = 0;
  for (let part = 0; part < 6; part++) {
    if (part > 0) {
      if (s.charCodeAt(i) !== 58) return null;
      i++;
    }
    const h = hexDigit(s.charCodeAt(i));
    if (h < 0) return null;
    i++;
    let byte = h;
    const l = hexDigit(s.charCodeAt(i));
    if (l >= 0) {
      byte = h * 16 + l;
      i++;
    }
    value = value * 256 + byte;
  }
  return i === s.length ? value : null;
}

/**
 * RFC 5952 canonical text: lowercase, no leading zeros, the longest run (first on a tie) of two or more zero
 * groups shortened to `::`, and IPv4-mapped addresses in mixed notation `::ffff:a.b.c.d` (§5). glibc's inet_ntop
 * also uses mixed notation for deprecated IPv4-compatible `::a.b.c.d`; RFC 5952 §5 and Linux's `%pI6c` do not.
 */
export function ipv6ToString(a: Uint8Array): string {
  if (isIpv4Mapped(a)) return '::ffff:' + ipv4ToString(readU32(a, 12));
  let bestStart = -1;
  let bestLen = 1; // A single zero group is never shortened (RFC 5952 §4.2.2).
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && a[2 * g] === 0 && a[2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      if (g - runStart > bestLen) {
        bestStart = runStart;
        bestLen = g - runStart;
      }
      runStart = -1;
    }
  }
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      s += '::';
      g += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += ((a[2 * g] << 8) | a[2 * g + 1]).toString(16);
  }
  return s;
}

/**
 * Parses the RFC 4291 §2.2 text forms: eight groups of 1–4 hex digits, one `::` standing for one or more zero
 * groups, and a trailing dotted quad for the last 32 bits. Returns null otherwise (zone ids such as `%eth0` are
 * not part of an address, as inet_pton(AF_INET6) also rejects them).
 */
export function ipv6FromString(s: string): Uint8Array | null {
  const words = new Array<number>(8);
  let count = 0;
  let gap = -1; // Index in `words` where `::` stands.
  let i = 0;
  const n = s.length;
  if (n >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    gap = 0;
    i = 2;
    if (i === n) return new Uint8Array(16);
  } else if (n > 0 && s.charCodeAt(0) === 58) {
    return null;
  }
  for (;;) {
    const start = i;
    let value = 0;
    while (i < n && i - start < 5) {
      const h = hexDigit(s.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      i++;
    }
    if (i < n && s.charCodeAt(i) === 46) {
      // Embedded IPv4 (RFC 4291 §2.2 form 3) must be the last 32 bits.
      if (count > 6) return null;
      const v4 = parseDottedQuad(s, start, n);
      if (v4 < 0) return null;
      words[count++] = v4 >>> 16;
      words[count++] = v4 & 0xffff;
      break;
    }
    const digits = i - start;
    if (digits === 0 || digits > 4 || count === 8) return null;
    words[count++] = value;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return null;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (gap >= 0) return null;
      gap = count;
      i++;
      if (i === n) break;
    } else if (i === n) {
      return null; // A trailing single colon.
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return null;
  const out = new Uint8Array(16);
  const tail = gap < 0 ? 0 : count - gap;
  const head = count - tail;
  for (let w = 0; w < head; w++) {
    out[2 * w] = words[w] >>> 8;
    out[2 * w + 1] = words[w] & 0xff;
  }
  for (let w = 0; w < tail; w++) {
    const dst = 8 - tail + w;
    out[2 * dst] = words[head + w] >>> 8;
    out[2 * dst + 1] = words[head + w] & 0xff;
  }
  return out;
}
