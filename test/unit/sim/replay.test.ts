/**
 * Replay comparison (sim/replay.ts): the first event where a run leaves its recording is reported with its index,
 * virtual time, and expected beside actual; the end of a truncated recording is not a difference. The same checks
 * run against a plain iterator (compared by value) and a recording's cursor (compared by bytes, decoded only where
 * they differ); a damaged batch met during a replay is reported as damage, not as a match.
 */
import { describe, expect, test as vtest, vi } from 'vitest';
import { ReplayComparator, formatDivergence, type Divergence } from '../../../sim/replay.js';
import type { SimEvent } from '../../../sim/events.js';
import { FRAME_OVERHEAD, MemoryOutput, RECORDING_MAGIC, RecordingWriter } from '../../../sim/recording.js';
import { RecordingError, RecordingReader } from '../../../sim/recording-reader.js';
import { Sim } from '../../../sim/sim.js';
import { sleep } from './helpers.js';

const STREAM: SimEvent[] = [
  ['start', 0, 1, 'a', 'client'],
  ['tx', 1_000, 'a-b', 'a:eth0', 1, new Uint8Array([1, 2, 3])],
  ['rand', 1_000, 'loss', 'drop', false],
  ['rx', 2_000, 'a-b', 'b:eth0', 1],
  ['exit', 3_000, 1, 0, null],
];

/** Where the comparator reads the expected events from: an array's iterator (compared by value) or a recording's cursor (by bytes). */
type Source = 'iterator' | 'recording';

/** `events` as a recording's cursor (batches of 2, so comparisons cross batch frames). */
function recordedCursor(events: readonly SimEvent[]) {
  const out = new MemoryOutput();
  const w = new RecordingWriter(out, { socksimVersion: 't', scenario: { name: 't', params: null }, seed: 1 }, 2);
  for (const e of events) w.push(e);
  w.finish({ status: 'completed', message: null, timeNs: 0 });
  return new RecordingReader(out.bytes()).events();
}

/** Feeds `actual` into a comparator over `expected`; returns what it found and how often onDiverge was called. */
function compare(expected: readonly SimEvent[], actual: readonly SimEvent[], stoppedEarly = false, source: Source = 'iterator') {
  const calls: Divergence[] = [];
  const it = source === 'iterator' ? expected[Symbol.iterator]() : recordedCursor(expected);
  const c = new ReplayComparator(it, (d) => calls.push(d), () => stoppedEarly);
  for (const ev of actual) c.push(ev);
  const d = c.finish();
  return { d, calls, c };
}

/** Byte strings in a decoded event are Buffers: compare values, not classes. */
function plain(ev: SimEvent | undefined): unknown {
  return ev?.map((v) => (v instanceof Uint8Array ? [...v] : v));
}

describe.each<Source>(['iterator', 'recording'])('ReplayComparator over an %s', (source) => {
  const cmp = (expected: readonly SimEvent[], actual: readonly SimEvent[]) => compare(expected, actual, false, source);

  vtest('identical streams: no divergence', () => {
    const { d, calls, c } = cmp(STREAM, STREAM.map((e) => [...e]));
    expect(d).toBeNull();
    expect(calls).toHaveLength(0);
    expect(c.matched).toBe(STREAM.length);
  });

  vtest('a changed event: its index, the actual time, expected and actual', () => {
    const actual = STREAM.map((e) => [...e]);
    actual[2] = ['rand', 1_000, 'loss', 'drop', true];
    const { d, calls, c } = cmp(STREAM, actual);
    expect(d).toEqual({ index: 2, timeNs: 1_000, expected: STREAM[2], actual: actual[2] });
    expect(calls).toEqual([d]); // reported once, later events ignored
    expect(c.matched).toBe(2);
  });

  vtest('a changed byte inside a Uint8Array field is a divergence, with both byte strings', () => {
    const actual = STREAM.map((e) => [...e]);
    actual[1] = ['tx', 1_000, 'a-b', 'a:eth0', 1, new Uint8Array([1, 2, 4])];
    const { d } = cmp(STREAM, actual);
    expect(d?.index).toBe(1);
    expect(plain(d?.expected)).toEqual(plain(STREAM[1]));
    expect(plain(d?.actual)).toEqual(plain(actual[1]));
  });

  vtest('a changed time: the time reported is the actual event time', () => {
    const actual = STREAM.map((e) => [...e]);
    actual[3] = ['rx', 2_500, 'a-b', 'b:eth0', 1];
    expect(cmp(STREAM, actual).d).toMatchObject({ index: 3, timeNs: 2_500 });
  });

  vtest('an event missing at the end: index = events matched, expected set, actual undefined', () => {
    const { d, calls } = cmp(STREAM, STREAM.slice(0, 4));
    expect(d).toEqual({ index: 4, timeNs: 3_000, expected: STREAM[4], actual: undefined });
    expect(calls).toHaveLength(1);
  });

  vtest('an extra event: expected undefined, actual set', () => {
    const extra: SimEvent = ['note', 4_000, 'one more'];
    const { d } = cmp(STREAM, [...STREAM, extra]);
    expect(d).toEqual({ index: STREAM.length, timeNs: 4_000, expected: undefined, actual: extra });
  });

  vtest('equal values are equal whatever their encoding: an object with its keys in another order matches', () => {
    const expected: SimEvent[] = [['sys', 5, 1, 'getsockopt', { ret: 0, errno: 0 }], ['exit', 6, 1, 0, null]];
    const actual: SimEvent[] = [['sys', 5, 1, 'getsockopt', { errno: 0, ret: 0 }], ['exit', 6, 1, 0, null]];
    const { d, c } = cmp(expected, actual);
    expect(d).toBeNull();
    expect(c.matched).toBe(2);
    expect(cmp(expected, [['sys', 5, 1, 'getsockopt', { errno: 0, ret: 1 }]]).d?.index).toBe(0);
  });
});

describe('ReplayComparator', () => {
  vtest("over a recording's cursor, events that match byte for byte are never decoded; the first that differs is", () => {
    const cursor = recordedCursor(STREAM);
    const decoded = vi.spyOn(cursor, 'next');
    const c = new ReplayComparator(cursor, () => {});
    for (const ev of STREAM.slice(0, 3)) c.push([...ev]);
    expect(decoded).not.toHaveBeenCalled();
    c.push(['rx', 2_000, 'a-b', 'b:eth0', 2]);
    expect(decoded).toHaveBeenCalledTimes(1);
    expect(c.divergence).toMatchObject({ index: 3, expected: STREAM[3] });
  });

  vtest("over a recording's cursor, an event is compared as it was pushed, even if its buffer changes before its batch is compared", () => {
    const buf = new Uint8Array([1, 2, 3]);
    const same = recordedCursor(STREAM);
    const c = new ReplayComparator(same, () => {});
    c.push(STREAM[0]!);
    c.push(['tx', 1_000, 'a-b', 'a:eth0', 1, buf]);
    c.push(STREAM[2]!); // its batch (events 2 and 3) is compared when event 3 arrives
    buf[2] = 9;
    for (const ev of STREAM.slice(3)) c.push(ev);
    expect(c.finish()).toBeNull();
    const d = compare(STREAM, [STREAM[0]!, ['tx', 1_000, 'a-b', 'a:eth0', 1, buf]], false, 'recording').d;
    buf[2] = 3; // changed back after the push: the report still shows what was pushed
    expect(d).toMatchObject({ index: 1 });
    expect(plain(d?.actual)).toEqual(['tx', 1_000, 'a-b', 'a:eth0', 1, [1, 2, 9]]);
  });

  vtest('stoppedEarly: the recording running out stops the comparison quietly', () => {
    const { d, calls, c } = compare(STREAM.slice(0, 3), [...STREAM, ['note', 9, 'x']], true);
    expect(d).toBeNull();
    expect(calls).toHaveLength(0);
    expect(c.recordingExhausted).toBe(true);
    expect(c.matched).toBe(3);
  });

  vtest('stoppedEarly does not hide a difference before the recording ran out', () => {
    const actual = STREAM.map((e) => [...e]);
    actual[1] = ['tx', 1_000, 'a-b', 'a:eth0', 2, new Uint8Array([1, 2, 3])];
    expect(compare(STREAM.slice(0, 3), actual, true).d?.index).toBe(1);
  });

  vtest('formatDivergence names the index and time and shows both sides', () => {
    const actual = STREAM.map((e) => [...e]);
    actual[1] = ['tx', 1_000, 'a-b', 'a:eth0', 1, new Uint8Array(30).fill(0xab)];
    const text = formatDivergence(compare(STREAM, actual).d!);
    const lines = text.split('\n');
    expect(lines[0]).toBe('first difference at event #1, virtual time 0.000001000s');
    expect(lines[1]).toBe('  expected: ["tx",1000,"a-b","a:eth0",1,"<3 bytes 010203>"]');
    expect(lines[2]).toBe(`  actual:   ["tx",1000,"a-b","a:eth0",1,"<30 bytes ${'ab'.repeat(24)}…>"]`);
    const missing = formatDivergence(compare(STREAM, STREAM.slice(0, 4)).d!);
    expect(missing).toContain('first difference at event #4');
    expect(missing).toContain('actual:   (none: the stream ended)');
  });

  vtest('a damaged batch met during the run: push throws it (the run stops), and finish() throws it again', () => {
    const out = new MemoryOutput();
    const w = new RecordingWriter(out, { socksimVersion: 't', scenario: { name: 't', params: null }, seed: 1 }, 2);
    for (const e of STREAM) w.push(e);
    w.finish({ status: 'completed', message: null, timeNs: 0 });
    const bytes = Uint8Array.from(out.bytes());
    // The second batch frame: after the magic, the header frame and the first batch frame.
    const frameEnd = (at: number) => at + FRAME_OVERHEAD + new DataView(bytes.buffer).getUint32(at + 1, true);
    const second = frameEnd(frameEnd(RECORDING_MAGIC.length));
    bytes[second + FRAME_OVERHEAD + 1]! ^= 0x08;
    const c = new ReplayComparator(new RecordingReader(bytes).events(), () => {});
    c.push(STREAM[0]!);
    c.push(STREAM[1]!);
    expect(() => c.push(STREAM[2]!)).toThrow(RecordingError);
    c.push(STREAM[3]!); // a simulated process that caught the throw goes on: nothing more is compared
    expect(() => c.finish()).toThrow(RecordingError);
    expect(() => c.finish()).toThrow(expect.objectContaining({ offset: second, message: expect.stringMatching(/frame checksum mismatch/) }));
  });
});

describe('replaying a recorded run', () => {
  /** A small run whose random draws depend on the seed; recorded into `sink`. */
  async function run(seed: number, sink: { push(ev: SimEvent): void }) {
    const sim = new Sim({ seed, sink });
    sim.spawn('drawer', 'h', async (p) => {
      const s = sim.random.stream('delays');
      for (let i = 0; i < 5; i++) {
        const d = s.int(1, 1000);
        sim.decide('delays', 'sleep', d);
        await sleep(sim, p, d);
      }
    });
    return sim.run();
  }

  vtest('a replay of the same seed matches; another seed diverges at the first random decision', async () => {
    const out = new MemoryOutput();
    const w = new RecordingWriter(out, { socksimVersion: 't', scenario: { name: 't', params: null }, seed: 1 }, 2);
    const res = await run(1, w);
    w.finish(res);
    const check = async (seed: number, bytes = out.bytes()) => {
      const reader = new RecordingReader(bytes);
      const c = new ReplayComparator(reader.events(), () => {}, () => reader.truncated !== null);
      await run(seed, c);
      return { d: c.finish(), exhausted: c.recordingExhausted };
    };
    expect(await check(1)).toEqual({ d: null, exhausted: false });
    // A recording cut short inside a batch: the replay matches up to the cut, then stops comparing quietly.
    const all = out.bytes();
    let cut = all.length - 1;
    while (new RecordingReader(all.subarray(0, cut)).allEvents().length >= 5) cut--;
    expect(await check(1, all.subarray(0, cut))).toEqual({ d: null, exhausted: true });
    const { d } = await check(2);
    expect(d).toMatchObject({ index: 1, timeNs: 0 });
    expect(d?.expected?.[0]).toBe('rand');
  });
});
