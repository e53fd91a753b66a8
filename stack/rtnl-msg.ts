/**
 * rtnetlink messages as Linux lays them out (little-endian nlmsghdr, ifinfomsg / ifaddrmsg, 4-byte aligned rtattrs):
 * RTM_NEWLINK (rtnl_fill_ifinfo), RTM_NEWADDR / RTM_DELADDR (inet_fill_ifaddr, inet6_fill_ifaddr), for dump replies
 * and for the notifications stack/netlink.ts sends to its multicast groups. IFLA_OPERSTATE and IFLA_CARRIER follow
 * the flags as dev_get_flags shows them: IFF_RUNNING means IF_OPER_UP, IFF_LOWER_UP a carrier.
 */
import { AF_INET, AF_INET6, IFF_LOWER_UP, IFF_RUNNING, IFF_UP } from './constants.js';
import type { Host } from './host.js';
import { ipv4ScopeOf } from './ifconfig.js';
import { ARPHRD_ETHER, ARPHRD_LOOPBACK, linkBroadcast, linkStats } from './ifaddrs.js';
import { writeMac, writeU32 } from './wire/bytes.js';
import type { Interface, Ipv4Assignment, Ipv6Assignment } from './iface.js';

/** Netlink control message types (linux/netlink.h). */
export const NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_MIN_TYPE = 0x10;
/** rtnetlink message types (linux/rtnetlink.h). */
export const RTM_NEWLINK = 16, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
/** nlmsg_flags bits (linux/netlink.h). */
export const NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_DUMP = 0x300, NLM_F_CAPPED = 0x100;
/** Link attributes (linux/if_link.h). */
export const IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_STATS = 7, IFLA_TXQLEN = 13,
  IFLA_OPERSTATE = 16, IFLA_LINKMODE = 17, IFLA_GROUP = 27, IFLA_PROMISCUITY = 30, IFLA_CARRIER = 33;
/** Address attributes (linux/if_addr.h). */
export const IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_CACHEINFO = 6, IFA_FLAGS = 8;
/** ifa_flags bits. */
export const IFA_F_SECONDARY = 0x01, IFA_F_PERMANENT = 0x80;
/** Header sizes: nlmsghdr, ifinfomsg, ifaddrmsg. */
export const NLMSG_HDRLEN = 16, IFINFOMSG_LEN = 16;
const IFADDRMSG_LEN = 8;
/** SKB_WITH_OVERHEAD(PAGE_SIZE): how much one dump datagram holds. */
export const NLMSG_GOODSIZE = 3776;
/** RFC 2863 operstates: IF_OPER_UNKNOWN (lo), DOWN, LOWERLAYERDOWN (up, not yet running), UP. */
const IF_OPER_UNKNOWN = 0, IF_OPER_DOWN = 2, IF_OPER_LOWERLAYERDOWN = 3, IF_OPER_UP = 6;

/** Rounds a length up to NLMSG_ALIGN / RTA_ALIGN (4 bytes). */
export const align4 = (n: number): number => (n + 3) & ~3;

/** Builds one netlink message: header, fixed part, attributes. */
export class MsgBuilder {
  private readonly parts: Uint8Array[] = [];
  private len = NLMSG_HDRLEN;

  constructor(private readonly type: number, private readonly flags: number, private readonly seq: number, private readonly pid: number) {}

  /** Appends raw bytes, padded to 4. */
  raw(b: Uint8Array): this {
    const p = new Uint8Array(align4(b.length));
    p.set(b);
    this.parts.push(p);
    this.len += p.length;
    return this;
  }

  /** Appends an rtattr. */
  attr(type: number, data: Uint8Array): this {
    const a = new Uint8Array(4 + data.length);
    const dv = new DataView(a.buffer);
    dv.setUint16(0, 4 + data.length, true);
    dv.setUint16(2, type, true);
    a.set(data, 4);
    return this.raw(a);
  }

  u32(type: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    return this.attr(type, b);
  }

  u8(type: number, v: number): this {
    return this.attr(type, Uint8Array.of(v));
  }

  str(type: number, s: string): this {
    const b = new Uint8Array(s.length + 1);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    return this.attr(type, b);
  }

  /** The finished message. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.len);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, this.len, true);
    dv.setUint16(4, this.type, true);
    dv.setUint16(6, this.flags, true);
    dv.setUint32(8, this.seq, true);
    dv.setUint32(12, this.pid, true);
    let o = NLMSG_HDRLEN;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

/**
 * RTM_NEWLINK for one interface (rtnl_fill_ifinfo, a subset of its attributes in its order). `change` is
 * ifi_change; `ifFlags` the flags to report (a notification may show a state the interface has already left).
 */
export function linkMessage(i: Interface, flags: number, seq: number, pid: number, change = 0, ifFlags = i.flags): Uint8Array {
  const ifi = new Uint8Array(IFINFOMSG_LEN);
  const dv = new DataView(ifi.buffer);
  ifi[0] = 0; // ifi_family AF_UNSPEC
  dv.setUint16(2, i.loopback ? ARPHRD_LOOPBACK : ARPHRD_ETHER, true);
  dv.setInt32(4, i.index, true);
  dv.setUint32(8, ifFlags, true);
  dv.setUint32(12, change, true);
  const mac = new Uint8Array(6), brd = new Uint8Array(6);
  writeMac(mac, 0, i.loopback ? 0 : i.mac);
  writeMac(brd, 0, linkBroadcast(i));
  const s = linkStats(i);
  const stats = new Uint8Array(96);
  const sv = new DataView(stats.buffer);
  [s.rxPackets, s.txPackets, s.rxBytes, s.txBytes, s.rxErrors, s.txErrors, s.rxDropped, s.txDropped, s.multicast, s.collisions]
    .forEach((v, k) => sv.setUint32(k * 4, v >>> 0, true));
  const oper = i.loopback ? IF_OPER_UNKNOWN : ifFlags & IFF_RUNNING ? IF_OPER_UP : ifFlags & IFF_UP ? IF_OPER_LOWERLAYERDOWN : IF_OPER_DOWN;
  return new MsgBuilder(RTM_NEWLINK, flags, seq, pid).raw(ifi)
    .str(IFLA_IFNAME, i.name).u32(IFLA_TXQLEN, 1000).u8(IFLA_OPERSTATE, oper).u8(IFLA_LINKMODE, 0)
    .u32(IFLA_MTU, i.mtu).u32(IFLA_GROUP, 0).u32(IFLA_PROMISCUITY, 0).u8(IFLA_CARRIER, ifFlags & IFF_LOWER_UP ? 1 : 0)
    .attr(IFLA_ADDRESS, mac).attr(IFLA_BROADCAST, brd).attr(IFLA_STATS, stats).bytes();
}

/** struct ifa_cacheinfo of a permanent address: lifetimes INFINITY_LIFE_TIME, stamps at boot. */
function cacheinfo(): Uint8Array {
  const b = new Uint8Array(16);
  writeU32(b, 0, 0xffffffff);
  writeU32(b, 4, 0xffffffff);
  return b;
}

/** An IPv4 address's RTM_NEWADDR or RTM_DELADDR (inet_fill_ifaddr). */
export function addr4Message(i: Interface, a: Ipv4Assignment, type: number, flags: number, seq: number, pid: number): Uint8Array {
  const f = IFA_F_PERMANENT | (a.secondary ? IFA_F_SECONDARY : 0);
  const ifa = new Uint8Array(IFADDRMSG_LEN);
  ifa.set([AF_INET, a.prefixLen, f & 0xff, ipv4ScopeOf(a.addr)]);
  new DataView(ifa.buffer).setUint32(4, i.index, true);
  const addr = new Uint8Array(4);
  writeU32(addr, 0, a.addr);
  const m = new MsgBuilder(type, flags, seq, pid).raw(ifa).attr(IFA_ADDRESS, addr).attr(IFA_LOCAL, addr);
  if (a.broadcast !== undefined) {
    const b = new Uint8Array(4);
    writeU32(b, 0, a.broadcast);
    m.attr(IFA_BROADCAST, b);
  }
  return m.str(IFA_LABEL, i.name).u32(IFA_FLAGS, f).attr(IFA_CACHEINFO, cacheinfo()).bytes();
}

/** An IPv6 address's RTM_NEWADDR or RTM_DELADDR (inet6_fill_ifaddr; no DAD, so permanent at once). */
export function addr6Message(i: Interface, a: Ipv6Assignment, type: number, flags: number, seq: number, pid: number): Uint8Array {
  const scope = a.scope === 'host' ? 254 : a.scope === 'link' ? 253 : 0;
  const ifa = new Uint8Array(IFADDRMSG_LEN);
  ifa.set([AF_INET6, a.prefixLen, IFA_F_PERMANENT, scope]);
  new DataView(ifa.buffer).setUint32(4, i.index, true);
  return new MsgBuilder(type, flags, seq, pid).raw(ifa).attr(IFA_ADDRESS, a.addr)
    .attr(IFA_CACHEINFO, cacheinfo()).u32(IFA_FLAGS, IFA_F_PERMANENT).bytes();
}

/** RTM_NEWADDR messages of one family for every interface, in index order (a dump). */
export function addrMessages(host: Host, family: number, flags: number, seq: number, pid: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const i of [...host.interfaces].sort((x, y) => x.index - y.index)) {
    if (family === AF_INET) for (const a of i.ipv4) out.push(addr4Message(i, a, RTM_NEWADDR, flags, seq, pid));
    else for (const a of i.ipv6) out.push(addr6Message(i, a, RTM_NEWADDR, flags, seq, pid));
  }
  return out;
}
