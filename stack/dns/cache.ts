// A resolver's cache of RRsets and negative answers, timed by the virtual clock.
//
// Entries are keyed by (canonical owner, type, class). TTLs count down in virtual nanoseconds; answers
// served from the cache carry the remaining TTL in whole seconds (RFC 1035 §3.2.1, RFC 1034 §4.3.5).
// NXDOMAIN covers every type at a name and NODATA one type, each for min(SOA TTL, SOA MINIMUM)
// (RFC 2308 §5). Data is ranked by how it was learned so that glue never overwrites an authoritative
// answer (RFC 2181 §5.4.1). Eviction is least-recently-used, tracked by Map insertion order.

import type { Answer, SoaAnswer } from 'dns-packet';
import { classOf, cloneRecord, negativeTtl, rrsetKey, ttlOf } from './message.js';
import { canonicalName } from './names.js';

/** How trustworthy cached data is, lowest first (a simplification of RFC 2181 §5.4.1's ranking). */
export const TRUST = {
  /** Addresses from an additional section (glue). */
  glue: 1,
  /** NS records from the authority section of a referral. */
  referral: 2,
  /** Answer data from a server that was not authoritative for it. */
  answer: 3,
  /** Answer data with AA set, and negative answers. */
  authoritative: 4,
} as const;

/** A trust rank (see TRUST). */
export type Trust = (typeof TRUST)[keyof typeof TRUST];

/** Cache limits. */
export interface DnsCacheOptions {
  /** Most entries kept; the least recently used goes first (default 10000). */
  readonly maxEntries?: number;
  /** Longest TTL honoured, in seconds (BIND's max-cache-ttl; default 86400). */
  readonly maxTtl?: number;
  /** Longest negative TTL honoured, in seconds (BIND's max-ncache-ttl, RFC 2308 §5; default 10800). */
  readonly maxNegativeTtl?: number;
}

/** Counters since the cache was made. */
export interface DnsCacheStats {
  hits: number;
  misses: number;
  /** Entries found past their TTL and removed. */
  expirations: number;
  /** Entries removed to respect maxEntries. */
  evictions: number;
}

/** A cache hit: an RRset with remaining TTLs, or a negative answer with its SOA at the remaining TTL. */
export type CacheHit =
  | { readonly kind: 'rrset'; readonly records: Answer[] }
  | { readonly kind: 'nxdomain'; readonly soa: SoaAnswer }
  | { readonly kind: 'nodata'; readonly soa: SoaAnswer };

/** A lookup that followed cached CNAMEs: the chain walked, the last name, and what was found there. */
export interface CacheLookup {
  readonly chain: Answer[];
  readonly name: string;
  readonly hit: CacheHit | undefined;
}

interface Entry {
  readonly kind: CacheHit['kind'];
  readonly records: readonly Answer[];
  readonly expiresNs: number;
  readonly trust: Trust;
}

const NS_PER_S = 1_000_000_000;
/** Stop following cached CNAMEs after this many (a loop guard; the resolver has its own limit). */
const MAX_CACHED_CHAIN = 16;

/** The resolver cache. All methods take the virtual time `nowNs` in integer nanoseconds. */
export class DnsCache {
  /** Hit, miss, expiry and eviction counters. */
  readonly stats: DnsCacheStats = { hits: 0, misses: 0, expirations: 0, evictions: 0 };
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxTtl: number;
  private readonly maxNegativeTtl: number;

  /** Makes an empty cache with the given limits. */
  constructor(options: DnsCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10000;
    this.maxTtl = options.maxTtl ?? 86400;
    this.maxNegativeTtl = options.maxNegativeTtl ?? 10800;
    if (!(this.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  /** Entries currently held, expired ones included until they are next touched. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Stores one RRset (all records share owner, type and class). Its TTL is the smallest in the set
   * (RFC 2181 §5.2), capped at maxTtl; TTL 0 data is not stored (RFC 1035 §3.2.1). Data ranked below
   * a live entry is ignored (RFC 2181 §5.4.1). Returns whether the RRset was stored.
   */
  putRRset(records: readonly Answer[], nowNs: number, trust: Trust = TRUST.authoritative): boolean {
    const first = records[0];
    if (first === undefined) return false;
    const key = rrsetKey(first);
    if (records.some((r) => rrsetKey(r) !== key)) throw new Error(`putRRset: records of more than one RRset (${key})`);
    const ttl = Math.min(this.maxTtl, ...records.map(ttlOf));
    if (!this.store(key, { kind: 'rrset', records: records.map(cloneRecord), expiresNs: nowNs + ttl * NS_PER_S, trust }, ttl, nowNs)) {
      return false;
    }
    // The name now exists, so a cached NXDOMAIN for it is stale.
    this.entries.delete(nxKey(first.name, classOf(first)));
    return true;
  }

  /**
   * Stores a negative answer for (name, type): NXDOMAIN covers all types at the name, NODATA only
   * `type`. It lives for min(SOA TTL, SOA MINIMUM), capped at maxNegativeTtl (RFC 2308 §5).
   */
  putNegative(name: string, type: string, kind: 'nxdomain' | 'nodata', soa: SoaAnswer, nowNs: number, cls = 'IN'): boolean {
    const ttl = Math.min(this.maxNegativeTtl, negativeTtl(soa));
    const key = kind === 'nxdomain' ? nxKey(name, cls) : rrsetKey({ name, type: type as Answer['type'], class: cls as 'IN' });
    const entry: Entry = { kind, records: [cloneRecord(soa)], expiresNs: nowNs + ttl * NS_PER_S, trust: TRUST.authoritative };
    return this.store(key, entry, ttl, nowNs);
  }

  /** The live entry for (name, type, class), NXDOMAIN at the name included, counting a hit or miss. */
  get(name: string, type: string, nowNs: number, cls = 'IN'): CacheHit | undefined {
    const hit = this.peek(name, type, nowNs, cls);
    if (hit === undefined) this.stats.misses++;
    else this.stats.hits++;
    return hit;
  }

  /**
   * Looks up (name, type), following cached CNAMEs when the type itself is not cached (RFC 1034
   * §4.3.2 step 3a as a resolver applies it to its cache). Counts one hit when it ends in an answer.
   */
  lookup(name: string, type: string, nowNs: number, cls = 'IN'): CacheLookup {
    const chain: Answer[] = [];
    let current = canonicalName(name);
    for (;;) {
      const hit = this.peek(current, type, nowNs, cls);
      const cname = hit === undefined && type !== 'CNAME' ? this.peek(current, 'CNAME', nowNs, cls) : undefined;
      const record = cname?.kind === 'rrset' ? cname.records[0] : undefined;
      if (record === undefined || record.type !== 'CNAME' || chain.length >= MAX_CACHED_CHAIN) {
        if (hit === undefined) this.stats.misses++;
        else this.stats.hits++;
        return { chain, name: current, hit };
      }
      chain.push(record);
      current = canonicalName(record.data);
    }
  }

  /** Removes every entry expired at `nowNs`; returns how many went. */
  purgeExpired(nowNs: number): number {
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresNs <= nowNs) {
        this.entries.delete(key);
        removed++;
      }
    }
    this.stats.expirations += removed;
    return removed;
  }

  /** The live entry without touching hit/miss counters; refreshes its LRU position. */
  private peek(name: string, type: string, nowNs: number, cls: string): CacheHit | undefined {
    const nx = this.live(nxKey(name, cls), nowNs);
    const entry = nx ?? this.live(rrsetKey({ name, type: type as Answer['type'], class: cls as 'IN' }), nowNs);
    if (entry === undefined) return undefined;
    // RFC 1035 §3.2.1: what leaves the cache carries the time it has left, in whole seconds.
    const remaining = Math.floor((entry.expiresNs - nowNs) / NS_PER_S);
    const records = entry.records.map((r) => ({ ...cloneRecord(r), ttl: remaining }));
    if (entry.kind === 'rrset') return { kind: 'rrset', records };
    return { kind: entry.kind, soa: records[0] as SoaAnswer };
  }

  /** The entry under `key` if it has not expired (an expired one is removed and counted). */
  private live(key: string, nowNs: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresNs <= nowNs) {
      this.stats.expirations++;
      return undefined;
    }
    this.entries.set(key, entry); // most recently used moves to the end
    return entry;
  }

  /** Inserts unless the TTL is 0 or a live entry outranks it; evicts the least recently used. */
  private store(key: string, entry: Entry, ttl: number, nowNs: number): boolean {
    if (ttl <= 0) return false;
    const existing = this.entries.get(key);
    if (existing !== undefined && existing.expiresNs > nowNs && existing.trust > entry.trust) return false;
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.stats.evictions++;
    }
    return true;
  }
}

/** The key of the NXDOMAIN entry for a name: it answers every type (RFC 2308 §5). */
function nxKey(name: string, cls: string): string {
  return `${canonicalName(name)}|*NXDOMAIN|${cls}`;
}
