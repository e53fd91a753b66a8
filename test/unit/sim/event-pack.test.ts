/**
 * sim/event-pack.ts must write exactly the bytes msgpackr writes for the same batch (recording.ts's packr settings),
 * so recordings keep their format and a recording made before the fast encoder replays and compares byte for byte.
 * Checked on generated values of every kind an event may hold (integers at each encoding boundary, floats, -0, NaN,
 * strings with non-ASCII and lone surrogates at the fixstr/str8/str16 boundaries, byte strings at the bin8/16/32
 * boundaries, nested arrays, objects, undefined), and on whole recordings of real scenarios.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { EventPacker, HEADROOM } from '../../../sim/event-pack.js';
import {
  FRAME_BATCH, FRAME_END, FRAME_HEADER, MemoryOutput, RECORDING_FORMAT, RECORDING_MAGIC, encodeFrame, packr,
} from '../../../sim/recording.js';
import type { SimEvent } from '../../../sim/events.js';
import { runScenario } from '../../../scenarios/index.js';
import { SOCKSIM_VERSION } from '../../../scenarios/version.js';

const boundaryInts = fc.constantFrom(0, 1, 0x1f, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffffff,
  2 ** 32, 2 ** 53 - 1, -1, -0x20, -0x21, -0x80, -0x81, -0x8000, -0x8001, -(2 ** 31), -(2 ** 31) - 1, -0, NaN, Infinity);

/** Strings around the header boundaries (31/32, 255/256 UTF-8 bytes), with 2-, 3- and 4-byte characters and lone surrogates. */
const strings = fc.oneof(
  fc.string({ maxLength: 70 }),
  fc.string({ unit: 'binary', maxLength: 70 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 28, max: 300 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 10, max: 100 }).map((n) => 'é'.repeat(n)),
  fc.constantFrom('\ud800', 'a\udc00b', '😀'.repeat(20), 'x'.repeat(70_000)),
);

const bins = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom(255, 256, 65535, 65536).map((n) => new Uint8Array(n).fill(7)),
  fc.uint8Array({ minLength: 8, maxLength: 64 }).map((b) => b.subarray(3, 7)), // a view with an offset
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(), boundaryInts, fc.double(), fc.maxSafeInteger(), strings, bins, fc.boolean(), fc.constant(null),
    fc.constant(undefined), fc.array(tie('value'), { maxLength: 20 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie('value'), { maxKeys: 4 }),
  ),
}));

/** The bytes the writer produced before this encoder existed: packr.pack of the whole batch. */
function reference(batch: readonly unknown[]): Uint8Array {
  return Uint8Array.from(packr.pack(batch));
}

/** Whether a fresh EventPacker given `batch` event by event writes `reference(expected)`. */
function packsLikeReference(batch: readonly SimEvent[], expected: readonly unknown[] = batch): boolean {
  const p = new EventPacker(packr);
  for (const ev of batch) p.add(ev);
  return Buffer.from(p.take()).equals(Buffer.from(reference(expected)));
}

describe('EventPacker writes what packr.pack writes', () => {
  test.prop([fc.array(fc.array(value, { maxLength: 8 }), { maxLength: 40 })], { numRuns: 300 })(
    'a batch of generated events', (batch) => {
      const p = new EventPacker(packr);
      for (const ev of batch) p.add(ev);
      expect(Buffer.from(p.take()).equals(Buffer.from(reference(batch)))).toBe(true);
      expect(p.count).toBe(0);
    });

  test.prop([fc.integer({ min: 0, max: 70_000 })], { numRuns: 12 })('array headers at every size (fixarray, array16, array32)', (n) => {
    expect(packsLikeReference(Array.from({ length: n }, (_, i) => [i & 1]))).toBe(true);
  });

  test.prop([fc.array(fc.array(strings, { maxLength: 3 }), { minLength: 1, maxLength: 30 })], { numRuns: 100 })(
    'cached strings encode the same the second time', (batch) => {
      const p = new EventPacker(packr);
      for (const ev of batch) p.add(ev);
      p.take();
      for (const ev of batch) p.add(ev);
      expect(Buffer.from(p.take()).equals(Buffer.from(reference(batch)))).toBe(true);
    });
});

describe('EventPacker: strings as the stack builds them, buffer growth, event boundaries', () => {
  test.prop([fc.array(fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 })), { minLength: 1, maxLength: 30 })], { numRuns: 100 })(
    'strings concatenated at run time (cons strings, as an interface label is) encode as their flat copies do', (pairs) => {
      // Built each time: a new, unflattened string per event, as `${host}:${iface}` is in the stack.
      const batch = pairs.map(([a, b]) => ['k', 1, `${a}:${b}`, a + b]);
      expect(packsLikeReference(batch, batch.map((e) => JSON.parse(JSON.stringify(e))))).toBe(true);
    });

  test.prop([fc.array(fc.tuple(fc.uint8Array({ maxLength: 5000 }), fc.string({ maxLength: 300 }), fc.integer()), { maxLength: 60 })], { numRuns: 40 })(
    'events that cross the buffer size (it starts at 64 KiB and doubles) keep their bytes', (parts) => {
      expect(packsLikeReference(parts.map(([bin, str, n]) => ['tx', n, str, bin, [str, n]]))).toBe(true);
    });

  test.prop([fc.array(fc.array(value, { maxLength: 8 }), { minLength: 1, maxLength: 10 })], { numRuns: 100 })(
    'after clear(), each event added is packr.pack(ev) from where the last one ended (end)', (events) => {
      const p = new EventPacker(packr);
      p.add(['before', 1]);
      p.clear();
      let start = HEADROOM;
      for (const ev of events) {
        p.add(ev);
        expect(Buffer.from(p.buffer.subarray(start, p.end)).equals(Buffer.from(packr.pack(ev)))).toBe(true);
        start = p.end;
      }
      expect(p.count).toBe(events.length);
    });
});

describe('whole recordings keep their bytes', () => {
  /** A recording written the old way (events held in arrays, packed per batch of 512) from the same event stream. */
  function referenceRecording(name: string, params: unknown, events: SimEvent[], end: { status: string; message: string | null; timeNs: number }): Uint8Array {
    const out = new MemoryOutput();
    out.write(RECORDING_MAGIC);
    out.write(encodeFrame(FRAME_HEADER, packr.pack({ magic: 'socksim-recording', format: RECORDING_FORMAT, socksimVersion: SOCKSIM_VERSION, scenario: { name, params }, seed: 1 })));
    for (let i = 0; i < events.length; i += 512) out.write(encodeFrame(FRAME_BATCH, packr.pack(events.slice(i, i + 512))));
    out.write(encodeFrame(FRAME_END, packr.pack({ ...end, events: events.length })));
    return out.bytes();
  }

  for (const [name, params] of [
    ['udp-echo', { clients: 3, requests: 10 }],
    ['tcp-bulk', { bytes: 300_000, loss: 0.02 }],
    ['dns-lookup', { clients: 1 }],
  ] as const) {
    test(`${name}: the writer's bytes equal the reference encoding of the same events`, async () => {
      const events: SimEvent[] = [];
      const rec = await runScenario(name, { seed: 1, params, sink: { push: (e) => events.push(e) } });
      const out = new MemoryOutput();
      const run = await runScenario(name, { seed: 1, params, record: out });
      expect(run.recordedEvents).toBe(events.length);
      expect(events.length).toBeGreaterThan(500); // more than one batch
      const ref = referenceRecording(name, rec.params, events, { status: run.result.status, message: run.result.message, timeNs: run.result.timeNs });
      expect(Buffer.from(out.bytes()).equals(Buffer.from(ref))).toBe(true);
    }, 60_000);
  }
});
