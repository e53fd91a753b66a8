/** buildZone: master-file name rules (RFC 1035 §5.1), record data validation, and per-name rules. */

import { describe, expect, test } from 'vitest';
import { buildZone, ZoneDataError } from '../../../stack/dns/zone.js';
import type { ZoneData } from '../../../stack/dns/zone.js';
import { EXAMPLE_COM_DATA } from './fixtures.js';

/** The error path buildZone reports for `data`, or 'ok'. */
function pathOf(data: unknown): string {
  try {
    buildZone(data as ZoneData);
    return 'ok';
  } catch (e) {
    if (e instanceof ZoneDataError) return e.path;
    throw e;
  }
}

const zone = (records: unknown[], extra: object = {}) => ({ origin: 'example.com.', records, ...extra });

describe('names (RFC 1035 §5.1)', () => {
  test('"@" is the origin, relative names get the origin appended, absolute names end in "."', () => {
    const z = buildZone(zone([
      { name: '@', type: 'MX', data: { preference: 1, exchange: 'mail' } },
      { name: 'Www', type: 'CNAME', data: 'host.example.net.' },
      { name: 'abs.example.com.', type: 'A', data: '192.0.2.1' },
    ]) as ZoneData);
    expect(z.origin).toBe('example.com');
    expect(z.records.map((r) => `${r.name} ${r.type}`)).toEqual(['example.com SOA', 'example.com MX', 'www.example.com CNAME', 'abs.example.com A']);
    expect(z.records[1]?.type === 'MX' && z.records[1].data.exchange).toBe('mail.example.com');
    expect(z.records[2]?.data).toBe('host.example.net');
  });

  test('the root zone works with origin "."', () => {
    const z = buildZone({ origin: '.', records: [{ name: 'com.', type: 'NS', data: 'a.gtld-servers.net.' }] });
    expect(z.origin).toBe('.');
    expect(z.soa.name).toBe('.');
    expect([...z.nodes.keys()]).toEqual(['.', 'com']);
  });

  test('without "soa" a default SOA with RIPE-203 timers is made; the default TTL is 3600', () => {
    const z = buildZone(zone([]) as ZoneData);
    expect(z.soa.data).toEqual({ mname: 'ns.example.com', rname: 'hostmaster.example.com', serial: 1, refresh: 86400, retry: 7200, expire: 3600000, minimum: 3600 });
    expect(z.soa.ttl).toBe(3600);
  });

  test('an SOA may come as a record at the apex instead', () => {
    const z = buildZone(zone([{ name: '@', type: 'SOA', ttl: 60, data: { mname: 'ns1', rname: 'admin', minimum: 30 } }]) as ZoneData);
    expect(z.soa.ttl).toBe(60);
    expect(z.soa.data.mname).toBe('ns1.example.com');
    expect(z.records.filter((r) => r.type === 'SOA')).toHaveLength(1);
  });

  test('empty non-terminals between owners and the apex exist as nodes (RFC 8020 §2)', () => {
    const z = buildZone(EXAMPLE_COM_DATA);
    expect(z.nodes.get('deep.example.com')?.rrsets.size).toBe(0);
    expect(z.nodes.get('b.deep.example.com')?.rrsets.size).toBe(0);
    expect(z.nodes.get('a.b.deep.example.com')?.rrsets.get('A')).toHaveLength(1);
  });

  test('duplicate records collapse: an RRset is a set (RFC 2181 §5)', () => {
    const z = buildZone(zone([{ name: 'a', type: 'A', data: '192.0.2.1' }, { name: 'a', type: 'A', data: '192.0.2.1' }]) as ZoneData);
    expect(z.nodes.get('a.example.com')?.rrsets.get('A')).toHaveLength(1);
  });

  test('addresses are stored in inet_ntop(3) form', () => {
    const z = buildZone(zone([{ name: 'a', type: 'AAAA', data: '2001:DB8:0:0:0:0:0:1' }]) as ZoneData);
    expect(z.nodes.get('a.example.com')?.rrsets.get('AAAA')?.[0]?.data).toBe('2001:db8::1');
  });
});

describe('validation names the bad field', () => {
  test.each([
    ['origin missing', { records: [] }, 'origin'],
    ['records not an array', { origin: 'example.com.', records: {} }, 'records'],
    ['ttl negative', zone([], { ttl: -1 }), 'ttl'],
    ['ttl above 2^31-1 (RFC 2181 §8)', zone([{ name: 'a', type: 'A', ttl: 2 ** 31, data: '192.0.2.1' }]), 'records[0].ttl'],
    ['A without data', zone([{ name: 'a', type: 'A' }]), 'records[0].data'],
    ['unsupported type', zone([{ name: 'a', type: 'HINFO', data: 'x' }]), 'records[0].type'],
    ['bad IPv4', zone([{ name: 'a', type: 'A', data: '192.0.2.1' }, { name: 'b', type: 'A', data: '10.1' }]), 'records[1].data'],
    ['IPv6 in an A record', zone([{ name: 'a', type: 'A', data: '::1' }]), 'records[0].data'],
    ['bad IPv6', zone([{ name: 'a', type: 'AAAA', data: '1:::2' }]), 'records[0].data'],
    ['owner outside the zone', zone([{ name: 'www.example.org.', type: 'A', data: '192.0.2.1' }]), 'records[0].name'],
    ['label over 63 octets (RFC 1035 §2.3.4)', zone([{ name: 'x'.repeat(64), type: 'A', data: '192.0.2.1' }]), 'records[0].name'],
    ['empty label', zone([{ name: 'a..b', type: 'A', data: '192.0.2.1' }]), 'records[0].name'],
    ['name over 255 octets', zone([{ name: Array(5).fill('y'.repeat(60)).join('.'), type: 'A', data: '192.0.2.1' }]), 'records[0].name'],
    ['MX without exchange', zone([{ name: '@', type: 'MX', data: { preference: 10 } }]), 'records[0].data.exchange'],
    ['MX preference above 65535', zone([{ name: '@', type: 'MX', data: { preference: 65536, exchange: 'm' } }]), 'records[0].data.preference'],
    ['SRV port not an integer', zone([{ name: '_x._tcp', type: 'SRV', data: { priority: 0, weight: 0, port: 1.5, target: 't' } }]), 'records[0].data.port'],
    ['TXT string over 255 octets (RFC 1035 §3.3.14)', zone([{ name: 't', type: 'TXT', data: ['ok', 'z'.repeat(256)] }]), 'records[0].data[1]'],
    ['TXT empty array', zone([{ name: 't', type: 'TXT', data: [] }]), 'records[0].data'],
    ['SOA away from the apex', zone([{ name: 'sub', type: 'SOA', data: { mname: 'a', rname: 'b' } }]), 'records[0].name'],
    ['SOA both ways', zone([{ name: '@', type: 'SOA', data: { mname: 'a', rname: 'b' } }], { soa: { mname: 'a', rname: 'b' } }), 'records[0]'],
    ['soa.minimum not a number', zone([], { soa: { mname: 'a', rname: 'b', minimum: '300' } }), 'soa.minimum'],
    ['CNAME beside other data (RFC 1034 §3.6.2)', zone([{ name: 'a', type: 'A', data: '192.0.2.1' }, { name: 'a', type: 'CNAME', data: 'b' }]), 'records[1]'],
    ['other data beside a CNAME', zone([{ name: 'a', type: 'CNAME', data: 'b' }, { name: 'a', type: 'TXT', data: 'x' }]), 'records[1]'],
    ['two CNAMEs at one name (RFC 2181 §10.1)', zone([{ name: 'a', type: 'CNAME', data: 'b' }, { name: 'a', type: 'CNAME', data: 'c' }]), 'records[1]'],
    ['TTLs differing inside an RRset (RFC 2181 §5.2)', zone([{ name: 'a', type: 'A', ttl: 60, data: '192.0.2.1' }, { name: 'a', type: 'A', ttl: 61, data: '192.0.2.2' }]), 'records[1].ttl'],
    ['non-glue data below a delegation (RFC 1034 §4.2.1)', zone([{ name: 'sub', type: 'NS', data: 'ns.sub' }, { name: 'x.sub', type: 'TXT', data: 'hidden' }]), 'records[1]'],
    ['NS at a wildcard (RFC 4592 §4.2)', zone([{ name: '*', type: 'NS', data: 'ns' }]), 'records[0].type'],
    ['"*" not leftmost (RFC 4592 §2.1.1)', zone([{ name: 'a.*', type: 'A', data: '192.0.2.1' }]), 'records[0].name'],
  ])('%s', (_what, data, path) => {
    expect(pathOf(data)).toBe(path);
  });

  test('glue below a delegation is accepted, and the message names path and reason', () => {
    expect(pathOf(zone([{ name: 'sub', type: 'NS', data: 'ns.sub' }, { name: 'ns.sub', type: 'A', data: '192.0.2.9' }]))).toBe('ok');
    expect(() => buildZone(zone([{ name: 'b', type: 'A', data: 'nope' }]) as ZoneData)).toThrow('records[0].data: expected an IPv4 address');
  });

  test('the data is JSON-serialisable and builds the same zone after a JSON round trip', () => {
    const again = buildZone(JSON.parse(JSON.stringify(EXAMPLE_COM_DATA)) as ZoneData);
    expect(again.records).toEqual(buildZone(EXAMPLE_COM_DATA).records);
  });
});
