// The authoritative zone model: a validated, indexed set of resource records for one zone.
//
// A zone is built from plain, JSON-serialisable data in master-file spirit (RFC 1035 §5.1): owner
// names and names inside RDATA are relative to the origin unless they end in '.', and '@' is the
// origin. Records become dns-packet answer objects in canonical name form (see names.ts), indexed by
// owner so the RFC 1034 §4.3.2 lookup can walk the tree. Every rejected input names its field path.

import type { BaseAnswer, MxAnswer, SoaAnswer, SoaData, SrvAnswer, TxtAnswer } from 'dns-packet';
import { parseAddress } from './address.js';
import { absoluteName, isSubdomain, nameLabels, nameProblem, selfAndAncestors } from './names.js';

/** The record types a zone may hold. */
export type ZoneRecordType = 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS' | 'SOA' | 'MX' | 'SRV' | 'TXT';

/** The record types a zone may hold, as a list. */
export const ZONE_RECORD_TYPES: readonly ZoneRecordType[] = ['A', 'AAAA', 'CNAME', 'PTR', 'NS', 'SOA', 'MX', 'SRV', 'TXT'];

/** A zone record: a dns-packet answer with canonical owner name, class IN and a TTL. */
export type ZoneRecord = BaseAnswer<'A' | 'AAAA' | 'CNAME' | 'NS' | 'PTR', string> | MxAnswer | SrvAnswer | TxtAnswer | SoaAnswer;

/** SOA fields in zone data (RFC 1035 §3.3.13); omitted timers take the RIPE-203 recommendations. */
export interface SoaSpec {
  mname: string;
  rname: string;
  serial?: number;
  refresh?: number;
  retry?: number;
  expire?: number;
  minimum?: number;
  ttl?: number;
}

/** One record in zone data; `data` is per type: a string for A/AAAA/CNAME/PTR/NS, an object or strings else. */
export interface RecordSpec {
  name: string;
  type: ZoneRecordType;
  ttl?: number;
  data: unknown;
}

/** A zone as plain JSON-serialisable data. */
export interface ZoneData {
  /** The zone apex, e.g. 'example.com.'. */
  origin: string;
  /** Default TTL in seconds for records without one (the $TTL of RFC 2308 §4); 3600 when omitted. */
  ttl?: number;
  /** The apex SOA; defaults are used when neither this nor an SOA record is given. */
  soa?: SoaSpec;
  records: RecordSpec[];
}

/** Zone data rejected by validation; `path` names the offending field, e.g. `records[3].data`. */
export class ZoneDataError extends Error {
  /** The field path of the bad value. */
  readonly path: string;

  /** Builds the error for `path` with a reason. */
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'ZoneDataError';
    this.path = path;
  }
}

/** One owner name of a zone and its RRsets by type; empty for an empty non-terminal (RFC 8020 §2). */
export interface ZoneNode {
  readonly name: string;
  readonly rrsets: ReadonlyMap<ZoneRecordType, readonly ZoneRecord[]>;
}

/** A validated zone. */
export interface Zone {
  /** The apex in canonical form ('example.com', or '.' for the root zone). */
  readonly origin: string;
  /** The apex SOA record. */
  readonly soa: SoaAnswer;
  /** Every record, SOA first, in data order. */
  readonly records: readonly ZoneRecord[];
  /** Every existing name (owners and empty non-terminals) to its node. */
  readonly nodes: ReadonlyMap<string, ZoneNode>;
}

const DEFAULT_TTL = 3600;
const MAX_TTL = 2 ** 31 - 1; // RFC 2181 §8
// RIPE-203 recommended SOA timers (refresh 24h, retry 2h, expire 1000h, negative TTL 1h).
const DEFAULT_SOA_TIMERS = { serial: 1, refresh: 86400, retry: 7200, expire: 3600000, minimum: 3600 };

/** A parsed record and the data path it came from, for error messages. */
interface Located {
  readonly record: ZoneRecord;
  readonly path: string;
}

/** Validates zone data and builds the indexed zone; throws ZoneDataError naming the bad field. */
export function buildZone(data: ZoneData): Zone {
  const input = expectObject(data, '(zone)');
  const origin = parseName(input.origin, 'origin', '.');
  const defaultTtl = input.ttl === undefined ? DEFAULT_TTL : parseTtl(input.ttl, 'ttl');
  if (!Array.isArray(input.records)) throw new ZoneDataError('records', 'expected an array');
  const parsed: Located[] = (input.records as unknown[]).map((spec, i) => {
    const path = `records[${i}]`;
    return { record: parseRecord(spec, path, origin, defaultTtl), path };
  });

  const soaRecords = parsed.filter((p) => p.record.type === 'SOA');
  let soa: Located;
  if (input.soa !== undefined) {
    const clash = soaRecords[0];
    if (clash !== undefined) throw new ZoneDataError(clash.path, 'SOA given both here and in "soa"');
    const spec = expectObject(input.soa, 'soa');
    const ttl = spec.ttl === undefined ? defaultTtl : parseTtl(spec.ttl, 'soa.ttl');
    soa = { record: { name: origin, type: 'SOA', class: 'IN', ttl, data: parseSoa(spec, 'soa', origin) }, path: 'soa' };
  } else if (soaRecords[0] !== undefined) {
    soa = soaRecords[0];
  } else {
    const mname = origin === '.' ? 'ns' : `ns.${origin}`;
    const rname = origin === '.' ? 'hostmaster' : `hostmaster.${origin}`;
    const record: SoaAnswer = { name: origin, type: 'SOA', class: 'IN', ttl: defaultTtl, data: { mname, rname, ...DEFAULT_SOA_TIMERS } };
    soa = { record, path: 'soa' };
  }

  const located = [soa, ...parsed.filter((p) => p !== soa)];
  const kept = checkRRsets(located, origin);
  checkZoneCuts(kept, origin);
  return { origin, soa: soa.record as SoaAnswer, records: kept.map((p) => p.record), nodes: indexNodes(kept, origin) };
}

/**
 * Enforces the per-name rules and drops duplicate records (an RRset is a set, RFC 2181 §5): one SOA
 * at the apex, no CNAME beside other data, one TTL per RRset, no NS at a wildcard.
 */
function checkRRsets(located: readonly Located[], origin: string): Located[] {
  const sets = new Map<string, Map<ZoneRecordType, ZoneRecord[]>>();
  const kept: Located[] = [];
  for (const { record, path } of located) {
    if (record.type === 'SOA' && record.name !== origin) {
      throw new ZoneDataError(`${path}.name`, 'SOA must be at the zone apex (RFC 1035 §5.2)');
    }
    if (record.type === 'NS' && record.name.startsWith('*.')) {
      throw new ZoneDataError(`${path}.type`, 'NS at a wildcard owner is not allowed (RFC 4592 §4.2)');
    }
    const byType = sets.get(record.name) ?? new Map<ZoneRecordType, ZoneRecord[]>();
    sets.set(record.name, byType);
    const rrset = byType.get(record.type) ?? [];
    if (rrset.some((r) => JSON.stringify(r.data) === JSON.stringify(record.data))) continue;
    const first = rrset[0];
    if (record.type === 'SOA' && first !== undefined) throw new ZoneDataError(path, 'a zone has one SOA');
    if (first !== undefined && first.ttl !== record.ttl) {
      throw new ZoneDataError(`${path}.ttl`, `TTL ${record.ttl} differs from ${first.ttl} in the same RRset (RFC 2181 §5.2)`);
    }
    if (record.type === 'CNAME' && first !== undefined) {
      throw new ZoneDataError(path, `more than one CNAME at "${record.name}" (RFC 2181 §10.1)`);
    }
    const others = [...byType.keys()].filter((t) => t !== record.type);
    if ((record.type === 'CNAME' && others.length > 0) || (record.type !== 'CNAME' && others.includes('CNAME'))) {
      throw new ZoneDataError(path, `CNAME and other data at "${record.name}" (RFC 1034 §3.6.2, RFC 2181 §10.1)`);
    }
    rrset.push(record);
    byType.set(record.type, rrset);
    kept.push({ record, path });
  }
  return kept;
}

/** The node index: every owner plus the empty non-terminals between owners and the apex (RFC 8020 §2). */
function indexNodes(located: readonly Located[], origin: string): Map<string, ZoneNode> {
  const nodes = new Map<string, { name: string; rrsets: Map<ZoneRecordType, ZoneRecord[]> }>();
  for (const { record } of located) {
    for (const name of selfAndAncestors(record.name)) {
      if (!nodes.has(name)) nodes.set(name, { name, rrsets: new Map() });
      if (name === origin) break;
    }
    const rrsets = (nodes.get(record.name) as { rrsets: Map<ZoneRecordType, ZoneRecord[]> }).rrsets;
    const rrset = rrsets.get(record.type) ?? [];
    rrset.push(record);
    rrsets.set(record.type, rrset);
  }
  return nodes;
}

/** Below a delegation (NS not at the apex) only glue addresses may appear (RFC 1034 §4.2.1). */
function checkZoneCuts(located: readonly Located[], origin: string): void {
  const cuts = new Set(located.filter((p) => p.record.type === 'NS' && p.record.name !== origin).map((p) => p.record.name));
  for (const { record, path } of located) {
    for (const ancestor of selfAndAncestors(record.name)) {
      if (ancestor === origin) break;
      if (!cuts.has(ancestor)) continue;
      const atCut = ancestor === record.name;
      if (!(record.type === 'A' || record.type === 'AAAA' || (atCut && record.type === 'NS'))) {
        throw new ZoneDataError(path, `${record.type} at or below the delegation "${ancestor}" (only NS and glue, RFC 1034 §4.2.1)`);
      }
    }
  }
}

/** Parses one record spec at `path`. */
function parseRecord(spec: unknown, path: string, origin: string, defaultTtl: number): ZoneRecord {
  const input = expectObject(spec, path);
  const name = parseName(input.name, `${path}.name`, origin);
  if (!isSubdomain(name, origin)) {
    throw new ZoneDataError(`${path}.name`, `"${name}" is outside the zone "${origin}"`);
  }
  if (typeof input.type !== 'string' || !(ZONE_RECORD_TYPES as readonly string[]).includes(input.type)) {
    throw new ZoneDataError(`${path}.type`, `expected one of ${ZONE_RECORD_TYPES.join(', ')}`);
  }
  const type = input.type as ZoneRecordType;
  const ttl = input.ttl === undefined ? defaultTtl : parseTtl(input.ttl, `${path}.ttl`);
  const dataPath = `${path}.data`;
  const base = { name, class: 'IN' as const, ttl };
  switch (type) {
    case 'A':
      return { ...base, type, data: parseAddressData(input.data, dataPath, 4) };
    case 'AAAA':
      return { ...base, type, data: parseAddressData(input.data, dataPath, 6) };
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return { ...base, type, data: parseName(input.data, dataPath, origin) };
    case 'MX': {
      const d = expectObject(input.data, dataPath);
      return {
        ...base,
        type,
        data: { preference: parseUint16(d.preference, `${dataPath}.preference`), exchange: parseName(d.exchange, `${dataPath}.exchange`, origin) },
      };
    }
    case 'SRV': {
      const d = expectObject(input.data, dataPath);
      return {
        ...base,
        type,
        data: {
          priority: parseUint16(d.priority, `${dataPath}.priority`),
          weight: parseUint16(d.weight, `${dataPath}.weight`),
          port: parseUint16(d.port, `${dataPath}.port`),
          target: parseName(d.target, `${dataPath}.target`, origin),
        },
      };
    }
    case 'TXT':
      return { ...base, type, data: parseTxt(input.data, dataPath) };
    case 'SOA':
      return { ...base, type, data: parseSoa(input.data, dataPath, origin) };
  }
}

/** SOA RDATA (RFC 1035 §3.3.13) with RIPE-203 defaults for omitted timers. */
function parseSoa(value: unknown, path: string, origin: string): SoaData {
  const d = expectObject(value, path);
  const timer = (key: keyof typeof DEFAULT_SOA_TIMERS): number =>
    d[key] === undefined ? DEFAULT_SOA_TIMERS[key] : parseUint32(d[key], `${path}.${key}`);
  return {
    mname: parseName(d.mname, `${path}.mname`, origin),
    rname: parseName(d.rname, `${path}.rname`, origin),
    serial: timer('serial'),
    refresh: timer('refresh'),
    retry: timer('retry'),
    expire: timer('expire'),
    minimum: timer('minimum'),
  };
}

/** TXT RDATA: one or more <character-string>s of at most 255 octets each (RFC 1035 §3.3.14). */
function parseTxt(value: unknown, path: string): string[] {
  const strings = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(strings) || strings.length === 0) {
    throw new ZoneDataError(path, 'expected a string or a non-empty array of strings');
  }
  return strings.map((s: unknown, i) => {
    const itemPath = typeof value === 'string' ? path : `${path}[${i}]`;
    if (typeof s !== 'string') throw new ZoneDataError(itemPath, 'expected a string');
    if (Buffer.byteLength(s, 'utf8') > 255) throw new ZoneDataError(itemPath, 'longer than 255 octets (RFC 1035 §3.3.14)');
    return s;
  });
}

/** An address of the record's family (inet_pton(3) syntax), in canonical text. */
function parseAddressData(value: unknown, path: string, family: 4 | 6): string {
  const parsed = typeof value === 'string' ? parseAddress(value, family) : undefined;
  if (parsed === undefined) throw new ZoneDataError(path, `expected an IPv${family} address`);
  return parsed.address;
}

/** A domain name relative to `origin`, checked against RFC 1035 §2.3.4 limits. */
function parseName(value: unknown, path: string, origin: string): string {
  if (typeof value !== 'string' || value === '') throw new ZoneDataError(path, 'expected a domain name');
  const problem = nameProblem(value === '@' ? origin : value);
  if (problem !== undefined) throw new ZoneDataError(path, problem);
  const name = absoluteName(value, origin);
  const absProblem = nameProblem(name);
  if (absProblem !== undefined) throw new ZoneDataError(path, absProblem);
  if (name !== '.' && name.split('.').some((l, i) => l === '*' && i > 0)) {
    // Legal as a plain label, but a wildcard only works leftmost (RFC 4592 §2.1.1): almost surely a typo.
    throw new ZoneDataError(path, `"*" is only a wildcard as the leftmost label (RFC 4592 §2.1.1)`);
  }
  return name;
}

/** A TTL: an integer in [0, 2^31-1] seconds (RFC 2181 §8). */
function parseTtl(value: unknown, path: string): number {
  return parseInteger(value, path, MAX_TTL);
}

/** A 16-bit unsigned field. */
function parseUint16(value: unknown, path: string): number {
  return parseInteger(value, path, 0xffff);
}

/** A 32-bit unsigned field. */
function parseUint32(value: unknown, path: string): number {
  return parseInteger(value, path, 0xffffffff);
}

/** An integer in [0, max]. */
function parseInteger(value: unknown, path: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ZoneDataError(path, `expected an integer from 0 to ${max}`);
  }
  return value;
}

/** A plain object, so its fields can be read. */
function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ZoneDataError(path, 'expected an object');
  return value as Record<string, unknown>;
}

/** The zone among `zones` whose apex is the nearest ancestor of canonical `name` (RFC 1034 §4.3.2 step 2). */
export function nearestZone(zones: readonly Zone[], name: string): Zone | undefined {
  let best: Zone | undefined;
  for (const zone of zones) {
    if (!isSubdomain(name, zone.origin)) continue;
    if (best === undefined || nameLabels(zone.origin).length > nameLabels(best.origin).length) best = zone;
  }
  return best;
}
