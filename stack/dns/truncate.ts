// Putting DNS messages on the wire: size limits and truncation for UDP, length framing for TCP.
//
// Truncation follows BIND's renderer: whole RRsets are dropped from the end of the message (additional
// section first, then authority, then answer), never part of an RRset, and the OPT record always stays
// (RFC 6891 §7). TC is set when an answer or authority RRset had to go (RFC 1035 §4.1.1). Dropping only
// additional data does not set TC (RFC 2181 §9: "not merely because some extra information could have
// been included"), except when in-domain glue of a referral is lost (RFC 9471 §3.1).
// Names are compressed as BIND compresses them (compress.ts), so sizes, and where truncation starts, match a
// real server's.

import { encode } from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { compressMessage } from './compress.js';
import { cloneRecord, findOpt, groupRRsets, withTruncation } from './message.js';
import { canonicalName, isSubdomain } from './names.js';

/** The classic UDP payload limit (RFC 1035 §2.3.4, §4.2.1). */
export const UDP_PAYLOAD_DEFAULT = 512;

/** The largest message TCP can frame: its length prefix is 16 bits (RFC 1035 §4.2.2). */
export const TCP_MESSAGE_MAX = 0xffff;

/**
 * The UDP payload size to answer `query` with: 512 without EDNS, else the requester's advertised
 * size (never below 512, RFC 6891 §6.2.5) capped by the server's own limit (RFC 6891 §6.2.4).
 */
export function udpPayloadLimit(query: Packet, serverMax: number): number {
  const opt = findOpt(query);
  if (opt === undefined) return UDP_PAYLOAD_DEFAULT;
  return Math.max(UDP_PAYLOAD_DEFAULT, Math.min(opt.udpPayloadSize, serverMax));
}

/**
 * Encodes `packet` in at most `maxSize` octets (values below 512 count as 512, RFC 6891 §6.2.5),
 * dropping trailing RRsets and setting TC as described above. The argument is not modified.
 */
export function encodeForUdp(packet: Packet, maxSize: number = UDP_PAYLOAD_DEFAULT): Uint8Array {
  return fitMessage(packet, Math.max(UDP_PAYLOAD_DEFAULT, maxSize));
}

/** Encodes `packet` with the 2-octet length prefix of DNS over TCP (RFC 1035 §4.2.2), truncating past 65535. */
export function encodeForTcp(packet: Packet): Uint8Array {
  const body = fitMessage(packet, TCP_MESSAGE_MAX);
  const framed = new Uint8Array(body.length + 2);
  framed[0] = body.length >> 8;
  framed[1] = body.length & 0xff;
  framed.set(body, 2);
  return framed;
}

/** The wire form of `packet`, names compressed. */
export function renderMessage(packet: Packet): Uint8Array {
  return compressMessage(encode(packet));
}

/** `packet` rendered in at most `limit` octets, trailing RRsets dropped as described above. */
function fitMessage(packet: Packet, limit: number): Uint8Array {
  const copy: Packet = {
    ...packet,
    questions: (packet.questions ?? []).map((q) => ({ ...q })),
    answers: (packet.answers ?? []).map(cloneRecord),
    authorities: (packet.authorities ?? []).map(cloneRecord),
    additionals: (packet.additionals ?? []).map(cloneRecord),
  };
  const whole = renderMessage(copy);
  if (whole.length <= limit) return whole;

  const opt = (copy.additionals ?? []).filter((r) => r.type === 'OPT');
  const sections = {
    answers: groupRRsets(copy.answers ?? []),
    authorities: groupRRsets(copy.authorities ?? []),
    additionals: groupRRsets((copy.additionals ?? []).filter((r) => r.type !== 'OPT')),
  };
  const glue = inDomainGlue(copy.authorities ?? []);
  let truncated = false;
  // Compression makes a record's size depend on what precedes it, so the message is re-rendered after each drop.
  const render = (): Uint8Array => renderMessage({
    ...copy,
    flags: truncated ? withTruncation(copy.flags) : copy.flags,
    answers: sections.answers.flat(),
    authorities: sections.authorities.flat(),
    additionals: [...sections.additionals.flat(), ...opt],
  });
  let bytes = whole;
  for (const section of ['additionals', 'authorities', 'answers'] as const) {
    const groups = sections[section];
    while (bytes.length > limit && groups.length > 0) {
      const dropped = groups.pop() as Answer[];
      if (section !== 'additionals' || dropped.some((r) => glue.has(canonicalName(r.name)))) truncated = true;
      bytes = render();
    }
  }
  if (bytes.length > limit) {
    throw new RangeError(`DNS header, question and OPT need ${bytes.length} octets, more than the ${limit} allowed`);
  }
  return bytes;
}

/**
 * Names of the in-domain glue a referral needs: NS targets at or below the delegated zone, which a
 * resolver cannot look up elsewhere (RFC 9471 §2.1). Empty when the authority section has no NS.
 */
function inDomainGlue(authorities: readonly Answer[]): Set<string> {
  const names = new Set<string>();
  for (const record of authorities) {
    if (record.type !== 'NS') continue;
    const target = canonicalName(record.data);
    if (isSubdomain(target, canonicalName(record.name))) names.add(target);
  }
  return names;
}

/**
 * Reassembles DNS messages from a TCP byte stream: each is a 2-octet big-endian length and that many
 * octets (RFC 1035 §4.2.2), split across segments however the stream delivers them.
 */
export class TcpFramer {
  private pending: Uint8Array = new Uint8Array(0);

  /** Appends received bytes and returns every message they complete, in order (possibly none). */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending, 0);
    joined.set(chunk, this.pending.length);
    const messages: Uint8Array[] = [];
    let offset = 0;
    while (joined.length - offset >= 2) {
      const length = ((joined[offset] as number) << 8) | (joined[offset + 1] as number);
      if (joined.length - offset - 2 < length) break;
      messages.push(joined.slice(offset + 2, offset + 2 + length));
      offset += 2 + length;
    }
    this.pending = joined.slice(offset);
    return messages;
  }

  /** Bytes received but not yet part of a complete message. */
  get bufferedBytes(): number {
    return this.pending.length;
  }
}
