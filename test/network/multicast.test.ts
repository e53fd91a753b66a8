/**
 * Multicast and broadcast datagrams on a shared segment, against what Linux 6.18 did in a network namespace with a
 * veth pair (v0 sending, v1 receiving, accept_local set so the namespace can talk to itself) and with one end of a
 * veth pair left down (only the looped-back copy arrives):
 *   - a group is heard by every socket bound to the port (wildcard or the group address) that joined it on the
 *     arrival interface, or has IP_MULTICAST_ALL set (the default on AF_INET sockets, not on AF_INET6 ones), never
 *     by one bound to a unicast address or another group; IPv6 (inet6_mc_check) counts a membership on any
 *     interface and IPV6_MULTICAST_ALL is 1 by default; a socket bound to a scoped group hears only its interface;
 *   - the TTL / hop limit is 1 unless IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS says otherwise; the sender's host
 *     hears its own datagram when IP(V6)_MULTICAST_LOOP is on and the outgoing interface is in the group; TTL 0
 *     stays on the host; a subnet broadcast also loops back (TTL 64) and needs SO_BROADCAST (EACCES);
 *     255.255.255.255 without a route is ENETUNREACH, and goes out with SO_BINDTODEVICE;
 *   - with no IP_MULTICAST_IF and no route, sending to or connecting to a group is ENETUNREACH; an AF_INET6
 *     connect to a link-scope group needs the scope id or IPV6_MULTICAST_IF (EINVAL), a site-scope one does not;
 *   - 255.255.255.255 through a default route goes to the broadcast MAC, never to the gateway.
 * Also (RFC 1112 §6.4, RFC 1122 §3.3.7): a NIC takes a group's MAC only while the host is in a group mapping to it,
 * and IP then tells groups sharing a MAC apart; switches flood multicast; routers never forward it.
 */
import { describe, expect, test } from 'vitest';
import {
  AF_INET, AF_INET6, IPPROTO_IP, IPPROTO_IPV6, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_ALL, IP_MULTICAST_IF,
  IP_MULTICAST_LOOP, IP_MULTICAST_TTL, IPV6_JOIN_GROUP, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, IPV6_MULTICAST_LOOP,
  MSG_DONTWAIT, SOCK_DGRAM, SOL_SOCKET, SO_BINDTODEVICE, SO_BROADCAST, SO_REUSEADDR,
} from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { IPV6_MULTICAST_ALL } from '../../stack/multicast.js';
import { inet, inet6, type SockAddr, type SockAddrArg } from '../../stack/sockaddr.js';
import type { AddrOut, Sys } from '../../stack/sys.js';
import { ms } from '../../sim/time.js';
import { ipv6ToString } from '../../stack/wire/addr.js';
import { makeNet } from './helpers.js';
import { dstMac, inAddr, lan, mreq, mreq6, mreqn, sent } from './mcast-helpers.js';

type Opt = [level: number, name: number, value: Uint8Array | number];

/** A UDP socket with SO_REUSEADDR, the options given, bound to addr. */
async function sock(sys: Sys, family: number, addr: SockAddrArg, opts: Opt[] = []): Promise<number> {
  const fd = await sys.socket(family, SOCK_DGRAM, 0);
  await sys.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
  for (const [l, n, v] of opts) expect(await sys.setsockopt(fd, l, n, v)).toBe(0);
  expect(await sys.bind(fd, addr)).toBe(0);
  return fd;
}

/** Everything queued on fd now: [text, source address]. */
async function drain(sys: Sys, fd: number): Promise<[string, string][]> {
  const out: [string, string][] = [];
  const buf = new Uint8Array(64);
  for (;;) {
    const from: AddrOut = { addr: null };
    const n = await sys.recvfrom(fd, buf, MSG_DONTWAIT, from);
    if (n < 0) return out;
    out.push([new TextDecoder().decode(buf.subarray(0, n)), (from.addr as SockAddr & { addr: string }).addr]);
  }
}

/** Drains every named socket. */
async function drainAll(sys: Sys, socks: Record<string, number>): Promise<Record<string, string[]>> {
  const r: Record<string, string[]> = {};
  for (const [k, fd] of Object.entries(socks)) r[k] = (await drain(sys, fd)).map(([t, f]) => `${t}<${f}`);
  return r;
}

const te = (s: string) => new TextEncoder().encode(s);
const IP = IPPROTO_IP, V6 = IPPROTO_IPV6;

describe('IPv4 multicast on a switch', () => {
  test('who hears a group: members on the arrival interface and IP_MULTICAST_ALL sockets; TTL 1; flooded', async () => {
    const { sim, sink, a, b, c } = lan();
    let got: Record<string, string[]> = {};
    b.spawn('rx', async (sys) => {
      const P = inet('0.0.0.0', 5000);
      const socks = {
        A_joinEth0: await sock(sys, AF_INET, P, [[IP, IP_ADD_MEMBERSHIP, mreqn('239.1.1.1', '0.0.0.0', 2)]]),
        B_plain: await sock(sys, AF_INET, P),
        C_all0: await sock(sys, AF_INET, P, [[IP, IP_MULTICAST_ALL, 0]]),
        D_boundGroup: await sock(sys, AF_INET, inet('239.1.1.1', 5000)),
        E_all0JoinEth1: await sock(sys, AF_INET, P, [[IP, IP_MULTICAST_ALL, 0], [IP, IP_ADD_MEMBERSHIP, mreqn('239.1.1.1', '0.0.0.0', 3)]]),
        F_v6Dual: await sock(sys, AF_INET6, inet6('::', 5000)),
        G_v6Join4: await sock(sys, AF_INET6, inet6('::', 5000), [[IP, IP_ADD_MEMBERSHIP, mreqn('239.1.1.1', '0.0.0.0', 2)]]),
        H_boundUnicast: await sock(sys, AF_INET, inet('10.0.0.2', 5000)),
        I_boundOtherGroup: await sock(sys, AF_INET, inet('239.2.2.2', 5000)),
      };
      await sys.sleep(ms(50));
      got = await drainAll(sys, socks);
    });
    a.spawn('tx', async (sys) => {
      await sys.sleep(ms(2)); // after b joined (its reports go at 8 ms and later)
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      expect(await sys.setsockopt(s, IP, IP_MULTICAST_IF, inAddr('10.0.0.1'))).toBe(0);
      expect(await sys.setsockopt(s, IP, IP_MULTICAST_LOOP, 0)).toBe(0);
      expect(await sys.sendto(s, te('m1'), 0, inet('239.1.1.1', 5000))).toBe(2);
      expect(await sys.sendto(s, te('m2'), 0, inet('239.2.2.2', 5000))).toBe(2);
    });
    await sim.run();
    expect(got).toEqual({
      A_joinEth0: ['m1<10.0.0.1'], B_plain: ['m1<10.0.0.1'], C_all0: [], D_boundGroup: ['m1<10.0.0.1'], E_all0JoinEth1: [],
      F_v6Dual: [], G_v6Join4: ['m1<::ffff:10.0.0.1'], H_boundUnicast: [], I_boundOtherGroup: [],
    });
    const data = sent(sink.events, 'a:eth0').filter((f) => f.bytes[23] === 17); // UDP
    expect(data.map((f) => [dstMac(f.bytes), f.bytes[22]])).toEqual([['01005e010101', 1], ['01005e020202', 1]]); // TTL 1
    // No snooping: the switch floods both to c's port as well as b's.
    const toC = sent(sink.events, 'sw:p3').map((f) => dstMac(f.bytes)).filter((m) => m.startsWith('01005e0'));
    expect(toC.filter((m) => m !== '01005e000016')).toEqual(['01005e010101', '01005e020202']);
    // c never joined: its NIC filters both; b's filters the group it is not in.
    expect(c.drops.get('not-for-us')).toBeGreaterThanOrEqual(2);
    expect(b.udp.stats.inDatagrams).toBe(4);
  });

  test("the sender's own host hears it when looping (and TTL 0 stays home); not after leaving or with loop off", async () => {
    const { sim, sink, a } = lan();
    const r: Record<string, unknown> = {};
    a.spawn('p', async (sys) => {
      const rx = await sock(sys, AF_INET, inet('0.0.0.0', 6000), [[IP, IP_ADD_MEMBERSHIP, mreq('239.7.7.7', '10.0.0.1')]]);
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.setsockopt(s, IP, IP_MULTICAST_IF, mreqn('0.0.0.0', '0.0.0.0', 2));
      const send = async (t: string) => {
        await sys.sendto(s, te(t), 0, inet('239.7.7.7', 6000));
        await sys.sleep(ms(1));
        return (await drain(sys, rx)).map(([x]) => x);
      };
      r.loop = await send('loop1');
      await sys.setsockopt(s, IP, IP_MULTICAST_TTL, 0);
      r.ttl0 = await send('ttl0');
      await sys.setsockopt(s, IP, IP_MULTICAST_TTL, 1);
      await sys.setsockopt(s, IP, IP_MULTICAST_LOOP, 0);
      r.noLoop = await send('noloop');
      await sys.setsockopt(s, IP, IP_MULTICAST_LOOP, 1);
      await sys.setsockopt(rx, IP, IP_DROP_MEMBERSHIP, mreq('239.7.7.7', '10.0.0.1'));
      r.afterLeave = await send('left');
    });
    await sim.run();
    expect(r).toEqual({ loop: ['loop1'], ttl0: ['ttl0'], noLoop: [], afterLeave: [] });
    // On the wire: every datagram but the TTL 0 one.
    const data = sent(sink.events, 'a:eth0').filter((f) => f.bytes[23] === 17).map((f) => new TextDecoder().decode(f.bytes.subarray(42)));
    expect(data).toEqual(['loop1', 'noloop', 'left']);
  });

  test('the NIC filter follows memberships; IP tells groups sharing a MAC apart; closing a socket leaves', async () => {
    const { sim, a, b } = lan();
    const eth0 = b.iface('eth0')!;
    const seen: Record<string, unknown> = {};
    b.spawn('rx', async (sys) => {
      const fd = await sock(sys, AF_INET, inet('0.0.0.0', 5000), [[IP, IP_ADD_MEMBERSHIP, mreq('239.1.1.1', '10.0.0.2')]]);
      seen.joined = [...eth0.groups4];
      await sys.sleep(ms(20));
      seen.got = await drain(sys, fd);
      await sys.close(fd);
      seen.afterClose = [...eth0.groups4];
    });
    const ipIn: number[] = [];
    a.spawn('tx', async (sys) => {
      await sys.sleep(ms(1));
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.setsockopt(s, IP, IP_MULTICAST_IF, inAddr('10.0.0.1'));
      const before = b.ipv4.stats.inReceives;
      // 239.129.1.1 has the MAC of 239.1.1.1 (01:00:5e:01:01:01): the NIC takes it, IP drops it.
      await sys.sendto(s, te('alias'), 0, inet('239.129.1.1', 5000));
      await sys.sleep(ms(1));
      ipIn.push(b.ipv4.stats.inReceives - before);
      await sys.sleep(ms(30)); // b has closed its socket
      await sys.sendto(s, te('late'), 0, inet('239.1.1.1', 5000));
      await sys.sleep(ms(1));
      ipIn.push(b.ipv4.stats.inReceives - before);
    });
    await sim.run();
    expect(seen).toEqual({ joined: [[0xef010101, 1]], got: [], afterClose: [] });
    expect(ipIn).toEqual([1, 1]); // the alias reached IP; after the close the NIC filtered the group itself
    expect(eth0.acceptsMac(0x01005e010101)).toBe(false);
  });

  test('no IP_MULTICAST_IF and no route: ENETUNREACH for sendto and connect; connect with one fixes the source', async () => {
    const { sim, a } = lan();
    const r: Record<string, unknown> = {};
    a.spawn('p', async (sys) => {
      const e = (x: number) => (x === -1 ? -sys.errno : x);
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      r.send = e(await sys.sendto(s, te('x'), 0, inet('239.7.7.7', 7000)));
      r.connect = e(await sys.connect(s, inet('239.7.7.7', 7000)));
      await sys.setsockopt(s, IP, IP_MULTICAST_IF, inAddr('10.0.0.1'));
      r.connectIf = e(await sys.connect(s, inet('239.7.7.7', 7000)));
      const name: AddrOut = { addr: null };
      await sys.getsockname(s, name);
      r.name = (name.addr as { addr: string }).addr;
    });
    await sim.run();
    expect(r).toEqual({ send: -Errno.ENETUNREACH, connect: -Errno.ENETUNREACH, connectIf: 0, name: '10.0.0.1' });
  });

  test('a router never forwards multicast, whatever the TTL (no multicast routing)', async () => {
    const { sim, net } = makeNet(2);
    const a = net.addHost('a'), d = net.addHost('d'), rt = net.addRouter('r');
    net.connect(a, rt, {}, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.254/24' } });
    net.connect(rt, d, {}, { a: { ipv4: '10.2.0.254/24' }, b: { ipv4: '10.2.0.4/24' } });
    net.setDefaultGateway(a, '10.0.0.254');
    net.setDefaultGateway(d, '10.2.0.254');
    const got: Record<string, [string, string][]> = {};
    for (const [h, addr] of [[rt, '10.0.0.254'], [d, '10.2.0.4']] as const) {
      h.spawn('rx', async (sys) => {
        const fd = await sock(sys, AF_INET, inet('0.0.0.0', 5000), [[IP, IP_ADD_MEMBERSHIP, mreq('239.1.1.1', addr)]]);
        await sys.sleep(ms(20));
        got[h.name] = await drain(sys, fd);
      });
    }
    a.spawn('tx', async (sys) => {
      await sys.sleep(ms(1));
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.setsockopt(s, IP, IP_MULTICAST_TTL, 5);
      // Out by the default route's interface, to the group's MAC (a group never goes to a gateway).
      expect(await sys.sendto(s, te('ttl5'), 0, inet('239.1.1.1', 5000))).toBe(4);
    });
    await sim.run();
    expect(got).toEqual({ r: [['ttl5', '10.0.0.1']], d: [] });
    expect(rt.ipv4.stats.forwDatagrams).toBe(0);
  });
});

describe('IPv4 broadcast', () => {
  test('SO_BROADCAST (EACCES without); the segment and the sender hear a subnet broadcast; 255.255.255.255', async () => {
    const { sim, sink, a, b } = lan();
    const r: Record<string, unknown> = {};
    let rxB: Record<string, string[]> = {};
    b.spawn('rx', async (sys) => {
      const socks = {
        any: await sock(sys, AF_INET, inet('0.0.0.0', 6000)), bcast: await sock(sys, AF_INET, inet('10.0.0.255', 6000)),
        uni: await sock(sys, AF_INET, inet('10.0.0.2', 6000)), lbcast: await sock(sys, AF_INET, inet('255.255.255.255', 6000)),
      };
      await sys.sleep(ms(20));
      rxB = await drainAll(sys, socks);
    });
    a.spawn('tx', async (sys) => {
      await sys.sleep(ms(1));
      const e = (x: number) => (x === -1 ? -sys.errno : x);
      const me = await sock(sys, AF_INET, inet('0.0.0.0', 6000));
      const s = await sock(sys, AF_INET, inet('0.0.0.0', 6001));
      r.noBroadcast = e(await sys.sendto(s, te('x'), 0, inet('10.0.0.255', 6000)));
      await sys.setsockopt(s, SOL_SOCKET, SO_BROADCAST, 1);
      r.subnet = e(await sys.sendto(s, te('subnet'), 0, inet('10.0.0.255', 6000)));
      r.limited = e(await sys.sendto(s, te('limited'), 0, inet('255.255.255.255', 6000)));
      await sys.setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, te('eth0\0'));
      r.limitedDev = e(await sys.sendto(s, te('limited-dev'), 0, inet('255.255.255.255', 6000)));
      await sys.sleep(ms(1));
      r.self = (await drain(sys, me)).map(([t, f]) => `${t}<${f}`);
    });
    await sim.run();
    expect(r).toEqual({ noBroadcast: -Errno.EACCES, subnet: 6, limited: -Errno.ENETUNREACH, limitedDev: 11, self: ['subnet<10.0.0.1', 'limited-dev<10.0.0.1'] });
    expect(rxB).toEqual({ any: ['subnet<10.0.0.1', 'limited-dev<10.0.0.1'], bcast: ['subnet<10.0.0.1'], uni: [], lbcast: ['limited-dev<10.0.0.1'] });
    const out = sent(sink.events, 'a:eth0').filter((f) => f.bytes[23] === 17);
    expect(out.map((f) => [dstMac(f.bytes), f.bytes[22]])).toEqual([['ffffffffffff', 64], ['ffffffffffff', 64]]);
  });
});

describe('IPv4 broadcast through a default route', () => {
  test('255.255.255.255 leaves by the default route as a link broadcast, not to the gateway', async () => {
    const { sim, net, sink, a, b } = lan();
    net.setDefaultGateway(a, '10.0.0.3');
    let got: [string, string][] = [];
    b.spawn('rx', async (sys) => {
      const fd = await sock(sys, AF_INET, inet('0.0.0.0', 6002));
      await sys.sleep(ms(20));
      got = await drain(sys, fd);
    });
    a.spawn('tx', async (sys) => {
      await sys.sleep(ms(1));
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.setsockopt(s, SOL_SOCKET, SO_BROADCAST, 1);
      expect(await sys.sendto(s, te('all'), 0, inet('255.255.255.255', 6002))).toBe(3);
    });
    await sim.run();
    expect(got).toEqual([['all', '10.0.0.1']]);
    // No ARP for the gateway: the only frame a sends is the broadcast datagram.
    expect(sent(sink.events, 'a:eth0').map((f) => dstMac(f.bytes))).toEqual(['ffffffffffff']);
  });
});

describe('IPv6 multicast on a switch', () => {
  test('who hears a group (any-interface membership, IPV6_MULTICAST_ALL), scoped binds, hop limit, loop', async () => {
    const { sim, sink, a, b } = lan();
    let got: Record<string, string[]> = {};
    b.spawn('rx', async (sys) => {
      const P = inet6('::', 5001);
      const socks = {
        A6_joinEth0: await sock(sys, AF_INET6, P, [[V6, IPV6_JOIN_GROUP, mreq6('ff12::1', 2)]]),
        B6_plain: await sock(sys, AF_INET6, P),
        C6_all0: await sock(sys, AF_INET6, P, [[V6, IPV6_MULTICAST_ALL, 0]]),
        E6_all0JoinEth1: await sock(sys, AF_INET6, P, [[V6, IPV6_MULTICAST_ALL, 0], [V6, IPV6_JOIN_GROUP, mreq6('ff12::1', 3)]]),
        F6_v4: await sock(sys, AF_INET, inet('0.0.0.0', 5001)),
        G6_boundGroupEth0: await sock(sys, AF_INET6, inet6('ff12::1', 5001, 2)),
        H6_boundGroupEth1: await sock(sys, AF_INET6, inet6('ff12::1', 5001, 3)),
      };
      await sys.sleep(ms(50));
      got = await drainAll(sys, socks);
    });
    const loops: string[][] = [];
    a.spawn('tx', async (sys) => {
      await sys.sleep(ms(2));
      const s = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      expect(await sys.setsockopt(s, V6, IPV6_MULTICAST_IF, 2)).toBe(0);
      expect(await sys.setsockopt(s, V6, IPV6_MULTICAST_LOOP, 0)).toBe(0);
      await sys.sendto(s, te('n1'), 0, inet6('ff12::1', 5001));
      await sys.sendto(s, te('n2'), 0, inet6('ff12::2', 5001)); // nobody's group
      await sys.setsockopt(s, V6, IPV6_MULTICAST_HOPS, 5);
      await sys.sendto(s, te('n3'), 0, inet6('ff12::1', 5001));
      // The sender's host in the group, looping on: it hears itself once.
      const me = await sock(sys, AF_INET6, inet6('::', 5002), [[V6, IPV6_JOIN_GROUP, mreq6('ff12::1', 2)]]);
      await sys.setsockopt(s, V6, IPV6_MULTICAST_LOOP, 1);
      await sys.sendto(s, te('self'), 0, inet6('ff12::1', 5002, 2));
      await sys.sleep(ms(1));
      loops.push((await drain(sys, me)).map(([t]) => t));
    });
    await sim.run();
    const from = `<${ipv6ToString(a.iface('eth0')!.linkLocal6()!)}`; // a's link-local source (RFC 6724, link scope)
    expect(got).toEqual({
      A6_joinEth0: ['n1', 'n3'].map((t) => t + from), B6_plain: ['n1', 'n3'].map((t) => t + from), C6_all0: [],
      E6_all0JoinEth1: ['n1', 'n3'].map((t) => t + from), F6_v4: [], G6_boundGroupEth0: ['n1', 'n3'].map((t) => t + from),
      H6_boundGroupEth1: [],
    });
    expect(loops).toEqual([['self']]);
    // Hop limits on the wire (IPv6 header byte 7): 1 by default, then IPV6_MULTICAST_HOPS.
    const udp6 = sent(sink.events, 'a:eth0').filter((f) => f.bytes[12] === 0x86 && f.bytes[20] === 17);
    expect(udp6.map((f) => [dstMac(f.bytes), f.bytes[21]])).toEqual([
      ['333300000001', 1], ['333300000002', 1], ['333300000001', 5], ['333300000001', 5],
    ]);
  });

  test('connect to a link-scope group needs an interface: the scope id or IPV6_MULTICAST_IF (EINVAL otherwise)', async () => {
    const { sim, a } = lan();
    const r: Record<string, unknown> = {};
    a.spawn('p', async (sys) => {
      const e = (x: number) => (x === -1 ? -sys.errno : x);
      const s = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      r.noScope = e(await sys.connect(s, inet6('ff12::1', 5)));
      await sys.setsockopt(s, V6, IPV6_MULTICAST_IF, 2);
      r.withMcastIf = e(await sys.connect(s, inet6('ff12::1', 5)));
      const name: AddrOut = { addr: null };
      await sys.getsockname(s, name);
      r.scopeId = (name.addr as { scopeId: number }).scopeId; // the link-local source, scoped to eth0
      r.site = e(await sys.connect(await sys.socket(AF_INET6, SOCK_DGRAM, 0), inet6('ff05::1', 5)));
    });
    await sim.run();
    expect(r).toEqual({ noScope: -Errno.EINVAL, withMcastIf: 0, scopeId: 2, site: 0 });
  });
});
