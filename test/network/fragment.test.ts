/**
 * Fragmentation, reassembly and path MTU discovery:
 *   - IPv4 (RFC 791 §2.3, §3.2): a datagram larger than the first hop's MTU is fragmented by the source without DF; a
 *     router fragments further for a smaller next hop; the destination reassembles; a lost fragment makes the
 *     queue expire after 30 s (ipfrag_time) with ICMP time exceeded code 1 when the first fragment had arrived;
 *   - PMTU discovery (RFC 1191): a datagram sent with DF (IP_PMTUDISC_WANT: it fitted the first hop) meets a smaller
 *     link; the router answers "fragmentation needed" with the next-hop MTU; the source learns it (host.onPathMtu),
 *     a connected UDP socket reports EMSGSIZE once (__udp4_lib_err), and later datagrams are fragmented to fit;
 *   - IPv6 (RFC 8200 §4.5, §5): only the source fragments; a router answers packet too big (RFC 8201);
 *   - Linux's reassembly rules for duplicates and overlaps (RFC 5722).
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, SOCK_DGRAM } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { dropIf } from '../../stack/faults.js';
import { Reassembler } from '../../stack/fragment.js';
import type { Network } from '../../stack/network.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import { ms, sec } from '../../sim/time.js';
import { parseEthernet } from '../../stack/wire/ethernet.js';
import { parseIpv4 } from '../../stack/wire/ipv4.js';
import { parseIpv6, parseIpv6FragmentHeader } from '../../stack/wire/ipv6.js';
import { makeNet, type MemorySink } from './helpers.js';

/** a —(mtu1)— r —(mtu2)— b, IPv4 10.0.1.0/24 and 10.0.2.0/24, IPv6 2001:db8:1::/64 and 2001:db8:2::/64. */
function routed(net: Network, mtu1: number, mtu2: number) {
  const a = net.addHost('a'), r = net.addRouter('r'), b = net.addHost('b');
  const l1 = net.connect(a, r, { mtu: mtu1, latencyNs: ms(1) }, { a: { ipv4: '10.0.1.2/24', ipv6: '2001:db8:1::2/64' }, b: { ipv4: '10.0.1.1/24', ipv6: '2001:db8:1::1/64' } });
  const l2 = net.connect(r, b, { mtu: mtu2, latencyNs: ms(1) }, { a: { ipv4: '10.0.2.1/24', ipv6: '2001:db8:2::1/64' }, b: { ipv4: '10.0.2.2/24', ipv6: '2001:db8:2::2/64' } });
  net.setDefaultGateway(a, '10.0.1.1');
  net.setDefaultGateway(b, '10.0.2.1');
  net.setDefaultGateway(a, '2001:db8:1::1');
  net.setDefaultGateway(b, '2001:db8:2::1');
  return { a, r, b, l1, l2 };
}

/** IPv4 packets sent on a link (parsed), in order. */
function ipv4On(sink: MemorySink, link: string) {
  return sink.of('tx').filter((e) => e[2] === link).map((e) => parseEthernet(e[5] as Uint8Array))
    .filter((f) => f.etherType === 0x0800).map((f) => ({ ip: parseIpv4(f.payload), len: f.payload.length }));
}

function data(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 13 + 5) & 0xff);
}

describe('IPv4 fragmentation and reassembly', () => {
  test('the source fragments for its first hop, the router for the next, the destination reassembles', async () => {
    const { sim, net, sink } = makeNet(1);
    const { a, b, l1, l2 } = routed(net, 1500, 576);
    let got: Uint8Array | null = null;
    b.spawn('rx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(fd, inet('0.0.0.0', 7000));
      const buf = new Uint8Array(10000);
      const n = await sys.recv(fd, buf);
      got = buf.slice(0, n);
    });
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      expect(await sys.sendto(fd, data(3000), 0, inet('10.0.2.2', 7000))).toBe(3000);
    });
    await sim.run();
    expect(got).toEqual(data(3000));
    // First hop: 3008 bytes of UDP in fragments of 1480 data bytes (a multiple of 8), DF clear, one IP id.
    const first = ipv4On(sink, l1.name).filter((p) => p.ip.protocol === 17);
    expect(first.map((p) => [p.ip.fragOffset, p.ip.moreFragments, p.ip.payload.length, p.ip.dontFragment]))
      .toEqual([[0, true, 1480, false], [1480, true, 1480, false], [2960, false, 48, false]]);
    expect(new Set(first.map((p) => p.ip.id)).size).toBe(1);
    // Second hop: every fragment at most 576 bytes, offsets still relative to the whole datagram.
    const second = ipv4On(sink, l2.name).filter((p) => p.ip.protocol === 17);
    expect(second.every((p) => p.len <= 576 && p.ip.ttl === 63)).toBe(true);
    expect(second.map((p) => p.ip.fragOffset)).toEqual([0, 552, 1104, 1480, 2032, 2584, 2960]);
    expect(second.filter((p) => !p.ip.moreFragments).map((p) => p.ip.fragOffset)).toEqual([2960]);
  });

  test('a lost last fragment: after 30 s the queue expires and the sender gets ICMP time exceeded code 1', async () => {
    const { sim, net, sink } = makeNet(1);
    const { a, b, l2 } = routed(net, 1500, 1500);
    // Drop the final fragment on the second hop.
    l2.addRule(dropIf('last-fragment', (f) => f.bytes[12] === 8 && f.bytes[13] === 0 && (f.bytes[14 + 6]! & 0x20) === 0 && ((f.bytes[14 + 6]! & 0x1f) | f.bytes[14 + 7]!) !== 0));
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.sendto(fd, data(3000), 0, inet('10.0.2.2', 7000));
    });
    await sim.run();
    expect(b.ipv4.frags.stats.reasmTimeout).toBe(1);
    expect(a.icmp.stats.inTimeExcds).toBe(1);
    const icmp = sink.of('tx').filter((e) => e[2] === l2.name && (e[5] as Uint8Array)[14 + 9] === 1);
    expect(icmp).toHaveLength(1);
    const sent = icmp[0]!;
    const msg = parseIpv4(parseEthernet(sent[5] as Uint8Array).payload).payload;
    expect([msg[0], msg[1]]).toEqual([11, 1]);
    // The queue started when the first fragment reached b (about 2 ms in) and lived 30 s.
    expect(sent[1] as number).toBeGreaterThanOrEqual(sec(30));
    expect(sent[1] as number).toBeLessThan(sec(30) + ms(10));
  });

  test('PMTU discovery: frag-needed from the router, EMSGSIZE once on a connected socket, then source fragmentation', async () => {
    const { sim, net, sink } = makeNet(1);
    const { a, b, l1 } = routed(net, 1500, 576);
    const learned: unknown[] = [];
    a.onPathMtu = (v, dst, mtu) => learned.push([v, dst, mtu]);
    const got: number[] = [];
    b.spawn('rx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(fd, inet('0.0.0.0', 7000));
      const buf = new Uint8Array(10000);
      for (;;) got.push(await sys.recv(fd, buf));
    });
    const rets: number[] = [];
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.connect(fd, inet('10.0.2.2', 7000));
      rets.push(await sys.send(fd, data(1400)));
      await sys.sleep(ms(50));
      rets.push(await sys.send(fd, data(1400)) === -1 ? -sys.errno : 1400);
      rets.push(await sys.send(fd, data(1400)));
    });
    await sim.run();
    expect(learned).toEqual([[4, 0x0a000202, 576]]);
    expect(rets).toEqual([1400, -Errno.EMSGSIZE, 1400]);
    expect(got).toEqual([1400]);
    const udp = ipv4On(sink, l1.name).filter((p) => p.ip.protocol === 17);
    expect(udp[0]!.ip.dontFragment).toBe(true); // fitted the 1500-byte first hop
    expect(udp.slice(1).every((p) => p.len <= 576 && !p.ip.dontFragment)).toBe(true);
  });
});

describe('IPv6: only the source fragments', () => {
  test('a datagram over a 1280-byte path arrives in fragments; a router answers packet too big', async () => {
    const { sim, net, sink } = makeNet(1);
    const { a, b, l1 } = routed(net, 1500, 1280);
    const learned: unknown[] = [];
    a.onPathMtu = (v, _dst, mtu) => learned.push([v, mtu]);
    const got: number[] = [];
    b.spawn('rx', async (sys) => {
      const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.bind(fd, inet6('::', 7000));
      const buf = new Uint8Array(10000);
      for (;;) {
        const n = await sys.recv(fd, buf);
        expect(buf.subarray(0, n)).toEqual(data(n));
        got.push(n);
      }
    });
    const rets: number[] = [];
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.connect(fd, inet6('2001:db8:2::2', 7000));
      rets.push(await sys.send(fd, data(1400))); // fits 1500: sent whole; the router cannot forward it
      await sys.sleep(ms(50));
      rets.push(await sys.send(fd, data(1400)) === -1 ? -sys.errno : 0);
      rets.push(await sys.send(fd, data(1400)));
      rets.push(await sys.send(fd, data(3000)));
    });
    await sim.run();
    expect(learned).toEqual([[6, 1280]]);
    expect(rets).toEqual([1400, -Errno.EMSGSIZE, 1400, 3000]);
    expect(got).toEqual([1400, 3000]);
    const frags = sink.of('tx').filter((e) => e[2] === l1.name).map((e) => parseIpv6(parseEthernet(e[5] as Uint8Array).payload))
      .filter((p) => p.nextHeader === 44).map((p) => ({ len: 40 + p.payload.length, f: parseIpv6FragmentHeader(p.payload) }));
    expect(frags.every((x) => x.len <= 1280 && x.f.nextHeader === 17)).toBe(true);
    expect(frags.map((x) => x.f.fragOffset)).toEqual([0, 1232, 0, 1232, 2464]);
  });
});

describe('reassembly rules (inet_frag_queue_insert)', () => {
  function reasm() {
    const { net } = makeNet(1);
    const h = net.addHost('h');
    const expired: unknown[] = [];
    return { r: new Reassembler<string>(h, 30e9, (first) => expired.push(first)), expired };
  }
  const piece = (offset: number, len: number, more: boolean) => ({ offset, more, data: new Uint8Array(len).fill(offset & 0xff) });

  test('in any order the pieces make the datagram; a duplicate inside received data is ignored', () => {
    const { r } = reasm();
    expect(r.add('k', piece(16, 16, true), 'f').kind).toBe('queued');
    expect(r.add('k', piece(16, 8, true), 'f').kind).toBe('duplicate');
    expect(r.add('k', piece(32, 5, false), 'f').kind).toBe('queued');
    const done = r.add('k', piece(0, 16, true), 'first');
    expect(done.kind).toBe('complete');
    if (done.kind === 'complete') {
      expect(done.payload.length).toBe(37);
      expect(done.first).toBe('first');
    }
    expect(r.stats.reasmOKs).toBe(1);
  });

  test('a partial overlap discards the whole queue (RFC 5722), counted as a reassembly failure', () => {
    const { r } = reasm();
    r.add('k', piece(0, 16, true), 'f');
    expect(r.add('k', piece(8, 16, true), 'f').kind).toBe('overlap');
    expect(r.stats.reasmOverlaps).toBe(1);
    expect(r.size).toBe(0);
    // The queue is gone: the rest of the datagram starts a new one.
    expect(r.add('k', piece(16, 8, false), 'f').kind).toBe('queued');
  });

  test('two different ends, or data past the end, are corrupt; non-final data is trimmed to 8-byte units', () => {
    const { r } = reasm();
    r.add('k', piece(16, 16, false), 'f'); // the last fragment: the datagram is 32 bytes
    expect(r.add('k', piece(24, 16, true), 'f').kind).toBe('corrupt'); // data past the end
    r.add('m', piece(16, 16, false), 'f');
    expect(r.add('m', piece(8, 16, false), 'f').kind).toBe('corrupt'); // a second, different end
    expect(r.add('j', piece(0, 13, true), 'f').kind).toBe('queued'); // 13 → 8 bytes kept
    const done = r.add('j', piece(8, 4, false), 'f');
    expect(done.kind === 'complete' && done.payload.length).toBe(12);
  });

  test('nothing arrives: no ICMP is owed unless the first fragment was in', async () => {
    const { sim, net } = makeNet(1);
    const h = net.addHost('h');
    const expired: (string | null)[] = [];
    const r = new Reassembler<string>(h, 30e9, (first) => expired.push(first));
    r.add('a', piece(8, 8, true), 'not-first');
    r.add('b', piece(0, 8, true), 'first');
    await sim.run();
    expect(expired).toEqual([null, 'first']);
    expect(sim.now).toBe(30e9);
  });
});


