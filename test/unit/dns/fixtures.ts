/** Shared zones and helpers for the DNS tests: a small three-level namespace (root → com./net. → example.*). */

import { decode, encode } from 'dns-packet';
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';
import { buildZone } from '../../../stack/dns/zone.js';
import type { Zone, ZoneData } from '../../../stack/dns/zone.js';

/** Root server address (a.root-servers.net's real IPv4 address, as in the named.root hints file). */
export const ROOT_ADDR = '198.41.0.4';
/** The com./net. server. */
export const GTLD_ADDR = '192.5.6.30';
/** The example.com server. */
export const EXAMPLE_COM_ADDR = '192.0.2.53';
/** The example.net server. */
export const EXAMPLE_NET_ADDR = '198.51.100.53';
/** The sub.example.com server (a delegation inside example.com). */
export const SUB_ADDR = '192.0.2.54';

const soa = (origin: string) => ({ mname: `ns.${origin}`, rname: `hostmaster.${origin}`, minimum: 300, ttl: 3600 });

/** The root zone: delegates com. and net. to one gTLD server with glue. */
export const ROOT_DATA: ZoneData = {
  origin: '.',
  ttl: 518400,
  soa: { mname: 'a.root-servers.net.', rname: 'nstld.verisign-grs.com.', minimum: 86400, ttl: 86400 },
  records: [
    { name: '@', type: 'NS', data: 'a.root-servers.net.' },
    { name: 'a.root-servers.net.', type: 'A', data: ROOT_ADDR },
    { name: 'com.', type: 'NS', data: 'a.gtld-servers.net.', ttl: 172800 },
    { name: 'net.', type: 'NS', data: 'a.gtld-servers.net.', ttl: 172800 },
    { name: 'a.gtld-servers.net.', type: 'A', data: GTLD_ADDR, ttl: 172800 },
  ],
};

/** com.: example.com with in-domain glue, glueless.com served by a name in example.net. */
export const COM_DATA: ZoneData = {
  origin: 'com.',
  ttl: 172800,
  soa: soa('com.'),
  records: [
    { name: '@', type: 'NS', data: 'a.gtld-servers.net.' },
    { name: 'example', type: 'NS', data: 'ns1.example.com.' },
    { name: 'ns1.example', type: 'A', data: EXAMPLE_COM_ADDR },
    { name: 'glueless', type: 'NS', data: 'ns.example.net.' },
  ],
};

/** net.: example.net with glue. */
export const NET_DATA: ZoneData = {
  origin: 'net.',
  ttl: 172800,
  soa: soa('net.'),
  records: [
    { name: '@', type: 'NS', data: 'a.gtld-servers.net.' },
    { name: 'example', type: 'NS', data: 'ns.example.net.' },
    { name: 'ns.example', type: 'A', data: EXAMPLE_NET_ADDR },
  ],
};

/** example.com: the zone most authority tests query. */
export const EXAMPLE_COM_DATA: ZoneData = {
  origin: 'example.com.',
  ttl: 3600,
  soa: { ...soa('example.com.'), minimum: 300, ttl: 3600 },
  records: [
    { name: '@', type: 'NS', data: 'ns1' },
    { name: 'ns1', type: 'A', data: EXAMPLE_COM_ADDR },
    { name: 'www', type: 'A', data: '192.0.2.80' },
    { name: 'www', type: 'A', data: '192.0.2.81' },
    { name: 'www', type: 'AAAA', data: '2001:db8::80' },
    { name: 'alias', type: 'CNAME', data: 'alias2' },
    { name: 'alias2', type: 'CNAME', data: 'www' },
    { name: 'outside', type: 'CNAME', data: 'host.example.net.' },
    { name: 'dangling', type: 'CNAME', data: 'missing' },
    { name: 'loop1', type: 'CNAME', data: 'loop2' },
    { name: 'loop2', type: 'CNAME', data: 'loop1' },
    { name: '@', type: 'MX', data: { preference: 10, exchange: 'mail' } },
    { name: 'mail', type: 'A', data: '192.0.2.25' },
    { name: '_sip._udp', type: 'SRV', data: { priority: 1, weight: 5, port: 5060, target: 'sip' } },
    { name: 'sip', type: 'A', data: '192.0.2.60' },
    { name: 'txt', type: 'TXT', data: ['v=spf1 -all', 'second string'] },
    { name: '*.wild', type: 'A', data: '192.0.2.99' },
    { name: '*.wild', type: 'TXT', data: 'wildcard text' },
    { name: 'host.wild', type: 'MX', data: { preference: 5, exchange: 'mail' } },
    { name: 'a.b.deep', type: 'A', data: '192.0.2.7' },
    { name: 'sub', type: 'NS', data: 'ns.sub' },
    { name: 'sub', type: 'NS', data: 'ns.example.net.' },
    { name: 'ns.sub', type: 'A', data: SUB_ADDR },
    { name: 'into-sub', type: 'CNAME', data: 'host.sub' },
  ],
};

/** example.net: targets for cross-zone CNAMEs, and a CNAME back into example.com. */
export const EXAMPLE_NET_DATA: ZoneData = {
  origin: 'example.net.',
  ttl: 3600,
  soa: soa('example.net.'),
  records: [
    { name: '@', type: 'NS', data: 'ns' },
    { name: 'ns', type: 'A', data: EXAMPLE_NET_ADDR },
    { name: 'host', type: 'A', data: '198.51.100.10' },
    { name: 'back', type: 'CNAME', data: 'www.example.com.' },
    { name: 'loop', type: 'CNAME', data: 'loop.glueless.com.' },
  ],
};

/** glueless.com (served by ns.example.net) and sub.example.com (served by ns.sub.example.com). */
export const GLUELESS_DATA: ZoneData = {
  origin: 'glueless.com.',
  soa: soa('glueless.com.'),
  records: [
    { name: '@', type: 'NS', data: 'ns.example.net.' },
    { name: 'www', type: 'A', data: '203.0.113.1' },
    { name: 'loop', type: 'CNAME', data: 'loop.example.net.' },
  ],
};

/** sub.example.com, delegated from example.com. */
export const SUB_DATA: ZoneData = {
  origin: 'sub.example.com.',
  soa: soa('sub.example.com.'),
  records: [
    { name: '@', type: 'NS', data: 'ns' },
    { name: 'ns', type: 'A', data: SUB_ADDR },
    { name: 'host', type: 'A', data: '192.0.2.200' },
  ],
};

/** Which zones each server address serves. */
export function servers(): Map<string, Zone[]> {
  return new Map([
    [ROOT_ADDR, [buildZone(ROOT_DATA)]],
    [GTLD_ADDR, [buildZone(COM_DATA), buildZone(NET_DATA)]],
    [EXAMPLE_COM_ADDR, [buildZone(EXAMPLE_COM_DATA)]],
    [EXAMPLE_NET_ADDR, [buildZone(EXAMPLE_NET_DATA), buildZone(GLUELESS_DATA)]],
    [SUB_ADDR, [buildZone(SUB_DATA)]],
  ]);
}

/** A standard query packet. */
export function query(name: string, type: Question['type'], id = 0x1234): Packet {
  return { type: 'query', id, flags: 0, questions: [{ name, type, class: 'IN' }] };
}

/** Round-trips a message through dns-packet's wire codec, as a real network would. */
export function wire(packet: Packet): DecodedPacket {
  return decode(encode(packet));
}

/** "name TYPE data" strings for a section, for compact assertions. */
export function rrs(records: readonly Answer[] | undefined): string[] {
  return (records ?? []).map((r) => {
    const data = 'data' in r ? r.data : undefined;
    const text = typeof data === 'string' ? data : JSON.stringify(data, (_k, v: unknown) => (isBufferJson(v) ? Buffer.from(v.data).toString() : v));
    return `${r.name} ${r.type} ${text}`;
  });
}

function isBufferJson(v: unknown): v is { type: 'Buffer'; data: number[] } {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'Buffer';
}
