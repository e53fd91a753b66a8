/**
 * stack/resolve/gai-errors.ts against glibc 2.36: the EAI_* values of <netdb.h> (with _GNU_SOURCE) and the exact
 * gai_strerror(3) texts, goldens from glibc/golden.c.
 */
import { describe, expect, test } from 'vitest';
import { fc, test as propTest } from '@fast-check/vitest';
import * as gai from '../../../stack/resolve/gai-errors.js';
import { cases, constants } from './goldens.js';

const eaiNames = Object.keys(constants).filter((k) => k.startsWith('EAI_'));

describe('EAI_* codes are glibc\'s <netdb.h> values', () => {
  test.each(eaiNames.map((name) => [name, constants[name]!] as const))('%s is %i', (name, value) => {
    expect((gai as unknown as Record<string, number>)[name]).toBe(value);
  });

  test('socksim exports no EAI_* code glibc does not define', () => {
    expect(Object.keys(gai).filter((k) => k.startsWith('EAI_')).sort()).toEqual([...eaiNames].sort());
  });
});

describe('gai_strerror matches glibc', () => {
  test.each(cases.gai_strerror.map((c) => [c.code, c.str] as const))('gai_strerror(%i) is "%s"', (code, str) => {
    expect(gai.gai_strerror(code)).toBe(str);
  });

  test('EAI_OVERFLOW has no text in glibc 2.36: "Unknown error"', () => {
    expect(gai.gai_strerror(gai.EAI_OVERFLOW)).toBe(gai.GAI_UNKNOWN_ERROR);
  });

  const known = new Set(cases.gai_strerror.filter((c) => c.str !== 'Unknown error').map((c) => c.code));
  propTest.prop([fc.integer()], { numRuns: 1000 })('every code glibc has no text for is "Unknown error"', (code) => {
    fc.pre(!known.has(code));
    expect(gai.gai_strerror(code)).toBe('Unknown error');
  });
});
