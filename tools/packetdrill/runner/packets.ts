/**
 * Packets between the script and the stack: decoding what the host under test sends (IPv4/IPv6 with TCP, UDP or
 * ICMP, TCP options kept raw as packetdrill compares them: kind, length and bytes), and building what the script
 * injects, with sequence numbers, SACK blocks and TS ecr mapped from script space to live values
 * (run_packet.c map_inbound_packet). Payloads are zeros, as packetdrill's are.
 */
import type { IcmpBody, PacketEvent, TcpBody, TcpOption, UdpBody } from '../ast.js';
import { finishChecksum, onesSum, pseudoSumV4, pseudoSumV6 } from '../../../stack/wire/checksum.js';
import { readU16, readU32, writeU16, writeU32 } from '../../../stack/wire/bytes.js';
import { ipv4FromString, ipv4ToString, ipv6FromString, ipv6ToString } from '../../../stack/wire/addr.js';
import type { ScriptSocket } from './sockets.js';
import { defineText } from './symbols.js';

/** One TCP option as on the wire: kind and the bytes after kind/length (none for NOP and EOL). */
export interface RawOption {
  kind: number;
  data: Uint8Array;
}

/** A decoded TCP header. */
export interface LiveTcp {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Byte 13: CWR ECE URG ACK PSH RST SYN FIN. */
  flags: number;
  /** The AccECN AE bit (byte 12, bit 0). */
  ae: boolean;
  /** The three reserved bits (byte 12, bits 1-3). */
  reserved: number;
  window: number;
  urg: number;
  /** Header length in bytes (data offset × 4). */
  headerLen: number;
  options: RawOption[];
  payload: Uint8Array;
}

/** A packet the stack sent (or one the runner built), decoded. */
export interface LivePacket {
  /** Virtual time it left the host, ns. */
  timeNs: number;
  v: 4 | 6;
  src: string;
  dst: string;
  /** IPv4 TOS byte or IPv6 traffic class. */
  tos: number;
  ttl: number;
  flowLabel: number;
  protocol: number;
  /** False when the IPv4 header checksum is wrong. */
  ipChecksumOk: boolean;
  tcp?: LiveTcp;
  udp?: { srcPort: number; dstPort: number; payload: Uint8Array };
  icmp?: { type: number; code: number };
}

/** IP protocol numbers. */
export const PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMP = 1, PROTO_ICMPV6 = 58;

/** Walks TCP options the way packetdrill's tcp_options iterator does; EOL ends the list (the rest is padding). */
export function rawTcpOptions(b: Uint8Array, from: number, to: number): RawOption[] {
  const out: RawOption[] = [];
  let p = from;
  while (p < to) {
    const kind = b[p]!;
    if (kind === 0 || kind === 1) {
      out.push({ kind, data: new Uint8Array(0) });
      p++;
      if (kind === 0) break;
      continue;
    }
    const len = b[p + 1] ?? 0;
    if (len < 2 || p + len > to) {
      out.push({ kind, data: b.slice(p + 2, to) });
      break;
    }
    out.push({ kind, data: b.slice(p + 2, p + len) });
    p += len;
  }
  return out;
}

function decodeTcp(b: Uint8Array): LiveTcp | undefined {
  if (b.length < 20) return undefined;
  const headerLen = (b[12]! >>> 4) * 4;
  if (headerLen < 20 || headerLen > b.length) return undefined;
  return {
    srcPort: readU16(b, 0), dstPort: readU16(b, 2), seq: readU32(b, 4), ack: readU32(b, 8),
    flags: b[13]!, ae: (b[12]! & 1) !== 0, reserved: (b[12]! >>> 1) & 7, window: readU16(b, 14), urg: readU16(b, 18),
    headerLen, options: rawTcpOptions(b, 20, headerLen), payload: b.slice(headerLen),
  };
}

/** Decodes an IP packet the stack sent; null for anything that is not IPv4/IPv6. */
export function decodeLive(ip: Uint8Array, timeNs: number): LivePacket | null {
  const version = ip[0]! >>> 4;
  let p: LivePacket;
  let l4: Uint8Array;
  if (version === 4 && ip.length >= 20) {
    const hl = (ip[0]! & 15) * 4;
    const total = Math.min(readU16(ip, 2), ip.length);
    p = {
      timeNs, v: 4, src: ipv4ToString(readU32(ip, 12)), dst: ipv4ToString(readU32(ip, 16)), tos: ip[1]!, ttl: ip[8]!,
      flowLabel: 0, protocol: ip[9]!, ipChecksumOk: onesSum(ip, 0, hl) === 0xffff,
    };
    l4 = ip.subarray(hl, total);
  } else if (version === 6 && ip.length >= 40) {
    const first = readU32(ip, 0);
    p = {
      timeNs, v: 6, src: ipv6ToString(ip.subarray(8, 24)), dst: ipv6ToString(ip.subarray(24, 40)),
      tos: (first >>> 20) & 0xff, ttl: ip[7]!, flowLabel: first & 0xfffff, protocol: ip[6]!, ipChecksumOk: true,
    };
    l4 = ip.subarray(40, 40 + readU16(ip, 4));
  } else return null;
  if (p.protocol === PROTO_TCP) {
    const tcp = decodeTcp(l4);
    if (tcp) p.tcp = tcp;
  } else if (p.protocol === PROTO_UDP && l4.length >= 8) {
    p.udp = { srcPort: readU16(l4, 0), dstPort: readU16(l4, 2), payload: l4.slice(8, Math.max(8, readU16(l4, 4))) };
  } else if ((p.protocol === PROTO_ICMP || p.protocol === PROTO_ICMPV6) && l4.length >= 4) {
    p.icmp = { type: l4[0]!, code: l4[1]! };
  }
  return p;
}

/** The payload bytes of a decoded packet. */
export function payloadOf(p: LivePacket): Uint8Array {
  return p.tcp?.payload ?? p.udp?.payload ?? new Uint8Array(0);
}

/** Wire bytes of a script TCP option (an error message for a value that cannot be encoded). */
export function encodeOption(o: TcpOption, defines: ReadonlyMap<string, string>, mapSack: (n: number) => number,
  mapEcr: (n: number) => number | string): number[] | string {
  const hex = (h: string): number[] | string => {
    const t = /^[0-9A-Fa-f]*$/.test(h) ? h : defineText(h, defines);
    if (!/^([0-9A-Fa-f]{2})*$/.test(t)) return `bad hex value "${h}" in TCP option`;
    const out: number[] = [];
    for (let i = 0; i < t.length; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
    return out;
  };
  const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  switch (o.kind) {
    case 'nop': return [1];
    case 'eol': return [0];
    case 'mss': return [2, 4, (o.value >>> 8) & 255, o.value & 255];
    case 'wscale': return [3, 3, o.value & 255];
    case 'sackOK': return [4, 2];
    case 'sack': return [5, 2 + 8 * o.blocks.length, ...o.blocks.flatMap((b) => [...u32(mapSack(b.left)), ...u32(mapSack(b.right))])];
    case 'timestamp': {
      const ecr = mapEcr(o.ecr);
      if (typeof ecr === 'string') return ecr;
      return [8, 10, ...u32(o.val >>> 0), ...u32(ecr)];
    }
    case 'md5': {
      const h = hex(o.hex);
      return typeof h === 'string' ? h : [19, 2 + h.length, ...h];
    }
    case 'fastOpen':
    case 'fastOpenExp': {
      const h = hex(o.cookie);
      if (typeof h === 'string') return h;
      return o.kind === 'fastOpen' ? [34, 2 + h.length, ...h] : [254, 4 + h.length, 0xf9, 0x89, ...h];
    }
    case 'accEcn': {
      // draft-ietf-tcpm-accurate-ecn: kind 172 lists e0b first, kind 174 lists e1b first; 24-bit counters.
      const kind = o.fields[0]?.name === 'e1b' ? 174 : 172;
      return [kind, 2 + 3 * o.fields.length, ...o.fields.flatMap((f) => [(f.value >>> 16) & 255, (f.value >>> 8) & 255, f.value & 255])];
    }
  }
}

/** Address bytes of an address text in a given family. */
function addrBytes(text: string, v: 4 | 6): Uint8Array {
  if (v === 4) {
    const n = ipv4FromString(text);
    if (n === null) throw new Error(`bad IPv4 address ${text}`);
    const b = new Uint8Array(4);
    writeU32(b, 0, n);
    return b;
  }
  const a = ipv6FromString(text);
  if (a === null) throw new Error(`bad IPv6 address ${text}`);
  return a;
}

/** Wraps a transport payload in an IP header (src → dst) and fills the transport checksum at csumAt (-1: none). */
export function ipPacket(v: 4 | 6, src: string, dst: string, proto: number, l4: Uint8Array, csumAt: number,
  ip: { tos: number; ttl: number; flowLabel: number }): Uint8Array {
  const s = addrBytes(src, v), d = addrBytes(dst, v);
  if (csumAt >= 0) {
    writeU16(l4, csumAt, 0);
    const pseudo = v === 4 ? pseudoSumV4(readU32(s, 0), readU32(d, 0), proto, l4.length) : pseudoSumV6(s, d, proto, l4.length);
    const c = finishChecksum(onesSum(l4, 0, l4.length, proto === PROTO_ICMP ? 0 : pseudo));
    writeU16(l4, csumAt, proto === PROTO_UDP && c === 0 ? 0xffff : c);
  }
  const hl = v === 4 ? 20 : 40;
  const out = new Uint8Array(hl + l4.length);
  if (v === 4) {
    out[0] = 0x45;
    out[1] = ip.tos;
    writeU16(out, 2, out.length);
    out[8] = ip.ttl;
    out[9] = proto;
    out.set(s, 12);
    out.set(d, 16);
    writeU16(out, 10, finishChecksum(onesSum(out, 0, 20)));
  } else {
    writeU32(out, 0, ((6 << 28) | ((ip.tos & 0xff) << 20) | (ip.flowLabel & 0xfffff)) >>> 0);
    writeU16(out, 4, l4.length);
    out[6] = proto;
    out[7] = ip.ttl;
    out.set(s, 8);
    out.set(d, 24);
  }
  out.set(l4, hl);
  return out;
}

/** The TOS/traffic-class, TTL and flow label an inbound script packet asks for (RFC 3168 ECN codepoints). */
export function inboundIpFields(ev: PacketEvent): { tos: number; ttl: number; flowLabel: number } {
  const info = ev.ipInfo;
  const ecn = info?.ecn === 'ect0' ? 2 : info?.ecn === 'ect1' ? 1 : info?.ecn === 'ce' ? 3 : 0;
  const tos = info?.tos !== undefined ? info.tos : ecn;
  return { tos, ttl: info?.ttl ?? 64, flowLabel: info?.flowLabel ?? 0 };
}

/** TCP flag bits of a script flag set, for byte 13. */
export function scriptFlagBits(f: TcpBody['flags']): number {
  return (f.fin ? 1 : 0) | (f.syn ? 2 : 0) | (f.rst ? 4 : 0) | (f.psh ? 8 : 0) | (f.ack ? 16 : 0) | (f.urg ? 32 : 0)
    | (f.ece ? 64 : 0) | (f.cwr ? 128 : 0);
}

/** Builds an inbound TCP segment for sock, mapped to live values; an error message when it cannot be. */
export function buildInboundTcp(ev: PacketEvent, body: TcpBody, sock: ScriptSocket, v: 4 | 6,
  defines: ReadonlyMap<string, string>): Uint8Array | string {
  const localOff = sock.localScriptToLive();
  const mapSeq = (n: number): number => (n + localOff) >>> 0;
  const mapEcr = (ecr: number): number | string => {
    if (!body.flags.ack) return ecr >>> 0;
    const live = sock.tsValMap.get(ecr >>> 0);
    return live === undefined ? `unable to find mapping for timestamp ecr ${ecr}` : live;
  };
  const opts: number[] = [];
  if (body.options !== 'any') {
    for (const o of body.options) {
      const enc = encodeOption(o, defines, mapSeq, mapEcr);
      if (typeof enc === 'string') return enc;
      opts.push(...enc);
    }
  }
  while (opts.length % 4 !== 0) opts.push(0);
  if (opts.length > 40) return `TCP options too long (${opts.length} bytes)`;
  const hl = 20 + opts.length;
  const seg = new Uint8Array(hl + body.seq.len);
  writeU16(seg, 0, sock.remote.port);
  writeU16(seg, 2, sock.local.port);
  writeU32(seg, 4, (body.seq.start + sock.remoteScriptToLive()) >>> 0);
  writeU32(seg, 8, body.flags.ack ? mapSeq(body.ack ?? 0) : (body.ack ?? 0) >>> 0);
  seg[12] = ((hl / 4) << 4) | (body.flags.ae ? 1 : 0);
  seg[13] = scriptFlagBits(body.flags);
  writeU16(seg, 14, body.win ?? 0);
  writeU16(seg, 18, body.urg ?? 0);
  seg.set(opts, 20);
  return ipPacket(v, sock.remote.ip, sock.local.ip, PROTO_TCP, seg, 16, inboundIpFields(ev));
}

/** Builds an inbound UDP datagram for sock. */
export function buildInboundUdp(ev: PacketEvent, body: UdpBody, sock: ScriptSocket, v: 4 | 6): Uint8Array {
  const d = new Uint8Array(8 + body.len);
  writeU16(d, 0, body.ports?.src ?? sock.remote.port);
  writeU16(d, 2, body.ports?.dst ?? sock.local.port);
  writeU16(d, 4, d.length);
  return ipPacket(v, sock.remote.ip, sock.local.ip, PROTO_UDP, d, 6, inboundIpFields(ev));
}

/** ICMPv4 type names and per-type code names packetdrill accepts (icmp_packet.c). */
const ICMP4: Record<string, [number, Record<string, number>]> = {
  echo_reply: [0, {}],
  unreachable: [3, { net_unreachable: 0, host_unreachable: 1, protocol_unreachable: 2, port_unreachable: 3,
    frag_needed: 4, source_route_failed: 5, net_unknown: 6, host_unknown: 7, source_host_isolated: 8,
    net_prohibited: 9, host_prohibited: 10, net_unreachable_for_tos: 11, host_unreachable_for_tos: 12,
    packet_filtered: 13, precedence_violation: 14, precedence_cutoff: 15 }],
  source_quench: [4, {}],
  redirect: [5, { net: 0, host: 1, tos_net: 2, tos_host: 3 }],
  echo_request: [8, {}],
  time_exceeded: [11, { ttl_exceeded: 0, ttl: 0, frag_reassembly_time_exceeded: 1 }],
  parameter_problem: [12, {}],
};

/** ICMPv6 type names and codes (RFC 4443); a v4 "frag_needed" becomes Packet Too Big over IPv6. */
const ICMP6: Record<string, [number, Record<string, number>]> = {
  unreachable: [1, { no_route: 0, admin_prohibited: 1, beyond_scope: 2, address_unreachable: 3, port_unreachable: 4,
    net_unreachable: 0, host_unreachable: 3 }],
  packet_too_big: [2, {}],
  time_exceeded: [3, { hop_limit_exceeded: 0, ttl_exceeded: 0, ttl: 0, fragment_reassembly_time_exceeded: 1 }],
  parameter_problem: [4, { erroneous_header: 0, unrecognized_next_header: 1, unrecognized_option: 2 }],
  echo_request: [128, {}],
  echo_reply: [129, {}],
};

/** ICMP type and code numbers of a script's `icmp TYPE [CODE]` in a family, or an error message. */
export function icmpTypeCode(body: IcmpBody, v: 4 | 6): { type: number; code: number } | string {
  let typeName = body.type, codeName = body.code;
  if (v === 6 && typeName === 'unreachable' && codeName === 'frag_needed') {
    typeName = 'packet_too_big';
    codeName = undefined;
  }
  const t = (v === 4 ? ICMP4 : ICMP6)[typeName];
  if (!t) return `unknown ICMP type ${body.type}`;
  const code = codeName === undefined ? 0 : t[1][codeName] ?? (/^\d+$/.test(codeName) ? Number(codeName) : undefined);
  if (code === undefined) return `unknown ICMP code ${codeName ?? ''} for type ${typeName}`;
  return { type: t[0], code };
}

/** Builds an inbound ICMP error quoting sock's own traffic (a header as the stack would have sent it). */
export function buildInboundIcmp(ev: PacketEvent, body: IcmpBody, sock: ScriptSocket, v: 4 | 6): Uint8Array | string {
  const tc = icmpTypeCode(body, v);
  if (typeof tc === 'string') return tc;
  const echoedLen = body.echoed?.protocol === 'tcp' ? body.echoed.seq.len : body.echoed?.len ?? 0;
  const proto = sock.protocol === 'tcp' ? PROTO_TCP : PROTO_UDP;
  const l4 = new Uint8Array(8);
  writeU16(l4, 0, sock.local.port);
  writeU16(l4, 2, sock.remote.port);
  if (body.echoed?.protocol === 'tcp') writeU32(l4, 4, (body.echoed.seq.start + sock.localScriptToLive()) >>> 0);
  else writeU16(l4, 4, 8 + echoedLen);
  const quoted = ipPacket(v, sock.local.ip, sock.remote.ip, proto, l4, -1, { tos: 0, ttl: 64, flowLabel: 0 });
  // The quoted header claims the whole original length, as a truncated quote in a real ICMP error does.
  if (v === 4) writeU16(quoted, 2, 20 + (proto === PROTO_TCP ? 20 : 8) + echoedLen);
  else writeU16(quoted, 4, (proto === PROTO_TCP ? 20 : 8) + echoedLen);
  const msg = new Uint8Array(8 + quoted.length);
  msg[0] = tc.type;
  msg[1] = tc.code;
  if (body.mtu !== undefined) {
    if (v === 4) writeU16(msg, 6, body.mtu);
    else writeU32(msg, 4, body.mtu);
  }
  msg.set(quoted, 8);
  const icmpProto = v === 4 ? PROTO_ICMP : PROTO_ICMPV6;
  return ipPacket(v, sock.remote.ip, sock.local.ip, icmpProto, msg, 2, inboundIpFields(ev));
}
