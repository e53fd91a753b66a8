/**
 * Property tests over random topologies (a direct cable, a chain of routers, a learning switch) and random fault
 * settings:
 *   1. every UDP datagram that reaches the application is byte-for-byte one that was sent: a corrupted frame is
 *      caught by a checksum (IPv4 header, UDP — RFC 768, RFC 1071) or by the NIC's FCS and dropped with a recorded,
 *      counted reason, never delivered; only bit flips that leave the datagram's bytes intact (the Ethernet source or
 *      destination MAC, ARP, whose RFC 826 packets carry no checksum) may pass;
 *   2. with no loss, no corruption and no partition, every datagram arrives (reordering, duplication, jitter,
 *      rate limits with room to queue, and source fragmentation do not lose anything).
 */
import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { AF_INET, SOCK_DGRAM } from '../../stack/constants.js';
import type { LinkParams } from '../../stack/faults.js';
import type { Host } from '../../stack/host.js';
import type { Network } from '../../stack/network.js';
import { inet } from '../../stack/sockaddr.js';
import { us } from '../../sim/time.js';
import { makeNet } from './helpers.js';

type Topo = { kind: 'direct' | 'chain' | 'switch'; routers: number; mtu: number };

/** Builds the topology; a is the sender (10.0.0.1), the returned address is b's. */
function build(net: Network, t: Topo, links: Partial<LinkParams>[]): { a: Host; b: Host; dst: string } {
  const p = (i: number): Partial<LinkParams> => ({ ...links[i % links.length], mtu: t.mtu });
  const a = net.addHost('a');
  const b = net.addHost('b');
  if (t.kind === 'direct') {
    net.connect(a, b, p(0), { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
    return { a, b, dst: '10.0.0.2' };
  }
  if (t.kind === 'switch') {
    const sw = net.addSwitch('sw');
    const c = net.addHost('c');
    net.attach(a, sw, p(0), { ipv4: '10.0.0.1/24' });
    net.attach(b, sw, p(1), { ipv4: '10.0.0.2/24' });
    net.attach(c, sw, p(2), { ipv4: '10.0.0.3/24' });
    return { a, b, dst: '10.0.0.2' };
  }
  // a — r1 — … — rk — b; link j joins node j and node j+1 on 10.0.j.0/24 (.1 left, .2 right).
  const k = t.routers;
  const nodes: Host[] = [a, ...Array.from({ length: k }, (_, i) => net.addRouter(`r${i + 1}`)), b];
  for (let j = 0; j <= k; j++) {
    net.connect(nodes[j]!, nodes[j + 1]!, p(j), { a: { ipv4: `10.0.${j}.1/24` }, b: { ipv4: `10.0.${j}.2/24` } });
  }
  net.setDefaultGateway(a, '10.0.0.2');
  net.setDefaultGateway(b, `10.0.${k}.1`);
  for (let i = 1; i <= k; i++) {
    for (let j = 0; j <= k; j++) {
      if (j < i - 1) net.addRoute(nodes[i]!, `10.0.${j}.0/24`, `10.0.${i - 1}.1`);
      if (j > i) net.addRoute(nodes[i]!, `10.0.${j}.0/24`, `10.0.${i}.2`);
    }
  }
  return { a, b, dst: `10.0.${k}.2` };
}

/** A self-describing payload: sequence number, length, then bytes derived from both. */
function payload(seq: number, len: number): Uint8Array {
  const d = new Uint8Array(len);
  const dv = new DataView(d.buffer);
  dv.setUint32(0, seq);
  dv.setUint32(4, len);
  for (let i = 8; i < len; i++) d[i] = (seq * 31 + i * 7) & 0xff;
  return d;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
}

/** Sends the datagrams a→b and collects what b's socket receives. */
async function exchange(seed: number, t: Topo, links: Partial<LinkParams>[], sizes: number[]) {
  const { sim, net, sink } = makeNet(seed);
  const { a, b, dst } = build(net, t, links);
  const got: Uint8Array[] = [];
  b.spawn('rx', async (sys) => {
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.bind(fd, inet('0.0.0.0', 5000));
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await sys.recv(fd, buf, 0);
      if (n < 0) return;
      got.push(buf.slice(0, n));
    }
  });
  a.spawn('tx', async (sys) => {
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.sleep(us(10));
    for (let i = 0; i < sizes.length; i++) {
      await sys.sendto(fd, payload(i, sizes[i]!), 0, inet(dst, 5000));
      await sys.sleep(us(200));
    }
  });
  await sim.run();
  return { got, sink, net };
}

const faults = fc.record({
  latencyNs: fc.integer({ min: 10_000, max: 3_000_000 }),
  jitterNs: fc.integer({ min: 0, max: 500_000 }),
  loss: fc.double({ min: 0, max: 0.2, noNaN: true }),
  duplicate: fc.double({ min: 0, max: 0.1, noNaN: true }),
  reorder: fc.double({ min: 0, max: 0.1, noNaN: true }),
  reorderDelayNs: fc.integer({ min: 0, max: 2_000_000 }),
  corrupt: fc.double({ min: 0, max: 0.2, noNaN: true }),
  fcs: fc.boolean(),
});
const topo = fc.record({
  kind: fc.constantFrom<Topo['kind']>('direct', 'chain', 'switch'),
  routers: fc.integer({ min: 1, max: 3 }),
  mtu: fc.constant(1500),
});

const topoAnyMtu = fc.record({
  kind: fc.constantFrom<Topo['kind']>('direct', 'chain', 'switch'),
  routers: fc.integer({ min: 1, max: 3 }),
  mtu: fc.constantFrom(1500, 1280, 900, 576),
});

/** Key of an IPv4 frame's packet that survives forwarding: EtherType and IP bytes without TTL and checksum. */
function lineageKey(frame: Uint8Array): string {
  const ip = frame.slice(12);
  ip[2 + 8] = 0;
  ip[2 + 10] = 0;
  ip[2 + 11] = 0;
  return Buffer.from(ip).toString('hex');
}

describe('integrity under faults', () => {
  test.prop([fc.integer(), topo, fc.array(faults, { minLength: 4, maxLength: 4 }), fc.array(fc.integer({ min: 32, max: 1472 }), { minLength: 1, maxLength: 40 })], { numRuns: 60 })(
    'every datagram that arrives is intact; corrupted frames are dropped with a recorded reason',
    async (seed, t, links, sizes) => {
      const { got, sink, net } = await exchange(seed, t, links, sizes);
      const sent = sizes.map((n, i) => payload(i, n));
      const txFrames = sink.of('tx').map((e) => ({ id: e[4] as number, frame: e[5] as Uint8Array }));
      const flipEvents = sink.of('rand').filter((e) => e[3] === 'flip-bit').map((e) => e[4] as [number, number]);
      const ipId = (f: Uint8Array): number => (f[18]! << 8) | f[19]!;
      for (const g of got) {
        if (sent.some((p) => p.length === g.length && p.every((x, i) => x === g[i]))) continue;
        // A datagram flipped on two hops can carry a change the RFC 768 checksum cannot see (two flips of one bit
        // position in opposite directions, in the data or in the checksum field, leave the one's-complement sum
        // unchanged); Linux delivers such a datagram too. One flip is always caught, so anything that arrives
        // changed after fewer than two flips is a bug.
        const twin = sent.filter((p) => p.length === g.length)
          .map((p) => ({ p, d: p.reduce((n, x, i) => n + popcount(x ^ g[i]!), 0) }))
          .sort((x, y) => x.d - y.d)[0];
        expect(twin, 'a corrupted datagram of a length never sent arrived').toBeDefined();
        const first = txFrames.find((f) => f.frame.length >= 42 + twin!.p.length && twin!.p.every((x, i) => x === f.frame[42 + i]));
        expect(first, 'the corrupted datagram was never sent').toBeDefined();
        const id = ipId(first!.frame);
        const hits = flipEvents.filter(([fid]) => popcount(ipId(txFrames.find((f) => f.id === fid)!.frame) ^ id) <= 1);
        expect(hits.length, `datagram ${Buffer.from(twin!.p.subarray(0, 4)).toString('hex')} arrived changed after ${hits.length} flip(s)`).toBeGreaterThanOrEqual(2);
      }
      // Follow each corrupted IPv4 frame (and its forwarded copies) to its drop.
      const tx = new Map<number, { t: number; frame: Uint8Array }>();
      for (const e of sink.of('tx')) tx.set(e[4] as number, { t: e[1] as number, frame: e[5] as Uint8Array });
      const dropped = new Set(sink.of('drop').map((e) => e[3]));
      const flipped = new Set(flipEvents.map(([id]) => id));
      // The bytes each flip produced, so a copy forwarded after a flip is known to carry it.
      const flippedKeys = new Set(flipEvents.map(([id, bit]) => {
        const b = tx.get(id)!.frame.slice();
        b[bit >> 3]! ^= 1 << (bit & 7);
        return lineageKey(b);
      }));
      let harmful = 0;
      for (const e of sink.of('rand')) {
        if (e[3] !== 'flip-bit') continue;
        const [id, bit] = e[4] as [number, number];
        const orig = tx.get(id)!.frame;
        if (orig[12] !== 0x08 || orig[13] !== 0x00) continue; // ARP: no checksum to catch it (RFC 826)
        if (bit < 96) continue; // Ethernet addresses: the datagram's bytes are untouched
        const bad = orig.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        const udpSum = 14 + 20 + 6;
        if ((bit >> 3) >= udpSum && (bit >> 3) <= udpSum + 1 && bad[udpSum] === 0 && bad[udpSum + 1] === 0) continue; // RFC 768: 0 = no checksum
        harmful++;
        const key = lineageKey(bad);
        const lineage = [id, ...[...tx].filter(([, v]) => v.t >= tx.get(id)!.t && lineageKey(v.frame) === key).map(([k]) => k)];
        if (lineage.some((x) => dropped.has(x))) continue;
        // Not dropped: only possible when another hop flipped the same datagram too (before or after this flip) and
        // the two flips cancel in the checksum (the delivered datagram was checked above).
        const again = lineage.some((x) => x !== id && flipped.has(x)) || flippedKeys.has(lineageKey(orig));
        expect(again, `flip of frame ${id} (bit ${bit}) was neither caught nor part of a double flip`).toBe(true);
      }
      if (harmful > 0) expect(net.drops.total() + got.length).toBeGreaterThan(0);
    },
  );

  test.prop([fc.integer(), topoAnyMtu,
    fc.array(fc.record({
      latencyNs: fc.integer({ min: 10_000, max: 3_000_000 }), jitterNs: fc.integer({ min: 0, max: 500_000 }),
      duplicate: fc.double({ min: 0, max: 0.1, noNaN: true }), reorder: fc.double({ min: 0, max: 0.2, noNaN: true }),
      reorderDelayNs: fc.integer({ min: 0, max: 2_000_000 }), rateBps: fc.constantFrom(0, 1e6, 100e6),
      queueLimit: fc.constant(100_000),
    }), { minLength: 4, maxLength: 4 }),
    fc.array(fc.integer({ min: 8, max: 4000 }), { minLength: 1, maxLength: 30 })], { numRuns: 60 })(
    'with loss 0 and no partition every datagram arrives (fragmented ones too)',
    async (seed, t, links, sizes) => {
      const { got } = await exchange(seed, t, links, sizes);
      const seqs = new Set(got.map((g) => new DataView(g.buffer).getUint32(0)));
      expect([...seqs].sort((x, y) => x - y)).toEqual([...sizes.keys()]);
      for (const g of got) {
        const seq = new DataView(g.buffer).getUint32(0);
        expect(g).toEqual(payload(seq, sizes[seq]!));
      }
    },
  );
});
