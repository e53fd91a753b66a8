/**
 * Event times and packet lines, each checked against what packetdrill's parser.y builds
 * for the same text: time kinds and microseconds, direction, flags, start:end(len),
 * ack/win/urg, TCP options (or `<...>` for "don't check"), IP info, ICMP, UDP and
 * explicit outer IP headers.
 */
import { describe, expect, it } from 'vitest';
import type { IcmpBody, TcpBody, UdpBody } from '../../../tools/packetdrill/ast.js';
import { secondsToUsecs } from '../../../tools/packetdrill/parser.js';
import { eventOf, oneEvent } from './helpers.js';

/** The TCP body of a one-line packet script. */
function tcp(line: string): TcpBody {
  const e = eventOf(line, 'packet');
  expect(e.body.protocol).toBe('tcp');
  return e.body as TcpBody;
}

describe('event times', () => {
  it('absolute seconds become exact microseconds (0.100 s = 100000 us)', () => {
    expect(oneEvent('0.100 close(3) = 0').time).toEqual({ kind: 'absolute', at: { text: '0.100', usecs: 100_000 } });
    expect(oneEvent('2 close(3) = 0').time).toEqual({ kind: 'absolute', at: { text: '2', usecs: 2_000_000 } });
  });

  it('+.1 is relative to the previous event', () => {
    expect(oneEvent('+.1 close(3) = 0').time).toEqual({ kind: 'relative', at: { text: '.1', usecs: 100_000 } });
  });

  it('ranges a~b and +a~+b, and * (any time) are allowed on outbound packets', () => {
    expect(oneEvent('0.100~0.200 > . 1:1(0) ack 1').time).toMatchObject({
      kind: 'absoluteRange',
      start: { usecs: 100_000 },
      end: { usecs: 200_000 },
    });
    expect(oneEvent('+0~+0.1 > . 1:1(0) ack 1').time).toMatchObject({ kind: 'relativeRange', start: { usecs: 0 }, end: { usecs: 100_000 } });
    expect(oneEvent('* > . 1:1(0) ack 1').time).toEqual({ kind: 'any' });
  });

  it('a blocking call carries its end time after "..." (with or without a space before it)', () => {
    const e = eventOf('+0...0.200 accept(3, ..., ...) = 4', 'syscall');
    expect(e.time).toMatchObject({ kind: 'relative', at: { usecs: 0 } });
    expect(e.end).toEqual({ text: '0.200', usecs: 200_000 });
    expect(eventOf('+0 ...0.010 sendto(4, ..., 1000, MSG_FASTOPEN, ..., ...) = 1000', 'syscall').end?.usecs).toBe(10_000);
  });

  it('converts decimal seconds without binary floating-point error (0.57 s is 570000 us)', () => {
    expect(secondsToUsecs('0.57')).toBe(570_000);
    expect(secondsToUsecs('.000001')).toBe(1);
    expect(secondsToUsecs('1.2345678')).toBe(1_234_567);
  });
});

describe('TCP packet lines', () => {
  it('reads an inbound SYN with options', () => {
    const e = eventOf('+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>', 'packet');
    expect(e.direction).toBe('inbound');
    const b = e.body as TcpBody;
    expect(b.flags).toMatchObject({ text: 'S', syn: true, ack: false });
    expect(b.seq).toEqual({ start: 0, end: 0, len: 0 });
    expect(b.win).toBe(32792);
    expect(b.ack).toBeUndefined();
    expect(b.options).toMatchObject([
      { kind: 'mss', value: 1000 },
      { kind: 'sackOK' },
      { kind: 'nop' },
      { kind: 'nop' },
      { kind: 'nop' },
      { kind: 'wscale', value: 7 },
    ]);
  });

  it('reads an outbound SYN-ACK: "S." sets SYN and ACK, no win means "do not check"', () => {
    const b = tcp('+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>');
    expect(b.flags).toMatchObject({ syn: true, ack: true, fin: false });
    expect(b.ack).toBe(1);
    expect(b.win).toBeUndefined();
  });

  it('reads data with payload length, P. and F. flags, R and R.', () => {
    expect(tcp('+0 > P. 1:1001(1000) ack 1').seq).toEqual({ start: 1, end: 1001, len: 1000 });
    expect(tcp('+0 > F. 1001:1001(0) ack 1').flags).toMatchObject({ fin: true, ack: true });
    expect(tcp('+0 > R 1:1(0)').flags).toMatchObject({ rst: true, ack: false });
    expect(tcp('+0 < R. 0:0(0) ack 1 win 0').flags).toMatchObject({ rst: true, ack: true });
    expect(tcp('+0 > . 1:1(0) ack 1').flags).toMatchObject({ text: '.', ack: true, syn: false });
  });

  it('reads ECN and AccECN flags: E=ECE, W=CWR, A=AE, and an ACE digit after the dot', () => {
    expect(tcp('+0 < SEW 0:0(0) win 100').flags).toMatchObject({ syn: true, ece: true, cwr: true, ae: false });
    expect(tcp('+0 < SEWA 0:0(0) win 100').flags).toMatchObject({ ae: true });
    expect(tcp('+0 > EAP. 1:1(0) ack 1').flags).toMatchObject({ ece: true, ae: true, psh: true, ack: true });
    // ACE 5 = 0b101: ECE and AE set, CWR clear (tcp_packet.c derives the bits from the digit).
    expect(tcp('+0 > .5 1:1(0) ack 1').flags).toMatchObject({ text: '.5', ack: true, ace: 5, ece: true, cwr: false, ae: true });
    expect(tcp('+0 > P.2 1:1(0) ack 1').flags).toMatchObject({ psh: true, ace: 2, ece: false, cwr: true, ae: false });
    expect(tcp('+0 < - 1:1(0) win 10').flags).toMatchObject({ text: '-', ack: false, syn: false });
  });

  it('reads urg and U flag', () => {
    const b = tcp('+0 < U. 1:2(1) ack 1 win 100 urg 1');
    expect(b.flags.urg).toBe(true);
    expect(b.urg).toBe(1);
  });

  it('reads timestamps, SACK blocks, md5, fast open cookies and eol', () => {
    const b = tcp('+0 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 12 ecr 100,nop,nop,sack 1001:2001 3001:4001>');
    expect(b.options).toMatchObject([
      { kind: 'nop' },
      { kind: 'nop' },
      { kind: 'timestamp', val: 12, ecr: 100 },
      { kind: 'nop' },
      { kind: 'nop' },
      { kind: 'sack', blocks: [{ left: 1001, right: 2001 }, { left: 3001, right: 4001 }] },
    ]);
    expect(tcp('+0 > . 1:1(0) <nop,nop,nop,eol>').options).toMatchObject([{}, {}, {}, { kind: 'eol' }]);
    expect(tcp('+0 < . 1:1(0) ack 1 win 5 <md5 000102030405060708090a0b0c0d0e0f,nop,nop>').options).toMatchObject([
      { kind: 'md5', hex: '000102030405060708090a0b0c0d0e0f' },
      {},
      {},
    ]);
    expect(tcp('+0 > S 0:0(0) <mss 1460,FO,nop,nop>').options).toMatchObject([{ kind: 'mss' }, { kind: 'fastOpen', cookie: '' }, {}, {}]);
    expect(tcp('+0 > S 0:0(0) <FO abcd1234,nop,nop, FOEXP 00abaaabe8e954c2>').options).toMatchObject([
      { kind: 'fastOpen', cookie: 'abcd1234' },
      {},
      {},
      { kind: 'fastOpenExp', cookie: '00abaaabe8e954c2' },
    ]);
  });

  it('keeps a non-hex cookie as a -D symbol for the runner (packetdrill substitutes defines in its lexer)', () => {
    expect(tcp('+0 < S 0:10(10) win 100 <FOEXP TFO_COOKIE>').options).toMatchObject([{ kind: 'fastOpenExp', cookie: 'TFO_COOKIE' }]);
  });

  it('reads the AccECN option with counters in the order written', () => {
    expect(tcp('+0 > SW. 0:0(0) ack 1 <ECN e1b 1 ceb 0 e0b 1,nop>').options).toMatchObject([
      { kind: 'accEcn', fields: [{ name: 'e1b', value: 1 }, { name: 'ceb', value: 0 }, { name: 'e0b', value: 1 }] },
      { kind: 'nop' },
    ]);
  });

  it('distinguishes omitted options (none) from <...> (do not check)', () => {
    expect(tcp('+0 > P. 1:201(200) ack 1').options).toEqual([]);
    expect(tcp('+0 > S 0:0(0) <...>').options).toBe('any');
  });

  it('checks option padding and size like packetdrill (header a multiple of 4 bytes, at most 40 option bytes)', () => {
    expect(tcp('+0 > S 0:0(0) <mss 1460,nop,wscale 8>').options).toHaveLength(3);
    expect(tcp('+0 > S 0:0(0) <FOEXP TFO_COOKIE,nop>').options).toHaveLength(2); // size unknown until -D substitution
  });

  it("keeps a fuzzing extension's { ... } annotation verbatim", () => {
    expect(tcp('+0 > S 0:0(0) <mss 1460> { mut tcp mss }').fuzz).toBe('mut tcp mss');
    expect(tcp('+0 > S 0:0(0)').fuzz).toBeUndefined();
  });

  it('reads explicit ports sport>dport', () => {
    expect(tcp('+0 < 12345>8080 S 0:0(0) win 100').ports).toEqual({ src: 12345, dst: 8080 });
  });

  it('reads IP info: [ect0], [ce], (tos 0x..), flowlabel and ttl', () => {
    expect(eventOf('+0 < [ect0] . 1:1(0) ack 1 win 10', 'packet').ipInfo).toEqual({ ecn: 'ect0', bracket: '[' });
    expect(eventOf('+0 > [ce] . 1:1(0) ack 1', 'packet').ipInfo).toEqual({ ecn: 'ce', bracket: '[' });
    expect(eventOf('+0 > (tos 0x10) . 1:1(0) ack 1', 'packet').ipInfo).toEqual({ tos: 0x10, bracket: '(' });
    expect(eventOf('+0 > [noecn, flowlabel 0x1234] . 1:1(0)', 'packet').ipInfo).toEqual({ ecn: 'noecn', flowLabel: 0x1234, bracket: '[' });
    expect(eventOf('+0 > (ttl 64) . 1:1(0)', 'packet').ipInfo).toEqual({ ttl: 64, bracket: '(' });
  });

  it('reads explicit outer IPv4/IPv6 headers', () => {
    const e = eventOf('+0 < ipv4 192.0.2.1 > 192.168.0.1: S 0:0(0) win 100', 'packet');
    expect(e.encapsulation).toMatchObject([{ kind: 'ipv4', src: '192.0.2.1', dst: '192.168.0.1' }]);
    const e6 = eventOf('+0 > ipv6 fd3d::1 > 2001:db8::1: . 1:1(0) ack 1', 'packet');
    expect(e6.encapsulation).toMatchObject([{ kind: 'ipv6', src: 'fd3d::1', dst: '2001:db8::1' }]);
  });

  it('reads MPLS label stacks', () => {
    const e = eventOf('+0 < mpls (label 123, tc 1, [S], ttl 255): . 1:1(0) ack 1 win 10', 'packet');
    expect(e.encapsulation).toMatchObject([{ kind: 'mpls', labels: [{ label: 123, tc: 1, bottom: true, ttl: 255 }] }]);
  });
});

describe('ICMP and UDP packet lines', () => {
  it('reads an ICMP fragmentation-needed error echoing a TCP segment (RFC 1191)', () => {
    const e = eventOf('+0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]', 'packet');
    expect(e.body).toEqual({ protocol: 'icmp', type: 'unreachable', code: 'frag_needed', mtu: 1200, echoed: { protocol: 'tcp', seq: { start: 1, end: 1461, len: 1460 } } } satisfies IcmpBody);
  });

  it('reads ICMPv6 packet_too_big without a code, and a bare ICMP type', () => {
    expect(eventOf('+0 < icmp packet_too_big mtu 1400 [0:1440(1440)]', 'packet').body).toMatchObject({ type: 'packet_too_big', mtu: 1400 });
    expect(eventOf('+0 < icmp unreachable [5000:6000(1000)]', 'packet').body).not.toHaveProperty('code');
  });

  it('reads ICMP echoing a UDP datagram', () => {
    expect(eventOf('+0 < icmp unreachable port_unreachable [udp (100)]', 'packet').body).toMatchObject({ echoed: { protocol: 'udp', len: 100 } });
  });

  it('reads UDP lines with and without ports', () => {
    expect(eventOf('+0 < udp (100)', 'packet').body).toEqual({ protocol: 'udp', len: 100 } satisfies UdpBody);
    expect(eventOf('+0 > udp 8080>53 (20)', 'packet').body).toEqual({ protocol: 'udp', ports: { src: 8080, dst: 53 }, len: 20 });
  });
});
