/**
 * Link behaviour measured on a bare link between two probe endpoints (no stack): configured fault rates show up in
 * the measurements within statistical bounds, the same seed reproduces every decision, jitter alone never reorders,
 * and a rate-limited link serialises at its rate behind a drop-tail queue.
 */
import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Link, type Endpoint } from '../../stack/link.js';
import type { LinkParams } from '../../stack/faults.js';
import { dropIf } from '../../stack/faults.js';
import { MemorySink } from './helpers.js';

/** An endpoint that records what reaches it. */
class Probe implements Endpoint {
  readonly got: { seq: number; t: number; id: number; bytes: Uint8Array }[] = [];
  constructor(readonly label: string, private readonly sim: Sim) {}
  receive(frame: Uint8Array, pktId: number): void {
    this.got.push({ seq: new DataView(frame.buffer, frame.byteOffset).getUint32(0), t: this.sim.now, id: pktId, bytes: frame });
  }
}

function frame(seq: number, len = 64): Uint8Array {
  const f = new Uint8Array(len);
  new DataView(f.buffer).setUint32(0, seq);
  return f;
}

/** A link between two probes on a fresh simulator. */
function bareLink(params: Partial<LinkParams>, seed: string | number = 7) {
  const sink = new MemorySink();
  const sim = new Sim({ seed, sink });
  let id = 0;
  const ctx = { sim, nextPacketId: () => ++id, countDrop: () => {} };
  const a = new Probe('a', sim), b = new Probe('b', sim);
  return { sim, sink, a, b, link: new Link(ctx, 'l', a, b, params) };
}

/** Sends n frames a→b, one every gapNs, and runs the simulation. */
async function blast(params: Partial<LinkParams>, n: number, gapNs: number, seed: string | number = 7, len = 64) {
  const { sim, sink, a, b, link } = bareLink(params, seed);
  for (let i = 0; i < n; i++) sim.at(i * gapNs, () => link.transmit(a, frame(i, len)));
  await sim.run();
  const drops = sink.of('drop').map((e) => ({ id: e[3] as number, reason: e[4] as string }));
  return { sim, link, got: b.got, drops, sink };
}

/** |measured − expected| within k standard deviations of a binomial(n, p) count. */
function withinBinomial(count: number, n: number, p: number, k = 5): boolean {
  return Math.abs(count - n * p) <= k * Math.sqrt(n * p * (1 - p));
}

describe('fault rates (each fault has its own seeded stream)', () => {
  const N = 20000;

  test('independent loss: the fraction dropped matches the configured probability', async () => {
    for (const p of [0.01, 0.1, 0.3]) {
      const { got, drops } = await blast({ loss: p }, N, 1000);
      expect(drops.every((d) => d.reason === 'loss')).toBe(true);
      expect(got.length + drops.length).toBe(N);
      expect(withinBinomial(drops.length, N, p)).toBe(true);
    }
  });

  test('Gilbert–Elliott loss: stationary loss π_bad·lossBad and mean burst length 1/pBadToGood', async () => {
    const burst = { pGoodToBad: 0.01, pBadToGood: 0.2, lossGood: 0, lossBad: 1 };
    const n = 100000;
    const { got, drops } = await blast({ burst }, n, 1000);
    const piBad = burst.pGoodToBad / (burst.pGoodToBad + burst.pBadToGood);
    expect(Math.abs(drops.length / n - piBad)).toBeLessThan(0.15 * piBad);
    // Loss runs: consecutive sequence numbers missing.
    const seen = new Set(got.map((g) => g.seq));
    const runs: number[] = [];
    let run = 0;
    for (let i = 0; i < n; i++) {
      if (!seen.has(i)) run++;
      else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
    const mean = runs.reduce((x, y) => x + y, 0) / runs.length;
    expect(Math.abs(mean - 1 / burst.pBadToGood)).toBeLessThan(0.15 / burst.pBadToGood);
  });

  test('duplication: extra deliveries match the probability, duplicates carry the same bytes', async () => {
    const p = 0.05;
    const { got } = await blast({ duplicate: p }, N, 1000);
    const dups = got.length - N;
    expect(withinBinomial(dups, N, p)).toBe(true);
    const bySeq = new Map<number, Uint8Array[]>();
    for (const g of got) bySeq.set(g.seq, [...(bySeq.get(g.seq) ?? []), g.bytes]);
    for (const copies of bySeq.values()) for (const c of copies) expect(c).toEqual(copies[0]);
  });

  test('reordering: the fraction of frames overtaken matches the probability; with reorder 0 the order is kept', async () => {
    const p = 0.1;
    const { got } = await blast({ reorder: p, reorderDelayNs: 100_000 }, N, 1000);
    let maxSeq = -1, late = 0;
    for (const g of got) {
      if (g.seq < maxSeq) late++;
      maxSeq = Math.max(maxSeq, g.seq);
    }
    expect(got.length).toBe(N);
    expect(withinBinomial(late, N, p)).toBe(true);
    // Jitter alone (RFC-less, but netem's default without "reorder") never reorders: the wire is FIFO.
    const j = await blast({ jitterNs: 500_000 }, 2000, 1000);
    expect(j.got.map((g) => g.seq)).toEqual([...Array(2000).keys()]);
  });

  test('the same seed reproduces every decision exactly; another seed does not', async () => {
    const params = { loss: 0.1, duplicate: 0.05, reorder: 0.05, reorderDelayNs: 20_000, jitterNs: 3000, corrupt: 0.02 };
    const r1 = await blast(params, 3000, 1000, 'seed-A');
    const r2 = await blast(params, 3000, 1000, 'seed-A');
    const r3 = await blast(params, 3000, 1000, 'seed-B');
    const trace = (r: typeof r1) => r.got.map((g) => `${g.seq}@${g.t}`).join(',');
    expect(trace(r1)).toBe(trace(r2));
    expect(r1.sink.events).toEqual(r2.sink.events);
    expect(trace(r1)).not.toBe(trace(r3));
    // Each fault draws from its own stream: adding corruption leaves the loss decisions unchanged.
    const lossOnly = await blast({ loss: 0.1 }, 3000, 1000, 'seed-A');
    const lossAndCorrupt = await blast({ loss: 0.1, corrupt: 0.3 }, 3000, 1000, 'seed-A');
    expect(lossAndCorrupt.drops.map((d) => d.id)).toEqual(lossOnly.drops.map((d) => d.id));
  });

  test('corruption flips one bit of the configured fraction of frames; with fcs the NIC drops them', async () => {
    const p = 0.05;
    const { got } = await blast({ corrupt: p }, N, 1000);
    const damaged = got.filter((g) => g.bytes.some((b, i) => b !== frame(g.seq)[i]));
    expect(withinBinomial(damaged.length, N, p)).toBe(true);
    const fcs = await blast({ corrupt: p, fcs: true }, N, 1000);
    expect(fcs.got.every((g) => g.bytes.every((b, i) => b === frame(g.seq)[i]))).toBe(true);
    expect(fcs.drops.filter((d) => d.reason === 'bad-fcs').length).toBe(N - fcs.got.length);
  });

  test('rules compose in install order: a custom drop rule sees only what earlier rules let through', async () => {
    const { sim, sink, a, b, link } = bareLink({ loss: 0.5 }, 3);
    let seen = 0;
    link.addRule(dropIf('odd', (f) => {
      seen++;
      return (f.bytes[3]! & 1) === 1;
    }, 'filtered'));
    for (let i = 0; i < 1000; i++) sim.at(i * 1000, () => link.transmit(a, frame(i)));
    await sim.run();
    const lost = sink.of('drop').filter((e) => e[4] === 'loss').length;
    expect(seen).toBe(1000 - lost);
    expect(b.got.every((g) => g.seq % 2 === 0)).toBe(true);
  });
});

describe('rate limit and drop-tail queue', () => {
  test('a rate-limited link delivers at its configured rate (±1 %)', async () => {
    for (const rate of [1e6, 10e6, 100e6]) {
      const n = 2000, len = 1000;
      const { got } = await blast({ rateBps: rate, queueLimit: n, latencyNs: 2_000_000 }, n, 0, 1, len);
      expect(got.length).toBe(n);
      // n frames of len bytes leave back to back: the last arrives n·len·8/rate after the start, plus latency.
      const span = got[n - 1]!.t - 2_000_000;
      const measured = (n * len * 8) / (span / 1e9);
      expect(Math.abs(measured - rate) / rate).toBeLessThan(0.01);
    }
  });

  test('a burst larger than the queue loses exactly the excess, and the queue drains', async () => {
    const { sim, sink, a, b, link } = bareLink({ rateBps: 1e6, queueLimit: 10 }, 1);
    sim.at(0, () => {
      for (let i = 0; i < 25; i++) link.transmit(a, frame(i, 125)); // 1 ms each at 1 Mbit/s
    });
    sim.at(50_000_000, () => link.transmit(a, frame(100, 125)));
    await sim.run();
    expect(sink.of('drop').map((e) => e[4])).toEqual(Array(15).fill('queue-full'));
    expect(b.got.map((g) => g.seq)).toEqual([...Array(10).keys(), 100]);
    expect(b.got[9]!.t).toBe(10_000_000 + 1000);
  });

  test('a frame leaves the queue at the instant its serialisation ends, ordered like any event at that instant', async () => {
    // Queue of 1: frame 0 is serialised from 0 to 1 ms (125 bytes at 1 Mbit/s). Departures are not queued events
    // (stack/link.ts), yet a transmit at exactly 1 ms must see the queue as the event order says: an event scheduled
    // before frame 0 was sent runs before its departure (queue still full: drop); one scheduled after runs after it.
    const { sim, sink, a, b, link } = bareLink({ rateBps: 1e6, queueLimit: 1 }, 1);
    sim.at(1_000_000, () => link.transmit(a, frame(1, 125))); // scheduled first: before the departure
    sim.at(0, () => {
      link.transmit(a, frame(0, 125));
      sim.at(1_000_000, () => link.transmit(a, frame(2, 125))); // scheduled after frame 0 was sent
    });
    await sim.run();
    expect(sink.of('drop').map((e) => e[4])).toEqual(['queue-full']);
    expect(b.got.map((g) => g.seq)).toEqual([0, 2]);
  });

  test('hold parks frames in flight, release delivers them in order; link down loses what is on the wire', async () => {
    const { sim, sink, a, b, link } = bareLink({ latencyNs: 10_000 }, 1);
    for (let i = 0; i < 5; i++) sim.at(i * 1000, () => link.transmit(a, frame(i)));
    // Frame 0 arrives at 10 µs; frames 1–4 are still on the wire when the hold starts, and are parked.
    sim.at(10_500, () => link.hold('a>b'));
    sim.at(20_000, () => expect(link.heldCount('a>b')).toBe(4));
    sim.at(1_000_000, () => link.release('a>b'));
    sim.at(1_995_000, () => link.transmit(a, frame(9)));
    sim.at(2_000_000, () => link.setUp(false));
    await sim.run();
    expect(b.got.map((g) => g.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(b.got.map((g) => g.t)).toEqual([10_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000]);
    expect(sink.of('drop').map((e) => e[4])).toEqual(['link-down']);
  });
});
