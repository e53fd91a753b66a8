/**
 * Address text conversions and byte-order helpers, as glibc 2.36 implements them (inet(3), inet_pton(3),
 * inet_ntop(3), byteorder(3)). Pure and network-free; getaddrinfo/getnameinfo build on these.
 *
 * Host model: socksim models an x86-64 (little-endian) host. An `in_addr_t` / `s_addr` is therefore the JS number
 * an x86-64 program would see when it reads the network-order bytes of `struct in_addr` as a uint32: "1.2.3.4" is
 * 0x04030201, and `ntohl(inet_addr("1.2.3.4")) === 0x01020304`. htons/htonl swap bytes, exactly as on that host.
 *
 * Checked against glibc on the real machine by test/unit/resolve (goldens from test/unit/resolve/glibc/golden.c).
 */
import { AF_INET, AF_INET6, INADDR_NONE } from '../constants.js';
import { Errno } from '../errno.js';
import { cString, requireInteger } from './cstring.js';

/** inet_pton(3) outcome: 1 with the address bytes, 0 for text that is not an address, -1 with errno. */
export type PtonResult = { ret: 1; addr: Uint8Array } | { ret: 0 } | { ret: -1; errno: number };

/** inet_ntop(3) outcome: the text, or the errno glibc sets when it returns NULL. */
export type NtopResult = { ok: string } | { errno: number };

// ------------------------------------------------------------------------------------------ byte order

/** htons(3): host to network order of a uint16 on the x86-64 model; the argument is reduced mod 2^16 as C does. */
export function htons(x: number): number {
  requireInteger(x, 'htons');
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

/** ntohs(3): the same byte swap as htons on a little-endian host. */
export function ntohs(x: number): number {
  requireInteger(x, 'ntohs');
  return htons(x);
}

/** htonl(3): host to network order of a uint32 on the x86-64 model; the argument is reduced mod 2^32 as C does. */
export function htonl(x: number): number {
  requireInteger(x, 'htonl');
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | ((x >>> 24) & 0xff)) >>> 0;
}

/** ntohl(3): the same byte swap as htonl on a little-endian host. */
export function ntohl(x: number): number {
  requireInteger(x, 'ntohl');
  return htonl(x);
}

// --------------------------------------------------------------------------------- inet_aton family

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** isspace(3) in the C locale (glibc's inet_aton also requires isascii). */
const isCSpace = (c: string): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return 99; // above every base, so it ends the number
}

/**
 * strtoul(s + i, &end, 0) for a run that starts with a decimal digit: "0x"/"0X" + hex digit is hex, another
 * leading 0 is octal, else decimal. Returns null where glibc's inet_aton_end gives up at once: the value passes
 * 0xffffffff (which also covers strtoul's ERANGE).
 */
function strtoul0(s: string, i: number): { value: number; end: number } | null {
  let base = 10;
  if (s[i] === '0') {
    base = 8;
    if ((s[i + 1] === 'x' || s[i + 1] === 'X') && i + 2 < s.length && digitValue(s[i + 2]!) < 16) {
      base = 16;
      i += 2;
    }
  }
  let value = 0;
  for (; i < s.length; i++) {
    const d = digitValue(s[i]!);
    if (d >= base) break;
    value = value * base + d;
    if (value > 0xffffffff) return null;
  }
  return { value, end: i };
}

/** Largest last part for a, a.b, a.b.c and a.b.c.d (inet(3): "c is a 16-bit value", "b is a 24-bit value"). */
const LAST_PART_MAX = [0xffffffff, 0xffffff, 0xffff, 0xff] as const;

/**
 * glibc's inet_aton_end (resolv/inet_addr.c): parses the numbers-and-dots notation and returns the s_addr with the
 * index where parsing stopped, or null. The first character of every part must be a digit; the text may end with
 * any C isspace character, after which anything goes.
 */
function atonEnd(text: string): { s_addr: number; end: number } | null {
  const s = cString(text);
  const parts: number[] = [];
  let i = 0;
  let value: number;
  for (;;) {
    if (i >= s.length || !isDigit(s[i]!)) return null;
    const n = strtoul0(s, i);
    if (n === null) return null;
    value = n.value;
    i = n.end;
    if (s[i] !== '.') break;
    if (parts.length > 2 || value > 0xff) return null;
    parts.push(value);
    i++;
  }
  if (i < s.length && !isCSpace(s[i]!)) return null;
  if (value > LAST_PART_MAX[parts.length]!) return null;
  let host = value;
  parts.forEach((p, k) => {
    host = (host | (p << (24 - 8 * k))) >>> 0;
  });
  return { s_addr: htonl(host), end: i };
}

/**
 * inet_aton(3): the s_addr for `a`, `a.b`, `a.b.c` or `a.b.c.d` (each part decimal, 0-octal or 0x-hex), or null
 * where C returns 0. Like glibc, trailing whitespace and anything after it are accepted ("1.2.3.4 junk").
 */
export function inet_aton(s: string): number | null {
  return atonEnd(s)?.s_addr ?? null;
}

/**
 * glibc's internal __inet_aton_exact: inet_aton without the trailing-whitespace allowance. getaddrinfo uses it
 * for numeric IPv4 hosts (glibc >= 2.32, bug 20018), so "1.2.3.4 junk" is not a numeric host there.
 */
export function inet_aton_exact(s: string): number | null {
  const r = atonEnd(s);
  return r !== null && r.end === cString(s).length ? r.s_addr : null;
}

/** inet_addr(3): the s_addr, or INADDR_NONE (0xffffffff) on error, which "255.255.255.255" also gives. */
export function inet_addr(s: string): number {
  return atonEnd(s)?.s_addr ?? INADDR_NONE;
}

/** inet_ntoa(3): dotted-quad text of an s_addr (network-order bytes, read as on x86-64). */
export function inet_ntoa(s_addr: number): string {
  requireInteger(s_addr, 'inet_ntoa');
  const n = s_addr >>> 0;
  return `${n & 0xff}.${(n >>> 8) & 0xff}.${(n >>> 16) & 0xff}.${n >>> 24}`;
}

// ------------------------------------------------------------------------------------------- inet_pton

/**
 * glibc inet_pton4 on s[start, end): exactly four decimal parts 0..255 and no leading zeros ("01" is rejected,
 * unlike inet_aton), nothing else. Writes the 4 bytes at dst[at] and returns true on success.
 */
function pton4(s: string, start: number, end: number, dst: Uint8Array, at: number): boolean {
  const tmp = [0, 0, 0, 0];
  let tp = 0;
  let octets = 0;
  let sawDigit = false;
  for (let i = start; i < end; i++) {
    const c = s[i]!;
    if (isDigit(c)) {
      if (sawDigit && tmp[tp] === 0) return false;
      const next = tmp[tp]! * 10 + (c.charCodeAt(0) - 0x30);
      if (next > 255) return false;
      tmp[tp] = next;
      if (!sawDigit) {
        if (++octets > 4) return false;
        sawDigit = true;
      }
    } else if (c === '.' && sawDigit) {
      if (octets === 4) return false;
      tp++;
      sawDigit = false;
    } else {
      return false;
    }
  }
  if (octets < 4) return false;
  dst.set(tmp, at);
  return true;
}

/**
 * glibc inet_pton6 (resolv/inet_pton.c, the 2017 rewrite): up to 8 groups of 1-4 hex digits, at most one "::"
 * that stands for at least one zero group, and an optional dotted IPv4 tail (RFC 4291 section 2.2).
 * No scope id ("%eth0"), no brackets, no whitespace.
 */
function pton6(s: string): Uint8Array | null {
  const dst = new Uint8Array(16);
  let tp = 0;
  let colonp = -1;
  let i = 0;
  if (s.length === 0) return null;
  if (s[0] === ':') {
    // A leading colon must be the start of "::".
    i++;
    if (i === s.length || s[i] !== ':') return null;
  }
  let curtok = i;
  let digits = 0;
  let val = 0;
  while (i < s.length) {
    const c = s[i++]!;
    const d = digitValue(c);
    if (d < 16) {
      if (digits === 4) return null;
      val = (val << 4) | d;
      digits++;
      continue;
    }
    if (c === ':') {
      curtok = i;
      if (digits === 0) {
        if (colonp >= 0) return null;
        colonp = tp;
        continue;
      }
      if (i === s.length) return null; // a trailing single colon
      if (tp + 2 > 16) return null;
      dst[tp++] = val >> 8;
      dst[tp++] = val & 0xff;
      digits = 0;
      val = 0;
      continue;
    }
    if (c === '.' && tp + 4 <= 16 && pton4(s, curtok, s.length, dst, tp)) {
      tp += 4;
      digits = 0;
      break;
    }
    return null;
  }
  if (digits > 0) {
    if (tp + 2 > 16) return null;
    dst[tp++] = val >> 8;
    dst[tp++] = val & 0xff;
  }
  if (colonp >= 0) {
    if (tp === 16) return null; // "::" would expand to a zero-width field
    const n = tp - colonp;
    dst.copyWithin(16 - n, colonp, tp);
    dst.fill(0, colonp, 16 - n);
    tp = 16;
  }
  return tp === 16 ? dst : null;
}

/**
 * inet_pton(3): AF_INET takes only a.b.c.d (no octal, hex or short forms), AF_INET6 the RFC 4291 text forms.
 * Any other family gives -1 with EAFNOSUPPORT, before the text is looked at.
 */
export function inet_pton(af: number, src: string): PtonResult {
  const s = cString(src);
  if (af === AF_INET) {
    const addr = new Uint8Array(4);
    return pton4(s, 0, s.length, addr, 0) ? { ret: 1, addr } : { ret: 0 };
  }
  if (af === AF_INET6) {
    const addr = pton6(s);
    return addr !== null ? { ret: 1, addr } : { ret: 0 };
  }
  return { ret: -1, errno: Errno.EAFNOSUPPORT };
}

// ------------------------------------------------------------------------------------------- inet_ntop

const dotted = (b: Uint8Array, at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

/**
 * glibc inet_ntop6 (the BIND code, not RFC 5952): the first longest run of two or more zero words becomes "::";
 * words print as lowercase hex without leading zeros; a run of exactly six zero words at the start (IPv4-
 * compatible, so not "::" nor "::1"), or five followed by ffff (IPv4-mapped), puts the last 32 bits in dotted form.
 */
function ntop6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let best = { base: -1, len: 0 };
  let cur = { base: -1, len: 0 };
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && words[i] === 0) {
      cur = cur.base < 0 ? { base: i, len: 1 } : { base: cur.base, len: cur.len + 1 };
    } else if (cur.base >= 0) {
      if (best.base < 0 || cur.len > best.len) best = cur;
      cur = { base: -1, len: 0 };
    }
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (best.base >= 0 && i >= best.base && i < best.base + best.len) {
      if (i === best.base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
      out += dotted(b, 12);
      break;
    }
    out += words[i]!.toString(16);
  }
  if (best.base >= 0 && best.base + best.len === 8) out += ':';
  return out;
}

/**
 * inet_ntop(3): text for 4 (AF_INET) or 16 (AF_INET6) bytes, or ENOSPC when `size` (a socklen_t, so reduced
 * mod 2^32) cannot hold the text and its NUL; INET_ADDRSTRLEN (16) and INET6_ADDRSTRLEN (46) always suffice.
 * Any other family gives EAFNOSUPPORT, checked first.
 */
export function inet_ntop(af: number, src: Uint8Array, size: number): NtopResult {
  requireInteger(size, 'inet_ntop size');
  let text: string;
  if (af === AF_INET) text = dotted(requireBytes(src, 4), 0);
  else if (af === AF_INET6) text = ntop6(requireBytes(src, 16));
  else return { errno: Errno.EAFNOSUPPORT };
  if (text.length + 1 > size >>> 0) return { errno: Errno.ENOSPC };
  return { ok: text };
}

/** C would read past a short buffer; in socksim that is a caller bug. */
function requireBytes(src: Uint8Array, n: number): Uint8Array {
  if (src.length < n) throw new RangeError(`inet_ntop: need ${n} address bytes, got ${src.length}`);
  return src;
}
