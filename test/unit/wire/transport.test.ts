/** UDP (RFC 768) and TCP (RFC 9293) with their pseudo-header checksums, options as Linux writes and parses them. */

import { describe, expect, test as plainTest } from 'vitest';
import { fc } from '@fast-check/vitest';
import { emitUdp, emitUdpInto, parseUdp, type UdpRepr } from '../../../stack/wire/udp.js';
import {
  emitTcp, emitTcpInto, linuxSynOptions, linuxTcpOptions, parseTcp, TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH,
  TCP_RST, TCP_SYN, TCP_URG, tcpFlagsToString, type TcpRepr,
} from '../../../stack/wire/tcp.js';
import type { PseudoHeader } from '../../../stack/wire/checksum.js';
import { parseEthernet } from '../../../stack/wire/ethernet.js';
import { parseIpv4 } from '../../../stack/wire/ipv4.js';
import { parseIpv6 } from '../../../stack/wire/ipv6.js';
import { IPV6_LOOPBACK } from '../../../stack/wire/addr.js';
import { arbPseudoHeader, arbTcpRepr, arbUdpRepr } from './arbitraries.js';
import { codecProperties, expectWireError } from './fuzz.js';
import { FRAME_TCP_RST, FRAME_TCP_SYN, FRAME_UDP4_HELLO, FRAME_UDP6_HI, fromHex, toHex } from './golden.js';

const LO4: PseudoHeader = { v: 4, src: 0x7f000001, dst: 0x7f000001 };
const LO6: PseudoHeader = { v: 6, src: IPV6_LOOPBACK, dst: IPV6_LOOPBACK };
const l4v4 = (frame: Uint8Array): Uint8Array => parseIpv4(parseEthernet(frame).payload).payload;
const l4v6 = (frame: Uint8Array): Uint8Array => parseIpv6(parseEthernet(frame).payload).payload;

describe('udp', () => {
  codecProperties({
    arb: fc.record({ repr: arbUdpRepr, ph: arbPseudoHeader }),
    emit: ({ repr, ph }) => emitUdp(repr, ph),
    emitInto: ({ repr, ph }, buf, o) => emitUdpInto(repr, buf, o, ph),
    parse: (b, { ph }) => parseUdp(b, ph),
    repr: ({ repr }) => repr,
  });

  plainTest('golden IPv4 datagram: checksum 0x1b2c (Wireshark-computed) verifies and is reproduced', () => {
    const seg = l4v4(FRAME_UDP4_HELLO);
    const r = parseUdp(seg, LO4);
    expect(r.srcPort).toBe(40000);
    expect(r.dstPort).toBe(9);
    expect(Buffer.from(r.payload).toString()).toBe('hello, world\n');
    expect(toHex(emitUdp(r, LO4))).toBe(toHex(seg));
  });
  plainTest('golden IPv6 datagram over ::1: checksum 0xc522 verifies and is reproduced', () => {
    const seg = l4v6(FRAME_UDP6_HI);
    const r = parseUdp(seg, LO6);
    expect(r).toMatchObject({ srcPort: 40001, dstPort: 9 });
    expect(toHex(emitUdp(r, LO6))).toBe(toHex(seg));
  });
  plainTest('a computed checksum of 0 is sent as 0xffff (RFC 768) and still verifies', () => {
    const probe: UdpRepr = { srcPort: 1234, dstPort: 53, payload: new Uint8Array(2) };
    const c = (emitUdp(probe, LO4)[6] << 8) | emitUdp(probe, LO4)[7];
    // A payload word equal to the checksum with that word zero makes the sum 0xffff, i.e. checksum 0.
    const r: UdpRepr = { ...probe, payload: Uint8Array.of(c >>> 8, c & 0xff) };
    const b = emitUdp(r, LO4);
    expect(toHex(b.subarray(6, 8))).toBe('ffff');
    expect(parseUdp(b, LO4)).toEqual(r);
  });
  plainTest('checksum 0 means "none" over IPv4 but is an error over IPv6 (RFC 8200 §8.1, udp6_csum_init())', () => {
    const r: UdpRepr = { srcPort: 7, dstPort: 9, payload: Uint8Array.of(1, 2, 3) };
    const none = emitUdp(r, null);
    expect(toHex(none.subarray(6, 8))).toBe('0000');
    expect(parseUdp(none, LO4)).toEqual(r);
    expectWireError(() => parseUdp(none, LO6), 'udp', 'bad-checksum');
  });
  plainTest('a wrong pseudo header or a damaged byte fails the checksum; without pseudo it is not checked', () => {
    const seg = l4v4(FRAME_UDP4_HELLO);
    expectWireError(() => parseUdp(seg, { v: 4, src: 0x7f000001, dst: 0x7f000002 }), 'udp', 'bad-checksum');
    const bad = seg.slice();
    bad[10] ^= 1;
    expectWireError(() => parseUdp(bad, LO4), 'udp', 'bad-checksum');
    expect(parseUdp(bad).payload[2]).toBe(bad[10]);
  });
  plainTest('the length field rules (__udp4_lib_rcv): < 8 bad-length, > datagram truncated, shorter trims', () => {
    const seg = l4v4(FRAME_UDP4_HELLO);
    const withLen = (n: number): Uint8Array => { const b = seg.slice(); b[4] = n >> 8; b[5] = n & 0xff; return b; };
    expectWireError(() => parseUdp(withLen(7), LO4), 'udp', 'bad-length');
    expectWireError(() => parseUdp(withLen(seg.length + 1)), 'udp', 'truncated');
    expectWireError(() => parseUdp(seg.subarray(0, 7)), 'udp', 'truncated');
    expect(parseUdp(withLen(10)).payload.length).toBe(2);
    // Trailing bytes after the length are outside the checksum too.
    const longer = new Uint8Array(seg.length + 3);
    longer.set(seg);
    longer.fill(0x55, seg.length);
    expect(parseUdp(longer, LO4).payload.length).toBe(13);
  });
});

describe('tcp', () => {
  codecProperties({
    arb: fc.record({ repr: arbTcpRepr, ph: arbPseudoHeader }),
    emit: ({ repr, ph }) => emitTcp(repr, ph),
    emitInto: ({ repr, ph }, buf, o) => emitTcpInto(repr, buf, o, ph),
    parse: (b, { ph }) => parseTcp(b, ph),
    repr: ({ repr }) => repr,
  });

  plainTest('a real Linux SYN: `mss 1460,sackOK,TS val 2445590155 ecr 0,nop,wscale 7`, re-emitted byte for byte', () => {
    const seg = l4v4(FRAME_TCP_SYN);
    const r = parseTcp(seg, LO4);
    const expected: TcpRepr = {
      srcPort: 45678, dstPort: 8080, seq: 0x5bf304d7, ack: 0, flags: TCP_SYN, window: 64240, urgent: 0, // 44 × MSS.
      options: [
        { kind: 'mss', mss: 1460 }, { kind: 'sackOk' }, { kind: 'timestamp', tsval: 2445590155, tsecr: 0 },
        { kind: 'nop' }, { kind: 'wscale', shift: 7 },
      ],
      payload: new Uint8Array(0),
    };
    expect(r).toEqual(expected);
    expect(linuxSynOptions(1460, true, { tsval: 2445590155, tsecr: 0 }, 7)).toEqual(expected.options);
    expect(toHex(emitTcp(expected, LO4))).toBe(toHex(seg));
    expect(tcpFlagsToString(r.flags)).toBe('S');
  });
  plainTest('the kernel\'s RST/ACK to a closed port: seq 0, ack = ISN+1, window 0, software checksum 0x35ee', () => {
    const seg = l4v4(FRAME_TCP_RST);
    const r = parseTcp(seg, LO4);
    expect(r).toMatchObject({ srcPort: 8081, dstPort: 45679, seq: 0, ack: 0xb598f446, flags: TCP_RST | TCP_ACK, window: 0 });
    expect(r.options).toEqual([]);
    expect(tcpFlagsToString(r.flags)).toBe('R.');
    expect(toHex(emitTcp(r, LO4))).toBe(toHex(seg));
  });
  plainTest('Linux option orders from tcp_options_write() need no padding', () => {
    const ts = { tsval: 1, tsecr: 2 };
    // SYN with timestamps off: mss,nop,nop,sackOK,nop,wscale 7 (what tcpdump shows for such a SYN).
    expect(linuxSynOptions(1460, true, undefined, 7).map((o) => o.kind))
      .toEqual(['mss', 'nop', 'nop', 'sackOk', 'nop', 'wscale']);
    expect(linuxTcpOptions({ timestamp: ts }).map((o) => o.kind)).toEqual(['nop', 'nop', 'timestamp']);
    expect(linuxTcpOptions({ timestamp: ts, sackBlocks: [[1, 2]] }).map((o) => o.kind))
      .toEqual(['nop', 'nop', 'timestamp', 'nop', 'nop', 'sack']);
    for (const opts of [linuxSynOptions(1460, true, ts, 7), linuxSynOptions(536, false, undefined, undefined),
      linuxTcpOptions({ timestamp: ts, sackBlocks: [[1, 2], [3, 4], [5, 6]] })]) {
      const b = emitTcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_ACK, window: 0, urgent: 0, options: opts,
        payload: new Uint8Array(0) }, LO4);
      // The options fill the header exactly: no EOL padding was needed.
      expect(b.length).toBe((b[12] >> 4) * 4);
      expect(b[b.length - 1]).not.toBe(0);
      expect(parseTcp(b, LO4).options).toEqual(opts);
    }
  });
  const bare = (options: TcpRepr['options']): Uint8Array => emitTcp({
    srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: TCP_ACK, window: 5, urgent: 0, options, payload: Uint8Array.of(9),
  }, LO4);
  plainTest('options are padded with zero (EOL) bytes to a multiple of 4, and the padding is not reported', () => {
    const b = bare([{ kind: 'wscale', shift: 7 }]);
    expect(b[12] >> 4).toBe(6);
    expect(toHex(b.subarray(20, 24))).toBe('03030700');
    expect(parseTcp(b, LO4).options).toEqual([{ kind: 'wscale', shift: 7 }]);
  });
  /** A segment with `opts` (hex, a multiple of 4 bytes) as its raw option bytes. */
  const withRawOptions = (opts: string): TcpRepr => {
    const o = fromHex(opts);
    const b = new Uint8Array(20 + o.length);
    b[12] = ((20 + o.length) / 4) << 4;
    b.set(o, 20);
    return parseTcp(b);
  };
  plainTest('an EOL followed by non-zero bytes is reported, and nothing after it is parsed (RFC 9293 §3.1)', () => {
    expect(withRawOptions('01000204').options).toEqual([{ kind: 'nop' }, { kind: 'eol' }]);
  });
  plainTest('malformed options end parsing without dropping the segment, as tcp_parse_options() does', () => {
    expect(withRawOptions('0101fe00').options).toEqual([{ kind: 'nop' }, { kind: 'nop' }]); // Length 0.
    expect(withRawOptions('0101fe01').options).toEqual([{ kind: 'nop' }, { kind: 'nop' }]); // Length 1.
    expect(withRawOptions('01080a00').options).toEqual([{ kind: 'nop' }]); // TS running past the header.
    expect(withRawOptions('01010102').options).toEqual([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'nop' }]);
  });
  plainTest('a known kind with the wrong length is kept as unknown (Linux ignores it)', () => {
    expect(withRawOptions('02030500').options).toEqual([{ kind: 'unknown', type: 2, data: Uint8Array.of(5) }]);
    expect(withRawOptions('05020000').options).toEqual([{ kind: 'unknown', type: 5, data: new Uint8Array(0) }]);
    expect(withRawOptions('1e04abcd').options).toEqual([{ kind: 'unknown', type: 30, data: Uint8Array.of(0xab, 0xcd) }]);
  });
  plainTest('data offset < 5 is bad-header-length (tcp_v4_rcv()), past the segment truncated; checksum checked', () => {
    const seg = l4v4(FRAME_TCP_SYN);
    const doff = (v: number): Uint8Array => { const b = seg.slice(); b[12] = v << 4; return b; };
    expectWireError(() => parseTcp(doff(4)), 'tcp', 'bad-header-length');
    expectWireError(() => parseTcp(seg.subarray(0, 39)), 'tcp', 'truncated');
    expectWireError(() => parseTcp(seg.subarray(0, 19)), 'tcp', 'truncated');
    expect(parseTcp(doff(5)).payload.length).toBe(20); // Options become payload; no checksum asked.
    expectWireError(() => parseTcp(doff(5), LO4), 'tcp', 'bad-checksum');
  });
  plainTest('emit refuses more than 40 option bytes', () => {
    expect(() => bare(Array.from({ length: 41 }, () => ({ kind: 'nop' as const })))).toThrow(RangeError);
    expect(bare(Array.from({ length: 40 }, () => ({ kind: 'nop' as const }))).length).toBe(61);
  });
  plainTest('flags print in packetdrill/tcpdump order and letters', () => {
    expect(tcpFlagsToString(TCP_SYN | TCP_ACK)).toBe('S.');
    expect(tcpFlagsToString(TCP_PSH | TCP_ACK)).toBe('P.');
    expect(tcpFlagsToString(TCP_FIN | TCP_ACK)).toBe('F.');
    expect(tcpFlagsToString(TCP_FIN | TCP_PSH | TCP_ACK)).toBe('FP.');
    expect(tcpFlagsToString(TCP_ACK)).toBe('.');
    expect(tcpFlagsToString(TCP_RST)).toBe('R');
    expect(tcpFlagsToString(TCP_SYN | TCP_ECE | TCP_CWR)).toBe('SEW');
    expect(tcpFlagsToString(TCP_URG | TCP_ACK)).toBe('.U');
    expect(tcpFlagsToString(0)).toBe('');
  });
});
