/**
 * TCP through the socket API, against what Linux 6.18 does (checked on the real kernel over loopback where
 * noted): poll masks (tcp_poll), errors after a reset (ECONNRESET once, then EPIPE / EOF), TCP_INFO's layout,
 * keepalive probing, TCP_USER_TIMEOUT, an orphan's FIN_WAIT2 timeout, TIME_WAIT and SO_REUSEADDR, a crashed peer,
 * and path-MTU discovery.
 */
import { describe, expect, test } from 'vitest';
import { twoHosts, listenOn, connectTo, tcpSock } from './util.js';
import { Harness } from './harness.js';
import {
  AF_INET, IPPROTO_TCP, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRNORM, SHUT_WR, SOCK_STREAM,
  SOL_SOCKET, SO_KEEPALIVE, SO_LINGER, SO_REUSEADDR, TCP_INFO, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_MAXSEG,
  TCP_USER_TIMEOUT, TCP_INQ, TCP_CM_INQ, MSG_PEEK, MSG_CTRUNC,
} from '../../stack/constants.js';
import type { MsgHdr } from '../../stack/sys/data.js';
import { Errno } from '../../stack/errno.js';
import { inet } from '../../stack/sockaddr.js';
import type { Sys } from '../../stack/sys.js';

async function pollMask(sys: Sys, fd: number): Promise<number> {
  const fds = [{ fd, events: 0xffff, revents: 0 }];
  await sys.poll(fds, 1, 0);
  return fds[0]!.revents;
}

function lingerZero(): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setInt32(0, 1, true);
  return b;
}

describe('poll masks (tcp_poll, as Linux 6.18 reports them)', () => {
  test('fresh, listening, connected, half-closed by the peer, both shut, reset', async () => {
    const { sim, a, b } = twoHosts();
    const seen: Record<string, number> = {};
    b.spawn('server', async (sys) => {
      const l = await listenOn(sys, 80);
      seen.listenEmpty = await pollMask(sys, l);
      await sys.sleep(10e6);
      seen.listenPending = await pollMask(sys, l);
      const s = await sys.accept(l, null);
      await sys.shutdown(s, SHUT_WR);
      await sys.sleep(20e6);
      const s2 = await sys.accept(l, null);
      await sys.setsockopt(s2, SOL_SOCKET, SO_LINGER, lingerZero());
      await sys.close(s2);
      await sys.sleep(1e9);
    });
    a.spawn('client', async (sys) => {
      const fresh = await sys.socket(AF_INET, SOCK_STREAM, 0);
      seen.fresh = await pollMask(sys, fresh);
      const c = await connectTo(sys, '10.0.0.2', 80);
      seen.connected = await pollMask(sys, c);
      await sys.sleep(15e6);
      seen.peerFin = await pollMask(sys, c);
      await sys.shutdown(c, SHUT_WR);
      await sys.sleep(5e6);
      seen.bothShut = await pollMask(sys, c);
      const c2 = await connectTo(sys, '10.0.0.2', 80);
      await sys.sleep(30e6);
      seen.reset = await pollMask(sys, c2);
      seen.send1 = (await sys.send(c2, new Uint8Array(1), 0x4000 /* MSG_NOSIGNAL */)) < 0 ? sys.errno : 0;
      seen.send2 = (await sys.send(c2, new Uint8Array(1), 0x4000)) < 0 ? sys.errno : 0;
      seen.recv = await sys.recv(c2, new Uint8Array(1));
    });
    await sim.run();
    expect(seen).toEqual({
      listenEmpty: 0, listenPending: POLLIN | POLLRDNORM, fresh: POLLOUT | POLLWRNORM | POLLHUP,
      connected: POLLOUT | POLLWRNORM, peerFin: POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM,
      bothShut: POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLHUP,
      reset: POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLHUP | POLLERR,
      send1: Errno.ECONNRESET, send2: Errno.EPIPE, recv: 0,
    });
  });

  test('unconnected socket: send EPIPE, recv ENOTCONN, shutdown ENOTCONN, TCP_MAXSEG 536', async () => {
    const { sim, a } = twoHosts();
    const seen: number[] = [];
    a.spawn('p', async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      seen.push((await sys.send(fd, new Uint8Array(1), 0x4000)) < 0 ? sys.errno : 0);
      seen.push((await sys.recv(fd, new Uint8Array(1))) < 0 ? sys.errno : 0);
      seen.push((await sys.shutdown(fd, SHUT_WR)) < 0 ? sys.errno : 0);
      seen.push(await sys.getsockoptInt(fd, IPPROTO_TCP, TCP_MAXSEG));
    });
    await sim.run();
    expect(seen).toEqual([Errno.EPIPE, Errno.ENOTCONN, Errno.ENOTCONN, 536]);
  });
});

describe('TCP_INFO', () => {
  test('struct tcp_info: 280 bytes, state, options, wscale nibbles, rto/ato in µs, mss, cwnd, ssthresh', async () => {
    const { sim, a, b } = twoHosts({ latencyNs: 5e6 });
    let info: Uint8Array | null = null;
    b.spawn('server', async (sys) => {
      const l = await listenOn(sys, 80);
      await sys.accept(l, null);
      await sys.sleep(1e9);
    });
    a.spawn('client', async (sys) => {
      const c = await connectTo(sys, '10.0.0.2', 80);
      const out = { len: 512 } as { len: number; value?: Uint8Array };
      expect(await sys.getsockopt(c, IPPROTO_TCP, TCP_INFO, out)).toBe(0);
      info = out.value!;
    });
    await sim.run();
    const v = new DataView(info!.buffer, info!.byteOffset);
    expect(info!.length).toBe(280);
    expect(info![0]).toBe(1); // TCP_ESTABLISHED
    expect(info![5]).toBe(7); // TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE
    expect(info![6]).toBe(0x77); // snd_wscale 7 | rcv_wscale 7 << 4
    // RTT 10 ms: RTO = 10 ms + max(2 × 10 ms, 200 ms) = 210 ms.
    expect(v.getUint32(8, true)).toBe(210_000);
    expect(v.getUint32(16, true)).toBe(1448); // snd_mss
    expect(v.getUint32(20, true)).toBe(536); // rcv_mss before any data (tcp_initialize_rcv_mss)
    expect(v.getUint32(60, true)).toBe(1500); // pmtu
    expect(v.getUint32(68, true)).toBe(10_000); // rtt µs
    expect(v.getUint32(76, true)).toBe(0x7fffffff); // snd_ssthresh
    expect(v.getUint32(80, true)).toBe(10); // snd_cwnd
    expect(v.getUint32(84, true)).toBe(1448); // advmss (1460 − timestamps)
    expect(v.getUint32(88, true)).toBe(3); // reordering
  });
});

describe('keepalive and timeouts', () => {
  test('SO_KEEPALIVE with TCP_KEEPIDLE 10, KEEPINTVL 5, KEEPCNT 3: probes at 10, 15, 20 s, then RST and ETIMEDOUT', async () => {
    const h = new Harness();
    let err = 0, at = 0;
    h.proc(async (sys) => {
      const l = await listenOn(sys, 8080);
      const fd = await sys.accept(l, null);
      await sys.setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, 10);
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, 5);
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, 3);
      if ((await sys.read(fd, new Uint8Array(10))) < 0) err = sys.errno;
      at = sys.now;
    });
    h.inject(0.1, 'S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>');
    h.inject(0.2, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 100>');
    await h.run();
    expect(h.lines({ win: false }).slice(1)).toEqual([
      '10.200 > . 0:0(0) ack 1 <nop,nop,TS val 10200 ecr 200>',
      '15.200 > . 0:0(0) ack 1 <nop,nop,TS val 15200 ecr 200>',
      '20.200 > . 0:0(0) ack 1 <nop,nop,TS val 20200 ecr 200>',
      '25.200 > R. 1:1(0) ack 1 <nop,nop,TS val 25200 ecr 200>',
    ]);
    expect([err, at / 1e9]).toEqual([Errno.ETIMEDOUT, 25.2]);
  });

  test('TCP_USER_TIMEOUT 2000 ms ends retransmissions with ETIMEDOUT after 2 s instead of ~15 minutes', async () => {
    const h = new Harness({ sysctl: { earlyRetrans: 0 } });
    let err = 0, at = 0;
    h.proc(async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 2000);
      await sys.connect(fd, inet('192.0.2.1', 8080));
      await sys.write(fd, new Uint8Array(100));
      if ((await sys.read(fd, new Uint8Array(10))) < 0) err = sys.errno;
      at = sys.now;
    });
    h.inject(0.1, 'S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 100 ecr 100,nop,wscale 7>');
    await h.run();
    expect(err).toBe(Errno.ETIMEDOUT);
    // The first retransmission goes at 0.4 s (RTO 300 ms); the timer is clamped to fire 2 s after it.
    expect(at / 1e9).toBeCloseTo(2.4, 3);
  });

  test('an orphan in FIN_WAIT2 is dropped after tcp_fin_timeout (60 s); a later segment gets a RST', async () => {
    const h = new Harness();
    h.proc(async (sys) => {
      const l = await listenOn(sys, 8080);
      const fd = await sys.accept(l, null);
      await sys.close(fd);
    });
    h.inject(0.1, 'S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>');
    h.inject(0.2, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 100>');
    h.inject(0.3, '. 1:1(0) ack 2 win 257 <nop,nop,TS val 300 ecr 200>');
    h.inject(61, 'P. 1:11(10) ack 2 win 257 <nop,nop,TS val 61000 ecr 200>');
    await h.run();
    expect(h.lines({ win: false }).slice(1)).toEqual([
      '0.200 > F. 1:1(0) ack 1 <nop,nop,TS val 200 ecr 200>',
      '61.000 > R 2:2(0)',
    ]);
  });
});

describe('ports and TIME_WAIT', () => {
  test('rebinding a port held by TIME_WAIT fails with EADDRINUSE unless both sockets set SO_REUSEADDR', async () => {
    const { sim, a, b } = twoHosts();
    const r: number[] = [];
    b.spawn('server', async (sys) => {
      const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
      await sys.setsockopt(l, SOL_SOCKET, SO_REUSEADDR, 1);
      await sys.bind(l, inet('0.0.0.0', 80));
      await sys.listen(l, 4);
      const s = await sys.accept(l, null);
      await sys.close(s); // the server closes first: its side goes to TIME_WAIT
      await sys.close(l);
      await sys.sleep(1e9);
      const x = await sys.socket(AF_INET, SOCK_STREAM, 0);
      r.push((await sys.bind(x, inet('0.0.0.0', 80))) < 0 ? sys.errno : 0);
      const y = await sys.socket(AF_INET, SOCK_STREAM, 0);
      await sys.setsockopt(y, SOL_SOCKET, SO_REUSEADDR, 1);
      r.push(await sys.bind(y, inet('0.0.0.0', 80)));
    });
    a.spawn('client', async (sys) => {
      const c = await connectTo(sys, '10.0.0.2', 80);
      expect(await sys.read(c, new Uint8Array(1))).toBe(0);
      await sys.close(c);
    });
    await sim.run();
    expect(r).toEqual([Errno.EADDRINUSE, 0]);
  });
});

describe('crashes and path MTU', () => {
  test('a crashed host\'s connections vanish silently; after restart it answers the peer with RST (RFC 9293 §3.10.7.1)', async () => {
    const { sim, net, a, b } = twoHosts();
    let err = 0;
    b.spawn('server', async (sys) => {
      const l = await listenOn(sys, 80);
      await sys.accept(l, null);
      await sys.sleep(100e9);
    });
    a.spawn('client', async (sys) => {
      const c = await connectTo(sys, '10.0.0.2', 80);
      await sys.sleep(2e9);
      await sys.write(c, new Uint8Array(100));
      if ((await sys.read(c, new Uint8Array(10))) < 0) err = sys.errno;
    });
    const before = { n: 0 };
    sim.at(1e9, () => {
      before.n = net.packetsSent;
      b.crash();
    });
    sim.at(1.5e9, () => {
      // Nothing was sent at the crash (no FIN, no RST).
      expect(net.packetsSent).toBe(before.n);
      b.restart();
    });
    await sim.run();
    expect(err).toBe(Errno.ECONNRESET);
    expect(b.tcp.stats.outRsts).toBe(1);
  });

  test('ICMP "fragmentation needed" lowers the MSS and the segment is resent in pieces (RFC 1191)', async () => {
    const h = new Harness();
    let mss = 0;
    h.proc(async (sys) => {
      const l = await listenOn(sys, 8080);
      const fd = await sys.accept(l, null);
      await sys.write(fd, new Uint8Array(1400));
      await sys.sleep(50e6);
      mss = tcpSock(sys, fd).tcb!.mssCache;
      await sys.sleep(1e9);
    });
    h.inject(0.1, 'S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>');
    h.inject(0.2, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 100>');
    h.at(0.21, () => h.host.ipv4.learnPathMtu(0xc0000201, 1000));
    await h.run();
    // MTU 1000 − 40 (IP + TCP) − 12 (timestamps).
    expect(mss).toBe(948);
    const resent = h.out.filter((c) => c.t === 0.21e9 && c.len > 0).map((c) => c.len);
    expect(resent).toEqual([948]);
  });

  test('TCP_INQ: each read carries TCP_CM_INQ = bytes left, a received FIN counting one (Linux 6.18)', async () => {
    // Real kernel over loopback: 100 bytes → read 10 → 90, MSG_PEEK 10 → 90, read 90 → 0; then 5 bytes + FIN →
    // read 2 → 4, read 3 → 1, EOF reads → 1; with no control buffer the message is cut (MSG_CTRUNC).
    const { sim, a, b } = twoHosts();
    const seen: number[][] = [];
    b.spawn('server', async (sys) => {
      const l = await listenOn(sys, 80);
      const fd = await sys.accept(l, null);
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_INQ, 1);
      const rm = async (n: number, flags = 0, ctl = 24): Promise<void> => {
        const msg: MsgHdr = { iov: [new Uint8Array(n)], control: new Uint8Array(ctl), controllen: ctl };
        const r = await sys.recvmsg(fd, msg, flags);
        const c = msg.controllen! >= 20 ? new DataView(msg.control!.buffer) : null;
        seen.push(c ? [r, c.getInt32(8, true), c.getInt32(12, true), c.getInt32(16, true), msg.flags!] : [r, msg.flags!]);
      };
      await sys.sleep(20e6);
      await rm(10);
      await rm(10, MSG_PEEK);
      await rm(90);
      await sys.sleep(20e6);
      await rm(2);
      await rm(3);
      await rm(10);
      await rm(10, 0, 0);
    });
    a.spawn('client', async (sys) => {
      const fd = await connectTo(sys, '10.0.0.2', 80);
      await sys.send(fd, new Uint8Array(100));
      await sys.sleep(30e6);
      await sys.send(fd, new Uint8Array(5));
      await sys.shutdown(fd, SHUT_WR);
      await sys.sleep(1e9);
    });
    await sim.run();
    const cm = (n: number, inq: number): number[] => [n, IPPROTO_TCP, TCP_CM_INQ, inq, 0];
    expect(seen).toEqual([cm(10, 90), cm(10, 90), cm(90, 0), cm(2, 4), cm(3, 1), cm(0, 1), [0, MSG_CTRUNC]]);
  });
});
