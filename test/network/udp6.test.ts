/**
 * AF_INET6 UDP sockets, dual-stack as on Linux (each expectation below was checked on Linux 6.18 in a network
 * namespace with Python's socket module):
 *   - bind [::]:P after 0.0.0.0:P is EADDRINUSE; with IPV6_V6ONLY it is not; binding ::1 makes a socket v6-only;
 *     IPV6_V6ONLY after bind is EINVAL; a v4-mapped bind on a v6-only socket is EINVAL;
 *   - a link-local bind or connect without a scope id is EINVAL;
 *   - a dual-stack socket receives IPv4 datagrams from ::ffff:a.b.c.d and can connect to a v4-mapped peer;
 *   - connect fixes the source address; disconnect (AF_UNSPEC) gives back an autobound port and address.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, IPPROTO_IPV6, IPV6_V6ONLY, SOCK_DGRAM } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { inet, inet6, type SockAddr } from '../../stack/sockaddr.js';
import type { AddrOut } from '../../stack/sys.js';
import { ms } from '../../sim/time.js';
import { pair } from './helpers.js';

describe('dual-stack UDP', () => {
  test('binding rules across families', async () => {
    const { sim, a } = pair();
    const r: Record<string, number> = {};
    a.spawn('p', async (sys) => {
      const err = (x: number) => (x === -1 ? -sys.errno : x);
      const v4 = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(v4, inet('0.0.0.0', 5001));
      r.v6AnyAfterV4Any = err(await sys.bind(await sys.socket(AF_INET6, SOCK_DGRAM, 0), inet6('::', 5001)));
      const only = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.setsockopt(only, IPPROTO_IPV6, IPV6_V6ONLY, 1);
      await sys.bind(only, inet6('::', 5002));
      r.v4AnyAfterV6Only = err(await sys.bind(await sys.socket(AF_INET, SOCK_DGRAM, 0), inet('0.0.0.0', 5002)));
      const lo6 = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.bind(lo6, inet6('::1', 5003));
      r.v4AnyAfterV6Loopback = err(await sys.bind(await sys.socket(AF_INET, SOCK_DGRAM, 0), inet('0.0.0.0', 5003)));
      r.setOnlyAfterBind = err(await sys.setsockopt(lo6, IPPROTO_IPV6, IPV6_V6ONLY, 0));
      const any6 = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.bind(any6, inet6('::', 5004));
      r.v4LoopbackAfterV6Any = err(await sys.bind(await sys.socket(AF_INET, SOCK_DGRAM, 0), inet('127.0.0.1', 5004)));
      r.linkLocalNoScope = err(await sys.bind(await sys.socket(AF_INET6, SOCK_DGRAM, 0), inet6('fe80::1', 5005)));
      r.connectLinkLocalNoScope = err(await sys.connect(await sys.socket(AF_INET6, SOCK_DGRAM, 0), inet6('fe80::1', 5005)));
      const m = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.setsockopt(m, IPPROTO_IPV6, IPV6_V6ONLY, 1);
      r.mappedOnV6Only = err(await sys.bind(m, inet6('::ffff:127.0.0.1', 5008)));
      r.notLocal = err(await sys.bind(await sys.socket(AF_INET6, SOCK_DGRAM, 0), inet6('2001:db8::99', 5009)));
    });
    await sim.run();
    expect(r).toEqual({
      v6AnyAfterV4Any: -Errno.EADDRINUSE, v4AnyAfterV6Only: 0, v4AnyAfterV6Loopback: 0, setOnlyAfterBind: -Errno.EINVAL,
      v4LoopbackAfterV6Any: -Errno.EADDRINUSE, linkLocalNoScope: -Errno.EINVAL, connectLinkLocalNoScope: -Errno.EINVAL,
      mappedOnV6Only: -Errno.EINVAL, notLocal: -Errno.EADDRNOTAVAIL,
    });
  });

  test('a dual-stack socket hears IPv4 from v4-mapped addresses and talks back to them', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    const seen: (SockAddr | null)[] = [];
    b.spawn('srv', async (sys) => {
      const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.bind(fd, inet6('::', 7000));
      const buf = new Uint8Array(16);
      for (let i = 0; i < 2; i++) {
        const from: AddrOut = { addr: null };
        const n = await sys.recvfrom(fd, buf, 0, from);
        seen.push(from.addr);
        await sys.sendto(fd, buf.subarray(0, n), 0, from.addr!);
      }
    });
    const replies: number[] = [];
    a.spawn('cli', async (sys) => {
      const v4 = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(v4, inet('10.0.0.1', 4444));
      await sys.sendto(v4, new Uint8Array(3), 0, inet('10.0.0.2', 7000));
      replies.push(await sys.recv(v4, new Uint8Array(16)));
      const v6 = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.bind(v6, inet6('2001:db8::1', 6666));
      await sys.sendto(v6, new Uint8Array(5), 0, inet6('2001:db8::2', 7000));
      replies.push(await sys.recv(v6, new Uint8Array(16)));
    });
    await sim.run();
    expect(seen).toEqual([
      { family: AF_INET6, addr: '::ffff:10.0.0.1', port: 4444, flowinfo: 0, scopeId: 0 },
      { family: AF_INET6, addr: '2001:db8::1', port: 6666, flowinfo: 0, scopeId: 0 },
    ]);
    expect(replies).toEqual([3, 5]);
  });

  test('connect fixes the source; disconnect releases an autobound port; link-local with a scope id works', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    const names: unknown[] = [];
    let got: SockAddr | null = null;
    b.spawn('srv', async (sys) => {
      const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      await sys.bind(fd, inet6('::', 7000));
      const from: AddrOut = { addr: null };
      await sys.recvfrom(fd, new Uint8Array(8), 0, from);
      got = from.addr;
    });
    a.spawn('cli', async (sys) => {
      const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      const out: AddrOut = { addr: null };
      await sys.connect(fd, inet6('2001:db8::2', 7000));
      await sys.getsockname(fd, out);
      names.push(out.addr);
      await sys.connect(fd, { family: 0, bytes: new Uint8Array(28) });
      await sys.getsockname(fd, out);
      names.push(out.addr);
      const ll = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      const eth0 = sys.host.iface('eth0')!.index;
      expect(await sys.sendto(ll, new Uint8Array(2), 0, inet6('fe80::ff:fe00:2', 7000, eth0))).toBe(2);
    });
    await sim.run();
    expect((names[0] as { addr: string }).addr).toBe('2001:db8::1');
    expect(names[1]).toEqual({ family: AF_INET6, addr: '::', port: 0, flowinfo: 0, scopeId: 0 });
    // b's link-local peer: the source is a's link-local address, scoped to b's interface.
    expect(got).toMatchObject({ addr: 'fe80::ff:fe00:1', scopeId: 2 });
  });
});
