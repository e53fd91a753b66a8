/**
 * fd-passing conservation (unix(7) SCM_RIGHTS, scm_detach_fds): across random SCM_RIGHTS traffic between two
 * processes, over a stream and a datagram channel, every passed fd is received exactly once (installed in order,
 * as the same open file description) or closed (cut by a short msg_controllen, no free fd, no control buffer,
 * or a queue dropped on close), cycles of sockets in flight are collected (unix_gc), and when both processes
 * exit no open file description and no AF_UNIX socket is left.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import {
  AF_UNIX, MSG_CTRUNC, MSG_DONTWAIT, MSG_NOSIGNAL, O_CREAT, O_RDWR, SIGPIPE, SOCK_DGRAM, SOCK_STREAM,
} from '../../stack/constants.js';
import { buildCmsgs, rightsCmsg } from '../../stack/cmsg.js';
import type { OpenFile } from '../../stack/file.js';
import { unix } from '../../stack/sockaddr.js';
import type { MsgHdr, Sys } from '../../stack/sys.js';
import { unixSockets } from '../../stack/unix/socket.js';
import { ms } from '../../sim/time.js';
import { oneHost } from './helpers.js';
import { RLIMIT_NOFILE } from '../../stack/sys/fdcalls.js';

type Op =
  | { who: 'A'; k: 'open'; kind: number }
  | { who: 'A'; k: 'pass'; via: number; pick: number[]; n: number }
  | { who: 'A'; k: 'cycle' }
  | { who: 'A' | 'B'; k: 'close'; pick: number }
  | { who: 'B'; k: 'recv'; via: number; clen: number; n: number }
  | { who: 'B'; k: 'limit'; cur: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ who: fc.constant('A' as const), k: fc.constant('open' as const), kind: fc.nat(3) }),
  { weight: 3, arbitrary: fc.record({ who: fc.constant('A' as const), k: fc.constant('pass' as const), via: fc.nat(1), pick: fc.array(fc.nat(40), { maxLength: 4 }), n: fc.integer({ min: 1, max: 5 }) }) },
  fc.record({ who: fc.constant('A' as const), k: fc.constant('cycle' as const) }),
  fc.record({ who: fc.constantFrom('A' as const, 'B' as const), k: fc.constant('close' as const), pick: fc.nat(40) }),
  { weight: 3, arbitrary: fc.record({ who: fc.constant('B' as const), k: fc.constant('recv' as const), via: fc.nat(1), clen: fc.constantFrom(0, 16, 20, 24, 28, 40, 64), n: fc.integer({ min: 1, max: 8 }) }) },
  fc.record({ who: fc.constant('B' as const), k: fc.constant('limit' as const), cur: fc.integer({ min: 6, max: 30 }) }),
);

/** The open file description behind an fd of a process. */
function desc(sys: Sys, fd: number): OpenFile {
  const e = sys.fds.get(fd);
  if (!e) throw new Error(`fd ${fd} is not open`);
  return e.file;
}

async function scenario(ops: Op[]): Promise<void> {
  const { sim, h } = oneHost('fd-passing');
  const seen = new Set<OpenFile>();
  /** Per channel, the fd lists of sent messages not yet reached by a receive (FIFO). */
  const pending: OpenFile[][][] = [[], []];
  const failures: unknown[] = [];
  let received = 0, dropped = 0;
  const guard = (fn: (sys: Sys) => Promise<void>) => async (sys: Sys) => {
    try {
      await fn(sys);
    } catch (e) {
      failures.push(e);
    }
  };
  h.spawn('B', guard(async (sys) => {
    const l = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
    await sys.bind(l, unix('/tmp/hub'));
    await sys.listen(l, 1);
    const d = await sys.socket(AF_UNIX, SOCK_DGRAM, 0);
    await sys.bind(d, unix('/tmp/hubd'));
    const s = await sys.accept(l);
    await sys.close(l);
    const chan = [s, d];
    for (const [i, op] of ops.entries()) {
      await sys.sleep(ms(1));
      if (op.who !== 'B') continue;
      if (op.k === 'limit') await sys.setrlimit(RLIMIT_NOFILE, { cur: op.cur, max: 4096 });
      if (op.k === 'close') await sys.close(sys.fds.fds()[op.pick % sys.fds.size]!);
      if (op.k !== 'recv') continue;
      const ctl = op.clen ? new Uint8Array(op.clen) : null;
      const msg: MsgHdr = { iov: [new Uint8Array(op.n)], control: ctl };
      const r = await sys.recvmsg(chan[op.via]!, msg, MSG_DONTWAIT);
      if (r < 0) continue;
      const fds: number[] = [];
      if (ctl) {
        const dv = new DataView(ctl.buffer);
        for (let off = 0; off + 16 <= (msg.controllen ?? 0);) {
          const len = dv.getUint32(off, true);
          for (let j = off + 16; j + 4 <= off + len; j += 4) fds.push(dv.getInt32(j, true));
          off += (len + 7) & ~7;
        }
      }
      if (fds.length === 0 && !((msg.flags ?? 0) & MSG_CTRUNC)) continue;
      const sent = pending[op.via]!.shift();
      expect(sent, `step ${i}: a receive delivered fds nobody sent`).toBeDefined();
      expect(fds.length).toBeLessThanOrEqual(sent!.length);
      // Installed in order, each the very description that was sent; the rest were closed (MSG_CTRUNC).
      fds.forEach((fd, j) => expect(desc(sys, fd), `step ${i} fd ${j}`).toBe(sent![j]));
      if (fds.length < sent!.length) expect((msg.flags ?? 0) & MSG_CTRUNC).toBe(MSG_CTRUNC);
      received += fds.length;
      dropped += sent!.length - fds.length;
    }
  }));
  h.spawn('A', guard(async (sys) => {
    sys.signal(SIGPIPE, 'ignore');
    const s = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
    await sys.connect(s, unix('/tmp/hub'));
    const d = await sys.socket(AF_UNIX, SOCK_DGRAM, 0);
    await sys.connect(d, unix('/tmp/hubd'));
    const chan = [s, d];
    for (const fd of chan) seen.add(desc(sys, fd));
    for (const op of ops) {
      await sys.sleep(ms(1));
      if (op.who !== 'A') continue;
      const open = sys.fds.fds();
      if (op.k === 'open') {
        const fds: number[] = [];
        if (op.kind === 0) await sys.pipe(fds);
        else if (op.kind === 1) await sys.socketpair(AF_UNIX, op.kind === 1 ? SOCK_STREAM : SOCK_DGRAM, 0, fds);
        else if (op.kind === 2) fds.push(await sys.epoll_create1(0));
        else fds.push(await sys.open('/tmp/f', O_CREAT | O_RDWR));
        for (const fd of fds) if (fd >= 0) seen.add(desc(sys, fd));
      } else if (op.k === 'close') {
        if (open.length) await sys.close(open[op.pick % open.length]!);
      } else if (op.k === 'cycle') {
        // Each end of a pair sent over the pair itself, then both closed: only unix_gc can free them.
        const sv: number[] = [];
        await sys.socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
        for (const fd of sv) seen.add(desc(sys, fd));
        await sys.sendmsg(sv[0]!, { iov: [new Uint8Array(1)], control: buildCmsgs([rightsCmsg([sv[0]!, sv[1]!])]) }, 0);
        await sys.close(sv[0]!);
        await sys.close(sv[1]!);
      } else if (op.k === 'pass' && open.length) {
        const fds = op.pick.map((p) => open[p % open.length]!);
        const files = fds.map((fd) => desc(sys, fd));
        const control = fds.length ? buildCmsgs([rightsCmsg(fds)]) : null;
        const r = await sys.sendmsg(chan[op.via]!, { iov: [new Uint8Array(op.n)], control }, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (r >= 0 && fds.length) pending[op.via]!.push(files);
      }
    }
  }));
  const res = await sim.run();
  if (failures.length) throw failures[0];
  expect(res.status).toBe('completed');
  // Both processes exited: every description is released, including those still in flight at exit.
  for (const f of seen) expect(f.refs, `a ${f.obj.kind} description leaked`).toBe(0);
  expect(unixSockets(h).size).toBe(0);
  void received;
  void dropped;
}

test.prop([fc.array(opArb, { maxLength: 50, size: 'max' })], { numRuns: 200 })(
  'every fd passed with SCM_RIGHTS is received once or closed, and nothing leaks when the processes exit',
  async (ops) => {
    await scenario(ops);
  },
);
