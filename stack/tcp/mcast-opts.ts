/**
 * Multicast options on TCP sockets (ip(7), ipv6(7)), as do_ip_setsockopt and do_ipv6_setsockopt answer a
 * connection-oriented socket. Checked on Linux 6.18: joining or leaving a group is EPROTO (IP_ADD_MEMBERSHIP,
 * IP_DROP_MEMBERSHIP at once; IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP after the struct ipv6_mreq length check);
 * IP_MULTICAST_TTL and IP_MULTICAST_IF are EINVAL ("if (sk->sk_type == SOCK_STREAM) goto e_inval");
 * IPV6_MULTICAST_HOPS and IPV6_MULTICAST_IF are ENOPROTOOPT; the loop and "all" flags are taken and read back
 * (IP_MULTICAST_ALL and IPV6_MULTICAST_LOOP only 0 or 1). Reads: IP_MULTICAST_IF 0.0.0.0, TTL 1, LOOP 1, ALL 1; IPV6_MULTICAST_IF 0,
 * HOPS 1, LOOP 1, ALL 1. A TCP socket never sends to a group, so none of them changes what goes on the wire.
 */
import {
  IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_ALL, IP_MULTICAST_IF, IP_MULTICAST_TTL, IPV6_JOIN_GROUP,
  IPV6_LEAVE_GROUP, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, IPV6_MULTICAST_LOOP,
} from '../constants.js';
import { IPV6_MULTICAST_ALL } from '../multicast.js';
import { Errno } from '../errno.js';
import { intBytes } from '../sockopt.js';
import type { InetOptions } from '../inet-opts.js';

/** sizeof(struct ipv6_mreq): the group address and the interface index. */
const IPV6_MREQ_SIZE = 20;

function intOf(v: Uint8Array): number {
  return v.length >= 4 ? new DataView(v.buffer, v.byteOffset, 4).getInt32(0, true) : v[0] ?? 0;
}

/** setsockopt at IPPROTO_IP: a result for the multicast options, or null for the others. */
export function setStreamMcast4(f: InetOptions, name: number, v: Uint8Array): number | null {
  switch (name) {
    case IP_ADD_MEMBERSHIP:
    case IP_DROP_MEMBERSHIP:
      return -Errno.EPROTO;
    case IP_MULTICAST_TTL:
    case IP_MULTICAST_IF:
      return -Errno.EINVAL;
    case IP_MULTICAST_ALL: {
      const x = intOf(v);
      if (v.length < 1 || (x !== 0 && x !== 1)) return -Errno.EINVAL;
      f.mcAll = x === 1;
      return 0;
    }
    default:
      return null;
  }
}

/** getsockopt at IPPROTO_IP: the value for IP_MULTICAST_IF and IP_MULTICAST_ALL, or null for the others. */
export function getStreamMcast4(f: InetOptions, name: number): Uint8Array | null {
  if (name === IP_MULTICAST_IF) return new Uint8Array(4);
  if (name === IP_MULTICAST_ALL) return intBytes(f.mcAll ? 1 : 0);
  return null;
}

/** setsockopt at IPPROTO_IPV6: a result for the multicast options, or null for the others. */
export function setStreamMcast6(f: InetOptions, name: number, v: Uint8Array): number | null {
  switch (name) {
    case IPV6_JOIN_GROUP:
    case IPV6_LEAVE_GROUP:
      return v.length < IPV6_MREQ_SIZE ? -Errno.EINVAL : -Errno.EPROTO;
    case IPV6_MULTICAST_HOPS:
    case IPV6_MULTICAST_IF:
      return -Errno.ENOPROTOOPT;
    case IPV6_MULTICAST_LOOP: {
      if (v.length < 4) return -Errno.EINVAL;
      const x = intOf(v);
      if (x !== 0 && x !== 1) return -Errno.EINVAL;
      f.mc6Loop = x === 1;
      return 0;
    }
    case IPV6_MULTICAST_ALL:
      if (v.length < 4) return -Errno.EINVAL;
      f.mc6All = intOf(v) !== 0;
      return 0;
    default:
      return null;
  }
}

/** getsockopt at IPPROTO_IPV6: the multicast values, or null for the others. */
export function getStreamMcast6(f: InetOptions, name: number): Uint8Array | null {
  switch (name) {
    case IPV6_MULTICAST_IF: return intBytes(0);
    case IPV6_MULTICAST_HOPS: return intBytes(1);
    case IPV6_MULTICAST_LOOP: return intBytes(f.mc6Loop ? 1 : 0);
    case IPV6_MULTICAST_ALL: return intBytes(f.mc6All ? 1 : 0);
    default: return null;
  }
}
