/**
 * AF_INET6 SOCK_DGRAM UDP sockets (udp(7), ipv6(7)), dual-stack as Linux makes them (net/ipv6/udp.c,
 * net/ipv6/datagram.c, net/ipv6/af_inet6.c):
 *   - without IPV6_V6ONLY (bindv6only 0) the socket also speaks IPv4 through v4-mapped addresses ::ffff:a.b.c.d:
 *     bound to :: it takes IPv4 datagrams too, which come from v4-mapped source addresses;
 *   - binding a specific IPv6 address makes the socket IPv6-only implicitly (__inet6_bind); a link-local address
 *     needs sin6_scope_id (EINVAL otherwise), which then binds the socket to that interface;
 *   - connect() to a link-local address needs a scope id (EINVAL), to a v4-mapped one uses IPv4 (ENETUNREACH on a
 *     v6-only socket); connecting fixes the source address and draws a new flow label (sk_set_txhash);
 *   - sendto() a link-local address without scope id uses the first interface, :: means ::1 (a BSDism);
 *   - disconnect (AF_UNSPEC) releases an autobound port and a source address connect chose (udp_disconnect);
 *   - datagrams carry the socket's automatic flow label (auto_flowlabels), hop limit 64 unless IPV6_UNICAST_HOPS,
 *     and are fragmented by the source when larger than the path MTU (IPV6_PMTUDISC_WANT);
 *   - multicast (ipv6(7), stack/multicast.ts): a group is reached through the scope id (link scope and below),
 *     else IPV6_MULTICAST_IF, else the route; with hop limit IPV6_MULTICAST_HOPS (1), looped back to this host
 *     unless IPV6_MULTICAST_LOOP is 0. IPPROTO_IP options work too (ipv6_setsockopt hands SOL_IP to
 *     ip_setsockopt): IP_ADD_MEMBERSHIP for v4-mapped traffic, IP_TTL, IP_MULTICAST_TTL; IP_MULTICAST_ALL is 0 on
 *     these sockets, so they hear only the IPv4 groups they joined themselves.
 */
import {
  AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_UDP, IPV6_TCLASS, IPV6_MTU, IPV6_UNICAST_HOPS, IPV6_V6ONLY, MSG_MORE,
  SIZEOF_SOCKADDR_IN6, SOCK_DGRAM, UDP_CORK,
} from './constants.js';
import { DatagramQueue } from './dgram-queue.js';
import { getPmtu, getRecv6, InetOptions, setPmtu4, setPmtu6, setRecv6, v6SendPlan } from './inet-opts.js';
import { SockMcast } from './multicast.js';
import { Errno } from './errno.js';
import type { Host } from './host.js';
import { ipv6Scope } from './iface.js';
import { decodeInet4 } from './sockaddr.js';
import { decodeInet6, inet6Bytes } from './sockaddr6.js';
import { Socket, type Cmsg, type RecvResult, type SendArgs } from './socket.js';
import { checkSendCmsgs } from './cmsg.js';
import { recvCmsgs, rxInfoOf, rxStampNow } from './rx-cmsg.js';
import { ErrorQueue } from './err-queue.js';
import type { Ipv4Meta } from './ipv4.js';
import type { Ipv6Meta } from './ipv6.js';
import { gsoSegments, PendingDatagram, sendCmsgs, sendUdp4, udpCmsgGso, UdpLevelOptions } from './udp-level.js';
import { LOOPBACK4_IPV6, type UdpSock } from './udp.js';
import { emitUdp } from './wire/udp.js';
import { ipv4FromMapped, ipv4Mapped, ipv6Equal, IPV6_LOOPBACK, IPV6_UNSPECIFIED, isIpv4Mapped, isIpv6Multicast } from './wire/addr.js';

/** Largest UDP payload over IPv6 without jumbograms: 65535 − 8. */
export const UDP_MAX_PAYLOAD_V6 = 65527;
/** Largest over IPv4 (a v4-mapped destination): 65535 − 20 − 8. */
const UDP_MAX_PAYLOAD_V4 = 65507;


/** A 4-byte int option value in host order, as getsockopt returns it. */
function intOpt(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** An AF_INET6 UDP socket. */
export class Udp6Socket extends Socket implements UdpSock {
  port = 0;
  rcvSaddr6: Uint8Array = IPV6_UNSPECIFIED;
  v6only = false;
  connected = false;
  /** The peer (v4-mapped for an IPv4 peer). */
  private peer6: Uint8Array = IPV6_UNSPECIFIED;
  dport = 0;
  /** sk_bound_dev_if: set by binding or connecting to a scoped address. */
  private boundIf = 0;
  private portFromBind = false;
  private addrFromBind = false;
  private flowLabel: number;
  private hopLimit = -1;
  private tclass = 0;
  private inetId = 0;
  private readonly queue = new DatagramQueue();
  /** Group memberships and the IPV6_MULTICAST_* / IP_MULTICAST_IF|ALL options. */
  readonly mc: SockMcast;
  /** IPPROTO_IP options, used for v4-mapped traffic. */
  readonly ipOpts = new InetOptions();
  /** IPPROTO_UDP options (UDP_CORK, UDP_SEGMENT, UDP_GRO, UDP_NO_CHECK6_*). */
  readonly udp = new UdpLevelOptions();
  /** sk_drops: datagrams the full receive buffer turned away. */
  drops = 0;
  /** The socket error queue (IP_RECVERR, IPV6_RECVERR). */
  readonly errQueue = new ErrorQueue();
  /** The corked datagram (UDP_CORK or MSG_MORE) being built, and which family's sendmsg owns it, or null. */
  private pending: PendingDatagram | null = null;

  constructor(host: Host) {
    super(host, AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
    this.flowLabel = this.drawFlowLabel();
    this.mc = new SockMcast(host, AF_INET6, SOCK_DGRAM);
  }

  /** sk_bound_dev_if: the interface a scoped bind or connect chose, or SO_BINDTODEVICE. */
  get bindDev(): number {
    return this.boundIf || this.boundDevice;
  }

  /** sk_rcv_saddr: the IPv4 view of the local address. */
  get rcvSaddr(): number {
    if (ipv6Equal(this.rcvSaddr6, IPV6_UNSPECIFIED)) return 0;
    return ipv4FromMapped(this.rcvSaddr6) ?? LOOPBACK4_IPV6;
  }

  /** inet_daddr: the IPv4 view of the peer. */
  get daddr(): number {
    if (!this.connected) return 0;
    return ipv4FromMapped(this.peer6) ?? LOOPBACK4_IPV6;
  }

  /** sk_v6_daddr for an IPv6 peer; null when unconnected or connected over IPv4. */
  get daddr6(): Uint8Array | null {
    return this.connected && !isIpv4Mapped(this.peer6) ? this.peer6 : null;
  }

  private drawFlowLabel(): number {
    const s = this.host.sim.random.stream(`host:${this.host.name}:flowlabel`);
    return s.int(1, 0xfffff);
  }

  override bind(addr: Uint8Array): number {
    const ep = decodeInet6(addr);
    if ('errno' in ep) return -ep.errno;
    if (this.port !== 0) return -Errno.EINVAL;
    const a = ep.addr;
    let ifindex = this.boundIf;
    if (isIpv4Mapped(a)) {
      if (this.v6only) return -Errno.EINVAL;
      const v4 = ipv4FromMapped(a)!;
      if (v4 !== 0 && !this.host.ipv4.isLocal(v4) && !this.host.ipv4.isGroupAddress(v4) && !this.ipOpts.freebind) return -Errno.EADDRNOTAVAIL;
    } else if (!ipv6Equal(a, IPV6_UNSPECIFIED)) {
      if (ipv6Scope(a) === 'link' || (isIpv6Multicast(a) && (a[1]! & 0xf) <= 2)) {
        if (addr.length >= SIZEOF_SOCKADDR_IN6 && ep.scopeId) ifindex = ep.scopeId;
        if (!ifindex) return -Errno.EINVAL; // binding to a link-local address requires an interface
      }
      const iface = ifindex ? this.host.interfaces.find((i) => i.index === ifindex) : undefined;
      if (ifindex && !iface) return -Errno.ENODEV;
      // ipv6_can_nonlocal_bind: IP_FREEBIND / IPV6_FREEBIND lets bind() take an address the host does not have.
      if (!isIpv6Multicast(a) && !this.host.ipv6.isLocal(a, iface) && !this.ipOpts.freebind) return -Errno.EADDRNOTAVAIL;
    }
    const savedOnly = this.v6only;
    this.rcvSaddr6 = a;
    if (!ipv6Equal(a, IPV6_UNSPECIFIED) && !isIpv4Mapped(a)) this.v6only = true;
    const p = this.host.udp.bind(this, ep.port);
    if (p < 0) {
      this.rcvSaddr6 = IPV6_UNSPECIFIED;
      this.v6only = savedOnly;
      return p;
    }
    this.port = p;
    this.boundIf = ifindex;
    this.portFromBind = ep.port !== 0;
    this.addrFromBind = !ipv6Equal(a, IPV6_UNSPECIFIED);
    return 0;
  }

  private autobind(): number {
    if (this.port !== 0) return 0;
    const p = this.host.udp.bind(this, 0);
    if (p < 0) return p;
    this.port = p;
    return 0;
  }

  override connect(addr: Uint8Array): number {
    if (addr.length >= 2 && (addr[0]! | (addr[1]! << 8)) === AF_UNSPEC) return this.disconnect();
    const e = this.autobind();
    if (e < 0) return e;
    let dst: Uint8Array, port: number, scope = 0;
    if (addr.length >= 2 && (addr[0]! | (addr[1]! << 8)) === AF_INET) {
      if (this.v6only) return -Errno.EAFNOSUPPORT;
      const ep = decodeInet4(addr);
      if ('errno' in ep) return -ep.errno;
      dst = ipv4Mapped(ep.addr);
      port = ep.port;
    } else {
      const ep = decodeInet6(addr);
      if ('errno' in ep) return -ep.errno;
      dst = ep.addr;
      port = ep.port;
      scope = ep.scopeId;
      // "connect to self if INADDR_ANY given"
      if (ipv6Equal(dst, IPV6_UNSPECIFIED)) dst = isIpv4Mapped(this.rcvSaddr6) ? ipv4Mapped(0x7f000001) : IPV6_LOOPBACK.slice();
    }
    const v4 = ipv4FromMapped(dst);
    let src: Uint8Array | undefined;
    if (v4 !== null) {
      if (this.v6only) return -Errno.ENETUNREACH;
      const s4 = this.rcvSaddr || this.host.ipv4.selectSource(v4);
      if (s4 === undefined || !this.host.ipv4.route(v4)) return -Errno.ENETUNREACH;
      src = ipv4Mapped(s4);
      this.inetId = this.host.sim.random.stream(`host:${this.host.name}:inet-id`).int(0, 0xffff);
    } else {
      // __ip6_datagram_connect: a scoped address binds the socket to its interface: the scope id, else for a
      // group IPV6_MULTICAST_IF; with neither, EINVAL ("Connect to link-local address requires an interface").
      if (needsScope(dst)) {
        if (scope) {
          if (this.bindDev && this.bindDev !== scope) return -Errno.EINVAL;
          this.boundIf = scope;
        }
        if (!this.bindDev && isIpv6Multicast(dst)) this.boundIf = this.mc.mcastOif;
        if (!this.bindDev) return -Errno.EINVAL;
      }
      src = ipv6Equal(this.rcvSaddr6, IPV6_UNSPECIFIED) ? this.host.ipv6.selectSource(dst, this.bindDev || undefined) : this.rcvSaddr6;
      if (!src || !this.host.ipv6.route(dst, this.bindDev || undefined)) return -Errno.ENETUNREACH;
    }
    this.peer6 = dst.slice();
    this.dport = port;
    if (ipv6Equal(this.rcvSaddr6, IPV6_UNSPECIFIED)) this.rcvSaddr6 = src;
    this.connected = true;
    this.flowLabel = this.drawFlowLabel();
    this.host.udp.rehash(this);
    return 0;
  }

  /** udp_disconnect. */
  private disconnect(): number {
    this.connected = false;
    this.peer6 = IPV6_UNSPECIFIED;
    this.dport = 0;
    this.boundIf = 0;
    this.boundDevice = 0; // __udp_disconnect: sk_bound_dev_if = 0, SO_BINDTODEVICE included
    if (!this.addrFromBind) this.rcvSaddr6 = IPV6_UNSPECIFIED;
    if (!this.portFromBind && this.port !== 0) {
      this.host.udp.unbind(this, this.port);
      this.port = 0;
    } else if (this.port !== 0) {
      this.host.udp.rehash(this);
    }
    return 0;
  }

  override sendmsg(data: Uint8Array, flags: number, dest: Uint8Array | null): number {
    return this.send(data, flags, dest, []);
  }

  override sendmsgEx(a: SendArgs): number {
    const c = sendCmsgs(a);
    return typeof c === 'number' ? c : this.send(a.data, a.flags, a.dest, c);
  }

  /** udpv6_sendmsg. */
  private send(data: Uint8Array, flags: number, dest: Uint8Array | null, cmsgs: readonly Cmsg[]): number {
    const corkreq = this.udp.cork || (flags & MSG_MORE) !== 0;
    let dst: Uint8Array | null, port = 0, oif = this.bindDev;
    const family = dest && dest.length >= 2 ? dest[0]! | (dest[1]! << 8) : -1;
    if (dest && dest.length < 2) return -Errno.EINVAL;
    if (dest && family === AF_INET) {
      if (this.v6only) return -Errno.ENETUNREACH;
      const ep = decodeInet4(dest);
      if ('errno' in ep) return -ep.errno;
      if (ep.port === 0 && !this.pending) return -Errno.EINVAL;
      dst = ipv4Mapped(ep.addr);
      port = ep.port;
    } else if (dest && family === AF_INET6) {
      const ep = decodeInet6(dest);
      if ('errno' in ep) return -ep.errno;
      dst = ep.addr;
      if (ipv6Equal(dst, IPV6_UNSPECIFIED) && isIpv4Mapped(this.rcvSaddr6)) dst = ipv4Mapped(0x7f000001);
      if (ipv4FromMapped(dst) === null && ep.port === 0 && !this.pending) return -Errno.EINVAL;
      port = ep.port;
      // udpv6_sendmsg: the scope id counts only for addresses that need one (__ipv6_addr_needs_scope_id).
      if (ep.scopeId && needsScope(dst)) oif = ep.scopeId;
    } else if (dest && family !== AF_UNSPEC) {
      return -Errno.EINVAL;
    } else if (!this.pending) {
      if (!this.connected) return -Errno.EDESTADDRREQ;
      dst = this.peer6;
      port = this.dport;
    } else {
      dst = null; // appending to the corked datagram: no address
    }
    const v4 = dst === null ? null : ipv4FromMapped(dst);
    if (v4 !== null) {
      if (this.v6only) return -Errno.ENETUNREACH;
      return this.send4(data, corkreq, v4, port, cmsgs);
    }
    if (this.pending) {
      // udpv6_sendmsg with frames pending (either family's: udp_sendmsg appends an AF_INET one): append, push
      // unless still corked; the address and control messages are not looked at.
      const p = this.pending;
      if (p.len + data.length > (p.family === 4 ? UDP_MAX_PAYLOAD_V4 : UDP_MAX_PAYLOAD_V6)) return -Errno.EMSGSIZE;
      p.append(data);
      return corkreq ? data.length : this.pushPending(data.length);
    }
    if (dst === null) throw new Error('udp6: no destination without a pending datagram');
    if (port === 0) return -Errno.EINVAL;
    const gso = udpCmsgGso(cmsgs, this.udp.gsoSize);
    if (gso < 0) return gso;
    const ce = checkSendCmsgs(cmsgs, IPPROTO_IPV6);
    if (ce < 0) return ce;
    if (ipv6Equal(dst, IPV6_UNSPECIFIED)) dst = IPV6_LOOPBACK; // ":: means loopback (BSD'ism)"
    const err = this.takeError();
    if (err) return -err;
    if (data.length > UDP_MAX_PAYLOAD_V6) return -Errno.EMSGSIZE;
    const e = this.autobind();
    if (e < 0) return e;
    const ipv6 = this.host.ipv6;
    const group = isIpv6Multicast(dst);
    if (group && !oif) oif = this.mc.mcastOif; // IPV6_MULTICAST_IF
    const src = ipv6Equal(this.rcvSaddr6, IPV6_UNSPECIFIED) || isIpv6Multicast(this.rcvSaddr6) ? ipv6.selectSource(dst, oif || undefined) : this.rcvSaddr6;
    if (!src) return -Errno.ENETUNREACH;
    const to = dst;
    if (corkreq) {
      this.pending = new PendingDatagram(6, gso, (d, g) => this.transmit6(d, src, to, port, oif, g));
      this.pending.append(data);
      return data.length;
    }
    return this.transmit6(data, src, to, port, oif, gso);
  }

  /** udp_push_pending_frames / udp_v6_push_pending_frames: `ok` when the datagram went out, else its -errno. */
  private pushPending(ok = 0): number {
    const p = this.pending;
    if (!p) return ok;
    this.pending = null;
    const r = p.push();
    return r < 0 ? r : ok;
  }

  /** udp_v6_send_skb: one datagram, or with a segment size its segments. */
  private transmit6(data: Uint8Array, src: Uint8Array, dst: Uint8Array, port: number, oif: number, gso: number): number {
    const ipv6 = this.host.ipv6;
    const pathMtu = ipv6.pathMtu(dst, oif || undefined);
    // IPV6_MTU_DISCOVER / IPV6_DONTFRAG: EMSGSIZE over the MTU, or fragmentation by the source.
    const plan = v6SendPlan(this.ipOpts.pmtudisc6, this.ipOpts.dontfrag6, 40 + 8 + data.length, pathMtu,
      ipv6.route(dst, oif || undefined)?.iface.mtu ?? pathMtu, gso > 0 && data.length > gso);
    if (typeof plan === 'number') return plan;
    const pieces = gsoSegments(data, gso, 40, plan.mtu, this.udp.noCheck6Tx);
    if (typeof pieces === 'number') return pieces;
    const group = isIpv6Multicast(dst);
    // ip6_sk_dst_hoplimit: IPV6_MULTICAST_HOPS for a group, IPV6_UNICAST_HOPS (or the default) otherwise.
    const hop = group ? this.mc.mcastHops : this.hopLimit >= 0 ? this.hopLimit : undefined;
    for (const payload of pieces) {
      // UDP_NO_CHECK6_TX: a zero checksum (RFC 6935 §5), which only receivers that allow it accept.
      const seg = emitUdp({ srcPort: this.port, dstPort: port, payload }, this.udp.noCheck6Tx ? null : { v: 6, src, dst });
      const r = ipv6.output({
        src, dst, nextHeader: IPPROTO_UDP, payload: seg, flowLabel: this.flowLabel, trafficClass: this.tclass,
        ...(oif ? { oif } : {}), ...(hop !== undefined ? { hopLimit: hop } : {}), mcLoop: this.mc.loop6, mtu: plan.mtu,
      });
      if (r < 0) return r;
      this.host.udp.stats.outDatagrams++;
    }
    return data.length;
  }

  /** udp_sendmsg for a v4-mapped destination. */
  private send4(data: Uint8Array, corkreq: boolean, daddr: number, dport: number, cmsgs: readonly Cmsg[]): number {
    if (this.pending) {
      // udp_sendmsg: frames pending from udpv6_sendmsg are not this path's (EINVAL); its own are appended.
      const p = this.pending;
      if (p.family !== 4) return -Errno.EINVAL;
      if (p.len + data.length > UDP_MAX_PAYLOAD_V4) return -Errno.EMSGSIZE;
      p.append(data);
      return corkreq ? data.length : this.pushPending(data.length);
    }
    if (dport === 0) return -Errno.EINVAL;
    const gso = udpCmsgGso(cmsgs, this.udp.gsoSize);
    if (gso < 0) return gso;
    const ce = checkSendCmsgs(cmsgs, IPPROTO_IPV6);
    if (ce < 0) return ce;
    const err = this.takeError();
    if (err) return -err;
    if (data.length > UDP_MAX_PAYLOAD_V4) return -Errno.EMSGSIZE;
    const ipv4 = this.host.ipv4;
    if (ipv4.isGroupAddress(daddr) && daddr >>> 28 !== 0xe && !this.broadcast) return -Errno.EACCES;
    const e = this.autobind();
    if (e < 0) return e;
    // udp_sendmsg as for AF_INET: the bound source unless it is a group or broadcast, IP_MULTICAST_IF for a group.
    const group = daddr >>> 28 === 0xe;
    let oif = this.bindDev;
    let saddr = this.rcvSaddr !== LOOPBACK4_IPV6 && !ipv4.isGroupAddress(this.rcvSaddr) ? this.rcvSaddr : 0;
    if (group) {
      oif ||= this.mc.mcIndex;
      saddr ||= this.mc.mcAddr;
    }
    const src = saddr || ipv4.selectSource(daddr, oif || undefined);
    if (src === undefined) return -Errno.ENETUNREACH;
    if (corkreq) {
      this.pending = new PendingDatagram(4, gso, (d, g) => this.transmit4(d, src, daddr, dport, oif, g));
      this.pending.append(data);
      return data.length;
    }
    return this.transmit4(data, src, daddr, dport, oif, gso);
  }

  /** udp_send_skb for a v4-mapped destination; sk_mc_loop of an AF_INET6 socket is IPV6_MULTICAST_LOOP. */
  private transmit4(data: Uint8Array, src: number, daddr: number, dport: number, oif: number, gso: number): number {
    const viaPeer = this.connected && this.daddr === daddr;
    return sendUdp4(this, data, src, daddr, dport, oif, gso, this.mc.loop6,
      () => (viaPeer ? (this.inetId = (this.inetId + 1) & 0xffff) : undefined));
  }


  /** Queues a received datagram; false when SO_RCVBUF is full. */
  enqueue(data: Uint8Array, from: Uint8Array, meta: Ipv4Meta | Ipv6Meta): boolean {
    if (!this.queue.push(data, from, this.rcvbuf, rxInfoOf(meta, rxStampNow(this.host), this.drops))) return false;
    this.notify();
    return true;
  }


  override recvmsg(len: number, flags: number): RecvResult | number {
    const err = this.takeError(); // __skb_recv_udp: the error first
    if (err) return -err;
    return this.queue.recv(len, flags, (i) => {
      const cmsgs = recvCmsgs(AF_INET6, this, this.ipOpts, i, this.host.sim.now);
      return cmsgs.length > 0 ? { cmsgs } : undefined;
    }) ?? -Errno.EAGAIN;
  }

  /** IPPROTO_IPV6 options, and IPPROTO_IP ones as ip_setsockopt answers them (SockMcast, then InetOptions). */
  override setProtoOpt(level: number, name: number, value: Uint8Array): number {
    if (level === IPPROTO_IP) return this.mc.setIp(name, value, this.bindDev) ?? setPmtu4(this.ipOpts, name, value) ?? this.ipOpts.set(level, name, value);
    if (level === IPPROTO_UDP) {
      const r = this.udp.set(name, value);
      // udp_lib_setsockopt: clearing UDP_CORK pushes what is pending (its result is not reported).
      if (r === 0 && name === UDP_CORK && !this.udp.cork) this.pushPending();
      return r;
    }
    if (level !== IPPROTO_IPV6) return -Errno.ENOPROTOOPT;
    const m = this.mc.setIpv6(name, value, this.bindDev) ?? setRecv6(this.ipOpts, name, value) ?? setPmtu6(this.ipOpts, name, value);
    if (m !== null) return m;
    if (value.length < 4) return -Errno.EINVAL;
    const v = new DataView(value.buffer, value.byteOffset, 4).getInt32(0, true);
    switch (name) {
      case IPV6_V6ONLY:
        if (this.port !== 0) return -Errno.EINVAL; // only before bind (do_ipv6_setsockopt)
        this.v6only = v !== 0;
        return 0;
      case IPV6_UNICAST_HOPS:
        if (v < -1 || v > 255) return -Errno.EINVAL;
        this.hopLimit = v;
        return 0;
      case IPV6_TCLASS:
        if (v < -1 || v > 0xff) return -Errno.EINVAL;
        this.tclass = v < 0 ? 0 : v;
        return 0;
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  override getProtoOpt(level: number, name: number): Uint8Array | number {
    if (level === IPPROTO_IP) return this.mc.getIp(name) ?? getPmtu(this.ipOpts, level, name) ?? this.ipOpts.get(level, name);
    if (level === IPPROTO_UDP) return this.udp.get(name);
    if (level !== IPPROTO_IPV6) return -Errno.ENOPROTOOPT;
    const m = this.mc.getIpv6(name) ?? getRecv6(this.ipOpts, name) ?? getPmtu(this.ipOpts, level, name);
    if (m) return m;
    if (name === IPV6_MTU) {
      // IPV6_MTU: the path MTU towards the connected peer (ENOTCONN otherwise).
      if (!this.connected) return -Errno.ENOTCONN;
      const v4 = ipv4FromMapped(this.peer6);
      return intOpt(v4 !== null ? this.host.ipv4.pathMtu(v4, this.bindDev || undefined) : this.host.ipv6.pathMtu(this.peer6, this.bindDev || undefined));
    }
    switch (name) {
      case IPV6_V6ONLY:
        return intOpt(this.v6only ? 1 : 0);
      case IPV6_UNICAST_HOPS:
        return intOpt(this.hopLimit >= 0 ? this.hopLimit : 64);
      case IPV6_TCLASS:
        return intOpt(this.tclass);
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  override shutdown(_how: number): number {
    return this.connected ? 0 : -Errno.ENOTCONN;
  }

  override localName(): Uint8Array {
    const scope = ipv6Scope(this.rcvSaddr6) === 'link' ? this.boundIf : 0;
    return inet6Bytes(this.rcvSaddr6, this.port, scope);
  }

  override peerName(): Uint8Array | number {
    if (!this.connected) return -Errno.ENOTCONN;
    const scope = ipv6Scope(this.peer6) === 'link' ? this.boundIf : 0;
    return inet6Bytes(this.peer6, this.dport, scope);
  }

  poll(): number {
    // datagram_poll: POLLERR for a pending error or a non-empty error queue.
    return this.queue.pollMask(this.soError || this.errQueue.length);
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

/** __ipv6_addr_needs_scope_id: link-local unicast, and multicast of interface- or link-local scope (RFC 4007 §6). */
function needsScope(a: Uint8Array): boolean {
  return isIpv6Multicast(a) ? (a[1]! & 0x0f) <= 2 : ipv6Scope(a) === 'link';
}
