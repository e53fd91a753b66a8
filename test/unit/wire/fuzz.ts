/**
 * Properties every codec must have, stated once: parse(emit(x)) gives x back; emitting in place into a larger
 * buffer writes exactly the same bytes and nothing else; and on random or damaged input the parser either returns
 * or throws WireError, never anything else (DEVELOPERS.md: "parsers throw only WireError").
 */

import { expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { WireError } from '../../../stack/wire/errors.js';
import { arbMutated } from './arbitraries.js';

/** Runs `parse`; passes when it returns or throws a WireError with a kebab-case reason and a sane offset. */
export function expectOnlyWireError(parse: () => unknown, inputLength: number): void {
  let thrown: unknown = undefined;
  try {
    parse();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) return;
  expect(thrown).toBeInstanceOf(WireError);
  const w = thrown as WireError;
  expect(w.reason).toMatch(/^[a-z]+(-[a-z]+)*$/);
  expect(w.offset).toBeGreaterThanOrEqual(0);
  expect(w.offset).toBeLessThanOrEqual(inputLength);
}

/** Expects `parse` to throw WireError with `reason`. */
export function expectWireError(parse: () => unknown, proto: string, reason: string): void {
  let thrown: unknown = undefined;
  try {
    parse();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(WireError);
  expect((thrown as WireError).proto).toBe(proto);
  expect((thrown as WireError).reason).toBe(reason);
}

/** A codec under test; `T` is a repr plus whatever context (pseudo header) emit and parse need. */
export interface CodecCase<T> {
  arb: fc.Arbitrary<T>;
  emit(t: T): Uint8Array;
  emitInto(t: T, buf: Uint8Array, offset: number): number;
  parse(bytes: Uint8Array, t: T): unknown;
  /** The repr that parse must return for emit(t). */
  repr(t: T): unknown;
}

/** Declares the shared property tests for one codec in the current describe block. */
export function codecProperties<T>(c: CodecCase<T>): void {
  test.prop([c.arb], { numRuns: 300 })('parse(emit(x)) deep-equals x', (t) => {
    expect(c.parse(c.emit(t), t)).toEqual(c.repr(t));
  });

  test.prop([c.arb, fc.nat(16), fc.nat(16)], { numRuns: 200 })(
    'emitInto at an offset writes exactly emit()\'s bytes and touches nothing else', (t, before, after) => {
      const want = c.emit(t);
      const buf = new Uint8Array(before + want.length + after).fill(0xa5);
      expect(c.emitInto(t, buf, before)).toBe(want.length);
      expect(buf.subarray(before, before + want.length)).toEqual(want);
      expect(buf.subarray(0, before).every((x) => x === 0xa5)).toBe(true);
      expect(buf.subarray(before + want.length).every((x) => x === 0xa5)).toBe(true);
      expect(c.parse(buf.subarray(before, before + want.length), t)).toEqual(c.repr(t));
    });

  test.prop([fc.uint8Array({ maxLength: 120 }), c.arb], { numRuns: 500 })(
    'random bytes: returns or throws WireError', (bytes, t) => {
      expectOnlyWireError(() => c.parse(bytes, t), bytes.length);
    });

  test.prop([c.arb.chain((t) => fc.tuple(fc.constant(t), arbMutated(fc.constant(c.emit(t)))))], { numRuns: 500 })(
    'damaged valid packets (cut, bit flip, byte set): returns or throws WireError', ([t, bytes]) => {
      expectOnlyWireError(() => c.parse(bytes, t), bytes.length);
    });
}

/** codecProperties for a codec that needs no context: parse(emit(r)) must give `r` itself. */
export function plainCodecProperties<R>(arb: fc.Arbitrary<R>, emit: (r: R) => Uint8Array,
  emitInto: (r: R, buf: Uint8Array, offset: number) => number, parse: (bytes: Uint8Array) => R): void {
  codecProperties({ arb, emit: (r) => emit(r), emitInto, parse: (b) => parse(b), repr: (r) => r });
}
