/**
 * TCP stream workloads for the stream-integrity and liveness properties: a client on one host sends a random
 * number of chunks to a server on another over a link with loss, duplication, reordering and corruption; the link
 * heals at a random time (the fault schedule sets every fault back to zero). Linux's TCP must deliver the bytes
 * complete, in order and exactly once, or fail with the errno it would give (ETIMEDOUT after the retry limit,
 * ECONNRESET on RST); and once the faults stop, every connection must finish.
 */
import fc from 'fast-check';
import type { DataTrace } from '../data/interpret.js';
import type { Op, ScenarioData } from '../data/schema.js';

const PORT = 7000;

/** A one-connection transfer over a faulty link that heals. */
export function streamScenarioArb(): fc.Arbitrary<ScenarioData> {
  return fc.record({
    chunks: fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 8 }),
    loss: fc.double({ min: 0, max: 0.3, noNaN: true }),
    duplicate: fc.double({ min: 0, max: 0.2, noNaN: true }),
    reorder: fc.double({ min: 0, max: 0.2, noNaN: true }),
    corrupt: fc.double({ min: 0, max: 0.1, noNaN: true }),
    latencyMs: fc.integer({ min: 1, max: 30 }),
    healMs: fc.integer({ min: 0, max: 5000 }),
    shutdownFirst: fc.boolean(),
    seed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  }).map((p): ScenarioData => {
    const total = p.chunks.reduce((a, b) => a + b, 0);
    const client: Op[] = [
      // A send after the connection failed gets EPIPE; the program handles it instead of dying of SIGPIPE.
      { op: 'signal', signo: 'SIGPIPE', action: 'ignore' },
      { op: 'socket', domain: 'AF_INET', type: 'SOCK_STREAM' },
      { op: 'sleep', ms: 10 },
      { op: 'connect', fd: 0, addr: { host: 'server', port: PORT } },
      ...p.chunks.map((len): Op => ({ op: 'send', fd: 0, data: { len } })),
      ...(p.shutdownFirst ? [{ op: 'shutdown', fd: 0, how: 'SHUT_WR' } as Op, { op: 'recv', fd: 0, len: 1 } as Op] : []),
      { op: 'close', fd: 0 },
    ];
    const server: Op[] = [
      { op: 'socket', domain: 'AF_INET', type: 'SOCK_STREAM' },
      { op: 'bind', fd: 0, addr: { host: '*', port: PORT } },
      { op: 'listen', fd: 0, backlog: 4 },
      // A server gives up after 10 virtual minutes (SO_RCVTIMEO bounds accept and recv, socket(7)), so a client that
      // never connected cannot leave it blocked forever; the connection's own outcome is what the checks judge.
      { op: 'setsockopt', fd: 0, level: 'SOL_SOCKET', name: 'SO_RCVTIMEO', value: { sec: 600, usec: 0 } },
      { op: 'accept', fd: 0 },
      { op: 'setsockopt', fd: 1, level: 'SOL_SOCKET', name: 'SO_RCVTIMEO', value: { sec: 600, usec: 0 } },
      { op: 'recv', fd: 1, len: total, flags: 'MSG_WAITALL' },
      { op: 'recv', fd: 1, len: 1 },
      { op: 'close', fd: 1 },
    ];
    return {
      version: 1, seed: p.seed, hosts: ['client', 'server'],
      links: [{ a: 'client', b: 'server', latencyMs: p.latencyMs, loss: p.loss, duplicate: p.duplicate, reorder: p.reorder, reorderDelayMs: 5, corrupt: p.corrupt }],
      processes: [{ host: 'server', name: 'server', ops: server }, { host: 'client', name: 'client', ops: client }],
      faults: [{ at: p.healMs, kind: 'link', link: 0, set: { loss: 0, duplicate: 0, reorder: 0, corrupt: 0 } }],
      limits: { maxTimeMs: 2_400_000, maxEvents: 3_000_000 },
    };
  });
}

/**
 * errnos Linux gives a TCP transfer that fails (tcp(7)): the retry limit, a reset, a refused or broken pipe, and
 * EHOSTUNREACH when ARP never resolves the peer (arp_error_report sends the SYN's owner a host unreachable, which
 * aborts a connect in SYN-SENT: tcp_v4_err).
 */
const STREAM_ERRNOS = new Set(['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH']);

/**
 * Stream integrity: what the server read equals what the client's sends accepted (complete, in order, once), or,
 * when a call failed with one of Linux's stream errnos, a prefix of it. Any other errno is a failure too.
 */
export function checkStreams(trace: DataTrace): string | null {
  for (const r of trace.results) {
    if (r.ret === -1 && r.errno && !STREAM_ERRNOS.has(r.errno) && r.op !== 'recv') {
      return `process ${r.process} op #${r.index} (${r.op}) failed with ${r.errno}, which a TCP transfer does not give`;
    }
  }
  const sent = trace.traffic.filter((t) => t.process === 1).flatMap((t) => t.sent);
  const got = trace.traffic.filter((t) => t.process === 0).flatMap((t) => t.received);
  const failed = trace.results.some((r) => r.ret === -1 && r.errno && STREAM_ERRNOS.has(r.errno));
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== sent[i]) return `byte ${i} of the stream differs: sent ${sent[i] ?? 'nothing'}, received ${got[i]} (${got.length} received, ${sent.length} sent)`;
  }
  if (!failed && got.length !== sent.length) return `the server read ${got.length} bytes of the ${sent.length} the client sent, and no call failed`;
  return null;
}

/**
 * Liveness after the faults heal: every process finished, and a server that timed out (EAGAIN from SO_RCVTIMEO)
 * did so only because the client never got a connection through.
 */
export function checkLiveness(trace: DataTrace, blocked: (p: number) => string | null): string | null {
  const stuck = trace.finished.findIndex((x) => !x);
  if (stuck >= 0) return `process ${stuck} never finished after the faults healed (${blocked(stuck) ?? 'not blocked'})`;
  const connected = trace.results.some((r) => r.process === 1 && r.op === 'connect' && r.ret === 0);
  const timedOut = trace.results.find((r) => r.process === 0 && r.errno === 'EAGAIN');
  if (connected && timedOut) return `the server's ${timedOut.op} (op #${timedOut.index}) timed out although the client connected: the connection never finished`;
  return null;
}
