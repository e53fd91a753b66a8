/**
 * The recording format (sim/recording.ts): magic, then CRC-guarded frames (header, event batches, end summary).
 * Checked: everything round-trips; the bytes are a pure function of the events (DEVELOPERS.md: the same scenario
 * and seed give the same recording bytes); a file cut short reads up to its last whole batch and says where it
 * stopped; a damaged or foreign file is rejected with the byte offset of the damage.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test as vtest } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import {
  FRAME_BATCH, FRAME_END, FRAME_HEADER, FRAME_OVERHEAD, MemoryOutput, RECORDING_FORMAT, RECORDING_MAGIC, RecordingWriter,
  encodeFrame, fileOutput, packr, type RecordingHeader,
} from '../../../sim/recording.js';
import { DIFFERENT, MATCHED, NO_MORE, RecordingError, RecordingReader } from '../../../sim/recording-reader.js';
import { EventPacker, HEADROOM } from '../../../sim/event-pack.js';
import type { SimEvent } from '../../../sim/events.js';

const HEADER = { socksimVersion: '0.1.0', scenario: { name: 'unit', params: { hosts: 2, rate: 1e9, tag: 'x' } }, seed: 42 };
const END = { status: 'completed', message: null, timeNs: 5_000 };

/** Writes events with the given batch size; returns the bytes. */
function record(events: readonly SimEvent[], batchSize = 3, finish = true): Uint8Array {
  const out = new MemoryOutput();
  const w = new RecordingWriter(out, HEADER, batchSize);
  for (const e of events) w.push(e);
  if (finish) w.finish(END);
  else w.flush();
  return out.bytes();
}

/** Events as plain arrays with Uint8Array (not Buffer) fields, so toEqual compares values only. */
function plain(events: readonly SimEvent[]): unknown[] {
  const norm = (v: unknown): unknown =>
    v instanceof Uint8Array ? Uint8Array.from(v) : Array.isArray(v) ? v.map(norm) : v;
  return events.map(norm);
}

/** Offsets where each frame starts (after the magic), with its type. */
function frames(bytes: Uint8Array): { type: number; offset: number; end: number }[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: { type: number; offset: number; end: number }[] = [];
  for (let off = RECORDING_MAGIC.length; off < bytes.length;) {
    const end = off + FRAME_OVERHEAD + dv.getUint32(off + 1, true);
    out.push({ type: bytes[off]!, offset: off, end });
    off = end;
  }
  return out;
}

/** An error thrown by fn, or a failure if it did not throw. */
function thrown(fn: () => unknown): RecordingError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RecordingError);
    return e as RecordingError;
  }
  throw new Error('expected a RecordingError, nothing was thrown');
}

const EVENTS: SimEvent[] = [
  ['start', 0, 1, 'host-a', 'server'],
  ['tx', 1_000, 'a-b', 'a:eth0', 7, new Uint8Array([0x45, 0, 0, 20, 0xde, 0xad])],
  ['rand', 1_000, 'link:a-b:loss', 'drop', false],
  ['rx', 2_500, 'a-b', 'b:eth0', 7],
  ['note', 3_000, 'hello, world ✓'],
  ['syscall', 3_000, 2, 'recvfrom', [3, 1500, 0], { ret: -1, errno: 'EAGAIN' }],
  ['tx', 4_000, 'a-b', 'a:eth0', 8, new Uint8Array(0)],
  ['exit', 5_000, 1, 0, null],
];

/** Fields of every kind an event may hold. */
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 64 }),
  fc.array(fc.oneof(fc.nat(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
);
/** Events: a kind, a time and such fields. */
const eventArb = fc.tuple(
  fc.constantFrom('start', 'exit', 'tx', 'rx', 'rand', 'syscall'),
  fc.nat({ max: 2 ** 50 }),
  fc.array(valueArb, { maxLength: 5 }),
).map(([k, t, rest]): SimEvent => [k, t, ...rest]);

describe('recording round trip', () => {
  vtest('header, all events (Uint8Array fields included) and the end summary read back', () => {
    const r = new RecordingReader(record(EVENTS));
    expect(r.header).toEqual({ magic: 'socksim-recording', format: RECORDING_FORMAT, ...HEADER });
    const got = r.allEvents();
    expect(plain(got)).toEqual(plain(EVENTS));
    expect(got[1]![5]).toBeInstanceOf(Uint8Array);
    expect(r.end).toEqual({ ...END, events: EVENTS.length });
    expect(r.truncated).toBeNull();
  });

  test.prop([fc.array(eventArb, { maxLength: 60 }), fc.integer({ min: 1, max: 10 })], { numRuns: 150 })(
    'any event list and batch size round-trips, and the same input gives the same bytes',
    (events, batchSize) => {
      const bytes = record(events, batchSize);
      const r = new RecordingReader(bytes);
      expect(plain(r.allEvents())).toEqual(plain(events));
      expect(r.end?.events).toBe(events.length);
      expect(frames(bytes).filter((f) => f.type === FRAME_BATCH)).toHaveLength(Math.ceil(events.length / batchSize));
      // Determinism: writing the same events again gives identical bytes.
      expect(Buffer.from(record(events, batchSize)).equals(Buffer.from(bytes))).toBe(true);
    },
  );

  vtest('identical input gives byte-identical output, and one changed field changes the bytes', () => {
    const a = record(EVENTS);
    const b = record(EVENTS.map((e) => [...e]));
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    const changed = EVENTS.map((e) => [...e]);
    changed[3] = ['rx', 2_501, 'a-b', 'b:eth0', 7];
    expect(Buffer.from(record(changed)).equals(Buffer.from(a))).toBe(false);
  });

  vtest('a recording without an end frame (the writer stopped between batches) reads all its events', () => {
    const r = new RecordingReader(record(EVENTS, 3, false));
    expect(plain(r.allEvents())).toEqual(plain(EVENTS));
    expect(r.end).toBeNull();
    expect(r.truncated).toBeNull();
  });

  vtest('a recording that sits at an odd offset inside a larger buffer reads the same', () => {
    const bytes = record(EVENTS);
    const big = new Uint8Array(bytes.length + 7);
    big.set(bytes, 3);
    const r = new RecordingReader(big.subarray(3, 3 + bytes.length));
    expect(plain(r.allEvents())).toEqual(plain(EVENTS));
    expect(r.end?.events).toBe(EVENTS.length);
  });

  vtest('fileOutput writes the same bytes as MemoryOutput', () => {
    const dir = mkdtempSync(join(tmpdir(), 'socksim-rec-'));
    try {
      const path = join(dir, 'run.socksim');
      const w = new RecordingWriter(fileOutput(path), HEADER, 3);
      for (const e of EVENTS) w.push(e);
      w.finish(END);
      expect(readFileSync(path).equals(Buffer.from(record(EVENTS, 3)))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  vtest('finish() twice is harmless; an event after finish() is a broken invariant and throws', () => {
    const out = new MemoryOutput();
    const w = new RecordingWriter(out, HEADER, 1);
    w.push(EVENTS[0]!);
    w.finish(END);
    const done = Uint8Array.from(out.bytes());
    w.finish(END);
    // With batchSize 1 the late event would be written at once, after the end frame (or into a closed, perhaps
    // reused, file descriptor with fileOutput).
    expect(() => w.push(EVENTS[1]!)).toThrow(/after finish/);
    expect(() => w.flush()).not.toThrow();
    expect([...out.bytes()]).toEqual([...done]);
    expect(new RecordingReader(out.bytes()).allEvents()).toHaveLength(1);
  });

  vtest('the writer batches: a frame per batchSize events, then the end frame', () => {
    const bytes = record(EVENTS, 3);
    expect([...bytes.subarray(0, 8)]).toEqual([...RECORDING_MAGIC]);
    expect(frames(bytes).map((f) => String.fromCharCode(f.type)).join('')).toBe('HBBBE');
  });
});

describe('truncated recordings', () => {
  const bytes = record(EVENTS, 3);
  const fs = frames(bytes);
  const batches = fs.filter((f) => f.type === FRAME_BATCH);
  const last = batches[batches.length - 1]!;
  const eventsBefore = (batches.length - 1) * 3;

  vtest('cut anywhere inside the last batch: all earlier batches read, truncated.offset = start of the cut frame', () => {
    for (let cut = last.offset + 1; cut < last.end; cut++) {
      const r = new RecordingReader(bytes.subarray(0, cut));
      const got = r.allEvents();
      expect(plain(got)).toEqual(plain(EVENTS.slice(0, eventsBefore)));
      expect(r.truncated).toEqual({ offset: last.offset, eventsRead: eventsBefore, fileSize: cut });
      expect(r.end).toBeNull();
    }
  });

  vtest('cut inside the end frame: every event reads, truncation at the end frame', () => {
    const endFrame = fs[fs.length - 1]!;
    expect(endFrame.type).toBe(FRAME_END);
    for (const cut of [endFrame.offset + 1, endFrame.offset + FRAME_OVERHEAD, endFrame.end - 1]) {
      const r = new RecordingReader(bytes.subarray(0, cut));
      expect(r.allEvents()).toHaveLength(EVENTS.length);
      expect(r.truncated?.offset).toBe(endFrame.offset);
    }
  });

  vtest('cut inside the header: RecordingError naming the header frame offset', () => {
    const header = fs[0]!;
    expect(header.type).toBe(FRAME_HEADER);
    for (const cut of [8, 9, 8 + FRAME_OVERHEAD, header.end - 1]) {
      const e = thrown(() => new RecordingReader(bytes.subarray(0, cut)));
      expect(e.offset).toBe(8);
      expect(e.message).toMatch(/cut short inside its header \(at byte offset 8\)/);
    }
  });

  vtest('cut inside the magic: rejected as not a recording at offset 0', () => {
    for (const cut of [1, 4, 7]) {
      const e = thrown(() => new RecordingReader(bytes.subarray(0, cut)));
      expect(e.offset).toBe(0);
      expect(e.message).toMatch(/magic/);
    }
  });
});

describe('damaged and foreign files', () => {
  const bytes = record(EVENTS, 3);
  const batches = frames(bytes).filter((f) => f.type === FRAME_BATCH);

  vtest('a flipped byte in any batch payload: RecordingError naming that frame offset', () => {
    for (const b of batches) {
      for (const at of [b.offset + FRAME_OVERHEAD, (b.offset + FRAME_OVERHEAD + b.end) >> 1, b.end - 1]) {
        const damaged = Uint8Array.from(bytes); // a copy: Buffer#slice would be a view
        damaged[at]! ^= 0x01;
        const r = new RecordingReader(damaged);
        const e = thrown(() => r.allEvents());
        expect(e.offset).toBe(b.offset);
        expect(e.message).toContain(`checksum mismatch (at byte offset ${b.offset})`);
      }
    }
  });

  vtest('a damaged frame type byte: RecordingError naming that frame offset', () => {
    const b = batches[1]!;
    const damaged = Uint8Array.from(bytes);
    damaged[b.offset] = 0x5a;
    const e = thrown(() => new RecordingReader(damaged).allEvents());
    expect(e.offset).toBe(b.offset);
    expect(e.message).toMatch(/unknown frame type 0x5a/);
  });

  vtest('bytes after the end frame are rejected', () => {
    const extra = new Uint8Array(bytes.length + 1);
    extra.set(bytes);
    const e = thrown(() => new RecordingReader(extra).allEvents());
    expect(e.offset).toBe(bytes.length);
  });

  vtest('an empty file and a foreign file: RecordingError at offset 0 mentioning the magic', () => {
    const empty = thrown(() => new RecordingReader(new Uint8Array(0)));
    expect(empty.offset).toBe(0);
    expect(empty.message).toMatch(/magic "SOCKSIM\\x01" \(found nothing\)/);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const foreign = thrown(() => new RecordingReader(png));
    expect(foreign.offset).toBe(0);
    expect(foreign.message).toMatch(/magic.*found 89504e470d0a1a0a/);
    const text = thrown(() => new RecordingReader(new TextEncoder().encode('SOCKSIM recording, honest')));
    expect(text.offset).toBe(0);
  });

  vtest.each([0, 2, 99])('an unknown format number (%i) is rejected at the header frame', (format) => {
    const h: RecordingHeader = { magic: 'socksim-recording', format, ...HEADER };
    const file = Buffer.concat([RECORDING_MAGIC, encodeFrame(FRAME_HEADER, packr.pack(h))]);
    const e = thrown(() => new RecordingReader(file));
    expect(e.offset).toBe(8);
    expect(e.message).toContain(`recording format ${format} is not supported (this socksim reads format ${RECORDING_FORMAT})`);
  });

  vtest('a header frame that is not a socksim header is rejected', () => {
    const file = Buffer.concat([RECORDING_MAGIC, encodeFrame(FRAME_HEADER, packr.pack({ magic: 'other', format: 1 }))]);
    expect(thrown(() => new RecordingReader(file)).message).toMatch(/not a socksim header/);
  });

  vtest('a batch frame that does not hold events is rejected with its offset', () => {
    const head = record([], 3, false);
    const badOffset = head.length;
    for (const payload of [{ not: 'a list' }, [['kind-without-time']], [[1, 2]]]) {
      const file = Buffer.concat([head, encodeFrame(FRAME_BATCH, packr.pack(payload))]);
      const e = thrown(() => new RecordingReader(file).allEvents());
      expect(e.offset).toBe(badOffset);
    }
  });
});

describe('EventCursor: comparing events by their bytes (what replay does)', () => {
  /** Events encoded as the writer encodes them, in a packer of their own: [view, start, length, count] for match(). */
  function encoded(...evs: SimEvent[]): [DataView, number, number, number] {
    const p = new EventPacker(packr);
    for (const ev of evs) p.add(ev);
    return [p.dataView, HEADROOM, p.end - HEADROOM, evs.length];
  }

  vtest('each recorded event matches its own encoding; then there is none; the end summary is read', () => {
    const r = new RecordingReader(record(EVENTS, 3));
    const c = r.events();
    for (const ev of EVENTS) expect(c.match(...encoded(ev))).toBe(MATCHED);
    expect(c.match(...encoded(EVENTS[0]!))).toBe(NO_MORE);
    expect(c.next().done).toBe(true);
    expect(r.end).toEqual({ ...END, events: EVENTS.length });
  });

  vtest('several events at once: matched together only if all match and the batch holds them all', () => {
    const c = new RecordingReader(record(EVENTS, 3)).events();
    expect(c.batchLeft()).toBe(3);
    expect(c.match(...encoded(...EVENTS.slice(0, 4)))).toBe(DIFFERENT); // more than the batch holds
    expect(c.match(...encoded(EVENTS[0]!, EVENTS[2]!))).toBe(DIFFERENT);
    expect(c.match(...encoded(...EVENTS.slice(0, 2)))).toBe(MATCHED);
    expect(c.batchLeft()).toBe(1);
    expect(c.match(...encoded(EVENTS[2]!))).toBe(MATCHED);
    expect(c.batchLeft()).toBe(3); // the next batch
    expect(c.match(...encoded(...EVENTS.slice(3, 6)))).toBe(MATCHED);
    expect(c.match(...encoded(...EVENTS.slice(6)))).toBe(MATCHED);
    expect(c.batchLeft()).toBe(0);
  });

  vtest('a different event is DIFFERENT and not consumed: next() then decodes the recorded one', () => {
    const c = new RecordingReader(record(EVENTS, 3)).events();
    expect(c.match(...encoded(EVENTS[0]!))).toBe(MATCHED);
    expect(c.match(...encoded(['tx', 1_000, 'a-b', 'a:eth0', 7, new Uint8Array([0x45, 0, 0, 20, 0xde, 0xae])]))).toBe(DIFFERENT);
    expect(c.match(...encoded(EVENTS[2]!))).toBe(DIFFERENT); // a later event is not where the cursor is
    expect(plain([c.next().value!])).toEqual(plain([EVENTS[1]!]));
    expect(c.match(...encoded(EVENTS[2]!))).toBe(MATCHED);
  });

  test.prop([fc.array(eventArb, { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), fc.array(fc.boolean(), { minLength: 40, maxLength: 40 })], { numRuns: 100 })(
    'matching and decoding can alternate in any order: every event is seen once, in order', (events, batchSize, byBytes) => {
      const r = new RecordingReader(record(events, batchSize));
      const c = r.events();
      events.forEach((ev, i) => {
        if (byBytes[i]) expect(c.match(...encoded(ev))).toBe(MATCHED);
        else expect(plain([c.next().value!])).toEqual(plain([ev]));
      });
      expect(c.match(...encoded(['x', 0]))).toBe(NO_MORE);
      expect(r.end?.events).toBe(events.length);
    });

  /** A file whose one batch frame has a valid checksum around `payload`. */
  function withBatch(payload: Uint8Array): Uint8Array {
    return Buffer.concat([record([], 3, false), encodeFrame(FRAME_BATCH, payload)]);
  }

  vtest('a batch with bytes after its last event is damage at that batch, by either path', () => {
    const file = withBatch(Buffer.concat([packr.pack([EVENTS[0]]), Uint8Array.of(0xc0)]));
    const at = record([], 3, false).length;
    const e1 = thrown(() => new RecordingReader(file).events().match(...encoded(EVENTS[0]!)));
    expect(e1.offset).toBe(at);
    expect(e1.message).toMatch(/batch frame does not decode \(1 bytes after its last event\)/);
    expect(thrown(() => new RecordingReader(file).allEvents()).offset).toBe(at);
  });

  vtest('a batch holding fewer events than its list header says is damage at that batch, by either path', () => {
    const full = packr.pack([EVENTS[0], EVENTS[3]]);
    const file = withBatch(full.subarray(0, full.length - 1));
    const at = record([], 3, false).length;
    const viaBytes = () => {
      const c = new RecordingReader(file).events();
      expect(c.match(...encoded(EVENTS[0]!))).toBe(MATCHED);
      expect(c.match(...encoded(EVENTS[3]!))).toBe(DIFFERENT);
      c.next();
    };
    expect(thrown(viaBytes).offset).toBe(at);
    const e = thrown(() => new RecordingReader(file).allEvents());
    expect(e.offset).toBe(at);
    expect(e.message).toMatch(/batch frame does not decode/);
  });

  vtest('an empty batch is skipped', () => {
    const file = Buffer.concat([withBatch(packr.pack([])), encodeFrame(FRAME_BATCH, packr.pack([EVENTS[0]]))]);
    const c = new RecordingReader(file).events();
    expect(c.match(...encoded(EVENTS[0]!))).toBe(MATCHED);
    expect(c.match(...encoded(EVENTS[0]!))).toBe(NO_MORE);
  });
});
