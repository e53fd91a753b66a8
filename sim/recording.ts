/**
 * The recording file format, and its writer.
 *
 * Layout: the 8-byte magic "SOCKSIM\x01", then frames. A frame is
 *   type (1 byte: 'H' header, 'B' batch of events, 'E' end summary) · length (u32 LE) · check of those 5 bytes
 *   (u16 LE, low half of their CRC-32) · CRC-32 of the payload (u32 LE) · payload (msgpack).
 * The header check tells a damaged length (rejected) from a frame that really runs past the end of a cut file.
 * The header is the first frame; batches follow while the run goes (a killed process loses only what fileOutput had
 * not yet written); the end frame says how the run finished. A reader can therefore tell a file cut short (frame
 * runs past the end) from a damaged one (CRC mismatch, unknown frame type), and name the byte offset of either.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { Packr } from 'msgpackr';
import { crc32 } from './crc32.js';
import { EventPacker } from './event-pack.js';
import type { EventSink, SimEvent } from './events.js';

/** File magic: "SOCKSIM" and format generation 1. */
export const RECORDING_MAGIC = new Uint8Array([0x53, 0x4f, 0x43, 0x4b, 0x53, 0x49, 0x4d, 0x01]);
/** Version of the header/event schema inside the frames. */
export const RECORDING_FORMAT = 1;
/** Frame type bytes. */
export const FRAME_HEADER = 0x48, FRAME_BATCH = 0x42, FRAME_END = 0x45;
/** Bytes before each frame's payload. */
export const FRAME_OVERHEAD = 11;

/** What a recording says about the run it holds. */
export interface RecordingHeader {
  magic: 'socksim-recording';
  format: number;
  /** socksim's package version that wrote it. */
  socksimVersion: string;
  /** The scenario: its registered name and the parameters it ran with (enough to run it again). */
  scenario: { name: string; params: unknown };
  /** The master seed. */
  seed: string | number;
  /** Optional facts about why the recording exists (a fuzz failure: its property and message). */
  meta?: Record<string, unknown>;
}

/** How the run ended, written last. */
export interface RecordingEnd {
  status: string;
  message: string | null;
  timeNs: number;
  /** Events in the file. */
  events: number;
}

/** A msgpack codec with settings that make the bytes a pure function of the values. */
export const packr = new Packr({ useRecords: false, variableMapSize: true, mapsAsObjects: true, useFloat32: 0 });

/** Where recording bytes go. */
export interface ByteOutput {
  /** Takes the next bytes; they are valid only during the call (the writer reuses its batch buffer): copy to keep. */
  write(bytes: Uint8Array): void;
  close(): void;
}

/** Bytes fileOutput gathers before a write(2); a batch this big or bigger is written at once. */
const FILE_CHUNK = 256 * 1024;

/**
 * Writes to a file as the run goes, FILE_CHUNK bytes at a time (synchronous writes). A crash the simulator sees
 * ends the recording cleanly and loses nothing; a killed process loses what was not yet written: the batch being
 * filled and at most FILE_CHUNK bytes of whole batches before it. Chunks rather than a write per batch: a write(2)
 * made between stretches of simulation cost ~30 µs here, and udp-echo's 249 batches of 24 KB spent ~8 ms of a
 * ~300 ms run in writes, ~4 ms in 256 KB chunks (64 KB chunks saved nothing; 1 MB no more than 256 KB).
 */
export function fileOutput(path: string): ByteOutput {
  const fd = openSync(path, 'w');
  const chunk = new Uint8Array(FILE_CHUNK);
  let used = 0;
  const writeAll = (b: Uint8Array, len: number): void => {
    let off = 0;
    while (off < len) off += writeSync(fd, b, off, len - off);
  };
  const drain = (): void => {
    writeAll(chunk, used);
    used = 0;
  };
  return {
    write: (b) => {
      if (used + b.length > FILE_CHUNK) drain();
      if (b.length >= FILE_CHUNK) return writeAll(b, b.length); // a big batch goes as it is, not through the copy
      chunk.set(b, used);
      used += b.length;
    },
    close: () => {
      drain();
      closeSync(fd);
    },
  };
}

/** Collects bytes in memory; `bytes()` concatenates them. */
export class MemoryOutput implements ByteOutput {
  private chunks: Uint8Array[] = [];
  write(b: Uint8Array): void {
    this.chunks.push(b.slice()); // the writer reuses its buffer after the call
  }
  close(): void {}
  /** Everything written so far. */
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/** Encodes one frame. */
export function encodeFrame(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_OVERHEAD + payload.length);
  out.set(payload, FRAME_OVERHEAD);
  frameHeaderInto(type, out);
  return out;
}

/** Fills the first FRAME_OVERHEAD bytes of `frame` (type, length, header check, payload CRC) for the payload after them. */
function frameHeaderInto(type: number, frame: Uint8Array): void {
  const dv = new DataView(frame.buffer, frame.byteOffset, FRAME_OVERHEAD);
  frame[0] = type;
  dv.setUint32(1, frame.length - FRAME_OVERHEAD, true);
  dv.setUint16(5, crc32(frame, 0, 5) & 0xffff, true);
  dv.setUint32(7, crc32(frame, FRAME_OVERHEAD), true);
}

/** Streams events into a recording, in batches. */
export class RecordingWriter implements EventSink {
  /** The pending batch, encoded as each event arrives (the bytes packr.pack(batch) would give). */
  private readonly batch = new EventPacker(packr);
  private count = 0;
  private closed = false;

  constructor(
    private readonly out: ByteOutput,
    header: Omit<RecordingHeader, 'magic' | 'format'>,
    /** Events per batch: the most a crash can lose. */
    private readonly batchSize = 512,
  ) {
    out.write(RECORDING_MAGIC);
    const h: RecordingHeader = { magic: 'socksim-recording', format: RECORDING_FORMAT, ...header };
    out.write(encodeFrame(FRAME_HEADER, packr.pack(h)));
  }

  /** Events taken so far. */
  get events(): number {
    return this.count;
  }

  push(ev: SimEvent): void {
    // After finish() the output is closed: a late event would land after the end frame, or in whatever file now
    // owns the closed descriptor's number.
    if (this.closed) throw new Error(`RecordingWriter: event ${JSON.stringify(ev[0])} at ${String(ev[1])} ns pushed after finish()`);
    this.batch.add(ev);
    this.count++;
    if (this.batch.count >= this.batchSize) this.flush();
  }

  /** Writes the pending batch now. */
  flush(): void {
    if (this.batch.count === 0) return;
    // The frame is built in the packer's buffer, in front of the batch: no copy of the events' bytes.
    const frame = this.batch.take(FRAME_OVERHEAD);
    frameHeaderInto(FRAME_BATCH, frame);
    this.out.write(frame);
  }

  /** Writes the last batch and the end frame, and closes the output. */
  finish(end: Omit<RecordingEnd, 'events'>): void {
    if (this.closed) return;
    this.flush();
    const e: RecordingEnd = { ...end, events: this.count };
    this.out.write(encodeFrame(FRAME_END, packr.pack(e)));
    this.out.close();
    this.closed = true;
  }
}
