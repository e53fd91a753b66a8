/**
 * AF_NETLINK / NETLINK_ROUTE sockets (netlink(7), rtnetlink(7)), enough for what getifaddrs(3), `ip link`,
 * `ip addr` and `ip monitor` ask: RTM_GETLINK (dump, or one link by index) and RTM_GETADDR dumps, answered with
 * Linux's byte layout (stack/rtnl-msg.ts) and ended by NLMSG_DONE. Other requests get NLMSG_ERROR with EOPNOTSUPP
 * (socksim changes no configuration over netlink), carrying the request as Linux's netlink_ack does; a request with
 * NLM_F_ACK that succeeded gets an error-0 acknowledgement.
 *
 * Socket rules (af_netlink.c): SOCK_RAW or SOCK_DGRAM, else ESOCKTNOSUPPORT; protocols other than NETLINK_ROUTE are
 * not provided (EPROTONOSUPPORT); bind needs a 12-byte sockaddr_nl of family AF_NETLINK (EINVAL), and once bound only
 * its own port id (EINVAL); port id 0 means "pick one", which netlink_autobind does from -4096 downwards once the
 * process id is taken (socksim does not know the process here and always uses the rover). A dump's messages come
 * in datagrams of at most NLMSG_GOODSIZE (3776) bytes, NLMSG_DONE in the last when it fits.
 *
 * Multicast groups (checked on Linux 6.18): anyone may join NETLINK_ROUTE groups (NL_CFG_F_NONROOT_RECV), by bind's
 * nl_groups (replacing groups 1..32) or NETLINK_ADD_MEMBERSHIP (1..RTNLGRP_MAX = 39, else EINVAL, as is an optlen
 * below 4); dropping a group not joined is no error; NETLINK_LIST_MEMBERSHIPS reads the bitmap, getsockname the
 * first 32 bits. Interface changes made through stack/ifconfig.ts reach the members of RTNLGRP_LINK (RTM_NEWLINK:
 * an IFF_UP change, then IFF_RUNNING coming up as linkwatch reports it; an MTU change), RTNLGRP_IPV4_IFADDR and
 * RTNLGRP_IPV6_IFADDR (RTM_NEWADDR / RTM_DELADDR), one message per datagram, from port 0 with nl_groups naming the
 * group, sequence 0; a member not bound to a port id hears none of them (do_one_broadcast). Sending to a group (sendto or connect with nl_groups), or by sendto to another port, needs
 * CAP_NET_ADMIN (EPERM; root here): members other than the sender get a copy, and the kernel still gets it when
 * nl_pid is 0. A notification that finds the receive queue full is dropped and the socket gets ENOBUFS
 * (netlink_overrun). Not modelled: route, neighbour and other groups (joining works, nothing is ever sent),
 * NETLINK_PKTINFO and the other SOL_NETLINK flags (ENOPROTOOPT), and the CAP_NET_ADMIN rtnetlink_bind asks for the
 * multicast-routing groups 30 and 31.
 */
import { AF_NETLINK, AF_INET, AF_INET6, AF_UNSPEC, IFF_RUNNING, IFF_UP, NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP,
  NETLINK_ROUTE, SOCK_DGRAM, SOCK_RAW, SOL_NETLINK } from './constants.js';
import { Errno } from './errno.js';
import type { Host } from './host.js';
import { Socket, type RecvResult, type SendArgs } from './socket.js';
import { DatagramQueue } from './dgram-queue.js';
import { onRtnlEvent, type RtnlEvent } from './rtnl-events.js';
import {
  addr4Message, addr6Message, addrMessages, align4, IFINFOMSG_LEN, linkMessage, MsgBuilder, NLMSG_DONE, NLMSG_ERROR,
  NLMSG_GOODSIZE, NLMSG_HDRLEN, NLMSG_MIN_TYPE, NLM_F_ACK, NLM_F_CAPPED, NLM_F_DUMP, NLM_F_MULTI, NLM_F_REQUEST,
  RTM_DELADDR, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR,
} from './rtnl-msg.js';

/** Message types and flags, re-exported for the socket's callers (defined in stack/rtnl-msg.ts). */
export {
  NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP, NLM_F_MULTI, NLM_F_REQUEST, RTM_DELADDR, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR,
  RTM_NEWLINK,
} from './rtnl-msg.js';
/** rtnetlink groups socksim announces to (linux/rtnetlink.h RTNLGRP_*). */
export const RTNLGRP_LINK = 1, RTNLGRP_IPV4_IFADDR = 5, RTNLGRP_IPV6_IFADDR = 9;
/** RTNLGRP_MAX of Linux 6.18: the groups a NETLINK_ROUTE socket can join. */
export const RTNL_NGROUPS = 39;
/** getsockopt(SOL_NETLINK) of the joined groups' bitmap (linux/netlink.h). */
export const NETLINK_LIST_MEMBERSHIPS = 9;

/** Each host's port ids in use, autobind rover and group members (a WeakMap: looked up, never iterated). */
interface HostTable {
  socks: Map<number, NetlinkSocket>;
  rover: number;
  /** Sockets with at least one group, in subscription order. */
  members: Set<NetlinkSocket>;
}
const tables = new WeakMap<Host, HostTable>();

function table(host: Host): HostTable {
  let t = tables.get(host);
  if (!t) {
    tables.set(host, (t = { socks: new Map(), rover: -4096, members: new Set() }));
    const members = t.members;
    onRtnlEvent(host, (ev) => {
      const [group, msgs] = notification(ev);
      // do_one_broadcast skips a member whose port id is the sender's: an unbound socket (port 0) hears no kernel.
      for (const s of members) if (s.portid !== 0 && s.inGroup(group)) for (const m of msgs) s.deliver([m], 0, group);
    });
  }
  return t;
}

/** The group and the messages (one per datagram) rtnetlink sends for a change. */
function notification(ev: RtnlEvent): [number, Uint8Array[]] {
  const i = ev.iface;
  if (ev.kind === 'addr4') return [RTNLGRP_IPV4_IFADDR, [addr4Message(i, ev.addr, ev.add ? RTM_NEWADDR : RTM_DELADDR, 0, 0, 0)]];
  if (ev.kind === 'addr6') return [RTNLGRP_IPV6_IFADDR, [addr6Message(i, ev.addr, ev.add ? RTM_NEWADDR : RTM_DELADDR, 0, 0, 0)]];
  // Coming up, __dev_notify_flags reports IFF_UP before linkwatch sets IFF_RUNNING and reports that (ifi_change 0).
  if (ev.change & IFF_UP && i.up) return [RTNLGRP_LINK, [linkMessage(i, 0, 0, 0, ev.change, i.flags & ~IFF_RUNNING), linkMessage(i, 0, 0, 0)]];
  return [RTNLGRP_LINK, [linkMessage(i, 0, 0, 0, ev.change)]];
}

/** netlink_group_mask: the nl_groups bit of a group (0 for none or beyond 32). */
function groupMask(group: number): number {
  return group >= 1 && group <= 32 ? (1 << (group - 1)) >>> 0 : 0;
}

/** ffs: the lowest group named by a mask (0 for none). */
function firstGroup(mask: number): number {
  for (let g = 1; g <= 32; g++) if (mask & groupMask(g)) return g;
  return 0;
}

/** struct sockaddr_nl bytes: family, nl_pid, nl_groups. */
export function sockaddrNl(pid: number, groups = 0): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_NETLINK, true);
  dv.setUint32(4, pid >>> 0, true);
  dv.setUint32(8, groups >>> 0, true);
  return b;
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
  /** dst_group of a connect() to a group (0: none). */
  private dstGroup = 0;
  /** The groups joined (1..RTNL_NGROUPS). */
  private readonly groups = new Set<number>();
  private readonly queue = new DatagramQueue();

  constructor(host: Host, type: number) {
    super(host, AF_NETLINK, type, NETLINK_ROUTE);
  }

  private static decode(b: Uint8Array): { pid: number; groups: number } | number {
    if (b.length < 12) return -Errno.EINVAL;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (dv.getUint16(0, true) !== AF_NETLINK) return -Errno.EINVAL;
    return { pid: dv.getInt32(4, true), groups: dv.getUint32(8, true) };
  }

  /** Whether the socket is in group g. */
  inGroup(g: number): boolean {
    return this.groups.has(g);
  }

  /** nl_groups as getsockname shows it: groups 1..32. */
  private groups32(): number {
    let m = 0;
    for (const g of this.groups) m |= groupMask(g);
    return m >>> 0;
  }

  /** Joins or leaves group g, keeping the host's member list (netlink_update_socket_mc). */
  private setGroup(g: number, on: boolean): void {
    if (on) this.groups.add(g);
    else this.groups.delete(g);
    const members = table(this.host).members;
    if (this.groups.size > 0) members.add(this);
    else members.delete(this);
  }

  private autobind(): void {
    if (this.portid !== 0) return;
    const t = table(this.host);
    while (t.socks.has(t.rover)) t.rover--;
    this.portid = t.rover--;
    t.socks.set(this.portid, this);
  }

  override bind(addr: Uint8Array): number {
    const a = NetlinkSocket.decode(addr);
    if (typeof a === 'number') return a;
    if (this.portid !== 0 && a.pid !== this.portid) return -Errno.EINVAL;
    if (this.portid === 0 && a.pid === 0) {
      this.autobind();
    } else if (this.portid === 0) {
      const t = table(this.host);
      if (t.socks.has(a.pid)) return -Errno.EADDRINUSE;
      this.portid = a.pid;
      t.socks.set(a.pid, this);
    }
    // netlink_bind: nl_groups replaces the memberships in groups 1..32 (untouched when both are empty).
    for (let g = 1; g <= 32; g++) if (a.groups & groupMask(g) || this.groups.has(g)) this.setGroup(g, (a.groups & groupMask(g)) !== 0);
    return 0;
  }

  override connect(addr: Uint8Array): number {
    if (addr.length >= 2 && (addr[0]! | (addr[1]! << 8)) === AF_UNSPEC) {
      this.dstPid = 0;
      this.dstGroup = 0;
      return 0;
    }
    const a = NetlinkSocket.decode(addr);
    if (typeof a === 'number') return a;
    // netlink_connect: sending to a group is NL_CFG_F_NONROOT_SEND, which NETLINK_ROUTE does not grant.
    if (a.groups !== 0 && (this.callerCred?.uid ?? 0) !== 0) return -Errno.EPERM;
    this.autobind();
    this.dstPid = a.pid;
    this.dstGroup = firstGroup(a.groups);
    return 0;
  }

  override sendmsgEx(a: SendArgs): number {
    if (a.control && (a.control.files || a.control.creds)) return -Errno.EINVAL;
    return this.send(a.data, a.dest, a.sender.uid === 0);
  }

  override sendmsg(data: Uint8Array, _flags: number, dest: Uint8Array | null): number {
    return this.send(data, dest, true);
  }

  /** netlink_sendmsg: a copy to the destination group's other members, then to the port (0: the kernel). */
  private send(data: Uint8Array, dest: Uint8Array | null, root: boolean): number {
    let pid = this.dstPid, group = this.dstGroup;
    if (dest) {
      const a = NetlinkSocket.decode(dest);
      if (typeof a === 'number') return a;
      pid = a.pid;
      group = firstGroup(a.groups);
      if ((group || pid) && !root) return -Errno.EPERM;
    }
    this.autobind();
    const t = table(this.host);
    if (group) for (const s of t.members) if (s.portid !== this.portid && s.inGroup(group)) s.deliver([data.slice()], this.portid, group);
    if (pid !== 0) {
      // Unicast to another netlink socket of this host.
      const peer = t.socks.get(pid);
      if (!peer) return -Errno.ECONNREFUSED;
      peer.deliver([data.slice()], this.portid);
      return data.length;
    }
    this.kernelReceive(data);
    return data.length;
  }

  /** SOL_NETLINK NETLINK_ADD_MEMBERSHIP / NETLINK_DROP_MEMBERSHIP (netlink_setsockopt). */
  override setProtoOpt(level: number, name: number, value: Uint8Array): number {
    if (level !== SOL_NETLINK) return -Errno.ENOPROTOOPT;
    if (name !== NETLINK_ADD_MEMBERSHIP && name !== NETLINK_DROP_MEMBERSHIP) return -Errno.ENOPROTOOPT;
    // An optlen below 4 leaves the value 0.
    const g = value.length >= 4 ? new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true) : 0;
    if (g === 0 || g - 1 >= RTNL_NGROUPS) return -Errno.EINVAL;
    this.setGroup(g, name === NETLINK_ADD_MEMBERSHIP);
    return 0;
  }

  /** SOL_NETLINK NETLINK_LIST_MEMBERSHIPS: the groups as u32 words, ALIGN(BITS_TO_BYTES(ngroups), 4) bytes. */
  override getProtoOpt(level: number, name: number): Uint8Array | number {
    if (level !== SOL_NETLINK || name !== NETLINK_LIST_MEMBERSHIPS) return -Errno.ENOPROTOOPT;
    const words = new Uint32Array(align4(Math.ceil(RTNL_NGROUPS / 8)) / 4);
    for (const g of this.groups) words[(g - 1) >> 5]! |= 1 << ((g - 1) & 31);
    return new Uint8Array(words.buffer);
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

  /**
   * Queues one datagram made of messages, from port `fromPid` (0: the kernel), sent to `group` (0: unicast). A full
   * queue drops it; the kernel's messages and broadcasts then set ENOBUFS (netlink_overrun).
   */
  deliver(msgs: Uint8Array[], fromPid: number, group = 0): void {
    const total = msgs.reduce((n, m) => n + m.length, 0);
    const gram = new Uint8Array(total);
    let o = 0;
    for (const m of msgs) {
      gram.set(m, o);
      o += m.length;
    }
    if (this.queue.push(gram, sockaddrNl(fromPid, groupMask(group)), this.rcvbuf)) return this.notify();
    this.host.countDrop('rcvbuf-full');
    if (fromPid === 0 || group !== 0) {
      this.soError = Errno.ENOBUFS;
      this.notify();
    }
  }

  override recvmsg(len: number, flags: number): RecvResult | number {
    return this.queue.recvOrError(len, flags, () => this.takeError());
  }

  override localName(): Uint8Array {
    return sockaddrNl(this.portid, this.groups32());
  }

  override peerName(): Uint8Array | number {
    return sockaddrNl(this.dstPid, groupMask(this.dstGroup));
  }

  poll(): number {
    return this.queue.pollMask(this.soError);
  }

  release(): void {
    this.closed = true;
    if (this.portid !== 0) table(this.host).socks.delete(this.portid);
    table(this.host).members.delete(this);
    this.queue.clear();
    this.notify();
  }
}
