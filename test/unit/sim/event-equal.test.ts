/**
 * eventValueEqual on byte strings of frame size (the replay comparator's bulk work, done by a native compare above
 * 32 bytes): equal exactly when the lengths and every byte agree, wherever a single difference sits, including in
 * views with offsets and Buffers against Uint8Arrays.
 */
import { expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { eventValueEqual } from '../../../sim/events.js';

test.prop([fc.uint8Array({ minLength: 0, maxLength: 2000 }), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), fc.nat(8)], { numRuns: 300 })(
  'byte strings compare by content', (bytes, where, delta, change, offset) => {
    const copy = new Uint8Array(bytes.length + offset).subarray(offset);
    copy.set(bytes);
    if (change && bytes.length > 0) copy[where % bytes.length] = (copy[where % bytes.length]! + delta) & 0xff;
    const expected = !(change && bytes.length > 0);
    expect(eventValueEqual(['tx', 1, 'l', 'a:eth0', 7, bytes], ['tx', 1, 'l', 'a:eth0', 7, copy])).toBe(expected);
    expect(eventValueEqual(Buffer.from(bytes), copy)).toBe(expected);
    expect(eventValueEqual(bytes, copy.subarray(0, Math.max(0, copy.length - 1)))).toBe(bytes.length === 0);
  });
