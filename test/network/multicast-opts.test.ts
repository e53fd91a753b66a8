/**
 * Multicast socket options with Linux's errnos and read-back values. Every expectation below is what Linux 6.18
 * answered in a network namespace holding a veth pair v0 (10.0.0.1) / v1 (10.0.0.2) and no route to 224/4 (Python's
 * socket module: test/network/linux-probe/opts4.py and opts6.py): here the host has eth0 (10.0.0.1, index 2) and eth1 (10.0.0.2, index 3).
 * ip(7): IP_ADD/DROP_MEMBERSHIP, IP_MULTICAST_IF/TTL/LOOP/ALL; ipv6(7): IPV6_JOIN/LEAVE_GROUP,
 * IPV6_MULTICAST_IF/HOPS/LOOP/ALL.
 */
import { describe, expect, test } from 'vitest';
import {
  AF_INET, AF_INET6, IPPROTO_IP, IPPROTO_IPV6, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IP_MULTICAST_ALL, IP_MULTICAST_IF,
  IP_MULTICAST_LOOP, IP_MULTICAST_TTL, IP_TTL, IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP, SOCK_DGRAM,
} from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { IPV6_MULTICAST_ALL } from '../../stack/multicast.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import type { Sys } from '../../stack/sys.js';
import type { AddrOut } from '../../stack/sys.js';
import { makeNet } from './helpers.js';
import { inAddr, mreq, mreq6, mreqn } from './mcast-helpers.js';

/** Host x with eth0 10.0.0.1/24 and eth1 10.0.0.2/24 (as v0 and v1 in the namespace), cabled to y and z. */
function twoIfaces() {
  const { sim, net } = makeNet(3);
  const x = net.addHost('x');
  net.connect(x, net.addHost('y'), {}, { a: { ipv4: '10.0.0.1/24', ipv6: '2001:db8::1/64' } });
  net.connect(x, net.addHost('z'), {}, { a: { ipv4: '10.0.0.2/24', ipv6: '2001:db8::2/64' } });
  return { sim, x };
}

/** Runs body on x and returns what it recorded. */
async function probe(body: (sys: Sys, r: Record<string, unknown>) => Promise<void>): Promise<Record<string, unknown>> {
  const { sim, x } = twoIfaces();
  const r: Record<string, unknown> = {};
  x.spawn('probe', async (sys) => body(sys, r));
  await sim.run();
  return r;
}

/** setsockopt's result as 0 or -errno. */
async function set(sys: Sys, fd: number, level: number, name: number, v: Uint8Array | number): Promise<number> {
  return (await sys.setsockopt(fd, level, name, v)) === -1 ? -sys.errno : 0;
}

/** getsockopt's bytes as hex, or -errno. */
async function get(sys: Sys, fd: number, level: number, name: number, len = 4): Promise<string | number> {
  const out = { len };
  if ((await sys.getsockopt(fd, level, name, out)) === -1) return -sys.errno;
  return Buffer.from((out as { value?: Uint8Array }).value ?? []).toString('hex');
}

const ADD = IP_ADD_MEMBERSHIP, DROP = IP_DROP_MEMBERSHIP, IP = IPPROTO_IP, V6 = IPPROTO_IPV6;
const { EINVAL, ENODEV, EADDRINUSE, EADDRNOTAVAIL, ENOBUFS, ENOPROTOOPT, EOPNOTSUPP } = Errno;

describe('IPv4 multicast options (ip(7))', () => {
  test('defaults; IP_ADD_MEMBERSHIP and IP_DROP_MEMBERSHIP errnos as Linux', async () => {
    const r = await probe(async (sys, r) => {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      r.ttl = await get(sys, s, IP, IP_MULTICAST_TTL);
      r.loop = await get(sys, s, IP, IP_MULTICAST_LOOP);
      r.all = await get(sys, s, IP, IP_MULTICAST_ALL);
      r.if4 = await get(sys, s, IP, IP_MULTICAST_IF);
      r.if8 = await get(sys, s, IP, IP_MULTICAST_IF, 8);
      r.all1b = await get(sys, s, IP, IP_MULTICAST_ALL, 1);
      r.addLen4 = await set(sys, s, IP, ADD, inAddr('239.1.1.1'));
      r.addLen7 = await set(sys, s, IP, ADD, mreq('239.1.1.1', '10.0.0.1').subarray(0, 7));
      r.addNonMc = await set(sys, s, IP, ADD, mreq('10.0.0.9', '10.0.0.1'));
      r.addNonMcBadIf = await set(sys, s, IP, ADD, mreq('10.0.0.9', '10.9.9.9'));
      r.addAnyNoRoute = await set(sys, s, IP, ADD, mreq('239.1.1.1', '0.0.0.0'));
      r.addBadAddr = await set(sys, s, IP, ADD, mreq('239.1.1.1', '10.9.9.9'));
      r.addBadIdx = await set(sys, s, IP, ADD, mreqn('239.1.1.1', '0.0.0.0', 99));
      r.addEth0 = await set(sys, s, IP, ADD, mreq('239.1.1.1', '10.0.0.1'));
      r.addEth0Again = await set(sys, s, IP, ADD, mreq('239.1.1.1', '10.0.0.1'));
      r.addEth0IdxAgain = await set(sys, s, IP, ADD, mreqn('239.1.1.1', '0.0.0.0', 2));
      r.addEth0IdxOtherAddr = await set(sys, s, IP, ADD, mreqn('239.1.1.1', '10.0.0.2', 2));
      r.addEth1 = await set(sys, s, IP, ADD, mreqn('239.1.1.1', '0.0.0.0', 3));
      r.addLo = await set(sys, s, IP, ADD, mreqn('239.1.1.1', '0.0.0.0', 1));
      r.addAllSystems = await set(sys, s, IP, ADD, mreq('224.0.0.1', '10.0.0.1'));
      r.addMreqnAddrOnly = await set(sys, s, IP, ADD, mreqn('239.3.3.3', '10.0.0.2', 0));
      r.addLen16 = await set(sys, s, IP, ADD, Uint8Array.of(...mreqn('239.4.4.4', '10.0.0.2', 0), 0, 0, 0, 0));
      r.dropNotJoined = await set(sys, s, IP, DROP, mreq('239.9.9.9', '10.0.0.1'));
      r.dropNonMc = await set(sys, s, IP, DROP, mreq('10.0.0.9', '10.0.0.1'));
      r.dropAnyNoRoute = await set(sys, s, IP, DROP, mreq('239.9.9.9', '0.0.0.0'));
      r.dropBadAddr = await set(sys, s, IP, DROP, mreq('239.9.9.9', '10.9.9.9'));
      r.dropBadIdx = await set(sys, s, IP, DROP, mreqn('239.9.9.9', '0.0.0.0', 99));
      r.dropLen4 = await set(sys, s, IP, DROP, inAddr('239.1.1.1'));
      r.dropEth1ByIdx = await set(sys, s, IP, DROP, mreqn('239.1.1.1', '0.0.0.0', 3));
      r.dropEth1Again = await set(sys, s, IP, DROP, mreqn('239.1.1.1', '0.0.0.0', 3));
      r.dropEth0ByOtherAddr = await set(sys, s, IP, DROP, mreq('239.1.1.1', '10.0.0.2'));
      r.dropEth0 = await set(sys, s, IP, DROP, mreq('239.1.1.1', '10.0.0.1'));
      r.getAdd = await get(sys, s, IP, ADD, 8);
      const t = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      const limit: number[] = [];
      for (let i = 1; i <= 22; i++) limit.push(await set(sys, t, IP, ADD, mreq(`239.5.5.${i}`, '10.0.0.1')));
      r.limit = limit;
    });
    expect(r).toEqual({
      ttl: '01000000', loop: '01000000', all: '01000000', if4: '00000000', if8: '00000000', all1b: '01',
      addLen4: -EINVAL, addLen7: -EINVAL, addNonMc: -EINVAL, addNonMcBadIf: -EINVAL, addAnyNoRoute: -ENODEV,
      addBadAddr: -ENODEV, addBadIdx: -ENODEV, addEth0: 0, addEth0Again: -EADDRINUSE, addEth0IdxAgain: -EADDRINUSE,
      addEth0IdxOtherAddr: -EADDRINUSE, addEth1: 0, addLo: 0, addAllSystems: 0, addMreqnAddrOnly: 0, addLen16: 0,
      dropNotJoined: -EADDRNOTAVAIL, dropNonMc: -EADDRNOTAVAIL, dropAnyNoRoute: -ENODEV, dropBadAddr: -EADDRNOTAVAIL,
      dropBadIdx: -EADDRNOTAVAIL, dropLen4: -EINVAL, dropEth1ByIdx: 0, dropEth1Again: -EADDRNOTAVAIL,
      dropEth0ByOtherAddr: -EADDRNOTAVAIL, dropEth0: 0, getAdd: -ENOPROTOOPT,
      limit: [...Array(20).fill(0), -ENOBUFS, -ENOBUFS],
    });
  });

  test('IP_MULTICAST_IF, IP_MULTICAST_ALL, IP_MULTICAST_LOOP; AF_INET6 sockets take IPPROTO_IP options; binding a group', async () => {
    const r = await probe(async (sys, r) => {
      const u = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      const steps: [string, Uint8Array | number][] = [
        ['len3', Uint8Array.of(10, 0, 0)], ['addr', inAddr('10.0.0.1')], ['bad', inAddr('10.9.9.9')],
        ['mreq', mreq('10.0.0.2', '10.0.0.1')], ['mreqFirstOnly', mreq('10.0.0.2', '0.0.0.0')],
        ['mreqnIdx', mreqn('0.0.0.0', '0.0.0.0', 3)], ['mreqnBadIdx', mreqn('0.0.0.0', '0.0.0.0', 99)],
        ['mreqnIdxAddr', mreqn('0.0.0.0', '10.9.9.9', 3)], ['bcast', inAddr('10.0.0.255')], ['zero', inAddr('0.0.0.0')],
        ['int3', 3],
      ];
      const ifs: [string, number, string | number][] = [];
      for (const [k, v] of steps) ifs.push([k, await set(sys, u, IP, IP_MULTICAST_IF, v), await get(sys, u, IP, IP_MULTICAST_IF)]);
      r.ifs = ifs;
      r.all2 = await set(sys, u, IP, IP_MULTICAST_ALL, 2);
      r.all0 = await set(sys, u, IP, IP_MULTICAST_ALL, 0);
      r.allGet = await get(sys, u, IP, IP_MULTICAST_ALL);
      r.allLen0 = await set(sys, u, IP, IP_MULTICAST_ALL, new Uint8Array(0));
      r.all1Byte2 = await set(sys, u, IP, IP_MULTICAST_ALL, Uint8Array.of(2));
      r.loopLen0 = await set(sys, u, IP, IP_MULTICAST_LOOP, new Uint8Array(0));
      r.loop5 = await set(sys, u, IP, IP_MULTICAST_LOOP, 5);
      r.loopGet = await get(sys, u, IP, IP_MULTICAST_LOOP);
      const s6 = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      r.v6All = await get(sys, s6, IP, IP_MULTICAST_ALL);
      r.v6Ttl = await get(sys, s6, IP, IP_MULTICAST_TTL);
      r.v6Add = await set(sys, s6, IP, ADD, mreq('239.1.1.1', '10.0.0.1'));
      r.v6TtlSet = await set(sys, s6, IP, IP_TTL, 9);
      r.v6TtlGet = await get(sys, s6, IP, IP_TTL);
      const bs = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      r.bindGroup = await sys.bind(bs, inet('239.1.1.1', 5555)) === -1 ? -sys.errno : 0;
      const name: AddrOut = { addr: null };
      await sys.getsockname(bs, name);
      r.bindGroupName = name.addr;
      const bb = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      r.bindBcast = await sys.bind(bb, inet('10.0.0.255', 5556)) === -1 ? -sys.errno : 0;
    });
    expect(r).toEqual({
      ifs: [
        ['len3', -EINVAL, '00000000'], ['addr', 0, '0a000001'], ['bad', -EADDRNOTAVAIL, '0a000001'], ['mreq', 0, '0a000001'],
        ['mreqFirstOnly', 0, '00000000'], ['mreqnIdx', 0, '00000000'], ['mreqnBadIdx', -EADDRNOTAVAIL, '00000000'],
        ['mreqnIdxAddr', 0, '0a090909'], ['bcast', -EADDRNOTAVAIL, '0a090909'], ['zero', 0, '00000000'],
        ['int3', -EADDRNOTAVAIL, '00000000'],
      ],
      all2: -EINVAL, all0: 0, allGet: '00000000', allLen0: -EINVAL, all1Byte2: -EINVAL, loopLen0: -EINVAL, loop5: 0,
      loopGet: '01000000', v6All: '00000000', v6Ttl: '01000000', v6Add: 0, v6TtlSet: 0, v6TtlGet: '09000000',
      bindGroup: 0, bindGroupName: { family: AF_INET, addr: '239.1.1.1', port: 5555 }, bindBcast: 0,
    });
  });
});

describe('IPv6 multicast options (ipv6(7))', () => {
  test('defaults, hop limit, loop, interface and IPV6_MULTICAST_ALL as Linux', async () => {
    const r = await probe(async (sys, r) => {
      const s = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      r.hops = await get(sys, s, V6, IPV6_MULTICAST_HOPS);
      r.loop = await get(sys, s, V6, IPV6_MULTICAST_LOOP);
      r.if = await get(sys, s, V6, IPV6_MULTICAST_IF);
      r.all = await get(sys, s, V6, IPV6_MULTICAST_ALL);
      r.hopsLen2 = await get(sys, s, V6, IPV6_MULTICAST_HOPS, 2);
      r.hopsLen1 = await get(sys, s, V6, IPV6_MULTICAST_HOPS, 1);
      r.hopsLen8 = await get(sys, s, V6, IPV6_MULTICAST_HOPS, 8);
      const seq: [string, number, Uint8Array | number][] = [
        ['hops1Byte', IPV6_MULTICAST_HOPS, Uint8Array.of(5)], ['hops256', IPV6_MULTICAST_HOPS, 256],
        ['hopsM2', IPV6_MULTICAST_HOPS, -2], ['hops7', IPV6_MULTICAST_HOPS, 7], ['hopsM1', IPV6_MULTICAST_HOPS, -1],
        ['hops0', IPV6_MULTICAST_HOPS, 0], ['loop2', IPV6_MULTICAST_LOOP, 2], ['loopM1', IPV6_MULTICAST_LOOP, -1],
        ['loop0', IPV6_MULTICAST_LOOP, 0], ['loop1Byte', IPV6_MULTICAST_LOOP, Uint8Array.of(1)],
        ['if99', IPV6_MULTICAST_IF, 99], ['ifEth1', IPV6_MULTICAST_IF, 3], ['ifM1', IPV6_MULTICAST_IF, -1],
        ['if0', IPV6_MULTICAST_IF, 0], ['if1Byte', IPV6_MULTICAST_IF, Uint8Array.of(3)],
        ['all2', IPV6_MULTICAST_ALL, 2], ['all0', IPV6_MULTICAST_ALL, 0],
      ];
      const out: [string, number, string | number][] = [];
      for (const [k, name, v] of seq) out.push([k, await set(sys, s, V6, name, v), await get(sys, s, V6, name)]);
      r.seq = out;
    });
    expect(r).toEqual({
      hops: '01000000', loop: '01000000', if: '00000000', all: '01000000', hopsLen2: '0100', hopsLen1: '01', hopsLen8: '01000000',
      seq: [
        ['hops1Byte', -EINVAL, '01000000'], ['hops256', -EINVAL, '01000000'], ['hopsM2', -EINVAL, '01000000'],
        ['hops7', 0, '07000000'], ['hopsM1', 0, '01000000'], ['hops0', 0, '00000000'], ['loop2', -EINVAL, '01000000'],
        ['loopM1', -EINVAL, '01000000'], ['loop0', 0, '00000000'], ['loop1Byte', -EINVAL, '00000000'],
        ['if99', -ENODEV, '00000000'], ['ifEth1', 0, '03000000'], ['ifM1', -ENODEV, '03000000'], ['if0', 0, '00000000'],
        ['if1Byte', -EINVAL, '00000000'], ['all2', 0, '01000000'], ['all0', 0, '00000000'],
      ],
    });
  });

  test('IPV6_JOIN_GROUP and IPV6_LEAVE_GROUP errnos as Linux; scoped group binds', async () => {
    const r = await probe(async (sys, r) => {
      const s = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      const ops: [string, number, Uint8Array][] = [
        ['joinLen19', IPV6_JOIN_GROUP, mreq6('ff12::1', 0).subarray(0, 19)], ['joinNonMc', IPV6_JOIN_GROUP, mreq6('2001:db8::1', 0)],
        ['joinNonMcBadIdx', IPV6_JOIN_GROUP, mreq6('2001:db8::1', 99)], ['joinBadIdx', IPV6_JOIN_GROUP, mreq6('ff12::1', 99)],
        // Index 0: the route's interface, the lowest-index one with a multicast route (eth0 here, v1 on Linux).
        ['join0', IPV6_JOIN_GROUP, mreq6('ff12::1', 0)], ['join0Again', IPV6_JOIN_GROUP, mreq6('ff12::1', 0)],
        ['joinEth1', IPV6_JOIN_GROUP, mreq6('ff12::1', 3)], ['joinEth0', IPV6_JOIN_GROUP, mreq6('ff12::1', 2)],
        ['joinLo', IPV6_JOIN_GROUP, mreq6('ff12::1', 1)], ['join2Eth1', IPV6_JOIN_GROUP, mreq6('ff12::2', 3)],
        ['join2Any', IPV6_JOIN_GROUP, mreq6('ff12::2', 0)], ['joinAllNodes', IPV6_JOIN_GROUP, mreq6('ff02::1', 3)],
        ['joinSite', IPV6_JOIN_GROUP, mreq6('ff05::5', 0)],
        ['joinLen24', IPV6_JOIN_GROUP, Uint8Array.of(...mreq6('ff05::6', 0), 0, 0, 0, 0)],
        ['leaveNonMc', IPV6_LEAVE_GROUP, mreq6('2001:db8::1', 0)], ['leaveNotJoined', IPV6_LEAVE_GROUP, mreq6('ff12::99', 0)],
        ['leaveLen19', IPV6_LEAVE_GROUP, mreq6('ff12::1', 0).subarray(0, 19)], ['leaveWrongIdx', IPV6_LEAVE_GROUP, mreq6('ff12::2', 99)],
        ['leave0', IPV6_LEAVE_GROUP, mreq6('ff12::2', 0)], ['leave0Again', IPV6_LEAVE_GROUP, mreq6('ff12::2', 0)],
        ['leaveMapped', IPV6_LEAVE_GROUP, mreq6('::ffff:239.1.1.1', 0)], ['joinMapped', IPV6_JOIN_GROUP, mreq6('::ffff:239.1.1.1', 0)],
      ];
      for (const [k, name, v] of ops) r[k] = await set(sys, s, V6, name, v);
      r.getJoin = await get(sys, s, V6, IPV6_JOIN_GROUP, 20);
      const u4 = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      r.v4SockV6Set = await set(sys, u4, V6, IPV6_MULTICAST_HOPS, 3);
      r.v4SockV6Get = await get(sys, u4, V6, IPV6_MULTICAST_HOPS);
      const bind = async (a: Parameters<Sys['bind']>[1]) => ((await sys.bind(await sys.socket(AF_INET6, SOCK_DGRAM, 0), a)) === -1 ? -sys.errno : 0);
      r.bindGroup = await bind(inet6('ff12::1', 5555, 3));
      r.bindGroupNoScope = await bind(inet6('ff12::1', 5555));
      r.bindSiteNoScope = await bind(inet6('ff05::5', 5555));
    });
    expect(r).toEqual({
      joinLen19: -EINVAL, joinNonMc: -EINVAL, joinNonMcBadIdx: -EINVAL, joinBadIdx: -ENODEV, join0: 0,
      join0Again: -EADDRINUSE, joinEth1: 0, joinEth0: -EADDRINUSE, joinLo: 0, join2Eth1: 0, join2Any: -EADDRINUSE,
      joinAllNodes: 0, joinSite: 0, joinLen24: 0, leaveNonMc: -EINVAL, leaveNotJoined: -EADDRNOTAVAIL,
      leaveLen19: -EINVAL, leaveWrongIdx: -EADDRNOTAVAIL, leave0: 0, leave0Again: -EADDRNOTAVAIL, leaveMapped: -EINVAL,
      joinMapped: -EINVAL, getJoin: -ENOPROTOOPT, v4SockV6Set: -ENOPROTOOPT, v4SockV6Get: -EOPNOTSUPP,
      bindGroup: 0, bindGroupNoScope: -EINVAL, bindSiteNoScope: 0,
    });
  });
});
