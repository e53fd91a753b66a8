/**
 * Reading recordings: header first, then events batch by batch. A file cut short reads up to its last whole batch
 * and reports where it stopped; a foreign or damaged file is rejected with the byte offset of the damage.
 */
import { crc32 } from './crc32.js';
import type { SimEvent } from './events.js';
import {
  FRAME_BATCH, FRAME_END, FRAME_HEADER, FRAME_OVERHEAD, RECORDING_FORMAT, RECORDING_MAGIC, packr,
  type RecordingEnd, type RecordingHeader,
} from './recording.js';

/** A recording that cannot be read: foreign, damaged, or of an unknown format. */
export class RecordingError extends Error {
  constructor(readonly offset: number, reason: string) {
    super(`${reason} (at byte offset ${offset})`);
  }
}

/** Where a truncated file stopped. */
export interface Truncation {
  /** Offset of the first incomplete frame. */
  offset: number;
  /** Events read before it. */
  eventsRead: number;
  /** Bytes in the file. */
  fileSize: number;
}

type Frame = { type: number; offset: number; payload: Uint8Array } | { truncatedAt: number };

/** Events longer than this are compared by Buffer.compare (a native call beats the JS loop past a few hundred bytes). */
const NATIVE_COMPARE = 256;

/** What `EventCursor.match` found. */
export const MATCHED = 0, DIFFERENT = 1, NO_MORE = 2;

/** An opened recording. Iterate `events()` once; after that `end` and `truncated` are known. */
export class RecordingReader {
  readonly header: RecordingHeader;
  end: RecordingEnd | null = null;
  truncated: Truncation | null = null;
  private pos: number;

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length < RECORDING_MAGIC.length || RECORDING_MAGIC.some((b, i) => bytes[i] !== b)) {
      const found = Buffer.from(bytes.subarray(0, 8)).toString('hex');
      throw new RecordingError(0, `not a socksim recording: the file does not start with the magic "SOCKSIM\\x01" (found ${found || 'nothing'})`);
    }
    this.pos = RECORDING_MAGIC.length;
    const f = this.frame();
    if ('truncatedAt' in f) throw new RecordingError(f.truncatedAt, 'recording is cut short inside its header');
    if (f.type !== FRAME_HEADER) throw new RecordingError(f.offset, 'recording does not begin with a header frame');
    const h = decode(f.payload, f.offset, 'header') as RecordingHeader;
    if (!h || typeof h !== 'object' || h.magic !== 'socksim-recording') throw new RecordingError(f.offset, 'header frame is not a socksim header');
    if (h.format !== RECORDING_FORMAT) throw new RecordingError(f.offset, `recording format ${String(h.format)} is not supported (this socksim reads format ${RECORDING_FORMAT})`);
    this.header = h;
  }

  /** Events in order, batch by batch. Throws RecordingError on damage; stops quietly at a truncation. */
  events(): EventCursor {
    return new EventCursor(this);
  }

  /** All events as an array (reads the whole file). */
  allEvents(): SimEvent[] {
    return [...this.events()];
  }

  /**
   * The next batch frame (its checksum verified), or null after the last one: at the end frame (read into `end`),
   * at the end of a file without one, or at a frame cut short (noted in `truncated`, with `eventsRead`).
   */
  nextBatch(eventsRead: number): { offset: number; payload: Uint8Array } | null {
    if (this.pos === this.bytes.length) return null; // no end frame: the writer stopped between batches
    const f = this.frame();
    if ('truncatedAt' in f) {
      this.truncated = { offset: f.truncatedAt, eventsRead, fileSize: this.bytes.length };
      return null;
    }
    if (f.type === FRAME_END) {
      this.end = decode(f.payload, f.offset, 'end summary') as RecordingEnd;
      if (this.pos !== this.bytes.length) throw new RecordingError(this.pos, 'unexpected bytes after the end frame');
      return null;
    }
    if (f.type !== FRAME_BATCH) throw new RecordingError(f.offset, `unknown frame type 0x${f.type.toString(16)}`);
    return f;
  }

  private frame(): Frame {
    const start = this.pos;
    const b = this.bytes;
    if (b.length - start < FRAME_OVERHEAD) return { truncatedAt: start };
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const type = b[start]!;
    if (type !== FRAME_HEADER && type !== FRAME_BATCH && type !== FRAME_END) {
      throw new RecordingError(start, `damaged recording: unknown frame type 0x${type.toString(16).padStart(2, '0')}`);
    }
    const len = dv.getUint32(start + 1, true);
    if ((crc32(b, start, start + 5) & 0xffff) !== dv.getUint16(start + 5, true)) {
      throw new RecordingError(start, 'damaged recording: frame header check mismatch (type or length damaged)');
    }
    const crc = dv.getUint32(start + 7, true);
    const end = start + FRAME_OVERHEAD + len;
    if (end > b.length) return { truncatedAt: start };
    const payload = b.subarray(start + FRAME_OVERHEAD, end);
    if (crc32(payload) !== crc) throw new RecordingError(start, 'damaged recording: frame checksum mismatch');
    this.pos = end;
    return { type, offset: start, payload };
  }
}

/** msgpackr's decoding of a frame payload; a failure is damage at the frame's offset. */
function decode(payload: Uint8Array, offset: number, what: string): unknown {
  try {
    return packr.unpack(payload);
  } catch (e) {
    throw damagedBatch(offset, what, e);
  }
}

function damagedBatch(offset: number, what: string, e: unknown): RecordingError {
  return new RecordingError(offset, `damaged recording: ${what} frame does not decode (${e instanceof Error ? e.message : String(e)})`);
}

/**
 * The events of a recording, one after another. Iterating decodes them (a batch at a time); `match` instead
 * compares the next event's bytes with an event encoded as the writer encodes it, which is how a replay checks the
 * events that did not change without decoding them. Both can be mixed: the cursor knows each event's byte offset.
 */
export class EventCursor implements IterableIterator<SimEvent> {
  /** The current batch's payload (after its array header: the events, one msgpack value each). */
  private payload: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.payload.buffer);
  /** Offset of the current batch's frame in the file, for errors. */
  private frameOffset = 0;
  /** Byte offset of the next event in `payload`. */
  private at = 0;
  /** Events of the current batch not yet consumed. */
  private left = 0;
  /** The rest of the current batch decoded (from event `decodedFrom` of it on), with each event's end offset. */
  private decoded: SimEvent[] | null = null;
  private ends: number[] = [];
  private decodedFrom = 0;
  /** Events in the current batch. */
  private total = 0;
  /** Events consumed so far. */
  private read = 0;
  private finished = false;

  constructor(private readonly reader: RecordingReader) {}

  [Symbol.iterator](): EventCursor {
    return this;
  }

  /** The next event, decoded. Throws RecordingError on damage. */
  next(): IteratorResult<SimEvent, undefined> {
    if (!this.ready()) return { done: true, value: undefined };
    if (this.decoded === null) this.decodeRest();
    const k = this.total - this.left - this.decodedFrom;
    const ev = this.decoded![k];
    if (!Array.isArray(ev) || typeof ev[0] !== 'string' || typeof ev[1] !== 'number') {
      throw new RecordingError(this.frameOffset, `batch holds a malformed event after event ${this.read}`);
    }
    this.at = this.ends[k]!;
    this.consumed();
    return { done: false, value: ev };
  }

  /**
   * Events left in the current batch, moving to the next batch if this one is used up; 0 at the end of the events.
   * Throws RecordingError if the next batch is damaged.
   */
  batchLeft(): number {
    return this.ready() ? this.left : 0;
  }

  /**
   * Compares the next `count` events' bytes (1 by default, at most `batchLeft()`) with `len` bytes of `view` from
   * `start`: MATCHED (and consumed) when they are the same bytes, DIFFERENT (nothing consumed: `next()` decodes
   * the next event), NO_MORE at the end of the events. Equal bytes are the same events: msgpack is self-delimiting,
   * so the recorded events are exactly the bytes that matched.
   */
  match(view: DataView, start: number, len: number, count = 1): number {
    if (!this.ready()) return NO_MORE;
    const at = this.at;
    if (count > this.left || at + len > this.payload.length) return DIFFERENT;
    if (len > NATIVE_COMPARE) {
      const a = this.payload.subarray(at, at + len), b = new Uint8Array(view.buffer, view.byteOffset + start, len);
      if (Buffer.compare(a, b) !== 0) return DIFFERENT;
    } else {
      // Four bytes at a time (DataView reads need no alignment), then the tail.
      const dv = this.view;
      let i = 0;
      for (; i + 4 <= len; i += 4) if (dv.getInt32(at + i) !== view.getInt32(start + i)) return DIFFERENT;
      for (; i < len; i++) if (dv.getUint8(at + i) !== view.getUint8(start + i)) return DIFFERENT;
    }
    this.at = at + len;
    this.consumed(count);
    return MATCHED;
  }

  private consumed(count = 1): void {
    this.read += count;
    this.left -= count;
    // The batch must end with its last event (msgpackr rejects bytes after the value it decodes).
    if (this.left === 0 && this.at !== this.payload.length) {
      throw new RecordingError(this.frameOffset, `damaged recording: batch frame does not decode (${this.payload.length - this.at} bytes after its last event)`);
    }
  }

  /** Moves to the next batch when this one is used up; false at the end of the events. */
  private ready(): boolean {
    while (this.left === 0) {
      if (this.finished) return false;
      const f = this.reader.nextBatch(this.read);
      if (f === null) {
        this.finished = true;
        return false;
      }
      this.frameOffset = f.offset;
      this.decoded = null;
      const p = f.payload, h = p[0];
      let n: number, skip: number;
      if (h !== undefined && h >= 0x90 && h <= 0x9f) [n, skip] = [h & 0x0f, 1];
      else if (h === 0xdc && p.length >= 3) [n, skip] = [(p[1]! << 8) | p[2]!, 3];
      else if (h === 0xdd && p.length >= 5) [n, skip] = [((p[1]! << 24) | (p[2]! << 16) | (p[3]! << 8) | p[4]!) >>> 0, 5];
      else {
        // Not a list: msgpackr says what it is instead, or why it does not decode.
        decode(p, f.offset, 'batch');
        throw new RecordingError(f.offset, 'batch frame does not hold a list of events');
      }
      this.payload = p;
      this.view = new DataView(p.buffer, p.byteOffset, p.byteLength);
      this.at = skip;
      this.total = this.left = n;
      if (n === 0 && skip !== p.length) decode(p, f.offset, 'batch'); // bytes after an empty list
    }
    return true;
  }

  /** Decodes the events of the current batch from the next one on, noting where each ends. */
  private decodeRest(): void {
    const vals: SimEvent[] = [], ends: number[] = [];
    const base = this.at;
    try {
      packr.unpackMultiple(this.payload.subarray(base), (v: unknown, _s?: number, end?: number) => {
        vals.push(v as SimEvent);
        ends.push(base + end!);
        // Stop at the batch's last event: anything after it is damage, reported when it is reached.
        return vals.length < this.left;
      });
    } catch (e) {
      throw damagedBatch(this.frameOffset, 'batch', e);
    }
    if (vals.length < this.left) {
      throw damagedBatch(this.frameOffset, 'batch', new Error(`it holds ${this.total - this.left + vals.length} of its ${this.total} events`));
    }
    this.decoded = vals;
    this.ends = ends;
    this.decodedFrom = this.total - this.left;
  }
}
