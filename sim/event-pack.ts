/**
 * A msgpack encoder for batches of recorded events, byte for byte what `packr.pack(batch)` (sim/recording.ts's
 * settings: no records, float64 only) writes, but faster on what events hold: small integers, ASCII strings (event
 * kinds, syscall, link and stream names: written straight from their char codes), arrays and byte strings, all in
 * one loop that keeps the buffer and position in locals. Each event is encoded as it arrives, so events do not live
 * on until the batch is full. Non-ASCII strings are cached once encoded; anything else (a plain object, another
 * typed array, a string with a UTF-16 surrogate, whose encoding msgpackr varies with its length) is encoded by
 * msgpackr itself, which packs a value the same way wherever it sits.
 *
 * ASCII strings are not looked up in a cache: many are built afresh for each event (an interface's "host:iface"
 * label), and hashing a new string costs more than copying its chars.
 */
import type { Packr } from 'msgpackr';
import type { SimEvent } from './events.js';

/** Non-ASCII strings at most this long are cached in encoded form. */
const CACHE_MAX_LEN = 64;
/** Entries the string cache holds before it starts over (bounds memory on runs with many distinct strings). */
const CACHE_MAX_ENTRIES = 4096;
/**
 * Byte strings at most this long are copied by a loop: TypedArray.set costs a fixed ~25 ns, the loop ~1.5 ns a byte
 * (Node 20; 42 bytes, a small UDP frame, take 65 ns by the loop).
 */
const SMALL_COPY = 12;
const SURROGATE = /[\ud800-\udfff]/;

/**
 * Writes the shortest msgpack header for a length-prefixed kind at p (room checked by the caller) and returns the
 * next position. fix: the fix form's base (0: none) below `fixLimit`; op8/op16/op32 the opcodes (op8 0: none).
 */
function writeHeader(b: Uint8Array, p: number, n: number, fix: number, fixLimit: number, op8: number, op16: number, op32: number): number {
  if (n < fixLimit) {
    b[p] = fix | n;
    return p + 1;
  }
  if (op8 !== 0 && n < 0x100) {
    b[p] = op8;
    b[p + 1] = n;
    return p + 2;
  }
  if (n < 0x10000) {
    b[p] = op16;
    b[p + 1] = n >> 8;
    b[p + 2] = n & 0xff;
    return p + 3;
  }
  b[p] = op32;
  b[p + 1] = n >>> 24;
  b[p + 2] = (n >>> 16) & 0xff;
  b[p + 3] = (n >>> 8) & 0xff;
  b[p + 4] = n & 0xff;
  return p + 5;
}

/** msgpack array header (fixarray, array 16, array 32: msgpack spec, "array format family"). */
function arrayHeader(b: Uint8Array, p: number, n: number): number {
  return writeHeader(b, p, n, 0x90, 0x10, 0, 0xdc, 0xdd);
}

/** msgpack str header (fixstr, str 8/16/32). */
function strHeader(b: Uint8Array, p: number, n: number): number {
  return writeHeader(b, p, n, 0xa0, 0x20, 0xd9, 0xda, 0xdb);
}

/** msgpack bin header (bin 8/16/32; there is no fix form). */
function binHeader(b: Uint8Array, p: number, n: number): number {
  return writeHeader(b, p, n, 0, 0, 0xc4, 0xc5, 0xc6);
}

/**
 * A number as msgpackr writes it with useRecords off (positive fixint up to 0x7f, then the smallest uint/int that
 * holds it) and useFloat32 off (float 64 otherwise, an integer past 32 bits included); at most 9 bytes at p.
 */
function writeNumber(b: Uint8Array, dv: DataView, p: number, v: number): number {
  if (v >>> 0 === v) {
    if (v < 0x80) {
      b[p] = v;
      return p + 1;
    }
    if (v < 0x100) {
      b[p] = 0xcc;
      b[p + 1] = v;
      return p + 2;
    }
    if (v < 0x10000) {
      b[p] = 0xcd;
      b[p + 1] = v >> 8;
      b[p + 2] = v & 0xff;
      return p + 3;
    }
    b[p] = 0xce;
    dv.setUint32(p + 1, v);
    return p + 5;
  }
  if (v >> 0 === v) {
    if (v >= -0x20) {
      b[p] = 0x100 + v;
      return p + 1;
    }
    if (v >= -0x80) {
      b[p] = 0xd0;
      b[p + 1] = v + 0x100;
      return p + 2;
    }
    if (v >= -0x8000) {
      b[p] = 0xd1;
      dv.setInt16(p + 1, v);
      return p + 3;
    }
    b[p] = 0xd2;
    dv.setInt32(p + 1, v);
    return p + 5;
  }
  b[p] = 0xcb;
  dv.setFloat64(p + 1, v);
  return p + 9;
}

/**
 * An ASCII string of n < 256 chars (fixstr or str 8) at p, room for n + 2 bytes checked by the caller; -1 when a
 * char is not ASCII. An ASCII string is its own UTF-8, so msgpackr writes the same whichever of its two string
 * paths it takes.
 */
function writeAscii(b: Uint8Array, p: number, s: string, n: number): number {
  let q = n < 0x20 ? p + 1 : p + 2;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    b[q++] = c;
  }
  if (n < 0x20) b[p] = 0xa0 | n;
  else {
    b[p] = 0xd9;
    b[p + 1] = n;
  }
  return q;
}

/** Bytes kept free at the start of the buffer: the longest array header (5) and room for a caller's frame header. */
export const HEADROOM = 32;

/** Accumulates msgpack-encoded events; `take()` returns them as one msgpack array. */
export class EventPacker {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = HEADROOM;
  /** Events added since the last take(). */
  count = 0;
  private readonly strings = new Map<string, Uint8Array>();
  private readonly enc = new TextEncoder();

  constructor(private readonly packr: Packr) {}

  /** The buffer events are encoded into; a new one after it grows, so read it after encoding. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /** Where the next event's bytes will start in `buffer` (the first one's at HEADROOM). */
  get end(): number {
    return this.pos;
  }

  /** A DataView of `buffer`. */
  get dataView(): DataView {
    return this.view;
  }

  /** Encodes one event. */
  add(ev: SimEvent): void {
    this.pos = this.array(ev, this.pos);
    this.count++;
  }

  /** Drops the events added since the last take(). */
  clear(): void {
    this.pos = HEADROOM;
    this.count = 0;
  }

  /**
   * The events added since the last take, as the msgpack array packr.pack would write, preceded by `reserve` free
   * bytes (at most 27) for the caller to fill; starts a new batch. The view is into the packer's buffer: it is
   * valid until the next add().
   */
  take(reserve = 0): Uint8Array {
    const n = this.count;
    const start = HEADROOM - (n < 0x10 ? 1 : n < 0x10000 ? 3 : 5);
    arrayHeader(this.buf, start, n);
    const out = this.buf.subarray(start - reserve, this.pos);
    this.pos = HEADROOM;
    this.count = 0;
    return out;
  }

  /** Makes the buffer hold at least p + n bytes, doubling it (each byte is copied O(1) times overall). */
  private grow(p: number, n: number): void {
    let size = this.buf.length * 2;
    while (size < p + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, p));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * An array at p; returns the next position. The hot loop: numbers and strings are written inline, with the
   * buffer held in locals that are reloaded after anything that may grow it.
   */
  private array(a: readonly unknown[], p: number): number {
    const n = a.length;
    if (p + 5 > this.buf.length) this.grow(p, 5);
    let b = this.buf, dv = this.view;
    p = arrayHeader(b, p, n);
    for (let i = 0; i < n; i++) {
      const v = a[i];
      if (typeof v === 'number') {
        if (p + 9 > b.length) {
          this.grow(p, 9);
          b = this.buf;
          dv = this.view;
        }
        p = writeNumber(b, dv, p, v);
        continue;
      }
      if (typeof v === 'string' && v.length < 0x100) {
        const len = v.length;
        if (p + len + 2 > b.length) {
          this.grow(p, len + 2);
          b = this.buf;
          dv = this.view;
        }
        const q = writeAscii(b, p, v, len);
        if (q >= 0) {
          p = q;
          continue;
        }
      }
      p = this.other(v, p);
      b = this.buf;
      dv = this.view;
    }
    return p;
  }

  /** Any value but a number or an ASCII string below 256 chars, at p; returns the next position. */
  private other(v: unknown, p: number): number {
    switch (typeof v) {
      case 'string':
        return this.string(v, p);
      case 'boolean':
        return this.byte(v ? 0xc3 : 0xc2, p);
      case 'undefined':
        // msgpackr's undefined: fixext 1, type 0, data 0.
        p = this.byte(0xd4, p);
        p = this.byte(0, p);
        return this.byte(0, p);
      case 'object':
        if (v === null) return this.byte(0xc0, p);
        if (Array.isArray(v)) return this.array(v, p);
        if (v instanceof Uint8Array) return this.bin(v, p);
    }
    return this.raw(this.packr.pack(v), p);
  }

  private byte(x: number, p: number): number {
    if (p + 1 > this.buf.length) this.grow(p, 1);
    this.buf[p] = x;
    return p + 1;
  }

  /**
   * A string that is not ASCII, or longer than 255 chars: UTF-8 by TextEncoder under the shortest str header
   * (cached when short), or msgpackr's own bytes when it holds a surrogate.
   */
  private string(s: string, p: number): number {
    const cached = s.length <= CACHE_MAX_LEN ? this.strings.get(s) : undefined;
    if (cached !== undefined) return this.raw(cached, p);
    if (SURROGATE.test(s)) return this.raw(this.packr.pack(s), p);
    const utf8 = this.enc.encode(s);
    if (p + 5 + utf8.length > this.buf.length) this.grow(p, 5 + utf8.length);
    const start = p;
    p = this.raw(utf8, strHeader(this.buf, p, utf8.length));
    if (s.length <= CACHE_MAX_LEN) {
      if (this.strings.size >= CACHE_MAX_ENTRIES) this.strings.clear();
      this.strings.set(s, this.buf.slice(start, p));
    }
    return p;
  }

  /** A byte string: bin 8/16/32 (msgpackr writes a Uint8Array or a Buffer so). */
  private bin(u: Uint8Array, p: number): number {
    if (p + 5 > this.buf.length) this.grow(p, 5);
    return this.raw(u, binHeader(this.buf, p, u.length));
  }

  /** Copies u to p (a short one by a loop); returns the next position. */
  private raw(u: Uint8Array, p: number): number {
    const n = u.length;
    if (p + n > this.buf.length) this.grow(p, n);
    const b = this.buf;
    if (n <= SMALL_COPY) for (let i = 0; i < n; i++) b[p + i] = u[i]!;
    else b.set(u, p);
    return p + n;
  }
}
