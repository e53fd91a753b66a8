/**
 * Every public Sys call, fed random junk (wrong types, huge and negative numbers, NaN, odd objects), returns a
 * number (-1 with a Linux errno on failure) or its typed result, and never throws or rejects: the C-like contract
 * of the socket API ("errors are values at the socket boundary"). Blocking calls that would wait forever are allowed
 * to stay blocked; what matters is that nothing escapes as an exception.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, test as vtest } from 'vitest';
import { AF_UNIX, O_CREAT, O_NONBLOCK, O_RDWR, SIGPIPE, SOCK_NONBLOCK, SOCK_STREAM, SOCK_DGRAM } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { Sys } from '../../stack/sys.js';
import { SysMux } from '../../stack/sys/mux.js';
import { SysBase } from '../../stack/sys/base.js';
import { unix } from '../../stack/sockaddr.js';
import { oneHost } from './helpers.js';
import { pack } from 'msgpackr';

/** The public calls: every method of Sys that is not an internal helper. */
const PUBLIC = [
  'sleep', 'signal', 'cred', 'close', 'dup', 'dup2', 'dup3', 'fcntl', 'ioctl', 'getrlimit', 'setrlimit', 'pipe', 'pipe2', 'open',
  'lseek', 'unlink', 'mkdir', 'rmdir', 'socket', 'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect',
  'shutdown', 'getsockname', 'getpeername', 'sendto', 'send', 'sendmsg', 'write', 'writev', 'sendfile', 'recv',
  'recvfrom', 'recvmsg', 'read', 'readv', 'setsockopt', 'getsockopt', 'getsockoptInt', 'select', 'pselect', 'poll',
  'ppoll', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait',
  // Other engineers' groups on the same class: interface enumeration (stack/sys/netif.ts) and name resolution
  // (stack/sys/netdb.ts). Their results are typed objects; the property only asks that they never throw.
  'getifaddrs', 'if_nameindex', 'if_nametoindex', 'if_indextoname',
  'getaddrinfo', 'getnameinfo', 'gethostbyname', 'gethostbyname_r', 'gethostbyaddr', 'gethostbyaddr_r', 'h_errno',
];
/** Internal helpers (protected or private in TypeScript, but present at run time). */
const INTERNAL = [
  'done', 'raise', 'file', 'sock', 'withSock', 'deadlineOf', 'deadlineAfter', 'blockingLoop', 'install', 'create', 'fillAddr',
  'writeCommon', 'writeLoop', 'sendControl', 'sendCommon', 'recvSimple', 'readCommon', 'badfOr', 'recvCommon',
  'received', 'layoutControl', 'optCaller', 'selectImpl', 'pollImpl', 'epollCtlImpl', 'epollWaitImpl', 'fcntlImpl',
  'pipeImpl', 'openImpl', 'installFile', 'lseekImpl', 'acceptImpl', 'discard', 'ioctlImpl', 'badPointer',
];

/** Every method of the Sys class chain (stack/sys/*.ts), public or internal. */
function methodNames(): string[] {
  const names = new Set<string>();
  for (let p = Sys.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, n);
      if (n !== 'constructor' && d && typeof d.value === 'function') names.add(n);
    }
    if (p === SysBase.prototype) break;
  }
  return [...names].sort();
}

const ERRNOS = new Set<number>(Object.values(Errno));
/** The socket layer's own calls (stack/sys/base.ts up to mux.ts): each must return a C-style number. */
const SOCKET_LAYER = new Set(PUBLIC.filter((c) => c in SysMux.prototype));

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3, max: 12 }), fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER),
  fc.constant(1e300), fc.constant(NaN), fc.constant(-Infinity), fc.constant(null), fc.constant(undefined),
  fc.boolean(), fc.string({ maxLength: 6 }), fc.uint8Array({ maxLength: 40 }),
  fc.array(fc.integer({ min: -2, max: 12 }), { maxLength: 4 }), fc.object({ maxDepth: 1 }),
  fc.record({ family: fc.integer({ min: -1, max: 12 }), path: fc.string({ maxLength: 4 }), addr: fc.string({ maxLength: 9 }), port: fc.integer() }),
  fc.record({ events: fc.integer(), data: fc.oneof(fc.integer(), fc.string()) }),
  fc.record({ iov: fc.array(fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.integer()), { maxLength: 3 }), control: fc.option(fc.uint8Array({ maxLength: 48 })), controllen: fc.option(fc.integer()) }),
  fc.record({ len: fc.integer({ min: -5, max: 40 }) }), fc.record({ sec: fc.integer(), usec: fc.integer(), nsec: fc.integer() }),
  fc.record({ cur: fc.integer(), max: fc.integer() }), fc.constant(new Set([0, 1, 2, 99])),
  fc.array(fc.record({ fd: fc.integer({ min: -1, max: 9 }), events: fc.integer(), revents: fc.constant(0) }), { maxLength: 3 }),
  fc.constantFrom('default', 'ignore', 'catch'),
);

describe('junk arguments', () => {
  vtest('the list of public calls covers every Sys method', () => {
    expect(methodNames()).toEqual([...PUBLIC, ...INTERNAL].sort());
  });

  test.prop([fc.array(fc.record({ call: fc.constantFrom(...PUBLIC), args: fc.array(junk, { maxLength: 6 }) }), { minLength: 1, maxLength: 12 })], { numRuns: 500 })(
    'no call throws; each returns a number (-1 with a Linux errno) or its typed result',
    async (calls) => {
      const { sim, h } = oneHost('junk');
      // Every event must stay encodable, as the recorder writes it (msgpack).
      sim.sink = { push: (ev) => void pack(ev) };
      const results: { call: string; ret: unknown; errno: number }[] = [];
      for (const { call, args } of calls) {
        h.spawn(call, async (sys) => {
          sys.signal(SIGPIPE, 'ignore');
          // A few fds of every kind for junk numbers to land on.
          const sv: number[] = [];
          await sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
          await sys.pipe2([], O_NONBLOCK);
          await sys.epoll_create1(0);
          await sys.open('/tmp/j', O_CREAT | O_RDWR);
          const d = await sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
          await sys.bind(d, unix(`/tmp/d${sys.pid}`));
          const fn = (sys as unknown as Record<string, (...a: unknown[]) => unknown>)[call]!;
          const ret = await fn.apply(sys, args);
          results.push({ call, ret, errno: sys.errno });
        });
      }
      await sim.run();
      for (const p of sim.processes()) {
        if (p.error !== null) expect(p.error, `${p.name} threw`).toMatch(/^killed by signal/);
      }
      for (const r of results) {
        if (r.call === 'sleep') expect(r.ret).toBeUndefined();
        else if (r.call === 'cred') expect(typeof r.ret).toBe('object');
        else if (typeof r.ret === 'number' || SOCKET_LAYER.has(r.call)) {
          expect(typeof r.ret, r.call).toBe('number');
          expect(Number.isInteger(r.ret), r.call).toBe(true);
          expect(r.ret as number, r.call).toBeGreaterThanOrEqual(-1);
          if (r.ret === -1) expect(ERRNOS.has(r.errno), `${r.call} errno ${r.errno}`).toBe(true);
        }
      }
    },
  );
});
