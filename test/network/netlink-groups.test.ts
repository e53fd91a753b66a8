/**
 * NETLINK_ROUTE multicast groups, against Linux 6.18 in a network namespace (Python AF_NETLINK sockets, `ip addr` /
 * `ip link` making the changes):
 *   - NETLINK_ADD_MEMBERSHIP takes groups 1..39 (RTNLGRP_MAX), else EINVAL, as are group 0 and an optlen below 4;
 *     dropping a group not joined succeeds; other levels are ENOPROTOOPT; NETLINK_LIST_MEMBERSHIPS gives 8 bytes of
 *     bitmap, getsockname the groups 1..32 in nl_groups;
 *   - bind replaces groups 1..32 with nl_groups, but only with the socket's own port id once bound (EINVAL);
 *     connect may name a group, and getpeername shows it;
 *   - `ip addr add` / `del` send RTM_NEWADDR / RTM_DELADDR to RTNLGRP_IPV4_IFADDR (nl_groups 0x10 in the source
 *     address) or RTNLGRP_IPV6_IFADDR (0x100): ifaddrmsg and rtattrs as in a dump, seq and pid 0 for changes not
 *     made over netlink; deleting a primary announces its secondaries first;
 *   - `ip link set mtu` sends RTM_NEWLINK with ifi_change 0 (nothing when unchanged); `down` one with flags 0x1002
 *     and ifi_change IFF_UP (operstate DOWN, no carrier); `up` one with 0x11003 (ifi_change 1, operstate
 *     LOWERLAYERDOWN, carrier) and then 0x11043 (ifi_change 0, operstate UP);
 *   - a member that never bound a port id hears nothing;
 *   - root may send to a group (members but the sender get it, from its port id); a non-root sendto to a group or
 *     another port, and connect to a group, are EPERM, while joining a group is not.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, AF_NETLINK, IFF_UP, NETLINK_ADD_MEMBERSHIP, NETLINK_DROP_MEMBERSHIP, SOCK_RAW, SOL_NETLINK } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { addIpv4Address, addIpv6Address, removeIpv4Address, removeIpv6Address, setLinkUp, setMtu } from '../../stack/ifconfig.js';
import { NETLINK_LIST_MEMBERSHIPS, RTM_DELADDR, RTM_NEWADDR, RTM_NEWLINK, sockaddrNl } from '../../stack/netlink.js';
import type { AddrOut, Sys } from '../../stack/sys.js';
import { ms } from '../../sim/time.js';
import { ipv6FromString } from '../../stack/wire/addr.js';
import { makeNet } from './helpers.js';
import { hex } from './mcast-helpers.js';

const nl = sockaddrNl;

/** [nl_pid, nl_groups] of a sockaddr_nl. */
function unNl(b: Uint8Array): [number, number] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return [dv.getInt32(4, true), dv.getUint32(8, true)];
}

async function name(sys: Sys, fd: number, peer = false): Promise<[number, number]> {
  const out: AddrOut = { addr: null };
  await (peer ? sys.getpeername(fd, out) : sys.getsockname(fd, out));
  return unNl((out.addr as { bytes: Uint8Array }).bytes);
}

/** A host x with eth0 (index 2, no address yet) cabled to y. */
function host() {
  const { sim, net } = makeNet(5);
  const x = net.addHost('x');
  net.connect(x, net.addHost('y'));
  return { sim, x, eth0: x.iface('eth0')! };
}

describe('NETLINK_ROUTE groups: options and addresses', () => {
  test('NETLINK_ADD/DROP_MEMBERSHIP, LIST_MEMBERSHIPS, bind and connect with nl_groups', async () => {
    const { sim, x } = host();
    const r: Record<string, unknown> = {};
    x.spawn('p', async (sys) => {
      const e = (v: number) => (v === -1 ? -sys.errno : v);
      const s = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      r.add0 = e(await sys.setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 0));
      r.addLen2 = e(await sys.setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, Uint8Array.of(1, 0)));
      const adds: number[] = [];
      for (const g of [1, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 64, 65]) adds.push(e(await sys.setsockopt(s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g)));
      r.adds = adds;
      r.dropNotJoined = e(await sys.setsockopt(s, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, 7));
      r.drop1 = e(await sys.setsockopt(s, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, 1));
      r.drop1Again = e(await sys.setsockopt(s, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, 1));
      const list = { len: 16 };
      await sys.getsockopt(s, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, list);
      r.list = hex((list as { value?: Uint8Array }).value!);
      r.nameUnbound = await name(sys, s);
      r.otherLevelSet = e(await sys.setsockopt(s, 0, 1, 1));
      r.otherLevelGet = e(await sys.getsockopt(s, 0, 1, { len: 4 }));
      const t = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      r.bindGroups = e(await sys.bind(t, nl(0, 0x111)));
      const [pid] = await name(sys, t);
      r.bound = (await name(sys, t))[1];
      r.rebindOtherPid = e(await sys.bind(t, nl(0, 0x1)));
      r.afterOther = (await name(sys, t))[1];
      r.rebindOwnPid = e(await sys.bind(t, nl(pid, 0x1)));
      r.afterOwn = (await name(sys, t))[1];
      r.add40 = e(await sys.setsockopt(t, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 40));
      const u = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      r.connectGroup = e(await sys.connect(u, nl(0, 1)));
      r.peer = await name(sys, u, true);
    });
    await sim.run();
    expect(r).toEqual({
      add0: -Errno.EINVAL, addLen2: -Errno.EINVAL, adds: [...Array(10).fill(0), -Errno.EINVAL, -Errno.EINVAL, -Errno.EINVAL],
      dropNotJoined: 0, drop1: 0, drop1Again: 0, list: '000000c07f000000', nameUnbound: [0, 0xc0000000],
      otherLevelSet: -Errno.ENOPROTOOPT, otherLevelGet: -Errno.ENOPROTOOPT, bindGroups: 0, bound: 0x111,
      rebindOtherPid: -Errno.EINVAL, afterOther: 0x111, rebindOwnPid: 0, afterOwn: 0x1, add40: -Errno.EINVAL,
      connectGroup: 0, peer: [0, 1],
    });
  });
});

interface Note {
  from: [number, number];
  type: number;
  flags: number;
  seq: number;
  pid: number;
  body: Uint8Array;
}

/** Reads every queued datagram as notifications (one message each). */
async function notes(sys: Sys, fd: number): Promise<Note[]> {
  const out: Note[] = [];
  const buf = new Uint8Array(8192);
  for (;;) {
    const from: AddrOut = { addr: null };
    const n = await sys.recvfrom(fd, buf, 0x40 /* MSG_DONTWAIT */, from);
    if (n < 0) return out;
    const dv = new DataView(buf.buffer, 0, n);
    expect(dv.getUint32(0, true)).toBe(n); // one message per datagram
    out.push({
      from: unNl((from.addr as { bytes: Uint8Array }).bytes), type: dv.getUint16(4, true),
      flags: dv.getUint16(6, true), seq: dv.getUint32(8, true), pid: dv.getUint32(12, true), body: buf.slice(16, n),
    });
  }
}

/** rtattr types in order, and their values by type. */
function attrs(body: Uint8Array, fixed: number): { order: number[]; v: Map<number, Uint8Array> } {
  const order: number[] = [];
  const v = new Map<number, Uint8Array>();
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let o = fixed; o + 4 <= body.length;) {
    const len = dv.getUint16(o, true), type = dv.getUint16(o + 2, true);
    order.push(type);
    v.set(type, body.slice(o + 4, o + len));
    o += (len + 3) & ~3;
  }
  return { order, v };
}

describe('NETLINK_ROUTE groups: notifications of runtime changes', () => {
  test('addresses: RTM_NEWADDR / RTM_DELADDR to the family group, secondaries before their primary', async () => {
    const { sim, x, eth0 } = host();
    let got: Note[] = [];
    let quiet: Note[] = [];
    x.spawn('monitor', async (sys) => {
      const fd = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      await sys.bind(fd, nl(0, 0x111)); // RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR
      const unbound = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      await sys.setsockopt(unbound, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 5);
      await sys.sleep(ms(10));
      got = await notes(sys, fd);
      quiet = await notes(sys, unbound);
    });
    sim.at(ms(1), () => {
      addIpv4Address(eth0, 0x0a000001, 24, 0x0a0000ff); // ip addr add 10.0.0.1/24 brd + dev eth0
      addIpv4Address(eth0, 0x0a000007, 24); // a secondary
      removeIpv4Address(eth0, 0x0a000007);
      addIpv6Address(eth0, ipv6FromString('2001:db8::1')!, 64);
      removeIpv6Address(eth0, ipv6FromString('2001:db8::1')!);
      addIpv4Address(eth0, 0x0a000007, 24);
      addIpv4Address(eth0, 0x0a000008, 24);
      removeIpv4Address(eth0, 0x0a000001); // promote_secondaries 0: .7 and .8 go first
    });
    await sim.run();
    expect(quiet).toEqual([]);
    const summary = got.map((n) => {
      const a = attrs(n.body, 8);
      const addr = a.v.get(1)!;
      return [n.from[1], n.type, n.flags, n.seq, n.pid, [...n.body.subarray(0, 4)], n.body[4], a.order, addr.length === 4 ? addr.join('.') : hex(addr)];
    });
    const v4 = (type: number, f: number, order: number[], addr: string) => [0x10, type, 0, 0, 0, [AF_INET, 24, f, 0], 2, order, addr];
    const withBrd = [1, 2, 4, 3, 8, 6], noBrd = [1, 2, 3, 8, 6];
    expect(summary).toEqual([
      v4(RTM_NEWADDR, 0x80, withBrd, '10.0.0.1'), v4(RTM_NEWADDR, 0x81, noBrd, '10.0.0.7'), v4(RTM_DELADDR, 0x81, noBrd, '10.0.0.7'),
      [0x100, RTM_NEWADDR, 0, 0, 0, [AF_INET6, 64, 0x80, 0], 2, [1, 6, 8], '20010db8000000000000000000000001'],
      [0x100, RTM_DELADDR, 0, 0, 0, [AF_INET6, 64, 0x80, 0], 2, [1, 6, 8], '20010db8000000000000000000000001'],
      v4(RTM_NEWADDR, 0x81, noBrd, '10.0.0.7'), v4(RTM_NEWADDR, 0x81, noBrd, '10.0.0.8'),
      v4(RTM_DELADDR, 0x81, noBrd, '10.0.0.7'), v4(RTM_DELADDR, 0x81, noBrd, '10.0.0.8'), v4(RTM_DELADDR, 0x80, withBrd, '10.0.0.1'),
    ]);
    // The label and cacheinfo as Linux fills them for a permanent address.
    const first = attrs(got[0]!.body, 8).v;
    expect(new TextDecoder().decode(first.get(3)!)).toBe('eth0\0');
    expect(hex(first.get(4)!)).toBe('0a0000ff');
    expect(hex(first.get(6)!.subarray(0, 8))).toBe('ffffffffffffffff');
  });

  test('links: MTU and up/down as RTM_NEWLINK to RTNLGRP_LINK; only real changes; only subscribers', async () => {
    const { sim, x, eth0 } = host();
    const got: Record<string, Note[]> = {};
    x.spawn('monitor', async (sys) => {
      const link = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      await sys.bind(link, nl(0, 0));
      await sys.setsockopt(link, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 1); // RTNLGRP_LINK
      const addrOnly = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      await sys.bind(addrOnly, nl(0, 0x10));
      await sys.sleep(ms(10));
      got.link = await notes(sys, link);
      got.addrOnly = await notes(sys, addrOnly);
    });
    sim.at(ms(1), () => {
      setMtu(eth0, 1400);
      setMtu(eth0, 1400); // unchanged: nothing
      setLinkUp(eth0, false);
      setLinkUp(eth0, false);
      setLinkUp(eth0, true);
    });
    await sim.run();
    expect(got.addrOnly).toEqual([]);
    expect(got.link!.map((n) => {
      const dv = new DataView(n.body.buffer, n.body.byteOffset);
      const a = attrs(n.body, 16).v;
      return [n.from[1], n.type, dv.getInt32(4, true), dv.getUint32(8, true), dv.getUint32(12, true), a.get(16)![0], a.get(33)![0],
        new DataView(a.get(4)!.buffer).getUint32(0, true)];
    })).toEqual([
      [1, RTM_NEWLINK, 2, 0x11043, 0, 6, 1, 1400],
      [1, RTM_NEWLINK, 2, 0x1002, IFF_UP, 2, 0, 1400],
      [1, RTM_NEWLINK, 2, 0x11003, IFF_UP, 3, 1, 1400],
      [1, RTM_NEWLINK, 2, 0x11043, 0, 6, 1, 1400],
    ]);
  });

  test('sending to a group reaches its other members (and the kernel), and needs root', async () => {
    const { sim, x } = host();
    const r: Record<string, unknown> = {};
    x.spawn('p', async (sys) => {
      const e = (v: number) => (v === -1 ? -sys.errno : v);
      const a = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      const b = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      await sys.bind(a, nl(0, 0x4));
      await sys.bind(b, nl(0, 0x4));
      const [pa] = await name(sys, a);
      // NLMSG_NOOP with no flags: the kernel ignores it; b gets a copy from a's port, nl_groups 0x4.
      const noop = Uint8Array.of(16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
      r.send = e(await sys.sendto(a, noop, 0, nl(0, 0x4)));
      const got = await notes(sys, b);
      r.b = got.map((n) => [n.from[0] === pa, n.from[1], n.type]);
      r.self = (await notes(sys, a)).length;
      sys.uid = 1000;
      r.userSend = e(await sys.sendto(a, noop, 0, nl(0, 0x4)));
      r.userConnect = e(await sys.connect(a, nl(0, 0x4)));
      r.userJoin = e(await sys.setsockopt(a, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, 5));
      r.userUnicast = e(await sys.sendto(a, noop, 0, nl((await name(sys, b))[0], 0)));
    });
    await sim.run();
    expect(r).toEqual({ send: 16, b: [[true, 0x4, 1]], self: 0, userSend: -Errno.EPERM, userConnect: -Errno.EPERM, userJoin: 0, userUnicast: -Errno.EPERM });
  });
});

