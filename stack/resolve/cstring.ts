/**
 * The C view of a JS string, for functions that take a `const char *`.
 *
 * A C string ends at its first NUL byte, so `inet_aton("1.2.3.4\0junk")` in C sees only "1.2.3.4"; socksim's
 * C-faithful helpers truncate the same way. Every byte the resolver grammars accept is ASCII, so looking at UTF-16
 * code units instead of UTF-8 bytes gives the same answers: a non-ASCII character is rejected either way.
 */

/** The part of `s` a C function would see: everything before the first NUL. */
export function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** Throws unless `x` is an integer: a fraction, NaN or Infinity cannot be a C integer argument. */
export function requireInteger(x: number, what: string): void {
  if (!Number.isInteger(x)) throw new RangeError(`${what}: ${x} is not an integer`);
}
