/**
 * ICMP echo sockets (net/ipv4/ping.c), as Linux 6.18 behaves in a fresh network namespace (checked with Python):
 * EACCES while ping_group_range is "1 0" (the kernel default); identifiers handed out in order, shared ids allowed;
 * EINVAL for a message that is not an echo request with code 0 or is shorter than 8 bytes; EDESTADDRREQ without a
 * destination; replies (header included) from port 0, matched by identifier; the same for ICMPv6.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, IPPROTO_ICMP, IPPROTO_ICMPV6, MSG_DONTWAIT, SOCK_DGRAM, SOCK_STREAM } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { inet, inet6, type SockAddr } from '../../stack/sockaddr.js';
import type { AddrOut } from '../../stack/sys.js';
import { ms } from '../../sim/time.js';
import { pair } from './helpers.js';

describe('ping sockets', () => {
  test('group range, identifiers, message checks', async () => {
    const { sim, a } = pair({ latencyNs: ms(1) });
    const r: Record<string, unknown> = {};
    a.spawn('p', async (sys) => {
      const err = (x: number) => (x === -1 ? -sys.errno : x);
      r.denied = err(await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
      sys.host.ping.groupRange = [0, 2147483647];
      r.stream = err(await sys.socket(AF_INET, SOCK_STREAM, IPPROTO_ICMP));
      r.icmpv6OnInet = err(await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMPV6));
      const s1 = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      const s2 = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      const echo = Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 1, 104, 105);
      r.send1 = await sys.sendto(s1, echo, 0, inet('127.0.0.1', 0));
      r.send2 = await sys.sendto(s2, echo, 0, inet('127.0.0.1', 0));
      const out: AddrOut = { addr: null };
      await sys.getsockname(s1, out);
      r.id1 = (out.addr as { port: number }).port;
      await sys.getsockname(s2, out);
      r.id2 = (out.addr as { port: number }).port;
      r.badType = err(await sys.sendto(s1, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1), 0, inet('127.0.0.1', 0)));
      r.badCode = err(await sys.sendto(s1, Uint8Array.of(8, 1, 0, 0, 0, 0, 0, 1), 0, inet('127.0.0.1', 0)));
      r.short = err(await sys.sendto(s1, Uint8Array.of(8, 0, 0), 0, inet('127.0.0.1', 0)));
      r.noDest = err(await sys.send(s1, echo));
      const s3 = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      const s4 = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
      r.bind777 = err(await sys.bind(s3, inet('0.0.0.0', 777)));
      r.bind777again = err(await sys.bind(s4, inet('0.0.0.0', 777)));
      r.rebind = err(await sys.bind(s3, inet('0.0.0.0', 778)));
      r.notLocal = err(await sys.bind(await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), inet('10.1.1.1', 0)));
      await sys.sleep(ms(1));
      const buf = new Uint8Array(64);
      const from: AddrOut = { addr: null };
      r.reply = await sys.recvfrom(s1, buf, 0, from);
      r.replyHeader = [...buf.subarray(0, 8)].filter((_, i) => i !== 2 && i !== 3);
      r.from = from.addr;
      r.second = await sys.recv(s2, buf, MSG_DONTWAIT);
      r.none = err(await sys.recv(s1, buf, MSG_DONTWAIT));
    });
    await sim.run();
    expect(r).toEqual({
      denied: -Errno.EACCES, stream: -Errno.EPROTONOSUPPORT, icmpv6OnInet: -Errno.EPROTONOSUPPORT, send1: 10, send2: 10,
      id1: 1, id2: 2, badType: -Errno.EINVAL, badCode: -Errno.EINVAL, short: -Errno.EINVAL, noDest: -Errno.EDESTADDRREQ,
      bind777: 0, bind777again: 0, rebind: -Errno.EINVAL, notLocal: -Errno.EADDRNOTAVAIL,
      reply: 10, replyHeader: [0, 0, 0, 1, 0, 1], from: { family: AF_INET, addr: '127.0.0.1', port: 0 }, second: 10,
      none: -Errno.EAGAIN,
    });
  });

  test('ICMPv6 echo over a link, replies matched by identifier', async () => {
    const { sim, a, b } = pair({ latencyNs: ms(1) });
    a.ping.groupRange = [0, 2147483647];
    let from: SockAddr | null = null;
    let n = 0;
    a.spawn('p6', async (sys) => {
      const s = await sys.socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
      await sys.sendto(s, Uint8Array.of(128, 0, 0, 0, 0, 0, 0, 7, 1), 0, inet6('2001:db8::2', 0));
      const buf = new Uint8Array(64);
      const out: AddrOut = { addr: null };
      n = await sys.recvfrom(s, buf, 0, out);
      from = out.addr;
      expect([buf[0], buf[7], buf[8]]).toEqual([129, 7, 1]);
    });
    await sim.run();
    expect(n).toBe(9);
    expect(from).toEqual({ family: AF_INET6, addr: '2001:db8::2', port: 0, flowinfo: 0, scopeId: 0 });
    expect(b.icmp6.stats.outEchoReplies).toBe(1);
  });
});
