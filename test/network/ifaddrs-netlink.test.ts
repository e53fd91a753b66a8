/**
 * Interface enumeration and rtnetlink, against what Linux 6.18 + glibc show (checked in a network namespace):
 *   - getifaddrs: AF_PACKET entries first (one per interface, ifindex order), then AF_INET, then AF_INET6; IPv4
 *     secondaries after primaries; IPv6 global before link-local, newest first; the broadcast field is the
 *     IFA_BROADCAST address, or the address itself when there is none (127.0.0.1 on lo); link-local addresses carry
 *     their interface index as scope id; lo is ARPHRD_LOOPBACK (772), Ethernet ARPHRD_ETHER (1);
 *   - if_nametoindex of an unknown name fails with ENODEV, if_indextoname of an unknown index with ENXIO;
 *   - NETLINK_ROUTE dumps: RTM_NEWLINK / RTM_NEWADDR messages with NLM_F_MULTI and the request's sequence number,
 *     ifinfomsg / ifaddrmsg and rtattrs in Linux's layout, ended by NLMSG_DONE; IPv4 addresses before IPv6 for
 *     AF_UNSPEC; an unsupported request gets NLMSG_ERROR carrying the request.
 */
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, IFF_BROADCAST, IFF_LOOPBACK, IFF_UP, SOCK_RAW, SOCK_STREAM } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { getifaddrs, ifIndexToName, ifNameIndex, ifNameToIndex } from '../../stack/ifaddrs.js';
import { addIpv4Address, addIpv6Address } from '../../stack/ifconfig.js';
import { NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP, NLM_F_MULTI, NLM_F_REQUEST, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK } from '../../stack/netlink.js';
import { decodeSockaddr } from '../../stack/sockaddr.js';
import { ipv4ToString, ipv6FromString, ipv6ToString } from '../../stack/wire/addr.js';
import { pair } from './helpers.js';

/** a with eth0 (10.0.0.1/24 brd, 2001:db8::1/64, 2001:db8::5/64 added later) and a secondary 10.0.0.7/24. */
function host() {
  const p = pair();
  const eth0 = p.a.iface('eth0')!;
  addIpv4Address(eth0, 0x0a000007, 24); // same subnet: secondary, no broadcast recorded
  addIpv6Address(eth0, ipv6FromString('2001:db8::5')!, 64);
  return p;
}

function show(sa: Uint8Array | null): unknown {
  if (!sa) return null;
  const d = decodeSockaddr(sa);
  if ('addr' in d) return 'scopeId' in d && d.scopeId ? `${d.addr}%${d.scopeId}` : d.addr;
  const dv = new DataView(sa.buffer, sa.byteOffset);
  return `ll:${dv.getInt32(4, true)}:${dv.getUint16(8, true)}:${Buffer.from(sa.subarray(12, 18)).toString('hex')}`;
}

describe('getifaddrs and if_nameindex', () => {
  test('order and fields as glibc reports them', () => {
    const { a } = host();
    const rows = getifaddrs(a).map((x) => [x.name, decodeSockaddr(x.addr!).family, show(x.addr), show(x.netmask), show(x.broadaddr)]);
    expect(rows).toEqual([
      ['lo', AF_PACKET, 'll:1:772:000000000000', null, 'll:1:772:000000000000'],
      ['eth0', AF_PACKET, 'll:2:1:020000000001', null, 'll:2:1:ffffffffffff'],
      ['lo', AF_INET, '127.0.0.1', '255.0.0.0', '127.0.0.1'],
      ['eth0', AF_INET, '10.0.0.1', '255.255.255.0', '10.0.0.255'],
      ['eth0', AF_INET, '10.0.0.7', '255.255.255.0', '10.0.0.7'],
      ['lo', AF_INET6, '::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
      ['eth0', AF_INET6, '2001:db8::5', 'ffff:ffff:ffff:ffff::', null],
      ['eth0', AF_INET6, '2001:db8::1', 'ffff:ffff:ffff:ffff::', null],
      ['eth0', AF_INET6, 'fe80::ff:fe00:1%2', 'ffff:ffff:ffff:ffff::', null],
    ]);
    const flags = getifaddrs(a).map((x) => x.flags);
    expect(flags[0]! & (IFF_UP | IFF_LOOPBACK)).toBe(IFF_UP | IFF_LOOPBACK);
    expect(flags[1]! & (IFF_UP | IFF_BROADCAST)).toBe(IFF_UP | IFF_BROADCAST);
    expect(getifaddrs(a)[1]!.data).toMatchObject({ rxPackets: 0, txPackets: 0 });
  });

  test('if_nameindex, if_nametoindex (ENODEV), if_indextoname (ENXIO)', () => {
    const { a } = host();
    expect(ifNameIndex(a)).toEqual([{ index: 1, name: 'lo' }, { index: 2, name: 'eth0' }]);
    expect(ifNameToIndex(a, 'eth0')).toBe(2);
    expect(ifNameToIndex(a, 'nope')).toBe(-Errno.ENODEV);
    expect(ifIndexToName(a, 1)).toBe('lo');
    expect(ifIndexToName(a, 9)).toBe(-Errno.ENXIO);
  });
});

interface Msg {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  body: Uint8Array;
}

/** Splits a datagram into netlink messages. */
function parse(d: Uint8Array): Msg[] {
  const out: Msg[] = [];
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  for (let o = 0; o + 16 <= d.length;) {
    const len = dv.getUint32(o, true);
    out.push({ type: dv.getUint16(o + 4, true), flags: dv.getUint16(o + 6, true), seq: dv.getUint32(o + 8, true), pid: dv.getUint32(o + 12, true), body: d.slice(o + 16, o + len) });
    o += (len + 3) & ~3;
  }
  return out;
}

/** rtattrs of a message body after `fixed` bytes. */
function attrs(body: Uint8Array, fixed: number): Map<number, Uint8Array> {
  const m = new Map<number, Uint8Array>();
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let o = fixed; o + 4 <= body.length;) {
    const len = dv.getUint16(o, true);
    m.set(dv.getUint16(o + 2, true), body.slice(o + 4, o + len));
    o += (len + 3) & ~3;
  }
  return m;
}

function request(type: number, flags: number, seq: number, family: number, extra = 0): Uint8Array {
  const len = 16 + Math.max(1, extra);
  const b = new Uint8Array((len + 3) & ~3);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, len, true);
  dv.setUint16(4, type, true);
  dv.setUint16(6, flags, true);
  dv.setUint32(8, seq, true);
  b[16] = family;
  return b;
}

const KERNEL = Uint8Array.of(AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

describe('NETLINK_ROUTE', () => {
  test('socket rules', async () => {
    const { sim, a } = host();
    const r: number[] = [];
    a.spawn('p', async (sys) => {
      const err = (x: number) => (x === -1 ? -sys.errno : x);
      r.push(err(await sys.socket(AF_NETLINK, SOCK_STREAM, 0)));
      r.push(err(await sys.socket(AF_NETLINK, SOCK_RAW, 99)));
      const fd = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      r.push(err(await sys.bind(fd, Uint8Array.of(AF_NETLINK, 0, 0, 0))));
      r.push(err(await sys.bind(fd, KERNEL)));
    });
    await sim.run();
    expect(r).toEqual([-Errno.ESOCKTNOSUPPORT, -Errno.EPROTONOSUPPORT, -Errno.EINVAL, 0]);
  });

  test('RTM_GETLINK and RTM_GETADDR dumps, then an unsupported request', async () => {
    const { sim, a } = host();
    const grams: Uint8Array[][] = [];
    a.spawn('ip', async (sys) => {
      const fd = await sys.socket(AF_NETLINK, SOCK_RAW, 0);
      const buf = new Uint8Array(65536);
      for (const [req, n] of [
        [request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 11, AF_PACKET), 1],
        [request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 12, 0), 1],
        [request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 13, AF_INET6), 1],
        [request(RTM_NEWADDR, NLM_F_REQUEST, 14, AF_INET, 8), 1],
      ] as const) {
        expect(await sys.sendto(fd, req, 0, KERNEL)).toBe(req.length);
        const got: Uint8Array[] = [];
        for (let i = 0; i < n; i++) got.push(buf.slice(0, await sys.recv(fd, buf)));
        grams.push(got);
      }
    });
    await sim.run();
    const [links, addrs, addrs6, error] = grams.map((g) => g.flatMap(parse));
    // Links: lo then eth0, each RTM_NEWLINK with NLM_F_MULTI, then NLMSG_DONE.
    expect(links!.map((m) => [m.type, m.flags, m.seq])).toEqual([[RTM_NEWLINK, NLM_F_MULTI, 11], [RTM_NEWLINK, NLM_F_MULTI, 11], [NLMSG_DONE, NLM_F_MULTI, 11]]);
    const eth = links![1]!;
    const ifi = new DataView(eth.body.buffer);
    expect([ifi.getUint16(2, true), ifi.getInt32(4, true)]).toEqual([1, 2]);
    const la = attrs(eth.body, 16);
    expect(new TextDecoder().decode(la.get(3)!)).toBe('eth0\0');
    expect(Buffer.from(la.get(1)!).toString('hex')).toBe('020000000001');
    expect(new DataView(la.get(4)!.buffer).getUint32(0, true)).toBe(1500);
    expect(links![2]!.body).toEqual(new Uint8Array(4)); // NLMSG_DONE carries int 0
    // Addresses: IPv4 (lo, eth0 primary, eth0 secondary) before IPv6.
    const summary = addrs!.filter((m) => m.type === RTM_NEWADDR).map((m) => {
      const fam = m.body[0]!;
      const a2 = attrs(m.body, 8).get(1)!;
      return [fam, m.body[1], m.body[2], m.body[3], fam === AF_INET ? ipv4ToString(new DataView(a2.buffer).getUint32(0)) : ipv6ToString(a2)];
    });
    expect(summary).toEqual([
      [AF_INET, 8, 0x80, 254, '127.0.0.1'], [AF_INET, 24, 0x80, 0, '10.0.0.1'], [AF_INET, 24, 0x81, 0, '10.0.0.7'],
      [AF_INET6, 128, 0x80, 254, '::1'], [AF_INET6, 64, 0x80, 0, '2001:db8::5'], [AF_INET6, 64, 0x80, 0, '2001:db8::1'],
      [AF_INET6, 64, 0x80, 253, 'fe80::ff:fe00:1'],
    ]);
    expect(addrs!.at(-1)!.type).toBe(NLMSG_DONE);
    expect(addrs6!.filter((m) => m.type === RTM_NEWADDR).every((m) => m.body[0] === AF_INET6)).toBe(true);
    // NLMSG_ERROR: errno, then the request that failed.
    expect(error!.map((m) => m.type)).toEqual([NLMSG_ERROR]);
    const e = error![0]!;
    expect(new DataView(e.body.buffer).getInt32(0, true)).toBe(-Errno.EOPNOTSUPP);
    expect(new DataView(e.body.buffer).getUint16(8, true)).toBe(RTM_NEWADDR);
    expect(e.seq).toBe(14);
  });
});
