/**
 * The small pieces of sim/: virtual time helpers (integer nanoseconds), CRC-32 as zlib computes it (IEEE 802.3
 * polynomial, the check value 0xCBF43926 for "123456789"), and the event value equality the replayer relies on.
 */
import { describe, expect, test as vtest } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { MS, SEC, US, assertTime, formatTime, ms, sec, us } from '../../../sim/time.js';
import { crc32 } from '../../../sim/crc32.js';
import { eventValueEqual, formatEvent } from '../../../sim/events.js';

describe('time', () => {
  vtest('unit helpers give whole nanoseconds', () => {
    expect([MS, US, SEC]).toEqual([1e6, 1e3, 1e9]);
    expect(ms(1.5)).toBe(1_500_000);
    expect(ms(0.1)).toBe(100_000); // 0.1 * 1e6 is 100000.00000000001 before rounding
    expect(sec(0.3)).toBe(300_000_000);
    expect(us(2.0004)).toBe(2_000);
  });

  vtest('formatTime shows seconds with nine digits', () => {
    expect(formatTime(0)).toBe('0.000000000s');
    expect(formatTime(1_040_000_000)).toBe('1.040000000s');
    expect(formatTime(3600 * SEC + 7)).toBe('3600.000000007s');
  });

  vtest('assertTime accepts non-negative safe integers only', () => {
    expect(() => assertTime(0, 't')).not.toThrow();
    expect(() => assertTime(2 ** 53 - 1, 't')).not.toThrow();
    for (const bad of [-1, 0.5, Number.NaN, Infinity, 2 ** 53]) expect(() => assertTime(bad, 't')).toThrow(RangeError);
  });
});

describe('crc32', () => {
  vtest('matches the CRC-32/ISO-HDLC check value and zlib on known inputs', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  test.prop([fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat()], { numRuns: 200 })(
    'crc32(bytes, start, end) equals the CRC of the subarray',
    (bytes, a, b) => {
      const lo = bytes.length ? a % (bytes.length + 1) : 0;
      const hi = lo + (bytes.length - lo ? b % (bytes.length - lo + 1) : 0);
      expect(crc32(bytes, lo, hi)).toBe(crc32(bytes.subarray(lo, hi)));
    },
  );
});

describe('event values', () => {
  vtest('eventValueEqual compares arrays, bytes, objects and NaN by value', () => {
    expect(eventValueEqual(['tx', 1, new Uint8Array([1, 2])], ['tx', 1, Buffer.from([1, 2])])).toBe(true);
    expect(eventValueEqual(['tx', 1, new Uint8Array([1, 2])], ['tx', 1, new Uint8Array([1, 3])])).toBe(false);
    expect(eventValueEqual(new Uint8Array([1]), [1])).toBe(false);
    expect(eventValueEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(eventValueEqual(0, 1)).toBe(false);
    expect(eventValueEqual({ a: 1, b: [2] }, { b: [2], a: 1 })).toBe(true);
    expect(eventValueEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(eventValueEqual(null, {})).toBe(false);
    expect(eventValueEqual([1, 2], [1, 2, 3])).toBe(false);
  });

  vtest('formatEvent abbreviates byte fields and names a missing event', () => {
    expect(formatEvent(['rx', 5, new Uint8Array([0xca, 0xfe])])).toBe('["rx",5,"<2 bytes cafe>"]');
    expect(formatEvent(undefined)).toBe('(none: the stream ended)');
  });
});
