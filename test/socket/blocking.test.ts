/**
 * Blocking behaviour in virtual time, across processes: each test states the Linux rule it checks (man page or the
 * kernel function) and measures the virtual time at which calls return.
 */
import { describe, expect, test } from 'vitest';
import {
  AF_UNIX, EPOLLEXCLUSIVE, EPOLLIN, EPOLL_CTL_ADD, MSG_NOSIGNAL, MSG_WAITALL, O_NONBLOCK, SIGPIPE, SOCK_DGRAM,
  SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_RCVTIMEO, SO_SNDBUF, SO_RCVLOWAT, AF_INET, POLLOUT, SO_ERROR,
} from '../../stack/constants.js';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { inet, unix } from '../../stack/sockaddr.js';
import { Errno } from '../../stack/errno.js';
import { timevalBytes } from '../../stack/sockopt.js';
import { unixSockets } from '../../stack/unix/socket.js';
import { buildCmsgs, rightsCmsg } from '../../stack/cmsg.js';
import type { EpollEvent } from '../../stack/epoll.js';
import { ms } from '../../sim/time.js';
import { oneHost } from './helpers.js';

describe('blocking calls wait in virtual time', () => {
  test('accept(2) blocks until a client connects; connect on AF_UNIX completes at once (unix_stream_connect)', async () => {
    const { sim, h } = oneHost();
    const log: [string, number, number][] = [];
    h.spawn('server', async (sys) => {
      const l = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.bind(l, unix('/tmp/srv'));
      await sys.listen(l, 1);
      const a = await sys.accept(l);
      log.push(['accept', a, sys.now]);
      const b = new Uint8Array(8);
      log.push(['recv', await sys.recv(a, b, 0), sys.now]);
    });
    h.spawn('client', async (sys) => {
      await sys.sleep(ms(7));
      const c = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      log.push(['connect', await sys.connect(c, unix('/tmp/srv')), sys.now]);
      await sys.sleep(ms(3));
      log.push(['send', await sys.send(c, new Uint8Array(5), 0), sys.now]);
    });
    const r = await sim.run();
    expect(r.status).toBe('completed');
    expect(log).toEqual([['connect', 0, ms(7)], ['accept', 1, ms(7)], ['send', 5, ms(10)], ['recv', 5, ms(10)]]);
  });

  test('a blocking connect to a full backlog waits for accept (unix_wait_for_peer); SO_SNDTIMEO would end it with EAGAIN', async () => {
    const { sim, h } = oneHost();
    const times: number[] = [];
    h.spawn('server', async (sys) => {
      const l = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.bind(l, unix('/tmp/b'));
      await sys.listen(l, 0);
      await sys.sleep(ms(20));
      await sys.accept(l);
      await sys.sleep(ms(20)); // stay alive: closing the listener would refuse the waiting client
    });
    h.spawn('clients', async (sys) => {
      await sys.sleep(ms(1));
      const a = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      expect(await sys.connect(a, unix('/tmp/b'))).toBe(0); // backlog 0 admits one
      const b = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      expect(await sys.connect(b, unix('/tmp/b'))).toBe(0);
      times.push(sys.now);
    });
    await sim.run();
    expect(times).toEqual([ms(20)]);
  });

  test('SO_RCVTIMEO: a blocking recv returns EAGAIN after the timeout, in virtual time (socket(7))', async () => {
    const { sim, h } = oneHost();
    let at = -1, err = 0;
    h.spawn('p', async (sys) => {
      const sv: number[] = [];
      await sys.socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
      await sys.setsockopt(sv[0]!, SOL_SOCKET, SO_RCVTIMEO, timevalBytes(0, 30_000));
      const r = await sys.recv(sv[0]!, new Uint8Array(4), 0);
      at = sys.now;
      err = r === -1 ? sys.errno : 0;
    });
    await sim.run();
    expect(err).toBe(Errno.EAGAIN);
    expect(at).toBe(ms(32)); // 30 ms rounded up to whole 4 ms jiffies (CONFIG_HZ=250)
  });

  test('MSG_WAITALL keeps reading across sends until the length is met (recv(2))', async () => {
    const { sim, h } = oneHost();
    const got: [number, number][] = [];
    h.spawn('reader', async (sys) => {
      const l = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.bind(l, unix('/tmp/w'));
      await sys.listen(l, 1);
      const a = await sys.accept(l);
      got.push([await sys.recv(a, new Uint8Array(10), MSG_WAITALL), sys.now]);
      got.push([await sys.recv(a, new Uint8Array(10), MSG_WAITALL), sys.now]); // the stream ends: what is left
    });
    h.spawn('writer', async (sys) => {
      const c = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.connect(c, unix('/tmp/w'));
      await sys.sleep(ms(1));
      await sys.send(c, new Uint8Array(3), 0);
      await sys.sleep(ms(4));
      await sys.send(c, new Uint8Array(9), 0);
      await sys.sleep(ms(1));
      await sys.close(c);
    });
    await sim.run();
    expect(got).toEqual([[10, ms(5)], [2, ms(6)]]);
  });

  test('SO_RCVLOWAT: a blocking stream read waits until the low-water mark is met (socket(7))', async () => {
    const { sim, h } = oneHost();
    const got: [number, number][] = [];
    h.spawn('reader', async (sys) => {
      const l = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.bind(l, unix('/tmp/lw'));
      await sys.listen(l, 1);
      const a = await sys.accept(l);
      await sys.setsockopt(a, SOL_SOCKET, SO_RCVLOWAT, 5);
      got.push([await sys.recv(a, new Uint8Array(10), 0), sys.now]);
    });
    h.spawn('writer', async (sys) => {
      const c = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.connect(c, unix('/tmp/lw'));
      await sys.sleep(ms(1));
      await sys.send(c, new Uint8Array(3), 0);
      await sys.sleep(ms(2));
      await sys.send(c, new Uint8Array(3), 0);
    });
    await sim.run();
    expect(got).toEqual([[6, ms(3)]]);
  });

  test('select(2) updates the timeout with the time left; a timed-out select leaves it at zero', async () => {
    const { sim, h } = oneHost();
    const out: unknown[] = [];
    h.spawn('p', async (sys) => {
      const sv: number[] = [];
      await sys.socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
      const tv = { sec: 1, usec: 0 };
      const rd = new Set([sv[0]!]);
      out.push(await sys.select(8, rd, null, null, { sec: 0, usec: 2000 }), [...rd]);
      await sys.send(sv[1]!, new Uint8Array(1), 0);
      out.push(await sys.select(8, new Set([sv[0]!]), null, null, tv), tv);
    });
    await sim.run();
    expect(out).toEqual([0, [], 1, { sec: 1, usec: 0 }]);
  });

  test('TCP across a 5 ms link: EINPROGRESS, EALREADY while the SYN is out, POLLOUT after one RTT, then 0 and EISCONN (connect(2))', async () => {
    const sim = new Sim({ seed: 3 });
    const net = new Network(sim);
    const a = net.addHost('a'), b = net.addHost('b');
    net.connect(a, b, { latencyNs: ms(5) }, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
    const out: unknown[] = [];
    b.spawn('server', async (sys) => {
      const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
      await sys.bind(l, inet('10.0.0.2', 80));
      await sys.listen(l, 4);
      await sys.accept(l);
      await sys.sleep(ms(100));
    });
    a.spawn('client', async (sys) => {
      await sys.sleep(ms(1));
      const c = await sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      out.push(await sys.connect(c, inet('10.0.0.2', 80)), sys.errno);
      out.push(await sys.connect(c, inet('10.0.0.2', 80)), sys.errno);
      const t0 = sys.now;
      const pfd = [{ fd: c, events: POLLOUT, revents: 0 }];
      out.push(await sys.poll(pfd, 1, 1000), pfd[0]!.revents & POLLOUT, sys.now - t0 >= ms(10));
      out.push(await sys.getsockoptInt(c, SOL_SOCKET, SO_ERROR));
      out.push(await sys.connect(c, inet('10.0.0.2', 80)), await sys.connect(c, inet('10.0.0.2', 80)), sys.errno);
      const r = await sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      out.push(await sys.connect(r, inet('10.0.0.2', 81)));
      await sys.poll([{ fd: r, events: POLLOUT, revents: 0 }], 1, 1000);
      out.push(await sys.getsockoptInt(r, SOL_SOCKET, SO_ERROR), await sys.getsockoptInt(r, SOL_SOCKET, SO_ERROR));
    });
    await sim.run();
    expect(out).toEqual([
      -1, Errno.EINPROGRESS, -1, Errno.EALREADY, 1, POLLOUT, true, 0, 0, -1, Errno.EISCONN, -1, Errno.ECONNREFUSED, 0,
    ]);
  });

  test('a large blocking stream send completes while the reader drains (unix_stream_sendmsg waits for SO_SNDBUF room)', async () => {
    const { sim, h } = oneHost();
    let sent = -1, received = 0;
    h.spawn('server', async (sys) => {
      const l = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.bind(l, unix('/tmp/big'));
      await sys.listen(l, 1);
      const a = await sys.accept(l);
      const b = new Uint8Array(65536);
      for (;;) {
        await sys.sleep(ms(1));
        const n = await sys.recv(a, b, 0);
        if (n <= 0) break;
        received += n;
      }
    });
    h.spawn('client', async (sys) => {
      const c = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.connect(c, unix('/tmp/big'));
      await sys.setsockopt(c, SOL_SOCKET, SO_SNDBUF, 16384);
      sent = await sys.send(c, new Uint8Array(1 << 20), 0);
      await sys.close(c);
    });
    expect((await sim.run()).status).toBe('completed');
    expect(sent).toBe(1 << 20);
    expect(received).toBe(1 << 20);
  });

  test('epoll_wait blocks until an event or its timeout, in virtual time (epoll_wait(2))', async () => {
    const { sim, h } = oneHost();
    const seen: [number, number][] = [];
    h.spawn('p', async (sys) => {
      const sv: number[] = [];
      await sys.socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
      const ep = await sys.epoll_create1(0);
      await sys.epoll_ctl(ep, EPOLL_CTL_ADD, sv[0]!, { events: EPOLLIN });
      const evs: EpollEvent[] = [];
      seen.push([await sys.epoll_wait(ep, evs, 4, 15), sys.now]);
      const pfd = [{ fd: sv[0]!, events: EPOLLIN, revents: 0 }];
      seen.push([await sys.poll(pfd, 1, 5), sys.now]);
    });
    await sim.run();
    expect(seen).toEqual([[0, ms(15)], [0, ms(20)]]);
  });

  test('EPOLLEXCLUSIVE: one wake-up goes to one of two waiting epoll instances (epoll_ctl(2))', async () => {
    const { sim, h } = oneHost();
    const woke: string[] = [];
    // Two processes get the same socket over SCM_RIGHTS and wait on it in their own epoll instances.
    h.spawn('parent', async (sys) => {
      const target = await sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
      await sys.bind(target, unix('/tmp/x'));
      const l = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
      await sys.bind(l, unix('/tmp/hand'));
      await sys.listen(l, 4);
      for (const name of ['w1', 'w2']) {
        h.spawn(name, async (w) => {
          const c = await w.socket(AF_UNIX, SOCK_STREAM, 0);
          await w.connect(c, unix('/tmp/hand'));
          const ctl = new Uint8Array(64);
          const msg = { iov: [new Uint8Array(1)], control: ctl };
          await w.recvmsg(c, msg, 0);
          const fd = new DataView(ctl.buffer).getInt32(16, true);
          const ep = await w.epoll_create1(0);
          await w.epoll_ctl(ep, EPOLL_CTL_ADD, fd, { events: EPOLLIN | EPOLLEXCLUSIVE });
          const evs: EpollEvent[] = [];
          if ((await w.epoll_wait(ep, evs, 1, 50)) > 0) woke.push(name);
        });
      }
      for (let i = 0; i < 2; i++) {
        const a = await sys.accept(l);
        await sys.sendmsg(a, { iov: [new Uint8Array(1)], control: buildCmsgs([rightsCmsg([target])]) }, 0);
      }
      await sys.sleep(ms(10));
      const s = await sys.socket(AF_UNIX, SOCK_DGRAM, 0);
      await sys.sendto(s, new Uint8Array(1), 0, unix('/tmp/x'));
    });
    await sim.run();
    expect(woke).toEqual(['w1']);
  });
});

describe('SIGPIPE', () => {
  test('the default action of SIGPIPE terminates the process; its fds close so the peer sees EOF (signal(7))', async () => {
    const { sim, h } = oneHost();
    let after = false;
    const p = h.spawn('writer', async (sys) => {
      const sv: number[] = [];
      await sys.socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
      await sys.close(sv[1]!);
      await sys.send(sv[0]!, new Uint8Array(1), 0);
      after = true; // never reached
    });
    await sim.run();
    expect(after).toBe(false);
    expect(p.state).toBe('killed');
    expect(p.signals.get(SIGPIPE)).toBe(1);
    expect(unixSockets(h).size).toBe(0);
  });

  test("signal(SIGPIPE, 'ignore'): EPIPE is returned and no signal is counted; MSG_NOSIGNAL never signals", async () => {
    const { sim, h } = oneHost();
    const out: number[] = [];
    const p = h.spawn('writer', async (sys) => {
      sys.signal(SIGPIPE, 'ignore');
      const sv: number[] = [];
      await sys.socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
      await sys.close(sv[1]!);
      out.push(await sys.send(sv[0]!, new Uint8Array(1), 0), sys.errno);
      sys.signal(SIGPIPE, 'default');
      out.push(await sys.send(sv[0]!, new Uint8Array(1), MSG_NOSIGNAL), sys.errno);
      const pf: number[] = [];
      await sys.pipe2(pf, O_NONBLOCK);
      sys.signal(SIGPIPE, 'catch');
      await sys.close(pf[0]!);
      out.push(await sys.write(pf[1]!, new Uint8Array(1)), sys.errno);
    });
    await sim.run();
    expect(out).toEqual([-1, Errno.EPIPE, -1, Errno.EPIPE, -1, Errno.EPIPE]);
    expect(p.state).toBe('exited');
    expect(p.signals.get(SIGPIPE)).toBe(1); // only the caught one from the pipe
  });
});

describe('garbage collection of in-flight sockets (unix_gc)', () => {
  test('a socket sent over itself and closed is released', async () => {
    const { sim, h } = oneHost();
    h.spawn('p', async (sys) => {
      const sv: number[] = [];
      await sys.socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
      await sys.sendmsg(sv[0]!, { iov: [new Uint8Array(1)], control: buildCmsgs([rightsCmsg([sv[1]!, sv[0]!])]) }, 0);
      await sys.close(sv[0]!);
      await sys.close(sv[1]!);
      expect(unixSockets(h).size).toBe(0);
    });
    const r = await sim.run();
    expect(r.processes[0]!.error).toBeNull();
  });
});
