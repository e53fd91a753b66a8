/**
 * connect(AF_UNSPEC) on UDP sockets (__udp_disconnect), as Linux 6.18 answered it in a network namespace:
 *   - a port the socket got by autobind (connect, sendto) or by bind(…, 0) is given back: getsockname reads :0 and
 *     bind() works again; a port bind() chose (SOCK_BINDPORT_LOCK) stays;
 *   - the local address goes back to the wildcard unless bind() chose it (SOCK_BINDADDR_LOCK): 127.0.0.1:0 stays;
 *   - SO_BINDTODEVICE is cleared (sk_bound_dev_if = 0);
 *   - the same for AF_INET6 sockets.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, AF_UNSPEC, SOCK_DGRAM, SOL_SOCKET, SO_BINDTODEVICE } from '../../stack/constants.js';
import { inet, inet6, type SockAddrArg } from '../../stack/sockaddr.js';
import type { AddrOut, Sys } from '../../stack/sys.js';
import { pair } from './helpers.js';

const UNSPEC = Uint8Array.of(AF_UNSPEC, 0, ...new Uint8Array(14));

async function name(sys: Sys, fd: number): Promise<string> {
  const out: AddrOut = { addr: null };
  await sys.getsockname(fd, out);
  const a = out.addr as { addr: string; port: number };
  return `${a.addr}:${a.port}`;
}

describe('UDP disconnect', () => {
  test('AF_INET: autobound ports are released, bound ones kept; SO_BINDTODEVICE cleared', async () => {
    const { sim, a } = pair();
    const r: Record<string, unknown> = {};
    a.spawn('p', async (sys) => {
      const fresh = () => sys.socket(AF_INET, SOCK_DGRAM, 0);
      const peer = inet('127.0.0.1', 9);
      const s1 = await fresh();
      await sys.connect(s1, peer);
      r.autoBefore = (await name(sys, s1)).startsWith('127.0.0.1:');
      await sys.connect(s1, UNSPEC);
      r.autoAfter = await name(sys, s1);
      const s2 = await fresh();
      await sys.bind(s2, inet('0.0.0.0', 0));
      await sys.connect(s2, peer);
      await sys.connect(s2, UNSPEC);
      r.bind0After = await name(sys, s2);
      const s3 = await fresh();
      await sys.bind(s3, inet('0.0.0.0', 4444));
      await sys.connect(s3, peer);
      await sys.connect(s3, UNSPEC);
      r.bind4444After = await name(sys, s3);
      const s4 = await fresh();
      await sys.bind(s4, inet('127.0.0.1', 0));
      await sys.connect(s4, peer);
      await sys.connect(s4, UNSPEC);
      r.bindAddrPort0After = await name(sys, s4);
      const s5 = await fresh();
      await sys.setsockopt(s5, SOL_SOCKET, SO_BINDTODEVICE, new TextEncoder().encode('lo\0'));
      await sys.connect(s5, peer);
      await sys.connect(s5, UNSPEC);
      const dev = { len: 16 };
      await sys.getsockopt(s5, SOL_SOCKET, SO_BINDTODEVICE, dev);
      r.bindToDevAfter = (dev as { len: number }).len;
      const s6 = await fresh();
      await sys.connect(s6, peer);
      await sys.connect(s6, UNSPEC);
      r.rebind = await sys.bind(s6, inet('0.0.0.0', 5555));
      r.rebindName = await name(sys, s6);
      const s7 = await fresh();
      await sys.sendto(s7, new Uint8Array(1), 0, peer);
      await sys.connect(s7, UNSPEC);
      r.sendtoAutobindAfter = await name(sys, s7);
      // Only the sockets that keep a port (4444 and 5555) are still in the port table.
      r.ports = [...a.udp.ports.keys()].sort();
    });
    await sim.run();
    expect(r).toEqual({
      autoBefore: true, autoAfter: '0.0.0.0:0', bind0After: '0.0.0.0:0', bind4444After: '0.0.0.0:4444',
      bindAddrPort0After: '127.0.0.1:0', bindToDevAfter: 0, rebind: 0, rebindName: '0.0.0.0:5555', sendtoAutobindAfter: '0.0.0.0:0',
      ports: [4444, 5555],
    });
  });

  test('AF_INET6: the same rules', async () => {
    const { sim, a } = pair();
    const r: string[] = [];
    a.spawn('p', async (sys) => {
      const run = async (bindTo: SockAddrArg | null) => {
        const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
        if (bindTo) await sys.bind(fd, bindTo);
        await sys.connect(fd, inet6('::1', 9));
        await sys.connect(fd, UNSPEC);
        r.push(await name(sys, fd));
      };
      await run(null);
      await run(inet6('::', 0));
      await run(inet6('::', 4446));
      await run(inet6('::1', 0));
    });
    await sim.run();
    expect(r).toEqual([':::0', ':::0', ':::4446', '::1:0']);
  });
});
