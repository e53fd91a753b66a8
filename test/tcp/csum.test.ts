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
