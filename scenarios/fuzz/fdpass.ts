/**
 * AF_UNIX fd conservation (unix(7) SCM_RIGHTS): random socketpairs, fd passing with assorted control-buffer sizes
 * (so some passes are cut by MSG_CTRUNC), dups and closes. Whatever the traffic, once every process has exited
 * no AF_UNIX socket may be left: every passed fd was received (and closed at exit) or dropped with its message —
 * a leak or a double release shows here, or as the simulator's own reference-count check throwing.
 */
import fc from 'fast-check';
import { unixSockets } from '../../stack/unix/socket.js';
import type { DataRun } from '../data/run.js';
import type { Op, ScenarioData } from '../data/schema.js';

const fdArb = fc.nat({ max: 9 });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_SEQPACKET').map((type): Op => ({ op: 'socketpair', domain: 'AF_UNIX', type })) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'socket', domain: 'AF_INET', type: 'SOCK_DGRAM' }) },
  {
    weight: 4,
    arbitrary: fc.record({ fd: fdArb, len: fc.integer({ min: 1, max: 8 }), rights: fc.array(fdArb, { maxLength: 3 }) })
      .map(({ fd, len, rights }): Op => ({ op: 'sendmsg', fd, data: { len }, flags: ['MSG_DONTWAIT', 'MSG_NOSIGNAL'], rights })),
  },
  {
    weight: 4,
    arbitrary: fc.record({ fd: fdArb, controlLen: fc.constantFrom(0, 16, 20, 24, 28, 32, 64) })
      .map(({ fd, controlLen }): Op => ({ op: 'recvmsg', fd, len: 16, flags: 'MSG_DONTWAIT', controlLen })),
  },
  { weight: 1, arbitrary: fdArb.map((fd): Op => ({ op: 'dup', fd })) },
  { weight: 2, arbitrary: fdArb.map((fd): Op => ({ op: 'close', fd })) },
);

/** One or two processes on one host passing fds over their own socketpairs. */
export function fdPassScenarioArb(): fc.Arbitrary<ScenarioData> {
  return fc.record({
    procs: fc.array(fc.array(opArb, { maxLength: 20 }), { minLength: 1, maxLength: 2 }),
    seed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  }).map(({ procs, seed }): ScenarioData => ({
    version: 1, seed, hosts: ['h'], links: [], faults: [],
    processes: procs.map((ops) => ({ host: 'h', ops: [{ op: 'socketpair', domain: 'AF_UNIX', type: 'SOCK_STREAM' } as Op, ...ops] })),
    limits: { maxTimeMs: 10_000, maxEvents: 200_000 },
  }));
}

/** After every process exited: no AF_UNIX socket is left on any host. */
export function checkNoUnixLeak(d: DataRun): string | null {
  if (d.trace.finished.some((f) => !f)) return 'a process never finished';
  for (const host of d.run.net.hosts.values()) {
    const left = unixSockets(host).size;
    if (left > 0) return `${left} AF_UNIX socket(s) still exist on ${host.name} after every process exited (an fd leaked in flight)`;
  }
  return null;
}
