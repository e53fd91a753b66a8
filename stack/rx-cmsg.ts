/**
 * The control messages a datagram socket's recvmsg adds to each message, in the order Linux 6.18 puts them
 * (checked in unshare -n over loopback):
 *   1. sock_recv_cmsgs: SCM_TIMESTAMP (struct timeval) for SO_TIMESTAMP or SCM_TIMESTAMPNS (struct timespec) for
 *      SO_TIMESTAMPNS — the arrival time; socksim's clock is the virtual time, counted from the Unix epoch — then
 *      SO_RXQ_OVFL (u32, the datagrams the socket had dropped when this one was queued) when that is not 0;
 *   2. an AF_INET6 socket (ip6_datagram_recv_common/specific_ctl): IPV6_PKTINFO (struct in6_pktinfo; a v4-mapped
 *      address for an IPv4 datagram), then for IPv6 datagrams IPV6_HOPLIMIT and IPV6_TCLASS (ints);
 *   3. IPv4 datagrams (ip_cmsg_recv_offset), on either family's socket: IP_PKTINFO (struct in_pktinfo: ifindex,
 *      spec_dst, addr), IP_TTL (int), IP_TOS (one byte).
 */
import { SOL_SOCKET, SO_RXQ_OVFL, SO_TIMESTAMP } from './constants.js';
import type { InetOptions } from './inet-opts.js';
import type { Ipv4Meta } from './ipv4.js';
import type { Ipv6Meta } from './ipv6.js';
import type { Cmsg } from './socket.js';

/** SO_TIMESTAMPNS / SCM_TIMESTAMPNS (asm-generic/socket.h, the _OLD form on 64-bit). */
export const SO_TIMESTAMPNS = 35;
const SOL_IP = 0, SOL_IPV6 = 41;
const IP_PKTINFO = 8, IP_TTL = 2, IP_TOS = 1;
const IPV6_PKTINFO = 50, IPV6_HOPLIMIT = 52, IPV6_TCLASS = 67;

/** What a received datagram's control messages are made from, kept with it in the queue. */
export interface RxInfo {
  /** Virtual time it was queued, ns, or -1 when no socket on the host wanted stamps then (see `rxStampNow`). */
  readonly t: number;
  readonly v: 4 | 6;
  /** TTL / hop limit and TOS / traffic class of its IP header. */
  readonly ttl: number;
  readonly tos: number;
  /** The interface it came in on. */
  readonly ifindex: number;
  /** IPv4: the header's destination, and the local address a reply would use (spec_dst). */
  readonly dst4: number;
  readonly specDst4: number;
  /** IPv6: the header's destination (a copy). */
  readonly dst6: Uint8Array | null;
  /** The socket's drop count when it was queued (SO_RXQ_OVFL). */
  readonly drops: number;
}

/** The socket-level receive flags of SOL_SOCKET (SO_TIMESTAMP, SO_TIMESTAMPNS, SO_RXQ_OVFL). */
export interface RxSocketFlags {
  timestamp: boolean;
  timestampNs: boolean;
  rxqOvfl: boolean;
}

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

function i32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** struct timeval / struct timespec on LP64: two 8-byte longs. */
function timePair(sec: number, frac: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(sec), true);
  dv.setBigInt64(8, BigInt(frac), true);
  return b;
}

function be32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

function v4mapped(a: number): Uint8Array {
  const b = new Uint8Array(16);
  b[10] = b[11] = 0xff;
  b.set(be32(a), 12);
  return b;
}

/** SCM_TIMESTAMP (struct timeval) or, with SO_TIMESTAMPNS, SCM_TIMESTAMPNS (struct timespec) for virtual time t. */
export function timestampCmsg(s: RxSocketFlags, t: number): Cmsg {
  const sec = Math.floor(t / 1e9);
  const ns = t - sec * 1e9;
  return s.timestampNs
    ? { level: SOL_SOCKET, type: SO_TIMESTAMPNS, data: timePair(sec, ns) }
    : { level: SOL_SOCKET, type: SO_TIMESTAMP, data: timePair(sec, Math.floor(ns / 1000)) };
}

/**
 * A packet's receive stamp (skb->tstamp) as it arrives at `host`: now when some socket on the host turned receive
 * timestamps on (net_enable_timestamp), else -1 (unstamped).
 */
export function rxStampNow(host: { readonly netstampUsers: number; readonly sim: { readonly now: number } }): number {
  return host.netstampUsers > 0 ? host.sim.now : -1;
}

/**
 * The control messages for one received datagram on a socket of `family` (AF_INET 2, AF_INET6 10), read at virtual
 * time `now`: a datagram that arrived unstamped is stamped when read (__sock_recv_timestamp; Linux 6.18 over
 * loopback gives the read time for a datagram queued before SO_TIMESTAMPNS was set).
 */
export function recvCmsgs(family: number, s: RxSocketFlags, ip: InetOptions, info: RxInfo, now: number): Cmsg[] {
  const out: Cmsg[] = [];
  if (s.timestamp) out.push(timestampCmsg(s, info.t >= 0 ? info.t : now));
  if (s.rxqOvfl && info.drops > 0) out.push({ level: SOL_SOCKET, type: SO_RXQ_OVFL, data: u32(info.drops) });
  if (family === 10) {
    if (ip.recvPktinfo6) {
      const p = new Uint8Array(20);
      p.set(info.v === 6 ? info.dst6! : v4mapped(info.dst4), 0);
      p.set(i32(info.ifindex), 16);
      out.push({ level: SOL_IPV6, type: IPV6_PKTINFO, data: p });
    }
    if (info.v === 6) {
      if (ip.recvHoplimit6) out.push({ level: SOL_IPV6, type: IPV6_HOPLIMIT, data: i32(info.ttl) });
      if (ip.recvTclass6) out.push({ level: SOL_IPV6, type: IPV6_TCLASS, data: i32(info.tos) });
    }
  }
  if (info.v === 4) {
    if (ip.pktinfo) {
      const p = new Uint8Array(12);
      p.set(i32(info.ifindex), 0);
      p.set(be32(info.specDst4), 4);
      p.set(be32(info.dst4), 8);
      out.push({ level: SOL_IP, type: IP_PKTINFO, data: p });
    }
    if (ip.recvTtl) out.push({ level: SOL_IP, type: IP_TTL, data: i32(info.ttl) });
    if (ip.recvTos) out.push({ level: SOL_IP, type: IP_TOS, data: Uint8Array.of(info.tos) });
  }
  return out;
}

/** What to keep of an arriving datagram's IP header, at virtual time `t`, with the socket's drop count. */
export function rxInfoOf(meta: Ipv4Meta | Ipv6Meta, t: number, drops: number): RxInfo {
  if (meta.v === 4) {
    // fib_compute_spec_dst: the destination itself, or for a broadcast or multicast the interface's address.
    const spec = meta.broadcast ? meta.iface.primaryIpv4() ?? meta.dst : meta.dst;
    return { t, v: 4, ttl: meta.ttl, tos: meta.tos, ifindex: meta.iface.index, dst4: meta.dst, specDst4: spec, dst6: null, drops };
  }
  return { t, v: 6, ttl: meta.hopLimit, tos: meta.trafficClass, ifindex: meta.iface.index, dst4: 0, specDst4: 0, dst6: meta.dst.slice(), drops };
}
