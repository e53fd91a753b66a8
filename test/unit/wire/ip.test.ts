/** IPv4 (RFC 791, validation as Linux's ip_rcv_core()) and the IPv6 fixed and Fragment headers (RFC 8200). */

import { describe, expect, test as plainTest } from 'vitest';
import {
  emitIpv4, emitIpv4HeaderInto, emitIpv4Into, IPV4_HEADER_LEN, parseIpv4, type Ipv4Repr,
} from '../../../stack/wire/ipv4.js';
import {
  emitIpv6, emitIpv6FragmentHeader, emitIpv6FragmentHeaderInto, emitIpv6Into, parseIpv6, parseIpv6FragmentHeader,
} from '../../../stack/wire/ipv6.js';
import { parseEthernet } from '../../../stack/wire/ethernet.js';
import { ipv6ToString } from '../../../stack/wire/addr.js';
import { placePayload } from '../../../stack/wire/bytes.js';
import { arbIpv4Repr, arbIpv6FragmentRepr, arbIpv6Repr } from './arbitraries.js';
import { codecProperties, expectWireError, plainCodecProperties } from './fuzz.js';
import { FRAME_ICMP4_PORT_UNREACH, FRAME_TCP_RST, FRAME_TCP_SYN, toHex, FRAME_UDP6_HI } from './golden.js';

const ipOf = (frame: Uint8Array): Uint8Array => parseEthernet(frame).payload;

describe('ipv4', () => {
  plainCodecProperties(arbIpv4Repr, emitIpv4, emitIpv4Into, parseIpv4);

  plainTest('the kernel\'s SYN header: DF, TTL 64, proto 6, id 0x6fd9, checksum verifies; re-emit is byte-exact', () => {
    const ip = ipOf(FRAME_TCP_SYN);
    const r = parseIpv4(ip);
    expect(r).toMatchObject({
      tos: 0, id: 0x6fd9, dontFragment: true, moreFragments: false, fragOffset: 0, ttl: 64, protocol: 6,
      src: 0x7f000001, dst: 0x7f000001,
    });
    expect(r.options.length).toBe(0);
    expect(r.payload.length).toBe(40);
    expect(toHex(emitIpv4(r))).toBe(toHex(ip));
  });
  plainTest('the kernel\'s ICMP error: TOS 0xc0 and no DF (icmp_send() uses IPTOS_PREC_INTERNETCONTROL)', () => {
    const ip = ipOf(FRAME_ICMP4_PORT_UNREACH);
    expect(parseIpv4(ip)).toMatchObject({ tos: 0xc0, dontFragment: false, id: 0xb606 });
    expect(toHex(emitIpv4(parseIpv4(ip)))).toBe(toHex(ip));
  });
  plainTest('trailing Ethernet padding past the total length is not payload (the 40-byte RST fills a 46-byte minimum)', () => {
    const ip = ipOf(FRAME_TCP_RST);
    const padded = new Uint8Array(46);
    padded.set(ip);
    const r = parseIpv4(padded);
    expect(r.payload.length).toBe(20);
    expect(toHex(emitIpv4(r))).toBe(toHex(ip));
  });
  plainTest('header fields and option bytes land where RFC 791 §3.1 puts them', () => {
    const r: Ipv4Repr = {
      tos: 0x10, id: 0x1234, dontFragment: false, moreFragments: true, fragOffset: 1480, ttl: 1, protocol: 17,
      src: 0x0a000001, dst: 0x0a000002, options: Uint8Array.of(0x94, 0x04, 0, 0), payload: Uint8Array.of(0xaa),
    };
    const b = emitIpv4(r);
    // IHL 6; total 25; MF with offset 1480/8 = 185 = 0x0b9; router alert option (RFC 2113).
    expect(toHex(b.subarray(0, 10))).toBe('4610' + '0019' + '1234' + '20b9' + '0111');
    expect(toHex(b.subarray(20))).toBe('94040000aa');
  });
  const syn = ipOf(FRAME_TCP_SYN);
  const damaged = (i: number, v: number): Uint8Array => { const b = syn.slice(); b[i] = v; return b; };
  plainTest('rejections follow ip_rcv_core(): version, IHL < 5, lengths, checksum', () => {
    expectWireError(() => parseIpv4(damaged(0, 0x65)), 'ipv4', 'bad-version');
    expectWireError(() => parseIpv4(damaged(0, 0x44)), 'ipv4', 'bad-header-length');
    const rst = ipOf(FRAME_TCP_RST).slice();
    rst[0] = 0x4f; // IHL 60 bytes in a 40-byte packet.
    expectWireError(() => parseIpv4(rst), 'ipv4', 'truncated');
    expectWireError(() => parseIpv4(damaged(8, 63)), 'ipv4', 'bad-checksum'); // TTL changed, checksum not.
  });
  plainTest('total length beyond the buffer is truncated, below the header is bad-length', () => {
    expectWireError(() => parseIpv4(syn.subarray(0, 59)), 'ipv4', 'truncated');
    expectWireError(() => parseIpv4(syn.subarray(0, 19)), 'ipv4', 'truncated');
    const short = syn.slice();
    short[2] = 0;
    short[3] = 19;
    expectWireError(() => parseIpv4(short), 'ipv4', 'bad-length');
  });
  plainTest('any single-bit error in the header fails the checksum (or an earlier check)', () => {
    for (let bit = 0; bit < 160; bit++) {
      const b = syn.slice();
      b[bit >>> 3] ^= 0x80 >>> (bit & 7);
      expect(() => parseIpv4(b), `bit ${bit}`).toThrow();
    }
  });
  plainTest('emit refuses unrepresentable reprs with RangeError', () => {
    const base = parseIpv4(syn);
    expect(() => emitIpv4({ ...base, options: new Uint8Array(3) })).toThrow(RangeError);
    expect(() => emitIpv4({ ...base, options: new Uint8Array(44) })).toThrow(RangeError);
    expect(() => emitIpv4({ ...base, fragOffset: 4 })).toThrow(RangeError);
    expect(() => emitIpv4({ ...base, payload: new Uint8Array(65516) })).toThrow(RangeError);
    expect(emitIpv4({ ...base, payload: new Uint8Array(65515) }).length).toBe(65535);
  });
  plainTest('layered emit: header in front of a payload already in place copies nothing and is byte-exact', () => {
    const r = parseIpv4(syn);
    const buf = new Uint8Array(4 + syn.length);
    buf.set(r.payload, 4 + IPV4_HEADER_LEN);
    const inPlace = { ...r, payload: buf.subarray(4 + IPV4_HEADER_LEN) };
    expect(emitIpv4Into(inPlace, buf, 4)).toBe(syn.length);
    expect(toHex(buf.subarray(4))).toBe(toHex(syn));
    const hdr = new Uint8Array(20);
    expect(emitIpv4HeaderInto(r, 40, hdr, 0)).toBe(20);
    expect(toHex(hdr)).toBe(toHex(syn.subarray(0, 20)));
    placePayload(buf, 0, buf.subarray(0, 3)); // Same place: a no-op, not a crash.
  });
});

describe('ipv6', () => {
  plainCodecProperties(arbIpv6Repr, emitIpv6, emitIpv6Into, parseIpv6);
  plainTest('the kernel\'s UDP over ::1: flow label 0x02807 (auto flowlabels), hop limit 64; re-emit is byte-exact', () => {
    const ip = ipOf(FRAME_UDP6_HI);
    const r = parseIpv6(ip);
    expect(r).toMatchObject({ trafficClass: 0, flowLabel: 0x02807, nextHeader: 17, hopLimit: 64 });
    expect(ipv6ToString(r.src)).toBe('::1');
    expect(ipv6ToString(r.dst)).toBe('::1');
    expect(r.payload.length).toBe(11);
    expect(toHex(emitIpv6(r))).toBe(toHex(ip));
  });
  plainTest('traffic class and flow label share the first word as RFC 8200 §3 lays them out', () => {
    const b = emitIpv6({
      trafficClass: 0xb8, flowLabel: 0xabcde, nextHeader: 59, hopLimit: 255,
      src: new Uint8Array(16), dst: new Uint8Array(16), payload: new Uint8Array(0),
    });
    expect(toHex(b.subarray(0, 8))).toBe('6b8abcde00003bff');
  });
  plainTest('bad version, short header, payload length past the buffer; trailing padding dropped', () => {
    const ip = ipOf(FRAME_UDP6_HI);
    const v4 = ip.slice();
    v4[0] = 0x40;
    expectWireError(() => parseIpv6(v4), 'ipv6', 'bad-version');
    expectWireError(() => parseIpv6(ip.subarray(0, 39)), 'ipv6', 'truncated');
    expectWireError(() => parseIpv6(ip.subarray(0, ip.length - 1)), 'ipv6', 'truncated');
    const padded = new Uint8Array(ip.length + 6);
    padded.set(ip);
    expect(parseIpv6(padded).payload.length).toBe(11);
  });
});

describe('ipv6 fragment header', () => {
  codecProperties({
    arb: arbIpv6FragmentRepr,
    emit: (r) => emitIpv6FragmentHeader(r),
    emitInto: (r, buf, o) => {
      const n = emitIpv6FragmentHeaderInto(r, buf, o);
      buf.set(r.payload, o + n);
      return n + r.payload.length;
    },
    parse: (b) => parseIpv6FragmentHeader(b),
    repr: (r) => r,
  });
  plainTest('RFC 8200 §4.5 layout: next header, reserved, offset<<3 | M, identification', () => {
    const b = emitIpv6FragmentHeader({
      nextHeader: 17, fragOffset: 1232, moreFragments: true, id: 0xdeadbeef, payload: new Uint8Array(0),
    });
    expect(toHex(b)).toBe('1100' + '04d1' + 'deadbeef');
  });
  plainTest('reserved bits are ignored on receipt (§4.5: "ignored on reception")', () => {
    const r = parseIpv6FragmentHeader(Uint8Array.of(6, 0xff, 0x00, 0x0f, 0, 0, 0, 1));
    expect(r).toMatchObject({ nextHeader: 6, fragOffset: 8, moreFragments: true, id: 1 });
    expectWireError(() => parseIpv6FragmentHeader(new Uint8Array(7)), 'ipv6-frag', 'truncated');
  });
});
