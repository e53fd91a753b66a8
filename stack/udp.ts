/**
 * UDP (RFC 768) for one host, IPv4 and IPv6 sharing one port space as in Linux: port bindings, demultiplexing,
 * ephemeral ports, ICMP errors in both directions.
 *
 * Binding conflicts follow udp_lib_lport_inuse with inet_rcv_saddr_equal: two sockets on one port clash when their
 * local addresses overlap (equal, or either is the wildcard; an AF_INET6 socket bound to :: without IPV6_V6ONLY
 * also covers every IPv4 address), unless both set SO_REUSEADDR, or both set SO_REUSEPORT.
 *
 * Delivery follows udp4_lib_lookup2 / udp6_lib_lookup2: sockets bound to the destination address are tried before
 * wildcard ones; among them the best score wins (a connected peer address and port each add; over IPv4 an AF_INET
 * socket beats a dual-stack AF_INET6 one); among equals the most recently bound, as new sockets go to the head of
 * Linux's hash chain. Broadcast and multicast datagrams go to every matching socket (__udp4_lib_mcast_deliver,
 * __udp6_lib_mcast_deliver): bound to the port and to the wildcard or the destination address, not connected
 * elsewhere, not bound to another device, and for a group, a member or a socket with IP(V6)_MULTICAST_ALL set.
 *
 * A datagram for a port nobody has draws ICMP port unreachable (unless it was broadcast or multicast); ICMP errors
 * received reach a *connected* socket as SO_ERROR when they are hard (port unreachable → ECONNREFUSED, frag needed →
 * EMSGSIZE), as __udp4_lib_err does without IP_RECVERR; unconnected sockets see nothing.
 */
import { AF_INET, AF_INET6, EPHEMERAL_PORT_HIGH, EPHEMERAL_PORT_LOW, IPPROTO_UDP, IP_PMTUDISC_DONT } from './constants.js';
import { Errno } from './errno.js';
import { EV_DROP } from './events.js';
import type { Host } from './host.js';
import type { Icmp4Error, Ipv4Meta } from './ipv4.js';
import type { Icmp6Error, Ipv6Meta } from './ipv6.js';
import { icmpErrConvert, ICMP_PORT_UNREACH } from './icmp.js';
import { icmpv6ErrConvert } from './icmpv6.js';
import { ipv6Scope } from './iface.js';
import type { SockMcast } from './multicast.js';
import { inet4Bytes } from './sockaddr.js';
import { inet6Bytes } from './sockaddr6.js';
import { WireError } from './wire/errors.js';
import { readU16 } from './wire/bytes.js';
import { ipv4Mapped, ipv6Equal, IPV6_UNSPECIFIED, isIpv4Mapped } from './wire/addr.js';
import { parseUdp, type UdpRepr } from './wire/udp.js';
import type { UdpLevelOptions } from './udp-level.js';
import { IP_PMTUDISC_INTERFACE, IP_PMTUDISC_OMIT, type InetOptions } from './inet-opts.js';
import type { ErrorQueue } from './err-queue.js';
import { ICMPV4_DEST_UNREACH, ICMPV4_FRAG_NEEDED } from './wire/icmpv4.js';
import { ICMPV6_DEST_UNREACH, ICMPV6_PACKET_TOO_BIG } from './wire/icmpv6.js';

/** LOOPBACK4_IPV6 (127.0.0.6): the IPv4 view Linux gives an AF_INET6 socket bound or connected to a pure IPv6 address. */
export const LOOPBACK4_IPV6 = 0x7f000006;

/** What the UDP layer needs of a socket of either family (Linux's struct sock fields). */
export interface UdpSock {
  readonly domain: number;
  port: number;
  reuseAddr: boolean;
  reusePort: boolean;
  soError: number;
  /** sk_rcv_saddr: the IPv4 local address (0 = any). */
  readonly rcvSaddr: number;
  /** sk_v6_rcv_saddr of an AF_INET6 socket (:: = any); null for AF_INET. */
  readonly rcvSaddr6: Uint8Array | null;
  /** IPV6_V6ONLY. */
  readonly v6only: boolean;
  /** inet_daddr / inet_dport of a connected socket (0 when not connected). */
  readonly daddr: number;
  readonly dport: number;
  /** sk_v6_daddr of an AF_INET6 socket connected over IPv6; null otherwise. */
  readonly daddr6: Uint8Array | null;
  /** Whether connect() put it in TCP_ESTABLISHED. */
  readonly connected: boolean;
  /** sk_bound_dev_if: SO_BINDTODEVICE, or the interface a scoped IPv6 bind or connect chose (0: none). */
  readonly bindDev: number;
  /** Multicast memberships and IP(V6)_MULTICAST_ALL, which decide who hears a group (stack/multicast.ts). */
  readonly mc: SockMcast;
  /** IPPROTO_UDP options (UDP_NO_CHECK6_RX decides whether a zero IPv6 checksum is accepted). */
  readonly udp: UdpLevelOptions;
  /**
   * Queues a datagram from the source address `from` (sockaddr bytes of the socket's family), with the IP header
   * facts its control messages may need; false when full.
   */
  enqueue(data: Uint8Array, from: Uint8Array, meta: Ipv4Meta | Ipv6Meta): boolean;
  /** sk_drops: datagrams dropped because the receive buffer was full (SO_RXQ_OVFL reports it). */
  drops: number;
  /** IPPROTO_IP options (IP_RECVERR decides what an ICMP error about an IPv4 datagram does). */
  readonly ipOpts: InetOptions;
  /** The socket error queue (IP_RECVERR, IPV6_RECVERR). */
  readonly errQueue: ErrorQueue;
  /** SO_RCVBUF: the error queue is charged against it too. */
  readonly rcvbuf: number;
  /** Wakes waiters after soError changed. */
  notify(): void;
}

/** ipv4_rcv_saddr_equal (wildcards match). */
function ipv4SaddrEqual(a: number, b: number, bV6only: boolean): boolean {
  if (bV6only) return false;
  return a === b || a === 0 || b === 0;
}

/** ipv6_rcv_saddr_equal (wildcards match); b6 null is an AF_INET socket (treated as IPv4-mapped). */
function ipv6SaddrEqual(a6: Uint8Array, b6: Uint8Array | null, a4: number, b4: number, aOnly: boolean, bOnly: boolean): boolean {
  const aMapped = isIpv4Mapped(a6);
  const bMapped = b6 === null || isIpv4Mapped(b6);
  if (aMapped && bMapped) return !bOnly && (a4 === b4 || a4 === 0 || b4 === 0);
  const aAny = ipv6Equal(a6, IPV6_UNSPECIFIED);
  const bAny = b6 !== null && ipv6Equal(b6, IPV6_UNSPECIFIED);
  if (aAny && bAny) return true;
  if (bAny && !(bOnly && aMapped)) return true;
  if (aAny && !(aOnly && bMapped)) return true;
  return b6 !== null && ipv6Equal(a6, b6);
}

/** inet_rcv_saddr_equal(sk, sk2, match_wildcard = true). */
export function rcvSaddrEqual(a: UdpSock, b: UdpSock): boolean {
  if (a.domain === AF_INET6) return ipv6SaddrEqual(a.rcvSaddr6!, b.rcvSaddr6, a.rcvSaddr, b.rcvSaddr, a.v6only, b.v6only);
  return ipv4SaddrEqual(a.rcvSaddr, b.rcvSaddr, b.v6only);
}

/** UDP state of one host. */
export class UdpLayer {
  /** Bound sockets by local port, in bind order. */
  readonly ports = new Map<number, UdpSock[]>();
  /** Datagrams and errors, as `netstat -su` counts them. */
  readonly stats = { inDatagrams: 0, noPorts: 0, inErrors: 0, inCsumErrors: 0, rcvbufErrors: 0, outDatagrams: 0 };

  constructor(readonly host: Host) {
    host.ipv4.handlers.set(IPPROTO_UDP, (meta, payload) => this.input4(meta, payload));
    host.ipv6.handlers.set(IPPROTO_UDP, (meta, payload) => this.input6(meta, payload));
    host.ipv4.errorHandlers.set(IPPROTO_UDP, (e) => this.error(e));
    host.ipv6.errorHandlers.set(IPPROTO_UDP, (e) => this.error(e));
  }

  /**
   * Binds sock (whose local address fields are already set) to port; 0 picks an ephemeral port. Returns the port,
   * or -EADDRINUSE / -EAGAIN.
   */
  bind(sock: UdpSock, port: number): number {
    if (port === 0) {
      const p = this.ephemeral(sock);
      if (p < 0) return p;
      port = p;
    } else if (this.conflicts(sock, port)) {
      return -Errno.EADDRINUSE;
    }
    let list = this.ports.get(port);
    if (!list) this.ports.set(port, (list = []));
    list.push(sock);
    return port;
  }

  /** Removes sock's binding. */
  unbind(sock: UdpSock, port: number): void {
    const list = this.ports.get(port);
    if (!list) return;
    const i = list.indexOf(sock);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.ports.delete(port);
  }

  /** Moves sock to the head of its port's chain after its addresses changed (udp_lib_rehash on connect). */
  rehash(sock: UdpSock): void {
    this.unbind(sock, sock.port);
    let list = this.ports.get(sock.port);
    if (!list) this.ports.set(sock.port, (list = []));
    list.push(sock);
  }

  /** Forgets every binding (host crash). */
  reset(): void {
    this.ports.clear();
  }

  private conflicts(sock: UdpSock, port: number): boolean {
    const list = this.ports.get(port);
    if (!list) return false;
    if (this.host.profile.deviations.noPortConflict) return false; // deviation profile: no conflict detection
    for (const o of list) {
      if (o === sock) continue;
      if (sock.reuseAddr && o.reuseAddr) continue;
      if (!rcvSaddrEqual(sock, o)) continue;
      if (sock.reusePort && o.reusePort) continue;
      return true;
    }
    return false;
  }

  /**
   * Picks a free port in ip_local_port_range from a random starting point (Linux starts its scan at a random
   * offset), records the choice, and binds nothing itself.
   */
  private ephemeral(sock: UdpSock): number {
    const span = EPHEMERAL_PORT_HIGH - EPHEMERAL_PORT_LOW + 1;
    const s = this.host.sim.random.stream(`host:${this.host.name}:udp-port`);
    const start = s.int(0, span - 1);
    for (let i = 0; i < span; i++) {
      const port = EPHEMERAL_PORT_LOW + ((start + i) % span);
      if (!this.conflicts(sock, port)) {
        this.host.sim.decide(s.name, 'ephemeral-port', port);
        return port;
      }
    }
    return -Errno.EAGAIN; // udp(7): EAGAIN when no ephemeral port is free
  }

  /** An IPv4 UDP datagram arrived for this host. */
  input4(meta: Ipv4Meta, bytes: Uint8Array): void {
    let d;
    try {
      d = parseUdp(bytes, { v: 4, src: meta.src, dst: meta.dst });
    } catch (e) {
      return this.malformed(e, meta.pktId);
    }
    if (meta.broadcast) return this.multicast4(meta, d.srcPort, d.dstPort, d.payload);
    // Deviation profile "udp-recv-unwired": the datagram never reaches any socket.
    const sock = this.host.profile.deviations.udpRecvUnwired ? undefined : this.lookup4(meta.src, d.srcPort, meta.dst, d.dstPort);
    if (!sock) {
      this.stats.noPorts++;
      this.host.udpNoPort?.(meta, bytes);
      this.host.icmp.sendError(meta.packet, ICMPV4_DEST_UNREACH, ICMP_PORT_UNREACH);
      return this.drop('no-socket', meta.pktId);
    }
    this.queue(sock, d.payload, fromAddr(sock, 4, meta.src, d.srcPort, 0), meta);
  }

  /** An IPv6 UDP datagram arrived for this host. */
  input6(meta: Ipv6Meta, bytes: Uint8Array): void {
    let d;
    // A zero checksum (RFC 6936) is looked at once the socket is known: only UDP_NO_CHECK6_RX accepts it.
    const zeroSum = bytes.length >= 8 && bytes[6] === 0 && bytes[7] === 0;
    try {
      d = parseUdp(bytes, zeroSum ? undefined : { v: 6, src: meta.src, dst: meta.dst });
    } catch (e) {
      return this.malformed(e, meta.pktId);
    }
    if (zeroSum) return this.zeroChecksum6(meta, d);
    const scope = ipv6Scope(meta.src) === 'link' ? meta.iface.index : 0;
    if (meta.broadcast) {
      let n = 0;
      for (const s of this.candidates(d.dstPort)) {
        if (s.domain !== AF_INET6 || (!ipv6Equal(s.rcvSaddr6!, IPV6_UNSPECIFIED) && !ipv6Equal(s.rcvSaddr6!, meta.dst))) continue;
        if ((s.dport && s.dport !== d.srcPort) || (s.daddr6 && !ipv6Equal(s.daddr6, meta.src))) continue;
        if ((s.bindDev && s.bindDev !== meta.iface.index) || !s.mc.allow6(meta.dst)) continue;
        this.queue(s, d.payload, fromAddr(s, 6, meta.src, d.srcPort, scope), meta);
        n++;
      }
      if (n === 0) this.drop('no-socket', meta.pktId);
      return;
    }
    const sock = this.host.profile.deviations.udpRecvUnwired ? undefined : this.lookup6(meta.src, d.srcPort, meta.dst, d.dstPort);
    if (!sock) {
      this.stats.noPorts++;
      this.host.icmp6.sendError(meta.packet, ICMPV6_DEST_UNREACH, 4 /* port unreachable */, 0, { iface: meta.iface });
      return this.drop('no-socket', meta.pktId);
    }
    this.queue(sock, d.payload, fromAddr(sock, 6, meta.src, d.srcPort, scope), meta);
  }

  /** __udp6_lib_rcv with uh->check == 0: delivered to a unicast socket with UDP_NO_CHECK6_RX, else a checksum error. */
  private zeroChecksum6(meta: Ipv6Meta, d: UdpRepr): void {
    const sock = meta.broadcast || this.host.profile.deviations.udpRecvUnwired ? undefined : this.lookup6(meta.src, d.srcPort, meta.dst, d.dstPort);
    if (!sock || !sock.udp.noCheck6Rx) {
      this.stats.inErrors++;
      this.stats.inCsumErrors++;
      return this.drop('bad-checksum', meta.pktId);
    }
    const scope = ipv6Scope(meta.src) === 'link' ? meta.iface.index : 0;
    this.queue(sock, d.payload, fromAddr(sock, 6, meta.src, d.srcPort, scope), meta);
  }

  private malformed(e: unknown, pktId: number): void {
    if (!(e instanceof WireError)) throw e;
    this.stats.inErrors++;
    if (e.reason === 'bad-checksum') this.stats.inCsumErrors++;
    this.drop(e.reason === 'bad-checksum' ? 'bad-checksum' : 'malformed', pktId);
  }

  private queue(sock: UdpSock, payload: Uint8Array, from: Uint8Array, meta: Ipv4Meta | Ipv6Meta): void {
    if (!sock.enqueue(payload, from, meta)) {
      this.stats.rcvbufErrors++;
      sock.drops++;
      return this.drop('rcvbuf-full', meta.pktId);
    }
    this.stats.inDatagrams++;
  }

  /** __udp4_lib_mcast_deliver: a copy to every socket that would take the datagram. */
  private multicast4(meta: Ipv4Meta, sport: number, dport: number, payload: Uint8Array): void {
    let n = 0;
    for (const s of this.candidates(dport)) {
      if (s.v6only || (s.daddr && s.daddr !== meta.src) || (s.dport && s.dport !== sport)) continue;
      if (s.rcvSaddr && s.rcvSaddr !== meta.dst) continue;
      if ((s.bindDev && s.bindDev !== meta.iface.index) || !s.mc.allow4(meta.dst, meta.iface.index)) continue;
      this.queue(s, payload, fromAddr(s, 4, meta.src, sport, 0), meta);
      n++;
    }
    if (n === 0) this.drop('no-socket', meta.pktId);
  }

  /** Sockets on a port, newest first (the hash chain order). */
  private candidates(port: number): UdpSock[] {
    return [...(this.ports.get(port) ?? [])].reverse();
  }

  /** udp4_lib_lookup2: the socket an IPv4 datagram goes to (exact local address first, then wildcard). */
  lookup4(saddr: number, sport: number, daddr: number, dport: number): UdpSock | undefined {
    const list = this.candidates(dport);
    for (const local of [daddr, 0]) {
      let best: UdpSock | undefined;
      let bestScore = -1;
      for (const s of list) {
        if (s.v6only || s.rcvSaddr !== local) continue;
        if (s.domain === AF_INET6 && s.rcvSaddr6 && !ipv6Equal(s.rcvSaddr6, IPV6_UNSPECIFIED) && !isIpv4Mapped(s.rcvSaddr6)) continue;
        let score = s.domain === AF_INET ? 2 : 1;
        if (s.daddr) {
          if (s.daddr !== saddr) continue;
          score += 4;
        }
        if (s.dport) {
          if (s.dport !== sport) continue;
          score += 4;
        }
        if (score > bestScore) {
          best = s;
          bestScore = score;
        }
      }
      if (best) return best;
      if (daddr === 0) break;
    }
    return undefined;
  }

  /** udp6_lib_lookup2: the AF_INET6 socket an IPv6 datagram goes to. */
  lookup6(saddr: Uint8Array, sport: number, daddr: Uint8Array, dport: number): UdpSock | undefined {
    const list = this.candidates(dport);
    for (const local of [daddr, IPV6_UNSPECIFIED]) {
      let best: UdpSock | undefined;
      let bestScore = -1;
      for (const s of list) {
        if (s.domain !== AF_INET6 || !ipv6Equal(s.rcvSaddr6!, local)) continue;
        let score = 0;
        if (s.dport) {
          if (s.dport !== sport) continue;
          score++;
        }
        if (s.daddr6) {
          if (!ipv6Equal(s.daddr6, saddr)) continue;
          score++;
        }
        if (score > bestScore) {
          best = s;
          bestScore = score;
        }
      }
      if (best) return best;
    }
    return undefined;
  }

  /** __udp4_lib_err / __udp6_lib_err: ICMP errors about datagrams this host sent. */
  private error(e: Icmp4Error | Icmp6Error): void {
    if (e.transport.length < 8) return;
    const sport = readU16(e.transport, 0), dport = readU16(e.transport, 2);
    // The quoted datagram went from us (src, sport) to the peer (dst, dport): look it up as the reply would be.
    const sock = e.v === 4 ? this.lookup4(e.dst, dport, e.src, sport) : this.lookup6(e.dst, dport, e.src, sport);
    if (!sock) return;
    let errno: number, fatal: boolean;
    if (e.v === 4) {
      ({ errno, fatal } = icmpErrConvert(e.type, e.code));
      if (e.type === ICMPV4_DEST_UNREACH && e.code === ICMPV4_FRAG_NEEDED) {
        // __udp4_lib_err: a socket that does not want DF (IP_PMTUDISC_DONT) ignores "fragmentation needed".
        if (sock.ipOpts.pmtudisc === IP_PMTUDISC_DONT) return;
        ({ errno, fatal } = { errno: Errno.EMSGSIZE, fatal: true });
      }
    } else {
      ({ errno, fatal } = icmpv6ErrConvert(e.type, e.code));
      if (e.type === ICMPV6_PACKET_TOO_BIG) {
        // __udp6_lib_err: INTERFACE and OMIT ignore "packet too big" (ip6_sk_accept_pmtu); it is a hard error
        // unless the mode is DONT (Linux 6.18: an INTERFACE socket's next send goes through, udp-pmtu-learned).
        const mode = sock.ipOpts.pmtudisc6;
        if (mode === IP_PMTUDISC_INTERFACE || mode === IP_PMTUDISC_OMIT) return;
        fatal = mode !== IP_PMTUDISC_DONT;
      }
    }
    // __udp4_lib_err / __udp6_lib_err: with IP_RECVERR (IPV6_RECVERR for IPv6 errors) every error is queued and
    // set as SO_ERROR; without it only a hard error on a connected socket is, and nothing is queued.
    const recverr = e.v === 4 ? sock.ipOpts.recverr : sock.ipOpts.recverr6;
    if (recverr) sock.errQueue.push(sock.domain, e, errno, sock.rcvbuf);
    else if (!fatal || !sock.connected) return;
    sock.soError = errno;
    sock.notify();
  }

  private drop(reason: string, pktId: number | null): void {
    this.host.countDrop(reason);
    this.host.sim.record(EV_DROP, `${this.host.name}:udp`, pktId, reason);
  }
}

/** The source address a socket of sock's family reports (an IPv4 source is v4-mapped for AF_INET6 sockets). */
function fromAddr(sock: UdpSock, v: 4 | 6, src: number | Uint8Array, sport: number, scope: number): Uint8Array {
  if (sock.domain === AF_INET) return inet4Bytes(src as number, sport);
  return v === 4 ? inet6Bytes(ipv4Mapped(src as number), sport) : inet6Bytes((src as Uint8Array).slice(), sport, scope);
}

