// The authoritative server's answer logic: RFC 1034 §4.3.2 over a set of zones, without recursion.
//
// Given the zones a server loads and one decoded query, build the response message: an authoritative
// answer (following CNAMEs through any of the server's zones), a referral at a zone cut, or a negative
// answer with the SOA that lets resolvers cache it (RFC 2308). Header-level errors follow BIND: no
// matching zone → REFUSED, an OPCODE other than QUERY → NOTIMP, not exactly one question → FORMERR.

import type { Answer, OptAnswer, Packet, Question, SoaAnswer } from 'dns-packet';
import { OPCODE_QUERY, RCODE, classOf, cloneRecord, findOpt, negativeTtl, opcodeOf, responseTo } from './message.js';
import { canonicalName, childName, namesBelow } from './names.js';
import { nearestZone } from './zone.js';
import type { Zone, ZoneNode, ZoneRecord } from './zone.js';

/** How many CNAMEs one answer may chain through before the server stops following (a loop guard). */
export const MAX_AUTH_CNAME_CHAIN = 16;

/** The UDP payload size this server advertises in its OPT record (BIND's edns-udp-size default). */
export const SERVER_UDP_PAYLOAD = 1232;

/** What a lookup of one name in one zone found (RFC 1034 §4.3.2 step 3). */
type ZoneLookup =
  | { readonly kind: 'answer'; readonly records: readonly Answer[] }
  | { readonly kind: 'cname'; readonly record: Answer & { data: string } }
  | { readonly kind: 'referral'; readonly ns: readonly ZoneRecord[] }
  | { readonly kind: 'nodata' }
  | { readonly kind: 'nxdomain' };

/**
 * Answers one query from `zones` as an authoritative-only server (RA clear). The result is a complete
 * response message; the caller encodes it (see truncate.ts). A message with QR set gets FORMERR: a
 * server process should drop responses before calling this, as BIND does.
 */
export function answerAuthoritative(zones: readonly Zone[], query: Packet): Packet {
  const optCount = (query.additionals ?? []).filter((r) => r.type === 'OPT').length;
  const questions = query.questions ?? [];
  if (query.type === 'response' || optCount > 1) return formErr(query);
  if (opcodeOf(query) !== OPCODE_QUERY) return finish(query, responseTo(query, { rcode: RCODE.NOTIMP }));
  // RFC 1035 §4.1.2 allows QDCOUNT > 1 on paper, but no server answers it; BIND says FORMERR.
  if (questions.length !== 1) return formErr(query);
  const opt = findOpt(query);
  // RFC 6891 §6.1.3: an unknown EDNS version gets BADVERS, answered at the highest version we know (0).
  if (opt !== undefined && opt.ednsVersion > 0) {
    return finish(query, responseTo(query, { rcode: RCODE.BADVERS }), RCODE.BADVERS);
  }

  const question = questions[0] as Question;
  if (classOf(question) !== 'IN') return finish(query, responseTo(query, { rcode: RCODE.REFUSED }));
  // Zone transfers (RFC 5936) are not served here.
  if (question.type === 'AXFR' || question.type === 'IXFR') return finish(query, responseTo(query, { rcode: RCODE.NOTIMP }));
  return finish(query, resolve(zones, query, question));
}

/** FORMERR with no question section: the one in the query cannot be trusted. */
function formErr(query: Packet): Packet {
  return finish(query, { ...responseTo(query, { rcode: RCODE.FORMERR }), questions: [] });
}

/**
 * Adds an OPT record when the query carried one (RFC 6891 §7); `rcode` is the full RCODE, whose upper
 * 8 bits travel in the OPT record (RFC 6891 §6.1.3).
 */
function finish(query: Packet, response: Packet, rcode = (response.flags ?? 0) & 0xf): Packet {
  if (findOpt(query) === undefined) return response;
  const opt: OptAnswer = {
    name: '.',
    type: 'OPT',
    udpPayloadSize: SERVER_UDP_PAYLOAD,
    extendedRcode: rcode >> 4,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  };
  return { ...response, additionals: [...(response.additionals ?? []), opt] };
}

/** RFC 1034 §4.3.2 steps 2-6 for the one question, restarting at step 1 for each CNAME. */
function resolve(zones: readonly Zone[], query: Packet, question: Question): Packet {
  const qtype = question.type;
  const answers: Answer[] = [];
  const authorities: Answer[] = [];
  let name = canonicalName(question.name);
  let rcode: number = RCODE.NOERROR;
  let authoritative: boolean | undefined;
  const seen = new Set<string>();

  for (;;) {
    seen.add(name);
    const zone = nearestZone(zones, name);
    if (zone === undefined) {
      // Step 2: not ours. For the original name that is REFUSED; after a CNAME the chain so far stands.
      if (authoritative === undefined) return responseTo(query, { rcode: RCODE.REFUSED });
      break;
    }
    const found = lookupInZone(zone, name, qtype);
    // AA describes the first owner name in the answer (RFC 1035 §4.1.1): clear for a referral.
    authoritative ??= found.kind !== 'referral';
    if (found.kind === 'cname') {
      answers.push(found.record);
      const target = canonicalName(found.record.data);
      if (seen.has(target) || seen.size >= MAX_AUTH_CNAME_CHAIN) break;
      name = target;
      continue;
    }
    if (found.kind === 'answer') answers.push(...found.records);
    else if (found.kind === 'referral') authorities.push(...found.ns.map(cloneRecord));
    else {
      // RFC 2308 §2.1/§2.2: NXDOMAIN and NODATA carry the zone's SOA, TTL min(SOA TTL, MINIMUM) (§3).
      if (found.kind === 'nxdomain') rcode = RCODE.NXDOMAIN;
      authorities.push(negativeSoa(zone.soa));
    }
    break;
  }

  const response = responseTo(query, { rcode, authoritative });
  const targets = [...answers, ...authorities].flatMap(additionalTargets);
  return { ...response, answers, authorities, additionals: addressRecords(zones, targets) };
}

/** The zone's SOA as it goes into a negative answer (RFC 2308 §3). */
function negativeSoa(soa: SoaAnswer): SoaAnswer {
  return { ...cloneRecord(soa), ttl: negativeTtl(soa) };
}

/** RFC 1034 §4.3.2 step 3 inside one zone: descend from the apex, stopping at a cut or a missing name. */
function lookupInZone(zone: Zone, name: string, qtype: string): ZoneLookup {
  let encloser = zone.nodes.get(zone.origin) as ZoneNode;
  for (const step of namesBelow(name, zone.origin)) {
    const node = zone.nodes.get(step);
    if (node === undefined) {
      // Step 3c: the name does not exist; a wildcard at the closest encloser may synthesise it.
      const wildcard = zone.nodes.get(childName('*', encloser.name));
      return wildcard === undefined ? { kind: 'nxdomain' } : fromNode(wildcard, name, qtype);
    }
    const ns = node.rrsets.get('NS');
    // Step 3b: a delegation below the apex; everything at and below it belongs to the child zone.
    if (ns !== undefined) return { kind: 'referral', ns };
    encloser = node;
  }
  return fromNode(encloser, name, qtype);
}

/** Step 3a at an existing node, with `owner` as the answer's owner (the query name for a wildcard, RFC 4592 §3.3.1). */
function fromNode(node: ZoneNode, owner: string, qtype: string): ZoneLookup {
  const rename = (r: ZoneRecord): Answer => ({ ...cloneRecord(r), name: owner });
  const cname = node.rrsets.get('CNAME')?.[0];
  if (cname !== undefined && qtype !== 'CNAME' && qtype !== 'ANY') {
    return { kind: 'cname', record: rename(cname) as Answer & { data: string } };
  }
  const records = qtype === 'ANY' ? [...node.rrsets.values()].flat() : (node.rrsets.get(qtype as never) ?? []);
  return records.length === 0 ? { kind: 'nodata' } : { kind: 'answer', records: records.map(rename) };
}

/** Names whose addresses belong in the additional section (RFC 1034 §4.3.2 step 6; RFC 1035 §3.3.9, §3.3.11; RFC 2782). */
function additionalTargets(record: Answer): string[] {
  switch (record.type) {
    case 'NS':
      return [record.data];
    case 'MX':
      return [record.data.exchange];
    case 'SRV':
      return [record.data.target];
    default:
      return [];
  }
}

/** A and AAAA records the server holds for `names` (authoritative data or glue), without repeats. */
function addressRecords(zones: readonly Zone[], names: readonly string[]): Answer[] {
  const out: Answer[] = [];
  const done = new Set<string>();
  for (const raw of names) {
    const name = canonicalName(raw);
    if (done.has(name)) continue;
    done.add(name);
    const node = nearestZone(zones, name)?.nodes.get(name);
    for (const type of ['A', 'AAAA'] as const) out.push(...(node?.rrsets.get(type) ?? []).map(cloneRecord));
  }
  return out;
}
