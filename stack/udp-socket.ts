/**
 * AF_INET SOCK_DGRAM sockets (udp(7)): bind/autobind, connect (including AF_UNSPEC disconnect), sendmsg with
 * Linux's checks, and a receive queue charged against SO_RCVBUF.
 *
 * A disconnect (__udp_disconnect, checked on Linux 6.18) forgets the peer and SO_BINDTODEVICE, gives back a local
 * address that bind() did not choose, and unhashes a port that bind() did not choose (an autobound or bind-to-0
 * port), so getsockname then reads 0.0.0.0:0 or a:0.
 *
 * Multicast (ip(7)): group memberships and IP_MULTICAST_IF/ALL live in stack/multicast.ts; a datagram to a group
 * leaves by IP_MULTICAST_IF (unless the socket is bound to a device or a local address) with TTL
 * IP_MULTICAST_TTL (1 by default) and loops back to this host unless IP_MULTICAST_LOOP is off. A socket may bind
 * a multicast or broadcast address: it then hears only datagrams to that address, and sends from the interface's.
 *
 * Datagrams go out as IP_PMTUDISC_WANT (the default) sends them: with DF when they fit the path MTU, fragmented
 * locally without DF when they do not (__ip_make_skb). A connected socket numbers its packets from a random
 * inet_id. A pending ICMP error (SO_ERROR) is reported by the next send or receive, before queued data
 * (__skb_recv_udp checks sock_error first).
 *
 * IPPROTO_UDP options, UDP_CORK/MSG_MORE and UDP_SEGMENT (GSO: one send leaves as several datagrams) are shared
 * with AF_INET6 sockets in stack/udp-level.ts. SO_NO_CHECK sends IPv4 datagrams with a zero checksum (RFC 768).
 */
import {
  AF_INET, AF_UNSPEC, INADDR_ANY, IPPROTO_IP, IPPROTO_UDP, MSG_MORE, MSG_OOB, MSG_PEEK, POLLHUP, POLLIN, POLLRDHUP, POLLRDNORM, SOCK_DGRAM, UDP_CORK, IP_MTU,
} from './constants.js';
import { getPmtu, InetOptions, setPmtu4 } from './inet-opts.js';
import { intBytes } from './sockopt.js';
import { SockMcast } from './multicast.js';
import { Errno } from './errno.js';
import type { Host } from './host.js';
import { decodeInet4, inet4Bytes } from './sockaddr.js';
import { Socket, type Cmsg, type RecvResult, type SendArgs } from './socket.js';
import { checkSendCmsgs } from './cmsg.js';
import { recvCmsgs, rxInfoOf, rxStampNow } from './rx-cmsg.js';
import { ErrorQueue } from './err-queue.js';
import type { Ipv4Meta } from './ipv4.js';
import type { Ipv6Meta } from './ipv6.js';
import { PendingDatagram, sendCmsgs, sendUdp4, udpCmsgGso, UdpLevelOptions } from './udp-level.js';
import type { UdpSock } from './udp.js';
import { DatagramQueue } from './dgram-queue.js';


/** Largest UDP payload over IPv4: 65535 − 20 (IP) − 8 (UDP). */
export const UDP_MAX_PAYLOAD_V4 = 65507;

/** An IPv4 UDP socket. */
export class UdpSocket extends Socket implements UdpSock {
  /** Local address (0 = INADDR_ANY) and port (0 = unbound). */
  boundAddr = 0;
  /** Whether bind() chose the local address and port (SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK). */
  private addrFromBind = false;
  private portFromBind = false;
  /** inet_saddr: the source address sends use; 0 (the route's) when bound to the wildcard, a group or a broadcast. */
  private saddr = 0;
  port = 0;
  /** The connected peer, or null. */
  peer: { addr: number; port: number } | null = null;
  private readonly queue = new DatagramQueue();
  /** inet_id: IP ids of a connected socket count up from a random start (ip_select_ident_segs). */
  private inetId = 0;
  /** IPPROTO_IP options (IP_TTL, IP_TOS…), applied to every datagram sent. */
  readonly ipOpts = new InetOptions();
  /** Group memberships, IP_MULTICAST_IF and IP_MULTICAST_ALL. */
  readonly mc: SockMcast;
  /** IPPROTO_UDP options (UDP_CORK, UDP_SEGMENT, UDP_GRO…). */
  readonly udp = new UdpLevelOptions();
  /** sk_drops: datagrams the full receive buffer turned away. */
  drops = 0;
  /** The socket error queue (IP_RECVERR, IPV6_RECVERR). */
  readonly errQueue = new ErrorQueue();
  /** The corked datagram (UDP_CORK or MSG_MORE) being built, or null. */
  private pending: PendingDatagram | null = null;
  /** sk_shutdown bits (1 = RCV_SHUTDOWN, 2 = SEND_SHUTDOWN). */
  private shut = 0;
  /** UdpSock's view: the IPv4 local address, and no IPv6 state. */
  get rcvSaddr(): number {
    return this.boundAddr;
  }
  readonly rcvSaddr6 = null;
  readonly v6only = false;
  readonly daddr6 = null;
  get daddr(): number {
    return this.peer?.addr ?? 0;
  }
  get dport(): number {
    return this.peer?.port ?? 0;
  }
  get connected(): boolean {
    return this.peer !== null;
  }
  get bindDev(): number {
    return this.boundDevice;
  }

  constructor(host: Host, protocol: number) {
    super(host, AF_INET, SOCK_DGRAM, protocol || IPPROTO_UDP);
    this.mc = new SockMcast(host, AF_INET, SOCK_DGRAM);
  }

  override bind(addr: Uint8Array): number {
    const ep = decodeInet4(addr);
    if ('errno' in ep) {
      // inet_bind: AF_UNSPEC is accepted as AF_INET only with INADDR_ANY (compatibility), else EAFNOSUPPORT.
      if (ep.errno !== 0) return -ep.errno;
      const dv = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
      if (dv.getUint32(4, false) !== INADDR_ANY) return -Errno.EAFNOSUPPORT;
      return this.bindTo(INADDR_ANY, dv.getUint16(2, false));
    }
    // Deviation profile "bind-ignores-address": the wildcard is bound whatever the caller asked for.
    const local = this.host.profile.deviations.bindIgnoresAddress ? INADDR_ANY : ep.addr;
    const r = this.bindTo(local, ep.port);
    if (r === 0) this.addrFromBind = local !== INADDR_ANY;
    return r;
  }

  private bindTo(addr: number, port: number): number {
    if (this.port !== 0) return -Errno.EINVAL; // already bound
    // inet_addr_valid_or_nonlocal: a local, multicast or broadcast address (RTN_LOCAL, RTN_MULTICAST, RTN_BROADCAST),
    // or any with IP_FREEBIND.
    const group = addr >>> 28 === 0xe;
    const bcast = !group && addr !== INADDR_ANY && this.isBroadcastAddr(addr);
    if (addr !== INADDR_ANY && !group && !bcast && !this.host.ipv4.isLocal(addr) && !this.ipOpts.freebind) return -Errno.EADDRNOTAVAIL;
    this.boundAddr = addr;
    const p = this.host.udp.bind(this, port);
    if (p < 0) {
      this.boundAddr = INADDR_ANY;
      return p;
    }
    this.port = p;
    this.portFromBind = port !== 0;
    this.saddr = group || bcast ? 0 : addr; // inet_bind: "Use device" for a multicast or broadcast bind
    return 0;
  }

  private isBroadcastAddr(addr: number): boolean {
    return this.host.interfaces.some((i) => this.host.ipv4.isBroadcast(addr, i));
  }

  private autobind(): number {
    return this.port === 0 ? this.bindTo(INADDR_ANY, 0) : 0;
  }

  override connect(addr: Uint8Array): number {
    const ep = decodeInet4(addr);
    if ('errno' in ep) {
      if (ep.family === AF_UNSPEC && addr.length >= 2) return this.disconnect();
      return -ep.errno;
    }
    // ip4_datagram_connect: a group is reached through IP_MULTICAST_IF unless the socket is bound to a device.
    const { oif, src } = this.sendVia(ep.addr);
    const r = this.host.ipv4.route(ep.addr, oif || undefined);
    if (!r || src === undefined) return -Errno.ENETUNREACH;
    if (this.isBroadcastAddr(ep.addr) && !this.broadcast) return -Errno.EACCES;
    const e = this.autobind();
    if (e < 0) return e;
    // An unset source (and an unbound local address) is fixed to the route's source now.
    this.saddr ||= src;
    if (this.boundAddr === INADDR_ANY) this.rebindAddr(src);
    this.peer = { addr: ep.addr, port: ep.port };
    this.inetId = this.host.sim.random.stream(`host:${this.host.name}:inet-id`).int(0, 0xffff);
    return 0;
  }

  /**
   * connect(AF_UNSPEC), __udp_disconnect: the peer and the bound device go; an address and a port that bind() did
   * not choose are released (the port is unhashed and may be bound again).
   */
  private disconnect(): number {
    this.peer = null;
    this.boundDevice = 0;
    if (!this.addrFromBind) {
      this.boundAddr = INADDR_ANY;
      this.saddr = 0;
    }
    if (!this.portFromBind && this.port !== 0) {
      this.host.udp.unbind(this, this.port);
      this.port = 0;
    } else if (this.port !== 0) {
      this.host.udp.rehash(this);
    }
    return 0;
  }

  /**
   * udp_sendmsg's choice of interface and source for daddr: SO_BINDTODEVICE, and for a group IP_MULTICAST_IF's
   * index and address; then the bound source, else the route's (undefined: no route).
   */
  private sendVia(daddr: number): { oif: number; src: number | undefined } {
    let oif = this.boundDevice;
    let src = this.saddr;
    if (daddr >>> 28 === 0xe) {
      oif ||= this.mc.mcIndex;
      src ||= this.mc.mcAddr;
    }
    return { oif, src: src || this.host.ipv4.selectSource(daddr, oif || undefined) };
  }


  private rebindAddr(addr: number): void {
    this.boundAddr = addr;
    this.host.udp.rehash(this);
  }

  override sendmsg(data: Uint8Array, flags: number, dest: Uint8Array | null): number {
    return this.send(data, flags, dest, []);
  }

  override sendmsgEx(a: SendArgs): number {
    const c = sendCmsgs(a);
    return typeof c === 'number' ? c : this.send(a.data, a.flags, a.dest, c);
  }

  /** udp_sendmsg. */
  private send(data: Uint8Array, flags: number, dest: Uint8Array | null, cmsgs: readonly Cmsg[]): number {
    // inet_send_prepare autobinds before udp_sendmsg looks at anything (a failed send still leaves a port).
    if (this.autobind() < 0) return -Errno.EAGAIN;
    if (flags & MSG_OOB) return -Errno.EOPNOTSUPP; // udp_sendmsg: "Mirror BSD error message compatibility"
    const corkreq = this.udp.cork || (flags & MSG_MORE) !== 0;
    if (this.pending) {
      // udp_sendmsg with frames pending: append (the address and control messages are not looked at), push
      // unless still corked.
      const p = this.pending;
      if (p.len + data.length > UDP_MAX_PAYLOAD_V4) return -Errno.EMSGSIZE;
      p.append(data);
      if (!corkreq) {
        const r = this.pushPending();
        if (r < 0) return r;
      }
      return data.length;
    }
    let daddr: number, dport: number;
    if (dest) {
      const ep = decodeInet4(dest);
      if ('errno' in ep) {
        if (ep.family !== AF_UNSPEC || ep.errno === Errno.EINVAL) return -(ep.errno || Errno.EAFNOSUPPORT);
        if (!this.peer) return -Errno.EDESTADDRREQ;
        ({ addr: daddr, port: dport } = this.peer);
      } else {
        if (ep.port === 0) return -Errno.EINVAL; // udp_sendmsg: "if (dport == 0) return -EINVAL"
        daddr = ep.addr;
        dport = ep.port;
      }
    } else {
      if (!this.peer) return -Errno.EDESTADDRREQ;
      ({ addr: daddr, port: dport } = this.peer);
    }
    // udp_cmsg_send, then ip_cmsg_send for the other levels.
    const gso = udpCmsgGso(cmsgs, this.udp.gsoSize);
    if (gso < 0) return gso;
    const ce = checkSendCmsgs(cmsgs, IPPROTO_IP);
    if (ce < 0) return ce;
    const err = this.takeError();
    if (err) return -err;
    if (data.length > UDP_MAX_PAYLOAD_V4) return -Errno.EMSGSIZE;
    const e = this.autobind();
    if (e < 0) return e;
    const { oif, src } = this.sendVia(daddr);
    if (src === undefined) return -Errno.ENETUNREACH;
    // udp_sendmsg: the route comes first (ENETUNREACH), then RTCF_BROADCAST without SO_BROADCAST is EACCES.
    if (this.isBroadcastAddr(daddr) && !this.broadcast) return -Errno.EACCES;
    if (corkreq) {
      this.pending = new PendingDatagram(4, gso, (d, g) => this.transmit(d, src, daddr, dport, oif, g));
      this.pending.append(data);
      return data.length;
    }
    return this.transmit(data, src, daddr, dport, oif, gso);
  }

  /** udp_push_pending_frames: the corked data goes out as one datagram (or its GSO segments). */
  private pushPending(): number {
    const p = this.pending;
    if (!p) return 0;
    this.pending = null;
    return p.push();
  }

  /** udp_send_skb: one datagram, or with a segment size its segments (stack/udp-level.ts sendUdp4). */
  private transmit(data: Uint8Array, src: number, daddr: number, dport: number, oif: number, gso: number): number {
    const viaPeer = this.peer !== null && this.peer.addr === daddr;
    return sendUdp4(this, data, src, daddr, dport, oif, gso, this.ipOpts.mcLoop,
      () => (viaPeer ? (this.inetId = (this.inetId + 1) & 0xffff) : undefined));
  }


  /**
   * SO_PEEK_OFF: Linux 6.9+ supports it on UDP; socksim reads back the default (-1) but does not model peeking at
   * an offset, so setting it is ENOPROTOOPT rather than a silent success.
   */
  override getPeekOff(): number {
    return -1;
  }

  override setPeekOff(): number {
    return -Errno.ENOPROTOOPT;
  }

  /**
   * IPPROTO_UDP options (UDP_CORK) here; IPPROTO_IP in SockMcast (memberships, IP_MULTICAST_IF/ALL) or else
   * InetOptions (udp_setsockopt → ip_setsockopt).
   */
  override setProtoOpt(level: number, name: number, value: Uint8Array): number {
    if (level === IPPROTO_IP) {
      const r = this.mc.setIp(name, value, this.boundDevice) ?? setPmtu4(this.ipOpts, name, value);
      if (r !== null) return r;
    }
    if (level !== IPPROTO_UDP) return this.ipOpts.set(level, name, value);
    const r = this.udp.set(name, value);
    // udp_lib_setsockopt: clearing UDP_CORK pushes what is pending.
    if (r === 0 && name === UDP_CORK && !this.udp.cork) this.pushPending(); // its result is not reported
    return r;
  }

  override getProtoOpt(level: number, name: number): Uint8Array | number {
    if (level === IPPROTO_IP) {
      const v = this.mc.getIp(name) ?? getPmtu(this.ipOpts, level, name);
      if (v) return v;
      // IP_MTU: the path MTU towards the connected peer (ENOTCONN otherwise).
      if (name === IP_MTU) return this.peer ? intBytes(this.host.ipv4.pathMtu(this.peer.addr, this.boundDevice || undefined)) : -Errno.ENOTCONN;
    }
    if (level !== IPPROTO_UDP) return this.ipOpts.get(level, name);
    return this.udp.get(name);
  }

  /** Queues a received datagram; false when SO_RCVBUF is full (the datagram is dropped, as udp_queue_rcv_skb). */
  enqueue(data: Uint8Array, from: Uint8Array, meta: Ipv4Meta | Ipv6Meta): boolean {
    if (!this.queue.push(data, from, this.rcvbuf, rxInfoOf(meta, rxStampNow(this.host), this.drops))) return false;
    this.notify();
    return true;
  }


  override recvmsg(len: number, flags: number): RecvResult | number {
    // __skb_recv_udp: a pending error is reported (and cleared) before any queued datagram.
    const err = this.takeError();
    if (err) return -err;
    return this.queue.recv(len, flags, (i) => {
      const cmsgs = recvCmsgs(AF_INET, this, this.ipOpts, i, this.host.sim.now);
      return cmsgs.length > 0 ? { cmsgs } : undefined;
    }) ?? -Errno.EAGAIN;
  }

  /**
   * inet_shutdown: the flags are set even on an unconnected socket, which still gets ENOTCONN ("hack to wake up
   * other listeners"). SHUT_RD then ends blocking receives at once with 0 (__skb_wait_for_more_packets).
   */
  override shutdown(how: number): number {
    this.shut |= how + 1;
    this.notify();
    return this.peer ? 0 : -Errno.ENOTCONN;
  }

  /** udp_ioctl SIOCINQ: the payload length of the first queued datagram (0 when none). */
  override inq(): number {
    const d = this.queue.recv(Number.MAX_SAFE_INTEGER, MSG_PEEK);
    return d ? d.data.length : 0;
  }

  override blockingRecvEnds(): boolean {
    return (this.shut & 1) !== 0;
  }

  override localName(): Uint8Array {
    return inet4Bytes(this.boundAddr, this.port);
  }

  override peerName(): Uint8Array | number {
    // inet_getname: a zero peer port counts as not connected.
    return this.peer && this.peer.port !== 0 ? inet4Bytes(this.peer.addr, this.peer.port) : -Errno.ENOTCONN;
  }

  poll(): number {
    // datagram_poll: RCV_SHUTDOWN reads as POLLRDHUP|POLLIN, both directions shut as POLLHUP; POLLERR for a pending
    // error or a non-empty error queue.
    let m = this.queue.pollMask(this.soError || this.errQueue.length);
    if (this.shut & 1) m |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (this.shut === 3) m |= POLLHUP;
    return m;
  }

  override recvErrQueue(len: number): RecvResult | number {
    return this.errQueue.recv(len, (e) => {
      this.soError = e;
    });
  }

  release(): void {
    this.closed = true;
    this.mc.dropAll();
    if (this.port !== 0) this.host.udp.unbind(this, this.port);
    this.queue.clear();
    this.errQueue.clear();
    this.notify();
  }
}

