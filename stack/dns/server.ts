/**
 * DNS server processes: the shared front end (a UDP socket and, when the stack has TCP, a listening TCP socket on
 * port 53, RFC 1035 §4.2) and the authoritative server. The recursive server (recursive.ts) uses the same front end.
 *
 * UDP replies are cut to the client's payload limit with TC set when records had to go (truncate.ts; 512 octets
 * without EDNS, RFC 1035 §4.2.1); TCP messages carry a 2-octet length (RFC 1035 §4.2.2), several may arrive on one
 * connection and are answered in order (RFC 7766 §6.2.1), and idle connections are closed after a while (RFC 7766
 * §6.2.3; BIND's tcp-idle-timeout is 30 s). Messages that do not decode are dropped and counted, as are responses
 * sent to the server (QR set).
 */
import type { DecodedPacket, Packet } from 'dns-packet';
import { AF_INET, MSG_DONTWAIT, POLLIN, POLLOUT, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR } from '../constants.js';
import { Errno } from '../errno.js';
import { inet, type SockAddr } from '../sockaddr.js';
import type { AddrOut, Sys } from '../sys.js';
import { SERVER_UDP_PAYLOAD, answerAuthoritative } from './authority.js';
import { tryDecode } from './message.js';
import { Reactor } from './reactor.js';
import { TcpFramer, encodeForTcp, encodeForUdp, udpPayloadLimit } from './truncate.js';
import { buildZone, type Zone, type ZoneData } from './zone.js';

/** Counters a server keeps (tests and scenario summaries read them). */
export interface ServerStats {
  udpQueries: number;
  tcpQueries: number;
  /** UDP replies sent with TC set. */
  truncated: number;
  /** Datagrams or TCP messages that did not decode, and responses sent to the server. */
  dropped: number;
  /** Whether a TCP listener could be opened (false while the stack has no SOCK_STREAM). */
  tcpListening: boolean;
}

/** Where and how a server listens. */
export interface ListenOptions {
  /** Local address (default 0.0.0.0). */
  address?: string;
  /** Port (default 53). */
  port?: number;
  /** Also serve TCP when the stack supports it (default true). */
  tcp?: boolean;
  /** Largest UDP reply for EDNS clients (default 1232, BIND's edns-udp-size). */
  udpPayload?: number;
  /** Close a TCP connection idle this long (default 30 s). */
  tcpIdleTimeoutNs?: number;
  /** Stop serving at this virtual time (default: never). */
  stopAtNs?: number;
  /** Counters, filled as the server runs. */
  stats?: ServerStats;
}

/** How a query arrived, so the answer goes back the same way. */
export type Transport = 'udp' | 'tcp';

/** A query handler: gets the decoded query and a function that sends the response (once). */
export type QueryHandler = (query: DecodedPacket, transport: Transport, reply: (response: Packet) => Promise<void>) => Promise<void>;

/** Fresh counters. */
export function newServerStats(): ServerStats {
  return { udpQueries: 0, tcpQueries: 0, truncated: 0, dropped: 0, tcpListening: false };
}

/** One TCP client connection: its framer, pending output and idle timer. */
interface TcpConn {
  readonly fd: number;
  readonly framer: TcpFramer;
  out: Uint8Array;
  idleTimer: number;
}

/**
 * Opens the server's sockets on `reactor` and feeds every query to `handler`. Returns when the sockets are set up;
 * the reactor then serves them.
 */
export async function openFrontend(sys: Sys, reactor: Reactor, opts: ListenOptions, handler: QueryHandler): Promise<ServerStats> {
  const stats = opts.stats ?? newServerStats();
  const local = inet(opts.address ?? '0.0.0.0', opts.port ?? 53);
  const serverMax = opts.udpPayload ?? SERVER_UDP_PAYLOAD;
  const idleNs = opts.tcpIdleTimeoutNs ?? 30e9;

  const udp = await sys.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (udp < 0 || (await sys.bind(udp, local)) < 0) throw new Error(`dns server: cannot bind UDP ${local.addr}:${local.port} (errno ${sys.errno})`);
  reactor.watch(udp, POLLIN, async () => {
    const buf = new Uint8Array(65536);
    const from: AddrOut = { addr: null };
    for (;;) {
      const n = await sys.recvfrom(udp, buf, MSG_DONTWAIT, from);
      if (n < 0) return;
      const client = from.addr as SockAddr;
      const query = tryDecode(buf.subarray(0, n));
      if (query === undefined || query.type === 'response') {
        stats.dropped++;
        continue;
      }
      stats.udpQueries++;
      await handler(query, 'udp', async (response) => {
        const bytes = encodeForUdp(response, udpPayloadLimit(query, serverMax));
        if ((bytes[2]! & 0x02) !== 0) stats.truncated++;
        await sys.sendto(udp, bytes, 0, client);
      });
    }
  });

  if (opts.tcp === false) return stats;
  const listener = await sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (listener < 0) return stats; // no TCP in this stack yet: UDP only
  await sys.setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, 1);
  if ((await sys.bind(listener, local)) < 0 || (await sys.listen(listener, 64)) < 0) {
    throw new Error(`dns server: cannot listen on TCP ${local.addr}:${local.port} (errno ${sys.errno})`);
  }
  stats.tcpListening = true;

  const closeConn = async (c: TcpConn): Promise<void> => {
    reactor.unwatch(c.fd);
    reactor.clearTimer(c.idleTimer);
    await sys.close(c.fd);
  };
  const rearm = (c: TcpConn): void => {
    reactor.clearTimer(c.idleTimer);
    c.idleTimer = reactor.setTimer(sys.now + idleNs, () => closeConn(c));
  };
  const flush = async (c: TcpConn): Promise<void> => {
    while (c.out.length > 0) {
      const n = await sys.send(c.fd, c.out, MSG_DONTWAIT);
      if (n < 0) {
        if (sys.errno !== Errno.EAGAIN) return closeConn(c);
        break;
      }
      c.out = c.out.subarray(n);
    }
    reactor.watch(c.fd, c.out.length > 0 ? POLLIN | POLLOUT : POLLIN, (ev) => onConn(c, ev));
  };
  const onConn = async (c: TcpConn, revents: number): Promise<void> => {
    if (revents & POLLOUT) await flush(c);
    if (!(revents & POLLIN)) return;
    const buf = new Uint8Array(65538);
    const n = await sys.recv(c.fd, buf, MSG_DONTWAIT);
    if (n === 0 || (n < 0 && sys.errno !== Errno.EAGAIN)) return closeConn(c);
    if (n < 0) return;
    rearm(c);
    for (const message of c.framer.push(buf.subarray(0, n))) {
      const query = tryDecode(message);
      if (query === undefined || query.type === 'response') {
        stats.dropped++;
        continue;
      }
      stats.tcpQueries++;
      await handler(query, 'tcp', async (response) => {
        const framed = encodeForTcp(response);
        const joined = new Uint8Array(c.out.length + framed.length);
        joined.set(c.out);
        joined.set(framed, c.out.length);
        c.out = joined;
        await flush(c);
      });
    }
  };
  reactor.watch(listener, POLLIN, async () => {
    for (;;) {
      const fd = await sys.accept4(listener, null, SOCK_NONBLOCK);
      if (fd < 0) return;
      const c: TcpConn = { fd, framer: new TcpFramer(), out: new Uint8Array(0), idleTimer: 0 };
      rearm(c);
      reactor.watch(fd, POLLIN, (ev) => onConn(c, ev));
    }
  });
  return stats;
}

/** An authoritative server's configuration. */
export interface AuthoritativeOptions extends ListenOptions {
  /** The zones served, as data (validated with buildZone) or built zones. */
  zones: readonly (Zone | ZoneData)[];
}

/** Whether a zone argument is already built. */
function isZone(z: Zone | ZoneData): z is Zone {
  return 'nodes' in z;
}

/**
 * The body of an authoritative-only server process (RFC 1034 §4.3.2 without recursion, RA clear):
 * `host.spawn('ns', authoritativeServer({ zones }))`.
 */
export function authoritativeServer(opts: AuthoritativeOptions): (sys: Sys) => Promise<number> {
  const zones = opts.zones.map((z) => (isZone(z) ? z : buildZone(z)));
  return async (sys) => {
    const reactor = new Reactor(sys);
    await openFrontend(sys, reactor, opts, async (query, _transport, reply) => reply(answerAuthoritative(zones, query)));
    if (opts.stopAtNs !== undefined) reactor.setTimer(opts.stopAtNs, async () => reactor.stop());
    await reactor.run();
    return 0;
  };
}
