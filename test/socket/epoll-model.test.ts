/**
 * Model-based test of epoll (epoll(7), fs/eventpoll.c): random sequences of epoll_ctl, epoll_wait, send, recv,
 * shutdown, close and dup on AF_UNIX stream and datagram socketpairs, checked step by step against a small
 * reference model. The model keeps its own socket state (queued skbs, shutdown bits, pending ECONNRESET), derives
 * readiness as unix_poll/unix_dgram_poll do, and models epoll's rules independently: items keyed by (open file
 * description, fd), EPOLLERR|EPOLLHUP always added, wake-ups that link an item when their key matches its interest,
 * level-triggered items re-queued after a report, edge-triggered ones dropped, one-shot ones disabled until
 * EPOLL_CTL_MOD, and items not reached when maxevents is small kept at the head.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import {
  AF_UNIX, EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLRDHUP, EPOLL_CTL_ADD, EPOLL_CTL_DEL,
  EPOLL_CTL_MOD, MSG_DONTWAIT, MSG_NOSIGNAL, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRBAND,
  POLLWRNORM, SOCK_DGRAM, SOCK_STREAM,
} from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import type { EpollEvent } from '../../stack/epoll.js';
import type { Sys } from '../../stack/sys.js';
import { runOne } from './helpers.js';

const KEY_IN = 0x1 | 0x2 | 0x40 | 0x80, KEY_OUT = 0x4 | 0x100 | 0x200;
const PRIVATE = EPOLLONESHOT | EPOLLET | (1 << 28) | (1 << 29);

/** Ops refer to fds and epoll instances by index, so every op is valid in any state. */
type Op =
  | { k: 'send'; f: number; n: number }
  | { k: 'recv'; f: number; n: number }
  | { k: 'shutdown'; f: number; how: number }
  | { k: 'close'; f: number }
  | { k: 'dup'; f: number }
  | { k: 'ctl'; op: number; e: number; f: number; ev: number; mode: number; data: number }
  | { k: 'wait'; e: number; max: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('send' as const), f: fc.nat(30), n: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('recv' as const), f: fc.nat(30), n: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('shutdown' as const), f: fc.nat(30), how: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('close' as const), f: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('dup' as const), f: fc.nat(30) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('ctl' as const), op: fc.constantFrom(EPOLL_CTL_ADD, EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL),
      e: fc.nat(1), f: fc.nat(30), ev: fc.constantFrom(EPOLLIN, EPOLLOUT, EPOLLIN | EPOLLOUT, EPOLLIN | EPOLLRDHUP, 0),
      mode: fc.constantFrom(0, EPOLLET, EPOLLONESHOT, EPOLLET | EPOLLONESHOT), data: fc.nat(1000),
    }),
  },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('wait' as const), e: fc.nat(1), max: fc.integer({ min: 1, max: 4 }) }) },
);

interface MSkb { len: number; consumed: number; owner: MSock }
interface MSock {
  id: number;
  stream: boolean;
  peer: MSock | null;
  queue: MSkb[];
  shut: number;
  err: number;
  dead: boolean;
  /** Datagram: the connected peer is gone (sends then fail). */
}
interface MItem { sock: MSock; fd: number; events: number; data: number; linked: boolean }

/** The reference model. */
class Model {
  socks: MSock[] = [];
  fds = new Map<number, MSock>();
  eps: MItem[][] = [[], []];
  ready: MItem[][] = [[], []];

  mask(s: MSock): number {
    let m = 0;
    if (s.err) m |= POLLERR;
    if (s.shut & 1) m |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (s.shut === 3) m |= POLLHUP;
    if (s.queue.length > 0) m |= POLLIN | POLLRDNORM;
    m |= POLLOUT | POLLWRNORM | POLLWRBAND; // the test never fills a buffer past a quarter of SO_SNDBUF
    return m;
  }

  lowestFree(): number {
    let fd = 0;
    while (this.fds.has(fd) || fd === this.epfd[0] || fd === this.epfd[1]) fd++;
    return fd;
  }

  epfd: number[] = [];

  link(e: number, it: MItem): void {
    if (!it.linked) {
      it.linked = true;
      this.ready[e]!.push(it);
    }
  }

  /** A wake-up: add_wait_queue puts new entries at the head, so the newest registration is linked first. */
  wake(s: MSock, key: number): void {
    for (let e = 0; e < 2; e++) {
      for (const it of [...this.eps[e]!].reverse()) {
        if (it.sock !== s) continue;
        if ((it.events & ~PRIVATE) === 0) continue;
        if (key !== 0 && (key & it.events) === 0) continue;
        this.link(e, it);
      }
    }
  }

  free(skb: MSkb): void {
    this.wake(skb.owner, KEY_OUT); // sock_wfree -> unix_write_space (always writable here)
  }

  release(s: MSock): void {
    for (let e = 0; e < 2; e++) {
      this.eps[e] = this.eps[e]!.filter((it) => it.sock !== s);
      this.ready[e] = this.ready[e]!.filter((it) => it.sock !== s);
    }
    s.dead = true;
    const p = s.peer;
    const hadData = s.queue.length > 0;
    if (p && s.stream) {
      p.shut = 3;
      if (hadData) p.err = Errno.ECONNRESET;
      this.wake(p, 0);
    }
    if (s.stream) s.peer = null;
    for (const skb of s.queue.splice(0)) this.free(skb);
  }

  send(s: MSock, n: number): number {
    if (s.shut & 2) return -Errno.EPIPE;
    const o = s.peer;
    if (s.stream) {
      if (!o) return -Errno.ENOTCONN;
      if (n === 0) return 0;
      if (o.dead || o.shut & 1) return -Errno.EPIPE;
    } else {
      if (!o) return -Errno.ENOTCONN;
      if (o.dead) {
        s.peer = null;
        return -Errno.ECONNREFUSED;
      }
      if (o.shut & 1) return -Errno.EPIPE;
    }
    o.queue.push({ len: n, consumed: 0, owner: s });
    this.wake(o, KEY_IN);
    return n;
  }

  recv(s: MSock, n: number): number {
    if (s.stream) {
      if (!s.peer && !s.dead && s.shut !== 3 && s.queue.length === 0 && !s.err) {
        // A stream pair stays ESTABLISHED until closed; reads need data, an error or EOF.
      }
      let copied = 0;
      while (copied < n && s.queue.length > 0) {
        const skb = s.queue[0]!;
        const take = Math.min(skb.len - skb.consumed, n - copied);
        skb.consumed += take;
        copied += take;
        if (skb.consumed < skb.len) break;
        s.queue.shift();
        this.free(skb);
      }
      // Zero-length skbs are not queued by a stream send, so copied > 0 whenever the queue had something.
      if (copied > 0) return copied;
      if (s.err) {
        const e = s.err;
        s.err = 0;
        return -e;
      }
      return s.shut & 1 ? 0 : -Errno.EAGAIN;
    }
    const skb = s.queue.shift();
    if (!skb) {
      if (s.err) {
        const e = s.err;
        s.err = 0;
        return -e;
      }
      return -Errno.EAGAIN;
    }
    this.free(skb);
    return Math.min(n, skb.len);
  }

  shutdown(s: MSock, how: number): void {
    const mode = how + 1;
    s.shut |= mode;
    this.wake(s, 0);
    if (s.peer && s.stream) {
      let pm = 0;
      if (mode & 1) pm |= 2;
      if (mode & 2) pm |= 1;
      s.peer.shut |= pm;
      this.wake(s.peer, 0);
    }
  }

  ctl(e: number, op: number, fd: number, events: number, data: number): number {
    const s = this.fds.get(fd);
    if (!s) return -Errno.EBADF;
    const it = this.eps[e]!.find((x) => x.sock === s && x.fd === fd);
    if (op === EPOLL_CTL_ADD) {
      if (it) return -Errno.EEXIST;
      const n: MItem = { sock: s, fd, events: events | EPOLLERR | EPOLLHUP, data, linked: false };
      this.eps[e]!.push(n);
      if (this.mask(s) & n.events) this.link(e, n);
      return 0;
    }
    if (!it) return -Errno.ENOENT;
    if (op === EPOLL_CTL_DEL) {
      this.eps[e] = this.eps[e]!.filter((x) => x !== it);
      this.ready[e] = this.ready[e]!.filter((x) => x !== it);
      return 0;
    }
    it.events = events | EPOLLERR | EPOLLHUP;
    it.data = data;
    if (this.mask(s) & it.events) this.link(e, it);
    return 0;
  }

  wait(e: number, max: number): [number, number][] {
    const tx = this.ready[e]!;
    this.ready[e] = [];
    for (const it of tx) it.linked = false;
    const out: [number, number][] = [];
    const requeue: MItem[] = [];
    let i = 0;
    for (; i < tx.length && out.length < max; i++) {
      const it = tx[i]!;
      const rev = this.mask(it.sock) & it.events;
      if (!rev) continue;
      out.push([rev >>> 0, it.data]);
      if (it.events & EPOLLONESHOT) it.events &= PRIVATE;
      else if (!(it.events & EPOLLET)) requeue.push(it);
    }
    for (const it of [...tx.slice(i), ...requeue]) this.link(e, it);
    return out;
  }
}

async function run(sys: Sys, ops: Op[]): Promise<void> {
  const m = new Model();
  const types = [SOCK_STREAM, SOCK_DGRAM, SOCK_STREAM];
  for (const t of types) {
    const sv: number[] = [];
    expect(await sys.socketpair(AF_UNIX, t, 0, sv)).toBe(0);
    const a: MSock = { id: m.socks.length, stream: t === SOCK_STREAM, peer: null, queue: [], shut: 0, err: 0, dead: false };
    const b: MSock = { id: m.socks.length + 1, stream: t === SOCK_STREAM, peer: a, queue: [], shut: 0, err: 0, dead: false };
    a.peer = b;
    m.socks.push(a, b);
    m.fds.set(sv[0]!, a);
    m.fds.set(sv[1]!, b);
  }
  m.epfd = [await sys.epoll_create1(0), await sys.epoll_create1(0)];
  const slots = [...m.fds.keys()]; // every socket fd ever opened (closed ones stay: ops on them expect EBADF)
  const payload = new Uint8Array(64);
  for (const [step, op] of ops.entries()) {
    const at = `step ${step} ${JSON.stringify(op)}`;
    const fd = 'f' in op ? slots[op.f % slots.length]! : -1;
    const s = m.fds.get(fd);
    switch (op.k) {
      case 'send': {
        const r = await sys.send(fd, payload.subarray(0, op.n), MSG_DONTWAIT | MSG_NOSIGNAL);
        const want = s ? m.send(s, op.n) : -Errno.EBADF;
        expect(r < 0 ? -sys.errno : r, at).toBe(want);
        break;
      }
      case 'recv': {
        const r = await sys.recv(fd, new Uint8Array(op.n), MSG_DONTWAIT);
        const want = s ? m.recv(s, op.n) : -Errno.EBADF;
        expect(r < 0 ? -sys.errno : r, at).toBe(want);
        break;
      }
      case 'shutdown': {
        const r = await sys.shutdown(fd, op.how);
        if (s) m.shutdown(s, op.how);
        expect(r < 0 ? -sys.errno : r, at).toBe(s ? 0 : -Errno.EBADF);
        break;
      }
      case 'close': {
        const r = await sys.close(fd);
        expect(r < 0 ? -sys.errno : r, at).toBe(s ? 0 : -Errno.EBADF);
        if (s) {
          m.fds.delete(fd);
          if (![...m.fds.values()].includes(s)) m.release(s);
        }
        break;
      }
      case 'dup': {
        const r = await sys.dup(fd);
        if (!s) {
          expect(-sys.errno, at).toBe(-Errno.EBADF);
          break;
        }
        const want = m.lowestFree();
        expect(r, at).toBe(want);
        m.fds.set(r, s);
        if (!slots.includes(r)) slots.push(r);
        break;
      }
      case 'ctl': {
        const ev: EpollEvent = { events: (op.ev | op.mode) >>> 0, data: op.data };
        const r = await sys.epoll_ctl(m.epfd[op.e]!, op.op, fd, op.op === EPOLL_CTL_DEL ? null : ev);
        const want = m.ctl(op.e, op.op, fd, (op.ev | op.mode) >>> 0, op.data);
        expect(r < 0 ? -sys.errno : r, at).toBe(want);
        break;
      }
      case 'wait': {
        const evs: EpollEvent[] = [];
        const r = await sys.epoll_wait(m.epfd[op.e]!, evs, op.max, 0);
        const want = m.wait(op.e, op.max);
        expect(evs.map((x) => [x.events >>> 0, x.data]), at).toEqual(want);
        expect(r, at).toBe(want.length);
        break;
      }
    }
  }
}

test.prop([fc.array(opArb, { maxLength: 80, size: 'max' })], { numRuns: 300 })(
  'epoll LT/ET/ONESHOT readiness, rotation and registration lifetime match the reference model',
  async (ops) => {
    await runOne((sys) => run(sys, ops));
  },
);
