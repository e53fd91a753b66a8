/**
 * Field representations for the JIT. V8 stores a numeric field as a small integer (31 bits) while every value it
 * has held was one, and widens it to a double the first time a larger value arrives: virtual times pass 2^30 ns
 * after 1.07 s, and 32-bit sequence numbers and timestamps are above 2^30 half of the time. Widening replaces the
 * object's hidden class, which deoptimizes every function compiled against the old one — in a TCP transfer, dozens
 * of hot functions at once, each recompiled afterwards (a 20 MB lossy transfer deoptimized 88 times this way).
 * Declaring such fields as doubles before any code is compiled avoids that churn; no value changes.
 *
 * The same goes for constness: V8 treats a field nobody has changed since its initialisation as a constant and
 * folds its value into compiled code; the first change (the first loss of a transfer sets dozens of TCB fields for
 * the first time) deoptimizes that code too. `thawFields` makes such fields ordinary variables up front.
 */

/**
 * Makes the numeric fields `keys` of `o` doubles from now on: stores a fraction and then the field's own value
 * back, so the object (and every later object of its class, which shares the widened hidden class) keeps its
 * values but never changes representation in the middle of a run.
 */
export function widenFields<T extends object>(o: T, keys: readonly string[]): T {
  const r = o as Record<string, unknown>;
  for (const k of keys) {
    const v = r[k];
    if (typeof v !== 'number') throw new TypeError(`widenFields: ${k} is not a number`);
    r[k] = 0.5;
    r[k] = v;
  }
  return o;
}

/** Shapes already widened by `widenFieldsOnce`. */
const widened = new Set<string>();

/**
 * `widenFields` for the first object of a shape named `shape` only: later objects of the same class (or object
 * literals of the same properties) share the widened hidden class, so widening each of them again is wasted work.
 */
export function widenFieldsOnce<T extends object>(shape: string, o: T, keys: readonly string[]): T {
  if (widened.has(shape)) return o;
  widened.add(shape);
  return widenFields(o, keys);
}

/**
 * Makes the number and boolean fields `keys` of `o` (default: all its own ones) mutable in V8's eyes: stores another
 * value of the same kind and then the field's own value back. Like widening, it changes the hidden class all
 * objects of the class share, so once per class is enough.
 */
export function thawFields(o: object, keys: readonly string[] = Object.keys(o)): void {
  const r = o as Record<string, unknown>;
  for (const k of keys) {
    const v = r[k];
    if (typeof v === 'number') r[k] = Number.isInteger(v) ? v ^ 1 : v + 0.5;
    else if (typeof v === 'boolean') r[k] = !v;
    else continue;
    r[k] = v;
  }
}
