/**
 * Decoding a recorded frame for inspection: Ethernet, then ARP, IPv4 or IPv6, then TCP, UDP or ICMP, with every
 * checksum checked (a frame corrupted on a link is reported as such, never mistaken for a real segment), and a
 * hop-invariant identity so a packet forwarded by a switch or router is recognised as the same packet.
 */
import {
  ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6, WireError, ipv4ToString, ipv6ToString, parseArp, parseEthernet,
  parseIcmpv4, parseIcmpv6, parseIpv4, parseIpv6, parseTcp, parseUdp, type PseudoHeader, type TcpRepr,
} from '../../stack/wire/index.js';

/** IP protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
const IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_ICMPV6 = 58;
/** Bytes of the transport header kept in a packet's identity: enough for TCP's ports, seq, ack, flags, window, checksum. */
const IDENTITY_L4_BYTES = 20;

/** ICMP facts inspect reports. */
export interface IcmpFacts {
  type: number;
  code: number;
  /** Echo identifier and sequence, when it is an echo. */
  echo: { id: number; seq: number } | null;
  /** For error messages: the offending packet's bytes (its IP header and leading data). */
  original: Uint8Array | null;
}

/** A decoded frame: what it is, between which addresses, and its transport header. */
export interface DecodedFrame {
  /** tcp, udp, icmp, icmpv6, arp, ipv4-fragment, ipv4-other, ipv6-other, other (EtherType), or bad. */
  proto: string;
  /** 4 or 6 for IP, 0 otherwise. */
  ipVersion: 0 | 4 | 6;
  /** Source and destination address text ('' for non-IP). */
  src: string;
  dst: string;
  /** Packet identity that does not change from hop to hop (TTL and header checksum left out); '' if none. */
  identity: string;
  /** TTL or hop limit (forwarding lowers it), 0 for non-IP. */
  ttl: number;
  tcp: TcpRepr | null;
  udp: { srcPort: number; dstPort: number; payloadLen: number } | null;
  icmp: IcmpFacts | null;
  /** ARP operation (1 request, 2 reply) with the addresses asked about. */
  arp: { op: number; senderIp: string; targetIp: string } | null;
  /** Why the frame could not be decoded, e.g. "tcp: bad-checksum at offset 16"; null when it decoded. */
  error: string | null;
}

function hex(b: Uint8Array, from: number, to: number): string {
  return Buffer.from(b.buffer, b.byteOffset + from, Math.max(0, Math.min(to, b.length) - from)).toString('hex');
}

function blank(proto: string): DecodedFrame {
  return { proto, ipVersion: 0, src: '', dst: '', identity: '', ttl: 0, tcp: null, udp: null, icmp: null, arp: null, error: null };
}

/** Decodes the transport layer of an IP packet into `f`; throws WireError on a malformed or corrupted one. */
function decodeTransport(f: DecodedFrame, proto: number, payload: Uint8Array, pseudo: PseudoHeader): void {
  if (proto === IPPROTO_TCP) {
    f.proto = 'tcp';
    f.tcp = parseTcp(payload, pseudo);
  } else if (proto === IPPROTO_UDP) {
    f.proto = 'udp';
    const u = parseUdp(payload, pseudo);
    f.udp = { srcPort: u.srcPort, dstPort: u.dstPort, payloadLen: u.payload.length };
  } else if (proto === IPPROTO_ICMP && pseudo.v === 4) {
    f.proto = 'icmp';
    const m = parseIcmpv4(payload);
    f.icmp = {
      type: m.type, code: m.code, echo: 'id' in m ? { id: m.id, seq: m.seq } : null,
      original: 'original' in m ? m.original : null,
    };
  } else if (proto === IPPROTO_ICMPV6 && pseudo.v === 6) {
    f.proto = 'icmpv6';
    const m = parseIcmpv6(payload, pseudo.src, pseudo.dst);
    const echo = m.type === 128 || m.type === 129 ? { id: (payload[4]! << 8) | payload[5]!, seq: (payload[6]! << 8) | payload[7]! } : null;
    // Error messages (types < 128, RFC 4443 §2.1) carry as much of the offending packet as fits after 8 bytes.
    f.icmp = { type: m.type, code: m.code, echo, original: m.type < 128 ? payload.subarray(8) : null };
  } else {
    f.proto = pseudo.v === 4 ? 'ipv4-other' : 'ipv6-other';
  }
}

/** Decodes an IP packet (no Ethernet header) into `f`. */
function decodeIp(f: DecodedFrame, bytes: Uint8Array, etherType: number): void {
  if (etherType === ETHERTYPE_IPV4) {
    const ip = parseIpv4(bytes);
    f.ipVersion = 4;
    f.src = ipv4ToString(ip.src);
    f.dst = ipv4ToString(ip.dst);
    f.ttl = ip.ttl;
    // Identity: version to fragment word (bytes 0–7), protocol (9), addresses (12–19), then the transport header.
    f.identity = `4:${hex(bytes, 0, 8)}${hex(bytes, 9, 10)}${hex(bytes, 12, 20)}:${hex(ip.payload, 0, IDENTITY_L4_BYTES)}`;
    if (ip.moreFragments || ip.fragOffset > 0) {
      f.proto = 'ipv4-fragment';
      return;
    }
    decodeTransport(f, ip.protocol, ip.payload, { v: 4, src: ip.src, dst: ip.dst });
  } else {
    const ip = parseIpv6(bytes);
    f.ipVersion = 6;
    f.src = ipv6ToString(ip.src);
    f.dst = ipv6ToString(ip.dst);
    f.ttl = ip.hopLimit;
    f.identity = `6:${hex(bytes, 0, 7)}${hex(bytes, 8, 40)}:${hex(ip.payload, 0, IDENTITY_L4_BYTES)}`;
    decodeTransport(f, ip.nextHeader, ip.payload, { v: 6, src: ip.src.slice(), dst: ip.dst.slice() });
  }
}

/** Decodes one Ethernet frame as recorded in a 'tx' event. Never throws: a bad frame comes back as proto 'bad'. */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  const f = blank('other');
  try {
    const eth = parseEthernet(bytes);
    if (eth.etherType === ETHERTYPE_IPV4 || eth.etherType === ETHERTYPE_IPV6) {
      decodeIp(f, eth.payload, eth.etherType);
    } else if (eth.etherType === ETHERTYPE_ARP) {
      const a = parseArp(eth.payload);
      f.proto = 'arp';
      f.arp = { op: a.op, senderIp: ipv4ToString(a.senderIp), targetIp: ipv4ToString(a.targetIp) };
      f.identity = `arp:${hex(eth.payload, 0, 28)}`;
    } else {
      f.proto = `ethertype-0x${eth.etherType.toString(16).padStart(4, '0')}`;
      f.identity = `l2:${hex(bytes, 12, 64)}`;
    }
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
    f.proto = 'bad';
    f.tcp = f.udp = f.icmp = f.arp = null;
    f.error = e.message;
  }
  return f;
}

/** "10.0.0.1:80" or "[fe80::1]:80". */
export function endpointText(v: 0 | 4 | 6, addr: string, port: number): string {
  return v === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** A one-line description of the packet an ICMP error quotes ("udp 10.0.0.1:5000 > 10.0.0.2:7"), or ''. */
export function describeQuoted(original: Uint8Array, v: 4 | 6): string {
  try {
    let proto: number, src: string, dst: string, l4: Uint8Array;
    if (v === 4) {
      // The quoted header's total length covers more than was quoted: read the header fields by hand.
      if (original.length < 20) return '';
      const hl = (original[0]! & 0xf) * 4;
      proto = original[9]!;
      src = ipv4ToString(((original[12]! << 24) | (original[13]! << 16) | (original[14]! << 8) | original[15]!) >>> 0);
      dst = ipv4ToString(((original[16]! << 24) | (original[17]! << 16) | (original[18]! << 8) | original[19]!) >>> 0);
      l4 = original.subarray(hl);
    } else {
      if (original.length < 40) return '';
      proto = original[6]!;
      src = ipv6ToString(original.subarray(8, 24));
      dst = ipv6ToString(original.subarray(24, 40));
      l4 = original.subarray(40);
    }
    const name = proto === IPPROTO_TCP ? 'tcp' : proto === IPPROTO_UDP ? 'udp' : proto === IPPROTO_ICMP ? 'icmp' : `proto ${proto}`;
    if ((proto === IPPROTO_TCP || proto === IPPROTO_UDP) && l4.length >= 4) {
      const sp = (l4[0]! << 8) | l4[1]!, dp = (l4[2]! << 8) | l4[3]!;
      return `${name} ${endpointText(v, src, sp)} > ${endpointText(v, dst, dp)}`;
    }
    return `${name} ${src} > ${dst}`;
  } catch {
    return '';
  }
}

/** ICMPv4 type/code names (RFC 792, RFC 1191). */
const ICMPV4_UNREACH = ['net unreachable', 'host unreachable', 'protocol unreachable', 'port unreachable',
  'fragmentation needed', 'source route failed'];
/** ICMPv6 destination unreachable codes (RFC 4443 §3.1). */
const ICMPV6_UNREACH = ['no route', 'administratively prohibited', 'beyond scope', 'address unreachable',
  'port unreachable'];

/** A human description of an ICMP message ("echo request id 1 seq 2", "destination unreachable: port unreachable"). */
export function describeIcmp(m: IcmpFacts, v: 4 | 6): string {
  const echo = m.echo ? ` id ${m.echo.id} seq ${m.echo.seq}` : '';
  const quoted = m.original ? describeQuoted(m.original, v) : '';
  const about = quoted ? ` (${quoted})` : '';
  if (v === 4) {
    switch (m.type) {
      case 0: return `echo reply${echo}`;
      case 8: return `echo request${echo}`;
      case 3: return `destination unreachable: ${ICMPV4_UNREACH[m.code] ?? `code ${m.code}`}${about}`;
      case 11: return `time exceeded: ${m.code === 0 ? 'TTL exceeded in transit' : 'fragment reassembly time exceeded'}${about}`;
      default: return `type ${m.type} code ${m.code}${about}`;
    }
  }
  switch (m.type) {
    case 128: return `echo request${echo}`;
    case 129: return `echo reply${echo}`;
    case 1: return `destination unreachable: ${ICMPV6_UNREACH[m.code] ?? `code ${m.code}`}${about}`;
    case 2: return `packet too big${about}`;
    case 3: return `time exceeded${about}`;
    case 4: return `parameter problem code ${m.code}${about}`;
    case 133: return 'router solicitation';
    case 134: return 'router advertisement';
    case 135: return 'neighbour solicitation';
    case 136: return 'neighbour advertisement';
    default: return `type ${m.type} code ${m.code}${about}`;
  }
}
