/**
 * The control messages recvmsg adds to UDP datagrams (IP_PKTINFO, IP_RECVTTL, IP_RECVTOS, IPV6_RECVPKTINFO,
 * IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS, SO_TIMESTAMP(NS), SO_RXQ_OVFL) against the kernel:
 * linux-probe/udp-rx-cmsg.expected.json is what Linux 6.18 gave over loopback (linux-probe/udp-rx-cmsg.sh), and
 * each case is run here with the same calls. Timestamps are compared by level, type and length (Linux's are the
 * wall clock); their value is checked against virtual time separately.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { AF_INET, AF_INET6, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF, SO_RXQ_OVFL } from '../../stack/constants.js';
import { parseCmsgs } from '../../stack/cmsg.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import type { Sys } from '../../stack/sys.js';
import type { OptOut } from '../../stack/sys.js';

const golden = JSON.parse(readFileSync(new URL('./linux-probe/udp-rx-cmsg.expected.json', import.meta.url), 'utf8')) as {
  kernel: string; cases: Record<string, unknown>;
};

async function onHost<T>(fn: (sys: Sys) => Promise<T>): Promise<T> {
  const sim = new Sim({ seed: 1 });
  const net = new Network(sim);
  const h = net.addHost('h');
  let out: T | undefined;
  h.spawn('probe', async (sys) => {
    await sys.sleep(1_234_567_891); // so a stamp's seconds and fraction are both non-zero
    out = await fn(sys);
  });
  await sim.run();
  return out as T;
}

type Cm = [number, number, string | number];

/** Receives one message and lists its control messages as the probe does (stamps by length). */
async function recvCmsgList(sys: Sys, fd: number): Promise<{ list: Cm[]; raw: { level: number; type: number; data: Uint8Array }[] }> {
  const control = new Uint8Array(256);
  const msg = { iov: [new Uint8Array(100)], control, controllen: 256 };
  expect(await sys.recvmsg(fd, msg, 0x40)).toBe(5);
  const raw = parseCmsgs(control, msg.controllen);
  const list = raw.map((m): Cm => (m.level === SOL_SOCKET && (m.type === 29 || m.type === 35)
    ? [m.level, m.type, m.data.length] : [m.level, m.type, Buffer.from(m.data).toString('hex')]));
  return { list, raw };
}

async function exchange(sys: Sys, rfam: number, ropts: [number, number][], sfam: number, to: string, tos = 0, ttl = 0): Promise<Cm[]> {
  const r = await sys.socket(rfam, SOCK_DGRAM, 0);
  await sys.bind(r, rfam === AF_INET6 ? inet6('::', 9000) : inet('0.0.0.0', 9000));
  for (const [lvl, o] of ropts) expect(await sys.setsockopt(r, lvl, o, 1)).toBe(0);
  const s = await sys.socket(sfam, SOCK_DGRAM, 0);
  if (tos) await sys.setsockopt(s, sfam === AF_INET6 ? 41 : 0, sfam === AF_INET6 ? 67 : 1, tos);
  if (ttl) await sys.setsockopt(s, sfam === AF_INET6 ? 41 : 0, sfam === AF_INET6 ? 16 : 2, ttl);
  expect(await sys.sendto(s, new TextEncoder().encode('hello'), 0, sfam === AF_INET6 ? inet6(to, 9000) : inet(to, 9000))).toBe(5);
  await sys.sleep(1000);
  const { list } = await recvCmsgList(sys, r);
  await sys.close(r);
  await sys.close(s);
  return list;
}

async function opt(sys: Sys, fam: number, lvl: number, name: number, val: number | Uint8Array): Promise<unknown> {
  const s = await sys.socket(fam, SOCK_DGRAM, 0);
  if ((await sys.setsockopt(s, lvl, name, val)) < 0) return ['err', sys.errno];
  return ['ok', await sys.getsockoptInt(s, lvl, name)];
}

describe(`UDP receive control messages against Linux ${golden.kernel}`, () => {
  const v4 = AF_INET, v6 = AF_INET6;
  const cases: [string, (sys: Sys) => Promise<unknown>][] = [
    ['v4 pktinfo ttl tos', (sys) => exchange(sys, v4, [[0, 8], [0, 12], [0, 13]], v4, '127.0.0.1', 0x28, 33)],
    ['v4 timestamp then pktinfo', (sys) => exchange(sys, v4, [[1, 29], [0, 8]], v4, '127.0.0.1')],
    ['v4 timestampns', (sys) => exchange(sys, v4, [[1, 35]], v4, '127.0.0.1')],
    ['v4 pktinfo to 127.1.2.3', (sys) => exchange(sys, v4, [[0, 8]], v4, '127.1.2.3')],
    ['v6 pktinfo hoplimit tclass', (sys) => exchange(sys, v6, [[41, 49], [41, 51], [41, 66]], v6, '::1', 0x28, 33)],
    ['v6 socket, v4 datagram, ipv6 options', (sys) => exchange(sys, v6, [[41, 49], [41, 51], [41, 66]], v4, '127.0.0.1', 0x28, 33)],
    ['v6 socket, v4 datagram, ip options', (sys) => exchange(sys, v6, [[0, 8], [0, 12], [0, 13]], v4, '127.0.0.1', 0x28, 33)],
    ['v6 socket, v4 datagram, both', (sys) => exchange(sys, v6, [[0, 8], [41, 49]], v4, '127.0.0.1')],
    ['v6 socket, v6 datagram, ip options', (sys) => exchange(sys, v6, [[0, 8], [0, 12], [0, 13]], v6, '::1')],
    ['get IP_PKTINFO 5', (sys) => opt(sys, v4, 0, 8, 5)],
    ['get IP_RECVTTL 5', (sys) => opt(sys, v4, 0, 12, 5)],
    ['get IP_RECVTOS one byte', (sys) => opt(sys, v4, 0, 13, Uint8Array.of(1))],
    ['get IPV6_RECVPKTINFO 5', (sys) => opt(sys, v6, 41, 49, 5)],
    ['IPV6_RECVPKTINFO one byte', (sys) => opt(sys, v6, 41, 49, Uint8Array.of(1))],
    ['get IPV6_RECVTCLASS 5', (sys) => opt(sys, v6, 41, 66, 5)],
    ['SO_TIMESTAMPNS then get both', async (sys) => {
      const s = await sys.socket(v4, SOCK_DGRAM, 0);
      await sys.setsockopt(s, 1, 35, 1);
      return [await sys.getsockoptInt(s, 1, 29), await sys.getsockoptInt(s, 1, 35)];
    }],
    ['then SO_TIMESTAMP, get both', async (sys) => {
      const s = await sys.socket(v4, SOCK_DGRAM, 0);
      await sys.setsockopt(s, 1, 35, 1);
      await sys.setsockopt(s, 1, 29, 1);
      return [await sys.getsockoptInt(s, 1, 29), await sys.getsockoptInt(s, 1, 35)];
    }],
    ['then SO_TIMESTAMPNS 0, get both', async (sys) => {
      const s = await sys.socket(v4, SOCK_DGRAM, 0);
      await sys.setsockopt(s, 1, 35, 1);
      await sys.setsockopt(s, 1, 29, 1);
      await sys.setsockopt(s, 1, 35, 0);
      return [await sys.getsockoptInt(s, 1, 29), await sys.getsockoptInt(s, 1, 35)];
    }],
    ['tcp IP_PKTINFO', async (sys) => {
      const s = await sys.socket(v4, SOCK_STREAM, 0);
      await sys.setsockopt(s, 0, 8, 1);
      return sys.getsockoptInt(s, 0, 8);
    }],
  ];
  for (const [name, run] of cases) {
    test(name, async () => {
      expect(golden.cases[name], `the probe has no case "${name}"`).toBeDefined();
      expect(await onHost(run)).toEqual(golden.cases[name]);
    });
  }

  test('SCM_TIMESTAMP and SCM_TIMESTAMPNS carry the virtual arrival time (seconds and µs / ns from the epoch)', async () => {
    const got = await onHost(async (sys) => {
      const out: bigint[][] = [];
      for (const type of [29, 35]) {
        const r = await sys.socket(v4, SOCK_DGRAM, 0);
        await sys.bind(r, inet('127.0.0.1', 9100 + type));
        await sys.setsockopt(r, SOL_SOCKET, type, 1);
        const s = await sys.socket(v4, SOCK_DGRAM, 0);
        await sys.sendto(s, new TextEncoder().encode('hello'), 0, inet('127.0.0.1', 9100 + type));
        await sys.sleep(5000);
        const { raw } = await recvCmsgList(sys, r);
        const dv = new DataView(raw[0]!.data.buffer, raw[0]!.data.byteOffset, 16);
        out.push([dv.getBigInt64(0, true), dv.getBigInt64(8, true)]);
      }
      return out;
    });
    // The probe process slept 1.234567891 s; loopback delivers inside the send (234567 µs). The second datagram is
    // sent after the first receive's 5 µs sleep: 1.234572891 s.
    expect(got).toEqual([[1n, 234567n], [1n, 234572891n]]);
  });

  test('SO_RXQ_OVFL: datagrams queued after the full receive buffer dropped some carry the drop count (sock_recv_drops)', async () => {
    const counts = await onHost(async (sys) => {
      const r = await sys.socket(v4, SOCK_DGRAM, 0);
      await sys.bind(r, inet('127.0.0.1', 9200));
      await sys.setsockopt(r, SOL_SOCKET, SO_RCVBUF, 2048);
      await sys.setsockopt(r, SOL_SOCKET, SO_RXQ_OVFL, 1);
      const s = await sys.socket(v4, SOCK_DGRAM, 0);
      for (let i = 0; i < 20; i++) await sys.sendto(s, new Uint8Array(1000), 0, inet('127.0.0.1', 9200));
      await sys.sleep(1e6);
      const seen: number[] = [];
      for (;;) {
        const control = new Uint8Array(64);
        const msg = { iov: [new Uint8Array(2000)], control, controllen: 64 };
        if ((await sys.recvmsg(r, msg, 0x40)) < 0) break;
        const c = parseCmsgs(control, msg.controllen).find((m) => m.type === SO_RXQ_OVFL);
        seen.push(c ? new DataView(c.data.buffer, c.data.byteOffset, 4).getUint32(0, true) : 0);
      }
      // Once the queue drains, one more datagram carries the total.
      await sys.sendto(s, new Uint8Array(10), 0, inet('127.0.0.1', 9200));
      await sys.sleep(1e6);
      const control = new Uint8Array(64);
      const msg = { iov: [new Uint8Array(2000)], control, controllen: 64 };
      await sys.recvmsg(r, msg, 0x40);
      const last = parseCmsgs(control, msg.controllen).find((m) => m.type === SO_RXQ_OVFL)!;
      return { seen, last: new DataView(last.data.buffer, last.data.byteOffset, 4).getUint32(0, true) };
    });
    // Everything queued before the first drop says nothing; the late datagram reports all drops so far.
    expect(counts.seen.length).toBeGreaterThan(0);
    expect(counts.seen.length).toBeLessThan(20);
    expect(counts.seen.every((n) => n === 0)).toBe(true);
    expect(counts.last).toBe(20 - counts.seen.length);
  });

  test('ping sockets stamp replies too (ping_recvmsg: sock_recv_timestamp) — Linux 6.18: one SCM_TIMESTAMP of 16 bytes', async () => {
    const sim = new Sim({ seed: 1 });
    const net = new Network(sim);
    const h = net.addHost('h');
    h.ping.groupRange = [0, 0];
    let got: Cm[] = [];
    h.spawn('probe', async (sys) => {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 1 /* IPPROTO_ICMP */);
      await sys.setsockopt(s, SOL_SOCKET, 29, 1);
      await sys.sendto(s, Uint8Array.of(8, 0, 0, 0, 0, 1, 0x68, 0x69), 0, inet('127.0.0.1', 0));
      await sys.sleep(1e6);
      const control = new Uint8Array(64);
      const msg = { iov: [new Uint8Array(100)], control, controllen: 64 };
      expect(await sys.recvmsg(s, msg, 0x40)).toBe(8);
      got = parseCmsgs(control, msg.controllen).map((m): Cm => [m.level, m.type, m.data.length]);
    });
    await sim.run();
    expect(got).toEqual([[1, 29, 16]]);
  });
});
