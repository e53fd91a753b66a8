/**
 * fast-check arbitraries for every wire repr, so any suite can generate valid packets. "Valid" means what emit
 * accepts and parse gives back unchanged: TCP option lists without EOL (EOL is a parse artifact), known option
 * kinds never in 'unknown', generic ICMP types that are not one of the specific shapes.
 */

import { fc } from '@fast-check/vitest';
import type { EthernetRepr } from '../../../stack/wire/ethernet.js';
import type { ArpRepr } from '../../../stack/wire/arp.js';
import type { Ipv4Repr } from '../../../stack/wire/ipv4.js';
import type { Ipv6FragmentRepr, Ipv6Repr } from '../../../stack/wire/ipv6.js';
import type { UdpRepr } from '../../../stack/wire/udp.js';
import { tcpHeaderLen, TCP_MAX_HEADER_LEN, type TcpOption, type TcpRepr } from '../../../stack/wire/tcp.js';
import type { Icmpv4Repr } from '../../../stack/wire/icmpv4.js';
import type { Icmpv6Repr, NdpOption } from '../../../stack/wire/icmpv6.js';
import type { PseudoHeader } from '../../../stack/wire/checksum.js';

/** An unsigned 8-bit integer. */
export const arbU8 = fc.integer({ min: 0, max: 0xff });
/** An unsigned 16-bit integer. */
export const arbU16 = fc.integer({ min: 0, max: 0xffff });
/** An unsigned 32-bit integer (fc.integer stops at int32, so shift a signed one). */
export const arbU32 = fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((n) => n >>> 0);
/** A 48-bit MAC as a number, from its two halves. */
export const arbMac = fc.tuple(arbU16, arbU32).map(([hi, lo]) => hi * 0x100000000 + lo);
/** A uint32 IPv4 address. */
export const arbIpv4Addr = arbU32;
/** Up to `max` arbitrary bytes. */
export const arbBytes = (max = 64): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });

/** Sixteen bytes from eight 16-bit words. */
function fromWords(words: number[]): Uint8Array {
  const a = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    a[2 * i] = words[i] >>> 8;
    a[2 * i + 1] = words[i] & 0xff;
  }
  return a;
}

/** An IPv6 address, biased to zero runs and IPv4-mapped addresses so the text forms get exercised. */
export const arbIpv6Addr: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(1), arbU16), { minLength: 8, maxLength: 8 })
    .map(fromWords),
  arbU32.map((v4) => fromWords([0, 0, 0, 0, 0, 0xffff, v4 >>> 16, v4 & 0xffff])),
);

/** An Ethernet II frame with any EtherType. */
export const arbEthernetRepr: fc.Arbitrary<EthernetRepr> = fc.record({
  dst: arbMac, src: arbMac, etherType: arbU16, payload: arbBytes(100),
});

/** An Ethernet/IPv4 ARP request or reply. */
export const arbArpRepr: fc.Arbitrary<ArpRepr> = fc.record({
  op: fc.constantFrom(1 as const, 2 as const),
  senderMac: arbMac, senderIp: arbIpv4Addr, targetMac: arbMac, targetIp: arbIpv4Addr,
});

/** A fragment offset in bytes: 13 bits of 8-byte units. */
const arbFragOffset = fc.integer({ min: 0, max: 0x1fff }).map((u) => u * 8);

/** An IPv4 packet with 0–40 option bytes (multiples of 4). */
export const arbIpv4Repr: fc.Arbitrary<Ipv4Repr> = fc.record({
  tos: arbU8,
  id: arbU16,
  dontFragment: fc.boolean(),
  moreFragments: fc.boolean(),
  fragOffset: arbFragOffset,
  ttl: arbU8,
  protocol: arbU8,
  src: arbIpv4Addr,
  dst: arbIpv4Addr,
  options: fc.integer({ min: 0, max: 10 }).chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n })),
  payload: arbBytes(100),
});

/** An IPv6 packet (fixed header only). */
export const arbIpv6Repr: fc.Arbitrary<Ipv6Repr> = fc.record({
  trafficClass: arbU8,
  flowLabel: fc.integer({ min: 0, max: 0xfffff }),
  nextHeader: arbU8,
  hopLimit: arbU8,
  src: arbIpv6Addr,
  dst: arbIpv6Addr,
  payload: arbBytes(100),
});

/** An IPv6 Fragment header with its data. */
export const arbIpv6FragmentRepr: fc.Arbitrary<Ipv6FragmentRepr> = fc.record({
  nextHeader: arbU8, fragOffset: arbFragOffset, moreFragments: fc.boolean(), id: arbU32, payload: arbBytes(64),
});

/** A pseudo header of either family. */
export const arbPseudoHeader: fc.Arbitrary<PseudoHeader> = fc.oneof(
  fc.record({ v: fc.constant(4 as const), src: arbIpv4Addr, dst: arbIpv4Addr }),
  fc.record({ v: fc.constant(6 as const), src: arbIpv6Addr, dst: arbIpv6Addr }),
);

/** A UDP datagram. */
export const arbUdpRepr: fc.Arbitrary<UdpRepr> = fc.record({ srcPort: arbU16, dstPort: arbU16, payload: arbBytes(100) });

/** Option kinds with a specific shape; 'unknown' draws from the others. */
const KNOWN_TCP_KINDS = [0, 1, 2, 3, 4, 5, 8];

/** One TCP option other than EOL. */
export const arbTcpOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.record({ kind: fc.constant('mss' as const), mss: arbU16 }),
  fc.record({ kind: fc.constant('wscale' as const), shift: arbU8 }),
  fc.constant({ kind: 'sackOk' as const }),
  fc.record({ kind: fc.constant('sack' as const), blocks: fc.array(fc.tuple(arbU32, arbU32), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('timestamp' as const), tsval: arbU32, tsecr: arbU32 }),
  fc.constant({ kind: 'nop' as const }),
  fc.record({
    kind: fc.constant('unknown' as const),
    type: arbU8.filter((t) => !KNOWN_TCP_KINDS.includes(t)),
    data: arbBytes(10),
  }),
);

/** A TCP segment whose options fit the 40-byte option space. */
export const arbTcpRepr: fc.Arbitrary<TcpRepr> = fc.record({
  srcPort: arbU16,
  dstPort: arbU16,
  seq: arbU32,
  ack: arbU32,
  flags: arbU8,
  window: arbU16,
  urgent: arbU16,
  options: fc.array(arbTcpOption, { maxLength: 8 }).filter((o) => tcpHeaderLen(o) <= TCP_MAX_HEADER_LEN),
  payload: arbBytes(100),
});

/** An ICMPv4 message of each shape; generic ones avoid the types parse gives a specific shape. */
export const arbIcmpv4Repr: fc.Arbitrary<Icmpv4Repr> = fc.oneof(
  fc.record({ type: fc.constantFrom(0 as const, 8 as const), code: arbU8, id: arbU16, seq: arbU16, data: arbBytes() }),
  fc.record({ type: fc.constant(3 as const), code: arbU8, nextHopMtu: arbU16, original: arbBytes() }),
  fc.record({ type: fc.constant(11 as const), code: arbU8, original: arbBytes() }),
  fc.record({ type: arbU8.filter((t) => ![0, 3, 8, 11].includes(t)), code: arbU8, rest: arbU32, data: arbBytes() }),
);

/** One ND option; 'unknown' avoids types 1 and 2, which parse decodes when 8 bytes long. */
export const arbNdpOption: fc.Arbitrary<NdpOption> = fc.oneof(
  fc.record({ kind: fc.constant('sourceLinkAddr' as const), mac: arbMac }),
  fc.record({ kind: fc.constant('targetLinkAddr' as const), mac: arbMac }),
  fc.record({
    kind: fc.constant('unknown' as const),
    type: fc.integer({ min: 3, max: 255 }),
    data: fc.integer({ min: 1, max: 3 }).chain((n) => fc.uint8Array({ minLength: 8 * n - 2, maxLength: 8 * n - 2 })),
  }),
);

/** ICMPv6 types that parse returns in a specific shape. */
const SPECIFIC_ICMPV6_TYPES = [1, 2, 3, 4, 128, 129, 135, 136];

/** An ICMPv6 message of each shape. */
export const arbIcmpv6Repr: fc.Arbitrary<Icmpv6Repr> = fc.oneof(
  fc.record({ type: fc.constantFrom(128 as const, 129 as const), code: arbU8, id: arbU16, seq: arbU16, data: arbBytes() }),
  fc.record({ type: fc.constantFrom(1 as const, 3 as const), code: arbU8, original: arbBytes() }),
  fc.record({ type: fc.constant(2 as const), code: arbU8, mtu: arbU32, original: arbBytes() }),
  fc.record({ type: fc.constant(4 as const), code: arbU8, pointer: arbU32, original: arbBytes() }),
  fc.record({
    type: fc.constant(135 as const), code: arbU8, target: arbIpv6Addr, options: fc.array(arbNdpOption, { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant(136 as const), code: arbU8, router: fc.boolean(), solicited: fc.boolean(), override: fc.boolean(),
    target: arbIpv6Addr, options: fc.array(arbNdpOption, { maxLength: 3 }),
  }),
  fc.record({
    type: arbU8.filter((t) => !SPECIFIC_ICMPV6_TYPES.includes(t)), code: arbU8, rest: arbU32, data: arbBytes(),
  }),
);

/**
 * Damaged copies of valid packets: cut short, one bit flipped, or one byte overwritten. Parsers must still
 * either return or throw WireError on them.
 */
export function arbMutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.nat(), fc.integer({ min: 0, max: 7 }), arbU8, fc.constantFrom('cut', 'flip', 'set'))
    .map(([bytes, where, bit, value, how]) => {
      const out = bytes.slice();
      if (out.length === 0) return out;
      const i = where % out.length;
      if (how === 'cut') return out.subarray(0, i);
      if (how === 'flip') out[i] ^= 1 << bit;
      else out[i] = value;
      return out;
    });
}
