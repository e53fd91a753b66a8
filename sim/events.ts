/**
 * The shape of recorded events. An event is a plain array `[kind, timeNs, ...fields]` of msgpack-friendly values
 * (numbers, strings, booleans, null, Uint8Array, nested arrays), cheap to build and to compare. sim/ defines the
 * kinds it emits itself (process start/exit, timers, random decisions); stack/ adds its own (syscalls, packets).
 */

/** One recorded event: [kind, virtual time in ns, ...fields]. */
export type SimEvent = readonly unknown[];

/** Something that takes the event stream: the recorder writing a file, or the replayer comparing. */
export interface EventSink {
  /** Takes one event; called in simulation order. */
  push(ev: SimEvent): void;
}

/** Event kinds emitted by sim/. */
export const EV_PROC_START = 'start', EV_PROC_EXIT = 'exit', EV_TIMER = 'timer', EV_RANDOM = 'rand',
  EV_NOTE = 'note';

/** Deep equality over event values (arrays, Uint8Array, primitives, plain objects). */
export function eventValueEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  // Arrays first: an event is one, and most of its fields are primitives settled by === above.
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !eventValueEqual(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false;
    // Frames are most of a replay's bytes: a native memcmp beats a JS loop past a few dozen bytes.
    if (a.length > 32) return Buffer.compare(a, b) === 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)
    && !(a instanceof Uint8Array) && !(b instanceof Uint8Array)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
      if (!eventValueEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    }
    return true;
  }
  return false;
}

/** A one-line rendering of an event for reports: Uint8Arrays shown as length and a hex prefix. */
export function formatEvent(ev: SimEvent | undefined): string {
  if (ev === undefined) return '(none: the stream ended)';
  return JSON.stringify(ev, (_k, v) => {
    if (v instanceof Uint8Array) {
      const hex = Buffer.from(v.subarray(0, 24)).toString('hex');
      return `<${v.length} bytes ${hex}${v.length > 24 ? '…' : ''}>`;
    }
    return v;
  });
}
