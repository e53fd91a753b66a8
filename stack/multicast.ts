/**
 * Multicast group membership of datagram sockets (ip(7), ipv6(7)), as Linux 6.x answers it (net/ipv4/igmp.c,
 * net/ipv4/ip_sockglue.c, net/ipv6/mcast.c, net/ipv6/ipv6_sockglue.c); every errno below was checked on Linux 6.18:
 *   - IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP take struct ip_mreq (8 bytes) or ip_mreqn (≥ 12); shorter is EINVAL.
 *     The interface is imr_ifindex, else the one owning imr_address, else the route to the group (no route:
 *     ENODEV). Joining a non-multicast address is EINVAL, the same group on the same interface twice EADDRINUSE,
 *     a 21st group on one socket ENOBUFS (igmp_max_memberships 20); leaving a group not joined (or a unicast
 *     address) is EADDRNOTAVAIL, and ENODEV when no interface was named and none routes to it;
 *   - IP_MULTICAST_IF takes an in_addr (4), ip_mreq (the interface is its *second* field) or ip_mreqn; 0.0.0.0 with
 *     no index resets it; an address no interface has, or an unknown index, is EADDRNOTAVAIL; reads back the address
 *     given (0.0.0.0 when only an index was); IP_MULTICAST_ALL is 0 or 1 (EINVAL otherwise), 1 by default on
 *     AF_INET sockets and 0 on AF_INET6 ones (inet6_create never sets it);
 *   - IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP take struct ipv6_mreq (20 bytes, else EINVAL); a non-multicast group is
 *     EINVAL for both; index 0 picks the route's interface and clashes (EADDRINUSE) with the group joined on any
 *     interface; an unknown index is ENODEV; leaving what was not joined is EADDRNOTAVAIL; IPV6_MULTICAST_HOPS is
 *     -1..255 (-1 = 1), IPV6_MULTICAST_LOOP 0 or 1, IPV6_MULTICAST_IF an existing index (ENODEV) or 0, all ints
 *     (optlen < 4 is EINVAL); IPV6_MULTICAST_ALL is 1 by default;
 *   - delivery (ip_mc_sf_allow, inet6_mc_check): a socket that joined the group takes it (IPv4: when it joined on
 *     the interface the datagram came in on); any other socket on the port only when its *_MULTICAST_ALL is set.
 * An interface is in a group while any socket holds a membership there; the first membership and the last leave
 * are reported to the link (stack/mcast-report.ts). Source filters (MCAST_*, IP_ADD_SOURCE_MEMBERSHIP) are not
 * modelled: they are ENOPROTOOPT.
 */
import { AF_INET, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_ALL, IP_MULTICAST_IF, IPV6_JOIN_GROUP,
  IPV6_LEAVE_GROUP, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF, IPV6_MULTICAST_LOOP, SOCK_STREAM } from './constants.js';
import { Errno } from './errno.js';
import type { Host } from './host.js';
import type { Interface } from './iface.js';
import { reportGroup4, reportGroup6 } from './mcast-report.js';
import { readU32, writeU32 } from './wire/bytes.js';
import { ipv6Equal, ipv6ToString, isIpv6Multicast } from './wire/addr.js';

/** IPV6_MULTICAST_ALL (linux/in6.h; not in constants.ts). */
export const IPV6_MULTICAST_ALL = 29;
/** net.ipv4.igmp_max_memberships. */
export const IGMP_MAX_MEMBERSHIPS = 20;
/** IPV6_DEFAULT_MCASTHOPS. */
const DEFAULT_MCAST_HOPS = 1;

/** struct ip_mreqn as the kernel holds a membership (ip_mc_socklist.multi). */
interface Mreqn {
  group: number;
  addr: number;
  ifindex: number;
}

/** An IPv6 membership (ipv6_mc_socklist). */
interface Mreq6 {
  group: Uint8Array;
  ifindex: number;
}

function int32(v: Uint8Array): number {
  return new DataView(v.buffer, v.byteOffset, 4).getInt32(0, true);
}

function intBytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** The interface with this index, if any. */
function ifaceByIndex(host: Host, index: number): Interface | undefined {
  return host.interfaces.find((i) => i.index === index);
}

/** __ip_dev_find: the interface holding addr (127/8 is lo's through its local route). */
function ifaceByAddr(host: Host, addr: number): Interface | undefined {
  return host.interfaces.find((i) => i.hasIpv4(addr)) ?? (addr >>> 24 === 127 ? host.loopback : undefined);
}

/** ip_mc_inc_group: one more membership of iface in group; the first one is reported. */
function incGroup4(iface: Interface, group: number): void {
  const n = iface.groups4.get(group) ?? 0;
  iface.groups4.set(group, n + 1);
  if (n === 0) reportGroup4(iface, group, true);
}

/** ip_mc_dec_group. */
function decGroup4(iface: Interface, group: number): void {
  const n = iface.groups4.get(group);
  if (n === undefined) return; // forgotten by a crash
  if (n > 1) return void iface.groups4.set(group, n - 1);
  iface.groups4.delete(group);
  reportGroup4(iface, group, false);
}

/** __ipv6_dev_mc_inc: a group the interface is already in (all-nodes, solicited-node…) is not reported again. */
function incGroup6(iface: Interface, group: Uint8Array): void {
  const key = ipv6ToString(group);
  const e = iface.joined6.get(key);
  if (e) return void e.users++;
  const already = iface.inGroup6(group);
  iface.joined6.set(key, { addr: group.slice(), users: 1 });
  if (!already) reportGroup6(iface, group, true);
}

/** __ipv6_dev_mc_dec. */
function decGroup6(iface: Interface, group: Uint8Array): void {
  const key = ipv6ToString(group);
  const e = iface.joined6.get(key);
  if (!e) return;
  if (--e.users > 0) return;
  iface.joined6.delete(key);
  if (!iface.inGroup6(group)) reportGroup6(iface, group, false);
}

/** Per-socket multicast state: inet_sock's mc_* fields and ipv6_pinfo's mcast_* ones. */
export class SockMcast {
  /** IP_MULTICAST_IF: interface index and address (0: none). */
  mcIndex = 0;
  mcAddr = 0;
  /** IP_MULTICAST_ALL. */
  mcAll: boolean;
  private readonly list4: Mreqn[] = [];
  /** IPV6_MULTICAST_IF, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_LOOP, IPV6_MULTICAST_ALL. */
  mcastOif = 0;
  mcastHops = DEFAULT_MCAST_HOPS;
  loop6 = true;
  all6 = true;
  private readonly list6: Mreq6[] = [];

  constructor(readonly host: Host, family: number, private readonly type: number) {
    this.mcAll = family === AF_INET;
  }

  /**
   * setsockopt(IPPROTO_IP) for the options kept here: 0 or -errno, or null for an option this class does not own
   * (the caller hands it to InetOptions). `boundDev` is sk_bound_dev_if.
   */
  setIp(name: number, val: Uint8Array, boundDev: number): number | null {
    switch (name) {
      case IP_MULTICAST_IF:
        return this.setIf(val, boundDev);
      case IP_MULTICAST_ALL: {
        if (val.length < 1) return -Errno.EINVAL;
        const v = val.length >= 4 ? int32(val) : val[0]!;
        if (v !== 0 && v !== 1) return -Errno.EINVAL;
        this.mcAll = v === 1;
        return 0;
      }
      case IP_ADD_MEMBERSHIP:
      case IP_DROP_MEMBERSHIP: {
        if (this.type === SOCK_STREAM) return -Errno.EPROTO; // connection-oriented sockets (inet_csk)
        if (val.length < 8) return -Errno.EINVAL;
        const imr = { group: readU32(val, 0), addr: readU32(val, 4), ifindex: val.length >= 12 ? int32(val.subarray(8)) : 0 };
        return name === IP_ADD_MEMBERSHIP ? this.join4(imr) : this.leave4(imr);
      }
      default:
        return null;
    }
  }

  /** getsockopt(IPPROTO_IP) for the options kept here, or null. */
  getIp(name: number): Uint8Array | null {
    if (name === IP_MULTICAST_ALL) return intBytes(this.mcAll ? 1 : 0);
    if (name !== IP_MULTICAST_IF) return null;
    const b = new Uint8Array(4);
    writeU32(b, 0, this.mcAddr);
    return b;
  }

  /** do_ip_setsockopt(IP_MULTICAST_IF). */
  private setIf(val: Uint8Array, boundDev: number): number {
    if (this.type === SOCK_STREAM) return -Errno.EINVAL;
    if (val.length < 4) return -Errno.EINVAL;
    // An in_addr is the interface address; ip_mreq and ip_mreqn carry it second, and ip_mreqn an index third.
    const addr = val.length >= 8 ? readU32(val, 4) : readU32(val, 0);
    let ifindex = val.length >= 12 ? int32(val.subarray(8)) : 0;
    if (!ifindex) {
      if (addr === 0) {
        this.mcIndex = 0;
        this.mcAddr = 0;
        return 0;
      }
      const dev = ifaceByAddr(this.host, addr);
      if (!dev) return -Errno.EADDRNOTAVAIL;
      ifindex = dev.index;
    } else if (!ifaceByIndex(this.host, ifindex)) {
      return -Errno.EADDRNOTAVAIL;
    }
    if (boundDev && ifindex !== boundDev) return -Errno.EINVAL;
    this.mcIndex = ifindex;
    this.mcAddr = addr;
    return 0;
  }

  /** ip_mc_find_dev: by index, else by address, else by the route to the group; sets imr.ifindex. */
  private findDev(imr: Mreqn): Interface | undefined {
    if (imr.ifindex) return ifaceByIndex(this.host, imr.ifindex);
    let dev: Interface | undefined;
    if (imr.addr) {
      dev = ifaceByAddr(this.host, imr.addr);
      if (!dev) return undefined;
    }
    dev ??= this.host.ipv4.route(imr.group)?.iface;
    if (dev) imr.ifindex = dev.index;
    return dev;
  }

  /** __ip_mc_join_group (exclude mode, no sources). */
  private join4(imr: Mreqn): number {
    if (imr.group >>> 28 !== 0xe) return -Errno.EINVAL;
    const dev = this.findDev(imr);
    if (!dev) return -Errno.ENODEV;
    if (this.list4.some((m) => m.group === imr.group && m.ifindex === imr.ifindex)) return -Errno.EADDRINUSE;
    if (this.list4.length >= IGMP_MAX_MEMBERSHIPS) return -Errno.ENOBUFS;
    this.list4.unshift(imr); // inet->mc_list takes new entries at its head
    incGroup4(dev, imr.group);
    return 0;
  }

  /** ip_mc_leave_group. */
  private leave4(imr: Mreqn): number {
    const given = imr.ifindex !== 0 || imr.addr !== 0;
    const dev = this.findDev(imr);
    if (!given && !dev) return -Errno.ENODEV;
    const i = this.list4.findIndex((m) => m.group === imr.group &&
      (imr.ifindex ? m.ifindex === imr.ifindex : !imr.addr || imr.addr === m.addr));
    if (i < 0) return -Errno.EADDRNOTAVAIL;
    const [m] = this.list4.splice(i, 1);
    const d = ifaceByIndex(this.host, m!.ifindex);
    if (d) decGroup4(d, m!.group);
    return 0;
  }

  /** setsockopt(IPPROTO_IPV6) for the options kept here (see setIp). */
  setIpv6(name: number, val: Uint8Array, boundDev: number): number | null {
    if (name === IPV6_JOIN_GROUP || name === IPV6_LEAVE_GROUP) {
      if (val.length < 20) return -Errno.EINVAL;
      if (this.type === SOCK_STREAM) return -Errno.EPROTO;
      const m = { group: val.slice(0, 16), ifindex: int32(val.subarray(16)) };
      return name === IPV6_JOIN_GROUP ? this.join6(m) : this.leave6(m);
    }
    if (name !== IPV6_MULTICAST_HOPS && name !== IPV6_MULTICAST_LOOP && name !== IPV6_MULTICAST_IF && name !== IPV6_MULTICAST_ALL) return null;
    if (this.type === SOCK_STREAM && name !== IPV6_MULTICAST_ALL && name !== IPV6_MULTICAST_LOOP) return -Errno.ENOPROTOOPT;
    if (val.length < 4) return -Errno.EINVAL;
    const v = int32(val);
    switch (name) {
      case IPV6_MULTICAST_HOPS:
        if (v < -1 || v > 255) return -Errno.EINVAL;
        this.mcastHops = v === -1 ? DEFAULT_MCAST_HOPS : v;
        return 0;
      case IPV6_MULTICAST_LOOP:
        if (v !== 0 && v !== 1) return -Errno.EINVAL;
        this.loop6 = v === 1;
        return 0;
      case IPV6_MULTICAST_IF:
        if (v !== 0) {
          if (!ifaceByIndex(this.host, v)) return -Errno.ENODEV;
          if (boundDev && boundDev !== v) return -Errno.EINVAL;
        }
        this.mcastOif = v;
        return 0;
      default:
        this.all6 = v !== 0;
        return 0;
    }
  }

  /** getsockopt(IPPROTO_IPV6) for the options kept here, or null. */
  getIpv6(name: number): Uint8Array | null {
    switch (name) {
      case IPV6_MULTICAST_HOPS: return intBytes(this.mcastHops);
      case IPV6_MULTICAST_LOOP: return intBytes(this.loop6 ? 1 : 0);
      case IPV6_MULTICAST_IF: return intBytes(this.mcastOif);
      case IPV6_MULTICAST_ALL: return intBytes(this.all6 ? 1 : 0);
      default: return null;
    }
  }

  /** __ipv6_sock_mc_join. */
  private join6(m: Mreq6): number {
    if (!isIpv6Multicast(m.group)) return -Errno.EINVAL;
    if (this.list6.some((x) => (m.ifindex === 0 || x.ifindex === m.ifindex) && ipv6Equal(x.group, m.group))) return -Errno.EADDRINUSE;
    const dev = m.ifindex === 0 ? this.host.ipv6.route(m.group)?.iface : ifaceByIndex(this.host, m.ifindex);
    if (!dev) return -Errno.ENODEV;
    this.list6.unshift({ group: m.group, ifindex: dev.index });
    incGroup6(dev, m.group);
    return 0;
  }

  /** ipv6_sock_mc_drop. */
  private leave6(m: Mreq6): number {
    if (!isIpv6Multicast(m.group)) return -Errno.EINVAL;
    const i = this.list6.findIndex((x) => (m.ifindex === 0 || x.ifindex === m.ifindex) && ipv6Equal(x.group, m.group));
    if (i < 0) return -Errno.EADDRNOTAVAIL;
    const [x] = this.list6.splice(i, 1);
    const d = ifaceByIndex(this.host, x!.ifindex);
    if (d) decGroup6(d, x!.group);
    return 0;
  }

  /** ip_mc_sf_allow: whether an IPv4 datagram to `group` that came in on `ifindex` reaches this socket. */
  allow4(group: number, ifindex: number): boolean {
    if (group >>> 28 !== 0xe) return true;
    return this.list4.some((m) => m.group === group && m.ifindex === ifindex) || this.mcAll;
  }

  /** inet6_mc_check: whether an IPv6 datagram to `group` reaches this socket (membership on any interface counts). */
  allow6(group: Uint8Array): boolean {
    return this.list6.some((m) => ipv6Equal(m.group, group)) || this.all6;
  }

  /** ip_mc_drop_socket and ipv6_sock_mc_close: every membership goes when the socket is closed. */
  dropAll(): void {
    for (const m of this.list4.splice(0)) {
      const d = ifaceByIndex(this.host, m.ifindex);
      if (d) decGroup4(d, m.group);
    }
    for (const m of this.list6.splice(0)) {
      const d = ifaceByIndex(this.host, m.ifindex);
      if (d) decGroup6(d, m.group);
    }
  }
}
