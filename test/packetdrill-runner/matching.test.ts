/**
 * Packet mapping and matching without a stack: inbound packets get live sequence numbers (the script's 0 is the
 * live ISN of our side, the peer's numbers are the script's own), outbound ones are mapped back and compared
 * field by field; TSO-sized script packets match runs of MSS segments (packetdrill's aggregation); timing uses
 * max(tolerance_usecs, tolerance_percent × the time since the previous event) (run.c verify_time).
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { PacketEvent, TcpBody } from '../../tools/packetdrill/ast.js';
import { variantConfig } from '../../tools/packetdrill/runner/config.js';
import { buildInboundTcp, decodeLive, ipPacket, PROTO_TCP, type LivePacket } from '../../tools/packetdrill/runner/packets.js';
import { ScriptSocket } from '../../tools/packetdrill/runner/sockets.js';
import { aggregate, flowLabelMismatch, fragmentMismatch, mapOutboundTcp, verifyOutbound, verifyTime } from '../../tools/packetdrill/runner/verify.js';
import { parse } from './helpers.js';

function packetLine(line: string): PacketEvent {
  const e = parse(`0 ${line}\n`).events[0];
  if (!e || e.kind !== 'packet') throw new Error('not a packet line');
  return e;
}

function socket(liveLocalIsn: number, remoteIsn: number): ScriptSocket {
  const s = new ScriptSocket('tcp', false);
  Object.assign(s.local, { ip: '192.168.0.2', port: 8080 });
  Object.assign(s.remote, { ip: '192.0.2.1', port: 48000 });
  s.liveLocalIsn = liveLocalIsn >>> 0;
  s.scriptRemoteIsn = s.liveRemoteIsn = remoteIsn >>> 0;
  return s;
}

/** A segment as the host would send it (local → remote), with raw option bytes. */
function outbound(seq: number, ack: number, flags: number, len: number, opts: number[] = [], win = 502, timeNs = 0): LivePacket {
  const seg = new Uint8Array(20 + opts.length + len);
  const dv = new DataView(seg.buffer);
  dv.setUint16(0, 8080);
  dv.setUint16(2, 48000);
  dv.setUint32(4, seq >>> 0);
  dv.setUint32(8, ack >>> 0);
  seg[12] = ((20 + opts.length) / 4) << 4;
  seg[13] = flags;
  dv.setUint16(14, win);
  seg.set(opts, 20);
  return decodeLive(ipPacket(4, '192.168.0.2', '192.0.2.1', PROTO_TCP, seg, 16, { tos: 0, ttl: 64, flowLabel: 0 }), timeNs)!;
}

const cfg = variantConfig('ipv4');
const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe('sequence-number mapping', () => {
  test.prop([u32, u32, fc.nat(1 << 20), fc.nat(1 << 20), fc.nat(1400)], { numRuns: 200 })(
    'an inbound segment carries seq + remote ISN offset (none: literal) and ack + our live ISN', (liveIsn, remoteIsn, seqRel, ackRel, len) => {
      const s = socket(liveIsn, remoteIsn);
      const ev = packetLine(`< P. ${seqRel}:${seqRel + len}(${len}) ack ${ackRel} win 257 <sack ${ackRel}:${ackRel + 1},nop,nop>`);
      const bytes = buildInboundTcp(ev, ev.body as TcpBody, s, 4, cfg.defines);
      if (typeof bytes === 'string') throw new Error(bytes);
      const p = decodeLive(bytes, 0)!;
      expect(p.tcp!.seq).toBe(seqRel >>> 0);
      expect(p.tcp!.ack).toBe((ackRel + liveIsn) >>> 0);
      const sack = p.tcp!.options.find((o) => o.kind === 5)!;
      expect(new DataView(sack.data.buffer, sack.data.byteOffset).getUint32(0)).toBe((ackRel + liveIsn) >>> 0);
      expect([p.src, p.dst, p.tcp!.srcPort, p.tcp!.dstPort, p.tcp!.window, p.tcp!.payload.length]).toEqual(['192.0.2.1', '192.168.0.2', 48000, 8080, 257, len]);
    });

  test.prop([u32, u32, fc.nat(1 << 20), fc.nat(1 << 20)], { numRuns: 200 })(
    'an outbound segment maps back to script space: seq - live ISN, SACK blocks as sent by the peer', (liveIsn, remoteIsn, seqRel, ackRel) => {
      const s = socket(liveIsn, remoteIsn);
      const sackLeft = (remoteIsn + ackRel) >>> 0;
      const sackOpt = [1, 1, 5, 10, ...[sackLeft, sackLeft + 10].flatMap((n) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255])];
      const live = outbound(liveIsn + seqRel, remoteIsn + ackRel, 0x10, 0, sackOpt);
      const a = mapOutboundTcp(s, live, undefined);
      expect([a.seq, a.ack]).toEqual([seqRel >>> 0, (remoteIsn + ackRel) >>> 0]);
    });
});

describe('outbound comparison', () => {
  const s = socket(1000, 0);
  const check = (script: string, live: LivePacket): string | null => {
    const ev = packetLine(script);
    return verifyOutbound(ev, live, mapOutboundTcp(s, live, ev.body as TcpBody), { cfg, eventNs: 0, v: 4 });
  };

  it('matches flags, seq, ack and options in order; an omitted win is not checked', () => {
    const mss = [2, 4, 5, 180, 1, 1, 4, 2, 1, 3, 3, 8];
    expect(check('> S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>', outbound(1000, 1, 0x12, 0, mss))).toBeNull();
  });

  it('reports the first differing field in packetdrill words', () => {
    expect(check('> . 1:1(0) ack 1', outbound(1001, 1, 0x18, 0))).toBe('live packet field tcp_psh: expected: 0 (0x0) vs actual: 1 (0x1)');
    expect(check('> . 1:1(0) ack 1 win 257', outbound(1001, 1, 0x10, 0))).toBe('live packet field tcp_window: expected: 257 (0x101) vs actual: 502 (0x1f6)');
    expect(check('> . 1:1(0) ack 2', outbound(1001, 1, 0x10, 0))).toBe('live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)');
  });

  it('treats a different option list, even with the same length, as bad options; <...> skips them', () => {
    const ws = [1, 3, 3, 7];
    expect(check('> . 1:1(0) ack 1 <nop,wscale 8>', outbound(1001, 1, 0x10, 0, ws))).toBe('bad value outbound TCP option 3');
    expect(check('> . 1:1(0) ack 1 <nop,nop,sackOK>', outbound(1001, 1, 0x10, 0, ws))).toBe('bad outbound TCP options');
    expect(check('> . 1:1(0) ack 1 <...>', outbound(1001, 1, 0x10, 0, ws))).toBeNull();
    expect(check('> . 1:1(0) ack 1', outbound(1001, 1, 0x10, 0, ws))).toBe('live packet field tcp_data_offset: expected: 5 (0x5) vs actual: 6 (0x6)');
  });

  it('requires zero payload bytes, as packetdrill writes zeros', () => {
    const live = outbound(1001, 1, 0x18, 3);
    live.tcp!.payload[1] = 7;
    expect(check('> P. 1:4(3) ack 1', live)).toBe('incorrect outbound data payload');
  });
});

describe('IPv6 flow labels (verify_outbound_live_ipv6_flowlabel)', () => {
  it('pairs a script label with the first live one, then requires consistency', () => {
    const s = socket(0, 0);
    const v6 = (label: number): LivePacket => ({ ...outbound(1, 1, 0x10, 0), v: 6, flowLabel: label });
    const a = packetLine('> (flowlabel 0x1) . 1:1(0) ack 1'), b = packetLine('> (flowlabel 0x2) . 1:1(0) ack 1');
    expect(flowLabelMismatch(s, a, v6(0x777))).toBeNull();
    expect(flowLabelMismatch(s, a, v6(0x777))).toBeNull();
    expect(flowLabelMismatch(s, a, v6(0x778))).toBe('inconsistent flowlabels for this packet: expected: 0x777 vs actual: 0x778');
    expect(flowLabelMismatch(s, b, v6(0x777))).toBe('expected a different flowlabel but got the same');
    expect(flowLabelMismatch(s, b, v6(0x999))).toBeNull();
    expect(flowLabelMismatch(s, b, v6(0))).toBe('flowlabel unmarked in the live packet');
  });
});

describe('TSO/GSO aggregation', () => {
  test.prop([fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 1460 })], { numRuns: 100 })(
    'k MSS segments with PSH on the last are one P. packet of k×len bytes', (k, len) => {
      const parts = Array.from({ length: k }, (_, i) => outbound(1001 + i * len, 1, i === k - 1 ? 0x18 : 0x10, len));
      for (let i = 1; i < k; i++) expect(fragmentMismatch(parts[i - 1]!, parts[i]!)).toBeNull();
      const one = aggregate(parts);
      expect([one.tcp!.seq, one.tcp!.flags, one.tcp!.payload.length]).toEqual([1001, 0x18, k * len]);
    });

  it('a gap in sequence numbers is not one burst', () => {
    expect(fragmentMismatch(outbound(1001, 1, 0x10, 100), outbound(1201, 1, 0x10, 100))).toContain('aggregate candidate tcp_seq');
  });
});

describe('timing (verify_time)', () => {
  it('uses 4 ms, or 12.5 % of the gap since the previous event when larger', () => {
    expect(verifyTime(cfg, 'relative', 100e6, 100e6, 103e6, 0, 'outbound packet', 0)).toBeNull();
    expect(verifyTime(cfg, 'relative', 100e6, 100e6, 113e6, 0, 'outbound packet', 0)).toContain('tolerance 0.012500 sec');
    expect(verifyTime(cfg, 'relative', 100e6, 100e6, 105e6, 99e6, 'outbound packet', 0)).toContain('expected outbound packet at 0.100000 sec but happened at 0.105000 sec; tolerance 0.004000 sec');
  });

  it('accepts anything inside a range (plus tolerance) and anything for *', () => {
    expect(verifyTime(cfg, 'relativeRange', 300e6, 400e6, 350e6, 0, 'outbound packet', 0)).toBeNull();
    expect(verifyTime(cfg, 'relativeRange', 300e6, 400e6, 1000e6, 0, 'outbound packet', 0)).toContain('relative time range +0.300000~+0.400000 sec but happened at +1.000000 sec');
    expect(verifyTime(cfg, 'any', 0, 0, 9e9, 0, 'outbound packet', 0)).toBeNull();
  });
});
