/**
 * ICMP errors on an established TCP connection (tcp_v4_err / tcp_v6_err; RFC 1122 §4.2.3.9). Without IP_RECVERR
 * an unreachable is a soft error: nothing is reported until the connection times out, and an ACK of new data forgets
 * it. With IP_RECVERR (IPV6_RECVERR) it is reported at once: poll shows POLLERR, the next recv fails with the error
 * once, and the connection goes on (later sends are delivered). No error-queue entry is made for an established
 * socket. Checked on Linux 6.18 in a private namespace by injecting an ICMP host unreachable that quotes the
 * connection's SND.UNA: with IP_RECVERR poll gave POLLOUT|POLLERR, recv EHOSTUNREACH, MSG_ERRQUEUE EAGAIN, then both
 * sends reached the peer; without it poll gave POLLOUT only and recv EAGAIN (test/tcp/linux/icmp-established.py,
 * icmp-ttl.sh).
 *
 * Here a router on the path loses its route to the server's network while the connection is open, so the client's
 * next segment draws "net unreachable" (ENETUNREACH) from it; the route comes back before the retransmission.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, IPPROTO_IP, IPPROTO_IPV6, IPV6_UNICAST_HOPS, IP_TTL, MSG_DONTWAIT, MSG_ERRQUEUE, POLLERR, POLLHUP, POLLOUT, POLLWRNORM, SOCK_STREAM } from '../../stack/constants.js';
import { errnoName } from '../../stack/errno.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import { ms } from '../../sim/time.js';
import { makeNet } from '../network/helpers.js';
import { parseCmsgs } from '../../stack/cmsg.js';
import type { MsgHdr } from '../../stack/sys.js';

const IP_RECVERR = 11, IPV6_RECVERR = 25;

/** a — r1 — r2 — b, both families; r1 reaches b's network through r2 by a static route (`toB`). */
function topology() {
  const { sim, net } = makeNet(1);
  const a = net.addHost('a'), r1 = net.addRouter('r1'), r2 = net.addRouter('r2'), b = net.addHost('b');
  net.connect(a, r1, { latencyNs: ms(1) }, { a: { ipv4: '10.0.1.2/24', ipv6: '2001:db8:1::2/64' }, b: { ipv4: '10.0.1.1/24', ipv6: '2001:db8:1::1/64' } });
  net.connect(r1, r2, { latencyNs: ms(1) }, { a: { ipv4: '10.0.2.1/24', ipv6: '2001:db8:2::1/64' }, b: { ipv4: '10.0.2.2/24', ipv6: '2001:db8:2::2/64' } });
  net.connect(r2, b, { latencyNs: ms(1) }, { a: { ipv4: '10.0.3.1/24', ipv6: '2001:db8:3::1/64' }, b: { ipv4: '10.0.3.2/24', ipv6: '2001:db8:3::2/64' } });
  for (const [h, gw4, gw6] of [[a, '10.0.1.1', '2001:db8:1::1'], [b, '10.0.3.1', '2001:db8:3::1']] as const) {
    net.setDefaultGateway(h, gw4);
    net.setDefaultGateway(h, gw6);
  }
  net.addRoute(r2, '10.0.1.0/24', '10.0.2.1');
  net.addRoute(r2, '2001:db8:1::/64', '2001:db8:2::1');
  const toB = (v6: boolean) => (v6 ? net.addRoute(r1, '2001:db8:3::/64', '2001:db8:2::2') : net.addRoute(r1, '10.0.3.0/24', '10.0.2.2'));
  toB(false);
  toB(true);
  return { sim, net, a, r1, b, toB };
}

async function run(v6: boolean, recverr: boolean) {
  const { sim, a, r1, b, toB } = topology();
  const fam = v6 ? AF_INET6 : AF_INET;
  const server = v6 ? inet6('2001:db8:3::2', 80) : inet('10.0.3.2', 80);
  let got = '';
  b.spawn('server', async (sys) => {
    const l = await sys.socket(fam, SOCK_STREAM, 0);
    await sys.bind(l, v6 ? inet6('::', 80) : inet('0.0.0.0', 80));
    await sys.listen(l, 1);
    const c = await sys.accept(l);
    const buf = new Uint8Array(100);
    for (;;) {
      const n = await sys.recv(c, buf, 0);
      if (n <= 0) break;
      got += new TextDecoder().decode(buf.subarray(0, n));
    }
  });
  const out: Record<string, unknown> = {};
  a.spawn('client', async (sys) => {
    const c = await sys.socket(fam, SOCK_STREAM, 0);
    if (recverr) await sys.setsockopt(c, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVERR : IP_RECVERR, 1);
    expect(await sys.connect(c, server)).toBe(0);
    await sys.sleep(ms(10));
    // r1 forgets the way to b; the next segment draws net unreachable from r1 within a millisecond or two.
    if (v6) r1.ipv6.routes.remove((r) => r.gateway !== null && r.prefixLen === 64 && r.dest[5] === 3);
    else r1.ipv4.routes.remove((r) => r.gateway !== 0);
    expect(await sys.send(c, new TextEncoder().encode('x'), 0)).toBe(1);
    await sys.sleep(ms(5));
    toB(v6); // back before the retransmission timer (RTO ≥ 200 ms)
    const fds = [{ fd: c, events: POLLOUT, revents: 0 }];
    await sys.poll(fds, 1, 0);
    out.poll = fds[0]!.revents;
    out.errqueue = (await sys.recvmsg(c, { iov: [new Uint8Array(10)] }, MSG_ERRQUEUE)) < 0 ? errnoName(sys.errno) : 'entry';
    out.recv = (await sys.recv(c, new Uint8Array(10), MSG_DONTWAIT)) < 0 ? errnoName(sys.errno) : 'data';
    expect(await sys.send(c, new TextEncoder().encode('y'), 0)).toBe(1);
    await sys.sleep(ms(500));
    await sys.close(c);
  });
  await sim.run();
  expect(r1.drops.get('no-route')).toBeGreaterThanOrEqual(1);
  return { ...out, got };
}

describe('ICMP errors on TCP connections (Linux 6.18)', () => {
  for (const v6 of [false, true]) {
    test(`${v6 ? 'IPv6' : 'IPv4'} with ${v6 ? 'IPV6_RECVERR' : 'IP_RECVERR'}: POLLERR, one recv fails, the connection goes on`, async () => {
      expect(await run(v6, true)).toEqual({ poll: POLLOUT | POLLERR, errqueue: 'EAGAIN', recv: 'ENETUNREACH', got: 'xy' });
    });
    test(`${v6 ? 'IPv6' : 'IPv4'} without it: a soft error, nothing reported`, async () => {
      expect(await run(v6, false)).toEqual({ poll: POLLOUT, errqueue: 'EAGAIN', recv: 'EAGAIN', got: 'xy' });
    });
  }

  // tcp_v4_err / tcp_v6_err: time exceeded is EHOSTUNREACH, and in SYN_SENT any ICMP error ends the connect.
  // Linux 6.18 (client, router and server namespaces joined by veth): IP_TTL 1 → connect() EHOSTUNREACH at once.
  for (const v6 of [false, true]) {
    test(`${v6 ? 'IPv6' : 'IPv4'}: a SYN whose ${v6 ? 'hop limit' : 'TTL'} runs out fails connect() with EHOSTUNREACH`, async () => {
      const { sim, a, b } = topology();
      const fam = v6 ? AF_INET6 : AF_INET;
      b.spawn('server', async (sys) => {
        const l = await sys.socket(fam, SOCK_STREAM, 0);
        await sys.bind(l, v6 ? inet6('::', 80) : inet('0.0.0.0', 80));
        await sys.listen(l, 1);
        await sys.sleep(ms(1000));
      });
      const res: string[] = [];
      a.spawn('client', async (sys) => {
        for (const hops of [1, 64]) {
          const c = await sys.socket(fam, SOCK_STREAM, 0);
          await sys.setsockopt(c, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_UNICAST_HOPS : IP_TTL, hops);
          const t0 = sys.now;
          const r = await sys.connect(c, v6 ? inet6('2001:db8:3::2', 80) : inet('10.0.3.2', 80));
          res.push(`${hops}: ${r < 0 ? errnoName(sys.errno) : 'connected'} after ${(sys.now - t0) / 1e6} ms`);
        }
      });
      await sim.run();
      // Resolving r1's address takes a round trip (2 ms), then the SYN reaches r1 (1 ms) and its ICMP error comes
      // back (1 ms): the first SYN fails the connect, with no retransmission.
      expect(res[0]).toBe('1: EHOSTUNREACH after 4 ms');
      expect(res[1]).toMatch(/^64: connected/);
    });
  }

  // ip_icmp_error from tcp_v4_err's SYN_SENT branch, called whether or not IP_RECVERR is on. Linux 6.18
  // (icmp-ttl.sh): one entry, its data the quoted SYN from its TCP header on (40 bytes with options), msg_name the
  // destination, MSG_ERRQUEUE, sock_extended_err {EHOSTUNREACH, origin ICMP, type 11, code 0} and the router's
  // address as offender; POLLERR until it is read (poll after the failed blocking connect: POLLOUT|POLLERR|POLLHUP|
  // POLLWRNORM, 0x11c); the same without IP_RECVERR.
  for (const recverr of [true, false]) test(`IPv4${recverr ? ' with IP_RECVERR' : ''}: the ICMP error that ended the connect is queued, quoting the SYN`, async () => {
    const { sim, a } = topology();
    const out: Record<string, unknown> = {};
    a.spawn('client', async (sys) => {
      const c = await sys.socket(AF_INET, SOCK_STREAM, 0);
      await sys.setsockopt(c, IPPROTO_IP, IP_TTL, 1);
      if (recverr) await sys.setsockopt(c, IPPROTO_IP, IP_RECVERR, 1);
      out.connect = (await sys.connect(c, inet('10.0.3.2', 80))) < 0 ? errnoName(sys.errno) : 'connected';
      const fds = [{ fd: c, events: 0xffff, revents: 0 }];
      await sys.poll(fds, 1, 0);
      out.poll = fds[0]!.revents;
      const control = new Uint8Array(128);
      const msg: MsgHdr = { iov: [new Uint8Array(100)], control, controllen: 128, name: null };
      const n = await sys.recvmsg(c, msg, MSG_ERRQUEUE);
      const data = msg.iov[0]!.subarray(0, n);
      const cm = parseCmsgs(control, msg.controllen ?? 0);
      const ee = new DataView(cm[0]!.data.buffer, cm[0]!.data.byteOffset);
      Object.assign(out, {
        n, flags: msg.flags, name: msg.name, dport: (data[2]! << 8) | data[3]!, synFlags: data[13],
        cmsg: [cm[0]!.level, cm[0]!.type], ee: [ee.getUint32(0, true), ee.getUint8(4), ee.getUint8(5), ee.getUint8(6)],
        offender: [...cm[0]!.data.subarray(20, 24)].join('.'),
      });
      await sys.poll(fds, 1, 0);
      out.pollerrAfter = (fds[0]!.revents & POLLERR) !== 0;
      out.again = (await sys.recvmsg(c, { iov: [new Uint8Array(10)] }, MSG_ERRQUEUE)) < 0 ? errnoName(sys.errno) : 'entry';
    });
    await sim.run();
    expect(out).toEqual({
      connect: 'EHOSTUNREACH', poll: POLLOUT | POLLERR | POLLHUP | POLLWRNORM, n: 40, flags: MSG_ERRQUEUE, name: { family: AF_INET, addr: '10.0.3.2', port: 80 },
      dport: 80, synFlags: 0x02, cmsg: [IPPROTO_IP, IP_RECVERR], ee: [113, 2, 11, 0], offender: '10.0.1.1',
      pollerrAfter: false, again: 'EAGAIN',
    });
  });
});
