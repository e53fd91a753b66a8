/**
 * A msgpack encoder for batches of recorded events, byte for byte what `packr.pack(batch)` (sim/recording.ts's
 * settings: no records, float64 only) writes, but faster on what events hold: short strings that repeat (event
 * kinds, syscall and link names, cached once encoded), small integers, arrays and byte strings. Each event is
 * encoded as it arrives, so events do not live on until the batch is full. Anything else (a plain object, another
 * typed array, a string with a UTF-16 surrogate, whose encoding msgpackr varies with its length) is encoded by
 * msgpackr itself, which packs a value the same way wherever it sits.
 */
import type { Packr } from 'msgpackr';
import type { SimEvent } from './events.js';

/** Strings at most this long are cached in encoded form. */
const CACHE_MAX_LEN = 64;
/** Entries the string cache holds before it starts over (bounds memory on runs with many distinct strings). */
const CACHE_MAX_ENTRIES = 4096;
const SURROGATE = /[\ud800-\udfff]/;

/** msgpack length-prefixed kinds: the fix form's base and limit (0: none), then the 8-, 16- and 32-bit opcodes (0: none). */
const ARRAY = [0x90, 0x10, 0, 0xdc, 0xdd] as const, STR = [0xa0, 0x20, 0xd9, 0xda, 0xdb] as const, BIN = [0, 0, 0xc4, 0xc5, 0xc6] as const;

/** The bytes a length header of kind k for n takes. */
function headerLen(k: readonly number[], n: number): number {
  return n < k[1]! ? 1 : k[2] && n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

/** Writes the shortest length header of kind k for n at pos (room checked by the caller); returns the next position. */
function writeHeader(b: Uint8Array, pos: number, k: readonly number[], n: number): number {
  if (n < k[1]!) {
    b[pos] = k[0]! | n;
    return pos + 1;
  }
  if (k[2] && n < 0x100) {
    b[pos] = k[2];
    b[pos + 1] = n;
    return pos + 2;
  }
  if (n < 0x10000) {
    b[pos] = k[3]!;
    b[pos + 1] = n >> 8;
    b[pos + 2] = n & 0xff;
    return pos + 3;
  }
  b[pos] = k[4]!;
  b[pos + 1] = n >>> 24;
  b[pos + 2] = (n >>> 16) & 0xff;
  b[pos + 3] = (n >>> 8) & 0xff;
  b[pos + 4] = n & 0xff;
  return pos + 5;
}

/** Bytes kept free at the start of the buffer: the longest array header (5) and room for a caller's frame header. */
const HEADROOM = 32;

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

  /** Encodes one event. */
  add(ev: SimEvent): void {
    this.value(ev);
    this.count++;
  }

  /**
   * The events added since the last take, as the msgpack array packr.pack would write, preceded by `reserve` free
   * bytes (at most 27) for the caller to fill; starts a new batch. The view is into the packer's buffer: it is
   * valid until the next add().
   */
  take(reserve = 0): Uint8Array {
    const n = this.count;
    const start = HEADROOM - headerLen(ARRAY, n);
    writeHeader(this.buf, start, ARRAY, n);
    const out = this.buf.subarray(start - reserve, this.pos);
    this.pos = HEADROOM;
    this.count = 0;
    return out;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        return this.number(v);
      case 'string':
        return this.string(v);
      case 'boolean':
        this.room(1);
        this.buf[this.pos++] = v ? 0xc3 : 0xc2;
        return;
      case 'undefined':
        this.room(3);
        this.buf[this.pos++] = 0xd4; // msgpackr's undefined: fixext 1, type 0, data 0
        this.buf[this.pos++] = 0;
        this.buf[this.pos++] = 0;
        return;
      case 'object':
        if (v === null) {
          this.room(1);
          this.buf[this.pos++] = 0xc0;
          return;
        }
        if (Array.isArray(v)) return this.array(v);
        if (v instanceof Uint8Array) return this.bin(v);
    }
    this.bytes(this.packr.pack(v));
  }

  /** msgpackr's integer rules with useRecords off (positive fixint up to 0x7f), float64 otherwise. */
  private number(v: number): void {
    this.room(9);
    const b = this.buf;
    if (v >>> 0 === v) {
      if (v < 0x80) b[this.pos++] = v;
      else if (v < 0x100) {
        b[this.pos++] = 0xcc;
        b[this.pos++] = v;
      } else if (v < 0x10000) {
        b[this.pos++] = 0xcd;
        b[this.pos++] = v >> 8;
        b[this.pos++] = v & 0xff;
      } else {
        b[this.pos++] = 0xce;
        this.view.setUint32(this.pos, v);
        this.pos += 4;
      }
    } else if (v >> 0 === v) {
      if (v >= -0x20) b[this.pos++] = 0x100 + v;
      else if (v >= -0x80) {
        b[this.pos++] = 0xd0;
        b[this.pos++] = v + 0x100;
      } else if (v >= -0x8000) {
        b[this.pos++] = 0xd1;
        this.view.setInt16(this.pos, v);
        this.pos += 2;
      } else {
        b[this.pos++] = 0xd2;
        this.view.setInt32(this.pos, v);
        this.pos += 4;
      }
    } else {
      b[this.pos++] = 0xcb;
      this.view.setFloat64(this.pos, v);
      this.pos += 8;
    }
  }

  private string(s: string): void {
    if (s.length <= CACHE_MAX_LEN) {
      let e = this.strings.get(s);
      if (e === undefined) {
        if (SURROGATE.test(s)) return this.bytes(this.packr.pack(s));
        e = this.encodeString(s);
        if (this.strings.size >= CACHE_MAX_ENTRIES) this.strings.clear();
        this.strings.set(s, e);
      }
      return this.bytes(e);
    }
    if (SURROGATE.test(s)) return this.bytes(this.packr.pack(s));
    this.bytes(this.encodeString(s));
  }

  /** A str header (the shortest that fits the UTF-8 length) and the UTF-8 bytes. */
  private encodeString(s: string): Uint8Array {
    const utf8 = this.enc.encode(s);
    const head = headerLen(STR, utf8.length);
    const out = new Uint8Array(head + utf8.length);
    writeHeader(out, 0, STR, utf8.length);
    out.set(utf8, head);
    return out;
  }

  private array(a: readonly unknown[]): void {
    this.room(5);
    this.pos = writeHeader(this.buf, this.pos, ARRAY, a.length);
    for (let i = 0; i < a.length; i++) this.value(a[i]);
  }

  /** A byte string: bin 8/16/32 (msgpackr writes a Uint8Array or a Buffer so). */
  private bin(b: Uint8Array): void {
    this.room(5 + b.length);
    this.pos = writeHeader(this.buf, this.pos, BIN, b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}
