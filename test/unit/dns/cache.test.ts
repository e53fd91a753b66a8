/** DnsCache: TTLs in virtual time (RFC 1035 §3.2.1), negative caching (RFC 2308 §5), ranking, LRU eviction. */

import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { SoaAnswer, StringAnswer } from 'dns-packet';
import { DnsCache, TRUST } from '../../../stack/dns/cache.js';
import type { CacheHit } from '../../../stack/dns/cache.js';
import { stringData, ttlOf } from '../../../stack/dns/message.js';

const S = 1_000_000_000; // nanoseconds per second
const a = (name: string, data: string, ttl = 300): StringAnswer => ({ name, type: 'A', class: 'IN', ttl, data });
/** [data, ttl] of each record of a hit, or undefined for a miss or negative hit. */
const view = (hit: CacheHit | undefined) => (hit?.kind === 'rrset' ? hit.records.map((r) => [stringData(r), ttlOf(r)]) : undefined);
const soa = (ttl: number, minimum: number): SoaAnswer => ({
  name: 'example.com',
  type: 'SOA',
  class: 'IN',
  ttl,
  data: { mname: 'ns.example.com', rname: 'hostmaster.example.com', serial: 1, refresh: 1, retry: 1, expire: 1, minimum },
});

describe('positive entries', () => {
  test('answers carry the remaining TTL in whole seconds, counting down in virtual time (RFC 1035 §3.2.1)', () => {
    const c = new DnsCache();
    c.putRRset([a('www.example.com', '192.0.2.1'), a('www.example.com', '192.0.2.2')], 10 * S);
    const at = (t: number) => c.get('www.example.com', 'A', t);
    expect(at(10 * S)).toEqual({ kind: 'rrset', records: [a('www.example.com', '192.0.2.1', 300), a('www.example.com', '192.0.2.2', 300)] });
    const later = at(10 * S + 100 * S + S / 2);
    expect(view(later)).toEqual([['192.0.2.1', 199], ['192.0.2.2', 199]]);
    expect(at(10 * S + 300 * S - 1)?.kind).toBe('rrset'); // last nanosecond: TTL 0 but still live
    expect(at(10 * S + 300 * S)).toBeUndefined(); // expired exactly at insert + TTL
    expect(c.stats).toEqual({ hits: 3, misses: 1, expirations: 1, evictions: 0 });
    expect(c.size).toBe(0);
  });

  test('keys ignore name case and a trailing dot, and separate type and class', () => {
    const c = new DnsCache();
    c.putRRset([a('WWW.Example.COM.', '192.0.2.1')], 0);
    expect(c.get('www.example.com', 'A', 0)?.kind).toBe('rrset');
    expect(c.get('www.example.com', 'AAAA', 0)).toBeUndefined();
    expect(c.get('www.example.com', 'A', 0, 'CH')).toBeUndefined();
  });

  test('an RRset lives as long as its smallest TTL (RFC 2181 §5.2), at most maxTtl', () => {
    const c = new DnsCache({ maxTtl: 86400 });
    c.putRRset([a('m.example.com', '192.0.2.1', 600), a('m.example.com', '192.0.2.2', 60)], 0);
    expect(c.get('m.example.com', 'A', 59 * S)?.kind).toBe('rrset');
    expect(c.get('m.example.com', 'A', 60 * S)).toBeUndefined();
    c.putRRset([a('long.example.com', '192.0.2.3', 7 * 86400)], 0);
    expect(view(c.get('long.example.com', 'A', 0))).toEqual([['192.0.2.3', 86400]]);
    expect(c.get('long.example.com', 'A', 86400 * S)).toBeUndefined();
  });

  test('TTL 0 data is not cached (RFC 1035 §3.2.1); a TTL with the top bit set counts as 0 (RFC 2181 §8)', () => {
    const c = new DnsCache();
    expect(c.putRRset([a('zero.example.com', '192.0.2.1', 0)], 0)).toBe(false);
    expect(c.putRRset([a('neg.example.com', '192.0.2.1', 2 ** 31)], 0)).toBe(false);
    expect(c.size).toBe(0);
  });

  test('glue does not replace a live authoritative answer, but does once it expired (RFC 2181 §5.4.1)', () => {
    const c = new DnsCache();
    c.putRRset([a('ns.example.com', '192.0.2.1', 100)], 0, TRUST.authoritative);
    expect(c.putRRset([a('ns.example.com', '203.0.113.66', 1000)], S, TRUST.glue)).toBe(false);
    expect(view(c.get('ns.example.com', 'A', 2 * S))).toEqual([['192.0.2.1', 98]]);
    expect(c.putRRset([a('ns.example.com', '203.0.113.66', 1000)], 100 * S, TRUST.glue)).toBe(true);
    expect(c.putRRset([a('ns.example.com', '192.0.2.9', 1000)], 101 * S, TRUST.authoritative)).toBe(true);
  });

  test('records handed out are copies: changing them does not change the cache', () => {
    const c = new DnsCache();
    const rec = a('x.example.com', '192.0.2.1');
    c.putRRset([rec], 0);
    rec.data = '203.0.113.1';
    const hit = c.get('x.example.com', 'A', 0);
    if (hit?.kind === 'rrset') Object.assign(hit.records[0]!, { ttl: 1 });
    expect(view(c.get('x.example.com', 'A', 0))).toEqual([['192.0.2.1', 300]]);
  });
});

describe('negative entries (RFC 2308 §5)', () => {
  test('NXDOMAIN is cached for min(SOA TTL, MINIMUM) and answers every type at the name', () => {
    const c = new DnsCache();
    c.putNegative('gone.example.com', 'A', 'nxdomain', soa(3600, 300), 0);
    const hit = c.get('gone.example.com', 'MX', 100 * S);
    expect(hit?.kind).toBe('nxdomain');
    expect(hit?.kind === 'nxdomain' && hit.soa.ttl).toBe(200); // the SOA's TTL counts down too
    expect(c.get('gone.example.com', 'A', 300 * S)).toBeUndefined();
  });

  test('the SOA TTL bounds it when smaller than MINIMUM', () => {
    const c = new DnsCache();
    c.putNegative('gone.example.com', 'A', 'nxdomain', soa(60, 86400), 0);
    expect(c.get('gone.example.com', 'A', 59 * S)?.kind).toBe('nxdomain');
    expect(c.get('gone.example.com', 'A', 60 * S)).toBeUndefined();
  });

  test('NODATA covers only its type; maxNegativeTtl caps the duration', () => {
    const c = new DnsCache({ maxNegativeTtl: 900 });
    c.putNegative('www.example.com', 'MX', 'nodata', soa(86400, 86400), 0);
    expect(c.get('www.example.com', 'MX', 0)?.kind).toBe('nodata');
    expect(c.get('www.example.com', 'A', 0)).toBeUndefined();
    expect(c.get('www.example.com', 'MX', 899 * S)?.kind).toBe('nodata');
    expect(c.get('www.example.com', 'MX', 900 * S)).toBeUndefined();
  });

  test('new positive data for a name clears its cached NXDOMAIN', () => {
    const c = new DnsCache();
    c.putNegative('new.example.com', 'A', 'nxdomain', soa(3600, 3600), 0);
    c.putRRset([a('new.example.com', '192.0.2.1')], S);
    expect(c.get('new.example.com', 'A', 2 * S)?.kind).toBe('rrset');
  });
});

describe('CNAME chains', () => {
  test('lookup follows cached CNAMEs to the answer and returns the chain with remaining TTLs', () => {
    const c = new DnsCache();
    c.putRRset([{ name: 'alias.example.com', type: 'CNAME', ttl: 60, data: 'www.example.net' }], 0);
    c.putRRset([a('www.example.net', '198.51.100.1')], 0);
    const r = c.lookup('alias.example.com', 'A', 10 * S);
    expect(r.chain.map((x) => [x.name, ttlOf(x)])).toEqual([['alias.example.com', 50]]);
    expect(r.name).toBe('www.example.net');
    expect(r.hit?.kind).toBe('rrset');
  });

  test('a chain whose end is not cached reports where it stopped, as a miss', () => {
    const c = new DnsCache();
    c.putRRset([{ name: 'alias.example.com', type: 'CNAME', ttl: 60, data: 'elsewhere.example.org' }], 0);
    const r = c.lookup('alias.example.com', 'A', 0);
    expect([r.chain.length, r.name, r.hit]).toEqual([1, 'elsewhere.example.org', undefined]);
    expect(c.stats.misses).toBe(1);
  });

  test('a cached CNAME loop ends instead of spinning', () => {
    const c = new DnsCache();
    c.putRRset([{ name: 'l1.example.com', type: 'CNAME', ttl: 60, data: 'l2.example.com' }], 0);
    c.putRRset([{ name: 'l2.example.com', type: 'CNAME', ttl: 60, data: 'l1.example.com' }], 0);
    expect(c.lookup('l1.example.com', 'A', 0).chain.length).toBe(16);
  });
});

describe('eviction', () => {
  test('beyond maxEntries the least recently used entry goes; a hit makes an entry recent', () => {
    const c = new DnsCache({ maxEntries: 3 });
    for (const n of ['a', 'b', 'c']) c.putRRset([a(`${n}.example.com`, '192.0.2.1')], 0);
    c.get('a.example.com', 'A', 0);
    c.putRRset([a('d.example.com', '192.0.2.1')], 0);
    expect(['a', 'b', 'c', 'd'].map((n) => c.get(`${n}.example.com`, 'A', 0) !== undefined)).toEqual([true, false, true, true]);
    expect(c.stats.evictions).toBe(1);
  });

  test('purgeExpired removes exactly the expired entries', () => {
    const c = new DnsCache();
    c.putRRset([a('short.example.com', '192.0.2.1', 10)], 0);
    c.putRRset([a('long.example.com', '192.0.2.1', 1000)], 0);
    expect(c.purgeExpired(10 * S)).toBe(1);
    expect(c.size).toBe(1);
    expect(c.stats.expirations).toBe(1);
  });

  test.prop([fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 40 })), { maxLength: 200 }), fc.integer({ min: 1, max: 8 })], {
    numRuns: 200,
  })('matches a naive LRU-with-TTL model: same hits, same evictions, size within the bound', (ops, max) => {
    const c = new DnsCache({ maxEntries: max });
    const order: string[] = []; // least recently used first
    const expiry = new Map<string, number>();
    let evictions = 0;
    ops.forEach(([isPut, n, ttl], i) => {
      const key = `h${n}.example.com`;
      const now = i * S;
      if (isPut) {
        c.putRRset([a(key, '192.0.2.1', ttl)], now);
        if (order.includes(key)) order.splice(order.indexOf(key), 1);
        order.push(key);
        expiry.set(key, now + ttl * S);
        while (order.length > max) {
          expiry.delete(order.shift()!);
          evictions++;
        }
      } else {
        const live = expiry.has(key) && expiry.get(key)! > now;
        if (order.includes(key)) order.splice(order.indexOf(key), 1);
        if (live) order.push(key);
        else expiry.delete(key);
        expect(c.get(key, 'A', now) !== undefined).toBe(live);
      }
      expect(c.size).toBe(order.length);
    });
    expect(c.stats.evictions).toBe(evictions);
  });
});
