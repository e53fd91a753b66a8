/**
 * IGMPv3 and MLDv2 change reports, against packets captured from Linux 6.18 (a veth pair in a network namespace,
 * an AF_PACKET socket on the far end):
 *   - joining 239.1.2.3 from 10.0.0.1 sends, twice, the IPv4 packet
 *     46c0 0028 0000 4000 0102 f9f8 0a000001 e0000016 94040000 | 2200 e8f9 0000 0001 04000000 ef010203
 *     (TOS 0xc0, id 0, DF, TTL 1, Router Alert; IGMPv3 report, one CHANGE_TO_EXCLUDE record), leaving it the same
 *     with a CHANGE_TO_INCLUDE (3) record; the first copy ~2 jiffies after the call, the second within 1 s;
 *   - MLDv2 reports go to ff02::16 with hop limit 1 and a Hop-by-Hop Router Alert (3a00 0502 0000 0100);
 *   - several changes at once share a report: leaves first, then joins, newest first; a second member of a group,
 *     224.0.0.1, ff02::1 and interface-local groups draw no report; 224.0.0.x groups do.
 */
import { describe, expect, test } from 'vitest';
import { fc, test as ftest } from '@fast-check/vitest';
import {
  AF_INET, AF_INET6, IPPROTO_IP, IPPROTO_IPV6, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, IPV6_JOIN_GROUP, SOCK_DGRAM,
} from '../../stack/constants.js';
import { ms, sec } from '../../sim/time.js';
import { ipv6FromString, ipv6ToString } from '../../stack/wire/addr.js';
import { WireError } from '../../stack/wire/errors.js';
import {
  emitIgmpv3Report, emitMldv2Report, hopByHopRouterAlert, MLDV2_ALL_ROUTERS, parseIgmpv3Report, parseMldv2Report,
} from '../../stack/wire/igmp.js';
import { dstMac, hex, lan, mreq, mreq6, sent } from './mcast-helpers.js';

const JOIN4 = '46c00028000040000102f9f80a000001e0000016940400002200e8f90000000104000000ef010203';
const LEAVE4 = '46c00028000040000102f9f80a000001e0000016940400002200e9f90000000103000000ef010203';

describe('report codecs (byte-exact against Linux captures)', () => {
  test('IGMPv3 and MLDv2 reports and the Hop-by-Hop Router Alert', () => {
    expect(hex(emitIgmpv3Report([{ type: 4, group: 0xef010203 }]))).toBe(JOIN4.slice(48));
    expect(hex(emitIgmpv3Report([{ type: 3, group: 0xef010203 }]))).toBe(LEAVE4.slice(48));
    expect(hex(emitIgmpv3Report([{ type: 4, group: 0xef010204 }, { type: 4, group: 0xef010203 }])))
      .toBe('2200f3f20000000204000000ef01020404000000ef010203');
    const src = ipv6FromString('fe80::a81e:6eff:fed6:9a15')!;
    const g = ipv6FromString('ff12::1:2')!;
    expect(hex(emitMldv2Report([{ type: 4, group: g }], src, MLDV2_ALL_ROUTERS))).toBe('8f00bfed0000000104000000ff120000000000000000000000010002');
    expect(hex(emitMldv2Report([{ type: 3, group: g }], src, MLDV2_ALL_ROUTERS))).toBe('8f00c0ed0000000103000000ff120000000000000000000000010002');
    expect(hex(hopByHopRouterAlert(58))).toBe('3a00050200000100');
  });

  ftest.prop([fc.array(fc.record({ type: fc.integer({ min: 1, max: 6 }), group: fc.integer({ min: 0xe0000000, max: 0xefffffff }) }), { maxLength: 30 }),
    fc.nat({ max: 400 })], { numRuns: 200 })('round trip; any single flipped bit is rejected', (recs, bit) => {
    const b = emitIgmpv3Report(recs);
    expect(parseIgmpv3Report(b)).toEqual(recs);
    const i = bit % (b.length * 8);
    const bad = b.slice();
    bad[i >> 3]! ^= 1 << (i & 7);
    // A flipped bit either breaks the checksum or, in the type byte, the type: never a silent success.
    expect(() => parseIgmpv3Report(bad)).toThrow(WireError);
  });

  test('MLDv2 parse checks the pseudo-header checksum', () => {
    const src = ipv6FromString('fe80::1')!;
    const b = emitMldv2Report([{ type: 4, group: ipv6FromString('ff05::9')! }], src, MLDV2_ALL_ROUTERS);
    expect(parseMldv2Report(b, src, MLDV2_ALL_ROUTERS).map((r) => [r.type, ipv6ToString(r.group)])).toEqual([[4, 'ff05::9']]);
    expect(() => parseMldv2Report(b, ipv6FromString('fe80::2')!, MLDV2_ALL_ROUTERS)).toThrow(WireError);
  });
});

describe('reports a host sends', () => {
  test('join and leave of 239.1.2.3: the Linux packets, twice each, 8 ms then under a second apart', async () => {
    const { sim, sink, a } = lan();
    a.spawn('p', async (sys) => {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq('239.1.2.3', '10.0.0.1'));
      await sys.sleep(sec(2));
      await sys.setsockopt(s, IPPROTO_IP, IP_DROP_MEMBERSHIP, mreq('239.1.2.3', '10.0.0.1'));
    });
    await sim.run();
    const reports = sent(sink.events, 'a:eth0').filter((f) => dstMac(f.bytes) === '01005e000016');
    expect(reports.map((f) => hex(f.bytes.subarray(14)))).toEqual([JOIN4, JOIN4, LEAVE4, LEAVE4]);
    const [j1, j2, l1, l2] = reports.map((f) => f.t) as [number, number, number, number];
    expect([j1, l1 - sec(2)]).toEqual([ms(8), ms(8)]); // 2 jiffies at HZ 250
    for (const d of [j2 - j1, l2 - l1]) expect(d >= ms(8) && d <= ms(1008)).toBe(true);
  });

  test('changes at once share a report (leaves first, newest first); no report for 224.0.0.1 or a second member', async () => {
    const { sim, sink, a } = lan();
    type Opt = [level: number, name: number, value: Uint8Array];
    const add = (g: string): Opt => [IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq(g, '10.0.0.1')];
    const drop = (g: string): Opt => [IPPROTO_IP, IP_DROP_MEMBERSHIP, mreq(g, '10.0.0.1')];
    a.spawn('p', async (sys) => {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      const s2 = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      for (const o of [add('239.1.2.3'), add('239.1.2.4')]) await sys.setsockopt(s, ...o);
      await sys.sleep(sec(2));
      for (const o of [drop('239.1.2.3'), add('239.1.2.5'), drop('239.1.2.4')]) await sys.setsockopt(s, ...o);
      await sys.sleep(sec(2));
      for (const o of [add('239.1.2.5'), add('224.0.0.1'), add('224.0.0.9')]) await sys.setsockopt(s2, ...o);
      await sys.sleep(sec(2)); // then the exit closes both sockets: the host leaves 239.1.2.5 and 224.0.0.9
    });
    await sim.run();
    const igmp = sent(sink.events, 'a:eth0').filter((f) => dstMac(f.bytes) === '01005e000016').map((f) => hex(f.bytes.subarray(38)));
    // The IGMP parts Linux sent for the same calls.
    const two = '2200f3f20000000204000000ef01020404000000ef010203';
    const three = '220000eb0000000303000000ef01020403000000ef01020304000000ef010205';
    const llm = '2200f9f40000000104000000e0000009';
    const exit = '220006ed0000000203000000ef01020503000000e0000009';
    expect(igmp).toEqual([two, two, three, three, llm, llm, exit, exit]);
  });

  test('MLDv2: the packet layout, ff02::1 and ff01::/16 unreported, leaves on close', async () => {
    const { sim, sink, a } = lan();
    a.spawn('p', async (sys) => {
      const s = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
      for (const g of ['ff02::1', 'ff01::5', 'ff12::7', 'ff12::8']) await sys.setsockopt(s, IPPROTO_IPV6, IPV6_JOIN_GROUP, mreq6(g, 2));
      await sys.sleep(sec(2));
      await sys.close(s);
    });
    await sim.run();
    const mld = sent(sink.events, 'a:eth0').filter((f) => dstMac(f.bytes) === '333300000016');
    const ll = a.iface('eth0')!.linkLocal6()!;
    for (const f of mld) {
      const ip = f.bytes.subarray(14);
      expect([hex(ip.subarray(0, 4)), ip[6], ip[7], ipv6ToString(ip.subarray(8, 24)), ipv6ToString(ip.subarray(24, 40))])
        .toEqual(['60000000', 0, 1, ipv6ToString(ll), 'ff02::16']);
      expect(hex(ip.subarray(40, 48))).toBe('3a00050200000100');
    }
    const recs = mld.map((f) => parseMldv2Report(f.bytes.subarray(62), ll, MLDV2_ALL_ROUTERS).map((r) => `${r.type}:${ipv6ToString(r.group)}`));
    // As Linux 6.18 sent them: joins newest first; on close, ipv6_sock_mc_close leaves in list order.
    expect(recs).toEqual([['4:ff12::8', '4:ff12::7'], ['4:ff12::8', '4:ff12::7'], ['3:ff12::7', '3:ff12::8'], ['3:ff12::7', '3:ff12::8']]);
  });
});
