/**
 * TCP over IPv6 (RFC 8200; tcp_v6_connect, inet6_bind) and dual stack: an AF_INET6 listener on :: accepts IPv4
 * clients as v4-mapped peers unless IPV6_V6ONLY (RFC 4291 §2.5.5.2, ipv6(7)); the MSS is MTU − 60.
 */
import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { AF_INET, AF_INET6, IPPROTO_IPV6, IPPROTO_TCP, IPV6_V6ONLY, SOCK_STREAM, TCP_MAXSEG } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { inet, inet6, type SockAddrIn6 } from '../../stack/sockaddr.js';
import type { AddrOut } from '../../stack/sys.js';
import { pattern, readAll, sendAll } from './util.js';

function dualHosts() {
  const sim = new Sim({ seed: 5 });
  const net = new Network(sim);
  const a = net.addHost('a');
  const b = net.addHost('b');
  net.connect(a, b, { latencyNs: 1e6 }, { a: { ipv4: '10.0.0.1/24', ipv6: '2001:db8::1/64' }, b: { ipv4: '10.0.0.2/24', ipv6: '2001:db8::2/64' } });
  return { sim, a, b };
}

describe('TCP over IPv6', () => {
  test('an AF_INET6 listener on [::] serves an IPv6 client and an IPv4 one (seen as ::ffff:10.0.0.1)', async () => {
    const { sim, a, b } = dualHosts();
    const peers: string[] = [];
    const got: number[] = [];
    let mss = 0;
    b.spawn('server', async (sys) => {
      const l = await sys.socket(AF_INET6, SOCK_STREAM, 0);
      expect(await sys.bind(l, inet6('::', 80))).toBe(0);
      expect(await sys.listen(l, 8)).toBe(0);
      for (let i = 0; i < 2; i++) {
        const out: AddrOut = { addr: null };
        const c = await sys.accept(l, out);
        peers.push((out.addr as SockAddrIn6).addr);
        got.push((await readAll(sys, c)).data.length);
        await sys.close(c);
      }
    });
    a.spawn('client6', async (sys) => {
      const fd = await sys.socket(AF_INET6, SOCK_STREAM, 0);
      expect(await sys.connect(fd, inet6('2001:db8::2', 80))).toBe(0);
      mss = await sys.getsockoptInt(fd, IPPROTO_TCP, TCP_MAXSEG);
      expect(await sendAll(sys, fd, pattern(50_000))).toBe(50_000);
      await sys.close(fd);
    });
    a.spawn('client4', async (sys) => {
      await sys.sleep(1e9);
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      expect(await sys.connect(fd, inet('10.0.0.2', 80))).toBe(0);
      expect(await sendAll(sys, fd, pattern(20_000))).toBe(20_000);
      await sys.close(fd);
    });
    await sim.run();
    expect(peers).toEqual(['2001:db8::1', '::ffff:10.0.0.1']);
    expect(got).toEqual([50_000, 20_000]);
    // 1500 − 40 (IPv6) − 20 (TCP) − 12 (timestamps).
    expect(mss).toBe(1428);
  });

  test('with IPV6_V6ONLY the listener refuses IPv4: the SYN is answered with RST (ECONNREFUSED)', async () => {
    const { sim, a, b } = dualHosts();
    let err = 0;
    b.spawn('server', async (sys) => {
      const l = await sys.socket(AF_INET6, SOCK_STREAM, 0);
      expect(await sys.setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, 1)).toBe(0);
      await sys.bind(l, inet6('::', 80));
      await sys.listen(l, 8);
      await sys.sleep(2e9);
    });
    a.spawn('client4', async (sys) => {
      await sys.sleep(1e6);
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      if ((await sys.connect(fd, inet('10.0.0.2', 80))) < 0) err = sys.errno;
    });
    await sim.run();
    expect(err).toBe(Errno.ECONNREFUSED);
  });
});
