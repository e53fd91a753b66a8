/** answerAuthoritative: RFC 1034 §4.3.2 over loaded zones, negative answers per RFC 2308, header errors. */

import { describe, expect, test } from 'vitest';
import { AUTHORITATIVE_ANSWER, RECURSION_DESIRED, decode } from 'dns-packet';
import type { Packet } from 'dns-packet';
import { answerAuthoritative } from '../../../stack/dns/authority.js';
import { RCODE, findOpt, hasFlag, rcodeOf } from '../../../stack/dns/message.js';
import { encodeForUdp } from '../../../stack/dns/truncate.js';
import { buildZone } from '../../../stack/dns/zone.js';
import { EXAMPLE_COM_DATA, EXAMPLE_NET_DATA, SUB_DATA, query, rrs, wire } from './fixtures.js';

const exampleCom = buildZone(EXAMPLE_COM_DATA);
const exampleNet = buildZone(EXAMPLE_NET_DATA);
const zones = [exampleCom, exampleNet];

/** Asks `zones` through the wire codec both ways, as a server process will. */
function ask(q: Packet, serverZones = zones): Packet {
  return wire(answerAuthoritative(serverZones, wire(q)));
}

/** A negative answer per RFC 2308 §2: the RCODE, no answer records, and example.com's SOA in authority. */
function expectNegative(r: Packet, rcode: number): void {
  expect(rcodeOf(r)).toBe(rcode);
  expect(r.answers).toEqual([]);
  expect(rrs(r.authorities)).toEqual([expect.stringMatching(/^example\.com SOA /)]);
}

describe('positive answers (RFC 1034 §4.3.2 step 3a)', () => {
  test('an exact match is answered with the whole RRset and AA set', () => {
    const r = ask(query('www.example.com', 'A'));
    expect(rcodeOf(r)).toBe(RCODE.NOERROR);
    expect(hasFlag(r, AUTHORITATIVE_ANSWER)).toBe(true);
    expect(rrs(r.answers)).toEqual(['www.example.com A 192.0.2.80', 'www.example.com A 192.0.2.81']);
    expect(r.answers?.[0]?.type === 'A' && r.answers[0].ttl).toBe(3600);
    expect(r.authorities).toEqual([]);
  });

  test('ID, OPCODE and RD are copied and the question echoed (RFC 1035 §4.1.1); RA stays clear', () => {
    const q = { ...query('WWW.Example.COM', 'AAAA', 0xbeef), flags: RECURSION_DESIRED };
    const r = ask(q);
    expect(r.id).toBe(0xbeef);
    expect(r.type).toBe('response');
    expect(r.questions).toEqual([{ name: 'WWW.Example.COM', type: 'AAAA', class: 'IN' }]);
    expect((r as { flag_rd: boolean }).flag_rd).toBe(true);
    expect((r as { flag_ra: boolean }).flag_ra).toBe(false);
    expect(rrs(r.answers)).toEqual(['www.example.com AAAA 2001:db8::80']);
  });

  test('MX and SRV targets get their addresses in the additional section (RFC 1035 §3.3.9, RFC 2782)', () => {
    expect(rrs(ask(query('example.com', 'MX')).additionals)).toEqual(['mail.example.com A 192.0.2.25']);
    const srv = ask(query('_sip._udp.example.com', 'SRV'));
    expect(rrs(srv.answers)).toEqual(['_sip._udp.example.com SRV {"priority":1,"weight":5,"port":5060,"target":"sip.example.com"}']);
    expect(rrs(srv.additionals)).toEqual(['sip.example.com A 192.0.2.60']);
  });

  test('QTYPE * (ANY) returns every RRset at the name (RFC 1034 §4.3.2 step 3a "if QTYPE is *")', () => {
    const r = ask({ type: 'query', id: 1, questions: [{ name: 'www.example.com', type: 'ANY' as never }] });
    expect(rrs(r.answers)).toEqual(['www.example.com A 192.0.2.80', 'www.example.com A 192.0.2.81', 'www.example.com AAAA 2001:db8::80']);
  });

  test('TXT keeps its character-strings, and answering does not alter the zone', () => {
    const before = JSON.stringify(exampleCom.records);
    const r = ask(query('txt.example.com', 'TXT'));
    expect(rrs(r.answers)).toEqual(['txt.example.com TXT ["v=spf1 -all","second string"]']);
    encodeForUdp(answerAuthoritative(zones, query('txt.example.com', 'TXT')));
    expect(JSON.stringify(exampleCom.records)).toBe(before);
  });
});

describe('CNAME (RFC 1034 §4.3.2 step 3a, §3.6.2)', () => {
  test('a chain inside the zone is followed and the whole chain is in the answer', () => {
    const r = ask(query('alias.example.com', 'A'));
    expect(hasFlag(r, AUTHORITATIVE_ANSWER)).toBe(true);
    expect(rrs(r.answers)).toEqual([
      'alias.example.com CNAME alias2.example.com',
      'alias2.example.com CNAME www.example.com',
      'www.example.com A 192.0.2.80',
      'www.example.com A 192.0.2.81',
    ]);
  });

  test('the chain continues into another zone the same server holds', () => {
    const r = ask(query('back.example.net', 'A'));
    expect(rrs(r.answers)).toEqual(['back.example.net CNAME www.example.com', 'www.example.com A 192.0.2.80', 'www.example.com A 192.0.2.81']);
  });

  test('a target outside the server\'s zones ends the answer at the CNAME, NOERROR', () => {
    const r = ask(query('outside.example.com', 'A'), [exampleCom]);
    expect(rcodeOf(r)).toBe(RCODE.NOERROR);
    expect(rrs(r.answers)).toEqual(['outside.example.com CNAME host.example.net']);
  });

  test('a dangling target gives NXDOMAIN with the CNAME kept (RFC 6604 §3: RCODE is about the last name)', () => {
    const r = ask(query('dangling.example.com', 'A'));
    expect(rcodeOf(r)).toBe(RCODE.NXDOMAIN);
    expect(rrs(r.answers)).toEqual(['dangling.example.com CNAME missing.example.com']);
    expect(rrs(r.authorities)).toEqual([expect.stringMatching(/^example\.com SOA /)]);
  });

  test('a loop stops after each name once instead of running forever', () => {
    const r = ask(query('loop1.example.com', 'A'));
    expect(rrs(r.answers)).toEqual(['loop1.example.com CNAME loop2.example.com', 'loop2.example.com CNAME loop1.example.com']);
  });

  test('QTYPE CNAME returns the CNAME itself without following it', () => {
    expect(rrs(ask(query('alias.example.com', 'CNAME')).answers)).toEqual(['alias.example.com CNAME alias2.example.com']);
  });

  test('a CNAME into a delegated subzone ends in a referral, AA still set for the CNAME', () => {
    const r = ask(query('into-sub.example.com', 'A'));
    expect(hasFlag(r, AUTHORITATIVE_ANSWER)).toBe(true);
    expect(rrs(r.answers)).toEqual(['into-sub.example.com CNAME host.sub.example.com']);
    expect(rrs(r.authorities)).toEqual(['sub.example.com NS ns.sub.example.com', 'sub.example.com NS ns.example.net']);
  });
});

describe('negative answers (RFC 2308)', () => {
  test('NXDOMAIN: name does not exist, AA, SOA in authority with TTL min(SOA TTL, MINIMUM) (§2.1, §3)', () => {
    const r = ask(query('nope.example.com', 'A'));
    expect(rcodeOf(r)).toBe(RCODE.NXDOMAIN);
    expect(hasFlag(r, AUTHORITATIVE_ANSWER)).toBe(true);
    expect(r.answers).toEqual([]);
    const soa = r.authorities?.[0];
    expect(soa?.type).toBe('SOA');
    expect(soa?.name).toBe('example.com');
    expect(soa?.type === 'SOA' && soa.ttl).toBe(300); // SOA TTL 3600, MINIMUM 300
  });

  test('NODATA: name exists without the type → NOERROR, empty answer, SOA in authority (§2.2)', () => {
    expectNegative(ask(query('www.example.com', 'MX')), RCODE.NOERROR);
  });

  test('an empty non-terminal exists, so it is NODATA, not NXDOMAIN (RFC 8020 §2)', () => {
    expectNegative(ask(query('b.deep.example.com', 'A')), RCODE.NOERROR);
    expectNegative(ask(query('c.deep.example.com', 'A')), RCODE.NXDOMAIN);
  });
});

describe('wildcards (RFC 1034 §4.3.3, RFC 4592)', () => {
  test('a missing name under *.wild is synthesised with the query name as owner', () => {
    const r = ask(query('anything.wild.example.com', 'A'));
    expect(hasFlag(r, AUTHORITATIVE_ANSWER)).toBe(true);
    expect(rrs(r.answers)).toEqual(['anything.wild.example.com A 192.0.2.99']);
  });

  test('the wildcard only covers the next label down from its closest encloser (RFC 4592 §3.3.1)', () => {
    // x.y.wild: closest encloser wild.example.com, source *.wild.example.com — still matches.
    expect(rrs(ask(query('x.y.wild.example.com', 'A')).answers)).toEqual(['x.y.wild.example.com A 192.0.2.99']);
    // Under a.b.deep the closest encloser is a.b.deep, which has no wildcard child.
    expect(rcodeOf(ask(query('z.a.b.deep.example.com', 'A')))).toBe(RCODE.NXDOMAIN);
  });

  test('an existing name is never wildcard-matched, even for a type it lacks (RFC 4592 §2.2.1)', () => {
    expectNegative(ask(query('host.wild.example.com', 'A')), RCODE.NOERROR);
  });

  test('a wildcard without the type gives NODATA for the synthesised name', () => {
    expectNegative(ask(query('other.wild.example.com', 'MX')), RCODE.NOERROR);
  });
});

describe('referrals (RFC 1034 §4.3.2 step 3b)', () => {
  test('a name below a zone cut gets the NS RRset in authority, in-zone glue in additional, AA clear', () => {
    const r = ask(query('host.sub.example.com', 'A'));
    expect(rcodeOf(r)).toBe(RCODE.NOERROR);
    expect(hasFlag(r, AUTHORITATIVE_ANSWER)).toBe(false);
    expect(r.answers).toEqual([]);
    expect(rrs(r.authorities)).toEqual(['sub.example.com NS ns.sub.example.com', 'sub.example.com NS ns.example.net']);
    // ns.example.net's address is authoritative data of example.net here, so it is added too.
    expect(rrs(r.additionals)).toEqual(['ns.sub.example.com A 192.0.2.54', 'ns.example.net A 198.51.100.53']);
  });

  test('the delegation point itself, even for NS, is a referral from the parent', () => {
    const r = ask(query('sub.example.com', 'NS'), [exampleCom]);
    expect(hasFlag(r, AUTHORITATIVE_ANSWER)).toBe(false);
    expect(r.answers).toEqual([]);
    expect(rrs(r.additionals)).toEqual(['ns.sub.example.com A 192.0.2.54']);
  });

  test('a server holding parent and child answers from the child, the nearest zone (§4.3.2 step 2)', () => {
    const r = ask(query('host.sub.example.com', 'A'), [exampleCom, buildZone(SUB_DATA)]);
    expect(hasFlag(r, AUTHORITATIVE_ANSWER)).toBe(true);
    expect(rrs(r.answers)).toEqual(['host.sub.example.com A 192.0.2.200']);
  });
});

describe('header-level errors', () => {
  test('a name in no loaded zone is REFUSED (BIND, authoritative-only)', () => {
    const r = ask(query('www.example.org', 'A'));
    expect(rcodeOf(r)).toBe(RCODE.REFUSED);
    expect(r.answers).toEqual([]);
    expect(hasFlag(r, AUTHORITATIVE_ANSWER)).toBe(false);
  });

  test('an OPCODE other than QUERY gets NOTIMP (RFC 1035 §4.1.1)', () => {
    const status = { ...query('www.example.com', 'A'), flags: 2 << 11 }; // OPCODE 2, STATUS
    const r = ask(status);
    expect(rcodeOf(r)).toBe(RCODE.NOTIMP);
    expect((r.flags ?? 0) >> 11).toBe(2);
  });

  test('no question, or two, is FORMERR', () => {
    expect(rcodeOf(ask({ type: 'query', id: 1, questions: [] }))).toBe(RCODE.FORMERR);
    const two = { type: 'query' as const, id: 1, questions: [{ name: 'a.example.com', type: 'A' as const }, { name: 'b.example.com', type: 'A' as const }] };
    expect(rcodeOf(ask(two))).toBe(RCODE.FORMERR);
  });

  test('a non-IN class is REFUSED: no zone of that class is loaded', () => {
    expect(rcodeOf(ask({ type: 'query', id: 1, questions: [{ name: 'www.example.com', type: 'A', class: 'CH' }] }))).toBe(RCODE.REFUSED);
  });
});

describe('EDNS0 (RFC 6891)', () => {
  const opt = (version = 0) => ({ name: '.', type: 'OPT' as const, udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: version, flags: 0, flag_do: false, options: [] });

  test('a query with OPT gets an OPT back advertising the server\'s payload size (§7)', () => {
    const r = ask({ ...query('www.example.com', 'A'), additionals: [opt()] });
    expect(findOpt(r)?.udpPayloadSize).toBe(1232);
    expect(findOpt(ask(query('www.example.com', 'A')))).toBeUndefined();
  });

  test('EDNS version 1 gets BADVERS (extended RCODE 16) (§6.1.3)', () => {
    const r = ask({ ...query('www.example.com', 'A'), additionals: [opt(1)] });
    expect(rcodeOf(r)).toBe(RCODE.BADVERS);
    expect(findOpt(r)?.ednsVersion).toBe(0);
  });

  test('two OPT records are FORMERR (§6.1.1)', () => {
    expect(rcodeOf(ask({ ...query('www.example.com', 'A'), additionals: [opt(), opt()] }))).toBe(RCODE.FORMERR);
  });

  test('responses round-trip through the wire codec byte for byte', () => {
    const response = answerAuthoritative(zones, query('alias.example.com', 'A'));
    const bytes = encodeForUdp(response);
    expect(Buffer.from(encodeForUdp(decode(Buffer.from(bytes))))).toEqual(Buffer.from(bytes));
  });
});
