/** Shared check that a parser rejects bad input only with WireError (DEVELOPERS.md: parsers throw only WireError). */

import { expect } from 'vitest';
import { WireError } from '../../../stack/wire/errors.js';

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
