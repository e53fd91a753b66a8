/**
 * epoll against a reference: after random traffic, shutdowns, closes and interest-list changes on two AF_UNIX
 * socketpairs, every level-triggered epoll_wait(…, 0) must report exactly what epoll(7) derives from the sockets'
 * readiness — for each registered fd whose poll(2) mask meets its interest (plus EPOLLERR|EPOLLHUP, always
 * reported), that mask filtered to the interest, and nothing for the others. The reference readiness is a poll()
 * made right after, in the same instant; the interest list is modelled from the epoll_ctl calls and their results
 * (a closed fd leaves the list, as no dup keeps its description alive here).
 *
 * Edge-triggered and one-shot rules need a model of wake-ups; test/socket/epoll-model.test.ts has that one.
 */
import fc from 'fast-check';
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD } from '../../stack/constants.js';
import type { DataTrace } from '../data/interpret.js';
import type { Op, ScenarioData } from '../data/schema.js';

/** The interest bits generated (level-triggered only). */
const INTEREST = [EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLIN | EPOLLOUT, EPOLLIN | EPOLLRDHUP, EPOLLIN | EPOLLOUT | EPOLLRDHUP];
/** Every poll bit epoll can report. */
const ALL_POLL = ['POLLIN', 'POLLPRI', 'POLLOUT', 'POLLRDNORM', 'POLLRDBAND', 'POLLWRNORM', 'POLLWRBAND', 'POLLRDHUP'];
const EPFD = 4;
const fdArb = fc.nat({ max: 3 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ fd: fdArb, ctl: fc.constantFrom('EPOLL_CTL_ADD', 'EPOLL_CTL_MOD', 'EPOLL_CTL_DEL'), ev: fc.constantFrom(...INTEREST) })
    .map(({ fd, ctl, ev }): Op => ({ op: 'epoll_ctl', epfd: EPFD, ctl, fd, events: ev })) },
  { weight: 3, arbitrary: fc.record({ fd: fdArb, len: fc.integer({ min: 1, max: 300 }) }).map(({ fd, len }): Op => ({ op: 'send', fd, data: { len }, flags: ['MSG_DONTWAIT', 'MSG_NOSIGNAL'] })) },
  { weight: 2, arbitrary: fc.record({ fd: fdArb, len: fc.integer({ min: 1, max: 400 }) }).map(({ fd, len }): Op => ({ op: 'recv', fd, len, flags: 'MSG_DONTWAIT' })) },
  { weight: 1, arbitrary: fc.record({ fd: fdArb, how: fc.constantFrom('SHUT_RD', 'SHUT_WR', 'SHUT_RDWR') }).map(({ fd, how }): Op => ({ op: 'shutdown', fd, how })) },
  { weight: 1, arbitrary: fdArb.map((fd): Op => ({ op: 'close', fd })) },
  { weight: 4, arbitrary: fc.constant<Op>({ op: 'epoll_wait', epfd: EPFD, maxevents: 16, timeoutMs: 0 }) },
);

/** One process: two socketpairs (fds 0–3), an epoll instance (fd 4), then random operations; each wait is followed by the reference poll. */
export function epollScenarioArb(): fc.Arbitrary<ScenarioData> {
  return fc.record({
    types: fc.tuple(fc.constantFrom('SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_SEQPACKET'), fc.constantFrom('SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_SEQPACKET')),
    // Most runs register most fds up front, so waits have something to report; later ctl calls change that.
    initial: fc.array(fc.record({ fd: fdArb, ev: fc.constantFrom(...INTEREST) }), { maxLength: 4 }),
    ops: fc.array(opArb, { maxLength: 30 }),
    seed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  }).map(({ types, initial, ops, seed }): ScenarioData => {
    const body: Op[] = [
      { op: 'signal', signo: 'SIGPIPE', action: 'ignore' },
      { op: 'socketpair', domain: 'AF_UNIX', type: types[0] },
      { op: 'socketpair', domain: 'AF_UNIX', type: types[1] },
      { op: 'epoll_create' },
      ...initial.map(({ fd, ev }): Op => ({ op: 'epoll_ctl', epfd: EPFD, ctl: 'EPOLL_CTL_ADD', fd, events: ev })),
    ];
    for (const op of ops) {
      body.push(op);
      if (op.op === 'epoll_wait') body.push({ op: 'poll', fds: [0, 1, 2, 3].map((fd) => ({ fd, events: ALL_POLL })), timeoutMs: 0 });
    }
    return { version: 1, seed, hosts: ['h'], links: [], faults: [], processes: [{ host: 'h', ops: body }], limits: { maxTimeMs: 1000, maxEvents: 100_000 } };
  });
}

const CTL: Record<string, number> = { EPOLL_CTL_ADD, EPOLL_CTL_MOD, EPOLL_CTL_DEL };

/** Compares every epoll_wait with the poll() that follows it, given the interest list the ctl calls built. */
export function checkEpollAgainstPoll(s: ScenarioData, trace: DataTrace): string | null {
  const ops = s.processes[0]!.ops;
  const interest = new Map<number, number>();
  const results = trace.results.filter((r) => r.process === 0);
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    const op = ops[r.index]!;
    if (op.op === 'epoll_ctl' && r.ret === 0) {
      const code = typeof op.ctl === 'number' ? op.ctl : CTL[op.ctl]!;
      if (code === EPOLL_CTL_DEL) interest.delete(op.fd);
      else interest.set(op.fd, typeof op.events === 'number' ? op.events : INTEREST.includes(op.events as never) ? (op.events as unknown as number) : 0);
    }
    if (op.op === 'close' && r.ret === 0) interest.delete(op.fd % 5);
    if (op.op !== 'epoll_wait' || r.ret < 0) continue;
    const next = results[i + 1];
    if (!next || ops[next.index]!.op !== 'poll' || next.ret < 0 || !next.out) continue;
    const revents = next.out.replace('revents=', '').split(',').map((x) => Number(x));
    const got = new Map<number, number>();
    for (const item of (r.out ?? 'ev=').replace('ev=', '').split(',').filter(Boolean)) {
      const [mask, data] = item.split(':');
      got.set(Number(data), Number(mask));
    }
    const want = new Map<number, number>();
    for (const [fd, ev] of interest) {
      const m = revents[fd]! & (ev | EPOLLERR | EPOLLHUP);
      if (m) want.set(fd, m);
    }
    const show = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([f, x]) => `fd[${f}]:0x${x.toString(16)}`).join(' ') || 'nothing';
    if (show(got) !== show(want)) {
      return `epoll_wait (op #${r.index}) reported ${show(got)}; the sockets' readiness (poll) and the interest list give ${show(want)}`;
    }
  }
  return null;
}
