/**
 * sim/repr.ts only changes how V8 stores fields, never their values: after widenFields / thawFields every field
 * must hold exactly (Object.is) what it held before, whatever the number (integers, fractions, -0, NaN, ±Infinity)
 * or boolean; other fields are left alone, and widening a field that is not a number is a programming error.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { thawFields, widenFields, widenFieldsOnce } from '../../../sim/repr.js';

const value = fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.string({ maxLength: 4 }), fc.constant(null));

describe('widenFields / thawFields', () => {
  test.prop([fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '__proto__'), value, { maxKeys: 12 })], { numRuns: 300 })(
    'every field keeps its value', (fields) => {
      const o: Record<string, unknown> = { ...fields };
      const numeric = Object.keys(o).filter((k) => typeof o[k] === 'number');
      widenFields(o, numeric);
      thawFields(o);
      expect(Object.keys(o)).toEqual(Object.keys(fields));
      for (const k of Object.keys(fields)) expect(Object.is(o[k], fields[k])).toBe(true);
    },
  );

  test('widening a field that holds no number throws', () => {
    expect(() => widenFields({ a: 'x' }, ['a'])).toThrow(TypeError);
    expect(() => widenFields({ a: 1 }, ['b'])).toThrow(TypeError);
  });
});

describe('widenFieldsOnce', () => {
  test('widens the first object of a shape and leaves later ones as they are, values unchanged', () => {
    const shape = 'repr.test: a shape of its own';
    const a = { t: 3 };
    const b = { t: 4 };
    expect(widenFieldsOnce(shape, a, ['t'])).toBe(a);
    expect(widenFieldsOnce(shape, b, ['nope'])).toBe(b); // not widened again: the bad key is never looked at
    expect(a.t).toBe(3);
    expect(b.t).toBe(4);
    expect(() => widenFieldsOnce(`${shape}-other`, { t: 'x' }, ['t'])).toThrow(TypeError);
  });
});
