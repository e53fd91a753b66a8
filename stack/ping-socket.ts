/**
 * ICMP echo ("ping") sockets: socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) and socket(AF_INET6, SOCK_DGRAM,
 * IPPROTO_ICMPV6), as net/ipv4/ping.c implements them (checked against Linux 6.18 in a network namespace):
 *   - creating one needs the caller's group in net.ipv4.ping_group_range, whose kernel default "1 0" admits nobody
 *     (EACCES); systemd sets "0 2147483647". socksim processes run with gid 0;
 *   - the socket's "port" is the echo identifier: bind() chooses it (0 picks one), else the first send does; free
 *     identifiers are handed out in order from a counter shared by both families (ping_get_port), and two sockets
 *     may share one (ping sockets carry SO_REUSEADDR from creation, INET_PROTOSW_REUSE);
 *   - sendto() takes a whole ICMP header plus data: the type must be echo request with code 0 (else EINVAL), a
 *     message shorter than 8 bytes is EINVAL, over 65535 EMSGSIZE; the kernel writes the identifier and checksum;
 *   - recvfrom() returns the echo reply, header included, from address port 0; replies go to the most recently bound
 *     socket with their identifier (and a matching bound address);
 *   - ICMP errors about our requests reach a connected socket as SO_ERROR when hard (icmp_err_convert), as for UDP.
 */
import { AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_ICMP, IPPROTO_ICMPV6, MSG_OOB, SOCK_DGRAM } from './constants.js';
import { DatagramQueue } from './dgram-queue.js';
import { Errno } from './errno.js';
import type { Host } from './host.js';
import type { Icmp4Error, Ipv4Meta } from './ipv4.js';
import type { Icmp6Error, Ipv6Meta } from './ipv6.js';
import { decodeInet4, inet4Bytes } from './sockaddr.js';
import { decodeInet6, inet6Bytes } from './sockaddr6.js';
import { Socket, type RecvResult } from './socket.js';
import { icmpErrConvert } from './icmp.js';
import { icmpv6ErrConvert } from './icmpv6.js';
import { finishChecksum, onesSum, pseudoSumV6 } from './wire/checksum.js';
import { readU16, writeU16 } from './wire/bytes.js';
import { IPV6_UNSPECIFIED, ipv6Equal, isIpv4Mapped } from './wire/addr.js';
import { ipv6Scope } from './iface.js';
import { InetOptions } from './inet-opts.js';
import { recvCmsgs, rxInfoOf, rxStampNow } from './rx-cmsg.js';

const ICMP_ECHO = 8, ICMPV6_ECHO_REQUEST = 128;

/** The ping sockets of one host. */
export class PingTable {
  /** net.ipv4.ping_group_range (applies to both families). Kernel default: nobody. */
  groupRange: [number, number] = [1, 0];
  /** Bound sockets in bind order (a lookup takes the newest first, as the hash chain's head insertion does). */
  readonly socks: PingSocket[] = [];
  private lastNum = 0;

  constructor(readonly host: Host) {
    host.ipv4.errorHandlers.set(IPPROTO_ICMP, (e) => this.error(e));
    host.ipv6.errorHandlers.set(IPPROTO_ICMPV6, (e) => this.error(e));
  }

  /** socket(): ping_init_sock's group check (the process's gid is 0), then a new socket. */
  create(v: 4 | 6): PingSocket | number {
    const [lo, hi] = this.groupRange;
    if (!(lo <= 0 && 0 <= hi)) return -Errno.EACCES;
    return new PingSocket(this.host, v);
  }

  /** ping_get_port: binds sock to `ident` (0: the next free one); returns it, or 0 when none is free. */
  getPort(sock: PingSocket, ident: number): number {
    if (ident === 0) {
      let result = (this.lastNum + 1) & 0xffff;
      for (let i = 0; i < 0x10000; i++, result = (result + 1) & 0xffff) {
        if (result === 0) result = 1;
        if (this.socks.some((s) => s.ident === result)) continue;
        this.lastNum = result;
        ident = result;
        break;
      }
      if (ident === 0) return 0;
    }
    sock.ident = ident;
    if (!this.socks.includes(sock)) this.socks.push(sock);
    return ident;
  }

  /** Removes a closed socket. */
  unhash(sock: PingSocket): void {
    const i = this.socks.indexOf(sock);
    if (i >= 0) this.socks.splice(i, 1);
  }

  /** ping_lookup: the newest socket with this identifier whose bound address (if any) is the packet's destination. */
  lookup(v: 4 | 6, ident: number, dst: number | Uint8Array): PingSocket | undefined {
    for (let i = this.socks.length - 1; i >= 0; i--) {
      const s = this.socks[i]!;
      if (s.ident !== ident || s.v !== v) continue;
      if (v === 4 ? s.bound4 !== 0 && s.bound4 !== dst : !ipv6Equal(s.bound6, IPV6_UNSPECIFIED) && !ipv6Equal(s.bound6, dst as Uint8Array)) continue;
      return s;
    }
    return undefined;
  }

  /** An ICMP echo reply arrived. */
  receive4(meta: Ipv4Meta, icmp: Uint8Array, ident: number): void {
    const s = this.lookup(4, ident, meta.dst);
    if (!s) return this.host.countDrop('no-socket');
    s.enqueue(icmp, inet4Bytes(meta.src, 0), meta);
  }

  /** An ICMPv6 echo reply arrived. */
  receive6(meta: Ipv6Meta, icmp: Uint8Array, ident: number): void {
    const s = this.lookup(6, ident, meta.dst);
    if (!s) return this.host.countDrop('no-socket');
    const scope = ipv6Scope(meta.src) === 'link' ? meta.iface.index : 0;
    s.enqueue(icmp, inet6Bytes(meta.src.slice(), 0, scope), meta);
  }

  /** ping_err: an ICMP error quoting one of our echo requests. */
  private error(e: Icmp4Error | Icmp6Error): void {
    if (e.transport.length < 8) return;
    const request = e.v === 4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
    if (e.transport[0] !== request) return;
    const s = this.lookup(e.v, readU16(e.transport, 4), e.src);
    if (!s) return;
    const { errno, fatal } = e.v === 4 ? icmpErrConvert(e.type, e.code) : icmpv6ErrConvert(e.type, e.code);
    // Without IP_RECVERR only hard errors on a connected socket are reported (ping_err, RFC 1122 §4.1.3.3).
    if (!fatal || !s.connected) return;
    s.soError = errno;
    s.notify();
  }

  /** Forgets every socket (the host crashed). */
  reset(): void {
    this.socks.length = 0;
  }
}

/** A ping socket of either family. */
export class PingSocket extends Socket {
  /** The echo identifier (the "port"); 0 while unbound. */
  ident = 0;
  /** Bound local address (IPv4; 0 = any) and IPv6 (:: = any). */
  bound4 = 0;
  bound6: Uint8Array = IPV6_UNSPECIFIED;
  connected = false;
  peer4 = 0;
  peer6: Uint8Array = IPV6_UNSPECIFIED;
  private peerScope = 0;
  /** inet_id of a connected IPv4 socket. */
  private inetId = 0;
  private readonly queue = new DatagramQueue();
  /** sk_drops: replies the full receive buffer turned away (SO_RXQ_OVFL). */
  private drops = 0;

  constructor(host: Host, readonly v: 4 | 6) {
    super(host, v === 4 ? AF_INET : AF_INET6, SOCK_DGRAM, v === 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
    this.reuseAddr = true;
  }

  override bind(addr: Uint8Array): number {
    if (this.ident !== 0) return -Errno.EINVAL;
    let port: number;
    if (this.v === 4) {
      const ep = decodeInet4(addr);
      if ('errno' in ep) {
        if (ep.errno !== 0) return -ep.errno;
        const dv = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
        if (dv.getUint32(4, false) !== 0) return -Errno.EAFNOSUPPORT;
        port = dv.getUint16(2, false);
      } else {
        if (ep.addr !== 0 && !this.host.ipv4.isLocal(ep.addr)) return -Errno.EADDRNOTAVAIL;
        this.bound4 = ep.addr;
        port = ep.port;
      }
    } else {
      const ep = decodeInet6(addr);
      if ('errno' in ep) return -ep.errno;
      if (isIpv4Mapped(ep.addr)) return -Errno.EADDRNOTAVAIL;
      if (!ipv6Equal(ep.addr, IPV6_UNSPECIFIED) && !this.host.ipv6.isLocal(ep.addr)) return -Errno.EADDRNOTAVAIL;
      this.bound6 = ep.addr;
      port = ep.port;
    }
    if (this.host.ping.getPort(this, port) === 0) {
      this.bound4 = 0;
      this.bound6 = IPV6_UNSPECIFIED;
      return -Errno.EADDRINUSE;
    }
    return 0;
  }

  override connect(addr: Uint8Array): number {
    if (this.v === 4) {
      const ep = decodeInet4(addr);
      if ('errno' in ep) {
        if (ep.family === AF_UNSPEC && addr.length >= 2) return this.disconnect();
        return -ep.errno;
      }
      const src = this.bound4 || this.host.ipv4.selectSource(ep.addr);
      if (src === undefined) return -Errno.ENETUNREACH;
      this.bound4 ||= src;
      this.peer4 = ep.addr;
      this.inetId = this.host.sim.random.stream(`host:${this.host.name}:inet-id`).int(0, 0xffff);
    } else {
      const ep = decodeInet6(addr);
      if ('errno' in ep) {
        if (ep.family === AF_UNSPEC && addr.length >= 2) return this.disconnect();
        return -ep.errno;
      }
      if (ipv6Scope(ep.addr) === 'link' && ep.scopeId === 0) return -Errno.EINVAL;
      const src = ipv6Equal(this.bound6, IPV6_UNSPECIFIED) ? this.host.ipv6.selectSource(ep.addr, ep.scopeId) : this.bound6;
      if (!src) return -Errno.ENETUNREACH;
      this.bound6 = src;
      this.peer6 = ep.addr;
      this.peerScope = ep.scopeId;
    }
    this.connected = true;
    return 0;
  }

  private disconnect(): number {
    this.connected = false;
    this.peer4 = 0;
    this.peer6 = IPV6_UNSPECIFIED;
    return 0;
  }

  override sendmsg(data: Uint8Array, flags: number, dest: Uint8Array | null): number {
    // inet_send_prepare: autobind first.
    if (this.ident === 0 && this.host.ping.getPort(this, 0) === 0) return -Errno.EAGAIN;
    if (data.length > 0xffff) return -Errno.EMSGSIZE;
    if (data.length < 8) return -Errno.EINVAL;
    if (flags & MSG_OOB) return -Errno.EOPNOTSUPP;
    const wantType = this.v === 4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
    if (data[0] !== wantType || data[1] !== 0) return -Errno.EINVAL;
    return this.v === 4 ? this.send4(data, dest) : this.send6(data, dest);
  }

  private send4(data: Uint8Array, dest: Uint8Array | null): number {
    let daddr: number;
    if (dest) {
      const ep = decodeInet4(dest);
      if ('errno' in ep) return -(ep.errno || Errno.EAFNOSUPPORT);
      daddr = ep.addr;
    } else {
      if (!this.connected) return -Errno.EDESTADDRREQ;
      daddr = this.peer4;
    }
    const ipv4 = this.host.ipv4;
    const src = this.bound4 || ipv4.selectSource(daddr);
    if (src === undefined) return -Errno.ENETUNREACH;
    if (ipv4.isGroupAddress(daddr) && daddr >>> 28 !== 0xe && !this.broadcast) return -Errno.EACCES;
    const err = this.takeError();
    if (err) return -err;
    const msg = this.stamp(data, null);
    // IP_PMTUDISC_WANT: DF when the message fits the path MTU (__ip_make_skb).
    const df = 20 + msg.length <= ipv4.pathMtu(daddr);
    const id = this.connected && daddr === this.peer4 ? (this.inetId = (this.inetId + 1) & 0xffff) : undefined;
    const r = ipv4.output({ src, dst: daddr, protocol: IPPROTO_ICMP, payload: msg, dontFragment: df, ...(id !== undefined ? { id } : {}) });
    return r < 0 ? r : data.length;
  }

  private send6(data: Uint8Array, dest: Uint8Array | null): number {
    let daddr: Uint8Array, oif = 0;
    if (dest) {
      const ep = decodeInet6(dest, 28);
      if ('errno' in ep) return -ep.errno;
      daddr = ep.addr;
      if (ipv6Scope(daddr) === 'link' || daddr[0] === 0xff) oif = ep.scopeId;
    } else {
      if (!this.connected) return -Errno.EDESTADDRREQ;
      daddr = this.peer6;
      oif = this.peerScope;
    }
    if ((ipv6Scope(daddr) === 'link' && oif === 0) || isIpv4Mapped(daddr)) return -Errno.EINVAL;
    const ipv6 = this.host.ipv6;
    const src = ipv6Equal(this.bound6, IPV6_UNSPECIFIED) ? ipv6.selectSource(daddr, oif) : this.bound6;
    if (!src) return -Errno.ENETUNREACH;
    const err = this.takeError();
    if (err) return -err;
    const msg = this.stamp(data, { src, dst: daddr });
    const r = ipv6.output({ src, dst: daddr, nextHeader: IPPROTO_ICMPV6, payload: msg, ...(oif ? { oif } : {}) });
    return r < 0 ? r : data.length;
  }

  /** The message as sent: the user's header with our identifier and a fresh checksum. */
  private stamp(data: Uint8Array, v6: { src: Uint8Array; dst: Uint8Array } | null): Uint8Array {
    const msg = data.slice();
    writeU16(msg, 4, this.ident);
    writeU16(msg, 2, 0);
    const initial = v6 ? pseudoSumV6(v6.src, v6.dst, IPPROTO_ICMPV6, msg.length) : 0;
    writeU16(msg, 2, finishChecksum(onesSum(msg, 0, msg.length, initial)));
    return msg;
  }

  /** Queues a reply; false when SO_RCVBUF is full. */
  enqueue(data: Uint8Array, from: Uint8Array, meta: Ipv4Meta | Ipv6Meta): boolean {
    if (!this.queue.push(data, from, this.rcvbuf, rxInfoOf(meta, rxStampNow(this.host), this.drops))) {
      this.drops++;
      this.host.countDrop('rcvbuf-full');
      return false;
    }
    this.notify();
    return true;
  }

  override recvmsg(len: number, flags: number): RecvResult | number {
    // skb_recv_datagram: a pending error is reported once the queue is empty. ping_recvmsg adds the socket-level
    // control messages (SO_TIMESTAMP, SO_RXQ_OVFL); socksim's ping sockets take no IP-level receive options.
    const r = this.queue.recv(len, flags, (i) => {
      const cmsgs = recvCmsgs(this.domain, this, NO_IP_OPTIONS, i, this.host.sim.now);
      return cmsgs.length > 0 ? { cmsgs } : undefined;
    });
    if (r) return r;
    const err = this.takeError();
    return err ? -err : -Errno.EAGAIN;
  }

  override localName(): Uint8Array {
    return this.v === 4 ? inet4Bytes(this.bound4, this.ident) : inet6Bytes(this.bound6, this.ident);
  }

  override peerName(): Uint8Array | number {
    if (!this.connected) return -Errno.ENOTCONN;
    return this.v === 4 ? inet4Bytes(this.peer4, 0) : inet6Bytes(this.peer6, 0, this.peerScope);
  }

  override shutdown(_how: number): number {
    return this.connected ? 0 : -Errno.ENOTCONN;
  }

  poll(): number {
    return this.queue.pollMask(this.soError);
  }

  release(): void {
    this.closed = true;
    this.host.ping.unhash(this);
    this.queue.clear();
    this.notify();
  }
}

/** Ping sockets take no IP-level receive options: every flag off. */
const NO_IP_OPTIONS = new InetOptions();
