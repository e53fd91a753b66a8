/**
 * The IPv4 layer of one host: input (validation, local delivery or forwarding) and output (routing, source address
 * selection, framing). Fragmentation, ICMP errors and ARP plug in here.
 */
import { Errno } from './errno.js';
import { EV_DROP } from './events.js';
import type { Host } from './host.js';
import type { Interface } from './iface.js';
import { prefixMask } from './iface.js';
import { RouteTable4, type Route4 } from './route.js';
import { WireError } from './wire/errors.js';
import { parseIpv4, emitIpv4HeaderInto, IPV4_HEADER_LEN, type Ipv4Repr } from './wire/ipv4.js';
import { emitEthernetHeaderInto, ETHERNET_HEADER_LEN, ETHERTYPE_IPV4, MAC_BROADCAST } from './wire/ethernet.js';

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
  /** The whole IPv4 packet (ICMP errors quote it). */
  readonly packet: Uint8Array;
}

/** A transport protocol's input hook. */
export type Ipv4Handler = (meta: Ipv4Meta, payload: Uint8Array) => void;

/** What a transport hands to `output`. */
export interface Ipv4Send {
  src: number;
  dst: number;
  protocol: number;
  payload: Uint8Array;
  ttl?: number;
  tos?: number;
  dontFragment?: boolean;
}

/** Linux's default TTL (net.ipv4.ip_default_ttl). */
export const DEFAULT_TTL = 64;

/** IPv4 for one host. */
export class Ipv4Layer {
  readonly routes = new RouteTable4();
  readonly handlers = new Map<number, Ipv4Handler>();
  /** Whether this host forwards packets not addressed to it (a router). */
  forwarding = false;
  private nextId: number;

  constructor(readonly host: Host) {
    const s = host.sim.random.stream(`host:${host.name}:ip-id`);
    this.nextId = s.int(0, 0xffff);
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

  /** Route lookup: loopback for local destinations, else the routing table. */
  route(dst: number): Route4 | undefined {
    if (this.isLocal(dst)) {
      const lo = this.host.loopback;
      return { dest: dst, prefixLen: 32, gateway: 0, iface: lo, metric: 0, prefSrc: (dst >>> 24) === 127 ? 0x7f000001 : dst }; // as `ip route get`: lo traffic to 127/8 leaves from 127.0.0.1
    }
    return this.routes.lookup(dst);
  }

  /** The source address Linux would pick for dst (route's preferred source, else the interface's first address). */
  selectSource(dst: number): number | undefined {
    const r = this.route(dst);
    if (!r) return undefined;
    if (r.prefSrc) return r.prefSrc;
    return r.iface.primaryIpv4();
  }

  /** Sends a packet; returns 0 or a negative errno (ENETUNREACH without a route, EMSGSIZE above the MTU with DF). */
  output(p: Ipv4Send): number {
    const r = this.route(p.dst);
    if (!r) return -Errno.ENETUNREACH;
    const iface = r.iface;
    const total = IPV4_HEADER_LEN + p.payload.length;
    if (total > iface.mtu) {
      // Fragmentation (RFC 791 §2.3) is the network layer's job; until it lands, refuse honestly.
      return -Errno.EMSGSIZE;
    }
    const nextHop = r.gateway || p.dst;
    const repr: Ipv4Repr = {
      tos: p.tos ?? 0, id: this.allocId(p.dontFragment ?? false), dontFragment: p.dontFragment ?? false,
      moreFragments: false, fragOffset: 0, ttl: p.ttl ?? DEFAULT_TTL, protocol: p.protocol, src: p.src, dst: p.dst,
      options: EMPTY, payload: p.payload,
    };
    return this.transmit(iface, nextHop, repr);
  }

  /** Frames and sends one IPv4 packet on iface towards nextHop. */
  transmit(iface: Interface, nextHop: number, repr: Ipv4Repr): number {
    const mac = iface.loopback ? 0 : this.host.resolveNeighbour(iface, nextHop);
    if (mac === null) {
      this.host.countDrop('no-neighbour');
      return -Errno.EHOSTUNREACH;
    }
    const frame = new Uint8Array(ETHERNET_HEADER_LEN + IPV4_HEADER_LEN + repr.options.length + repr.payload.length);
    emitEthernetHeaderInto(mac, iface.mac, ETHERTYPE_IPV4, frame, 0);
    const h = emitIpv4HeaderInto(repr, repr.payload.length, frame, ETHERNET_HEADER_LEN);
    frame.set(repr.payload, ETHERNET_HEADER_LEN + h);
    iface.send(frame);
    return 0;
  }

  /** An IPv4 packet arrived on iface. */
  input(iface: Interface, bytes: Uint8Array, pktId: number, linkBroadcast: boolean): void {
    let ip: Ipv4Repr;
    try {
      ip = parseIpv4(bytes);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      return this.drop(pktId, e.reason === 'bad-checksum' ? 'bad-checksum' : 'malformed');
    }
    const local = this.isLocal(ip.dst) || this.isBroadcast(ip.dst, iface);
    if (!local) {
      if (linkBroadcast || !this.forwarding) return this.drop(pktId, 'not-for-us');
      return this.forward(ip, pktId);
    }
    if (ip.moreFragments || ip.fragOffset !== 0) {
      // Reassembly (RFC 791 §3.2) arrives with the network layer; count honestly until then.
      return this.drop(pktId, 'malformed');
    }
    const h = this.handlers.get(ip.protocol);
    if (!h) return this.drop(pktId, 'unknown-protocol');
    h({ v: 4, src: ip.src, dst: ip.dst, ttl: ip.ttl, tos: ip.tos, protocol: ip.protocol, iface, packet: bytes }, ip.payload);
  }

  private forward(ip: Ipv4Repr, pktId: number): void {
    if (ip.ttl <= 1) return this.drop(pktId, 'ttl-exceeded');
    const r = this.routes.lookup(ip.dst);
    if (!r) return this.drop(pktId, 'no-route');
    this.transmit(r.iface, r.gateway || ip.dst, { ...ip, ttl: ip.ttl - 1 });
  }

  /** Counts and records a dropped packet. */
  drop(pktId: number, reason: string): void {
    this.host.countDrop(reason);
    this.host.sim.record(EV_DROP, `${this.host.name}:ip`, pktId, reason);
  }

  private allocId(_df: boolean): number {
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 0xffff;
    return id;
  }
}

const EMPTY = new Uint8Array(0);
export { MAC_BROADCAST };
