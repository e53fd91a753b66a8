/**
 * Parsing of packet lines (packetdrill parser.y `packet_spec`):
 *
 *   < | >  [encapsulation...]  [(ip_info) | [ip_info]]  body
 *   body := [sport>dport] FLAGS start:end(len) [ack N] [win N] [urg N] [<options> | <...>]
 *         | udp [sport>dport] (len)
 *         | icmp TYPE [CODE] [mtu N] [id N] [ [start:end(len)] | [udp (len)] | [raw (len)] ]
 *
 * Field order inside a TCP body is fixed, as in packetdrill. Range checks use
 * packetdrill's messages (e.g. "TCP window value out of range").
 */

import type {
  AccEcnField,
  Direction,
  Encapsulation,
  GreField,
  IcmpBody,
  IcmpEchoed,
  IpEcn,
  IpInfo,
  Loc,
  MplsLabel,
  PortPair,
  SackBlock,
  SeqSpec,
  TcpBody,
  TcpFlags,
  TcpOption,
  UdpBody,
} from './ast.js';
import type { Cursor } from './cursor.js';
import { intValue } from './expr.js';
import { type Token, tokenLoc } from './lexer.js';

const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;
const U8_MAX = 0xff;

/** A packet line without its time, as parsed. */
export interface PacketParts {
  readonly direction: Direction;
  readonly encapsulation: readonly Encapsulation[];
  readonly ipInfo?: IpInfo;
  readonly body: TcpBody | UdpBody | IcmpBody;
}

/** Consume an integer (decimal or hex) token and return its value and location. */
function expectInt(c: Cursor, what: string): { value: number; loc: Loc } {
  const t = c.peek();
  if (t.kind !== 'int' && t.kind !== 'hex') c.fail(what);
  c.next();
  return { value: intValue(t.text), loc: tokenLoc(t) };
}

/** An integer checked against `0..max`, recording packetdrill's "<name> out of range" message. */
function boundedInt(c: Cursor, what: string, max: number, rangeMessage: string): number {
  const { value, loc } = expectInt(c, what);
  if (!Number.isSafeInteger(value) || value < 0 || value > max) c.record(loc, rangeMessage);
  return value;
}

const ECN_WORDS: ReadonlySet<string> = new Set(['noecn', 'ect0', 'ect1', 'ect01', 'ce']);
const IP_INFO_WORDS: ReadonlySet<string> = new Set([...ECN_WORDS, 'tos', 'flowlabel', 'ttl']);

/** Whether an IP-info group (`[ect0]`, `(tos 0x1)`) starts here: nothing else in a packet line opens with a bracket. */
function atIpInfo(c: Cursor): boolean {
  return c.isPunct('[') || c.isPunct('(');
}

/** `[ip_info]` or `(ip_info)`: ECN mark, `tos 0xNN`, `flowlabel 0xNNNNN`, `ttl N`, comma-separated. */
function parseIpInfo(c: Cursor): IpInfo {
  const open = c.next();
  const bracket = open.text === '[' ? '[' : '(';
  const close = bracket === '[' ? ']' : ')';
  let info: { ecn?: IpEcn; tos?: number; flowLabel?: number; ttl?: number } = {};
  do {
    const t = c.peek();
    if (t.kind !== 'word' || !IP_INFO_WORDS.has(t.text)) {
      c.fail('an IP field (noecn, ect0, ect1, ect01, ce, tos 0xNN, flowlabel 0xNNNNN or ttl N)');
    }
    c.next();
    if (ECN_WORDS.has(t.text)) info = { ...info, ecn: t.text as IpEcn };
    else if (t.text === 'tos') info = { ...info, tos: boundedInt(c, "a TOS value after 'tos'", U8_MAX, 'tos out of range for 8 bits') };
    else if (t.text === 'flowlabel') {
      info = { ...info, flowLabel: boundedInt(c, "a flow label after 'flowlabel'", 0xfffff, 'flowlabel out of range for 20 bits') };
    } else info = { ...info, ttl: boundedInt(c, "a TTL after 'ttl'", U8_MAX, 'ttl out of range for 8 bits') };
  } while (c.eatPunct(','));
  c.expectPunct(close, `',' or '${close}' to close the IP fields`);
  return { ...info, bracket };
}

/** `ipv4 [info] A > B:`, `ipv6 [info] A > B:`, `gre[...]:` and `mpls (...)...:` outer headers. */
function parseEncapsulation(c: Cursor): Encapsulation | undefined {
  const t = c.peek();
  if (t.kind !== 'word') return undefined;
  const loc = tokenLoc(t);
  if (t.text === 'ipv4' || t.text === 'ipv6') {
    c.next();
    const ipInfo = atIpInfo(c) ? parseIpInfo(c) : undefined;
    const addrKind: 'ipv4' | 'ipv6' = t.text;
    const src = c.expectKind(addrKind, `an ${t.text === 'ipv4' ? 'IPv4' : 'IPv6'} source address`).text;
    c.expectPunct('>', "'>' between the source and destination addresses");
    const dst = c.expectKind(addrKind, `an ${t.text === 'ipv4' ? 'IPv4' : 'IPv6'} destination address`).text;
    c.expectPunct(':', "':' after the outer IP header");
    const base = { kind: addrKind, src, dst, loc };
    return ipInfo === undefined ? base : { ...base, ipInfo };
  }
  if (t.text === 'gre' || t.text === 'GREv0') {
    c.next();
    const fields = parseGreFields(c);
    c.expectPunct(':', "':' after the GRE header");
    return { kind: 'gre', fields, loc };
  }
  if (t.text === 'mpls') {
    c.next();
    const labels: MplsLabel[] = [];
    while (c.isPunct('(')) labels.push(parseMplsLabel(c));
    c.expectPunct(':', "'(label N, tc N, [S], ttl N)' or ':' after the MPLS labels");
    return { kind: 'mpls', labels, loc };
  }
  return undefined;
}

/** GRE header fields: `[,] flags [none|checksum present|key present|sequence# present,...] | flags N, sum N, off N, key [=] N, seq N`. */
function parseGreFields(c: Cursor): GreField[] {
  const fields: GreField[] = [];
  c.eatPunct(',');
  while (c.isKind('word')) {
    const name = c.next().text;
    if (name === 'flags' || name === 'Flags') {
      if (c.eatPunct('[')) {
        const names: string[] = [];
        do {
          const words: string[] = [];
          while (c.isKind('word') || c.isPunct('#')) words.push(c.next().text);
          if (words.length === 0) c.fail("a GRE flag (none, checksum present, key present, sequence# present)");
          names.push(words.join(' ').replace(' #', '#'));
        } while (c.eatPunct(','));
        c.expectPunct(']', "']' after the GRE flags");
        fields.push({ kind: 'flags', names });
      } else {
        fields.push({ kind: 'flagsValue', value: expectInt(c, "the GRE flags value").value });
      }
    } else if (name === 'sum' || name === 'off' || name === 'key' || name === 'seq') {
      if (name === 'key') c.eatPunct('=');
      fields.push({ kind: name, value: expectInt(c, `a value after '${name}'`).value });
    } else {
      c.record(tokenLoc(c.prev() as Token), `unknown GRE header field '${name}'`);
    }
    c.eatPunct(',');
  }
  return fields;
}

/** `(label N, tc N, [S], ttl N)` (RFC 3032 section 2.1). */
function parseMplsLabel(c: Cursor): MplsLabel {
  c.expectPunct('(');
  const field = (name: string): number => {
    if (!c.eatWord(name)) c.fail(`'${name}'`);
    return expectInt(c, `a value after '${name}'`).value;
  };
  const label = field('label');
  c.expectPunct(',');
  const tc = field('tc');
  c.expectPunct(',');
  let bottom = false;
  if (c.eatPunct('[')) {
    const s = c.expectKind('word', "'S' (bottom of stack)");
    if (s.text !== 'S') c.record(tokenLoc(s), 'expected [S] for MPLS label stack bottom');
    c.expectPunct(']');
    c.expectPunct(',');
    bottom = true;
  }
  const ttl = field('ttl');
  c.expectPunct(')', "')' to close the MPLS label");
  return { label, tc, bottom, ttl };
}

/** `sport>dport` when an integer followed by `>` comes next. */
function parsePorts(c: Cursor): PortPair | undefined {
  if (!(c.isKind('int') && c.isPunct('>', 1))) return undefined;
  const src = boundedInt(c, 'a source port', U16_MAX, 'src port out of range');
  c.next();
  const dst = boundedInt(c, 'a destination port', U16_MAX, 'dst port out of range');
  return { src, dst };
}

const FLAG_LETTERS: Readonly<Record<string, 'fin' | 'syn' | 'rst' | 'psh' | 'ack' | 'urg' | 'ece' | 'cwr' | 'ae'>> = {
  F: 'fin',
  S: 'syn',
  R: 'rst',
  P: 'psh',
  '.': 'ack',
  U: 'urg',
  E: 'ece',
  W: 'cwr',
  A: 'ae',
};

const FLAGS_EXPECTED = "TCP flags (letters from FSRP.EWUA, e.g. 'S', 'S.', 'P.', or '-' for none)";

/** TCP flags: a word of flag letters, optionally followed by `.` or an AccECN `.N`; or `.` / `.N` / `-` alone. */
function parseFlags(c: Cursor): TcpFlags {
  const first = c.peek();
  const loc = tokenLoc(first);
  let text = '';
  if (c.isPunct('-')) {
    c.next();
    return flagsFrom('-', loc, c);
  }
  if (first.kind === 'word') {
    text = c.next().text;
  }
  const t = c.peek();
  if (t.kind === 'punct' && t.text === '.') {
    c.next();
    text += '.';
  } else if (t.kind === 'float' && t.text.startsWith('.')) {
    c.next();
    text += t.text;
  }
  if (text === '') c.fail(FLAGS_EXPECTED);
  return flagsFrom(text, loc, c);
}

/**
 * Flag booleans from the text, with packetdrill's checks (tcp_packet.c): only
 * `.FSRPEWAU` and one ACE digit 0-7, and a digit may not be combined with E, W or A.
 * A non-zero ACE digit sets ECE/CWR/AE from its bits 0/1/2, as packetdrill does.
 */
function flagsFrom(text: string, loc: Loc, c: Cursor): TcpFlags {
  const f = { text, fin: false, syn: false, rst: false, psh: false, ack: false, urg: false, ece: false, cwr: false, ae: false };
  if (text === '-') return f;
  let ace: number | undefined;
  let ecnLetter = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    const at = { line: loc.line, column: loc.column + i };
    const key = FLAG_LETTERS[ch];
    const isDigit = /[0-7]/.test(ch);
    if (key === undefined && !isDigit) {
      c.record(at, `Invalid TCP flag: '${ch}' in '${text}' (valid: . F S R P E W A U, or one ACE digit 0-7)`);
      continue;
    }
    const ecn = ch === 'E' || ch === 'W' || ch === 'A';
    if ((isDigit && (ace !== undefined || ecnLetter)) || (ecn && ace !== undefined)) {
      c.record(at, `Conflicting TCP flag: '${ch}' in '${text}' (an ACE digit replaces E, W and A)`);
      continue;
    }
    if (isDigit) ace = Number(ch);
    else if (key !== undefined) f[key] = true;
    if (ecn) ecnLetter = true;
  }
  if (ace === undefined) return f;
  // AccECN: the ACE field is the three bits AE|CWR|ECE (ACE digit bit 2..0).
  return ace === 0 ? { ...f, ace } : { ...f, ece: (ace & 1) !== 0, cwr: (ace & 2) !== 0, ae: (ace & 4) !== 0, ace };
}

/** `start:end(len)`, checking `end == start + len` like packetdrill. */
function parseSeq(c: Cursor): SeqSpec {
  const what = 'a sequence range start:end(len), e.g. 1:1001(1000)';
  const startTok = c.peek();
  const errorsBefore = c.errors.length;
  const start = boundedInt(c, what, U32_MAX, 'TCP start sequence number out of range');
  c.expectPunct(':', `':' in ${what}`);
  const end = boundedInt(c, `the end sequence number in ${what}`, U32_MAX, 'TCP end sequence number out of range');
  c.expectPunct('(', `'(' before the payload length in ${what}`);
  const len = boundedInt(c, 'the payload length', U16_MAX, 'TCP payload size out of range');
  c.expectPunct(')', `')' after the payload length`);
  if (c.errors.length === errorsBefore && end !== start + len) {
    c.record(tokenLoc(startTok), `inconsistent TCP sequence numbers and payload size: ${start}+${len} != ${end}`);
  }
  return { start, end, len };
}

/** A hex blob token (cookie or digest): a word or an integer, kept as its text. */
function hexBlob(c: Cursor): Token | undefined {
  return c.isKind('word') || c.isKind('int') ? c.next() : undefined;
}

/**
 * Check a hex string has an even number of digits (packetdrill's parse_hex_string). A word
 * that is not hex at all (`FOEXP TFO_COOKIE`) is a symbol that packetdrill's lexer replaces
 * with a `-D`/`--define` value before parsing; it is kept for the runner to substitute.
 */
function checkHex(c: Cursor, tok: Token, what: string, maxBytes: number | undefined): void {
  const hex = tok.text;
  if (!/^[0-9A-Fa-f]*$/.test(hex)) return;
  if (hex.length % 2 !== 0) c.record(tokenLoc(tok), `${what} has an odd number of digits`);
  else if (maxBytes !== undefined && hex.length / 2 > maxBytes) c.record(tokenLoc(tok), `${what} longer than ${maxBytes} bytes`);
}

const OPTION_NAMES = 'nop, eol, mss N, wscale N, sackOK, sack A:B..., TS val N ecr N, md5 HEX, FO [HEX], FOEXP [HEX] or ECN e0b N ceb N e1b N';

/** One TCP option inside `<...>`. */
function parseTcpOption(c: Cursor): TcpOption {
  const t = c.peek();
  if (t.kind !== 'word') c.fail(`a TCP option (${OPTION_NAMES})`);
  c.next();
  const loc = tokenLoc(t);
  switch (t.text) {
    case 'nop':
      return { kind: 'nop', loc };
    case 'eol':
      return { kind: 'eol', loc };
    case 'mss':
      return { kind: 'mss', value: boundedInt(c, "an MSS value after 'mss'", U16_MAX, 'mss value out of range'), loc };
    case 'wscale':
      return { kind: 'wscale', value: boundedInt(c, "a shift count after 'wscale'", U8_MAX, 'window scale shift count out of range'), loc };
    case 'sackOK':
      return { kind: 'sackOK', loc };
    case 'sack': {
      const blocks: SackBlock[] = [];
      do {
        const left = boundedInt(c, "a SACK block left:right after 'sack'", U32_MAX, 'TCP SACK left sequence number out of range');
        c.expectPunct(':', "':' in the SACK block left:right");
        const right = boundedInt(c, 'the right edge of the SACK block', U32_MAX, 'TCP SACK right sequence number out of range');
        blocks.push({ left, right });
      } while (c.isKind('int'));
      return { kind: 'sack', blocks, loc };
    }
    case 'TS': {
      if (!c.eatWord('val')) c.fail("'val' after 'TS'");
      const val = boundedInt(c, "a TS value after 'val'", U32_MAX, 'ts val out of range');
      if (!c.eatWord('ecr')) c.fail("'ecr' after the TS value");
      const ecr = boundedInt(c, "a TS echo reply after 'ecr'", U32_MAX, 'ecr val out of range');
      return { kind: 'timestamp', val, ecr, loc };
    }
    case 'md5': {
      const blob = hexBlob(c) ?? c.fail("a hex digest after 'md5'");
      checkHex(c, blob, 'TCP MD5 digest', 16);
      return { kind: 'md5', hex: blob.text, loc };
    }
    case 'FO':
    case 'FOEXP': {
      const blob = hexBlob(c);
      if (blob !== undefined) checkHex(c, blob, 'TCP fast open cookie', undefined);
      return { kind: t.text === 'FO' ? 'fastOpen' : 'fastOpenExp', cookie: blob?.text ?? '', loc };
    }
    case 'ECN': {
      const fields: AccEcnField[] = [];
      while (c.isWord('e0b') || c.isWord('ceb') || c.isWord('e1b')) {
        const name = c.next().text as AccEcnField['name'];
        if (fields.some((f) => f.name === name)) c.record(tokenLoc(c.prev() as Token), `duplicate AccECN field '${name}'`);
        fields.push({ name, value: boundedInt(c, `a byte counter after '${name}'`, 0xffffff, `AccECN ${name} out of range for 24 bits`) });
      }
      return { kind: 'accEcn', fields, loc };
    }
    default:
      c.record(loc, `unknown TCP option '${t.text}' (expected ${OPTION_NAMES})`);
      // Skip the option's arguments so the rest of the list can still be checked.
      while (!c.isPunct(',') && !c.isPunct('>') && !c.isKind('eof') && c.peek().line === t.line) c.next();
      return { kind: 'nop', loc };
  }
}

/** `<opt, opt, ...>` or `<...>`; returns [] when no list is written. */
function parseTcpOptions(c: Cursor): TcpBody['options'] {
  if (!c.eatPunct('<')) return [];
  if (c.isKind('ellipsis') && c.isPunct('>', 1)) {
    c.next();
    c.next();
    return 'any';
  }
  const open = c.prev() as Token;
  const errorsBefore = c.errors.length;
  const opts: TcpOption[] = [];
  do opts.push(parseTcpOption(c));
  while (c.eatPunct(','));
  c.expectPunct('>', "',' or '>' in the TCP option list");
  // packetdrill's new_tcp_packet checks: the header must stay a multiple of 4 bytes and at most 60.
  const sizes = opts.map(tcpOptionBytes);
  if (c.errors.length === errorsBefore && sizes.every((n): n is number => n !== undefined)) {
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total % 4 !== 0) {
      c.record(tokenLoc(open), `TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: ${total % 4} excess bytes`);
    } else if (total > MAX_TCP_OPTION_BYTES) {
      c.record(tokenLoc(open), `TCP header too large: ${total} bytes of options (at most ${MAX_TCP_OPTION_BYTES})`);
    }
  }
  return opts;
}

/** TCP header bytes available for options (data offset 15 words, RFC 9293 section 3.1). */
const MAX_TCP_OPTION_BYTES = 40;

/**
 * Encoded length of a TCP option in bytes, or undefined when it holds a `-D` symbol
 * whose value is not known yet. Sizes: RFC 9293 3.2 (nop, eol, mss), RFC 7323 (wscale 3,
 * TS 10), RFC 2018 (sackOK 2, sack 2+8n), RFC 2385 (md5 2+16), RFC 7413 (FO 2+cookie;
 * the experimental form adds the 2-byte magic), AccECN (2 + 3 per counter).
 */
export function tcpOptionBytes(o: TcpOption): number | undefined {
  const hexLen = (h: string): number | undefined => (/^[0-9A-Fa-f]*$/.test(h) ? h.length / 2 : undefined);
  switch (o.kind) {
    case 'nop':
    case 'eol':
      return 1;
    case 'mss':
      return 4;
    case 'wscale':
      return 3;
    case 'sackOK':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'timestamp':
      return 10;
    case 'md5': {
      const n = hexLen(o.hex);
      return n === undefined ? undefined : 2 + n;
    }
    case 'fastOpen':
    case 'fastOpenExp': {
      const n = hexLen(o.cookie);
      return n === undefined ? undefined : (o.kind === 'fastOpen' ? 2 : 4) + n;
    }
    case 'accEcn':
      return 2 + 3 * o.fields.length;
  }
}

function parseTcpBody(c: Cursor): TcpBody {
  const ports = parsePorts(c);
  const flags = parseFlags(c);
  const seq = parseSeq(c);
  const optional = (word: string, what: string, max: number, range: string): number | undefined =>
    c.eatWord(word) ? boundedInt(c, what, max, range) : undefined;
  const ack = optional('ack', "an acknowledgment number after 'ack'", U32_MAX, 'TCP ack sequence number out of range');
  const win = optional('win', "a window after 'win'", U16_MAX, 'TCP window value out of range');
  const urg = optional('urg', "an urgent pointer after 'urg'", U16_MAX, 'urg_ptr value out of range');
  const options = parseTcpOptions(c);
  const fuzz = c.isPunct('{') ? c.rawGroup('fuzz annotation') : undefined;
  return {
    protocol: 'tcp',
    ...(ports === undefined ? {} : { ports }),
    flags,
    seq,
    ...(ack === undefined ? {} : { ack }),
    ...(win === undefined ? {} : { win }),
    ...(urg === undefined ? {} : { urg }),
    options,
    ...(fuzz === undefined ? {} : { fuzz }),
  };
}

function parseUdpBody(c: Cursor): UdpBody {
  c.next(); // 'udp'
  const ports = parsePorts(c);
  c.expectPunct('(', "'(' and the UDP payload length, e.g. udp (100)");
  const len = boundedInt(c, 'the UDP payload length', U16_MAX, 'UDP payload size out of range');
  c.expectPunct(')', "')' after the UDP payload length");
  return ports === undefined ? { protocol: 'udp', len } : { protocol: 'udp', ports, len };
}

function parseIcmpBody(c: Cursor): IcmpBody {
  c.next(); // 'icmp'
  const type = c.expectKind('word', "an ICMP type after 'icmp' (e.g. unreachable, packet_too_big)").text;
  let body: { protocol: 'icmp'; type: string; code?: string; mtu?: number; id?: number; echoed?: IcmpEchoed } = { protocol: 'icmp', type };
  if (c.isKind('word') && !c.isWord('mtu') && !c.isWord('id')) body = { ...body, code: c.next().text };
  if (c.eatWord('mtu')) body = { ...body, mtu: boundedInt(c, "an MTU after 'mtu'", U32_MAX, 'ICMP MTU out of range') };
  if (c.eatWord('id')) body = { ...body, id: boundedInt(c, "an id after 'id'", U16_MAX, 'ICMP echo id out of range') };
  if (c.eatPunct('[')) {
    if (c.isWord('udp') || c.isWord('raw')) {
      const protocol = c.next().text as 'udp' | 'raw';
      c.expectPunct('(', `'(' and a payload length after '${protocol}'`);
      const len = boundedInt(c, 'the echoed payload length', U16_MAX, 'payload size out of range');
      c.expectPunct(')');
      body = { ...body, echoed: { protocol, len } };
    } else {
      body = { ...body, echoed: { protocol: 'tcp', seq: parseSeq(c) } };
    }
    c.expectPunct(']', "']' after the echoed packet");
  }
  return body;
}

/** Parse a packet line starting at its `<` / `>`. */
export function parsePacket(c: Cursor): PacketParts {
  const dirTok = c.next();
  const direction: Direction = dirTok.text === '<' ? 'inbound' : 'outbound';
  const encapsulation: Encapsulation[] = [];
  for (;;) {
    const e = parseEncapsulation(c);
    if (e === undefined) break;
    encapsulation.push(e);
  }
  const ipInfo = atIpInfo(c) ? parseIpInfo(c) : undefined;
  let body: TcpBody | UdpBody | IcmpBody;
  if (c.isWord('udp')) body = parseUdpBody(c);
  else if (c.isWord('icmp')) body = parseIcmpBody(c);
  else body = parseTcpBody(c);
  return ipInfo === undefined ? { direction, encapsulation, body } : { direction, encapsulation, ipInfo, body };
}
