import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { fastSum } from '../../stack/tcp/csum.js';
import { onesSum } from '../../stack/wire/checksum.js';

describe('fastSum (the TCP hot-path checksum)', () => {
  // RFC 1071 §2(B): summing native (byte-swapped) 16-bit words and folding must equal the big-endian sum, for every length,
  // alignment and initial (pseudo-header) sum.
  test.prop([fc.uint8Array({ minLength: 0, maxLength: 3000, size: 'max' }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 0x3ffff })],
    { numRuns: 3000 })('equals onesSum', (d, off, init) => {
    const buf = new Uint8Array(d.length + 8);
    buf.set(d, off);
    const v = buf.subarray(off, off + d.length);
    expect(fastSum(v, init)).toBe(onesSum(v, 0, v.length, init));
  });
});

describe('fastSum over one shared buffer (its cached 32-bit view)', () => {
  // Frames are carved from shared slabs: consecutive sums over different ranges of one buffer, and then of another
  // buffer, must each equal RFC 1071's big-endian sum of exactly their own bytes.
  test.prop([fc.uint8Array({ minLength: 64, maxLength: 4096, size: 'max' }),
    fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 0x3ffff })), { minLength: 1, maxLength: 20 })],
  { numRuns: 300 })('equals onesSum for every range', (bytes, ranges) => {
    for (const [a, b, init] of ranges) {
      const start = a % bytes.length;
      const end = start + (b % (bytes.length - start + 1));
      const v = bytes.subarray(start, end);
      expect(fastSum(v, init)).toBe(onesSum(v, 0, v.length, init));
      const copy = v.slice();
      expect(fastSum(copy, init)).toBe(onesSum(copy, 0, copy.length, init));
    }
  });
});
