/**
 * The recursive caching resolver process: clients' queries come in through the server front end (server.ts), each
 * is resolved by an IterativeResolver (iterative.ts) against the simulated root and the delegations below it, and
 * answers and negative answers are cached in virtual time (cache.ts), so a repeat query is answered without any
 * upstream traffic until the TTL runs out.
 *
 * Upstream queries go out from a fresh UDP socket each (a random source port from the kernel's ephemeral range)
 * with a random ID (RFC 5452 §4 and §9.2), RD clear, and EDNS0 advertising 1232 octets unless disabled; a reply
 * counts only if it comes from the server's address and port 53 with the query's ID (RFC 5452 §4.1). A reply with
 * TC is retried over TCP with the same server (RFC 7766 §5). A query without a reply in `queryTimeoutNs` counts as
 * a timeout. Answers to clients carry RA, the client's ID and RD (RFC 1035 §4.1.1).
 */
import { RECURSION_AVAILABLE, RECURSION_DESIRED, encode } from 'dns-packet';
import type { DecodedPacket, Packet, Question } from 'dns-packet';
import { AF_INET, MSG_DONTWAIT, POLLIN, POLLOUT, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_ERROR } from '../constants.js';
import { Errno } from '../errno.js';
import { inet } from '../sockaddr.js';
import type { AddrOut, Sys } from '../sys.js';
import { DnsCache } from './cache.js';
import { IterativeResolver, type IterativeOptions, type RootHint } from './iterative.js';
import { OPCODE_QUERY, RCODE, classOf, findOpt, opcodeOf, responseTo, tryDecode } from './message.js';
import { Reactor } from './reactor.js';
import { SERVER_UDP_PAYLOAD } from './authority.js';
import { openFrontend, type ListenOptions, type ServerStats, type Transport } from './server.js';
import { TcpFramer } from './truncate.js';

/** Counters of the resolving side. */
export interface ResolverStats {
  /** Client questions answered straight from the cache (no upstream query). */
  cacheAnswers: number;
  /** Upstream queries sent, TCP retries included. */
  upstreamQueries: number;
  /** Upstream queries that timed out. */
  upstreamTimeouts: number;
  /** Replies ignored: wrong source, wrong ID, or undecodable (RFC 5452). */
  upstreamIgnored: number;
  /** SERVFAIL answers given to clients. */
  servfails: number;
}

/** A recursive server's configuration. */
export interface RecursiveOptions extends ListenOptions {
  /** The root servers (named.root). */
  rootHints: readonly RootHint[];
  /** The cache; a fresh one per server when omitted. Share one to inspect it from a test. */
  cache?: DnsCache;
  /** How long to wait for an upstream reply (default 800 ms, BIND's initial SRTT-based timeout is of that order). */
  queryTimeoutNs?: number;
  /** Advertise EDNS0 upstream (default true, 1232 octets); false sends plain 512-octet queries. */
  edns?: boolean;
  /** Limits handed to each IterativeResolver. */
  limits?: Omit<IterativeOptions, 'rootHints' | 'cache' | 'id'>;
  /** Resolver counters, filled as the server runs. */
  resolverStats?: ResolverStats;
  /** Front-end counters. */
  stats?: ServerStats;
}

/** Fresh resolver counters. */
export function newResolverStats(): ResolverStats {
  return { cacheAnswers: 0, upstreamQueries: 0, upstreamTimeouts: 0, upstreamIgnored: 0, servfails: 0 };
}

/** The body of a recursive resolver process: `host.spawn('resolver', recursiveServer({ rootHints }))`. */
export function recursiveServer(opts: RecursiveOptions): (sys: Sys) => Promise<number> {
  return async (sys) => {
    const reactor = new Reactor(sys);
    const cache = opts.cache ?? new DnsCache();
    const stats = opts.resolverStats ?? newResolverStats();
    const timeoutNs = opts.queryTimeoutNs ?? 800e6;

    /** Runs the resolver until it needs the network or is done; then answers the client. */
    const advance = async (resolver: IterativeResolver, query: DecodedPacket, reply: (p: Packet) => Promise<void>, sent: boolean): Promise<void> => {
      const step = resolver.nextStep(sys.now);
      if (step.kind === 'query') return upstream(resolver, query, reply, step.server, step.question, step.tcp);
      if (!sent) stats.cacheAnswers++;
      if (step.kind === 'fail') {
        stats.servfails++;
        return reply(withOpt(query, responseTo(query, { rcode: RCODE.SERVFAIL, recursionAvailable: true })));
      }
      const flags = ((step.packet.flags ?? 0) & ~RECURSION_DESIRED) | ((query.flags ?? 0) & RECURSION_DESIRED) | RECURSION_AVAILABLE;
      return reply(withOpt(query, { ...step.packet, id: query.id ?? 0, flags }));
    };

    /** Sends one upstream query and arranges for its reply or timeout to advance the resolver. */
    const upstream = async (resolver: IterativeResolver, query: DecodedPacket, reply: (p: Packet) => Promise<void>,
      server: string, question: Question, tcp: boolean): Promise<void> => {
      stats.upstreamQueries++;
      const idStream = sys.host.sim.random.stream(`host:${sys.host.name}:dns-qid`);
      const id = idStream.int(0, 0xffff);
      sys.host.sim.decide(idStream.name, 'dns-upstream-id', id);
      const edns = opts.edns !== false;
      const bytes = encode({
        type: 'query', id, flags: 0, questions: [question],
        additionals: edns ? [{ name: '.', type: 'OPT', udpPayloadSize: SERVER_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
      });
      const dest = inet(server, 53);
      const fd = await sys.socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK, 0);
      let done = false;
      let timer = 0;
      const finish = async (response: Packet | null): Promise<void> => {
        if (done) return;
        done = true;
        reactor.unwatch(fd);
        reactor.clearTimer(timer);
        await sys.close(fd);
        if (response === null) {
          stats.upstreamTimeouts++;
          resolver.onTimeout(sys.now);
        } else {
          resolver.onResponse(response, sys.now);
        }
        await advance(resolver, query, reply, true);
      };
      timer = reactor.setTimer(sys.now + timeoutNs, () => finish(null));
      if (fd < 0) return; // no socket (no TCP in this stack): the query times out like a lost one
      const accept = (message: Uint8Array): Promise<void> | undefined => {
        const p = tryDecode(message);
        if (p === undefined || p.type !== 'response' || p.id !== id) {
          stats.upstreamIgnored++;
          return undefined;
        }
        return finish(p);
      };
      if (!tcp) {
        if ((await sys.sendto(fd, bytes, 0, dest)) < 0) return;
        reactor.watch(fd, POLLIN, async () => {
          const buf = new Uint8Array(65536);
          const from: AddrOut = { addr: null };
          for (;;) {
            const n = await sys.recvfrom(fd, buf, MSG_DONTWAIT, from);
            if (n < 0 || done) return;
            const src = from.addr;
            if (src === null || !('port' in src) || src.addr !== server || src.port !== 53) {
              stats.upstreamIgnored++;
              continue;
            }
            const r = accept(buf.slice(0, n));
            if (r !== undefined) return r;
          }
        });
        return;
      }
      // TCP: a non-blocking connect, then the length-prefixed query, then read until the framed reply is in.
      const framer = new TcpFramer();
      const framed = new Uint8Array(bytes.length + 2);
      framed[0] = bytes.length >> 8;
      framed[1] = bytes.length & 0xff;
      framed.set(bytes, 2);
      const c = await sys.connect(fd, dest);
      if (c < 0 && sys.errno !== Errno.EINPROGRESS) return;
      reactor.watch(fd, POLLOUT, async () => {
        const err = await sys.getsockoptInt(fd, SOL_SOCKET, SO_ERROR);
        if (err !== 0 || (await sys.send(fd, framed, 0)) !== framed.length) return finish(null);
        reactor.watch(fd, POLLIN, async () => {
          const buf = new Uint8Array(65538);
          const n = await sys.recv(fd, buf, MSG_DONTWAIT);
          if (n === 0 || (n < 0 && sys.errno !== Errno.EAGAIN)) return finish(null);
          if (n < 0) return;
          for (const m of framer.push(buf.subarray(0, n))) {
            const r = accept(m);
            if (r !== undefined) return r;
          }
        });
      });
    };

    await openFrontend(sys, reactor, opts, async (query: DecodedPacket, _t: Transport, reply) => {
      const questions = query.questions ?? [];
      if (opcodeOf(query) !== OPCODE_QUERY) return reply(withOpt(query, responseTo(query, { rcode: RCODE.NOTIMP, recursionAvailable: true })));
      if (questions.length !== 1) return reply(withOpt(query, { ...responseTo(query, { rcode: RCODE.FORMERR, recursionAvailable: true }), questions: [] }));
      const question = questions[0] as Question;
      if (classOf(question) !== 'IN') return reply(withOpt(query, responseTo(query, { rcode: RCODE.REFUSED, recursionAvailable: true })));
      const resolver = new IterativeResolver(question, { ...opts.limits, rootHints: opts.rootHints, cache, id: query.id ?? 0 });
      await advance(resolver, query, reply, false);
    });
    if (opts.stopAtNs !== undefined) reactor.setTimer(opts.stopAtNs, async () => reactor.stop());
    await reactor.run();
    return 0;
  };
}

/** Adds an OPT record to a response when the query had one (RFC 6891 §7). */
function withOpt(query: Packet, response: Packet): Packet {
  if (findOpt(query) === undefined) return response;
  return {
    ...response,
    additionals: [...(response.additionals ?? []).filter((r) => r.type !== 'OPT'),
      { name: '.', type: 'OPT', udpPayloadSize: SERVER_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  };
}
