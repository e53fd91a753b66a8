/**
 * Structured workloads whose Linux outcome follows from their shape, so the generator can write the expected result
 * of each call into the scenario (`expect`). A scenario is a server and a client process on two hosts joined by a
 * clean link, running a random selection of templates in a random order; each template adds a few operations with
 * their expectations (most on the server host alone, over loopback). The `expectations` property checks them all.
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
const tcp = (): Op => ({ op: 'socket', domain: 'AF_INET', type: 'SOCK_STREAM', expect: { ret: '>=0' } });
const unixStream = (): Op => ({ op: 'socket', domain: 'AF_UNIX', type: 'SOCK_STREAM', expect: { ret: '>=0' } });
const lo = (port: number) => ({ ip: '127.0.0.1', port });

/**
 * Most templates run in one process over loopback, so a shrunk case is as small as the behaviour allows (a second
 * process would add its own socket() and a sleep to order the two). `exchange` keeps a real link in the picture.
 */
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
      server: [sock(), { op: 'bind', fd: 0, addr: lo(port), expect: { ret: 0 } }, sock(),
        { op: 'bind', fd: 1, addr: { host: 'server', port }, expect: { ret: 0 } }],
      client: [],
    }),
  },
  {
    // udp(7): a datagram a socket sends to its own bound address is received whole.
    name: 'loopback-datagram',
    build: (port, n) => ({
      server: [sock(), { op: 'bind', fd: 0, addr: lo(port), expect: { ret: 0 } },
        { op: 'sendto', fd: 0, data: { len: n }, addr: lo(port), expect: { ret: n } },
        { op: 'recvfrom', fd: 0, len: 2048, expect: { ret: n } }],
      client: [],
    }),
  },
  {
    // udp(7): a datagram sent across a clean link to a bound socket is received whole by a blocking recvfrom.
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
      server: [sock(), { op: 'bind', fd: 0, addr: lo(port), expect: { ret: 0 } },
        { op: 'sendto', fd: 0, data: { len: n }, addr: lo(port), expect: { ret: n } },
        { op: 'recvfrom', fd: 0, len: 2048, flags: 'MSG_PEEK', expect: { ret: n } },
        { op: 'recvfrom', fd: 0, len: 2048, flags: 'MSG_DONTWAIT', expect: { ret: n } }],
      client: [],
    }),
  },
];

/** A TCP socket connected to itself over loopback (simultaneous open with itself, which Linux allows): fd 0. */
function selfConnected(port: number, then: Op[]): Op[] {
  return [tcp(), { op: 'bind', fd: 0, addr: lo(port), expect: { ret: 0 } }, { op: 'connect', fd: 0, addr: lo(port), expect: { ret: 0 } }, ...then];
}

/** A listener (fd 0) and a client connected to it over loopback (fd 1), in one process. */
function listenerAndClient(port: number, then: Op[]): Op[] {
  return [tcp(), { op: 'bind', fd: 0, addr: lo(port), expect: { ret: 0 } }, { op: 'listen', fd: 0, backlog: 8, expect: { ret: 0 } },
    tcp(), { op: 'connect', fd: 1, addr: lo(port), expect: { ret: 0 } }, ...then];
}

/** The templates of the TCP family. */
export const TCP_TEMPLATES: Template[] = [
  {
    // tcp(7)/recv(2): bytes sent on a connection arrive in order; MSG_WAITALL waits for all of them.
    name: 'tcp-exchange',
    build: (port, n) => ({
      server: listenerAndClient(port, [{ op: 'send', fd: 1, data: { len: n }, expect: { ret: n } }, { op: 'accept', fd: 0, expect: { ret: '>=0' } },
        { op: 'recv', fd: 2, len: n, flags: 'MSG_WAITALL', expect: { ret: n } }]),
      client: [],
    }),
  },
  {
    // socket(7) SO_LINGER: linger on with a zero timeout makes close() reset the connection (RST), so the peer's
    // recv fails with ECONNRESET instead of seeing end-of-file (checked on Linux 6.x over loopback).
    name: 'linger-reset',
    build: (port) => ({
      server: listenerAndClient(port, [
        { op: 'setsockopt', fd: 1, level: 'SOL_SOCKET', name: 'SO_LINGER', value: { onoff: 1, linger: 0 }, expect: { ret: 0 } },
        { op: 'close', fd: 1, expect: { ret: 0 } }, { op: 'accept', fd: 0, expect: { ret: '>=0' } },
        { op: 'recv', fd: 2, len: 100, expect: { errno: 'ECONNRESET' } }]),
      client: [],
    }),
  },
  {
    // socket(7) SO_LINGER {1, 0}: close() aborts the connection (RST) and frees the port at once; a plain close of a
    // self-connected socket goes through FIN and TIME_WAIT, holding the port (checked on Linux 6.18: EADDRINUSE).
    name: 'linger-frees-port',
    build: (port) => ({
      server: selfConnected(port, [
        { op: 'setsockopt', fd: 0, level: 'SOL_SOCKET', name: 'SO_LINGER', value: { onoff: 1, linger: 0 }, expect: { ret: 0 } },
        { op: 'close', fd: 0, expect: { ret: 0 } }, tcp(), { op: 'bind', fd: 1, addr: lo(port), expect: { ret: 0 } }]),
      client: [],
    }),
  },
  {
    // tcp(7) urgent data, BSD semantics: with SO_OOBINLINE off (the default) the urgent byte is not part of the
    // ordinary stream, so when it is all that arrived a non-blocking read finds nothing (EAGAIN, checked on Linux).
    name: 'oob-byte',
    build: (port) => ({
      server: selfConnected(port, [{ op: 'send', fd: 0, data: { text: '!' }, flags: 'MSG_OOB', expect: { ret: 1 } }, { op: 'sleep', ms: 5 },
        { op: 'recv', fd: 0, len: 10, flags: 'MSG_DONTWAIT', expect: { errno: 'EAGAIN' } }]),
      client: [],
    }),
  },
  {
    // recv(2): MSG_PEEK on a stream returns queued bytes and leaves them for the next read.
    name: 'tcp-peek',
    build: (port, n) => ({
      server: selfConnected(port, [{ op: 'send', fd: 0, data: { len: n }, expect: { ret: n } },
        { op: 'recv', fd: 0, len: n, flags: 'MSG_PEEK', expect: { ret: n } },
        { op: 'recv', fd: 0, len: n, flags: 'MSG_DONTWAIT', expect: { ret: n } }]),
      client: [],
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
