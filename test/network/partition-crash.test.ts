/**
 * Runtime disturbances:
 *   - a partition (like iptables DROP rules on each node, as Jepsen installs them) stops IP traffic between its two
 *     sides only, in both directions; traffic inside each side and to hosts outside it continues; healing restores
 *     everything;
 *   - a crashed host's UDP peers see what Linux peers see: while it is down, nothing at all (no answer, no error: the
 *     frames are lost); after it restarts without the server, its kernel answers ICMP port unreachable, which a
 *     connected peer socket reports as ECONNREFUSED; echo requests go unanswered while it is down and are answered
 *     again after the restart.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, IPPROTO_ICMP, MSG_DONTWAIT, SOCK_DGRAM } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import type { Host } from '../../stack/host.js';
import { inet } from '../../stack/sockaddr.js';
import type { AddrOut, Sys } from '../../stack/sys.js';
import { ms, sec } from '../../sim/time.js';
import { makeNet, pair } from './helpers.js';

describe('partition and heal', () => {
  test('only traffic between the two sides stops, both ways; healing restores it', async () => {
    const { sim, net } = makeNet(5);
    const sw = net.addSwitch('sw');
    const names = ['a', 'b', 'c', 'd', 'e'];
    const hosts = new Map<string, Host>();
    names.forEach((n, i) => {
      const h = net.addHost(n);
      net.attach(h, sw, { latencyNs: ms(1) }, { ipv4: `10.0.0.${i + 1}/24` });
      hosts.set(n, h);
    });
    // received[src→dst] = send times (ms) of the datagrams that arrived.
    const received = new Map<string, number[]>();
    names.forEach((n, i) => {
      hosts.get(n)!.spawn('rx', async (sys) => {
        const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        await sys.bind(fd, inet('0.0.0.0', 9000));
        const buf = new Uint8Array(64);
        for (;;) {
          const len = await sys.recv(fd, buf);
          const text = new TextDecoder().decode(buf.subarray(0, len));
          const [src, t] = text.split('@');
          const key = `${src}>${n}`;
          received.set(key, [...(received.get(key) ?? []), Number(t)]);
        }
      });
      hosts.get(n)!.spawn('tx', async (sys) => {
        const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
        for (let k = 0; k < 30; k++) {
          for (let j = 0; j < names.length; j++) {
            if (j === i) continue;
            await sys.sendto(fd, new TextEncoder().encode(`${n}@${sys.now / 1e6}`), 0, inet(`10.0.0.${j + 1}`, 9000));
          }
          await sys.sleep(ms(100));
        }
      });
    });
    let id = 0;
    sim.at(sec(1), () => {
      id = net.partition([hosts.get('a')!, hosts.get('b')!], [hosts.get('c')!, hosts.get('d')!]);
    });
    sim.at(sec(2), () => net.heal(id));
    await sim.run();
    const during = (key: string) => (received.get(key) ?? []).filter((t) => t >= 1000 && t < 1990).length;
    const after = (key: string) => (received.get(key) ?? []).filter((t) => t >= 2000).length;
    const cross = ['a>c', 'a>d', 'b>c', 'b>d', 'c>a', 'c>b', 'd>a', 'd>b'];
    const within = ['a>b', 'b>a', 'c>d', 'd>c', 'a>e', 'e>a', 'c>e', 'e>d'];
    for (const k of cross) {
      expect(during(k), k).toBe(0);
      expect(after(k), k).toBe(10);
    }
    for (const k of within) expect(during(k), k).toBe(10);
    expect(net.drops.get('partition')).toBe(8 * 10);
  });
});

/** A UDP echo server on port 7. */
async function echoServer(sys: Sys): Promise<void> {
  const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
  await sys.bind(fd, inet('0.0.0.0', 7));
  const buf = new Uint8Array(64);
  const from: AddrOut = { addr: null };
  for (;;) {
    const n = await sys.recvfrom(fd, buf, 0, from);
    await sys.sendto(fd, buf.subarray(0, n), 0, from.addr!);
  }
}

describe('crash and restart', () => {
  async function scenario(b2: (b: Host) => void = () => {}) {
    const { sim, a, b, net } = pair({ latencyNs: ms(1) }, 3);
    a.ping.groupRange = [0, 2147483647];
    b.spawn('echo', echoServer);
    const log: string[] = [];
    a.spawn('client', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.connect(fd, inet('10.0.0.2', 7));
      const ping = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      const buf = new Uint8Array(64);
      for (let k = 0; k < 8; k++) {
        const t = (sys.now / 1e9).toFixed(1);
        const s = await sys.send(fd, new Uint8Array([k]));
        await sys.sendto(ping, Uint8Array.of(8, 0, 0, 0, 0, 0, 0, k), 0, inet('10.0.0.2', 0));
        await sys.sleep(ms(100));
        const r = await sys.recv(fd, buf, MSG_DONTWAIT);
        const p = await sys.recv(ping, buf, MSG_DONTWAIT);
        log.push(`${t} send=${s < 0 ? 'E' + sys.errno : s} recv=${r < 0 ? Errno.EAGAIN === sys.errno ? 'EAGAIN' : 'E' + sys.errno : r} ping=${p > 0 ? 'reply' : 'none'}`);
        await sys.sleep(ms(900));
      }
    });
    sim.at(sec(2.5), () => net.crash(b));
    sim.at(sec(5.5), () => {
      net.restart(b);
      b2(b);
    });
    await sim.run();
    return log;
  }

  test('UDP: nothing while the host is down; after a restart without the server, ECONNREFUSED', async () => {
    const log = await scenario();
    expect(log).toEqual([
      '0.0 send=1 recv=1 ping=reply',
      '1.0 send=1 recv=1 ping=reply',
      '2.0 send=1 recv=1 ping=reply',
      '3.0 send=1 recv=EAGAIN ping=none', // down: the datagram and the echo are lost, no error
      '4.0 send=1 recv=EAGAIN ping=none',
      '5.0 send=1 recv=EAGAIN ping=none',
      '6.0 send=1 recv=E111 ping=reply', // up again: port 7 is closed now, the kernel answers port unreachable
      '7.0 send=1 recv=E111 ping=reply', // each datagram's error is reported once, by the next call
    ]);
  });

  test('a server started again after the restart answers as before', async () => {
    const log = await scenario((b) => b.spawn('echo2', echoServer));
    expect(log.slice(6)).toEqual(['6.0 send=1 recv=1 ping=reply', '7.0 send=1 recv=1 ping=reply']);
  });
});
