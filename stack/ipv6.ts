/**
 * The IPv6 layer of one host (RFC 8200), as Linux's net/ipv6 does it with default sysctls:
 *   - input walks the extension headers (hop-by-hop first only, destination options, routing with no segments
 *     left, fragment → reassembly); an unknown next header draws ICMPv6 parameter problem code 1 (RFC 8200 §4);
 *   - a packet for another host is dropped unless forwarding is on; a router never fragments (RFC 8200 §5): a packet
 *     above the next hop's MTU draws ICMPv6 packet too big, hop limit ≤ 1 time exceeded, no route destination
 *     unreachable code 0, a link-local source code 2 (beyond scope);
 *   - the source fragments what does not fit the path MTU (RFC 8200 §4.5), with a 32-bit identification;
 *   - link-local and multicast destinations need an interface (the scope id), else the first interface is used, as
 *     the per-interface fe80::/64 and ff00::/8 routes make Linux do;
 *   - source selection follows RFC 6724 §5 in short: the destination itself, then the smallest scope that reaches
 *     the destination, then the outgoing interface, then the longest matching prefix.
 */
import { Errno } from './errno.js';
import { EV_DROP } from './events.js';
import type { Host } from './host.js';
import { ipv6PrefixMatch, ipv6Scope, type Interface } from './iface.js';
import { RouteTable6, type Route6 } from './route.js';
import { Ndisc } from './ndisc.js';
import { PmtuCache, IpIdent } from './pmtu.js';
import { Reassembler, splitPayload } from './fragment.js';
import { WireError } from './wire/errors.js';
import { writeMac } from './wire/bytes.js';
import { ipv6Equal, ipv6MulticastMac, ipv6ToString, isIpv6Multicast, IPV6_LOOPBACK } from './wire/addr.js';
import {
  emitIpv6, emitIpv6HeaderInto, emitIpv6FragmentHeaderInto, parseIpv6, parseIpv6FragmentHeader, IPV6_FRAGMENT_HEADER_LEN,
  IPV6_HEADER_LEN, type Ipv6Repr,
} from './wire/ipv6.js';
import { emitEthernetHeaderInto, ETHERNET_HEADER_LEN, ETHERTYPE_IPV6 } from './wire/ethernet.js';
import { ICMPV6_DEST_UNREACH, ICMPV6_PACKET_TOO_BIG, ICMPV6_PARAM_PROBLEM, ICMPV6_TIME_EXCEEDED } from './wire/icmpv6.js';

/** What a transport protocol learns about a packet addressed to this host. */
export interface Ipv6Meta {
  readonly v: 6;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly hopLimit: number;
  readonly trafficClass: number;
  /** The upper-layer protocol (after extension headers). */
  readonly nextHeader: number;
  readonly iface: Interface;
  /** The whole packet (reassembled if it came in fragments): ICMPv6 errors quote it. */
  readonly packet: Uint8Array;
  readonly pktId: number;
  /** Sent to a multicast address (IPv6 has no broadcast): such packets draw no ICMPv6 errors but a few. */
  readonly broadcast: boolean;
}

/** A transport protocol's input hook. */
export type Ipv6Handler = (meta: Ipv6Meta, payload: Uint8Array) => void;

/** An ICMPv6 error about a packet this host sent, handed to the transport that sent it. */
export interface Icmp6Error {
  readonly v: 6;
  readonly type: number;
  readonly code: number;
  /** The MTU of "packet too big" (RFC 8201). */
  readonly mtu?: number;
  /** Source and destination of the quoted packet: our address and the peer's. */
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly offender: Uint8Array;
  /** The quoted packet from its IPv6 header. */
  readonly quoted: Uint8Array;
  /** The quoted packet's upper-layer part (after its extension headers). */
  readonly transport: Uint8Array;
}

/** A transport protocol's ICMPv6 error hook. */
export type Ipv6ErrorHandler = (err: Icmp6Error) => void;

/** What a transport hands to `output`. */
export interface Ipv6Send {
  src: Uint8Array;
  dst: Uint8Array;
  nextHeader: number;
  payload: Uint8Array;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** Interface index (sin6_scope_id, SO_BINDTODEVICE); required in effect for link-local and multicast. */
  oif?: number;
  /** IPV6_DONTFRAG: refuse (EMSGSIZE) instead of fragmenting. */
  dontFragment?: boolean;
  /**
   * The MTU the sending socket measures against (ip6_skb_dst_mtu): the interface's for IPV6_PMTUDISC_PROBE and
   * above, which ignore a learned path MTU. Default: the path MTU.
   */
  mtu?: number;
  /**
   * IPV6_MULTICAST_LOOP of the sending socket: a multicast packet is also delivered here when the outgoing
   * interface is in the group (ip6_finish_output2). Default false: ndisc and MLD sockets have mc_loop 0.
   */
  mcLoop?: boolean;
}

/** net.ipv6.conf.*.hop_limit. */
export const DEFAULT_HOP_LIMIT = 64;
/** IPV6_MIN_MTU (RFC 8200 §5). */
export const IPV6_MIN_MTU = 1280;
/** Extension header numbers (RFC 8200 §4). */
const NH_HOPOPTS = 0, NH_ROUTING = 43, NH_FRAGMENT = 44, NH_NONE = 59, NH_DSTOPTS = 60;

interface FirstFragment6 {
  ip: Ipv6Repr;
  packet: Uint8Array;
  iface: Interface;
}

/** IPv6 for one host. */
export class Ipv6Layer {
  readonly routes = new RouteTable6();
  readonly handlers = new Map<number, Ipv6Handler>();
  readonly errorHandlers = new Map<number, Ipv6ErrorHandler>();
  /** net.ipv6.conf.all.forwarding. */
  forwarding = false;
  readonly nd: Ndisc;
  readonly pmtu: PmtuCache;
  readonly ident: IpIdent;
  readonly frags: Reassembler<FirstFragment6>;
  /** Partition filter on arriving packets' sources; true drops. */
  filter: ((src: Uint8Array) => boolean) | null = null;
  /** Counters as /proc/net/snmp6 names them. */
  readonly stats = {
    inReceives: 0, inHdrErrors: 0, inAddrErrors: 0, inUnknownProtos: 0, inDelivers: 0, outForwDatagrams: 0,
    outRequests: 0, outNoRoutes: 0, fragOKs: 0, fragFails: 0, fragCreates: 0, inTooBigErrors: 0,
  };

  constructor(readonly host: Host) {
    this.nd = new Ndisc(host);
    this.pmtu = new PmtuCache(host, IPV6_MIN_MTU);
    this.ident = new IpIdent(host, 32);
    // ip6_frag_expire: "fragment reassembly time exceeded" when the first fragment is in (RFC 8200 §4.5).
    this.frags = new Reassembler<FirstFragment6>(host, 60e9, (first) => {
      if (first) this.host.icmp6.sendError(first.packet, ICMPV6_TIME_EXCEEDED, 1, 0, { iface: first.iface });
    });
  }

  /** Whether a is assigned to this host (any interface; a link-local address only counts on its interface when given). */
  isLocal(a: Uint8Array, iface?: Interface): boolean {
    if (ipv6Equal(a, IPV6_LOOPBACK)) return true;
    const link = ipv6Scope(a) === 'link';
    for (const i of this.host.interfaces) {
      if (link && iface && i !== iface) continue;
      if (i.hasIpv6(a)) return true;
    }
    return false;
  }

  /** The interface with this index, if up. */
  private ifaceByIndex(index: number): Interface | undefined {
    return this.host.interfaces.find((i) => i.index === index && i.up);
  }

  /** Route lookup: loopback for local addresses, the scoped interface for link-local and multicast, else the table. */
  route(dst: Uint8Array, oif?: number): Route6 | undefined {
    if (this.isLocal(dst)) return { dest: dst, prefixLen: 128, gateway: null, iface: this.host.loopback, metric: 0 };
    if (isIpv6Multicast(dst) || ipv6Scope(dst) === 'link') {
      const iface = oif ? this.ifaceByIndex(oif) : this.host.interfaces.find((i) => !i.loopback && i.up);
      if (!iface || iface.loopback) return undefined;
      return { dest: dst, prefixLen: isIpv6Multicast(dst) ? 8 : 64, gateway: null, iface, metric: 256 };
    }
    return this.routes.lookup(dst, oif);
  }

  /** RFC 6724 source selection (rules 1, 2, 5 and 8); undefined when there is no route or no usable address. */
  selectSource(dst: Uint8Array, oif?: number): Uint8Array | undefined {
    if (this.isLocal(dst)) return dst.slice();
    const r = this.route(dst, oif);
    if (!r) return undefined;
    const rank = { host: 0, link: 1, global: 2 } as const;
    const dscope = isIpv6Multicast(dst) ? ((dst[1]! & 0xf) <= 2 ? 1 : 2) : rank[ipv6Scope(dst)];
    let best: { addr: Uint8Array; s: number; out: boolean; match: number } | undefined;
    for (const i of this.host.interfaces) {
      if (i.loopback) continue;
      for (const a of i.ipv6) {
        const s = rank[a.scope];
        if (a.scope === 'link' && i !== r.iface) continue; // a link-local source only works on its own link
        const c = { addr: a.addr, s, out: i === r.iface, match: commonPrefix(a.addr, dst) };
        if (!best || better(c, best, dscope)) best = c;
      }
    }
    return best?.addr.slice();
  }

  /** The MTU towards dst: the interface MTU, lowered by ICMPv6 packet too big (RFC 8201). */
  pathMtu(dst: Uint8Array, oif?: number): number {
    const r = this.route(dst, oif);
    if (!r) return 0;
    const learned = r.iface.loopback || this.pmtu.empty ? undefined : this.pmtu.get(ipv6ToString(dst));
    return Math.min(r.iface.mtu, learned ?? Infinity);
  }

  /** Lowers the path MTU to dst (never below 1280); tells TCP through host.onPathMtu. */
  learnPathMtu(dst: Uint8Array, mtu: number): void {
    const r = this.route(dst);
    if (!r || r.iface.loopback) return;
    const now = this.pmtu.update(ipv6ToString(dst), mtu, r.iface.mtu);
    if (now !== undefined) this.host.onPathMtu?.(6, dst.slice(), now);
  }

  /** Sends a packet: 0, or -ENETUNREACH (no route), -EMSGSIZE (over 65535, or over the path MTU with dontFragment). */
  output(p: Ipv6Send): number {
    const r = this.route(p.dst, p.oif);
    if (!r) {
      this.stats.outNoRoutes++;
      return -Errno.ENETUNREACH;
    }
    if (p.payload.length > 0xffff) return -Errno.EMSGSIZE;
    this.stats.outRequests++;
    const ip: Ipv6Repr = {
      trafficClass: p.trafficClass ?? 0, flowLabel: p.flowLabel ?? 0, nextHeader: p.nextHeader,
      hopLimit: p.hopLimit ?? (isIpv6Multicast(p.dst) ? 1 : DEFAULT_HOP_LIMIT), src: p.src, dst: p.dst, payload: p.payload,
    };
    const nextHop = r.gateway ?? p.dst;
    const mtu = p.mtu ?? this.pathMtu(p.dst, p.oif);
    if (p.mcLoop === true && isIpv6Multicast(p.dst) && !r.iface.loopback && r.iface.inGroup6(p.dst)) {
      // ip6_finish_output2 loops a copy back to this host (socksim loops the whole packet, not each fragment); a
      // looped packet with hop limit 0 goes no further.
      this.loopBack(r.iface, ip);
      if (ip.hopLimit === 0) return 0;
    }
    if (IPV6_HEADER_LEN + p.payload.length <= mtu) {
      this.emit(r.iface, nextHop, ip);
      return 0;
    }
    if (p.dontFragment) {
      this.stats.fragFails++;
      return -Errno.EMSGSIZE;
    }
    // ip6_fragment: every fragment carries a Fragment header; data in 8-byte units.
    const id = this.ident.next(`${ipv6ToString(p.src)}>${ipv6ToString(p.dst)}`);
    this.stats.fragOKs++;
    for (const piece of splitPayload(p.payload, mtu - IPV6_HEADER_LEN - IPV6_FRAGMENT_HEADER_LEN)) {
      this.stats.fragCreates++;
      const body = new Uint8Array(IPV6_FRAGMENT_HEADER_LEN + piece.data.length);
      emitIpv6FragmentHeaderInto({ nextHeader: p.nextHeader, fragOffset: piece.offset, moreFragments: piece.more, id, payload: piece.data }, body, 0);
      body.set(piece.data, IPV6_FRAGMENT_HEADER_LEN);
      this.emit(r.iface, nextHop, { ...ip, nextHeader: NH_FRAGMENT, payload: body });
    }
    return 0;
  }

  /** dev_loopback_xmit: the packet comes back in on iface through the host's backlog, unseen by captures. */
  private loopBack(iface: Interface, ip: Ipv6Repr): void {
    const bytes = emitIpv6(ip);
    const id = this.host.ctx.nextPacketId();
    const gen = this.host.generation;
    this.host.backlog.add(() => {
      if (this.host.up && this.host.generation === gen) this.input(iface, bytes, id, true);
    });
  }

  /** Frames a packet towards nextHop on iface (multicast MAC, or neighbour discovery for unicast). */
  emit(iface: Interface, nextHop: Uint8Array, ip: Ipv6Repr, inId: number | null = null): void {
    const frame = new Uint8Array(ETHERNET_HEADER_LEN + IPV6_HEADER_LEN + ip.payload.length);
    emitEthernetHeaderInto(0, iface.mac, ETHERTYPE_IPV6, frame, 0);
    emitIpv6HeaderInto(ip, ip.payload.length, frame, ETHERNET_HEADER_LEN);
    frame.set(ip.payload, ETHERNET_HEADER_LEN + IPV6_HEADER_LEN);
    if (iface.loopback) return iface.send(frame);
    if (isIpv6Multicast(nextHop)) {
      writeMac(frame, 0, ipv6MulticastMac(nextHop));
      return iface.send(frame);
    }
    this.nd.output(iface, nextHop, frame, inId);
  }

  /** An IPv6 packet arrived on iface. */
  input(iface: Interface, bytes: Uint8Array, pktId: number, linkMulticast: boolean): void {
    this.stats.inReceives++;
    let ip: Ipv6Repr;
    try {
      ip = parseIpv6(bytes);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.stats.inHdrErrors++;
      return this.drop(pktId, 'malformed');
    }
    if (this.filter?.(ip.src)) return this.drop(pktId, 'partition');
    if (isIpv6Multicast(ip.src) || (!iface.loopback && (ipv6Equal(ip.dst, IPV6_LOOPBACK) || ipv6Equal(ip.src, IPV6_LOOPBACK)))) {
      return this.drop(pktId, 'martian');
    }
    const packet = bytes.subarray(0, IPV6_HEADER_LEN + ip.payload.length);
    const mcast = isIpv6Multicast(ip.dst);
    if (mcast ? !iface.loopback && !iface.inGroup6(ip.dst) : !this.isLocal(ip.dst, iface)) {
      if (mcast || linkMulticast || !this.forwarding) {
        this.stats.inAddrErrors++;
        return this.drop(pktId, 'not-for-us');
      }
      return this.forward(iface, ip, packet, pktId);
    }
    this.deliver(iface, ip, packet, pktId, mcast || linkMulticast);
  }

  /** ip6_input_finish: walks the extension headers to the upper layer. */
  private deliver(iface: Interface, ip: Ipv6Repr, packet: Uint8Array, pktId: number, mcast: boolean): void {
    let nh = ip.nextHeader;
    let off = IPV6_HEADER_LEN;
    let nhOff = 6; // where the current next-header value sits, for parameter problem pointers
    for (;;) {
      if (nh === NH_HOPOPTS || nh === NH_DSTOPTS || nh === NH_ROUTING) {
        if (nh === NH_HOPOPTS && off !== IPV6_HEADER_LEN) return this.paramProblem(iface, packet, pktId, 1, nhOff, mcast);
        if (packet.length < off + 8) return this.drop(pktId, 'malformed');
        const len = (packet[off + 1]! + 1) * 8;
        if (packet.length < off + len) return this.drop(pktId, 'malformed');
        if (nh === NH_ROUTING && packet[off + 3] !== 0) return this.paramProblem(iface, packet, pktId, 0, off + 2, mcast);
        nhOff = off;
        nh = packet[off]!;
        off += len;
        continue;
      }
      if (nh === NH_FRAGMENT) return this.reassemble(iface, ip, packet, off, pktId, mcast);
      if (nh === NH_NONE) return this.drop(pktId, 'no-next-header');
      const h = this.handlers.get(nh);
      if (!h) {
        this.stats.inUnknownProtos++;
        return this.paramProblem(iface, packet, pktId, 1, nhOff, mcast);
      }
      this.stats.inDelivers++;
      const meta: Ipv6Meta = {
        v: 6, src: ip.src, dst: ip.dst, hopLimit: ip.hopLimit, trafficClass: ip.trafficClass, nextHeader: nh,
        iface, packet, pktId, broadcast: mcast,
      };
      return h(meta, packet.subarray(off));
    }
  }

  /** ipv6_frag_rcv: a Fragment header at `off`. */
  private reassemble(iface: Interface, ip: Ipv6Repr, packet: Uint8Array, off: number, pktId: number, mcast: boolean): void {
    let f;
    try {
      f = parseIpv6FragmentHeader(packet.subarray(off));
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      return this.drop(pktId, 'malformed');
    }
    const unfrag = packet.subarray(0, off);
    if (f.fragOffset === 0 && !f.moreFragments) {
      // An atomic fragment (RFC 6946) is processed as it is.
      return this.deliverReassembled(iface, unfrag, f.nextHeader, f.payload, pktId, mcast);
    }
    // ip6_frag_queue: a non-final fragment must carry whole 8-byte units, and nothing may end past 65535.
    if (f.moreFragments && (f.payload.length & 7) !== 0) return this.paramProblem(iface, packet, pktId, 0, 4, mcast);
    if (f.fragOffset + f.payload.length > 0xffff) return this.paramProblem(iface, packet, pktId, 0, off + 2, mcast);
    const key = `${ipv6ToString(ip.src)}|${ipv6ToString(ip.dst)}|${f.id}`;
    const res = this.frags.add(key, { offset: f.fragOffset, more: f.moreFragments, data: f.payload }, { ip: { ...ip, nextHeader: f.nextHeader }, packet: unfrag, iface });
    if (res.kind !== 'complete') {
      if (res.kind !== 'queued') this.drop(pktId, `frag-${res.kind}`);
      return;
    }
    this.deliverReassembled(res.first.iface, res.first.packet, res.first.ip.nextHeader, res.payload, pktId, mcast);
  }

  /** Rebuilds a whole packet (unfragmentable part with the fragment header's next header) and delivers it. */
  private deliverReassembled(iface: Interface, unfrag: Uint8Array, nh: number, payload: Uint8Array, pktId: number, mcast: boolean): void {
    const whole = new Uint8Array(unfrag.length + payload.length);
    whole.set(unfrag, 0);
    whole.set(payload, unfrag.length);
    whole[4] = (whole.length - IPV6_HEADER_LEN) >>> 8;
    whole[5] = whole.length - IPV6_HEADER_LEN;
    // The next header that named the Fragment header now names what it carried.
    if (unfrag.length === IPV6_HEADER_LEN) whole[6] = nh;
    else whole[lastNextHeaderOffset(unfrag)] = nh;
    this.deliver(iface, parseIpv6(whole), whole, pktId, mcast);
  }

  private paramProblem(iface: Interface, packet: Uint8Array, pktId: number, code: number, pointer: number, mcast: boolean): void {
    // RFC 4443 §2.4(e): code 2 may answer multicast; codes 0 and 1 do not.
    if (!mcast) this.host.icmp6.sendError(packet, ICMPV6_PARAM_PROBLEM, code, pointer, { iface });
    this.drop(pktId, code === 1 ? 'unknown-protocol' : 'malformed');
  }

  /** ip6_forward. */
  private forward(iface: Interface, ip: Ipv6Repr, packet: Uint8Array, pktId: number): void {
    if (ip.hopLimit <= 1) {
      this.host.icmp6.sendError(packet, ICMPV6_TIME_EXCEEDED, 0, 0, { iface });
      return this.drop(pktId, 'ttl-exceeded');
    }
    if (ipv6Scope(ip.src) === 'link' || ipv6Scope(ip.dst) === 'link') {
      this.host.icmp6.sendError(packet, ICMPV6_DEST_UNREACH, 2, 0, { iface }); // beyond scope of source address
      return this.drop(pktId, 'no-route');
    }
    const r = this.routes.lookup(ip.dst);
    if (!r) {
      this.host.icmp6.sendError(packet, ICMPV6_DEST_UNREACH, 0, 0, { iface });
      return this.drop(pktId, 'no-route');
    }
    const learned = this.pmtu.empty ? undefined : this.pmtu.get(ipv6ToString(ip.dst));
    const mtu = Math.min(r.iface.mtu, learned ?? Infinity);
    if (packet.length > mtu) {
      this.stats.inTooBigErrors++;
      this.host.icmp6.sendError(packet, ICMPV6_PACKET_TOO_BIG, 0, mtu, { iface });
      return this.drop(pktId, 'mtu');
    }
    this.stats.outForwDatagrams++;
    this.emit(r.iface, r.gateway ?? ip.dst, { ...ip, hopLimit: ip.hopLimit - 1 }, pktId);
  }

  /** Forgets per-boot state (the host crashed), socket-joined groups included (their reports: Ipv4Layer.reset). */
  reset(): void {
    for (const i of this.host.interfaces) i.joined6.clear();
    this.nd.reset();
    this.frags.reset();
    this.pmtu.reset();
    this.ident.reset();
  }

  /** Counts and records a dropped packet. */
  drop(pktId: number | null, reason: string): void {
    this.host.countDrop(reason);
    this.host.sim.record(EV_DROP, `${this.host.name}:ip6`, pktId, reason);
  }
}

/** Leading bits two addresses share. */
function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  while (n < 128 && ipv6PrefixMatch(a, b, n + 1)) n++;
  return n;
}

/** RFC 6724 §5 comparison of two candidate sources for a destination of scope `dscope` (0 host, 1 link, 2 global). */
function better(c: { s: number; out: boolean; match: number }, b: { s: number; out: boolean; match: number }, dscope: number): boolean {
  if (c.s !== b.s) {
    // Rule 2: prefer the smaller scope that still reaches the destination; else the larger one.
    if (c.s < b.s) return c.s >= dscope;
    return b.s < dscope;
  }
  if (c.out !== b.out) return c.out; // Rule 5: the outgoing interface
  return c.match > b.match; // Rule 8: longest matching prefix
}

/** Offset of the next-header byte of the last extension header in an unfragmentable part. */
function lastNextHeaderOffset(unfrag: Uint8Array): number {
  let off = IPV6_HEADER_LEN;
  let at = 6;
  while (off < unfrag.length) {
    at = off;
    off += (unfrag[off + 1]! + 1) * 8;
  }
  return at;
}

