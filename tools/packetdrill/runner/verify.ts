/**
 * Checking what the stack sent against what the script expects, as packetdrill's run_packet.c does: the live
 * packet is mapped into script space (sequence numbers relative to the ISNs, SACK blocks, TS val relative to the
 * first one seen), then compared field by field in packetdrill's order with its messages ("live packet field
 * tcp_window: expected: 257 (0x101) vs actual: 256 (0x100)"), then its time is checked against the tolerance.
 */
import type { EventTime, PacketEvent, TcpBody } from '../ast.js';
import { formatPacket } from '../format.js';
import type { RunConfig } from './config.js';
import { encodeOption, icmpTypeCode, payloadOf, scriptFlagBits, type LivePacket, type LiveTcp, type RawOption } from './packets.js';
import type { ScriptSocket } from './sockets.js';

/** A live TCP segment in script space, ready to compare and print (ports left out, payload as its length). */
export type ActualTcp = Omit<LiveTcp, 'srcPort' | 'dstPort' | 'payload'> & { payloadLen: number };

const FIN = 1, PSH = 8, ACK = 16, ECE = 64, CWR = 128;

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 255;
  b[o + 1] = (v >>> 16) & 255;
  b[o + 2] = (v >>> 8) & 255;
  b[o + 3] = v & 255;
}

/**
 * Maps a live TCP segment into script space (map_outbound_live_packet): seq by the local ISN offset, ack and
 * SACK blocks by the remote one, TS val relative to the socket's first TS val pair (recording script → live).
 */
export function mapOutboundTcp(sock: ScriptSocket, live: LivePacket, script: TcpBody | undefined): ActualTcp {
  const t = live.tcp!;
  const seqOff = (0 - sock.localScriptToLive()) >>> 0;
  const ackOff = (0 - sock.remoteScriptToLive()) >>> 0;
  const scriptTs = script && script.options !== 'any' ? script.options.find((o) => o.kind === 'timestamp') : undefined;
  const options = t.options.map((o): RawOption => {
    if (o.kind === 5 && o.data.length % 8 === 0) {
      const d = o.data.slice();
      for (let i = 0; i < d.length; i += 4) putU32(d, i, (u32(d, i) + ackOff) >>> 0);
      return { kind: 5, data: d };
    }
    if (o.kind === 8 && o.data.length === 8 && scriptTs?.kind === 'timestamp') {
      const d = o.data.slice();
      putU32(d, 0, sock.mapOutboundTsVal(scriptTs.val, u32(d, 0)));
      return { kind: 8, data: d };
    }
    return o;
  });
  return {
    seq: (t.seq + seqOff) >>> 0,
    ack: t.flags & ACK ? (t.ack + ackOff) >>> 0 : t.ack,
    flags: t.flags, ae: t.ae, reserved: t.reserved, window: t.window, urg: t.urg, headerLen: t.headerLen, options,
    payloadLen: t.payload.length,
  };
}

/** Why two consecutive segments cannot be parts of one TSO/GSO burst, or null (verify_packet_fragments). */
export function fragmentMismatch(prev: LivePacket, next: LivePacket): string | null {
  const a = prev.tcp, b = next.tcp;
  if (!a || !b) return prev.udp && next.udp ? null : 'aggregate candidate is not TCP';
  const mask = ~(FIN | PSH | CWR) & 0xff;
  if ((a.flags & mask) !== (b.flags & mask)) return 'aggregate candidate flags differ';
  if (((a.seq + a.payload.length) >>> 0) !== b.seq) return `aggregate candidate tcp_seq: expected ${(a.seq + a.payload.length) >>> 0} vs actual ${b.seq}`;
  if (a.ack !== b.ack) return 'aggregate candidate tcp_ack_seq differs';
  if (a.window !== b.window) return 'aggregate candidate tcp_window differs';
  if (a.headerLen !== b.headerLen) return 'aggregate candidate tcp_data_offset differs';
  return null;
}

/** One packet standing for a TSO/GSO burst: the first header, PSH/FIN of the last segment, all the payload. */
export function aggregate(parts: readonly LivePacket[]): LivePacket {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const total = parts.reduce((n, p) => n + payloadOf(p).length, 0);
  const payload = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    payload.set(payloadOf(p), off);
    off += payloadOf(p).length;
  }
  const last = parts[parts.length - 1]!;
  if (first.tcp && last.tcp) {
    const flags = (first.tcp.flags & ~(FIN | PSH)) | (last.tcp.flags & (FIN | PSH));
    return { ...first, tcp: { ...first.tcp, flags, payload } };
  }
  return first.udp ? { ...first, udp: { ...first.udp, payload } } : first;
}

function field(name: string, expected: number, actual: number): string | null {
  if (expected === actual) return null;
  const hex = (n: number): string => `0x${n.toString(16)}`;
  return `live packet field ${name}: expected: ${expected} (${hex(expected)}) vs actual: ${actual} (${hex(actual)})`;
}

/** The script's TCP options as wire options (sack blocks and ecr taken as written: compared in script space). */
function scriptOptions(body: TcpBody, defines: ReadonlyMap<string, string>): RawOption[] | string {
  const out: RawOption[] = [];
  if (body.options === 'any') return out;
  for (const o of body.options) {
    const enc = encodeOption(o, defines, (n) => n >>> 0, (n) => n >>> 0);
    if (typeof enc === 'string') return enc;
    out.push({ kind: enc[0]!, data: Uint8Array.from(enc.slice(2)) });
  }
  return out;
}

function optionBytes(opts: readonly RawOption[]): number {
  return opts.reduce((n, o) => n + (o.kind <= 1 ? 1 : 2 + o.data.length), 0);
}

/** Compares options kind by kind (verify_outbound_live_tcp_options); TS val within the tick tolerance. */
function compareOptions(script: RawOption[], actual: RawOption[], tickUsecs: number, tsTolUsecs: number): string | null {
  for (let i = 0; i < Math.max(script.length, actual.length); i++) {
    const s = script[i], a = actual[i];
    if (!s || !a || s.kind !== a.kind) return 'bad outbound TCP options';
    if (a.kind <= 1) continue;
    if (a.kind === 8) {
      if (tickUsecs && s.data.length === 8 && a.data.length === 8) {
        const diff = Math.abs(((u32(a.data, 0) - u32(s.data, 0)) << 0));
        if (diff * tickUsecs > tsTolUsecs) return `bad outbound TCP timestamp value, tolerance ${Math.floor(tsTolUsecs)}`;
      }
      continue;
    }
    if (s.data.length !== a.data.length) return `bad lengths for outbound TCP option ${s.kind}`;
    for (let j = 0; j < s.data.length; j++) if (s.data[j] !== a.data[j]) return `bad value outbound TCP option ${s.kind}`;
  }
  return null;
}

/** What a packet comparison needs besides the two packets. */
export interface VerifyParams {
  cfg: RunConfig;
  /** The event's time since the script started, ns (for the TS val tolerance). */
  eventNs: number;
  /** The wire IP version the script's packets use. */
  v: 4 | 6;
}

/** Compares a live packet (already aggregated) with the script's outbound packet; an error message or null. */
export function verifyOutbound(ev: PacketEvent, live: LivePacket, actual: ActualTcp | null, p: VerifyParams): string | null {
  if (!live.ipChecksumOk) return 'bad outbound IP checksum';
  const body = ev.body;
  const proto = body.protocol === 'tcp' ? 6 : body.protocol === 'udp' ? 17 : live.v === 4 ? 1 : 58;
  const e = field(p.v === 4 ? 'ipv4_version' : 'ipv6_version', p.v, live.v)
    ?? field(p.v === 4 ? 'ipv4_protocol' : 'ipv6_next_header', proto, live.protocol)
    ?? ipInfoMismatch(ev, live);
  if (e) return e;
  if (body.protocol === 'udp') {
    const n = live.udp?.payload.length ?? 0;
    return n === body.len ? null : `live packet payload: expected ${body.len} bytes vs actual ${n} bytes`;
  }
  if (body.protocol === 'icmp') {
    const tc = icmpTypeCode(body, live.v);
    if (typeof tc === 'string') return tc;
    return field('icmp_type', tc.type, live.icmp?.type ?? -1) ?? field('icmp_code', tc.code, live.icmp?.code ?? -1);
  }
  if (!actual) return 'live packet is not TCP';
  const sOpts = scriptOptions(body, p.cfg.defines);
  if (typeof sOpts === 'string') return sOpts;
  const sDoff = body.options === 'any' ? actual.headerLen / 4 : 5 + Math.ceil(optionBytes(sOpts) / 4);
  const f = body.flags;
  const sFlags = scriptFlagBits(f);
  const flagChecks: [string, number][] = [['tcp_fin', FIN], ['tcp_syn', 2], ['tcp_rst', 4], ['tcp_psh', PSH], ['tcp_ack', ACK], ['tcp_urg', 32]];
  let err: string | null = field('tcp_data_offset', sDoff, actual.headerLen / 4);
  for (const [name, bit] of flagChecks) err ??= field(name, sFlags & bit ? 1 : 0, actual.flags & bit ? 1 : 0);
  if (f.ace !== undefined) {
    const ace = (actual.ae ? 4 : 0) | (actual.flags & CWR ? 2 : 0) | (actual.flags & ECE ? 1 : 0);
    err ??= field('tcp_ace', f.ace, ace);
  } else {
    err ??= field('tcp_ece', f.ece ? 1 : 0, actual.flags & ECE ? 1 : 0)
      ?? field('tcp_cwr', f.cwr ? 1 : 0, actual.flags & CWR ? 1 : 0)
      ?? field('tcp_ae', f.ae ? 1 : 0, actual.ae ? 1 : 0);
  }
  err ??= field('tcp_reserved_bits', 0, actual.reserved)
    ?? field('tcp_seq', body.seq.start >>> 0, actual.seq)
    ?? field('tcp_ack_seq', (body.ack ?? 0) >>> 0, actual.ack)
    ?? (body.win === undefined ? null : field('tcp_window', body.win, actual.window))
    ?? field('tcp_urg_ptr', body.urg ?? 0, actual.urg);
  if (err) return err;
  if (actual.payloadLen !== body.seq.len) return `live packet payload: expected ${body.seq.len} bytes vs actual ${actual.payloadLen} bytes`;
  if (body.options !== 'any') {
    const tol = Math.max(p.cfg.toleranceUsecs, (p.cfg.tolerancePercent / 100) * (p.eventNs / 1000));
    const o = compareOptions(sOpts, actual.options, p.cfg.tcpTsTickUsecs, tol);
    if (o) return o;
  }
  return payloadOf(live).every((b) => b === 0) ? null : 'incorrect outbound data payload';
}

/**
 * verify_outbound_live_ipv6_flowlabel: a script flow label names a live one. The first pairs them; later packets
 * with the same script label must carry the same live label, and a new script label a new live one.
 */
export function flowLabelMismatch(sock: ScriptSocket, ev: PacketEvent, live: LivePacket): string | null {
  const want = ev.ipInfo?.flowLabel;
  if (live.v !== 6 || !want) return null;
  if (!live.flowLabel) return 'flowlabel unmarked in the live packet';
  const m = sock.flowLabel;
  if (!m || (want !== m.script && live.flowLabel !== m.live)) {
    sock.flowLabel = { script: want, live: live.flowLabel };
    return null;
  }
  if (want !== m.script) return 'expected a different flowlabel but got the same';
  return live.flowLabel === m.live ? null : `inconsistent flowlabels for this packet: expected: 0x${m.live.toString(16)} vs actual: 0x${live.flowLabel.toString(16)}`;
}

/** ECN, TOS and TTL checks the script asked for with [ect0], (tos 0x..), (ttl N) (verify_outbound_live_tos). */
function ipInfoMismatch(ev: PacketEvent, live: LivePacket): string | null {
  const info = ev.ipInfo;
  if (!info) return null;
  const ecn = live.tos & 3;
  if (info.ecn === 'ect01') return ecn === 1 || ecn === 2 ? null : `live packet field ip_ecn: expected: 0x1 or 0x2 vs actual: 0x${ecn.toString(16)}`;
  if (info.ecn !== undefined) {
    const want = info.ecn === 'ect0' ? 2 : info.ecn === 'ect1' ? 1 : info.ecn === 'ce' ? 3 : 0;
    const e = field('ecn', want, ecn);
    if (e) return e;
  }
  if (info.tos !== undefined) {
    const e = field('tos', info.tos, live.tos);
    if (e) return e;
  }
  return info.ttl === undefined ? null : field('ttl', info.ttl, live.ttl);
}

/** A TCP option in packetdrill's syntax. */
function formatOption(o: RawOption): string {
  const d = o.data;
  const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  switch (o.kind) {
    case 0: return 'eol';
    case 1: return 'nop';
    case 2: return d.length === 2 ? `mss ${(d[0]! << 8) | d[1]!}` : `opt2 ${hex(d)}`;
    case 3: return d.length === 1 ? `wscale ${d[0]!}` : `opt3 ${hex(d)}`;
    case 4: return 'sackOK';
    case 5: {
      const blocks: string[] = [];
      for (let i = 0; i + 8 <= d.length; i += 8) blocks.push(`${u32(d, i)}:${u32(d, i + 4)}`);
      return `sack ${blocks.join(' ')}`;
    }
    case 8: return d.length === 8 ? `TS val ${u32(d, 0)} ecr ${u32(d, 4)}` : `opt8 ${hex(d)}`;
    case 19: return `md5 ${hex(d)}`;
    case 34: return d.length === 0 ? 'FO' : `FO ${hex(d)}`;
    case 254: return d.length <= 2 ? 'FOEXP' : `FOEXP ${hex(d.subarray(2))}`;
    default: return `opt${o.kind} ${hex(d)}`;
  }
}

/** The live packet in script space, in packetdrill's syntax: `> P. 1:2001(2000) ack 1 win 257 <nop,nop,TS val 1 ecr 2>`. */
export function formatActual(live: LivePacket, actual: ActualTcp | null): string {
  const ecn = ['', '[ect1] ', '[ect0] ', '[ce] '][live.tos & 3] ?? '';
  if (live.udp) return `> ${ecn}udp (${live.udp.payload.length})`;
  if (live.icmp) return `> icmp type ${live.icmp.type} code ${live.icmp.code}`;
  if (!actual) return `> (protocol ${live.protocol})`;
  let flags = '';
  for (const [bit, ch] of [[FIN, 'F'], [2, 'S'], [4, 'R'], [PSH, 'P'], [ACK, '.'], [32, 'U'], [ECE, 'E'], [CWR, 'W']] as const) {
    if (actual.flags & bit) flags += ch;
  }
  if (actual.ae) flags += 'A';
  const parts = [`> ${ecn}${flags || '-'}`, `${actual.seq}:${(actual.seq + actual.payloadLen) >>> 0}(${actual.payloadLen})`];
  if (actual.flags & ACK) parts.push(`ack ${actual.ack}`);
  parts.push(`win ${actual.window}`);
  if (actual.flags & 32) parts.push(`urg ${actual.urg}`);
  if (actual.options.length > 0) parts.push(`<${actual.options.map(formatOption).join(',')}>`);
  return parts.join(' ');
}

/** The script packet line as written (without its time). */
export function formatScriptPacket(ev: PacketEvent): string {
  return formatPacket(ev);
}

/** Seconds with six decimals, as packetdrill prints times. */
export function secs(ns: number): string {
  return (ns / 1e9).toFixed(6);
}

/**
 * verify_time: whether something that happened at liveNs (since the script started) is close enough to the
 * script's time. Tolerance is max(--tolerance_usecs, --tolerance_percent of the time since the previous event).
 */
export function verifyTime(cfg: RunConfig, type: EventTime['kind'], scriptNs: number, scriptEndNs: number, liveNs: number,
  lastEventNs: number | null, description: string, offsetNs: number): string | null {
  if (type === 'any') return null;
  let tol = cfg.toleranceUsecs * 1000;
  if (lastEventNs !== null) tol = Math.max(tol, Math.trunc((cfg.tolerancePercent / 100) * (scriptNs - lastEventNs)));
  if (type === 'absoluteRange' || type === 'relativeRange') {
    if (liveNs >= scriptNs - tol && liveNs <= scriptEndNs + tol) return null;
    if (type === 'absoluteRange') return `timing error: expected ${description} in time range ${secs(scriptNs)}~${secs(scriptEndNs)} sec but happened at ${secs(liveNs)} sec`;
    return `timing error: expected ${description} in relative time range +${secs(scriptNs - offsetNs)}~+${secs(scriptEndNs - offsetNs)} sec but happened at +${secs(liveNs - offsetNs)} sec`;
  }
  if (liveNs >= scriptNs - tol && liveNs <= scriptNs + tol) return null;
  return `timing error: expected ${description} at ${secs(scriptNs)} sec but happened at ${secs(liveNs)} sec; tolerance ${secs(tol)} sec`;
}
