/**
 * UDP and ICMP errors, as Linux behaves (checked on Linux 6.18 in a network namespace, and net/ipv4/udp.c,
 * net/ipv4/icmp.c):
 *   - a datagram to a closed port draws ICMP port unreachable (RFC 1122 §4.1.3.1);
 *   - a *connected* socket then fails its next call with ECONNREFUSED, once, even with data queued (__skb_recv_udp
 *     reports sk_err first); an unconnected socket sees nothing (no IP_RECVERR);
 *   - the same over IPv6 (ICMPv6 destination unreachable code 4) and for a dual-stack socket talking IPv4;
 *   - broadcast datagrams never draw ICMP errors;
 *   - ICMP errors to one destination are limited to a burst of 6 and then one per icmp_ratelimit (1000 ms);
 *     errors to ourselves over loopback are not limited.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, MSG_DONTWAIT, SOCK_DGRAM, SOL_SOCKET, SO_BROADCAST } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import { ms, sec } from '../../sim/time.js';
import { makeNet, pair } from './helpers.js';

describe('UDP to a closed port', () => {
  test('a connected socket gets ECONNREFUSED on its next call (send, then recv), once; an unconnected one nothing', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    const seen: Record<string, number> = {};
    a.spawn('p', async (sys) => {
      const buf = new Uint8Array(16);
      const c = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.connect(c, inet('10.0.0.2', 9));
      seen.first = await sys.send(c, new Uint8Array(4)); // nothing is known yet: it succeeds
      await sys.sleep(ms(20));
      seen.send = (await sys.send(c, new Uint8Array(4))) === -1 ? sys.errno : 0;
      seen.sendAgain = await sys.send(c, new Uint8Array(4)); // reported once, then cleared
      await sys.sleep(ms(20));
      seen.recv = (await sys.recv(c, buf, MSG_DONTWAIT)) === -1 ? sys.errno : 0;
      seen.recvAgain = (await sys.recv(c, buf, MSG_DONTWAIT)) === -1 ? sys.errno : 0;
      const u = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      seen.unconnected = await sys.sendto(u, new Uint8Array(4), 0, inet('10.0.0.2', 9));
      await sys.sleep(ms(20));
      seen.unconnectedRecv = (await sys.recv(u, buf, MSG_DONTWAIT)) === -1 ? sys.errno : 0;
      seen.unconnectedSend = await sys.sendto(u, new Uint8Array(4), 0, inet('10.0.0.2', 9));
    });
    await sim.run();
    expect(seen).toEqual({
      first: 4, send: Errno.ECONNREFUSED, sendAgain: 4, recv: Errno.ECONNREFUSED, recvAgain: Errno.EAGAIN,
      unconnected: 4, unconnectedRecv: Errno.EAGAIN, unconnectedSend: 4,
    });
    expect(b.icmp.stats.outDestUnreachs).toBe(4);
    expect(a.icmp.stats.inDestUnreachs).toBe(4);
  });

  test('the error comes before data already queued (as Linux 6.18 shows)', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    const out: number[] = [];
    b.spawn('peer', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(fd, inet('10.0.0.2', 6000));
      await sys.sendto(fd, new Uint8Array(7), 0, inet('10.0.0.1', 5000));
      await sys.close(fd); // the peer goes away: port 6000 is closed now
    });
    a.spawn('p', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(fd, inet('10.0.0.1', 5000));
      await sys.connect(fd, inet('10.0.0.2', 6000));
      await sys.sleep(ms(20)); // the datagram from b is queued
      await sys.send(fd, new Uint8Array(1));
      await sys.sleep(ms(20)); // the port unreachable has arrived
      const buf = new Uint8Array(16);
      out.push((await sys.recv(fd, buf, MSG_DONTWAIT)) === -1 ? -sys.errno : 0);
      out.push(await sys.recv(fd, buf, MSG_DONTWAIT));
    });
    await sim.run();
    expect(out).toEqual([-Errno.ECONNREFUSED, 7]);
  });

  test('over IPv6, and for a dual-stack socket connected to a v4-mapped peer', async () => {
    const { sim, a } = pair({ latencyNs: ms(1) });
    const out: number[] = [];
    a.spawn('p', async (sys) => {
      for (const dst of [inet6('2001:db8::2', 9), inet6('::ffff:10.0.0.2', 9)]) {
        const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
        expect(await sys.connect(fd, dst)).toBe(0);
        await sys.send(fd, new Uint8Array(3));
        await sys.sleep(ms(20));
        out.push((await sys.send(fd, new Uint8Array(3))) === -1 ? sys.errno : 0);
      }
    });
    await sim.run();
    expect(out).toEqual([Errno.ECONNREFUSED, Errno.ECONNREFUSED]);
    expect(a.icmp6.stats.inDestUnreachs).toBe(1);
    expect(a.icmp.stats.inDestUnreachs).toBe(1);
  });

  test('a broadcast datagram to a closed port draws no ICMP error (RFC 1122 §3.2.2)', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    a.spawn('p', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.setsockopt(fd, SOL_SOCKET, SO_BROADCAST, 1);
      expect(await sys.sendto(fd, new Uint8Array(3), 0, inet('10.0.0.255', 9))).toBe(3);
    });
    await sim.run();
    expect(b.udp.stats.inDatagrams + b.icmp.stats.outMsgs).toBe(0);
    expect(b.drops.get('no-socket')).toBe(1);
  });
});

describe('ICMP rate limiting (icmp_ratelimit, icmp_msgs_per_sec)', () => {
  test('errors to one host: a burst of 6, then one per second; errors to ourselves over lo are not limited', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    a.spawn('p', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      for (let i = 0; i < 20; i++) await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.2', 9));
      await sys.sleep(sec(1.1)); // the first errors left at 3 ms (after ARP): a bit more than a second later
      for (let i = 0; i < 5; i++) await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.2', 9));
      await sys.sleep(sec(3));
      for (let i = 0; i < 5; i++) await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.2', 9));
      // More than icmp_msgs_burst (50): over lo neither the global nor the per-host limit applies.
      for (let i = 0; i < 100; i++) await sys.sendto(fd, new Uint8Array(1), 0, inet('127.0.0.1', 9));
    });
    await sim.run();
    // 6 in the first burst, 1 after a second, 3 after three more seconds (tokens refill one per second).
    expect(b.icmp.stats.outDestUnreachs).toBe(6 + 1 + 3);
    expect(b.icmp.stats.outRateLimitHost).toBe(14 + 4 + 2);
    expect(a.icmp.stats.outDestUnreachs).toBe(100);
  });

  test('many senders at once: icmp_msgs_per_sec caps the host at a burst of about icmp_msgs_burst (50)', async () => {
    const { sim, net } = makeNet(9);
    const sw = net.addSwitch('sw');
    const b = net.addHost('b');
    net.attach(b, sw, { latencyNs: ms(1) }, { ipv4: '10.0.0.200/24' });
    for (let i = 1; i <= 15; i++) {
      const h = net.addHost(`h${i}`);
      net.attach(h, sw, { latencyNs: ms(1) }, { ipv4: `10.0.0.${i}/24` });
      // All at 10 ms, after ARP is settled by a first datagram: 15 peers × the 5 left of their burst of 6.
      h.spawn('tx', async (sys) => {
        const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.200', 9));
        await sys.sleep(ms(10));
        for (let k = 0; k < 5; k++) await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.200', 9));
      });
    }
    await sim.run();
    const sent = b.icmp.stats.outDestUnreachs;
    // Per host alone 15 × 6 = 90 would go; each message takes 0–2 credits (mean 1) of the 50.
    expect(b.icmp.stats.outRateLimitGlobal).toBeGreaterThan(0);
    expect(sent).toBeLessThan(90);
    expect(sent).toBeGreaterThanOrEqual(34);
    expect(sent).toBeLessThanOrEqual(75);
  });
});
