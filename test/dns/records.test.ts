/**
 * Every record type the authoritative servers serve (A, AAAA, CNAME, PTR, NS, SOA, MX, SRV, TXT; RFC 1035 §3.3,
 * RFC 3596, RFC 2782), fetched by a client's res_query(3) through the recursive resolver over simulated UDP.
 */
import { expect, test } from 'vitest';
import { decode } from 'dns-packet';
import { Sim } from '../../sim/sim.js';
import { buildDnsWorld } from '../../scenarios/dns-world.js';
import { Network } from '../../stack/network.js';
import { h_errno, HOST_NOT_FOUND, NO_DATA, res_query, res_search } from '../../stack/resolve/netdb.js';
import { resolverConfig } from '../../stack/resolve/resolver-config.js';

/** "owner TYPE data" lines of a reply's answer section (dns-packet's decoding of the bytes the client got). */
function answers(bytes: Uint8Array): string[] {
  return (decode(Buffer.from(bytes)).answers ?? []).map((r) => {
    const d = 'data' in r ? r.data : null;
    const text = Array.isArray(d) ? d.map((x) => Buffer.from(x as Uint8Array).toString()).join('|') : typeof d === 'object' && d !== null ? JSON.stringify(d) : String(d);
    return `${r.name} ${r.type} ${text}`;
  });
}

/** label, name, QTYPE, and whether to use res_search. */
const CASES: readonly (readonly [string, string, number, boolean])[] = [
  ['A', 'www.example.com', 1, false], ['AAAA', 'www.example.com', 28, false], ['CNAME', 'alias.example.com', 5, false],
  ['A via CNAME', 'alias.example.com', 1, false], ['PTR', '80.2.0.192.in-addr.arpa', 12, false], ['NS', 'example.com', 2, false],
  ['SOA', 'example.com', 6, false], ['MX', 'example.com', 15, false], ['SRV', '_sip._udp.example.com', 33, false],
  ['TXT', 'txtonly.example.com', 16, false], ['NXDOMAIN', 'nx.example.com', 1, false], ['NODATA', 'txtonly.example.com', 1, false],
  ['search', 'mail', 1, true],
];

test('res_query fetches each record type through the resolver; res_search applies the search list', async () => {
  const sim = new Sim({ seed: 5, maxTimeNs: 100e9 });
  const w = buildDnsWorld(new Network(sim), {});
  resolverConfig(w.clients[0]!).setResolvConf('nameserver 10.0.1.1\nsearch example.com\n');
  const got: Record<string, string[] | number> = {};
  w.clients[0]!.spawn('dig', async (sys) => {
    const q = async (label: string, name: string, type: number, search: boolean) => {
      const r = await (search ? res_search : res_query)(sys, name, type);
      got[label] = r.ret < 0 || r.answer === null ? -h_errno(sys) : answers(r.answer);
    };
    for (const [label, name, type, search] of CASES) await q(label, name, type, search);
    sim.stop();
  }, 1e9);
  await sim.run();
  expect(got).toEqual({
    A: ['www.example.com A 192.0.2.80', 'www.example.com A 192.0.2.81'],
    AAAA: ['www.example.com AAAA 2001:db8::80'],
    CNAME: ['alias.example.com CNAME www.example.com'],
    'A via CNAME': ['alias.example.com CNAME www.example.com', 'www.example.com A 192.0.2.80', 'www.example.com A 192.0.2.81'],
    PTR: ['80.2.0.192.in-addr.arpa PTR www.example.com'],
    NS: ['example.com NS ns1.example.com'],
    SOA: ['example.com SOA {"mname":"ns1.example.com","rname":"hostmaster.example.com","serial":1,"refresh":86400,"retry":7200,"expire":3600000,"minimum":300}'],
    MX: ['example.com MX {"preference":10,"exchange":"mail.example.com"}'],
    SRV: ['_sip._udp.example.com SRV {"priority":1,"weight":5,"port":5060,"target":"mail.example.com"}'],
    TXT: ['txtonly.example.com TXT no address here'],
    // res_query's failures: h_errno HOST_NOT_FOUND for NXDOMAIN, NO_DATA for a name without that type.
    NXDOMAIN: -HOST_NOT_FOUND,
    NODATA: -NO_DATA,
    search: ['mail.example.com A 192.0.2.25'],
  });
});
