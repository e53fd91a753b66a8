/**
 * Bulk transfer over a 1 Gbit/s, 5 ms (10 ms RTT) link with a 1000-frame drop-tail queue, as Linux would run it:
 * CUBIC with HyStart, initial window 10, receive-buffer auto-tuning up to tcp_rmem[2]. Wall time is printed, never
 * asserted (bench/tcp-bulk.ts measures speed).
 */
import { describe, expect, test } from 'vitest';
import { bulk } from '../../bench/tcp-bulk.js';

describe('bulk transfer, 1 Gbit/s × 10 ms RTT', () => {
  test('100 MB without random loss: ≥ 90 % of the link rate once past slow start, ≥ 85 % end to end', async () => {
    const r = await bulk(100e6);
    console.log(`100 MB: ${(r.goodputBps / 1e6).toFixed(1)} Mbit/s overall, ${(r.steadyBps / 1e6).toFixed(1)} Mbit/s after slow start, ` +
      `${r.retransmits} retransmissions, ${r.frames} frames, wall ${r.wallMs} ms, cpu ${r.cpuMs} ms`);
    expect(r.bytes).toBe(100e6);
    // Payload can fill at most 1448/1514 of the wire (95.6 %); the handshake, ARP and slow start cost the rest.
    expect(r.steadyBps).toBeGreaterThan(0.9e9);
    expect(r.goodputBps).toBeGreaterThan(0.85e9);
  });

  for (const cc of ['cubic', 'reno']) {
    test(`with 1 % random loss each way, ${cc} completes 20 MB intact`, async () => {
      const r = await bulk(20e6, 0.01, cc);
      console.log(`${cc} 1 % loss: ${(r.goodputBps / 1e6).toFixed(1)} Mbit/s, ${r.retransmits} retransmissions, wall ${r.wallMs} ms`);
      expect(r.bytes).toBe(20e6);
      expect(r.retransmits).toBeGreaterThan(0);
    });
  }
});
