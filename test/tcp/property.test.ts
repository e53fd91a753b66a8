/**
 * Reliability under faults (RFC 9293 §3.1 "reliability"): whatever the link does — loss, duplication, reordering,
 * corruption (caught by the checksum), jitter — a byte stream arrives complete, in order and exactly once, both
 * ways at once, and once the faults stop every connection finishes with an orderly close.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { twoHosts, listenOn, connectTo, sendAll, readAll, pattern, thread, join } from './util.js';
import type { LinkParams } from '../../stack/faults.js';

interface Case {
  seed: number;
  /** Per-host sysctl variations: SACK and timestamps off exercise NewReno recovery and RTT without TSecr. */
  sack?: boolean;
  ts?: boolean;
  cc?: string;
  up: number;
  down: number;
  faults: Partial<LinkParams>;
  stopAtMs: number;
  latencyMs: number;
}

async function transfer(c: Case): Promise<{ status: string; upOk: boolean; downOk: boolean; ends: number[]; errs: string[] }> {
  const { sim, a, b, link } = twoHosts({ latencyNs: c.latencyMs * 1e6, ...c.faults }, c.seed);
  for (const h of [a, b]) {
    h.tcp.sysctl.sack = c.sack ?? true;
    h.tcp.sysctl.timestamps = c.ts ?? true;
    h.tcp.sysctl.congestionControl = c.cc ?? 'cubic';
  }
  const up = pattern(c.up, c.seed);
  const down = pattern(c.down, c.seed + 1);
  let gotUp: Uint8Array | null = null;
  let gotDown: Uint8Array | null = null;
  const ends: number[] = [];
  const errs: string[] = [];
  b.spawn('server', async (sys) => {
    const l = await listenOn(sys, 80);
    const fd = await sys.accept(l, null);
    if (fd < 0) return errs.push(`accept ${sys.errno}`);
    await sys.close(l);
    const w = thread(sys, 'server-writer', async (s2) => {
      const n = await sendAll(s2, fd, down);
      if (n !== down.length) errs.push(`server send ${n}`);
      if ((await s2.shutdown(fd, 1)) < 0) errs.push(`server shutdown ${s2.errno}`);
    });
    const r = await readAll(sys, fd);
    gotUp = r.data;
    ends.push(r.end);
    await join(sys, w);
    await sys.close(fd);
  });
  a.spawn('client', async (sys) => {
    const fd = await connectTo(sys, '10.0.0.2', 80);
    if (fd < 0) return errs.push(`connect ${-fd}`);
    const rd = thread(sys, 'client-reader', async (s2) => {
      const r = await readAll(s2, fd);
      gotDown = r.data;
      ends.push(r.end);
    });
    const n = await sendAll(sys, fd, up);
    if (n !== up.length) errs.push(`client send ${n}`);
    if ((await sys.shutdown(fd, 1)) < 0) errs.push(`client shutdown ${sys.errno}`);
    await join(sys, rd);
    await sys.close(fd);
  });
  sim.at(c.stopAtMs * 1e6, () => link.setParams({ loss: 0, duplicate: 0, reorder: 0, corrupt: 0, jitterNs: 0 }));
  const r = await sim.run();
  const same = (x: Uint8Array | null, y: Uint8Array): boolean => x !== null && x.length === y.length && Buffer.from(x).equals(Buffer.from(y));
  return { status: r.status, upOk: same(gotUp, up), downOk: same(gotDown, down), ends, errs };
}

const faultArb = fc.record({
  loss: fc.double({ min: 0, max: 0.25, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  reorder: fc.double({ min: 0, max: 0.25, noNaN: true }),
  reorderDelayNs: fc.integer({ min: 100_000, max: 20_000_000 }),
  corrupt: fc.double({ min: 0, max: 0.05, noNaN: true }),
  jitterNs: fc.integer({ min: 0, max: 3_000_000 }),
});

describe('TCP delivers a byte stream exactly once, in order, through faulty links', () => {
  test.prop([
    fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      up: fc.integer({ min: 0, max: 150_000 }),
      down: fc.integer({ min: 0, max: 60_000 }),
      faults: faultArb,
      stopAtMs: fc.integer({ min: 500, max: 30_000 }),
      latencyMs: fc.integer({ min: 1, max: 20 }),
    }),
  ], { numRuns: Number(process.env.TCP_PROP_RUNS ?? 60) })('both directions arrive intact and both sides see EOF once faults stop', async (c) => {
    const r = await transfer(c);
    expect(r.errs).toEqual([]);
    expect(r.status).toBe('completed');
    expect(r.upOk).toBe(true);
    expect(r.downOk).toBe(true);
    expect(r.ends).toEqual([0, 0]);
  });
});

describe('TCP through a congested, lossy bottleneck', () => {
  test.prop([
    fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      sack: fc.boolean(),
      ts: fc.boolean(),
      cc: fc.constantFrom('cubic', 'reno'),
      up: fc.integer({ min: 0, max: 1_500_000 }),
      down: fc.integer({ min: 0, max: 300_000 }),
      faults: fc.record({
        loss: fc.double({ min: 0, max: 0.3, noNaN: true }),
        duplicate: fc.double({ min: 0, max: 0.05, noNaN: true }),
        reorder: fc.double({ min: 0, max: 0.1, noNaN: true }),
        reorderDelayNs: fc.integer({ min: 100_000, max: 5_000_000 }),
        corrupt: fc.double({ min: 0, max: 0.02, noNaN: true }),
        jitterNs: fc.constant(0),
        rateBps: fc.constantFrom(1e6, 10e6, 100e6),
        queueLimit: fc.integer({ min: 2, max: 100 }),
      }),
      stopAtMs: fc.integer({ min: 500, max: 60_000 }),
      latencyMs: fc.integer({ min: 1, max: 50 }),
    }),
  ], { numRuns: Number(process.env.TCP_PROP_RUNS ?? 25) })('SACK or not, CUBIC or Reno: the streams arrive intact', async (c) => {
    const r = await transfer(c);
    expect(r.errs).toEqual([]);
    expect(r.status).toBe('completed');
    expect(r.upOk).toBe(true);
    expect(r.downOk).toBe(true);
    expect(r.ends).toEqual([0, 0]);
  });
});
