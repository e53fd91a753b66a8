/** IterativeResolver driven against answerAuthoritative fake servers (RFC 1034 §5.3.3, RFC 2308, RFC 2181 §5.4.1). */

import { describe, expect, test } from 'vitest';
import { RECURSION_AVAILABLE, decode } from 'dns-packet';
import type { Packet, Question } from 'dns-packet';
import { answerAuthoritative } from '../../../stack/dns/authority.js';
import { DnsCache } from '../../../stack/dns/cache.js';
import { IterativeResolver } from '../../../stack/dns/iterative.js';
import type { IterativeOptions, IterativeStep, RootHint } from '../../../stack/dns/iterative.js';
import { RCODE, hasFlag, rcodeOf } from '../../../stack/dns/message.js';
import { TcpFramer, encodeForTcp, encodeForUdp } from '../../../stack/dns/truncate.js';
import { buildZone } from '../../../stack/dns/zone.js';
import type { Zone, ZoneData } from '../../../stack/dns/zone.js';
import { EXAMPLE_COM_ADDR, EXAMPLE_NET_ADDR, GTLD_ADDR, ROOT_ADDR, ROOT_DATA, rrs, servers } from './fixtures.js';

const S = 1_000_000_000;
const HINTS: RootHint[] = [{ name: 'a.root-servers.net.', addresses: [ROOT_ADDR] }];

/** What a simulated run did: the queries in order ("server name TYPE [tcp]") and how it ended. */
interface Run {
  readonly log: string[];
  readonly end: IterativeStep;
  readonly nowNs: number;
}

/**
 * Drives a resolver the way a server process will: each query goes through the wire codec to the
 * fake server at that address (answerAuthoritative), over UDP with truncation or over TCP framing;
 * addresses with no server time out after 2 s. Each response takes 10 ms of virtual time.
 */
function drive(resolver: IterativeResolver, world: Map<string, Zone[]>, startNs = 0, respond = defaultRespond): Run {
  const log: string[] = [];
  let now = startNs;
  for (let i = 0; i < 200; i++) {
    const step = resolver.nextStep(now);
    if (step.kind !== 'query') return { log, end: step, nowNs: now };
    log.push(`${step.server} ${step.question.name} ${step.question.type}${step.tcp ? ' tcp' : ''}`);
    const reply = respond(world, step.server, step.question, step.tcp);
    if (reply === undefined) {
      now += 2 * S;
      resolver.onTimeout(now);
    } else {
      now += 10_000_000;
      resolver.onResponse(reply, now);
    }
  }
  throw new Error('resolver did not finish in 200 steps');
}

/** The fake network: the server's answer, decoded from the bytes UDP or TCP would carry. */
function defaultRespond(world: Map<string, Zone[]>, server: string, question: Question, tcp: boolean): Packet | undefined {
  const zones = world.get(server);
  if (zones === undefined) return undefined;
  const queryBytes = encodeForUdp({ type: 'query', id: 99, flags: 0, questions: [question] });
  const response = answerAuthoritative(zones, decode(Buffer.from(queryBytes)));
  if (!tcp) return decode(Buffer.from(encodeForUdp(response)));
  const [message] = new TcpFramer().push(encodeForTcp(response));
  return decode(Buffer.from(message!));
}

/** The fake network, except that replies from `server` pass through `edit` (a spoofer or a sloppy server). */
function tampered(server: string, edit: (reply: Packet) => Packet): typeof defaultRespond {
  return (world, at, question, tcp) => {
    const reply = defaultRespond(world, at, question, tcp);
    return at === server && reply !== undefined ? edit(reply) : reply;
  };
}

/** A forged A record. */
const forged = (name: string) => ({ name, type: 'A' as const, ttl: 999, class: 'IN' as const, data: '6.6.6.6' });

/** Resolves `name`/`type` against `world` with a fresh or given cache. */
function resolve(name: string, type: Question['type'], options: Partial<IterativeOptions> = {}, world = servers(), startNs = 0): Run {
  const cache = options.cache ?? new DnsCache();
  const resolver = new IterativeResolver({ name, type, class: 'IN' }, { rootHints: HINTS, cache, id: 42, ...options });
  return drive(resolver, world, startNs);
}

/** The answer packet of a run that must have ended in one. */
function answerOf(run: Run): Packet {
  if (run.end.kind !== 'answer') throw new Error(`expected an answer, got ${JSON.stringify(run.end)}`);
  return run.end.packet;
}

/** A world of the standard servers plus extra ones, with the root zone given extra delegations. */
function worldWith(rootRecords: ZoneData['records'], extra: [string, ZoneData[]][]): Map<string, Zone[]> {
  const world = servers();
  world.set(ROOT_ADDR, [buildZone({ ...ROOT_DATA, records: [...ROOT_DATA.records, ...rootRecords] })]);
  for (const [address, zones] of extra) world.set(address, zones.map(buildZone));
  return world;
}

describe('delegation (RFC 1034 §5.3.3)', () => {
  test('root → com. → example.com.: referrals followed with glue, the answer comes from the third server', () => {
    const run = resolve('www.example.com', 'A');
    expect(run.log).toEqual([`${ROOT_ADDR} www.example.com A`, `${GTLD_ADDR} www.example.com A`, `${EXAMPLE_COM_ADDR} www.example.com A`]);
    const p = answerOf(run);
    expect(p.id).toBe(42);
    expect(rcodeOf(p)).toBe(RCODE.NOERROR);
    expect(hasFlag(p, RECURSION_AVAILABLE)).toBe(true);
    expect(p.questions).toEqual([{ name: 'www.example.com', type: 'A', class: 'IN' }]);
    expect(rrs(p.answers)).toEqual(['www.example.com A 192.0.2.80', 'www.example.com A 192.0.2.81']);
  });

  test('everything learned is cached: the same question is answered with no query, TTL counted down', () => {
    const cache = new DnsCache();
    resolve('www.example.com', 'A', { cache });
    const again = resolve('www.example.com', 'A', { cache }, servers(), 100 * S);
    expect(again.log).toEqual([]);
    expect(answerOf(again).answers?.map((r) => (r.type === 'A' ? r.ttl : -1))).toEqual([3500, 3500]);
  });

  test('a sibling name starts at the cached example.com delegation (deepest known servers, step 2)', () => {
    const cache = new DnsCache();
    resolve('www.example.com', 'A', { cache });
    const run = resolve('mail.example.com', 'A', { cache }, servers(), S);
    expect(run.log).toEqual([`${EXAMPLE_COM_ADDR} mail.example.com A`]);
    expect(rrs(answerOf(run).answers)).toEqual(['mail.example.com A 192.0.2.25']);
    // net. was never referred to, so a name there starts at the root again.
    expect(resolve('host.example.net', 'A', { cache }, servers(), S).log[0]).toBe(`${ROOT_ADDR} host.example.net A`);
  });

  test('a glueless delegation: the NS name is resolved as a sub-question, then the zone is asked', () => {
    // com. delegates glueless.com to ns.example.net; glue for a net. name is outside com.'s bailiwick.
    const run = resolve('www.glueless.com', 'A');
    expect(run.log).toEqual([
      `${ROOT_ADDR} www.glueless.com A`,
      `${GTLD_ADDR} www.glueless.com A`,
      `${ROOT_ADDR} ns.example.net A`, // the sub-question starts at the root: net. is not cached yet
      `${GTLD_ADDR} ns.example.net A`,
      `${EXAMPLE_NET_ADDR} ns.example.net A`,
      `${EXAMPLE_NET_ADDR} www.glueless.com A`,
    ]);
    expect(rrs(answerOf(run).answers)).toEqual(['www.glueless.com A 203.0.113.1']);
  });

  test('nextStep repeats the outstanding query until it is answered; reports without one throw', () => {
    const r = new IterativeResolver({ name: 'www.example.com', type: 'A' }, { rootHints: HINTS, cache: new DnsCache() });
    expect(r.nextStep(0)).toEqual(r.nextStep(5));
    r.onTimeout(1);
    const done = new IterativeResolver({ name: 'x', type: 'A' }, { rootHints: [], cache: new DnsCache() });
    expect(done.nextStep(0).kind).toBe('fail');
    expect(() => done.onTimeout(0)).toThrow();
  });
});

describe('CNAME (RFC 1034 §5.3.3 step 4c)', () => {
  test('a CNAME into another zone restarts the search at the target; the answer holds the chain', () => {
    const run = resolve('outside.example.com', 'A');
    expect(run.log).toEqual([
      `${ROOT_ADDR} outside.example.com A`,
      `${GTLD_ADDR} outside.example.com A`,
      `${EXAMPLE_COM_ADDR} outside.example.com A`,
      `${ROOT_ADDR} host.example.net A`, // a fresh search for the target, from the root
      `${GTLD_ADDR} host.example.net A`,
      `${EXAMPLE_NET_ADDR} host.example.net A`,
    ]);
    expect(rrs(answerOf(run).answers)).toEqual(['outside.example.com CNAME host.example.net', 'host.example.net A 198.51.100.10']);
  });

  test('a chain the server completes in its own zone is taken whole', () => {
    const run = resolve('alias.example.com', 'A');
    expect(run.log).toHaveLength(3);
    expect(rrs(answerOf(run).answers)).toEqual([
      'alias.example.com CNAME alias2.example.com',
      'alias2.example.com CNAME www.example.com',
      'www.example.com A 192.0.2.80',
      'www.example.com A 192.0.2.81',
    ]);
  });

  test('a CNAME loop across zones fails with SERVFAIL instead of looping', () => {
    const run = resolve('loop.example.net', 'A');
    expect(run.end).toMatchObject({ kind: 'fail', rcode: 'SERVFAIL', reason: 'CNAME loop at loop.example.net' });
    expect(run.log.length).toBeLessThan(10);
  });

  test('a chain longer than maxCnameChain fails', () => {
    const run = resolve('alias.example.com', 'A', { maxCnameChain: 1 });
    expect(run.end).toMatchObject({ kind: 'fail', reason: 'CNAME chain longer than 1' });
  });
});

describe('negative answers (RFC 2308)', () => {
  test('NXDOMAIN is returned with the SOA and cached for min(SOA TTL, MINIMUM) = 300 s (§5)', () => {
    const cache = new DnsCache();
    const first = resolve('nope.example.com', 'A', { cache });
    expect(rcodeOf(answerOf(first))).toBe(RCODE.NXDOMAIN);
    expect(rrs(answerOf(first).authorities)).toEqual([expect.stringMatching(/^example\.com SOA /)]);
    // Any type at that name is answered from the negative cache until it expires.
    const cached = resolve('nope.example.com', 'AAAA', { cache }, servers(), first.nowNs + 299 * S);
    expect(cached.log).toEqual([]);
    expect(rcodeOf(answerOf(cached))).toBe(RCODE.NXDOMAIN);
    const expired = resolve('nope.example.com', 'A', { cache }, servers(), first.nowNs + 300 * S);
    expect(expired.log).toEqual([`${EXAMPLE_COM_ADDR} nope.example.com A`]);
  });

  test('NODATA is NOERROR with no answer and the SOA, cached for that type only', () => {
    const cache = new DnsCache();
    const run = resolve('www.example.com', 'MX', { cache });
    expect(rcodeOf(answerOf(run))).toBe(RCODE.NOERROR);
    expect(answerOf(run).answers).toEqual([]);
    expect(resolve('www.example.com', 'MX', { cache }, servers(), S).log).toEqual([]);
    expect(resolve('www.example.com', 'A', { cache }, servers(), S).log).toHaveLength(1);
  });

  test('NXDOMAIN after a CNAME is about the target; the chain is kept (RFC 2308 §2.1)', () => {
    const p = answerOf(resolve('dangling.example.com', 'A'));
    expect(rcodeOf(p)).toBe(RCODE.NXDOMAIN);
    expect(rrs(p.answers)).toEqual(['dangling.example.com CNAME missing.example.com']);
  });
});

describe('failures and limits', () => {
  test('a silent server is passed over for the next address, then retried per attemptsPerServer', () => {
    const hints = [{ name: 'a.root-servers.net.', addresses: ['192.0.2.250', ROOT_ADDR] }];
    const run = resolve('www.example.com', 'A', { rootHints: hints });
    expect(run.log.slice(0, 2)).toEqual(['192.0.2.250 www.example.com A', `${ROOT_ADDR} www.example.com A`]);
    expect(run.end.kind).toBe('answer');

    const dead = resolve('www.example.com', 'A', { rootHints: [{ name: 'r.', addresses: ['192.0.2.250', '192.0.2.251'] }], attemptsPerServer: 2 });
    expect(dead.log).toEqual(['192.0.2.250', '192.0.2.251', '192.0.2.250', '192.0.2.251'].map((a) => `${a} www.example.com A`));
    expect(dead.end).toMatchObject({ kind: 'fail', rcode: 'SERVFAIL' });
  });

  test('a server answering REFUSED is dropped without retry (step 4d)', () => {
    // The example.com server is listed as a root server: it refuses names outside its zone.
    const hints = [{ name: 'bad.', addresses: [EXAMPLE_COM_ADDR] }, { name: 'a.root-servers.net.', addresses: [ROOT_ADDR] }];
    const run = resolve('host.example.net', 'A', { rootHints: hints });
    expect(run.log.slice(0, 2)).toEqual([`${EXAMPLE_COM_ADDR} host.example.net A`, `${ROOT_ADDR} host.example.net A`]);
    expect(run.log.filter((l) => l.startsWith(EXAMPLE_COM_ADDR))).toHaveLength(1);
    expect(rrs(answerOf(run).answers)).toEqual(['host.example.net A 198.51.100.10']);
  });

  test('a reply to a different question is not accepted (RFC 5452 §4.1)', () => {
    const spoof = tampered(ROOT_ADDR, (reply) => ({ ...reply, questions: [{ name: 'evil.example', type: 'A' }] }));
    const r = new IterativeResolver({ name: 'www.example.com', type: 'A' }, { rootHints: HINTS, cache: new DnsCache(), attemptsPerServer: 1 });
    const run = drive(r, servers(), 0, spoof);
    expect(run.log).toEqual([`${ROOT_ADDR} www.example.com A`]);
    expect(run.end.kind).toBe('fail');
  });

  test('the query budget stops a resolution that needs more (loop guard)', () => {
    const run = resolve('www.example.com', 'A', { maxQueries: 2 });
    expect(run.log).toHaveLength(2);
    expect(run.end).toMatchObject({ kind: 'fail', rcode: 'SERVFAIL', reason: 'query limit of 2 reached' });
  });

  test('the referral limit stops a long delegation chain', () => {
    const run = resolve('www.example.com', 'A', { maxReferrals: 1 });
    expect(run.end).toMatchObject({ kind: 'fail', reason: 'referral limit of 1 reached' });
  });

  test('mutually glueless delegations (a.test served by ns.b.test and back) fail in bounded steps', () => {
    const world = worldWith(
      [
        { name: 'a.test.', type: 'NS', data: 'ns.b.test.' },
        { name: 'b.test.', type: 'NS', data: 'ns.a.test.' },
      ],
      [],
    );
    const run = resolve('www.a.test', 'A', {}, world);
    expect(run.end).toMatchObject({ kind: 'fail', rcode: 'SERVFAIL' });
    expect(run.log.length).toBeLessThanOrEqual(6);
  });

  test('a truncated UDP reply is retried over TCP with the same server (RFC 7766 §5)', () => {
    const big: ZoneData = {
      origin: 'big.test.',
      records: [
        { name: '@', type: 'NS', data: 'ns' },
        { name: 'ns', type: 'A', data: '192.0.2.77' },
        ...Array.from({ length: 40 }, (_, i) => ({ name: 'many', type: 'A' as const, data: `192.0.2.${i}` })),
      ],
    };
    const world = worldWith(
      [
        { name: 'big.test.', type: 'NS', data: 'ns.big.test.' },
        { name: 'ns.big.test.', type: 'A', data: '192.0.2.77' },
      ],
      [['192.0.2.77', [big]]],
    );
    const run = resolve('many.big.test', 'A', {}, world);
    expect(run.log.slice(-2)).toEqual(['192.0.2.77 many.big.test A', '192.0.2.77 many.big.test A tcp']);
    expect(answerOf(run).answers).toHaveLength(40);
  });
});

describe('cache hygiene (RFC 2181 §5.4.1)', () => {
  test('additional records that are not glue for the referral are not cached', () => {
    const cache = new DnsCache();
    const poison = tampered(ROOT_ADDR, (reply) => ({ ...reply, additionals: [...(reply.additionals ?? []), forged('www.victim.org')] }));
    const r = new IterativeResolver({ name: 'www.example.com', type: 'A' }, { rootHints: HINTS, cache });
    expect(drive(r, servers(), 0, poison).end.kind).toBe('answer');
    expect(cache.get('www.victim.org', 'A', 0)).toBeUndefined();
  });

  test('an answer for a CNAME target outside the server\'s zone is ignored and the target looked up properly', () => {
    const cache = new DnsCache();
    const forge = tampered(EXAMPLE_COM_ADDR, (reply) => ({ ...reply, answers: [...(reply.answers ?? []), forged('host.example.net')] }));
    const r = new IterativeResolver({ name: 'outside.example.com', type: 'A' }, { rootHints: HINTS, cache });
    const run = drive(r, servers(), 0, forge);
    expect(rrs(answerOf(run).answers)).toEqual(['outside.example.com CNAME host.example.net', 'host.example.net A 198.51.100.10']);
    expect(run.log.at(-1)).toBe(`${EXAMPLE_NET_ADDR} host.example.net A`);
  });
});
