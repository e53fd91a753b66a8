/**
 * What AF_INET and AF_INET6 UDP sockets share at the IPPROTO_UDP level (net/ipv4/udp.c): the options of
 * udp_lib_setsockopt/udp_lib_getsockopt (udp(7)), the SOL_UDP control messages of sendmsg (udp_cmsg_send), the
 * corked datagram being built (UDP_CORK, MSG_MORE) and UDP segmentation offload (UDP_SEGMENT, udp_send_skb).
 *
 * Checked on Linux 6.18 (unshare -n, lo with MTU 1500), for both families alike:
 * - UDP_CORK, UDP_NO_CHECK6_TX, UDP_NO_CHECK6_RX, UDP_GRO read back 0/1; UDP_SEGMENT takes 0..65535 (else EINVAL)
 *   and reads back its value; an option value shorter than an int is EINVAL; an unknown option ENOPROTOOPT.
 * - A send with a segment size larger than the datagram goes out whole; otherwise it leaves as segments of that
 *   size (the last shorter): 3000 bytes at 1000 → 1000, 1000, 1000. A segment that does not fit the path MTU with
 *   its IP and UDP headers is EMSGSIZE, more than 128 segments EINVAL (UDP_MAX_SEGMENTS), both checked when the
 *   datagram is pushed. A SOL_UDP UDP_SEGMENT message (a u16) sets the size for one call; another length or type is
 *   EINVAL.
 * UDP_ENCAP is not modelled: every value is ENOPROTOOPT, as on a kernel without CONFIG_XFRM (this kernel takes 2,
 * UDP_ENCAP_ESPINUDP, and then treats arriving datagrams as ESP). socksim's NICs do no GRO, so UDP_GRO is kept and
 * read back but datagrams are never coalesced; Linux coalesces a loopback GSO send for a UDP_GRO receiver.
 */
import { IPPROTO_UDP, SOL_UDP, UDP_CORK, UDP_ENCAP, UDP_GRO, UDP_NO_CHECK6_RX, UDP_NO_CHECK6_TX, UDP_SEGMENT } from './constants.js';
import { Errno } from './errno.js';
import type { Cmsg, SendArgs } from './socket.js';
import { intBytes } from './sockopt.js';
import type { Host } from './host.js';
import { v4SendPlan, type InetOptions } from './inet-opts.js';
import { emitUdp } from './wire/udp.js';

/** UDP_MAX_SEGMENTS (include/linux/udp.h): the most segments one GSO send may make. */
export const UDP_MAX_SEGMENTS = 128;

const UDP_HEADER_LEN = 8;

/** The IPPROTO_UDP options of one socket. */
export class UdpLevelOptions {
  /** UDP_CORK: sends build one pending datagram until uncorked. */
  cork = false;
  /** UDP_SEGMENT: the GSO segment size of sends (0: off). */
  gsoSize = 0;
  /** UDP_GRO: accepted and read back (see the module comment). */
  gro = false;
  /** UDP_NO_CHECK6_TX: IPv6 datagrams go out with a zero checksum (RFC 6935). */
  noCheck6Tx = false;
  /** UDP_NO_CHECK6_RX: IPv6 datagrams with a zero checksum are accepted (RFC 6936). */
  noCheck6Rx = false;

  /** udp_lib_setsockopt: 0 or -errno. The caller pushes a pending datagram when UDP_CORK goes to 0. */
  set(name: number, value: Uint8Array): number {
    if (value.length < 4) return -Errno.EINVAL;
    const v = new DataView(value.buffer, value.byteOffset, 4).getInt32(0, true);
    switch (name) {
      case UDP_CORK:
        this.cork = v !== 0;
        return 0;
      case UDP_NO_CHECK6_TX:
        this.noCheck6Tx = v !== 0;
        return 0;
      case UDP_NO_CHECK6_RX:
        this.noCheck6Rx = v !== 0;
        return 0;
      case UDP_SEGMENT:
        if (v < 0 || v > 0xffff) return -Errno.EINVAL;
        this.gsoSize = v;
        return 0;
      case UDP_GRO:
        this.gro = v !== 0;
        return 0;
      default:
        return -Errno.ENOPROTOOPT; // UDP_ENCAP included: not modelled
    }
  }

  /** udp_lib_getsockopt: the int value, or -ENOPROTOOPT. */
  get(name: number): Uint8Array | number {
    switch (name) {
      case UDP_CORK: return intBytes(this.cork ? 1 : 0);
      case UDP_ENCAP: return intBytes(0);
      case UDP_NO_CHECK6_TX: return intBytes(this.noCheck6Tx ? 1 : 0);
      case UDP_NO_CHECK6_RX: return intBytes(this.noCheck6Rx ? 1 : 0);
      case UDP_SEGMENT: return intBytes(this.gsoSize);
      case UDP_GRO: return intBytes(this.gro ? 1 : 0);
      default: return -Errno.ENOPROTOOPT;
    }
  }
}

/** The control messages of a UDP send; SCM_RIGHTS and SCM_CREDENTIALS are AF_UNIX's (EINVAL here). */
export function sendCmsgs(a: SendArgs): readonly Cmsg[] | number {
  if (a.control && (a.control.files || a.control.creds)) return -Errno.EINVAL;
  return a.control?.cmsgs ?? [];
}

/** udp_cmsg_send: the segment size for this send (UDP_SEGMENT, a u16), `dflt` without one, or -EINVAL. */
export function udpCmsgGso(cmsgs: readonly Cmsg[], dflt: number): number {
  let gso = dflt;
  for (const c of cmsgs) {
    if (c.level !== SOL_UDP) continue;
    if (c.type !== UDP_SEGMENT || c.data.length !== 2) return -Errno.EINVAL;
    gso = c.data[0]! | (c.data[1]! << 8);
  }
  return gso;
}

/**
 * udp_send_skb's GSO checks and the segmentation that follows: the payload pieces to send as separate datagrams,
 * or -errno. `ipHeader` is the IP header length and `mtu` the path MTU (cork->fragsize); `noCheck` is
 * SO_NO_CHECK / UDP_NO_CHECK6_TX, which GSO refuses.
 */
export function gsoSegments(data: Uint8Array, gso: number, ipHeader: number, mtu: number, noCheck: boolean): Uint8Array[] | number {
  if (gso === 0) return [data];
  if (ipHeader + UDP_HEADER_LEN + Math.min(data.length, gso) > mtu) return -Errno.EMSGSIZE;
  if (data.length > gso * UDP_MAX_SEGMENTS) return -Errno.EINVAL;
  if (noCheck) return -Errno.EINVAL;
  if (data.length <= gso) return [data];
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += gso) out.push(data.subarray(off, Math.min(data.length, off + gso)));
  return out;
}

/** A corked datagram being built (udp_sock.pending): its parts, and how to send it once complete. */
export class PendingDatagram {
  private readonly parts: Uint8Array[] = [];
  len = 0;

  /**
   * `family` is what udp_sock.pending records (4 or 6: which sendmsg owns it); `gso` the segment size the first
   * send chose; `flush` sends the whole payload.
   */
  constructor(readonly family: 4 | 6, readonly gso: number, private readonly flush: (data: Uint8Array, gso: number) => number) {}

  /** Appends a copy of `data`. */
  append(data: Uint8Array): void {
    this.parts.push(data.slice());
    this.len += data.length;
  }

  /** udp_push_pending_frames: sends the datagram; its result. */
  push(): number {
    const data = new Uint8Array(this.len);
    let off = 0;
    for (const x of this.parts) {
      data.set(x, off);
      off += x.length;
    }
    return this.flush(data, this.gso);
  }
}

/** What sendUdp4 needs of the sending socket (AF_INET, or AF_INET6 towards a v4-mapped address). */
export interface Udp4Source {
  readonly host: Host;
  readonly port: number;
  /** SO_NO_CHECK: the datagram goes out with a zero checksum ("not computed", RFC 768). */
  readonly noCheck: boolean;
  readonly ipOpts: InetOptions;
}

/**
 * udp_send_skb over IPv4: one datagram, or with a segment size its GSO segments, all at once. IP_MTU_DISCOVER
 * decides DF and whether a datagram over the MTU is EMSGSIZE or fragmented (v4SendPlan); `mcLoop` is the socket's
 * multicast loop flag (an AF_INET6 socket's is IPV6_MULTICAST_LOOP); `nextId` gives a connected socket's next
 * inet_id, or undefined to let IP choose.
 */
export function sendUdp4(s: Udp4Source, data: Uint8Array, src: number, daddr: number, dport: number, oif: number, gso: number,
  mcLoop: boolean, nextId: () => number | undefined): number {
  const ipv4 = s.host.ipv4;
  const pathMtu = ipv4.pathMtu(daddr, oif || undefined);
  const devMtu = ipv4.route(daddr, oif || undefined)?.iface.mtu ?? pathMtu;
  const plan = v4SendPlan(s.ipOpts.pmtudisc, 20 + UDP_HEADER_LEN + data.length, pathMtu, devMtu, gso > 0 && data.length > gso);
  if (typeof plan === 'number') return plan;
  const pieces = gsoSegments(data, gso, 20, plan.mtu, s.noCheck);
  if (typeof pieces === 'number') return pieces;
  const ttl = daddr >>> 28 === 0xe ? s.ipOpts.mcTtl : s.ipOpts.ttl;
  for (const payload of pieces) {
    const seg = emitUdp({ srcPort: s.port, dstPort: dport, payload }, s.noCheck ? null : { v: 4, src, dst: daddr });
    const id = nextId();
    const r = ipv4.output({
      src, dst: daddr, protocol: IPPROTO_UDP, payload: seg, dontFragment: plan.df, mtu: plan.mtu, ...(id !== undefined ? { id } : {}),
      ttl, tos: s.ipOpts.tos, mcLoop, ...(oif ? { oif } : {}),
    });
    if (r < 0) return r;
    s.host.udp.stats.outDatagrams++;
  }
  return data.length;
}
