/**
 * Structured workloads whose Linux outcome follows from their shape, so the generator can write the expected result
 * of each call into the scenario (`expect`). A scenario is a server and a client process on two hosts joined by a
 * clean link, running a random selection of templates in a random order; each template adds a few operations with
 * their expectations. The `expectations` property then checks them all.
 *
 * Every expectation here is Linux behaviour from a man page (cited per template) and checked by the socket-layer
 * tests against the real kernel.
 */
import fc from 'fast-check';
import type { Op, ScenarioData } from '../data/schema.js';

/** Operations a template adds to each side; `fd` fields are local indices, rebased when templates are combined. */
interface Fragment {
  server: Op[];
  client: Op[];
}

/** A template: given a port unique to it, the fragment. Ports keep templates from interfering with each other. */
interface Template {
  name: string;
  build(port: number, n: number): Fragment;
}

const sock = (): Op => ({ op: 'socket', domain: 'AF_INET', type: 'SOCK_DGRAM', expect: { ret: '>=0' } });

/** The templates of the UDP family. */
export const UDP_TEMPLATES: Template[] = [
  {
    // ip(7)/udp(7): a second bind of the same port and an overlapping address fails with EADDRINUSE.
    name: 'bind-conflict',
    build: (port) => ({
      server: [sock(), { op: 'bind', fd: 0, addr: { host: '*', port }, expect: { ret: 0 } }, sock(),
        { op: 'bind', fd: 1, addr: { host: '*', port }, expect: { errno: 'EADDRINUSE' } }],
      client: [],
    }),
  },
  {
    // ip(7): two sockets may bind one port on two different specific local addresses.
    name: 'bind-two-addresses',
    build: (port) => ({
      server: [sock(), { op: 'bind', fd: 0, addr: { ip: '127.0.0.1', port }, expect: { ret: 0 } }, sock(),
        { op: 'bind', fd: 1, addr: { host: 'server', port }, expect: { ret: 0 } }],
      client: [],
    }),
  },
  {
    // udp(7): a datagram sent to a bound socket over a clean link is received whole by a blocking recvfrom.
    name: 'exchange',
    build: (port, n) => ({
      server: [sock(), { op: 'bind', fd: 0, addr: { host: '*', port }, expect: { ret: 0 } },
        { op: 'recvfrom', fd: 0, len: 2048, expect: { ret: n } }],
      client: [sock(), { op: 'sleep', ms: 20 }, { op: 'sendto', fd: 0, data: { len: n }, addr: { host: 'server', port }, expect: { ret: n } }],
    }),
  },
  {
    // recv(2): MSG_PEEK returns the data without removing it; the next receive returns the same datagram.
    name: 'peek',
    build: (port, n) => ({
      server: [sock(), { op: 'bind', fd: 0, addr: { host: '*', port }, expect: { ret: 0 } },
        { op: 'recvfrom', fd: 0, len: 2048, flags: 'MSG_PEEK', expect: { ret: n } },
        { op: 'recvfrom', fd: 0, len: 2048, flags: 'MSG_DONTWAIT', expect: { ret: n } }],
      client: [sock(), { op: 'sleep', ms: 20 }, { op: 'sendto', fd: 0, data: { len: n }, addr: { host: 'server', port }, expect: { ret: n } }],
    }),
  },
];

const tcp = (): Op => ({ op: 'socket', domain: 'AF_INET', type: 'SOCK_STREAM', expect: { ret: '>=0' } });
const unixStream = (): Op => ({ op: 'socket', domain: 'AF_UNIX', type: 'SOCK_STREAM', expect: { ret: '>=0' } });

/** A listening TCP server that accepts one connection: fds 0 (listener) and 1 (connection). */
function tcpServer(port: number, then: Op[]): Op[] {
  return [tcp(), { op: 'bind', fd: 0, addr: { host: '*', port }, expect: { ret: 0 } }, { op: 'listen', fd: 0, backlog: 8, expect: { ret: 0 } },
    { op: 'accept', fd: 0, expect: { ret: '>=0' } }, ...then];
}

/** A TCP client that connects once the server listens: fd 0. */
function tcpClient(port: number, then: Op[]): Op[] {
  return [tcp(), { op: 'sleep', ms: 20 }, { op: 'connect', fd: 0, addr: { host: 'server', port }, expect: { ret: 0 } }, ...then];
}

/** The templates of the TCP family. */
export const TCP_TEMPLATES: Template[] = [
  {
    // tcp(7)/recv(2): bytes sent on a connection arrive in order; MSG_WAITALL waits for all of them.
    name: 'tcp-exchange',
    build: (port, n) => ({
      server: tcpServer(port, [{ op: 'recv', fd: 1, len: n, flags: 'MSG_WAITALL', expect: { ret: n } }]),
      client: tcpClient(port, [{ op: 'send', fd: 0, data: { len: n }, expect: { ret: n } }]),
    }),
  },
  {
    // socket(7) SO_LINGER: linger on with a zero timeout makes close() reset the connection (RST), so the peer's
    // blocked recv fails with ECONNRESET instead of seeing end-of-file.
    name: 'linger-reset',
    build: (port) => ({
      server: tcpServer(port, [{ op: 'recv', fd: 1, len: 100, expect: { errno: 'ECONNRESET' } }]),
      client: tcpClient(port, [{ op: 'setsockopt', fd: 0, level: 'SOL_SOCKET', name: 'SO_LINGER', value: { onoff: 1, linger: 0 }, expect: { ret: 0 } },
        { op: 'sleep', ms: 10 }, { op: 'close', fd: 0, expect: { ret: 0 } }]),
    }),
  },
  {
    // tcp(7) "Sockets API" and BSD urgent semantics: with SO_OOBINLINE off (the default) a read stops at the
    // urgent mark (the 4 ordinary bytes), recv(MSG_OOB) returns the one urgent byte, and it is not in the stream.
    name: 'oob-byte',
    build: (port) => ({
      server: tcpServer(port, [{ op: 'sleep', ms: 50 }, { op: 'recv', fd: 1, len: 10, flags: 'MSG_DONTWAIT', expect: { ret: 4 } },
        { op: 'recv', fd: 1, len: 1, flags: 'MSG_OOB', expect: { ret: 1 } },
        { op: 'recv', fd: 1, len: 10, flags: 'MSG_DONTWAIT', expect: { errno: 'EAGAIN' } }]),
      client: tcpClient(port, [{ op: 'send', fd: 0, data: { text: 'abcd' }, expect: { ret: 4 } },
        { op: 'send', fd: 0, data: { text: '!' }, flags: 'MSG_OOB', expect: { ret: 1 } }, { op: 'sleep', ms: 100 }]),
    }),
  },
  {
    // recv(2): MSG_PEEK on a stream returns queued bytes and leaves them for the next read.
    name: 'tcp-peek',
    build: (port, n) => ({
      server: tcpServer(port, [{ op: 'sleep', ms: 50 }, { op: 'recv', fd: 1, len: n, flags: 'MSG_PEEK', expect: { ret: n } },
        { op: 'recv', fd: 1, len: n, flags: 'MSG_DONTWAIT', expect: { ret: n } }]),
      client: tcpClient(port, [{ op: 'send', fd: 0, data: { len: n }, expect: { ret: n } }, { op: 'sleep', ms: 100 }]),
    }),
  },
];

/** The templates of the AF_UNIX family. */
export const UNIX_TEMPLATES: Template[] = [
  {
    // unix(7): an abstract name (leading NUL) lives outside the filesystem, so the same text as a path is free.
    name: 'abstract-and-path',
    build: (port) => ({
      server: [unixStream(), { op: 'bind', fd: 0, addr: { path: `@s${port}` }, expect: { ret: 0 } }, unixStream(),
        { op: 'bind', fd: 1, addr: { path: `/s${port}` }, expect: { ret: 0 } }],
      client: [],
    }),
  },
  {
    // unix(7): a path name in use gives EADDRINUSE to a second bind.
    name: 'path-in-use',
    build: (port) => ({
      server: [unixStream(), { op: 'bind', fd: 0, addr: { path: `/u${port}` }, expect: { ret: 0 } }, unixStream(),
        { op: 'bind', fd: 1, addr: { path: `/u${port}` }, expect: { errno: 'EADDRINUSE' } }],
      client: [],
    }),
  },
];

/** Every template. */
export const ALL_TEMPLATES: Template[] = [...UDP_TEMPLATES, ...TCP_TEMPLATES, ...UNIX_TEMPLATES];

/** Shifts a fragment's fd indices by the number of fds the process created before it. */
function rebase(ops: Op[], base: number): Op[] {
  return ops.map((o) => ('fd' in o ? { ...o, fd: o.fd + base } : { ...o }) as Op);
}

/** How many fds a list of operations creates when all succeed (socket: 1, socketpair: 2, accept: 1). */
function created(ops: Op[]): number {
  return ops.reduce((n, o) => n + (o.op === 'socket' || o.op === 'accept' ? 1 : o.op === 'socketpair' ? 2 : 0), 0);
}

/** Scenarios made of 1–4 templates, each with its own port and payload size. */
export function templateScenarioArb(templates: Template[] = ALL_TEMPLATES): fc.Arbitrary<ScenarioData> {
  return fc.record({
    picks: fc.array(fc.record({ t: fc.nat({ max: templates.length - 1 }), n: fc.integer({ min: 1, max: 1400 }) }), { minLength: 1, maxLength: 4 }),
    seed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  }).map(({ picks, seed }) => {
    const server: Op[] = [], client: Op[] = [];
    picks.forEach(({ t, n }, i) => {
      const f = templates[t]!.build(6000 + i, n);
      server.push(...rebase(f.server, created(server)));
      client.push(...rebase(f.client, created(client)));
    });
    const s: ScenarioData = {
      version: 1, seed, hosts: ['server', 'client'], links: [{ a: 'client', b: 'server', latencyMs: 1 }],
      processes: [{ host: 'server', name: 'server', ops: server }, { host: 'client', name: 'client', ops: client }],
      faults: [], limits: { maxTimeMs: 10_000, maxEvents: 100_000 },
    };
    return s;
  });
}
