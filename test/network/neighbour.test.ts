/**
 * Address resolution, ARP (RFC 826) and neighbour discovery (RFC 4861 §7), with Linux's NUD machine and defaults:
 *   - the first packet waits one request/reply round trip; the request is broadcast, the reply unicast;
 *   - an unanswered address: 3 requests 1 s apart (mcast_solicit, retrans_time), then every queued packet comes
 *     back to its sender as ICMP host unreachable (ICMPv6 address unreachable) at 3 s, which the transport's error
 *     hook sees (TCP turns it into EHOSTUNREACH); the next packet starts over;
 *   - an entry goes STALE after reachable_time (15–45 s); using it then sends at once, and 5 s later
 *     (delay_first_probe_time) a unicast probe confirms it;
 *   - NS goes to the solicited-node group with hop limit 255 and our MAC; NA comes back solicited and override;
 *   - a request for any local address is answered on any interface (arp_ignore 0);
 *   - a crash forgets the cache.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, SOCK_DGRAM } from '../../stack/constants.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import { ms, sec } from '../../sim/time.js';
import { parseEthernet } from '../../stack/wire/ethernet.js';
import { parseArp } from '../../stack/wire/arp.js';
import { parseIpv6 } from '../../stack/wire/ipv6.js';
import { parseIcmpv6 } from '../../stack/wire/icmpv6.js';
import { ipv6ToString } from '../../stack/wire/addr.js';
import { IPPROTO_UDP } from '../../stack/constants.js';
import type { Icmp4Error } from '../../stack/ipv4.js';
import type { Icmp6Error } from '../../stack/ipv6.js';
import { makeNet, pair, type MemorySink } from './helpers.js';

/** ARP packets on the wire: [time, op, ethernet dst, sender ip, target ip]. */
function arps(sink: MemorySink) {
  return sink.of('tx').map((e) => ({ t: e[1] as number, eth: parseEthernet(e[5] as Uint8Array) }))
    .filter((x) => x.eth.etherType === 0x0806).map((x) => ({ t: x.t, dst: x.eth.dst, ...parseArp(x.eth.payload) }));
}

/** Neighbour discovery messages on the wire. */
function nds(sink: MemorySink) {
  return sink.of('tx').map((e) => ({ t: e[1] as number, eth: parseEthernet(e[5] as Uint8Array) }))
    .filter((x) => x.eth.etherType === 0x86dd).map((x) => ({ t: x.t, dst: x.eth.dst, ip: parseIpv6(x.eth.payload) }))
    .filter((x) => x.ip.nextHeader === 58).map((x) => ({ ...x, m: parseIcmpv6(x.ip.payload, x.ip.src, x.ip.dst) }))
    .filter((x) => x.m.type === 135 || x.m.type === 136);
}

describe('ARP', () => {
  test('the first datagram waits for a broadcast request and a unicast reply; the next goes at once', async () => {
    const { sim, a, b, sink } = pair({ latencyNs: ms(5) });
    const at: number[] = [];
    b.spawn('rx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(fd, inet('0.0.0.0', 9));
      for (let i = 0; i < 2; i++) {
        await sys.recv(fd, new Uint8Array(8));
        at.push(sys.now);
      }
    });
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.2', 9));
      await sys.sleep(ms(100));
      await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.2', 9));
    });
    await sim.run();
    expect(at).toEqual([ms(15), ms(105)]);
    const seen = arps(sink);
    expect(seen.slice(0, 2)).toEqual([
      { t: 0, dst: 0xffffffffffff, op: 1, senderMac: a.iface('eth0')!.mac, senderIp: 0x0a000001, targetMac: 0, targetIp: 0x0a000002 },
      { t: ms(5), dst: a.iface('eth0')!.mac, op: 2, senderMac: b.iface('eth0')!.mac, senderIp: 0x0a000002, targetMac: a.iface('eth0')!.mac, targetIp: 0x0a000001 },
    ]);
    // b learned a from the request (STALE) and used it for nothing; a's entry is REACHABLE.
    expect(a.ipv4.arp.table.get(a.iface('eth0')!, String(0x0a000002))?.state).toBe('reachable');
    expect(b.ipv4.arp.table.get(b.iface('eth0')!, String(0x0a000001))?.state).toBe('stale');
  });

  test('no answer: three requests a second apart, then host unreachable for every queued packet at 3 s', async () => {
    const { sim, a, sink } = pair({ latencyNs: ms(1) });
    const errors: [number, Icmp4Error][] = [];
    const udpErr = a.ipv4.errorHandlers.get(IPPROTO_UDP)!;
    a.ipv4.errorHandlers.set(IPPROTO_UDP, (e) => {
      errors.push([sim.now, e]);
      udpErr(e);
    });
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      for (let i = 0; i < 3; i++) await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.99', 9));
      await sys.sleep(sec(5));
      await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.99', 9));
    });
    await sim.run();
    expect(arps(sink).filter((x) => x.targetIp === 0x0a000063).map((x) => x.t)).toEqual([0, sec(1), sec(2), sec(5), sec(6), sec(7)]);
    // Each report comes back through the host's loopback backlog in the same instant the entry fails, 3 s and 8 s
    // (the neighbour timer's softirq sends them and the NET_RX softirq delivers them).
    expect(errors.map(([t, e]) => [t, e.type, e.code, e.dst])).toEqual([
      [sec(3), 3, 1, 0x0a000063], [sec(3), 3, 1, 0x0a000063], [sec(3), 3, 1, 0x0a000063],
      [sec(8), 3, 1, 0x0a000063],
    ]);
    expect(a.ipv4.arp.table.get(a.iface('eth0')!, String(0x0a000063))?.state).toBe('failed');
  });

  test('a stale entry is used at once and confirmed by a unicast probe 5 s later', async () => {
    const { sim, a, sink } = pair({ latencyNs: ms(1) });
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.2', 9));
      await sys.sleep(sec(60)); // past any reachable_time (at most 45 s)
      await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.2', 9));
    });
    await sim.run();
    const fromA = arps(sink).filter((x) => x.senderIp === 0x0a000001 && x.op === 1);
    expect(fromA.map((x) => [x.t, x.dst === 0xffffffffffff ? 'broadcast' : 'unicast'])).toEqual([
      [0, 'broadcast'], [sec(65), 'unicast'], // used at 60 s: DELAY, then the probe
    ]);
    expect(a.ipv4.arp.table.get(a.iface('eth0')!, String(0x0a000002))?.state).toBe('reachable');
  });

  test('a request for an address of another interface is answered (weak host model); a crash forgets the cache', async () => {
    const { sim, net, sink } = makeNet(2);
    const a = net.addHost('a'), b = net.addHost('b'), c = net.addHost('c');
    net.connect(a, b, { latencyNs: ms(1) }, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
    net.connect(b, c, { latencyNs: ms(1) }, { a: { ipv4: '10.9.0.1/24' }, b: { ipv4: '10.9.0.2/24' } });
    net.addRoute(a, '10.9.0.0/24', undefined, 'eth0'); // on-link, as a misconfigured host would have it
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.sendto(fd, new Uint8Array(1), 0, inet('10.9.0.1', 9));
    });
    sim.at(sec(1), () => net.crash(a));
    sim.at(sec(2), () => net.restart(a));
    sim.at(sec(2), () => a.spawn('tx2', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.sendto(fd, new Uint8Array(1), 0, inet('10.9.0.1', 9));
    }));
    await sim.run();
    const replies = arps(sink).filter((x) => x.op === 2 && x.senderIp === 0x0a090001);
    expect(replies.map((x) => [x.t, x.senderIp])).toEqual([[ms(1), 0x0a090001], [sec(2) + ms(1), 0x0a090001]]);
  });
});

describe('IPv6 neighbour discovery', () => {
  test('NS to the solicited-node group with hop limit 255 and our MAC; NA solicited and override', async () => {
    const { sim, a, b, sink } = pair({ latencyNs: ms(1) });
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.sendto(fd, new Uint8Array(1), 0, inet6('2001:db8::2', 9));
    });
    await sim.run();
    const [ns, na] = nds(sink);
    expect(ns!.dst).toBe(0x3333ff000002);
    expect(ipv6ToString(ns!.ip.dst)).toBe('ff02::1:ff00:2');
    expect(ipv6ToString(ns!.ip.src)).toBe('2001:db8::1'); // the waiting packet's source (ndisc_solicit)
    expect(ns!.ip.hopLimit).toBe(255);
    expect(ns!.m).toMatchObject({ type: 135, target: b.iface('eth0')!.ipv6[0]!.addr, options: [{ kind: 'sourceLinkAddr', mac: a.iface('eth0')!.mac }] });
    expect(na!.ip.hopLimit).toBe(255);
    expect(na!.m).toMatchObject({ type: 136, solicited: true, override: true, router: false, options: [{ kind: 'targetLinkAddr', mac: b.iface('eth0')!.mac }] });
  });

  test('no answer: ICMPv6 address unreachable to the sender after 3 s', async () => {
    const { sim, a } = pair({ latencyNs: ms(1) });
    const errors: [number, Icmp6Error][] = [];
    const udpErr = a.ipv6.errorHandlers.get(IPPROTO_UDP)!;
    a.ipv6.errorHandlers.set(IPPROTO_UDP, (e) => {
      errors.push([sim.now, e]);
      udpErr(e);
    });
    a.spawn('tx', async (sys) => {
      const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.sendto(fd, new Uint8Array(1), 0, inet6('2001:db8::99', 9));
    });
    await sim.run();
    expect(errors.map(([t, e]) => [t, e.type, e.code, ipv6ToString(e.dst)])).toEqual([[sec(3), 1, 3, '2001:db8::99']]);
  });
});
