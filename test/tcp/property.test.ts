/**
 * Reliability under faults (RFC 9293 §3.1 "reliability"): whatever the link does — loss, duplication, reordering,
 * corruption (caught by the checksum), jitter — a byte stream arrives complete, in order and exactly once, both
 * ways at once, and once the faults stop every connection finishes with an orderly close.
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { twoHosts, listenOn, connectTo, sendAll, readAll, pattern, thread, join } from './util.js';
import type { LinkParams } from '../../stack/faults.js';
import type { Sys } from '../../stack/sys.js';
import { MSG_NOSIGNAL, SOL_SOCKET, SOL_TCP, SO_KEEPALIVE, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';

interface Case {
  seed: number;
  /** Per-host sysctl variations: SACK and timestamps off exercise NewReno recovery and RTT without TSecr. */
  sack?: boolean;
  ts?: boolean;
  cc?: string;
  up: number;
  down: number;
  faults: Partial<LinkParams>;
  /** When the faults stop (the link turns clean)... */
  stopAtMs: number;
  /** ...or, if set, when the link dies for good (every frame lost) instead. */
  deadAtMs?: number;
  latencyMs: number;
}

/** What one side's application saw. */
interface Side {
  /** The bytes its reader got and how the reads ended (0 = EOF, -errno). */
  got: Uint8Array | null;
  end: number | null;
  /** Every errno any call on the connection returned (connect, send, shutdown, recv). */
  errnos: number[];
}

async function transfer(c: Case): Promise<{ status: string; up: Uint8Array; down: Uint8Array; client: Side; server: Side }> {
  const { sim, a, b, link } = twoHosts({ latencyNs: c.latencyMs * 1e6, ...c.faults }, c.seed);
  for (const h of [a, b]) {
    h.tcp.sysctl.sack = c.sack ?? true;
    h.tcp.sysctl.timestamps = c.ts ?? true;
    h.tcp.sysctl.congestionControl = c.cc ?? 'cubic';
  }
  const up = pattern(c.up, c.seed);
  const down = pattern(c.down, c.seed + 1);
  const client: Side = { got: null, end: null, errnos: [] };
  const server: Side = { got: null, end: null, errnos: [] };
  const check = (side: Side, r: number): void => {
    if (r < 0) side.errnos.push(-r);
  };
  // A dead link leaves an idle receiver nothing to time out on but keepalive (RFC 9293 §3.8.4).
  const keepalive = async (sys: Sys, fd: number): Promise<void> => {
    if (c.deadAtMs === undefined) return;
    await sys.setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
    await sys.setsockopt(fd, SOL_TCP, TCP_KEEPIDLE, 10);
    await sys.setsockopt(fd, SOL_TCP, TCP_KEEPINTVL, 5);
    await sys.setsockopt(fd, SOL_TCP, TCP_KEEPCNT, 3);
  };
  // Each side: a writer thread sends its stream then shuts down writing; the main thread reads to the end.
  const talk = async (sys: Sys, fd: number, side: Side, out: Uint8Array): Promise<void> => {
    await keepalive(sys, fd);
    const w = thread(sys, `${sys.proc.name}-writer`, async (s2) => {
      // MSG_NOSIGNAL: a send after the connection timed out gets EPIPE instead of a process-killing SIGPIPE.
      const n = await sendAll(s2, fd, out, MSG_NOSIGNAL);
      if (n !== out.length) check(side, n);
      check(side, (await s2.shutdown(fd, 1)) < 0 ? -s2.errno : 0);
    });
    const r = await readAll(sys, fd);
    side.got = r.data;
    side.end = r.end;
    check(side, r.end);
    await join(sys, w);
    await sys.close(fd);
  };
  b.spawn('server', async (sys) => {
    const l = await listenOn(sys, 80);
    const fd = await sys.accept(l, null);
    await sys.close(l);
    if (fd < 0) return check(server, -sys.errno);
    await talk(sys, fd, server, down);
  });
  a.spawn('client', async (sys) => {
    const fd = await connectTo(sys, '10.0.0.2', 80);
    if (fd < 0) return check(client, fd);
    await talk(sys, fd, client, up);
  });
  if (c.deadAtMs === undefined) sim.at(c.stopAtMs * 1e6, () => link.setParams({ loss: 0, duplicate: 0, reorder: 0, corrupt: 0, jitterNs: 0 }));
  else sim.at(c.deadAtMs * 1e6, () => link.setParams({ loss: 1 }));
  const r = await sim.run();
  return { status: r.status, up, down, client, server };
}

const same = (x: Uint8Array | null, y: Uint8Array): boolean => x !== null && x.length === y.length && Buffer.from(x).equals(Buffer.from(y));

/** Once faults stop, both streams arrive whole and each side reads EOF exactly at the end, with no error anywhere. */
function expectIntact(r: Awaited<ReturnType<typeof transfer>>): void {
  expect(r.client.errnos).toEqual([]);
  expect(r.server.errnos).toEqual([]);
  expect(r.status).toBe('completed');
  expect(same(r.server.got, r.up)).toBe(true);
  expect(same(r.client.got, r.down)).toBe(true);
  expect([r.client.end, r.server.end]).toEqual([0, 0]);
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
    expectIntact(await transfer(c));
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
    expectIntact(await transfer(c));
  });
});

/** True when got is a prefix of sent: nothing reordered, duplicated or invented, however much was lost. */
const isPrefix = (got: Uint8Array | null, sent: Uint8Array): boolean =>
  got === null || (got.length <= sent.length && Buffer.from(got).equals(Buffer.from(sent.subarray(0, got.length))));

describe('TCP over a link that dies for good', () => {
  test.prop([
    fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      up: fc.integer({ min: 0, max: 150_000 }),
      down: fc.integer({ min: 0, max: 60_000 }),
      faults: faultArb,
      stopAtMs: fc.constant(0),
      deadAtMs: fc.integer({ min: 0, max: 3_000 }),
      latencyMs: fc.integer({ min: 1, max: 20 }),
    }),
  ], { numRuns: Number(process.env.TCP_PROP_RUNS ?? 40) })('what arrives is an exact prefix, and a side that misses the rest sees ETIMEDOUT', async (c) => {
    const r = await transfer(c);
    // Linux: retransmissions (tcp_retries2 / tcp_syn_retries) or keepalive probes give up with ETIMEDOUT; a later
    // send on the dead socket gets EPIPE and a shutdown ENOTCONN (tcp(7), send(2)). Nothing else may appear.
    for (const s of [r.client, r.server]) expect(s.errnos.filter((e) => e !== Errno.ETIMEDOUT && e !== Errno.EPIPE && e !== Errno.ENOTCONN)).toEqual([]);
    expect(isPrefix(r.server.got, r.up)).toBe(true);
    expect(isPrefix(r.client.got, r.down)).toBe(true);
    const complete = (s: Side, sent: Uint8Array): boolean => same(s.got, sent) && s.end === 0;
    if (!complete(r.client, r.down)) expect(r.client.errnos).toContain(Errno.ETIMEDOUT);
    // A server that never accepted had no connection to fail (the handshake never completed on its side): it is
    // still blocked in accept(), the only way the run may end idle.
    if (r.server.got === null) expect(r.status).toBe('idle');
    else {
      expect(r.status).toBe('completed');
      if (!complete(r.server, r.up)) expect(r.server.errnos).toContain(Errno.ETIMEDOUT);
    }
  });
});
