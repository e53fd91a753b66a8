/** ICMPv4 (RFC 792, RFC 1191) and ICMPv6 (RFC 4443) with Neighbor Discovery (RFC 4861 §4.3–4.6). */

import { describe, expect, test as plainTest } from 'vitest';
import { fc } from '@fast-check/vitest';
import { emitIcmpv4, emitIcmpv4Into, parseIcmpv4, type Icmpv4Repr } from '../../../stack/wire/icmpv4.js';
import {
  emitIcmpv6, emitIcmpv6Into, ndpLinkAddr, parseIcmpv6, type Icmpv6NeighborSolicit, type Icmpv6Repr,
} from '../../../stack/wire/icmpv6.js';
import { parseEthernet } from '../../../stack/wire/ethernet.js';
import { parseIpv4 } from '../../../stack/wire/ipv4.js';
import { parseIpv6 } from '../../../stack/wire/ipv6.js';
import { parseUdp } from '../../../stack/wire/udp.js';
import { IPV6_LOOPBACK, ipv6FromString, ipv6SolicitedNode, IPV6_UNSPECIFIED } from '../../../stack/wire/addr.js';
import { arbIcmpv4Repr, arbIcmpv6Repr, arbIpv6Addr } from './arbitraries.js';
import { codecProperties, expectWireError, plainCodecProperties } from './fuzz.js';
import {
  FRAME_ICMP4_ECHO_REPLY, FRAME_ICMP4_ECHO_REQUEST, FRAME_ICMP4_PORT_UNREACH, FRAME_ICMP6_ECHO_REPLY,
  FRAME_ICMP6_ECHO_REQUEST, FRAME_ICMP6_PORT_UNREACH, fromHex, toHex,
} from './golden.js';

const icmp4Of = (frame: Uint8Array): Uint8Array => parseIpv4(parseEthernet(frame).payload).payload;
const icmp6Of = (frame: Uint8Array): Uint8Array => parseIpv6(parseEthernet(frame).payload).payload;
const LO = IPV6_LOOPBACK;

describe('icmpv4', () => {
  plainCodecProperties(arbIcmpv4Repr, emitIcmpv4, emitIcmpv4Into, parseIcmpv4);
  plainTest('the kernel\'s echo request/reply pair: same id, seq and data; both re-emitted byte-exact', () => {
    const req = icmp4Of(FRAME_ICMP4_ECHO_REQUEST);
    const rep = icmp4Of(FRAME_ICMP4_ECHO_REPLY);
    const data = Uint8Array.from(Buffer.from('ping'));
    const q = parseIcmpv4(req);
    expect(q).toEqual({ type: 8, code: 0, id: 0xb464, seq: 1, data });
    expect(parseIcmpv4(rep)).toEqual({ type: 0, code: 0, id: 0xb464, seq: 1, data });
    expect(toHex(emitIcmpv4(q))).toBe(toHex(req));
    expect(toHex(emitIcmpv4({ type: 0, code: 0, id: 0xb464, seq: 1, data }))).toBe(toHex(rep));
  });
  plainTest('the kernel\'s port unreachable quotes the whole short datagram (RFC 1812 §4.3.2.3 lets it exceed 8 bytes)', () => {
    const msg = icmp4Of(FRAME_ICMP4_PORT_UNREACH);
    const r = parseIcmpv4(msg);
    expect(r).toMatchObject({ type: 3, code: 3, nextHopMtu: 0 });
    const orig = parseIpv4((r as { original: Uint8Array }).original);
    expect(parseUdp(orig.payload).dstPort).toBe(7);
    expect(toHex(emitIcmpv4(r))).toBe(toHex(msg));
  });
  plainTest('fragmentation needed carries the next-hop MTU in bytes 6–7 (RFC 1191 §4)', () => {
    const b = emitIcmpv4({ type: 3, code: 4, nextHopMtu: 1400, original: new Uint8Array(28) });
    expect(toHex(b.subarray(0, 2))).toBe('0304');
    expect(toHex(b.subarray(4, 8))).toBe('00000578');
  });
  plainTest('unused header bytes of unreachable/time exceeded are ignored on receipt', () => {
    // Emitted through the generic shape so the checksum covers the non-zero "unused" bytes.
    const te = emitIcmpv4({ type: 11, code: 0, rest: 0x12345678, data: Uint8Array.of(0x45) });
    expect(parseIcmpv4(te)).toEqual({ type: 11, code: 0, original: Uint8Array.of(0x45) });
    const du = emitIcmpv4({ type: 3, code: 1, rest: 0x12340000, data: new Uint8Array(0) });
    expect(parseIcmpv4(du)).toEqual({ type: 3, code: 1, nextHopMtu: 0, original: new Uint8Array(0) });
  });
  plainTest('a generic repr may carry any type and is emitted by its fields', () => {
    const g: Icmpv4Repr = { type: 8, code: 0, rest: 0x00010002, data: Uint8Array.of(1) };
    expect(parseIcmpv4(emitIcmpv4(g))).toEqual({ type: 8, code: 0, id: 1, seq: 2, data: Uint8Array.of(1) });
    const redirect: Icmpv4Repr = { type: 5, code: 1, rest: 0xc0000201, data: new Uint8Array(28) };
    expect(parseIcmpv4(emitIcmpv4(redirect))).toEqual(redirect);
  });
  plainTest('checksum always verified (icmp_rcv()); under 8 bytes truncated', () => {
    const req = icmp4Of(FRAME_ICMP4_ECHO_REQUEST).slice();
    req[9] ^= 0x20;
    expectWireError(() => parseIcmpv4(req), 'icmpv4', 'bad-checksum');
    expectWireError(() => parseIcmpv4(new Uint8Array(7)), 'icmpv4', 'truncated');
  });
});

describe('icmpv6', () => {
  codecProperties({
    arb: fc.record({ repr: arbIcmpv6Repr, src: arbIpv6Addr, dst: arbIpv6Addr }),
    emit: ({ repr, src, dst }) => emitIcmpv6(repr, src, dst),
    emitInto: ({ repr, src, dst }, buf, o) => emitIcmpv6Into(repr, buf, o, src, dst),
    parse: (b, { src, dst }) => parseIcmpv6(b, src, dst),
    repr: ({ repr }) => repr,
  });
  plainTest('the kernel\'s echo request/reply over ::1, re-emitted byte-exact', () => {
    const req = icmp6Of(FRAME_ICMP6_ECHO_REQUEST);
    const rep = icmp6Of(FRAME_ICMP6_ECHO_REPLY);
    const q = parseIcmpv6(req, LO, LO);
    expect(q).toEqual({ type: 128, code: 0, id: 0xb465, seq: 1, data: Uint8Array.from(Buffer.from('ping6')) });
    expect(parseIcmpv6(rep, LO, LO)).toEqual({ ...q, type: 129 });
    expect(toHex(emitIcmpv6(q, LO, LO))).toBe(toHex(req));
  });
  plainTest('the kernel\'s port unreachable (type 1 code 4) quotes the invoking packet', () => {
    const msg = icmp6Of(FRAME_ICMP6_PORT_UNREACH);
    const r = parseIcmpv6(msg, LO, LO);
    expect(r).toMatchObject({ type: 1, code: 4 });
    expect(parseIpv6((r as { original: Uint8Array }).original).nextHeader).toBe(17);
    expect(toHex(emitIcmpv6(r, LO, LO))).toBe(toHex(msg));
  });
  plainTest('the checksum covers the pseudo header: other addresses fail it (RFC 4443 §2.3)', () => {
    const req = icmp6Of(FRAME_ICMP6_ECHO_REQUEST);
    expectWireError(() => parseIcmpv6(req, LO, IPV6_UNSPECIFIED), 'icmpv6', 'bad-checksum');
    expectWireError(() => parseIcmpv6(new Uint8Array(7), LO, LO), 'icmpv6', 'truncated');
  });
  plainTest('packet too big carries a 32-bit MTU (RFC 4443 §3.2)', () => {
    const b = emitIcmpv6({ type: 2, code: 0, mtu: 1280, original: new Uint8Array(48) }, LO, LO);
    expect(toHex(b.subarray(4, 8))).toBe('00000500');
  });

  // A DAD-style and an address-resolution NS as Linux's ndisc_send_ns() builds them.
  const target = ipv6FromString('fe80::200:ff:fe00:1')!;
  const mine = ipv6FromString('fe80::200:ff:fe00:2')!;
  plainTest('neighbour solicitation: RFC 4861 §4.3 layout with a source link-layer address option', () => {
    const ns: Icmpv6Repr = { type: 135, code: 0, target, options: [{ kind: 'sourceLinkAddr', mac: 0x020000000002 }] };
    const dst = ipv6SolicitedNode(target);
    const b = emitIcmpv6(ns, mine, dst);
    expect(b.length).toBe(32);
    expect(toHex(b.subarray(0, 2)) + toHex(b.subarray(4))).toBe(
      '8700' + '00000000' + toHex(target) + '0101' + '020000000002');
    const back = parseIcmpv6(b, mine, dst);
    expect(back).toEqual(ns);
    expect(ndpLinkAddr((back as Icmpv6NeighborSolicit).options, 'sourceLinkAddr')).toBe(0x020000000002);
    expect(ndpLinkAddr((back as Icmpv6NeighborSolicit).options, 'targetLinkAddr')).toBeNull();
  });
  plainTest('neighbour advertisement: R/S/O flags in the top bits of byte 4, target link-layer option (§4.4)', () => {
    const na: Icmpv6Repr = {
      type: 136, code: 0, router: false, solicited: true, override: true, target,
      options: [{ kind: 'targetLinkAddr', mac: 0x020000000001 }],
    };
    const b = emitIcmpv6(na, target, mine);
    expect(toHex(b.subarray(4, 8))).toBe('60000000');
    expect(toHex(b.subarray(24))).toBe('0201020000000001');
    expect(parseIcmpv6(b, target, mine)).toEqual(na);
  });
  /** An NS to ff02::1 with the raw option bytes `opts`, checksummed. */
  const nsWith = (opts: string): Uint8Array => {
    const raw = fromHex('87000000 00000000' + toHex(target) + opts);
    const dst = ipv6FromString('ff02::1')!;
    // Re-emit through a generic repr so the checksum is right whatever the options say.
    return emitIcmpv6({ type: 135, code: 0, rest: 0, data: raw.subarray(8) }, mine, dst);
  };
  const ALL_NODES = ipv6FromString('ff02::1')!;
  plainTest('ND options: zero length, overrun or a stray byte invalidate the packet (RFC 4861 §4.6)', () => {
    expectWireError(() => parseIcmpv6(nsWith('0100020000000002'), mine, ALL_NODES), 'icmpv6', 'bad-option');
    expectWireError(() => parseIcmpv6(nsWith('0102020000000002'), mine, ALL_NODES), 'icmpv6', 'bad-option');
    expectWireError(() => parseIcmpv6(nsWith('0101020000000002ff'), mine, ALL_NODES), 'icmpv6', 'bad-option');
  });
  plainTest('ND options: unknown types (e.g. the DAD nonce, RFC 7527) and odd-sized link-layer options are kept as unknown', () => {
    const r = parseIcmpv6(nsWith('0e01010203040506' + '0102' + '00'.repeat(14)), mine, ALL_NODES);
    expect(r).toMatchObject({ type: 135 });
    expect((r as { options: unknown[] }).options).toEqual([
      { kind: 'unknown', type: 14, data: Uint8Array.of(1, 2, 3, 4, 5, 6) },
      { kind: 'unknown', type: 1, data: new Uint8Array(14) },
    ]);
  });
  plainTest('an NS/NA shorter than 24 bytes is truncated (RFC 4861 §7.1.1 "ICMP length is 24 or more")', () => {
    const short = emitIcmpv6({ type: 135, code: 0, rest: 0, data: new Uint8Array(12) }, mine, ALL_NODES);
    expectWireError(() => parseIcmpv6(short, mine, ALL_NODES), 'icmpv6', 'truncated');
  });
  plainTest('emit refuses an unknown ND option that does not fill whole 8-byte units', () => {
    expect(() => emitIcmpv6({ type: 135, code: 0, target, options: [{ kind: 'unknown', type: 14, data: new Uint8Array(5) }] },
      mine, ALL_NODES)).toThrow(RangeError);
  });
});
