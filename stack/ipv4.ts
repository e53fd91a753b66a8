/**
 * The IPv4 layer of one host: input (validation, reassembly, local delivery or forwarding) and output (routing,
 * source address selection, fragmentation, neighbour resolution through ARP), following Linux's ip_rcv,
 * ip_forward and ip_output paths with default sysctls:
 *   - weak host model: a packet for any local address is accepted on any interface (RFC 1122 §3.3.4.2);
 *   - forwarding off (ip_forward 0): packets for others are dropped silently (InAddrErrors), no ICMP;
 *   - forwarding on: TTL ≤ 1 draws ICMP time exceeded, no route ICMP net unreachable, a DF packet above the next
 *     hop's MTU ICMP fragmentation needed with that MTU (RFC 1191), others are fragmented (RFC 791 §2.3);
 *   - a protocol nobody handles draws ICMP protocol unreachable (ip_local_deliver_finish);
 *   - IP ids come from Linux's per-bucket generator unless the transport supplies one (a connected socket's
 *     inet_id);
 *   - multicast is taken only for groups the arrival interface is in (stack/multicast.ts) and never forwarded;
 *     multicast and broadcast leave to the group's or the broadcast MAC, never through a gateway, and come back
 *     to this host too (broadcasts always, multicast when the socket loops it and the interface is in the group).
 */
import { Errno } from './errno.js';
import { EV_DROP } from './events.js';
import type { Host } from './host.js';
import { prefixMask, type Interface } from './iface.js';
import { resetReports } from './mcast-report.js';
import { RouteTable4, type Route4 } from './route.js';
import { Arp, selectAddrOnLink } from './arp.js';
import { PmtuCache, IpIdent } from './pmtu.js';
import { Reassembler, optionsForLaterFragments, splitPayload } from './fragment.js';
import { WireError } from './wire/errors.js';
import { allocBytes, writeMac } from './wire/bytes.js';
import { ipv4MulticastMac } from './wire/addr.js';
import { parseIpv4, emitIpv4HeaderInto, emitIpv4, IPV4_HEADER_LEN, type Ipv4Repr } from './wire/ipv4.js';
import { emitEthernetHeaderInto, ETHERNET_HEADER_LEN, ETHERTYPE_IPV4, MAC_BROADCAST } from './wire/ethernet.js';
import { ICMPV4_DEST_UNREACH, ICMPV4_FRAG_NEEDED, ICMPV4_TIME_EXCEEDED } from './wire/icmpv4.js';

/** What a transport protocol learns about a packet addressed to this host. */
export interface Ipv4Meta {
  readonly v: 4;
  readonly src: number;
  readonly dst: number;
  readonly ttl: number;
  readonly tos: number;
  readonly protocol: number;
  /** The interface it arrived on. */
  readonly iface: Interface;
  /** The whole IPv4 packet, reassembled if it came in fragments (ICMP errors quote it). */
  readonly packet: Uint8Array;
  /** Run-wide id of the (last) frame that carried it, for drop records. */
  readonly pktId: number;
  /** Sent to a broadcast or multicast address (IP or link level): such packets never draw ICMP errors. */
  readonly broadcast: boolean;
}

/** A transport protocol's input hook. */
export type Ipv4Handler = (meta: Ipv4Meta, payload: Uint8Array) => void;

/** An ICMP error about a packet this host sent, handed to the transport that sent it. */
export interface Icmp4Error {
  readonly v: 4;
  readonly type: number;
  readonly code: number;
  /** Next-hop MTU of "fragmentation needed" (RFC 1191 §4). */
  readonly mtu?: number;
  /** Source and destination of the offending (quoted) packet: our address and the peer's. */
  readonly src: number;
  readonly dst: number;
  /** Who sent the ICMP message (a router on the path, or the peer). */
  readonly offender: number;
  /** The quoted packet: its IP header and at least the first 8 bytes of its payload. */
  readonly quoted: Uint8Array;
  /** The quoted packet's payload part (the transport header first). */
  readonly transport: Uint8Array;
}

/** A transport protocol's ICMP error hook (udp_err, tcp_v4_err, ping_err). */
export type Ipv4ErrorHandler = (err: Icmp4Error) => void;

/** What a transport hands to `output`. */
export interface Ipv4Send {
  src: number;
  dst: number;
  protocol: number;
  payload: Uint8Array;
  ttl?: number;
  tos?: number;
  dontFragment?: boolean;
  /** The IP id to use (a connected socket's inet_id); default: Linux's hashed per-destination counter. */
  id?: number;
  /** Send out of this interface index only (SO_BINDTODEVICE, IP_PKTINFO, IP_MULTICAST_IF). */
  oif?: number;
  /**
   * The MTU the sending socket measures against (ip_skb_dst_mtu): the interface's for IP_PMTUDISC_PROBE, INTERFACE
   * and OMIT (ip_sk_use_pmtu is false), which ignore a learned path MTU. Default: the route's path MTU.
   */
  mtu?: number;
  /**
   * IP_MULTICAST_LOOP of the sending socket: a multicast datagram is also delivered to this host when the outgoing
   * interface is in the group (ip_mc_output). Default false: the kernel's own multicasts (IGMP) reach no socket.
   */
  mcLoop?: boolean;
  /**
   * A fresh buffer of FRAME_HEADROOM + payload bytes whose tail `payload` is (the transport built its segment in
   * place, as the kernel reserves headroom in an skb): the frame is then sent in it and the payload is not copied.
   */
  frame?: Uint8Array;
}

/** Ethernet and IPv4 header bytes in front of a payload built inside its frame (Ipv4Send.frame). */
export const FRAME_HEADROOM = ETHERNET_HEADER_LEN + IPV4_HEADER_LEN;

/** Linux's default TTL (net.ipv4.ip_default_ttl). */
export const DEFAULT_TTL = 64;
/** RFC 792 destination unreachable codes used here. */
const NET_UNREACH = 0, PROT_UNREACH = 2;
/** ip_rt_min_pmtu: learned path MTUs never go below 552. */
const MIN_PMTU = 552;

/** The first fragment's header, kept while a datagram reassembles. */
interface FirstFragment {
  repr: Ipv4Repr;
  packet: Uint8Array;
  iface: Interface;
}

/** IPv4 for one host. */
export class Ipv4Layer {
  readonly routes = new RouteTable4();
  readonly handlers = new Map<number, Ipv4Handler>();
  /** ICMP error hooks by the quoted packet's protocol. */
  readonly errorHandlers = new Map<number, Ipv4ErrorHandler>();
  /** Whether this host forwards packets not addressed to it (net.ipv4.ip_forward). */
  forwarding = false;
  readonly arp: Arp;
  readonly pmtu: PmtuCache;
  readonly ident: IpIdent;
  readonly frags: Reassembler<FirstFragment>;
  /** A filter on arriving packets' sources (network partitions install one); true drops. */
  filter: ((src: number) => boolean) | null = null;
  /** Counters as /proc/net/snmp names them. */
  readonly stats = {
    inReceives: 0, inHdrErrors: 0, inAddrErrors: 0, inUnknownProtos: 0, inDelivers: 0, forwDatagrams: 0,
    outRequests: 0, outNoRoutes: 0, fragOKs: 0, fragFails: 0, fragCreates: 0,
  };

  constructor(readonly host: Host) {
    this.arp = new Arp(host);
    this.pmtu = new PmtuCache(host, MIN_PMTU);
    this.ident = new IpIdent(host, 16);
    // ip_expire: only a datagram whose first fragment arrived draws "reassembly time exceeded" (RFC 792).
    this.frags = new Reassembler<FirstFragment>(host, 30e9, (first) => {
      if (first) this.host.icmp.sendError(first.packet, ICMPV4_TIME_EXCEEDED, 1);
    });
  }

  /** Whether addr is one of this host's addresses (any interface), or in 127/8 (Linux answers all of it on lo). */
  isLocal(addr: number): boolean {
    if ((addr >>> 24) === 127) return true;
    for (const i of this.host.interfaces) if (i.hasIpv4(addr)) return true;
    return false;
  }

  /** Whether addr is a broadcast address of a directly connected subnet on iface (or the limited broadcast). */
  isBroadcast(addr: number, iface: Interface): boolean {
    if (addr === 0xffffffff) return true;
    for (const a of iface.ipv4) {
      const m = prefixMask(a.prefixLen);
      if (a.prefixLen < 31 && ((a.addr & m) | ~m) >>> 0 === addr) return true;
    }
    return false;
  }

  /** Whether addr is broadcast on any interface, or multicast (packets to these never draw ICMP errors). */
  isGroupAddress(addr: number): boolean {
    if (addr >>> 28 === 0xe) return true;
    return this.host.interfaces.some((i) => this.isBroadcast(addr, i));
  }

  /**
   * Route lookup: loopback for local destinations, else the routing table (restricted to `oif` when given). With
   * an oif, multicast and the limited broadcast need no route: ip_route_output_key_hash_rcu sends them on that
   * interface ("assume that the destination is on link").
   */
  route(dst: number, oif?: number): Route4 | undefined {
    if (this.isLocal(dst)) {
      const lo = this.host.loopback;
      // As `ip route get`: traffic to 127/8 leaves from 127.0.0.1, to another local address from that address.
      return { dest: dst, prefixLen: 32, gateway: 0, iface: lo, metric: 0, prefSrc: (dst >>> 24) === 127 ? 0x7f000001 : dst };
    }
    if (oif && (dst >>> 28 === 0xe || dst === 0xffffffff)) {
      const iface = this.host.interfaces.find((i) => i.index === oif);
      return iface?.up ? { dest: dst, prefixLen: 32, gateway: 0, iface, metric: 0, prefSrc: 0 } : undefined;
    }
    return this.routes.lookup(dst, oif);
  }

  /**
   * The interface a multicast or limited-broadcast datagram from a given local source leaves by when no oif was
   * asked for (ip_route_output_key_hash_rcu's "special hack": the device that owns the source address).
   */
  private sourceOif(dst: number, src: number): number | undefined {
    if (!src || (dst >>> 28 !== 0xe && dst !== 0xffffffff)) return undefined;
    return this.host.interfaces.find((i) => i.hasIpv4(src))?.index;
  }

  /** The source address Linux would pick for dst: the route's preferred source, else inet_select_addr. */
  selectSource(dst: number, oif?: number): number | undefined {
    const r = this.route(dst, oif);
    if (!r) return undefined;
    if (r.prefSrc) return r.prefSrc;
    return selectAddrOnLink(r.iface, r.gateway || dst) ?? this.anyAddress();
  }

  /** Some non-loopback address of the host (inet_select_addr's fallback to other interfaces). */
  anyAddress(): number | undefined {
    for (const i of this.host.interfaces) if (!i.loopback && i.ipv4.length > 0) return i.ipv4[0]!.addr;
    return undefined;
  }

  /** The MTU towards dst: the route's interface MTU, lowered by what ICMP taught us (ip_rt_mtu_expires). */
  pathMtu(dst: number, oif?: number): number {
    const r = this.route(dst, oif);
    return r ? this.routeMtu(r, dst) : 0;
  }

  /** The MTU towards dst over route r (its interface's, lowered by a learned path MTU). */
  private routeMtu(r: Route4, dst: number): number {
    const learned = r.iface.loopback || this.pmtu.empty ? undefined : this.pmtu.get(String(dst));
    return Math.min(r.iface.mtu, learned ?? Infinity);
  }

  /** Lowers the path MTU to dst after ICMP "fragmentation needed"; tells TCP through host.onPathMtu. */
  learnPathMtu(dst: number, mtu: number): void {
    const r = this.route(dst);
    if (!r || r.iface.loopback) return;
    const now = this.pmtu.update(String(dst), mtu, r.iface.mtu);
    if (now !== undefined) this.host.onPathMtu?.(4, dst, now);
  }

  /**
   * Sends a packet; returns 0 or a negative errno: ENETUNREACH without a route, EMSGSIZE above 65535 bytes or above
   * the path MTU with DF set. Larger packets without DF are fragmented.
   */
  output(p: Ipv4Send): number {
    const r = this.route(p.dst, p.oif || this.sourceOif(p.dst, p.src));
    if (!r) {
      this.stats.outNoRoutes++;
      return -Errno.ENETUNREACH;
    }
    this.stats.outRequests++;
    if (IPV4_HEADER_LEN + p.payload.length > 0xffff) return -Errno.EMSGSIZE;
    const df = p.dontFragment ?? false;
    const repr: Ipv4Repr = {
      tos: p.tos ?? 0, id: p.id ?? this.ident.next(`${p.src}>${p.dst}/${p.protocol}`), dontFragment: df,
      moreFragments: false, fragOffset: 0, ttl: p.ttl ?? DEFAULT_TTL, protocol: p.protocol, src: p.src, dst: p.dst,
      options: EMPTY, payload: p.payload,
    };
    const mtu = p.mtu ?? this.routeMtu(r, p.dst);
    if (IPV4_HEADER_LEN + p.payload.length > mtu && df) {
      this.stats.fragFails++;
      return -Errno.EMSGSIZE;
    }
    // __mkroute_output: multicast and broadcast never go through a gateway ("do not gateway in this case").
    const group = p.dst >>> 28 === 0xe;
    const bcast = !group && !r.iface.loopback && this.isBroadcast(p.dst, r.iface);
    const nextHop = group || bcast ? p.dst : r.gateway || p.dst;
    // ip_mc_output: this host hears its own broadcasts, and its multicasts when the socket loops them and the
    // outgoing interface is in the group (the copy is delivered whole, before fragmentation).
    if (!r.iface.loopback && (bcast || (group && p.mcLoop === true && r.iface.inGroup4(p.dst)))) this.loopBack(r.iface, repr);
    if (group && repr.ttl === 0) return 0; // "Multicasts with ttl 0 must not go beyond the host"
    if (IPV4_HEADER_LEN + p.payload.length > mtu) this.fragmentAndSend(r.iface, nextHop, repr, mtu);
    else this.emit(r.iface, nextHop, repr, p.frame);
    return 0;
  }

  /** dev_loopback_xmit: the packet comes back in on iface through the host's backlog, unseen by captures. */
  private loopBack(iface: Interface, repr: Ipv4Repr): void {
    const bytes = emitIpv4(repr);
    const id = this.host.ctx.nextPacketId();
    const gen = this.host.generation;
    this.host.backlog.add(() => {
      if (this.host.up && this.host.generation === gen) this.input(iface, bytes, id, true);
    });
  }

  /**
   * Frames one IPv4 packet and sends it towards nextHop on iface (resolving its MAC through ARP), in `pre` when it
   * is a frame of the right size holding the payload already (Ipv4Send.frame).
   */
  emit(iface: Interface, nextHop: number, repr: Ipv4Repr, pre?: Uint8Array, inId: number | null = null): void {
    const hlen = IPV4_HEADER_LEN + repr.options.length;
    const total = ETHERNET_HEADER_LEN + hlen + repr.payload.length;
    const inPlace = pre !== undefined && pre.length === total;
    const frame = inPlace ? pre : allocBytes(total);
    emitEthernetHeaderInto(0, iface.mac, ETHERTYPE_IPV4, frame, 0);
    emitIpv4HeaderInto(repr, repr.payload.length, frame, ETHERNET_HEADER_LEN);
    // Ipv4Send.frame's payload is its tail already (no need to compare buffers: reading .buffer costs a call).
    if (!inPlace) frame.set(repr.payload, ETHERNET_HEADER_LEN + hlen);
    if (iface.loopback) return iface.send(frame);
    if (nextHop === 0xffffffff || this.isBroadcast(nextHop, iface)) {
      writeMac(frame, 0, MAC_BROADCAST);
      return iface.send(frame);
    }
    if (nextHop >>> 28 === 0xe) {
      writeMac(frame, 0, ipv4MulticastMac(nextHop));
      return iface.send(frame);
    }
    this.arp.output(iface, nextHop, frame, inId);
  }

  /** ip_do_fragment: sends repr as fragments of at most mtu bytes (offsets relative to repr's own offset). */
  private fragmentAndSend(iface: Interface, nextHop: number, repr: Ipv4Repr, mtu: number): void {
    const hlen = IPV4_HEADER_LEN + repr.options.length;
    const pieces = splitPayload(repr.payload, mtu - hlen);
    const later = optionsForLaterFragments(repr.options);
    this.stats.fragOKs++;
    for (const piece of pieces) {
      this.stats.fragCreates++;
      this.emit(iface, nextHop, {
        ...repr, dontFragment: false, fragOffset: repr.fragOffset + piece.offset,
        moreFragments: piece.more || repr.moreFragments, options: piece.offset === 0 ? repr.options : later,
        payload: piece.data,
      });
    }
  }

  /** An IPv4 packet arrived on iface. `linkBroadcast`: the frame was sent to a broadcast/multicast MAC. */
  input(iface: Interface, bytes: Uint8Array, pktId: number, linkBroadcast: boolean): void {
    this.stats.inReceives++;
    let ip: Ipv4Repr;
    try {
      ip = parseIpv4(bytes);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.stats.inHdrErrors++;
      return this.drop(pktId, e.reason === 'bad-checksum' ? 'bad-checksum' : 'malformed');
    }
    if (this.filter?.(ip.src)) return this.drop(pktId, 'partition');
    // Martians: loopback addresses never arrive from a wire (ip_route_input_slow).
    if (!iface.loopback && ((ip.dst >>> 24) === 127 || (ip.src >>> 24) === 127)) return this.drop(pktId, 'martian');
    const plen = IPV4_HEADER_LEN + ip.options.length + ip.payload.length;
    const packet = plen === bytes.length ? bytes : bytes.subarray(0, plen); // without link padding, the packet is all of it
    // ip_route_input_rcu: a multicast packet is taken only for a group the interface is in (ip_check_mc_rcu), and
    // is never forwarded (no multicast routing daemon), whatever its TTL.
    const group = ip.dst >>> 28 === 0xe;
    if (group && !iface.inGroup4(ip.dst)) return this.drop(pktId, 'not-for-us');
    const bcast = group || this.isBroadcast(ip.dst, iface);
    if (!this.isLocal(ip.dst) && !bcast) {
      if (linkBroadcast || !this.forwarding) {
        this.stats.inAddrErrors++;
        return this.drop(pktId, 'not-for-us');
      }
      return this.forward(ip, packet, pktId);
    }
    if (ip.moreFragments || ip.fragOffset !== 0) {
      const key = `${ip.src}|${ip.dst}|${ip.id}|${ip.protocol}`;
      const res = this.frags.add(key, { offset: ip.fragOffset, more: ip.moreFragments, data: ip.payload },
        { repr: ip, packet, iface });
      if (res.kind !== 'complete') {
        if (res.kind !== 'queued') this.drop(pktId, `frag-${res.kind}`);
        return;
      }
      const whole = emitIpv4({ ...res.first.repr, moreFragments: false, fragOffset: 0, payload: res.payload });
      return this.deliver(res.first.iface, parseIpv4(whole), whole, pktId, bcast);
    }
    this.deliver(iface, ip, packet, pktId, bcast || linkBroadcast);
  }

  private deliver(iface: Interface, ip: Ipv4Repr, packet: Uint8Array, pktId: number, bcast: boolean): void {
    const h = this.handlers.get(ip.protocol);
    if (!h) {
      this.stats.inUnknownProtos++;
      if (!bcast) this.host.icmp.sendError(packet, ICMPV4_DEST_UNREACH, PROT_UNREACH);
      return this.drop(pktId, 'unknown-protocol');
    }
    this.stats.inDelivers++;
    h({ v: 4, src: ip.src, dst: ip.dst, ttl: ip.ttl, tos: ip.tos, protocol: ip.protocol, iface, packet, pktId, broadcast: bcast },
      ip.payload);
  }

  /** ip_forward. */
  private forward(ip: Ipv4Repr, packet: Uint8Array, pktId: number): void {
    const r = this.routes.lookup(ip.dst);
    if (!r) {
      this.host.icmp.sendError(packet, ICMPV4_DEST_UNREACH, NET_UNREACH);
      return this.drop(pktId, 'no-route');
    }
    if (ip.ttl <= 1) {
      this.host.icmp.sendError(packet, ICMPV4_TIME_EXCEEDED, 0);
      return this.drop(pktId, 'ttl-exceeded');
    }
    const learned = this.pmtu.empty ? undefined : this.pmtu.get(String(ip.dst));
    const mtu = Math.min(r.iface.mtu, learned ?? Infinity);
    const out: Ipv4Repr = { ...ip, ttl: ip.ttl - 1 };
    this.stats.forwDatagrams++;
    if (packet.length > mtu) {
      if (ip.dontFragment) {
        this.host.icmp.sendError(packet, ICMPV4_DEST_UNREACH, ICMPV4_FRAG_NEEDED, mtu);
        return this.drop(pktId, 'mtu');
      }
      return this.fragmentAndSend(r.iface, r.gateway || ip.dst, out, mtu);
    }
    // The arriving frame's id goes with the packet, so a neighbour failure can say which one it dropped.
    this.emit(r.iface, r.gateway || ip.dst, out, undefined, pktId);
  }

  /** Forgets per-boot state (the host crashed): neighbours, fragments, path MTUs, id counters, group memberships. */
  reset(): void {
    for (const i of this.host.interfaces) i.groups4.clear();
    resetReports(this.host);
    this.arp.reset();
    this.frags.reset();
    this.pmtu.reset();
    this.ident.reset();
  }

  /** Counts and records a dropped packet. */
  drop(pktId: number | null, reason: string): void {
    this.host.countDrop(reason);
    this.host.sim.record(EV_DROP, `${this.host.name}:ip`, pktId, reason);
  }
}

const EMPTY = new Uint8Array(0);
