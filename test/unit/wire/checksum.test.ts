/** The Internet checksum (RFC 1071) and the pseudo-header sums (RFC 768, RFC 8200 §8.1). */

import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { finishChecksum, onesSum, pseudoSumV4, pseudoSumV6 } from '../../../stack/wire/checksum.js';
import { arbIpv4Addr, arbIpv6Addr, arbU16, arbU8 } from './arbitraries.js';
import { fromHex } from './golden.js';

/** Textbook reference: 16-bit big-endian words, odd byte padded on the right, folded with end-around carry. */
function referenceSum(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) {
    s += (b[i] << 8) + (i + 1 < b.length ? b[i + 1] : 0);
    s = (s & 0xffff) + (s >>> 16);
  }
  return s;
}

describe('onesSum / finishChecksum', () => {
  test('RFC 1071 §3 numerical example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2', () => {
    expect(onesSum(fromHex('0001f203f4f5f6f7'))).toBe(0xddf2);
    expect(finishChecksum(0xddf2)).toBe(0x220d);
  });
  test('a classic IPv4 header (4500 0073 … c0a8 00c7) has checksum 0xb861 and verifies to 0xffff', () => {
    const h = fromHex('450000730000400040110000c0a80001c0a800c7');
    expect(finishChecksum(onesSum(h))).toBe(0xb861);
    h[10] = 0xb8;
    h[11] = 0x61;
    expect(onesSum(h)).toBe(0xffff);
  });
  test('an odd trailing byte is padded with zero on the right (RFC 1071 §4.1)', () => {
    expect(onesSum(Uint8Array.of(0xab))).toBe(0xab00);
    expect(onesSum(Uint8Array.of(0x12, 0x34, 0xab))).toBe(0x1234 + 0xab00);
  });
  test('all zeros sum to 0 and give checksum 0xffff; carries wrap around', () => {
    expect(onesSum(new Uint8Array(100))).toBe(0);
    expect(finishChecksum(0)).toBe(0xffff);
    expect(onesSum(fromHex('ffff0001'))).toBe(0x0001);
    expect(finishChecksum(0x1fffe)).toBe(0);
  });
  test.prop([fc.uint8Array({ maxLength: 3000 })], { numRuns: 300 })('matches the textbook reference', (b) => {
    expect(onesSum(b)).toBe(referenceSum(b));
  });
  test.prop([fc.uint8Array({ maxLength: 200 }), fc.nat(200), fc.nat(200)], { numRuns: 300 })(
    'sums a [start, end) window like the reference on the sliced bytes', (b, x, y) => {
      const start = Math.min(x, y, b.length);
      const end = Math.min(Math.max(x, y), b.length);
      expect(onesSum(b, start, end)).toBe(referenceSum(b.slice(start, end)));
    });
  test.prop([fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 101 })], { numRuns: 300 })(
    'composes through `initial` across an even-length prefix', (a0, b) => {
      const a = a0.length % 2 === 0 ? a0 : a0.subarray(1);
      const whole = new Uint8Array(a.length + b.length);
      whole.set(a);
      whole.set(b, a.length);
      expect(onesSum(b, 0, b.length, onesSum(a))).toBe(onesSum(whole));
    });
  test.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 200 })(
    'inserting the finished checksum makes the data sum to 0xffff (how receivers verify)', (b0) => {
      const b = new Uint8Array(b0.length + (b0.length % 2) + 2);
      b.set(b0);
      const c = finishChecksum(onesSum(b));
      b[b.length - 2] = c >>> 8;
      b[b.length - 1] = c & 0xff;
      expect(onesSum(b)).toBe(0xffff);
    });
});

describe('pseudo headers', () => {
  test.prop([arbIpv4Addr, arbIpv4Addr, arbU8, arbU16], { numRuns: 200 })(
    'IPv4: equals the sum of the 12-byte pseudo header src,dst,0,proto,len (RFC 768)', (src, dst, proto, len) => {
      const ph = new Uint8Array(12);
      const v = new DataView(ph.buffer);
      v.setUint32(0, src);
      v.setUint32(4, dst);
      ph[9] = proto;
      v.setUint16(10, len);
      expect(finishChecksum(pseudoSumV4(src, dst, proto, len))).toBe(finishChecksum(onesSum(ph)));
    });
  test.prop([arbIpv6Addr, arbIpv6Addr, arbU8, fc.nat(0xfffff)], { numRuns: 200 })(
    'IPv6: equals the sum of the 40-byte pseudo header src,dst,len32,0,0,0,nh (RFC 8200 §8.1)', (src, dst, nh, len) => {
      const ph = new Uint8Array(40);
      ph.set(src, 0);
      ph.set(dst, 16);
      new DataView(ph.buffer).setUint32(32, len);
      ph[39] = nh;
      expect(finishChecksum(pseudoSumV6(src, dst, nh, len))).toBe(finishChecksum(onesSum(ph)));
    });
});
