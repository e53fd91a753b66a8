/**
 * AF_NETLINK / NETLINK_ROUTE sockets (netlink(7), rtnetlink(7)), enough for what getifaddrs(3), `ip link` and
 * `ip addr` ask: RTM_GETLINK (dump, or one link by index) and RTM_GETADDR dumps, answered with Linux's byte layout
 * (little-endian nlmsghdr, ifinfomsg/ifaddrmsg, 4-byte aligned rtattrs) and ended by NLMSG_DONE. Other requests get
 * NLMSG_ERROR with EOPNOTSUPP (socksim changes no configuration over netlink), carrying the request as Linux's
 * netlink_ack does; a request with NLM_F_ACK that succeeded gets an error-0 acknowledgement.
 *
 * Socket rules (af_netlink.c): SOCK_RAW or SOCK_DGRAM, else ESOCKTNOSUPPORT; protocols other than NETLINK_ROUTE are
 * not provided (EPROTONOSUPPORT); bind needs a 12-byte sockaddr_nl of family AF_NETLINK (EINVAL); port id 0 means
 * "pick one", which netlink_autobind does from -4096 downwards once the process id is taken (socksim does not know
 * the process here and always uses the rover); multicast groups are not supported (EOPNOTSUPP, not Linux's answer).
 * A dump's messages come in datagrams of at most NLMSG_GOODSIZE (3776) bytes, NLMSG_DONE in the last when it fits.
 */
import { AF_NETLINK, AF_INET, AF_INET6, NETLINK_ROUTE, SOCK_DGRAM, SOCK_RAW, IFF_UP } from './constants.js';
import { Errno } from './errno.js';
import type { Host } from './host.js';
import { Socket, type RecvResult } from './socket.js';
import { DatagramQueue } from './dgram-queue.js';
import { ipv4ScopeOf } from './ifconfig.js';
import { ARPHRD_ETHER, ARPHRD_LOOPBACK, linkBroadcast, linkStats } from './ifaddrs.js';
import { writeMac, writeU32 } from './wire/bytes.js';
import type { Interface } from './iface.js';

/** Netlink control message types (linux/netlink.h). */
export const NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_MIN_TYPE = 0x10;
/** rtnetlink message types (linux/rtnetlink.h). */
export const RTM_NEWLINK = 16, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_GETADDR = 22;
/** nlmsg_flags bits (linux/netlink.h). */
export const NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_DUMP = 0x300, NLM_F_CAPPED = 0x100;
/** Link attributes (linux/if_link.h). */
export const IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_STATS = 7, IFLA_TXQLEN = 13,
  IFLA_OPERSTATE = 16, IFLA_LINKMODE = 17, IFLA_GROUP = 27, IFLA_PROMISCUITY = 30, IFLA_CARRIER = 33;
/** Address attributes (linux/if_addr.h). */
export const IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_CACHEINFO = 6, IFA_FLAGS = 8;
/** ifa_flags bits. */
export const IFA_F_SECONDARY = 0x01, IFA_F_PERMANENT = 0x80;
/** Header sizes. */
const NLMSG_HDRLEN = 16, IFINFOMSG_LEN = 16, IFADDRMSG_LEN = 8;
/** SKB_WITH_OVERHEAD(PAGE_SIZE): how much one dump datagram holds. */
const NLMSG_GOODSIZE = 3776;
/** IF_OPER_UNKNOWN (lo), IF_OPER_DOWN, IF_OPER_UP (RFC 2863 operstates). */
const IF_OPER_UNKNOWN = 0, IF_OPER_DOWN = 2, IF_OPER_UP = 6;

const align4 = (n: number): number => (n + 3) & ~3;

/** Builds one netlink message: header, fixed part, attributes. */
class MsgBuilder {
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

/** RTM_NEWLINK for one interface (rtnl_fill_ifinfo, a subset of its attributes in its order). */
export function linkMessage(i: Interface, flags: number, seq: number, pid: number): Uint8Array {
  const ifi = new Uint8Array(IFINFOMSG_LEN);
  const dv = new DataView(ifi.buffer);
  ifi[0] = 0; // ifi_family AF_UNSPEC
  dv.setUint16(2, i.loopback ? ARPHRD_LOOPBACK : ARPHRD_ETHER, true);
  dv.setInt32(4, i.index, true);
  dv.setUint32(8, i.flags, true);
  dv.setUint32(12, 0, true); // ifi_change
  const mac = new Uint8Array(6), brd = new Uint8Array(6);
  writeMac(mac, 0, i.loopback ? 0 : i.mac);
  writeMac(brd, 0, linkBroadcast(i));
  const s = linkStats(i);
  const stats = new Uint8Array(96);
  const sv = new DataView(stats.buffer);
  [s.rxPackets, s.txPackets, s.rxBytes, s.txBytes, s.rxErrors, s.txErrors, s.rxDropped, s.txDropped, s.multicast, s.collisions]
    .forEach((v, k) => sv.setUint32(k * 4, v >>> 0, true));
  const oper = i.loopback ? IF_OPER_UNKNOWN : (i.flags & IFF_UP) ? IF_OPER_UP : IF_OPER_DOWN;
  return new MsgBuilder(RTM_NEWLINK, flags, seq, pid).raw(ifi)
    .str(IFLA_IFNAME, i.name).u32(IFLA_TXQLEN, 1000).u8(IFLA_OPERSTATE, oper).u8(IFLA_LINKMODE, 0)
    .u32(IFLA_MTU, i.mtu).u32(IFLA_GROUP, 0).u32(IFLA_PROMISCUITY, 0).u8(IFLA_CARRIER, (i.flags & IFF_UP) ? 1 : 0)
    .attr(IFLA_ADDRESS, mac).attr(IFLA_BROADCAST, brd).attr(IFLA_STATS, stats).bytes();
}

/** struct ifa_cacheinfo of a permanent address: lifetimes INFINITY_LIFE_TIME, stamps at boot. */
function cacheinfo(): Uint8Array {
  const b = new Uint8Array(16);
  writeU32(b, 0, 0xffffffff);
  writeU32(b, 4, 0xffffffff);
  return b;
}

/** RTM_NEWADDR messages of one family for every interface (inet_fill_ifaddr / inet6_fill_ifaddr). */
export function addrMessages(host: Host, family: number, flags: number, seq: number, pid: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const i of [...host.interfaces].sort((x, y) => x.index - y.index)) {
    if (family === AF_INET) {
      for (const a of i.ipv4) {
        const f = IFA_F_PERMANENT | (a.secondary ? IFA_F_SECONDARY : 0);
        const ifa = new Uint8Array(IFADDRMSG_LEN);
        ifa.set([AF_INET, a.prefixLen, f & 0xff, ipv4ScopeOf(a.addr)]);
        new DataView(ifa.buffer).setUint32(4, i.index, true);
        const addr = new Uint8Array(4);
        writeU32(addr, 0, a.addr);
        const m = new MsgBuilder(RTM_NEWADDR, flags, seq, pid).raw(ifa).attr(IFA_ADDRESS, addr).attr(IFA_LOCAL, addr);
        if (a.broadcast !== undefined) {
          const b = new Uint8Array(4);
          writeU32(b, 0, a.broadcast);
          m.attr(IFA_BROADCAST, b);
        }
        out.push(m.str(IFA_LABEL, i.name).u32(IFA_FLAGS, f).attr(IFA_CACHEINFO, cacheinfo()).bytes());
      }
    } else {
      for (const a of i.ipv6) {
        const scope = a.scope === 'host' ? 254 : a.scope === 'link' ? 253 : 0;
        const ifa = new Uint8Array(IFADDRMSG_LEN);
        ifa.set([AF_INET6, a.prefixLen, IFA_F_PERMANENT, scope]);
        new DataView(ifa.buffer).setUint32(4, i.index, true);
        out.push(new MsgBuilder(RTM_NEWADDR, flags, seq, pid).raw(ifa).attr(IFA_ADDRESS, a.addr)
          .attr(IFA_CACHEINFO, cacheinfo()).u32(IFA_FLAGS, IFA_F_PERMANENT).bytes());
      }
    }
  }
  return out;
}

/** Port ids in use on each host, and the autobind rover (a WeakMap: looked up, never iterated). */
const portTables = new WeakMap<Host, { socks: Map<number, NetlinkSocket>; rover: number }>();

function ports(host: Host): { socks: Map<number, NetlinkSocket>; rover: number } {
  let t = portTables.get(host);
  if (!t) portTables.set(host, (t = { socks: new Map(), rover: -4096 }));
  return t;
}

/** socket(AF_NETLINK, type, protocol). */
export function netlinkSocket(host: Host, type: number, protocol: number): NetlinkSocket | number {
  if (type !== SOCK_RAW && type !== SOCK_DGRAM) return -Errno.ESOCKTNOSUPPORT;
  if (protocol !== NETLINK_ROUTE) return -Errno.EPROTONOSUPPORT;
  return new NetlinkSocket(host, type);
}

/** A NETLINK_ROUTE socket. */
export class NetlinkSocket extends Socket {
  /** nl_pid: 0 until bound. */
  portid = 0;
  private dstPid = 0;
  private readonly queue = new DatagramQueue();

  constructor(host: Host, type: number) {
    super(host, AF_NETLINK, type, NETLINK_ROUTE);
  }

  /** sockaddr_nl bytes. */
  private static addr(pid: number): Uint8Array {
    const b = new Uint8Array(12);
    const dv = new DataView(b.buffer);
    dv.setUint16(0, AF_NETLINK, true);
    dv.setUint32(4, pid >>> 0, true);
    return b;
  }

  private static decode(b: Uint8Array): { pid: number; groups: number } | number {
    if (b.length < 12) return -Errno.EINVAL;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (dv.getUint16(0, true) !== AF_NETLINK) return -Errno.EINVAL;
    return { pid: dv.getInt32(4, true), groups: dv.getUint32(8, true) };
  }

  private autobind(): void {
    if (this.portid !== 0) return;
    const t = ports(this.host);
    while (t.socks.has(t.rover)) t.rover--;
    this.portid = t.rover--;
    t.socks.set(this.portid, this);
  }

  override bind(addr: Uint8Array): number {
    const a = NetlinkSocket.decode(addr);
    if (typeof a === 'number') return a;
    if (a.groups !== 0) return -Errno.EOPNOTSUPP; // multicast notifications are not implemented
    if (this.portid !== 0) return a.pid === this.portid ? 0 : -Errno.EINVAL;
    if (a.pid === 0) {
      this.autobind();
      return 0;
    }
    const t = ports(this.host);
    if (t.socks.has(a.pid)) return -Errno.EADDRINUSE;
    this.portid = a.pid;
    t.socks.set(a.pid, this);
    return 0;
  }

  override connect(addr: Uint8Array): number {
    const a = NetlinkSocket.decode(addr);
    if (typeof a === 'number') return a;
    if (a.groups !== 0) return -Errno.EOPNOTSUPP;
    this.autobind();
    this.dstPid = a.pid;
    return 0;
  }

  override sendmsg(data: Uint8Array, _flags: number, dest: Uint8Array | null): number {
    let pid = this.dstPid;
    if (dest) {
      const a = NetlinkSocket.decode(dest);
      if (typeof a === 'number') return a;
      if (a.groups !== 0) return -Errno.EOPNOTSUPP;
      pid = a.pid;
    }
    this.autobind();
    if (pid !== 0) {
      // Unicast to another netlink socket of this host.
      const peer = ports(this.host).socks.get(pid);
      if (!peer) return -Errno.ECONNREFUSED;
      peer.deliver([data.slice()], this.portid);
      return data.length;
    }
    this.kernelReceive(data);
    return data.length;
  }

  /** netlink_rcv_skb → rtnetlink_rcv_msg for each message in the buffer. */
  private kernelReceive(data: Uint8Array): void {
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let o = 0;
    while (data.length - o >= NLMSG_HDRLEN) {
      const len = dv.getUint32(o, true);
      if (len < NLMSG_HDRLEN || len > data.length - o) break;
      const msg = data.subarray(o, o + len);
      const type = dv.getUint16(o + 4, true), flags = dv.getUint16(o + 6, true), seq = dv.getUint32(o + 8, true);
      if ((flags & NLM_F_REQUEST) && type >= NLMSG_MIN_TYPE) {
        const err = this.request(msg, type, flags, seq);
        if (err !== 0 || (flags & NLM_F_ACK)) this.ack(msg, err, seq);
      } else if (flags & NLM_F_ACK) {
        this.ack(msg, 0, seq);
      }
      o += align4(len);
    }
  }

  /** One rtnetlink request: 0 when answered (dumps), else a negative errno for the error message. */
  private request(msg: Uint8Array, type: number, flags: number, seq: number): number {
    const dump = (flags & NLM_F_DUMP) === NLM_F_DUMP;
    const family = msg.length > NLMSG_HDRLEN ? msg[NLMSG_HDRLEN]! : 0;
    if (type === RTM_GETLINK) {
      const ifs = [...this.host.interfaces].sort((x, y) => x.index - y.index);
      if (dump) {
        this.dump(ifs.map((i) => linkMessage(i, NLM_F_MULTI, seq, this.portid)), seq);
        return 0;
      }
      if (msg.length < NLMSG_HDRLEN + IFINFOMSG_LEN) return -Errno.EINVAL;
      const index = new DataView(msg.buffer, msg.byteOffset).getInt32(NLMSG_HDRLEN + 4, true);
      const i = ifs.find((x) => x.index === index);
      if (!i) return -Errno.ENODEV;
      this.deliver([linkMessage(i, 0, seq, this.portid)], 0);
      return 0;
    }
    if (type === RTM_GETADDR && dump) {
      // rtnl_dump_all: a family without its own handler (AF_UNSPEC, AF_PACKET…) dumps every family, IPv4 first.
      const fams = family === AF_INET ? [AF_INET] : family === AF_INET6 ? [AF_INET6] : [AF_INET, AF_INET6];
      this.dump(fams.flatMap((f) => addrMessages(this.host, f, NLM_F_MULTI, seq, this.portid)), seq);
      return 0;
    }
    return -Errno.EOPNOTSUPP;
  }

  /** Queues dump messages in NLMSG_GOODSIZE datagrams, then NLMSG_DONE. */
  private dump(msgs: Uint8Array[], seq: number): void {
    const done = new MsgBuilder(NLMSG_DONE, NLM_F_MULTI, seq, this.portid).raw(new Uint8Array(4)).bytes();
    const grams: Uint8Array[][] = [[]];
    let size = 0;
    for (const m of [...msgs, done]) {
      if (size + m.length > NLMSG_GOODSIZE && grams[grams.length - 1]!.length > 0) {
        grams.push([]);
        size = 0;
      }
      grams[grams.length - 1]!.push(m);
      size += m.length;
    }
    for (const g of grams) this.deliver(g, 0);
  }

  /** netlink_ack: NLMSG_ERROR carrying errno and the request (only its header for a success). */
  private ack(req: Uint8Array, err: number, seq: number): void {
    const body = new Uint8Array(4 + (err !== 0 ? req.length : NLMSG_HDRLEN));
    new DataView(body.buffer).setInt32(0, err, true);
    body.set(err !== 0 ? req : req.subarray(0, NLMSG_HDRLEN), 4);
    this.deliver([new MsgBuilder(NLMSG_ERROR, err !== 0 ? 0 : NLM_F_CAPPED, seq, this.portid).raw(body).bytes()], 0);
  }

  /** Queues one datagram made of messages, from port `fromPid` (0: the kernel). */
  deliver(msgs: Uint8Array[], fromPid: number): void {
    const total = msgs.reduce((n, m) => n + m.length, 0);
    const gram = new Uint8Array(total);
    let o = 0;
    for (const m of msgs) {
      gram.set(m, o);
      o += m.length;
    }
    if (this.queue.push(gram, NetlinkSocket.addr(fromPid), this.rcvbuf)) this.notify();
    else this.host.countDrop('rcvbuf-full');
  }

  override recvmsg(len: number, flags: number): RecvResult | number {
    return this.queue.recvOrError(len, flags, () => this.takeError());
  }

  override localName(): Uint8Array {
    return NetlinkSocket.addr(this.portid);
  }

  override peerName(): Uint8Array | number {
    return NetlinkSocket.addr(this.dstPid);
  }

  poll(): number {
    return this.queue.pollMask(this.soError);
  }

  release(): void {
    this.closed = true;
    if (this.portid !== 0) ports(this.host).socks.delete(this.portid);
    this.queue.clear();
    this.notify();
  }
}
