/**
 * Runtime interface configuration, as `ip addr`, `ip route` and `ip link` change a Linux host: an address brings
 * its connected route and takes it away again; a default gateway must lie on a connected subnet (ENETUNREACH
 * otherwise, ENODEV for an unknown device); routes over a downed interface are not used; the ping-partition
 * scenario gives the outcome its description promises, and the same events every time.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, SOCK_DGRAM } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { addIpv4Address, addRoute, removeIpv4Address, setDefaultGateway, setDnsServers, setLinkUp, setMtu } from '../../stack/ifconfig.js';
import { inet } from '../../stack/sockaddr.js';
import { ms, sec } from '../../sim/time.js';
import { pingPartition, PING_COUNT } from '../../scenarios/ping-partition.js';
import { makeNet, pair } from './helpers.js';

describe('runtime configuration', () => {
  test('addresses bring and take their connected routes; gateways must be on a link; a down link is not used', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    const eth0 = a.iface('eth0')!;
    const r: number[] = [];
    a.spawn('p', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      const send = async (dst: string) => ((await sys.sendto(fd, new Uint8Array(1), 0, inet(dst, 9))) === -1 ? -sys.errno : 0);
      r.push(await send('192.168.5.9')); // no route
      r.push(addIpv4Address(eth0, 0xc0a80501, 24));
      r.push(await send('192.168.5.9')); // on-link now
      r.push(removeIpv4Address(eth0, 0xc0a80501));
      r.push(await send('192.168.5.9'));
      r.push(setDefaultGateway(a, '172.16.0.1')); // not on any connected subnet
      r.push(addRoute(a, '10.9.0.0/16', '10.0.0.2', 'eth7'));
      r.push(setDefaultGateway(a, '10.0.0.2'));
      r.push(await send('8.8.8.8'));
      setLinkUp(eth0, false);
      r.push(await send('10.0.0.2'));
      setLinkUp(eth0, true);
      r.push(await send('10.0.0.2'));
      r.push(setMtu(eth0, 40), setDnsServers(a, ['10.0.0.2', 'bad']), setDnsServers(a, ['10.0.0.2', '2001:db8::2']));
    });
    await sim.run();
    expect(r).toEqual([
      -Errno.ENETUNREACH, 0, 0, 0, -Errno.ENETUNREACH, -Errno.ENETUNREACH, -Errno.ENODEV, 0, 0, -Errno.ENETUNREACH, 0,
      -Errno.EINVAL, -Errno.EINVAL, 0,
    ]);
    expect(a.dnsServers).toEqual(['10.0.0.2', '2001:db8::2']);
    // Transit traffic b does not forward: the datagram to 8.8.8.8, and at 3 s the host unreachable a reports to
    // itself about 192.168.5.9, whose source 192.168.5.1 is no longer a's, so it leaves by the default route.
    expect(b.ipv4.stats.inAddrErrors).toBe(2);
  });
});

describe('scenario ping-partition', () => {
  test('echoes before the partition and after the heal are answered, those in between are not; runs repeat exactly', async () => {
    const run = async () => {
      const { sim, net, sink } = makeNet(42);
      pingPartition(net);
      const res = await sim.run();
      return { res, sink };
    };
    const one = await run();
    expect(one.res.status).toBe('completed');
    const notes = one.sink.of('note').map((e) => e[2] as string);
    for (const v of [4, 6]) {
      const outcome = notes.filter((n) => n.startsWith(`ping${v} `)).map((n) => (n.includes('reply') ? 'R' : 'T')).join('');
      // Echoes at 0–3 s answered; 4, 5 and 6 s fall in the partition (3.5–6.5 s); 7–9 s answered again.
      expect(outcome).toBe('RRRRTTTRRR');
      expect(outcome.length).toBe(PING_COUNT);
    }
    expect(notes).toContain('partition {a} | {b}');
    const two = await run();
    expect(two.sink.events).toEqual(one.sink.events);
    expect(one.res.timeNs).toBeGreaterThan(sec(10));
  });
});
