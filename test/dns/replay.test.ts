/**
 * DNS lookups are ordinary simulated traffic: a dns-lookup run (lossy links, retries, TCP fallback, the resolver's
 * random query IDs and ports, the stub's random IDs) records to the same bytes every time, and replaying the
 * recording reproduces every event (DEVELOPERS.md, "Determinism").
 */
import { expect, test } from 'vitest';
import { MemoryOutput } from '../../sim/recording.js';
import { runScenario } from '../../scenarios/index.js';
import { replayBytes } from '../../scenarios/replay.js';
import { RecordingReader } from '../../sim/recording-reader.js';

test('a dns-lookup recording is byte-identical across runs and replays without divergence', async () => {
  const record = async (): Promise<Uint8Array> => {
    const out = new MemoryOutput();
    const run = await runScenario('dns-lookup', { seed: 'dns-replay', params: { loss: 0.2 }, record: out });
    expect(run.hooks.ok?.()).toBe(true);
    return out.bytes();
  };
  const a = await record();
  const b = await record();
  expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
  // The random decisions of the name service are in the recording, not only the seed.
  const decisions = [...new RecordingReader(a).events()].filter((e) => e[0] === 'rand').map((e) => e[3]);
  expect(decisions).toContain('dns-query-id');
  expect(decisions).toContain('dns-upstream-id');
  const report = await replayBytes(a);
  expect(report.divergence).toBeNull();
  expect(report.identical).toBe(true);
}, 120_000);
