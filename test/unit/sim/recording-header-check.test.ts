import { describe, expect, test } from 'vitest';
import { RecordingError, RecordingReader } from '../../../sim/recording-reader.js';
import { MemoryOutput, RecordingWriter, RECORDING_MAGIC } from '../../../sim/recording.js';

function recording(events: number): Uint8Array {
  const out = new MemoryOutput();
  const w = new RecordingWriter(out, { socksimVersion: 't', scenario: { name: 'x', params: {} }, seed: 1 }, 10);
  for (let i = 0; i < events; i++) w.push(['e', i, i]);
  w.finish({ status: 'completed', message: null, timeNs: events });
  return out.bytes();
}

describe('frame header check', () => {
  test('a damaged length field in a middle frame is damage at that frame, not a cut-short file', () => {
    const b = Buffer.from(recording(50));
    // The first batch frame follows the magic and the header frame.
    const headerLen = b.readUInt32LE(RECORDING_MAGIC.length + 1);
    const batchAt = RECORDING_MAGIC.length + 11 + headerLen;
    b[batchAt + 4]! ^= 0x40; // top byte of the length: the frame would now run far past the end
    const r = new RecordingReader(b);
    let err: unknown;
    try {
      r.allEvents();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecordingError);
    expect((err as RecordingError).offset).toBe(batchAt);
    expect((err as Error).message).toMatch(/header check mismatch/);
  });

  test('a genuinely cut file still reads its whole batches', () => {
    const b = recording(50);
    const r = new RecordingReader(b.subarray(0, b.length - 30));
    const evs = r.allEvents();
    expect(evs.length % 10).toBe(0);
    expect(evs.length).toBeGreaterThan(0);
    expect(r.truncated).not.toBeNull();
  });
});
