/**
 * stack/resolve/inet.ts against glibc 2.36 (goldens from glibc/golden.c run on the real machine): inet_aton(3),
 * inet_addr(3), getaddrinfo's exact variant, inet_pton(3), inet_ntop(3), inet_ntoa(3), byteorder(3).
 * Each golden case carries the glibc behaviour it pins in its note, which is the test's name.
 */
import { describe, expect, test } from 'vitest';
import { fc, test as propTest } from '@fast-check/vitest';
import { AF_INET, AF_INET6 } from '../../../stack/constants.js';
import {
  htonl, htons, inet_addr, inet_aton, inet_aton_exact, inet_ntoa, inet_ntop, inet_pton, ntohl, ntohs,
  type NtopResult, type PtonResult,
} from '../../../stack/resolve/inet.js';
import { type AtonCase, cases, constants, fuzz, hex, type NtopCase, type PtonCase, show, unhex } from './goldens.js';

/** What socksim gives for an inet_aton golden, in the golden's own shape. */
function atonView(c: AtonCase): Omit<AtonCase, 'note'> {
  const s_addr = inet_aton(c.in);
  return { in: c.in, ret: s_addr === null ? 0 : 1, s_addr, inet_addr: inet_addr(c.in), numeric_host: inet_aton_exact(c.in) };
}
const atonGolden = ({ note: _note, ...rest }: AtonCase): Omit<AtonCase, 'note'> => rest;

function ptonView(r: PtonResult): Pick<PtonCase, 'ret' | 'addr' | 'errno'> {
  if (r.ret === 1) return { ret: 1, addr: hex(r.addr) };
  return r.ret === 0 ? { ret: 0 } : { ret: -1, errno: r.errno };
}
const ptonGolden = ({ ret, addr, errno }: PtonCase): Pick<PtonCase, 'ret' | 'addr' | 'errno'> =>
  ({ ret, ...(addr !== undefined && { addr }), ...(errno !== undefined && { errno }) });

function ntopView(r: NtopResult): Pick<NtopCase, 'ok' | 'errno'> {
  return 'ok' in r ? { ok: r.ok } : { errno: r.errno };
}
const ntopGolden = ({ ok, errno }: NtopCase): Pick<NtopCase, 'ok' | 'errno'> =>
  (ok !== undefined ? { ok } : { errno: errno! });

describe('golden inventory', () => {
  test('the goldens hold enough cases to pin glibc (>= 80 hand-written conversions)', () => {
    const handWritten = cases.aton.length + cases.pton.length + cases.ntop.length + cases.ntoa.length + cases.byteorder.length;
    expect(handWritten).toBeGreaterThanOrEqual(80);
    expect(fuzz.aton.length + fuzz.pton.length + fuzz.ntop.length).toBeGreaterThanOrEqual(1000);
  });

  test('socksim constants are glibc x86-64 header values (AF_INET 2, AF_INET6 10, INADDR_NONE, errnos)', () => {
    expect(AF_INET).toBe(constants['AF_INET']);
    expect(AF_INET6).toBe(constants['AF_INET6']);
    expect(inet_addr('')).toBe(constants['INADDR_NONE']);
    expect(inet_pton(0, '')).toEqual({ ret: -1, errno: constants['EAFNOSUPPORT'] });
    expect(inet_ntop(AF_INET, new Uint8Array(4), 0)).toEqual({ errno: constants['ENOSPC'] });
  });
});

describe('inet_aton / inet_addr / __inet_aton_exact match glibc', () => {
  test.each(cases.aton.map((c) => [show(c.in), c.note, c] as const))('%s: %s', (_in, _note, c) => {
    expect(atonView(c)).toEqual(atonGolden(c));
  });

  test(`agree with glibc on ${fuzz.aton.length} generated inputs (octal/hex/short forms, junk, bounds)`, () => {
    const wrong = fuzz.aton.filter((c) => JSON.stringify(atonView(c)) !== JSON.stringify(atonGolden(c)));
    expect(wrong.map((c) => ({ golden: atonGolden(c), socksim: atonView(c) }))).toEqual([]);
  });

  test('255.255.255.255 is valid for inet_aton yet indistinguishable from INADDR_NONE in inet_addr (inet(3) BUGS)', () => {
    expect(inet_aton('255.255.255.255')).toBe(0xffffffff);
    expect(inet_addr('255.255.255.255')).toBe(inet_addr('not an address'));
  });
});

describe('inet_pton matches glibc', () => {
  test.each(cases.pton.map((c) => [c.af, show(c.in), c.note, c] as const))('af %i %s: %s', (af, _in, _note, c) => {
    expect(ptonView(inet_pton(af, c.in))).toEqual(ptonGolden(c));
  });

  test(`agrees with glibc on ${fuzz.pton.length} generated AF_INET and AF_INET6 inputs`, () => {
    const wrong = fuzz.pton.filter((c) => JSON.stringify(ptonView(inet_pton(c.af, c.in))) !== JSON.stringify(ptonGolden(c)));
    expect(wrong.map((c) => ({ af: c.af, in: c.in, golden: ptonGolden(c), socksim: ptonView(inet_pton(c.af, c.in)) }))).toEqual([]);
  });
});

describe('inet_ntop matches glibc', () => {
  test.each(cases.ntop.map((c) => [c.af, c.bytes, c.size, c.note, c] as const))('af %i %s size %i: %s', (af, bytes, size, _note, c) => {
    expect(ntopView(inet_ntop(af, unhex(bytes), size))).toEqual(ntopGolden(c));
  });

  test(`agrees with glibc on ${fuzz.ntop.length} generated addresses and sizes (zero-run choice, dotted tails, ENOSPC)`, () => {
    const wrong = fuzz.ntop.filter((c) => JSON.stringify(ntopView(inet_ntop(c.af, unhex(c.bytes), c.size))) !== JSON.stringify(ntopGolden(c)));
    expect(wrong.map((c) => ({ ...c, socksim: ntopView(inet_ntop(c.af, unhex(c.bytes), c.size)) }))).toEqual([]);
  });

  test('a buffer shorter than the address is a caller bug (C would read past it), so it throws', () => {
    expect(() => inet_ntop(AF_INET6, new Uint8Array(4), 46)).toThrow(RangeError);
    expect(() => inet_ntop(AF_INET, new Uint8Array(3), 16)).toThrow(RangeError);
    expect(() => inet_ntop(AF_INET, new Uint8Array(4), 1.5)).toThrow(RangeError);
  });

  test('only the first 4 / 16 bytes are read, as C reads a struct in_addr / in6_addr', () => {
    expect(inet_ntop(AF_INET, new Uint8Array([1, 2, 3, 4, 5, 6]), 16)).toEqual({ ok: '1.2.3.4' });
  });
});

describe('inet_ntoa and byte order match glibc on x86-64', () => {
  test.each(cases.ntoa.map((c) => [c.s_addr, c.out] as const))('inet_ntoa(%i) is %s (s_addr bytes in memory order)', (s_addr, out) => {
    expect(inet_ntoa(s_addr)).toBe(out);
  });

  test.each(cases.byteorder.map((c) => [c.in, c] as const))('htons/ntohs/htonl/ntohl(%i) as C converts the argument', (x, c) => {
    expect({ htons: htons(x), ntohs: ntohs(x), htonl: htonl(x), ntohl: ntohl(x) })
      .toEqual({ htons: c.htons, ntohs: c.ntohs, htonl: c.htonl, ntohl: c.ntohl });
  });

  test('non-integer arguments are caller bugs and throw', () => {
    expect(() => htons(1.5)).toThrow(RangeError);
    expect(() => htonl(Number.NaN)).toThrow(RangeError);
    expect(() => inet_ntoa(Infinity)).toThrow(RangeError);
  });
});

describe('properties (RFC 4291 section 2.2 text forms round-trip)', () => {
  const arbV6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
  // Zero-heavy words so that zero runs, "::" and the dotted tails occur often.
  const arbV6Runs = fc.array(fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff })),
    { minLength: 8, maxLength: 8 }).map((w) => new Uint8Array(w.flatMap((x) => [x >> 8, x & 0xff])));

  propTest.prop([fc.oneof(arbV6, arbV6Runs)], { numRuns: 2000 })('inet_pton(inet_ntop(a)) === a for AF_INET6', (a) => {
    const text = inet_ntop(AF_INET6, a, 46);
    expect('ok' in text).toBe(true);
    const back = inet_pton(AF_INET6, (text as { ok: string }).ok);
    expect(back.ret === 1 && hex(back.addr)).toBe(hex(a));
  });

  propTest.prop([fc.uint8Array({ minLength: 4, maxLength: 4 })], { numRuns: 500 })(
    'inet_pton(inet_ntop(a)) === a for AF_INET, and inet_aton reads the same text as the same s_addr', (a) => {
      const text = (inet_ntop(AF_INET, a, 16) as { ok: string }).ok;
      const back = inet_pton(AF_INET, text);
      expect(back.ret === 1 && hex(back.addr)).toBe(hex(a));
      expect(inet_aton(text)).toBe(Buffer.from(a).readUInt32LE(0));
    });

  propTest.prop([fc.oneof(arbV6, arbV6Runs), fc.integer({ min: 0, max: 50 })], { numRuns: 1000 })(
    'inet_ntop succeeds exactly when size > strlen(text) and never needs more than INET6_ADDRSTRLEN', (a, size) => {
      const full = (inet_ntop(AF_INET6, a, 46) as { ok: string }).ok;
      expect(full.length + 1).toBeLessThanOrEqual(46);
      expect(inet_ntop(AF_INET6, a, size)).toEqual(size > full.length ? { ok: full } : { errno: constants['ENOSPC'] });
    });

  propTest.prop([fc.nat({ max: 0xffffffff })], { numRuns: 1000 })('inet_aton(inet_ntoa(n)) === n', (n) => {
    expect(inet_aton(inet_ntoa(n))).toBe(n);
  });

  propTest.prop([fc.integer({ min: -(2 ** 40), max: 2 ** 40 })], { numRuns: 1000 })(
    'htonl/htons are involutions on the C-converted value and stay in range', (x) => {
      expect(htonl(htonl(x))).toBe(x >>> 0);
      expect(htons(htons(x))).toBe(x & 0xffff);
      expect(ntohl(x)).toBe(htonl(x));
      expect(htonl(x)).toBeLessThanOrEqual(0xffffffff);
      expect(htons(x)).toBeLessThanOrEqual(0xffff);
    });

  propTest.prop([fc.string({ maxLength: 48, unit: fc.constantFrom(...'0123456789abcdefABCDEFxX.: \t\0%'.split('')) })],
    { numRuns: 2000 })('parsers never throw and return well-formed results on arbitrary text', (s) => {
      const v4 = inet_pton(AF_INET, s);
      const v6 = inet_pton(AF_INET6, s);
      expect(v4.ret === 1 ? v4.addr.length : v4.ret).toBeOneOf([0, 4]);
      expect(v6.ret === 1 ? v6.addr.length : v6.ret).toBeOneOf([0, 16]);
      const a = inet_aton(s);
      expect(a === null || (Number.isInteger(a) && a >= 0 && a <= 0xffffffff)).toBe(true);
      // Strict forms are a subset of the lenient one: inet_pton(AF_INET) text is also inet_aton text.
      if (v4.ret === 1) expect(a).toBe(Buffer.from(v4.addr).readUInt32LE(0));
    });
});
