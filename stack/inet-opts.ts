/**
 * IPPROTO_IP options of datagram sockets (ip(7), do_ip_setsockopt/do_ip_getsockopt): IP_TTL, IP_TOS, IP_HDRINCL,
 * IP_OPTIONS, IP_MULTICAST_TTL, IP_MULTICAST_LOOP. Int options take optlen ≥ 4, or a single byte (optlen 1..3).
 * IP_TTL is 1..255 with −1 restoring net.ipv4.ip_default_ttl; IP_HDRINCL is only settable on raw sockets
 * (ENOPROTOOPT) but reads back 0; IP_OPTIONS is modelled only empty. A get at any other level is EOPNOTSUPP, a set
 * ENOPROTOOPT, as ip_getsockopt/ip_setsockopt answer. Unmodelled IP options (multicast membership…) are
 * ENOPROTOOPT, never a silent success.
 */
import {
  IPPROTO_IP, IPPROTO_IPV6, IP_HDRINCL, IP_MULTICAST_LOOP, IP_MULTICAST_TTL, IP_OPTIONS, IP_PKTINFO, IP_RECVTOS, IP_RECVTTL, IP_TOS, IP_TTL,
  IPV6_RECVHOPLIMIT, IPV6_RECVPKTINFO, IPV6_RECVTCLASS, IP_MTU_DISCOVER, IP_PMTUDISC_DO, IP_PMTUDISC_DONT,
  IP_PMTUDISC_PROBE, IP_PMTUDISC_WANT, IPV6_MTU_DISCOVER, IP_FREEBIND, IP_RECVERR, IPV6_RECVERR,
} from './constants.js';
import { Errno } from './errno.js';

/** net.ipv4.ip_default_ttl. */
export const IP_DEFAULT_TTL = 64;

function intBytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** Per-socket IP options. */
export class InetOptions {
  /** IP_TTL; -1 = the sysctl default. */
  uniTtl = -1;
  tos = 0;
  mcTtl = 1;
  mcLoop = true;
  /** IP_RECVERR and IPV6_RECVERR (separate flags) of UDP sockets: ICMP errors go to the error queue (err-queue.ts). */
  recverr = false;
  recverr6 = false;
  /** IP_FREEBIND / IPV6_FREEBIND (one flag, inet->freebind): bind() may take an address this host does not have. */
  freebind = false;
  /** IP_MTU_DISCOVER, IPV6_MTU_DISCOVER (IP_PMTUDISC_WANT by default) and IPV6_DONTFRAG of datagram sockets. */
  pmtudisc = IP_PMTUDISC_WANT;
  pmtudisc6 = IP_PMTUDISC_WANT;
  dontfrag6 = false;
  /** IP_PKTINFO, IP_RECVTTL, IP_RECVTOS: control messages with each received IPv4 datagram (stack/rx-cmsg.ts). */
  pktinfo = false;
  recvTtl = false;
  recvTos = false;
  /** IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS, set at IPPROTO_IPV6 (see setRecv6). */
  recvPktinfo6 = false;
  recvHoplimit6 = false;
  recvTclass6 = false;
  /** IP_MULTICAST_ALL, IPV6_MULTICAST_LOOP and IPV6_MULTICAST_ALL as TCP sockets keep them (tcp/mcast-opts.ts). */
  mcAll = true;
  mc6Loop = true;
  mc6All = true;

  /** The TTL an outgoing unicast packet gets. */
  get ttl(): number {
    return this.uniTtl < 0 ? IP_DEFAULT_TTL : this.uniTtl;
  }

  /** setsockopt at IPPROTO_IP. */
  set(level: number, name: number, val: Uint8Array): number {
    if (level !== IPPROTO_IP) return -Errno.ENOPROTOOPT;
    if (name === IP_OPTIONS) return val.length === 0 ? 0 : -Errno.ENOPROTOOPT;
    let v: number;
    if (val.length >= 4) v = new DataView(val.buffer, val.byteOffset, 4).getInt32(0, true);
    else if (val.length >= 1) v = val[0]!;
    else return -Errno.EINVAL;
    switch (name) {
      case IP_TTL:
        if (v !== -1 && (v < 1 || v > 255)) return -Errno.EINVAL;
        this.uniTtl = v;
        return 0;
      case IP_TOS:
        this.tos = v & 0xff;
        return 0;
      case IP_HDRINCL:
        return -Errno.ENOPROTOOPT; // only SOCK_RAW sockets may set it
      case IP_MULTICAST_TTL:
        if (v === -1) v = 1;
        if (v < 0 || v > 255) return -Errno.EINVAL;
        this.mcTtl = v;
        return 0;
      case IP_MULTICAST_LOOP:
        this.mcLoop = v !== 0;
        return 0;
      case IP_PKTINFO:
        this.pktinfo = v !== 0;
        return 0;
      case IP_FREEBIND:
        this.freebind = v !== 0;
        return 0;
      case IP_RECVTTL:
        this.recvTtl = v !== 0;
        return 0;
      case IP_RECVTOS:
        this.recvTos = v !== 0;
        return 0;
      default:
        return -Errno.ENOPROTOOPT;
    }
  }

  /** getsockopt at IPPROTO_IP: the int's bytes (the caller applies ip_getsockopt's one-byte rule). */
  get(level: number, name: number): Uint8Array | number {
    if (level !== IPPROTO_IP) return -Errno.EOPNOTSUPP;
    switch (name) {
      case IP_TTL: return intBytes(this.ttl);
      case IP_TOS: return intBytes(this.tos);
      case IP_HDRINCL: return intBytes(0);
      case IP_MULTICAST_TTL: return intBytes(this.mcTtl);
      case IP_MULTICAST_LOOP: return intBytes(this.mcLoop ? 1 : 0);
      case IP_OPTIONS: return new Uint8Array(0);
      case IP_PKTINFO: return intBytes(this.pktinfo ? 1 : 0);
      case IP_FREEBIND: return intBytes(this.freebind ? 1 : 0);
      case IP_RECVTTL: return intBytes(this.recvTtl ? 1 : 0);
      case IP_RECVTOS: return intBytes(this.recvTos ? 1 : 0);
      default: return -Errno.ENOPROTOOPT;
    }
  }
}

/**
 * IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS and IPV6_FREEBIND (ipv6(7); the last shares IP_FREEBIND's
 * flag) on `o`: 0 or -errno for those (an int is needed: EINVAL when optlen < 4), null for any other option. Any
 * nonzero value turns one on.
 */
export function setRecv6(o: InetOptions, name: number, val: Uint8Array): number | null {
  if (name !== IPV6_RECVPKTINFO && name !== IPV6_RECVHOPLIMIT && name !== IPV6_RECVTCLASS && name !== IPV6_FREEBIND) return null;
  if (val.length < 4) return -Errno.EINVAL;
  const on = new DataView(val.buffer, val.byteOffset, 4).getInt32(0, true) !== 0;
  if (name === IPV6_FREEBIND) o.freebind = on;
  else if (name === IPV6_RECVPKTINFO) o.recvPktinfo6 = on;
  else if (name === IPV6_RECVHOPLIMIT) o.recvHoplimit6 = on;
  else o.recvTclass6 = on;
  return 0;
}

/** getsockopt of those four options, or null for any other. */
export function getRecv6(o: InetOptions, name: number): Uint8Array | null {
  if (name === IPV6_FREEBIND) return intBytes(o.freebind ? 1 : 0);
  if (name === IPV6_RECVPKTINFO) return intBytes(o.recvPktinfo6 ? 1 : 0);
  if (name === IPV6_RECVHOPLIMIT) return intBytes(o.recvHoplimit6 ? 1 : 0);
  if (name === IPV6_RECVTCLASS) return intBytes(o.recvTclass6 ? 1 : 0);
  return null;
}

/** IP_PMTUDISC_INTERFACE and IP_PMTUDISC_OMIT (linux/in.h; the same numbers serve IPV6_PMTUDISC_*). */
export const IP_PMTUDISC_INTERFACE = 4, IP_PMTUDISC_OMIT = 5;
/** IPV6_DONTFRAG and IPV6_FREEBIND (linux/in6.h). */
export const IPV6_DONTFRAG = 62, IPV6_FREEBIND = 78;

/**
 * IP_MTU_DISCOVER on a datagram socket (ip(7)): IP_PMTUDISC_DONT..IP_PMTUDISC_OMIT, else EINVAL; and IP_RECVERR
 * (a flag). An int or one byte. Null for any other option.
 */
export function setPmtu4(o: InetOptions, name: number, val: Uint8Array): number | null {
  if (name !== IP_MTU_DISCOVER && name !== IP_RECVERR) return null;
  if (val.length < 1) return -Errno.EINVAL;
  const v = val.length >= 4 ? new DataView(val.buffer, val.byteOffset, 4).getInt32(0, true) : val[0]!;
  if (name === IP_RECVERR) {
    o.recverr = v !== 0;
    return 0;
  }
  if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT) return -Errno.EINVAL;
  o.pmtudisc = v;
  return 0;
}

/** IPV6_MTU_DISCOVER (0..5, else EINVAL), IPV6_DONTFRAG and IPV6_RECVERR (flags) (ipv6(7)); ints. Null otherwise. */
export function setPmtu6(o: InetOptions, name: number, val: Uint8Array): number | null {
  if (name !== IPV6_MTU_DISCOVER && name !== IPV6_DONTFRAG && name !== IPV6_RECVERR) return null;
  if (val.length < 4) return -Errno.EINVAL;
  const v = new DataView(val.buffer, val.byteOffset, 4).getInt32(0, true);
  if (name === IPV6_DONTFRAG || name === IPV6_RECVERR) {
    if (name === IPV6_DONTFRAG) o.dontfrag6 = v !== 0;
    else o.recverr6 = v !== 0;
    return 0;
  }
  if (v < IP_PMTUDISC_DONT || v > IP_PMTUDISC_OMIT) return -Errno.EINVAL;
  o.pmtudisc6 = v;
  return 0;
}

/** getsockopt of IP_MTU_DISCOVER, IP_RECVERR, IPV6_MTU_DISCOVER, IPV6_DONTFRAG or IPV6_RECVERR, or null otherwise. */
export function getPmtu(o: InetOptions, level: number, name: number): Uint8Array | null {
  if (level === IPPROTO_IP && name === IP_MTU_DISCOVER) return intBytes(o.pmtudisc);
  if (level === IPPROTO_IP && name === IP_RECVERR) return intBytes(o.recverr ? 1 : 0);
  if (level === IPPROTO_IPV6 && name === IPV6_RECVERR) return intBytes(o.recverr6 ? 1 : 0);
  if (level === IPPROTO_IPV6 && name === IPV6_MTU_DISCOVER) return intBytes(o.pmtudisc6);
  if (level === IPPROTO_IPV6 && name === IPV6_DONTFRAG) return intBytes(o.dontfrag6 ? 1 : 0);
  return null;
}

/**
 * How an IPv4 datagram of `len` bytes leaves under IP_MTU_DISCOVER `mode` (__ip_append_data, __ip_make_skb):
 * DONT, WANT and DO measure it against the path MTU, PROBE, INTERFACE and OMIT against the device's
 * (ip_sk_use_pmtu); too big is EMSGSIZE unless the mode lets it fragment (DONT, WANT, OMIT: ip_sk_ignore_df).
 * DF is set for DO and PROBE, and for WANT when it fits the path MTU. `mtu` is what GSO segments must fit.
 */
export function v4SendPlan(mode: number, len: number, pathMtu: number, devMtu: number, gso = false): { df: boolean; mtu: number } | number {
  const mtu = mode < IP_PMTUDISC_PROBE ? pathMtu : devMtu;
  const ignoreDf = mode < IP_PMTUDISC_DO || mode === IP_PMTUDISC_OMIT;
  // A GSO send is checked per segment (udp-level.ts gsoSegments), not as a whole.
  if (len > mtu && !ignoreDf && !gso) return -Errno.EMSGSIZE;
  return { df: mode === IP_PMTUDISC_DO || mode === IP_PMTUDISC_PROBE || (mode === IP_PMTUDISC_WANT && len <= pathMtu), mtu };
}

/**
 * The IPv6 counterpart (ip6_append_data): IPv6 has no DF bit; a datagram over the MTU the mode measures against is
 * EMSGSIZE with IPV6_DONTFRAG or a mode that does not fragment (DO, PROBE, INTERFACE), else the source fragments.
 */
export function v6SendPlan(mode: number, dontfrag: boolean, len: number, pathMtu: number, devMtu: number, gso = false): { mtu: number } | number {
  const mtu = mode < IP_PMTUDISC_PROBE ? pathMtu : devMtu;
  const ignoreDf = mode < IP_PMTUDISC_DO || mode === IP_PMTUDISC_OMIT;
  if (len > mtu && (dontfrag || !ignoreDf) && !gso) return -Errno.EMSGSIZE;
  return { mtu };
}
