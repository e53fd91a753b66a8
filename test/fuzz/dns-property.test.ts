/**
 * The dns block of scenario data (scenarios/data/dns.ts) and the dns-resolution property (scenarios/fuzz/dns.ts):
 * the loader names bad fields by path, the interpreter's resolver answers as glibc 2.36 does against a real server,
 * the property holds on Linux-faithful socksim, and it fails on broken worlds and on deviations injected into a run.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkRun } from '../../scenarios/fuzz/campaign.js';
import { checkDnsResolution, dnsFaultsEndNs, dnsResolutionCheck, dnsScenarioArb } from '../../scenarios/fuzz/dns.js';
import { expectedLookup, faultWindows, settleNs } from '../../scenarios/fuzz/dns-model.js';
import { ScenarioDataError, validateScenario } from '../../scenarios/data/load.js';
import { runData, type DataRun } from '../../scenarios/data/run.js';
import type { DnsSpec, Fault, Op, ScenarioData } from '../../scenarios/data/schema.js';
import { sym } from '../../scenarios/data/constants.js';
import type { ZoneData } from '../../stack/dns/zone.js';
import { MemoryOutput } from '../../sim/recording.js';
import '../../scenarios/index.js';

const S = 1e9;

/** A zone with every shape of answer: addresses, CNAMEs to A-only, AAAA-only and TXT-only names, a dangling CNAME. */
const ZONE: ZoneData = {
  origin: 'example.com.', ttl: 60,
  soa: { mname: 'ns.example.com.', rname: 'hostmaster.example.com.', minimum: 60, ttl: 60 },
  records: [
    { name: 'n0', type: 'A', data: '192.0.2.1' }, { name: 'n0', type: 'A', data: '192.0.2.2' },
    { name: 'n1', type: 'CNAME', data: 'n0.example.com.' },
    { name: 'v6', type: 'AAAA', data: '2001:db8::6' },
    { name: 'n2', type: 'CNAME', data: 'v6.example.com.' },
    { name: 't', type: 'TXT', data: 'x' },
    { name: 'n3', type: 'CNAME', data: 't.example.com.' },
    { name: 'n4', type: 'CNAME', data: 'nx.example.com.' },
    { name: 'both', type: 'A', data: '192.0.2.80' }, { name: 'both', type: 'A', data: '192.0.2.81' },
    { name: 'both', type: 'AAAA', data: '2001:db8::80' },
  ],
};

/**
 * glibc 2.36 (Debian 2.36-9+deb12u14, this machine) on the same zone, served by test/dns/glibc/dnsd.py on 127.0.0.1
 * inside `unshare -rmn` with only lo up; Python's socket.getaddrinfo(name, None, family, SOCK_STREAM). -5 is
 * EAI_NODATA, -2 EAI_NONAME. A CNAME to a name without the family is EAI_NODATA for AF_INET but EAI_NONAME for
 * AF_INET6 and AF_UNSPEC; AF_UNSPEC puts AAAA first when neither family is routable (probe.json gai41 too).
 */
const GLIBC: [string, 'AF_UNSPEC' | 'AF_INET' | 'AF_INET6', string][] = [
  ['n0.example.com', 'AF_UNSPEC', '192.0.2.1 192.0.2.2'], ['n0.example.com', 'AF_INET', '192.0.2.1 192.0.2.2'], ['n0.example.com', 'AF_INET6', '-5'],
  ['n1.example.com', 'AF_UNSPEC', '192.0.2.1 192.0.2.2'], ['n1.example.com', 'AF_INET', '192.0.2.1 192.0.2.2'], ['n1.example.com', 'AF_INET6', '-2'],
  ['v6.example.com', 'AF_UNSPEC', '2001:db8::6'], ['v6.example.com', 'AF_INET', '-5'], ['v6.example.com', 'AF_INET6', '2001:db8::6'],
  ['n2.example.com', 'AF_UNSPEC', '2001:db8::6'], ['n2.example.com', 'AF_INET', '-5'], ['n2.example.com', 'AF_INET6', '2001:db8::6'],
  ['n3.example.com', 'AF_UNSPEC', '-2'], ['n3.example.com', 'AF_INET', '-5'], ['n3.example.com', 'AF_INET6', '-2'],
  ['t.example.com', 'AF_UNSPEC', '-5'], ['t.example.com', 'AF_INET', '-5'], ['t.example.com', 'AF_INET6', '-5'],
  ['n4.example.com', 'AF_UNSPEC', '-2'], ['n4.example.com', 'AF_INET', '-2'], ['n4.example.com', 'AF_INET6', '-2'],
  ['example.com', 'AF_UNSPEC', '-5'], ['example.com', 'AF_INET', '-5'], ['example.com', 'AF_INET6', '-5'],
  ['both.example.com', 'AF_UNSPEC', '2001:db8::80 192.0.2.80 192.0.2.81'],
];

const lookup = (node: string, family: string = 'AF_UNSPEC'): Op => ({ op: 'getaddrinfo', node, service: null, family, socktype: 'SOCK_STREAM' });

/** A client and a resolver host on one link, the zone above, and the given client ops and faults. */
function world(ops: Op[], faults: Fault[] = [], link: { loss?: number; latencyMs?: number } = {}, dns: Partial<DnsSpec> = {}): ScenarioData {
  return {
    version: 1, seed: 7, hosts: ['client', 'resolver'],
    links: [{ a: 'client', b: 'resolver', latencyMs: 2, ...link }],
    processes: [{ host: 'client', name: 'app', ops }],
    faults,
    dns: { resolver: 'resolver', zones: [ZONE], clients: { client: { timeout: 1, attempts: 2 } }, ...dns },
    limits: { maxTimeMs: 600_000 },
  };
}

/** What each op returned: addresses joined by spaces, or the return value. */
function outcomes(d: DataRun): string[] {
  return d.trace.results.filter((r) => r.op === 'getaddrinfo').map((r) => (r.ret === 0
    ? (r.out ?? '').split('ai=')[1]!.split(';').map((e) => e.split('/').slice(3).join('/').replace(/^\[?(.*?)\]?:\d+$/, '$1')).join(' ')
    : String(r.ret)));
}

describe('the dns block of scenario data', () => {
  const base = { version: 1, seed: 1, hosts: ['client', 'resolver', 'lonely'], links: [{ a: 'client', b: 'resolver' }], processes: [], faults: [] };
  const bad = (dns: unknown, path: string, extra: object = {}) => {
    let err: unknown;
    try {
      validateScenario({ ...base, ...extra, dns });
    } catch (e) {
      err = e;
    }
    expect(err, path).toBeInstanceOf(ScenarioDataError);
    expect((err as ScenarioDataError).path).toBe(path);
  };

  test('a valid block round-trips through JSON and the loader', () => {
    const s = { ...base, dns: { resolver: 'resolver', zones: [ZONE], clients: { client: { timeout: 1, attempts: 5, ndots: 2, search: ['example.com'] } } } };
    expect(validateScenario(JSON.parse(JSON.stringify(s)))).toEqual(s);
  });

  test('names the bad field by its path, zone fields included', () => {
    const zone = { origin: 'example.com.', records: [{ name: 'www', type: 'A', data: '192.0.2.1' }] };
    bad({ resolver: 'nobody', zones: [] }, 'dns.resolver');
    bad({ resolver: 'resolver', zones: [zone], extra: 1 }, 'dns.extra');
    bad({ resolver: 'resolver', zones: [{ ...zone, records: [...zone.records, { name: 'x', type: 'A', data: '300.1.1.1' }] }] }, 'dns.zones[0].records[1].data');
    bad({ resolver: 'resolver', zones: [{ origin: 'x.' }] }, 'dns.zones[0].records');
    bad({ resolver: 'resolver', zones: [zone, { ...zone, origin: 'EXAMPLE.com' }] }, 'dns.zones[1].origin');
    bad({ resolver: 'resolver', zones: [zone], clients: { nobody: {} } }, 'dns.clients.nobody');
    // resolv.conf(5) caps attempts at 5 and timeout at 30: larger values would be silently cut, so they are refused.
    bad({ resolver: 'resolver', zones: [zone], clients: { client: { attempts: 6 } } }, 'dns.clients.client.attempts');
    bad({ resolver: 'resolver', zones: [zone], clients: { client: { timeout: 31 } } }, 'dns.clients.client.timeout');
    bad({ resolver: 'resolver', zones: [zone], clients: { client: { search: ['a b'] } } }, 'dns.clients.client.search[0]');
    bad({ resolver: 'lonely', zones: [zone], clients: { client: {} } }, 'dns.clients.client');
  });
});

describe('the DNS service the interpreter starts', () => {
  test('getaddrinfo through the simulated resolver gives what glibc 2.36 gives against a real server', async () => {
    const d = await runData(world(GLIBC.map(([n, f]) => lookup(n, f))));
    expect(outcomes(d)).toEqual(GLIBC.map(([, , want]) => want));
    // The checker's model of the zones agrees with the same measurements.
    for (const [name, family, want] of GLIBC) {
      const e = expectedLookup([ZONE], name, sym(family));
      expect(e === 'loop' ? 'loop' : e.ok ? e.addrs.join(' ') : e.error === 'EAI_NODATA' ? '-5' : '-2', `${name} ${family}`).toBe(want);
    }
    expect(d.run.result.status).toBe('stopped');
    expect(d.run.result.message).toBe('every process has exited');
  });

  test('a name outside every zone is NXDOMAIN from the root; search and ndots come from the client options', async () => {
    // resolv.conf(5): "n0" has fewer dots than ndots (1), so the search list is tried first: n0.example.com.
    const d = await runData(world([lookup('host.invalid'), lookup('n0', 'AF_INET')], [], {}, {
      clients: { client: { timeout: 1, attempts: 1, search: ['example.com'] } },
    }));
    expect(outcomes(d)).toEqual(['-2', '192.0.2.1 192.0.2.2']);
  });

  test('a client on the resolver host itself uses 127.0.0.1', async () => {
    const s = world([]);
    // After the daemon is up: loopback delivers inside sendto, so a query sent at the daemon's own start instant
    // would find no socket on port 53 (port unreachable, as on Linux).
    s.processes = [{ host: 'resolver', ops: [{ op: 'sleep', ms: 10 }, lookup('both.example.com', 'AF_INET')] }];
    s.dns!.clients = { resolver: { timeout: 1, attempts: 1 } };
    expect(outcomes(await runData(s))).toEqual(['192.0.2.80 192.0.2.81']);
  });

  test('a crashed resolver fails lookups (EAI_AGAIN) and answers again after its restart', async () => {
    const d = await runData(world([
      { op: 'sleep', ms: 1000 }, lookup('n0.example.com', 'AF_INET'),
      { op: 'sleep', ms: 5000 }, lookup('n0.example.com', 'AF_INET'),
    ], [{ at: 500, kind: 'crash', host: 'resolver' }, { at: 4000, kind: 'restart', host: 'resolver' }]));
    expect(outcomes(d)).toEqual(['-3', '192.0.2.1 192.0.2.2']);
    // Two tries of one second each (options timeout:1 attempts:2), measured on glibc 2.36 (probe.json blackhole-inet).
    const first = d.trace.results.find((r) => r.op === 'getaddrinfo')!;
    expect(first.timeNs).toBe(3 * S);
  });
});

describe('the fault windows the check reads from the schedule', () => {
  test('loss until a heal, a crash until its restart, a partition until a heal; each settles 1 s plus a round trip later', () => {
    const s = world([], [
      { at: 3000, kind: 'link', link: 0, set: { loss: 0 } },
      { at: 10_000, kind: 'crash', host: 'resolver' }, { at: 12_000, kind: 'restart', host: 'resolver' },
      { at: 20_000, kind: 'partition', hosts: ['client'] }, { at: 21_000, kind: 'heal' },
    ], { loss: 0.3, latencyMs: 5 });
    expect(settleNs(s)).toBe(1.01 * S);
    expect(faultWindows(s)).toEqual([
      { from: 0, to: 3 * S + 1.01 * S, outage: false },
      { from: 10 * S, to: 12 * S + 1.01 * S, outage: true },
      { from: 20 * S, to: 21 * S + 1.01 * S, outage: true },
    ]);
    expect(faultWindows(world([], [{ at: 1000, kind: 'crash', host: 'resolver' }]))[0]!.to).toBe(Infinity);
  });
});

describe('the dns-resolution property', () => {
  test.prop([dnsScenarioArb()], { numRuns: 30 })('holds on Linux-faithful socksim', async (s) => {
    expect(await dnsResolutionCheck(s)).toBeNull();
  });

  test.prop([dnsScenarioArb()], { numRuns: 200 })('generates a last process that starts after every fault has settled', (s) => {
    const late = s.processes[s.processes.length - 1]!;
    expect(late.name).toBe('late');
    expect((late.startMs ?? 0) * 1e6).toBeGreaterThan(dnsFaultsEndNs(s));
  });

  test('fails when the zone served answers a wrong address', async () => {
    const s = world([lookup('n1.example.com', 'AF_INET')]);
    const broken = structuredClone(s);
    broken.dns!.zones[0]!.records[1] = { name: 'n0', type: 'A', data: '192.0.2.99' };
    expect(await dnsResolutionCheck(s)).toBeNull();
    expect(checkDnsResolution(s, (await runData(broken)).trace)).toMatch(/returned 192\.0\.2\.1 192\.0\.2\.99, the zones say 192\.0\.2\.1 192\.0\.2\.2/);
  });

  test('fails when a lookup fails in a clean window, or after the faults have settled', async () => {
    // The schedule says the lossless link healed at 2 s; the world that ran never healed (100% loss).
    const ops = [{ op: 'sleep', ms: 5000 } as Op, lookup('n0.example.com', 'AF_INET')];
    const s = world(ops, [{ at: 2000, kind: 'link', link: 0, set: { loss: 0 } }], { loss: 1 });
    expect(await dnsResolutionCheck(s)).toBeNull();
    const neverHealed = { ...s, faults: [] };
    expect(checkDnsResolution(s, (await runData(neverHealed)).trace)).toMatch(/\(no fault\) returned EAI_AGAIN, the zones say 192\.0\.2\.1 192\.0\.2\.2/);
  });

  test('fails on deviations injected into a clean run: order, an address for NXDOMAIN, a partial answer, slowness, a stuck process', async () => {
    const s = world([lookup('both.example.com'), lookup('nx.example.com'), lookup('both.example.com')]);
    const d = await runData(s);
    expect(checkDnsResolution(s, d.trace)).toBeNull();
    const inject = (f: (t: DataRun['trace']) => void): string | null => {
      const t = structuredClone(d.trace);
      f(t);
      return checkDnsResolution(s, t);
    };
    // glibc's order (AAAA first here) is part of the answer.
    expect(inject((t) => (t.results[0]!.out = 'ai=2/1/6/192.0.2.80:0;2/1/6/192.0.2.81:0;10/1/6/[2001:db8::80]:0')))
      .toMatch(/returned 192\.0\.2\.80 192\.0\.2\.81 2001:db8::80, the zones say 2001:db8::80 192\.0\.2\.80 192\.0\.2\.81/);
    expect(inject((t) => Object.assign(t.results[1]!, { ret: 0, out: 'ai=2/1/6/192.0.2.7:0' }))).toMatch(/returned 192\.0\.2\.7, the zones say EAI_NONAME/);
    // One family's reply alone is glibc's answer only after a timeout under faults, never in a clean window.
    expect(inject((t) => (t.results[2]!.out = 'ai=2/1/6/192.0.2.80:0;2/1/6/192.0.2.81:0'))).toMatch(/\(no fault\) returned 192\.0\.2\.80 192\.0\.2\.81/);
    expect(inject((t) => (t.results[2]!.timeNs += 3 * S))).toMatch(/past timeout x attempts/);
    expect(inject((t) => (t.finished[0] = false))).toMatch(/process 0 never finished/);
  });

  test('accepts one family\'s reply alone, and EAI_AGAIN once the tries ran out, only for a lookup that overlapped a fault', async () => {
    const s = world([lookup('both.example.com')], [{ at: 60_000, kind: 'link', link: 0, set: { loss: 0 } }], { loss: 0.2 });
    const d = await runData(s);
    const partial = structuredClone(d.trace);
    Object.assign(partial.results[0]!, { ret: 0, out: 'ai=2/1/6/192.0.2.80:0;2/1/6/192.0.2.81:0' });
    expect(checkDnsResolution(s, partial)).toBeNull();
    // EAI_AGAIN after losses alone, but only once both tries (options timeout:1 attempts:2) could have timed out.
    Object.assign(partial.results[0]!, { ret: -3, out: undefined, timeNs: 5e6 });
    expect(checkDnsResolution(s, partial)).toMatch(/gave up after \d+ ns, before 2 tries could have failed/);
    partial.results[0]!.timeNs = 2 * S;
    expect(checkDnsResolution(s, partial)).toBeNull();
    // During an outage an error can end the tries at once (no daemon yet: port unreachable, ECONNREFUSED).
    const crashed = world([lookup('both.example.com')], [{ at: 0, kind: 'crash', host: 'resolver' }, { at: 60_000, kind: 'restart', host: 'resolver' }]);
    const quick = structuredClone((await runData(crashed)).trace);
    Object.assign(quick.results[0]!, { ret: -3, out: undefined, timeNs: 1000 });
    expect(checkDnsResolution(crashed, quick)).toBeNull();
  });

  test('leaves numeric hosts alone: getaddrinfo converts them without a query', async () => {
    expect(await dnsResolutionCheck(world([lookup('192.0.2.9', 'AF_INET'), lookup('2001:db8::9', 'AF_INET6')]))).toBeNull();
  });

  test('a run with DNS daemons, crashes and losses records the same bytes twice', async () => {
    const [s] = fc.sample(dnsScenarioArb().filter((x) => x.faults.length >= 2), { seed: 3, numRuns: 1 });
    const bytes = async () => {
      const out = new MemoryOutput();
      await runData(s!, { record: out });
      return Buffer.from(out.bytes()).toString('hex');
    };
    expect(await bytes()).toBe(await bytes());
  });

  test('catches a stack whose UDP never delivers (the udp-recv-unwired profile) on its first run', async () => {
    const o = await checkRun('dns-resolution', 1, 0, 'udp-recv-unwired');
    expect(o.ok).toBe(false);
    expect(o.message).toMatch(/\(no fault\) returned EAI_AGAIN/);
  });
});
