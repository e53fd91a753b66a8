/**
 * ICMPv6 (RFC 4443) on one host, as Linux's net/ipv6/icmp.c:
 *   - echo requests are answered, multicast ones too (icmpv6_echo_ignore_multicast 0), from the address asked or,
 *     for a group, from the best source towards the asker; echo replies go to ping sockets;
 *   - neighbour solicitations and advertisements go to neighbour discovery;
 *   - errors received (destination unreachable, packet too big, time exceeded, parameter problem) go to the quoted
 *     packet's upper-layer protocol (`ipv6.errorHandlers`), packet too big first lowering the path MTU (RFC 8201);
 *   - errors sent (§2.4): never about an ICMPv6 error, nor to an unspecified or multicast source; about a packet sent
 *     to a multicast address only packet too big (and parameter problem code 2); quoting as much as fits in 1280
 *     bytes; hop limit 64, traffic class 0; rate limited per destination by net.ipv6.icmp.ratelimit (1000 ms) scaled
 *     down for wide prefixes (tmo >> ((128 − prefix length) >> 5)), types 0–1 and 3–127 only (ratemask "0-1,3-127"),
 *     plus the host-wide icmp_msgs_per_sec bucket shared with ICMPv4.
 */
import { Errno } from './errno.js';
import { EV_DROP } from './events.js';
import type { Host } from './host.js';
import type { Interface } from './iface.js';
import type { Icmp6Error, Ipv6Meta } from './ipv6.js';
import { IPPROTO_ICMPV6 } from './constants.js';
import { WireError } from './wire/errors.js';
import { readU16, readU32 } from './wire/bytes.js';
import { ipv6Equal, ipv6ToString, isIpv6Multicast, IPV6_UNSPECIFIED } from './wire/addr.js';
import {
  emitIcmpv6, parseIcmpv6, ICMPV6_DEST_UNREACH, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, ICMPV6_NEIGHBOR_ADVERT,
  ICMPV6_NEIGHBOR_SOLICIT, ICMPV6_PACKET_TOO_BIG, ICMPV6_PARAM_PROBLEM, ICMPV6_TIME_EXCEEDED, type Icmpv6Repr,
  type Icmpv6NeighborAdvert, type Icmpv6NeighborSolicit,
} from './wire/icmpv6.js';

/** An error quotes what fits in the minimum MTU: 1280 − 40 − 8 bytes (icmp6_send). */
const MAX_QUOTE = 1280 - 40 - 8;

/** icmpv6_err_convert: the errno of an ICMPv6 error and whether it is "hard" (reported without IPV6_RECVERR). */
export function icmpv6ErrConvert(type: number, code: number): { errno: number; fatal: boolean } {
  switch (type) {
    case ICMPV6_DEST_UNREACH: {
      const tab: [number, boolean][] = [
        [Errno.ENETUNREACH, false], [Errno.EACCES, true], [Errno.EHOSTUNREACH, false], [Errno.EHOSTUNREACH, false],
        [Errno.ECONNREFUSED, true], [Errno.EACCES, true], [Errno.EACCES, true],
      ];
      const e = tab[code];
      return e ? { errno: e[0], fatal: e[1] } : { errno: Errno.EPROTO, fatal: true };
    }
    case ICMPV6_PACKET_TOO_BIG:
      return { errno: Errno.EMSGSIZE, fatal: false };
    case ICMPV6_PARAM_PROBLEM:
      return { errno: Errno.EPROTO, fatal: true };
    case ICMPV6_TIME_EXCEEDED:
      return { errno: Errno.EHOSTUNREACH, fatal: false };
    default:
      return { errno: Errno.EPROTO, fatal: false };
  }
}

/** Where the upper-layer header of an IPv6 packet starts and which protocol it is (ipv6_skip_exthdr), or null. */
export function skipExtensionHeaders(packet: Uint8Array): { nh: number; off: number; fragOffset: number } | null {
  if (packet.length < 40) return null;
  let nh = packet[6]!;
  let off = 40;
  let fragOffset = 0;
  while (nh === 0 || nh === 43 || nh === 44 || nh === 60 || nh === 51) {
    if (packet.length < off + 8) return null;
    const next = packet[off]!;
    if (nh === 44) {
      fragOffset = readU16(packet, off + 2) & 0xfff8;
      off += 8;
    } else {
      off += nh === 51 ? (packet[off + 1]! + 2) * 4 : (packet[off + 1]! + 1) * 8;
    }
    nh = next;
  }
  return { nh, off, fragOffset };
}

/** Options of `sendError`. */
export interface Icmp6SendOptions {
  /** The interface the offending packet arrived on (needed to answer a link-local source). */
  iface?: Interface;
  /** An error about our own packet (failed neighbour discovery): goes back through loopback, never limited. */
  local?: boolean;
}

/** ICMPv6 of one host. */
export class Icmp6 {
  /** net.ipv6.icmp.ratelimit, ms. */
  ratelimitMs = 1000;
  /** net.ipv6.icmp.echo_ignore_all / echo_ignore_multicast. */
  echoIgnoreAll = false;
  echoIgnoreMulticast = false;
  /** The flow label of the kernel's ICMPv6 socket (auto_flowlabels: from its random transmit hash). */
  private flowLabel = -1;
  /** Counters as /proc/net/snmp6's Icmp6 lines name them. */
  readonly stats = {
    inMsgs: 0, inErrors: 0, inCsumErrors: 0, inDestUnreachs: 0, inPktTooBigs: 0, inTimeExcds: 0, inEchos: 0,
    inEchoReplies: 0, outMsgs: 0, outDestUnreachs: 0, outPktTooBigs: 0, outTimeExcds: 0, outParmProblems: 0,
    outEchoReplies: 0, outRateLimitGlobal: 0, outRateLimitHost: 0,
  };

  constructor(readonly host: Host) {
    host.ipv6.handlers.set(IPPROTO_ICMPV6, (meta, payload) => this.input(meta, payload));
  }

  private label(): number {
    if (this.flowLabel < 0) {
      const s = this.host.sim.random.stream(`host:${this.host.name}:icmp6-flowlabel`);
      this.flowLabel = s.int(1, 0xfffff);
      this.host.sim.decide(s.name, 'flow-label', this.flowLabel);
    }
    return this.flowLabel;
  }

  /** icmpv6_rcv. */
  input(meta: Ipv6Meta, bytes: Uint8Array): void {
    this.stats.inMsgs++;
    let m: Icmpv6Repr;
    try {
      m = parseIcmpv6(bytes, meta.src, meta.dst);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.stats.inErrors++;
      if (e.reason === 'bad-checksum') this.stats.inCsumErrors++;
      return this.drop(meta.pktId, e.reason === 'bad-checksum' ? 'bad-checksum' : 'malformed');
    }
    switch (m.type) {
      case ICMPV6_ECHO_REQUEST:
        this.stats.inEchos++;
        if (!this.echoIgnoreAll && !(meta.broadcast && this.echoIgnoreMulticast) && 'id' in m) this.echoReply(meta, m);
        return;
      case ICMPV6_ECHO_REPLY:
        this.stats.inEchoReplies++;
        return this.host.ping.receive6(meta, bytes, readU16(bytes, 4));
      case ICMPV6_NEIGHBOR_SOLICIT:
      case ICMPV6_NEIGHBOR_ADVERT:
        return this.host.ipv6.nd.input(meta, m as Icmpv6NeighborSolicit | Icmpv6NeighborAdvert);
      case ICMPV6_DEST_UNREACH:
      case ICMPV6_PACKET_TOO_BIG:
      case ICMPV6_TIME_EXCEEDED:
      case ICMPV6_PARAM_PROBLEM:
        if (m.type === ICMPV6_DEST_UNREACH) this.stats.inDestUnreachs++;
        if (m.type === ICMPV6_PACKET_TOO_BIG) this.stats.inPktTooBigs++;
        if (m.type === ICMPV6_TIME_EXCEEDED) this.stats.inTimeExcds++;
        return this.notify(meta, m.type, m.code, readU32(bytes, 4), bytes.subarray(8));
      default:
        return; // router discovery and redirects are not implemented
    }
  }

  /** icmpv6_notify: hands an error to the quoted packet's upper-layer protocol. */
  private notify(meta: Ipv6Meta, type: number, code: number, info: number, quoted: Uint8Array): void {
    const inner = skipExtensionHeaders(quoted);
    if (!inner || quoted.length < inner.off + 8 || quoted[0]! >>> 4 !== 6) {
      this.stats.inErrors++;
      return this.drop(meta.pktId, 'malformed');
    }
    const src = quoted.slice(8, 24), dst = quoted.slice(24, 40);
    let mtu: number | undefined;
    if (type === ICMPV6_PACKET_TOO_BIG) {
      mtu = info;
      this.host.ipv6.learnPathMtu(dst, mtu);
    }
    const err: Icmp6Error = {
      v: 6, type, code, ...(mtu !== undefined ? { mtu } : {}), src, dst, offender: meta.src.slice(), quoted,
      transport: quoted.subarray(inner.off),
    };
    this.host.ipv6.errorHandlers.get(inner.nh)?.(err);
  }

  private echoReply(meta: Ipv6Meta, m: Icmpv6Repr & { id: number; seq: number; data: Uint8Array }): void {
    const ipv6 = this.host.ipv6;
    const oif = meta.iface.loopback ? undefined : meta.iface.index;
    const src = !meta.broadcast ? meta.dst.slice() : ipv6.selectSource(meta.src, oif);
    if (!src) return;
    const dst = meta.src.slice();
    const reply = emitIcmpv6({ type: ICMPV6_ECHO_REPLY, code: 0, id: m.id, seq: m.seq, data: m.data }, src, dst);
    const r = ipv6.output({
      src, dst, nextHeader: IPPROTO_ICMPV6, payload: reply, trafficClass: meta.trafficClass, flowLabel: this.label(),
      ...(oif !== undefined ? { oif } : {}),
    });
    if (r === 0) {
      this.stats.outMsgs++;
      this.stats.outEchoReplies++;
    }
  }

  /** icmp6_send: reports `packet` (an IPv6 packet received or sent by this host) to its source. */
  sendError(packet: Uint8Array, type: number, code: number, info = 0, opts: Icmp6SendOptions = {}): void {
    if (packet.length < 40) return;
    const ipv6 = this.host.ipv6;
    const osrc = packet.slice(8, 24), odst = packet.slice(24, 40);
    if (isIpv6Multicast(odst) && type !== ICMPV6_PACKET_TOO_BIG && !(type === ICMPV6_PARAM_PROBLEM && code === 2)) return;
    if (ipv6Equal(osrc, IPV6_UNSPECIFIED) || isIpv6Multicast(osrc)) return;
    const inner = skipExtensionHeaders(packet);
    if (inner && inner.nh === IPPROTO_ICMPV6 && packet.length > inner.off && (packet[inner.off]! & 0x80) === 0) return;
    const oif = opts.iface && !opts.iface.loopback ? opts.iface.index : undefined;
    const limited = !opts.local && type < 128 && type !== ICMPV6_PACKET_TOO_BIG;
    if (limited && !this.allowed(osrc, oif)) return;
    const src = !opts.local && !isIpv6Multicast(odst) && ipv6.isLocal(odst) ? odst : ipv6.selectSource(osrc, oif);
    if (!src) return;
    const quote = packet.subarray(0, Math.min(packet.length, MAX_QUOTE));
    const repr: Icmpv6Repr = type === ICMPV6_PACKET_TOO_BIG ? { type, code, mtu: info, original: quote }
      : type === ICMPV6_PARAM_PROBLEM ? { type, code, pointer: info, original: quote }
        : { type: type as 1 | 3, code, original: quote };
    const r = ipv6.output({
      src, dst: osrc, nextHeader: IPPROTO_ICMPV6, payload: emitIcmpv6(repr, src, osrc), flowLabel: this.label(),
      ...(oif !== undefined ? { oif } : {}),
    });
    if (r !== 0) return;
    if (limited && !ipv6.isLocal(osrc)) this.host.icmp.limiter.globalConsume();
    this.stats.outMsgs++;
    if (type === ICMPV6_DEST_UNREACH) this.stats.outDestUnreachs++;
    if (type === ICMPV6_PACKET_TOO_BIG) this.stats.outPktTooBigs++;
    if (type === ICMPV6_TIME_EXCEEDED) this.stats.outTimeExcds++;
    if (type === ICMPV6_PARAM_PROBLEM) this.stats.outParmProblems++;
  }

  /** icmpv6_global_allow + icmpv6_xrlim_allow. */
  private allowed(dst: Uint8Array, oif: number | undefined): boolean {
    const r = this.host.ipv6.route(dst, oif);
    if (!r || r.iface.loopback) return true; // to ourselves over lo: no limit applies
    const limiter = this.host.icmp.limiter;
    if (!limiter.globalAllow()) {
      this.stats.outRateLimitGlobal++;
      this.drop(null, 'icmp-ratelimit');
      return false;
    }
    const tmo = r.prefixLen < 128 ? this.ratelimitMs >> ((128 - r.prefixLen) >> 5) : this.ratelimitMs;
    if (limiter.peerAllow(`6|${ipv6ToString(dst)}`, tmo)) return true;
    this.stats.outRateLimitHost++;
    this.drop(null, 'icmp-ratelimit');
    return false;
  }

  /** Forgets the flow label (the host rebooted; the limiter belongs to ICMPv4). */
  reset(): void {
    this.flowLabel = -1;
  }

  private drop(pktId: number | null, reason: string): void {
    this.host.countDrop(reason);
    this.host.sim.record(EV_DROP, `${this.host.name}:icmp6`, pktId, reason);
  }
}
