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
    const h = this.decode(f.payload, f.offset, 'header') as RecordingHeader;
    if (!h || typeof h !== 'object' || h.magic !== 'socksim-recording') throw new RecordingError(f.offset, 'header frame is not a socksim header');
    if (h.format !== RECORDING_FORMAT) throw new RecordingError(f.offset, `recording format ${String(h.format)} is not supported (this socksim reads format ${RECORDING_FORMAT})`);
    this.header = h;
  }

  /** Events in order, batch by batch. Throws RecordingError on damage; stops quietly at a truncation. */
  *events(): Generator<SimEvent, void, void> {
    let read = 0;
    for (;;) {
      if (this.pos === this.bytes.length) return; // no end frame: the writer stopped between batches
      const f = this.frame();
      if ('truncatedAt' in f) {
        this.truncated = { offset: f.truncatedAt, eventsRead: read, fileSize: this.bytes.length };
        return;
      }
      if (f.type === FRAME_END) {
        this.end = this.decode(f.payload, f.offset, 'end summary') as RecordingEnd;
        if (this.pos !== this.bytes.length) throw new RecordingError(this.pos, 'unexpected bytes after the end frame');
        return;
      }
      if (f.type !== FRAME_BATCH) throw new RecordingError(f.offset, `unknown frame type 0x${f.type.toString(16)}`);
      const batch = this.decode(f.payload, f.offset, 'batch');
      if (!Array.isArray(batch)) throw new RecordingError(f.offset, 'batch frame does not hold a list of events');
      for (const ev of batch) {
        if (!Array.isArray(ev) || typeof ev[0] !== 'string' || typeof ev[1] !== 'number') {
          throw new RecordingError(f.offset, `batch holds a malformed event after event ${read}`);
        }
        read++;
        yield ev;
      }
    }
  }

  /** All events as an array (reads the whole file). */
  allEvents(): SimEvent[] {
    return [...this.events()];
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

  private decode(payload: Uint8Array, offset: number, what: string): unknown {
    try {
      return packr.unpack(payload);
    } catch (e) {
      throw new RecordingError(offset, `damaged recording: ${what} frame does not decode (${e instanceof Error ? e.message : String(e)})`);
    }
  }
}
