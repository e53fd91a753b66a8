import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { AF_INET, SOCK_DGRAM, MSG_DONTWAIT, MSG_TRUNC, MSG_PEEK } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { inet } from '../../stack/sockaddr.js';
import type { AddrOut } from '../../stack/sys.js';
import { ms } from '../../sim/time.js';

function twoHosts(seed = 1, loss = 0) {
  const sim = new Sim({ seed });
  const net = new Network(sim);
  const a = net.addHost('a');
  const b = net.addHost('b');
  net.connect(a, b, { latencyNs: ms(5), loss }, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
  return { sim, net, a, b };
}

describe('UDP over a point-to-point link', () => {
  test('a datagram crosses the link after the configured latency and keeps its boundaries', async () => {
    const { sim, a, b } = twoHosts();
    const got: { n: number; from: string; t: number }[] = [];
    b.spawn('server', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      expect(await sys.bind(fd, inet('0.0.0.0', 9000))).toBe(0);
      for (let i = 0; i < 2; i++) {
        const buf = new Uint8Array(100);
        const from: AddrOut = { addr: null };
        const n = await sys.recvfrom(fd, buf, 0, from);
        got.push({ n, from: from.addr && 'addr' in from.addr ? from.addr.addr : '?', t: sys.now });
      }
    });
    a.spawn('client', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      expect(await sys.sendto(fd, new Uint8Array(10), 0, inet('10.0.0.2', 9000))).toBe(10);
      expect(await sys.sendto(fd, new Uint8Array(20), 0, inet('10.0.0.2', 9000))).toBe(20);
    });
    const r = await sim.run();
    expect(r.status).toBe('completed');
    expect(got.map((g) => g.n)).toEqual([10, 20]);
    expect(got[0]!.from).toBe('10.0.0.1');
    expect(got[0]!.t).toBe(ms(15)); // one ARP round trip (2 × 5 ms) first, then the datagram (5 ms); no rate limit configured
  });

  test('Linux errno rules: EDESTADDRREQ, EAGAIN with MSG_DONTWAIT, EBADF, ENOTSOCK-free fds, EADDRINUSE, MSG_TRUNC', async () => {
    const { sim, a } = twoHosts();
    const seen: Record<string, number> = {};
    a.spawn('p', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      // udp_sendmsg: no destination on an unconnected socket → EDESTADDRREQ
      seen.noDest = (await sys.send(fd, new Uint8Array(1))) === -1 ? sys.errno : 0;
      // recv with MSG_DONTWAIT and nothing queued → EAGAIN
      seen.dontwait = (await sys.recv(fd, new Uint8Array(1), MSG_DONTWAIT)) === -1 ? sys.errno : 0;
      seen.badf = (await sys.close(99)) === -1 ? sys.errno : 0;
      // inet_send_prepare autobinds even when the send then fails (checked on Linux 6.18: getsockname shows an
      // ephemeral port), so a later bind of that socket is EINVAL.
      seen.rebind = (await sys.bind(fd, inet('127.0.0.1', 5000))) === -1 ? sys.errno : 0;
      await sys.close(fd);
      const fd1 = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.bind(fd1, inet('127.0.0.1', 5000));
      const fd2 = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      seen.inuse = (await sys.bind(fd2, inet('0.0.0.0', 5000))) === -1 ? sys.errno : 0;
      // bind to an address the host does not have → EADDRNOTAVAIL
      seen.notavail = (await sys.bind(fd2, inet('10.9.9.9', 5001))) === -1 ? sys.errno : 0;
      // sockaddr shorter than sockaddr_in → EINVAL
      seen.shortaddr = (await sys.bind(fd2, new Uint8Array([2, 0, 0, 1]))) === -1 ? sys.errno : 0;
      await sys.sendto(fd2, new Uint8Array(50), 0, inet('127.0.0.1', 5000));
      await sys.sleep(ms(1));
      const small = new Uint8Array(10);
      seen.peek = await sys.recv(fd1, small, MSG_PEEK);
      seen.trunc = await sys.recv(fd1, small, MSG_TRUNC); // MSG_TRUNC: real length of the datagram
    });
    await sim.run();
    expect(seen).toEqual({
      noDest: Errno.EDESTADDRREQ, dontwait: Errno.EAGAIN, badf: Errno.EBADF, rebind: Errno.EINVAL, inuse: Errno.EADDRINUSE,
      notavail: Errno.EADDRNOTAVAIL, shortaddr: Errno.EINVAL, peek: 10, trunc: 50,
    });
  });

  test('getsockname reports the ephemeral port chosen by autobind, inside ip_local_port_range', async () => {
    const { sim, a } = twoHosts();
    let port = -1;
    a.spawn('p', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.sendto(fd, new Uint8Array(1), 0, inet('10.0.0.2', 7));
      const out: AddrOut = { addr: null };
      await sys.getsockname(fd, out);
      port = out.addr && 'port' in out.addr ? out.addr.port : -1;
    });
    await sim.run();
    expect(port).toBeGreaterThanOrEqual(32768);
    expect(port).toBeLessThanOrEqual(60999);
  });
});
