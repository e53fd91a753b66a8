/**
 * fileOutput (sim/recording.ts) gathers batches into 256 KB chunks before each write(2): the file must hold exactly
 * the bytes MemoryOutput collects, whatever the batch sizes (many small batches filling chunks, a batch that does
 * not fit the rest of a chunk, a batch bigger than a chunk), and a recording stopped without finish() still holds
 * every batch written before the chunk being filled.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test as vtest } from 'vitest';
import { MemoryOutput, RecordingWriter, fileOutput, type ByteOutput } from '../../../sim/recording.js';
import { RecordingReader } from '../../../sim/recording-reader.js';
import type { SimEvent } from '../../../sim/events.js';

const HEADER = { socksimVersion: '0.1.0', scenario: { name: 'unit', params: null }, seed: 7 };

/** Events whose byte strings vary from a few bytes to 300 KB, so batches straddle and exceed a 256 KB chunk. */
function events(): SimEvent[] {
  const sizes = [10, 4_000, 60_000, 90_000, 300_000, 5, 200_000, 70_000, 1, 130_000];
  const out: SimEvent[] = [];
  for (let i = 0; i < 60; i++) out.push(['tx', i * 1_000, 'a-b', 'a:eth0', i, new Uint8Array(sizes[i % sizes.length]!).fill(i)]);
  return out;
}

/** Records `evs` in batches of `batchSize` into `out`. */
function record(out: ByteOutput, evs: readonly SimEvent[], batchSize: number): void {
  const w = new RecordingWriter(out, HEADER, batchSize);
  for (const e of evs) w.push(e);
  w.finish({ status: 'completed', message: null, timeNs: 60_000 });
}

vtest.each([1, 2, 3, 7])('batches of %i events: the file holds what MemoryOutput holds', (batchSize) => {
  const dir = mkdtempSync(join(tmpdir(), 'socksim-fileout-'));
  try {
    const path = join(dir, 'run.socksim');
    const mem = new MemoryOutput();
    record(mem, events(), batchSize);
    record(fileOutput(path), events(), batchSize);
    expect(readFileSync(path).equals(Buffer.from(mem.bytes()))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

vtest('a run never finished: the file holds whole frames only, read up to the last one written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'socksim-fileout-'));
  try {
    const path = join(dir, 'run.socksim');
    const out = fileOutput(path);
    const w = new RecordingWriter(out, HEADER, 1);
    const evs = events().slice(0, 12);
    for (const e of evs) w.push(e);
    // No finish(): what is on disk is whatever whole chunks (and big batches) were written, each a run of whole
    // frames, so the reader stops cleanly at the end of the file with no end frame.
    const r = new RecordingReader(readFileSync(path));
    const read = r.allEvents();
    expect(r.truncated).toBeNull();
    expect(r.end).toBeNull();
    expect(read.length).toBeGreaterThan(0);
    expect(read.length).toBeLessThan(evs.length);
    out.close();
  } finally {
    rmSync(dir, { recursive: true });
  }
});
