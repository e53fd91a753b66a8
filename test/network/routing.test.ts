/**
 * Forwarding and the ICMP errors of routers (RFC 1812 §4.3, §5.3; RFC 4443; Linux ip_forward / ip6_forward):
 * TTL and hop limit expiry draw time exceeded, a missing route destination unreachable (net unreachable; IPv6 code
 * 0), a host with forwarding off drops transit traffic silently, a sender without a route gets ENETUNREACH, an
 * unknown protocol draws protocol unreachable (IPv6: parameter problem code 1), an echo to a broadcast address is
 * ignored (icmp_echo_ignore_broadcasts), and a learning switch stops flooding once it knows where a MAC lives.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, IPPROTO_ICMP, SOCK_DGRAM, MSG_DONTWAIT, SOL_SOCKET, SO_BROADCAST } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import type { Network } from '../../stack/network.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import { ms } from '../../sim/time.js';
import { ipv6FromString } from '../../stack/wire/addr.js';
import { makeNet, pair } from './helpers.js';

/** a — r1 — r2 — b, with r1 and r2 pointing 10.0.9.0/24 (and 2001:db8:9::/64) at each other: a loop. */
function looped(net: Network) {
  const a = net.addHost('a'), r1 = net.addRouter('r1'), r2 = net.addRouter('r2'), b = net.addHost('b');
  net.connect(a, r1, { latencyNs: ms(1) }, { a: { ipv4: '10.0.1.2/24', ipv6: '2001:db8:1::2/64' }, b: { ipv4: '10.0.1.1/24', ipv6: '2001:db8:1::1/64' } });
  net.connect(r1, r2, { latencyNs: ms(1) }, { a: { ipv4: '10.0.2.1/24', ipv6: '2001:db8:2::1/64' }, b: { ipv4: '10.0.2.2/24', ipv6: '2001:db8:2::2/64' } });
  net.connect(r2, b, { latencyNs: ms(1) }, { a: { ipv4: '10.0.3.1/24', ipv6: '2001:db8:3::1/64' }, b: { ipv4: '10.0.3.2/24', ipv6: '2001:db8:3::2/64' } });
  net.setDefaultGateway(a, '10.0.1.1');
  net.setDefaultGateway(a, '2001:db8:1::1');
  net.addRoute(r1, '10.0.9.0/24', '10.0.2.2');
  net.addRoute(r2, '10.0.9.0/24', '10.0.2.1');
  net.addRoute(r1, '2001:db8:9::/64', '2001:db8:2::2');
  net.addRoute(r2, '2001:db8:9::/64', '2001:db8:2::1');
  net.addRoute(r1, '10.0.3.0/24', '10.0.2.2');
  net.addRoute(r2, '10.0.1.0/24', '10.0.2.1'); // the way back for the ICMP errors
  net.addRoute(r2, '2001:db8:1::/64', '2001:db8:2::1');
  return { a, r1, r2, b };
}

describe('forwarding errors', () => {
  test('a routing loop: TTL / hop limit runs out and time exceeded comes back; no route: unreachable', async () => {
    const { sim, net } = makeNet(1);
    const { a, r1 } = looped(net);
    a.spawn('tx', async (sys) => {
      const u = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.sendto(u, new Uint8Array(4), 0, inet('10.0.9.9', 9)); // loops until TTL 64 runs out
      await sys.sendto(u, new Uint8Array(4), 0, inet('10.0.8.8', 9)); // r1 has no route
      const u6 = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.sendto(u6, new Uint8Array(4), 0, inet6('2001:db8:9::9', 9));
      await sys.sendto(u6, new Uint8Array(4), 0, inet6('2001:db8:8::8', 9));
    });
    await sim.run();
    expect(a.icmp.stats.inTimeExcds).toBe(1);
    expect(a.icmp.stats.inDestUnreachs).toBe(1);
    expect(a.icmp6.stats.inTimeExcds).toBe(1);
    expect(a.icmp6.stats.inDestUnreachs).toBe(1);
    expect(r1.drops.get('no-route')).toBe(2);
    expect(net.drops.get('ttl-exceeded')).toBe(2);
  });

  test('forwarding off: transit packets are dropped silently; no route on the sender: ENETUNREACH', async () => {
    const { sim, net } = makeNet(1);
    const a = net.addHost('a'), m = net.addHost('m'), b = net.addHost('b');
    net.connect(a, m, { latencyNs: ms(1) }, { a: { ipv4: '10.0.1.2/24' }, b: { ipv4: '10.0.1.1/24' } });
    net.connect(m, b, { latencyNs: ms(1) }, { a: { ipv4: '10.0.2.1/24' }, b: { ipv4: '10.0.2.2/24' } });
    net.setDefaultGateway(a, '10.0.1.1');
    const r: number[] = [];
    a.spawn('tx', async (sys) => {
      const u = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      r.push(await sys.sendto(u, new Uint8Array(4), 0, inet('10.0.2.2', 9)));
      const n = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      r.push((await sys.sendto(n, new Uint8Array(4), 0, inet6('2001:db8:7::1', 9))) === -1 ? -sys.errno : 0);
    });
    await sim.run();
    expect(r).toEqual([4, -Errno.ENETUNREACH]);
    expect(m.ipv4.stats.inAddrErrors).toBe(1);
    expect(m.icmp.stats.outMsgs + b.udp.stats.noPorts).toBe(0);
  });

  test('an unknown protocol draws protocol unreachable, over IPv6 parameter problem code 1', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    sim.at(0, () => {
      a.ipv4.output({ src: 0x0a000001, dst: 0x0a000002, protocol: 253, payload: new Uint8Array(8) });
      const src = ipv6FromString('2001:db8::1')!, dst = ipv6FromString('2001:db8::2')!;
      a.ipv6.output({ src, dst, nextHeader: 253, payload: new Uint8Array(8) });
    });
    await sim.run();
    expect(b.icmp.stats.outDestUnreachs).toBe(1);
    expect(b.icmp6.stats.outParmProblems).toBe(1);
  });

  test('an echo to a broadcast address is ignored (icmp_echo_ignore_broadcasts = 1)', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    a.ping.groupRange = [0, 2147483647];
    let got = 0;
    a.spawn('p', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      await sys.setsockopt(fd, SOL_SOCKET, SO_BROADCAST, 1);
      await sys.sendto(fd, Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 1), 0, inet('10.0.0.255', 0));
      await sys.sleep(ms(50));
      got = await sys.recv(fd, new Uint8Array(64), MSG_DONTWAIT);
    });
    await sim.run();
    expect(got).toBe(-1);
    expect(b.icmp.stats.inEchos).toBe(1);
    expect(b.icmp.stats.outEchoReps).toBe(0);
  });
});

describe('switches', () => {
  test('a learning switch floods unknown destinations, then forwards only to the learned port', async () => {
    const { sim, net } = makeNet(1);
    const sw = net.addSwitch('sw');
    const [a, b, c] = ['a', 'b', 'c'].map((n) => net.addHost(n));
    const links = [a, b, c].map((h, i) => net.attach(h!, sw, { latencyNs: ms(1) }, { ipv4: `10.0.0.${i + 1}/24` }).link);
    a!.spawn('tx', async (sys) => {
      const u = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      for (let i = 0; i < 5; i++) {
        await sys.sendto(u, new Uint8Array(4), 0, inet('10.0.0.2', 9));
        await sys.sleep(ms(10));
      }
    });
    await sim.run();
    // c sees the broadcast ARP request and nothing else: the reply taught the switch where a and b are.
    expect(links[2]!.delivered('b>a').frames).toBe(1);
    expect(c!.drops.total()).toBe(0);
    expect(sw.stats.flooded).toBe(1);
    const hub = makeNet(1);
    const h = hub.net.addSwitch('hub', { learning: false });
    const [x, y, z] = ['x', 'y', 'z'].map((n) => hub.net.addHost(n));
    [x, y, z].forEach((host, i) => hub.net.attach(host!, h, { latencyNs: ms(1) }, { ipv4: `10.0.0.${i + 1}/24` }));
    x!.spawn('tx', async (sys) => {
      const u = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      for (let i = 0; i < 5; i++) await sys.sendto(u, new Uint8Array(4), 0, inet('10.0.0.2', 9));
    });
    await hub.sim.run();
    expect(z!.drops.get('not-for-us')).toBeGreaterThanOrEqual(5); // a hub repeats every frame everywhere
  });
});
