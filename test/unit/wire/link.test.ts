/** Ethernet II framing and Ethernet/IPv4 ARP (RFC 826). */

import { describe, expect, test as plainTest } from 'vitest';
import {
  emitEthernet, emitEthernetInto, ETH_ZLEN, ETHERNET_HEADER_LEN, ETHERTYPE_IPV4, parseEthernet,
} from '../../../stack/wire/ethernet.js';
import { ARP_LEN, emitArp, emitArpInto, parseArp } from '../../../stack/wire/arp.js';
import { macFromString } from '../../../stack/wire/addr.js';
import { arbArpRepr, arbEthernetRepr } from './arbitraries.js';
import { expectWireError, plainCodecProperties } from './fuzz.js';
import { fromHex, FRAME_TCP_SYN, toHex } from './golden.js';

describe('ethernet', () => {
  plainCodecProperties(arbEthernetRepr, emitEthernet, emitEthernetInto, parseEthernet);
  plainTest('a real loopback frame: zero MACs, EtherType 0x0800, payload is the IPv4 packet', () => {
    const f = parseEthernet(FRAME_TCP_SYN);
    expect(f).toMatchObject({ dst: 0, src: 0, etherType: ETHERTYPE_IPV4 });
    expect(f.payload.length).toBe(FRAME_TCP_SYN.length - ETHERNET_HEADER_LEN);
    expect(f.payload[0]).toBe(0x45);
    expect(f.payload.buffer).toBe(FRAME_TCP_SYN.buffer); // Zero-copy view.
  });
  plainTest('byte layout: dst, src, type, big-endian', () => {
    const bytes = emitEthernet({
      dst: 0xffffffffffff, src: macFromString('02:00:00:00:00:01')!, etherType: 0x0806, payload: Uint8Array.of(1, 2),
    });
    expect(toHex(bytes)).toBe('ffffffffffff' + '020000000001' + '0806' + '0102');
  });
  plainTest('pad=true zero-pads to ETH_ZLEN (60) like the sending driver; long frames are untouched', () => {
    const short = emitEthernet({ dst: 1, src: 2, etherType: 0x0806, payload: new Uint8Array(28).fill(7) }, true);
    expect(short.length).toBe(ETH_ZLEN);
    expect(short.subarray(42).every((x) => x === 0)).toBe(true);
    expect(emitEthernet({ dst: 1, src: 2, etherType: 0x800, payload: new Uint8Array(100) }, true).length).toBe(114);
  });
  plainTest('under 14 bytes is truncated', () => {
    expectWireError(() => parseEthernet(new Uint8Array(13)), 'ethernet', 'truncated');
  });
});

describe('arp', () => {
  plainCodecProperties(arbArpRepr, emitArp, emitArpInto, parseArp);
  // "who-has 192.0.2.2 tell 192.0.2.1" as Linux sends it: target MAC zero (arp_send with dest_hw NULL).
  const request = fromHex('0001 0800 06 04 0001 020000000001 c0000201 000000000000 c0000202');
  plainTest('RFC 826 layout of a Linux request', () => {
    expect(parseArp(request)).toEqual({
      op: 1, senderMac: 0x020000000001, senderIp: 0xc0000201, targetMac: 0, targetIp: 0xc0000202,
    });
    expect(toHex(emitArp(parseArp(request)))).toBe(toHex(request));
  });
  plainTest('frame padding after the 28 bytes is ignored', () => {
    const padded = new Uint8Array(46);
    padded.set(request);
    expect(parseArp(padded).targetIp).toBe(0xc0000202);
  });
  plainTest('rejects other hardware/protocol types, address lengths and opcodes (arp_process ignores them)', () => {
    const mutate = (i: number, v: number): Uint8Array => { const b = request.slice(); b[i] = v; return b; };
    expectWireError(() => parseArp(mutate(1, 6)), 'arp', 'unsupported-format'); // htype 6 (IEEE 802).
    expectWireError(() => parseArp(mutate(2, 0x86)), 'arp', 'unsupported-format');
    expectWireError(() => parseArp(mutate(4, 8)), 'arp', 'unsupported-format');
    expectWireError(() => parseArp(mutate(5, 16)), 'arp', 'unsupported-format');
    expectWireError(() => parseArp(mutate(7, 3)), 'arp', 'bad-op'); // RARP request.
    expectWireError(() => parseArp(request.subarray(0, ARP_LEN - 1)), 'arp', 'truncated');
  });
});
