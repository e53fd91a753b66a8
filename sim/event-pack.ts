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

/** Accumulates msgpack-encoded events; `take()` returns them as one msgpack array. */
export class EventPacker {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
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

  /** The events added since the last take, as the msgpack array packr.pack would write; starts a new batch. */
  take(): Uint8Array {
    const n = this.count;
    const head = n < 0x10 ? 1 : n < 0x10000 ? 3 : 5;
    const out = new Uint8Array(head + this.pos);
    if (n < 0x10) out[0] = 0x90 | n;
    else if (n < 0x10000) {
      out[0] = 0xdc;
      out[1] = n >> 8;
      out[2] = n & 0xff;
    } else {
      out[0] = 0xdd;
      new DataView(out.buffer).setUint32(1, n);
    }
    out.set(this.buf.subarray(0, this.pos), head);
    this.pos = 0;
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
    const n = utf8.length;
    const head = n < 0x20 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
    const out = new Uint8Array(head + n);
    if (n < 0x20) out[0] = 0xa0 | n;
    else if (n < 0x100) {
      out[0] = 0xd9;
      out[1] = n;
    } else if (n < 0x10000) {
      out[0] = 0xda;
      out[1] = n >> 8;
      out[2] = n & 0xff;
    } else {
      out[0] = 0xdb;
      new DataView(out.buffer).setUint32(1, n);
    }
    out.set(utf8, head);
    return out;
  }

  private array(a: readonly unknown[]): void {
    const n = a.length;
    this.room(5);
    if (n < 0x10) this.buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      this.buf[this.pos++] = 0xdc;
      this.buf[this.pos++] = n >> 8;
      this.buf[this.pos++] = n & 0xff;
    } else {
      this.buf[this.pos++] = 0xdd;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
    for (let i = 0; i < n; i++) this.value(a[i]);
  }

  /** A byte string: bin 8/16/32 (msgpackr writes a Uint8Array or a Buffer so). */
  private bin(b: Uint8Array): void {
    const n = b.length;
    this.room(5 + n);
    if (n < 0x100) {
      this.buf[this.pos++] = 0xc4;
      this.buf[this.pos++] = n;
    } else if (n < 0x10000) {
      this.buf[this.pos++] = 0xc5;
      this.buf[this.pos++] = n >> 8;
      this.buf[this.pos++] = n & 0xff;
    } else {
      this.buf[this.pos++] = 0xc6;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    }
    this.buf.set(b, this.pos);
    this.pos += n;
  }
}
