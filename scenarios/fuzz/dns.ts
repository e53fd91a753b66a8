/**
 * The dns-resolution property: DNS eventually resolves. A client host reaches a recursive resolver host (which also
 * runs the authoritative server for the scenario's zones, data/dns.ts) over a link that may lose up to half its
 * frames until it heals, and the resolver host may crash and come back a few times. Client processes call
 * getaddrinfo(3) for existing and non-existing names at random times, and a last process starts once every fault
 * has ended. Whatever the faults, a lookup never returns a wrong answer; once they stop, every lookup succeeds.
 *
 * Which outcomes glibc 2.36 allows (the stub resolver here is its model, stack/resolve/):
 * - an existing name: exactly the zone's addresses in glibc's order, or, with none of the family asked, EAI_NODATA
 *   (EAI_NONAME when the reply held only a CNAME chain, for AF_INET6 and AF_UNSPEC: dns-model.ts);
 * - a name that does not exist: EAI_NONAME, never an address;
 * - EAI_AGAIN only for a lookup that overlapped a faulty stretch (its queries or their replies could be lost, or
 *   the resolver was down): res_send gives up after `attempts` rounds of `timeout` seconds (resolv.conf(5)), so
 *   under losses alone not before the tries could have run out;
 * - with AF_UNSPEC under faults, the answer of one family alone: after a timeout with one of the two replies in,
 *   send_dg retries in single-request mode and in the end returns the reply it has (res_send.c, "There are quite a
 *   few broken name servers…");
 * - a lookup that overlapped no fault succeeds exactly (no partial answer) within timeout × attempts seconds, and no
 *   lookup lasts longer than glibc's retry budget, (attempts + 2) × timeout (the two single-request restarts).
 * A faulty stretch lasts until the client's ARP has settled after it (dns-model.ts settleNs): a packet sent within
 * 1 s of a restart can still be dropped with an ARP entry whose probes all went out during the outage, as on Linux.
 */
import fc from 'fast-check';
import { ms } from '../../sim/time.js';
import { AF_INET, AF_INET6 } from '../../stack/constants.js';
import { EAI_AGAIN, EAI_NODATA, EAI_NONAME } from '../../stack/resolve/gai-errors.js';
import { inet_aton_exact, inet_pton } from '../../stack/resolve/inet.js';
import { sym } from '../data/constants.js';
import type { DataTrace, OpResult } from '../data/interpret.js';
import { runData } from '../data/run.js';
import type { RecordSpec, ZoneData } from '../../stack/dns/zone.js';
import type { Op, ScenarioData } from '../data/schema.js';
import { expectedLookup, faultsEndNs, faultWindows, overlap, partialLookups, type Expected, type FaultWindow } from './dns-model.js';

/** glibc's defaults without resolv.conf options: RES_TIMEOUT 5 s, RES_DFLRETRY 2 (resolv.conf(5)). */
const DEFAULT_TIMEOUT = 5, DEFAULT_ATTEMPTS = 2;

/** How long an ARP resolution takes to fail: 3 multicast probes, 1 s apart (arp(7)). */
const ARP_FAIL_NS = 3e9;

const ZONES = ['example.com.', 'example.net.'] as const;

/** One generated name: what records it has. */
interface NameGen {
  kind: 'a' | 'aaaa' | 'both' | 'cname' | 'txt';
  a: number;
  aaaa: number;
  target: number;
  zone: number;
}

/** One generated lookup: which name from the pool, which family, how the name is written. */
interface QueryGen {
  pick: number;
  family: 'AF_UNSPEC' | 'AF_INET' | 'AF_INET6';
  style: 'plain' | 'dot' | 'upper';
}

const queryArb: fc.Arbitrary<QueryGen> = fc.record({
  pick: fc.nat({ max: 1000 }),
  family: fc.constantFrom('AF_UNSPEC', 'AF_INET', 'AF_INET6'),
  style: fc.constantFrom('plain', 'plain', 'dot', 'upper'),
});

/** The zones of a generated world: names n0… spread over one or two zones, addresses never routable from the client. */
function buildZones(names: NameGen[], zoneCount: number, ttl: number): { zones: ZoneData[]; fqdns: string[] } {
  const origin = (n: NameGen) => ZONES[n.zone % zoneCount]!;
  const fqdns = names.map((n, i) => `n${i}.${origin(n)}`.slice(0, -1));
  const zones = ZONES.slice(0, zoneCount).map((o) => ({
    origin: o, ttl,
    // The negative TTL (RFC 2308 §5) is the zone's TTL too, so cached NXDOMAINs expire within a run.
    soa: { mname: `ns.${o}`, rname: `hostmaster.${o}`, minimum: ttl, ttl },
    records: [] as RecordSpec[],
  }));
  names.forEach((n, i) => {
    const records = zones[n.zone % zoneCount]!.records;
    const kind = n.kind === 'cname' && i === 0 ? 'a' : n.kind;
    const name = `n${i}`;
    // 192.0.2.0/24 and 2001:db8::/32 are documentation prefixes (RFC 5737, RFC 3849): off every client subnet.
    if (kind === 'a' || kind === 'both') for (let j = 0; j < n.a; j++) records.push({ name, type: 'A', data: `192.0.2.${10 * i + j + 1}` });
    if (kind === 'aaaa' || kind === 'both') for (let j = 0; j < n.aaaa; j++) records.push({ name, type: 'AAAA', data: `2001:db8::${i + 1}:${j + 1}` });
    if (kind === 'txt') records.push({ name, type: 'TXT', data: 'no address here' });
    // A CNAME points at an earlier name, so chains (also across zones) never loop.
    if (kind === 'cname') records.push({ name, type: 'CNAME', data: `${fqdns[n.target % i]!}.` });
  });
  return { zones, fqdns };
}

/** How a query writes its name: as is, fully qualified with the final dot, or in mixed case (RFC 4343). */
function written(name: string, style: QueryGen['style']): string {
  if (style === 'dot') return `${name}.`;
  if (style === 'upper') return name.split('.').map((l, i) => (i % 2 === 0 ? l.toUpperCase() : l)).join('.');
  return name;
}

/** A lookup as a scenario operation (SOCK_STREAM, so each address comes back once). */
function lookupOp(pool: string[], q: QueryGen): Op {
  return { op: 'getaddrinfo', node: written(pool[q.pick % pool.length]!, q.style), service: null, family: q.family, socktype: 'SOCK_STREAM' };
}

/** A DNS world with a lossy client link, resolver crashes, and lookups before, during and after the faults. */
export function dnsScenarioArb(): fc.Arbitrary<ScenarioData> {
  const names = fc.array(fc.record({
    kind: fc.constantFrom('a', 'aaaa', 'both', 'cname', 'txt'),
    a: fc.integer({ min: 1, max: 3 }),
    aaaa: fc.integer({ min: 1, max: 2 }),
    target: fc.nat({ max: 100 }),
    zone: fc.nat({ max: 1 }),
  }), { minLength: 1, maxLength: 6 });
  const step = fc.record({ sleepMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 8000 })), query: queryArb });
  return fc.record({
    zoneCount: fc.integer({ min: 1, max: 2 }),
    names,
    ttl: fc.integer({ min: 1, max: 120 }),
    timeout: fc.integer({ min: 1, max: 3 }),
    attempts: fc.integer({ min: 1, max: 3 }),
    latencyMs: fc.integer({ min: 1, max: 20 }),
    loss: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.5, noNaN: true })),
    healMs: fc.integer({ min: 0, max: 60_000 }),
    outages: fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 30_000 }), lengthMs: fc.integer({ min: 100, max: 30_000 }) }), { maxLength: 2 }),
    apps: fc.array(fc.record({ startMs: fc.integer({ min: 0, max: 3000 }), steps: fc.array(step, { minLength: 1, maxLength: 8 }) }), { minLength: 1, maxLength: 2 }),
    late: fc.array(queryArb, { minLength: 1, maxLength: 4 }),
    seed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
  }).map((p): ScenarioData => {
    const { zones, fqdns } = buildZones(p.names, p.zoneCount, p.ttl);
    // Names that do not exist: in a zone, below an existing name, outside every zone (the root says NXDOMAIN).
    const missing = ['nx.example.com', `zz.${fqdns[0]!}`, 'host.invalid', ...(p.zoneCount === 1 ? ['www.example.net'] : [])];
    const pool = [...fqdns, ...fqdns, ...missing, 'example.com'];
    const faults: ScenarioData['faults'] = [];
    let end = 0;
    if (p.loss > 0) {
      faults.push({ at: p.healMs, kind: 'link', link: 0, set: { loss: 0 } });
      end = p.healMs;
    }
    let t = 0;
    for (const o of p.outages) {
      t += o.gapMs;
      faults.push({ at: t, kind: 'crash', host: 'resolver' });
      t += o.lengthMs;
      faults.push({ at: t, kind: 'restart', host: 'resolver' });
      end = Math.max(end, t);
    }
    faults.sort((x, y) => x.at - y.at);
    const apps = p.apps.map((a, i) => ({
      host: 'client', name: `app${i}`, startMs: a.startMs,
      ops: a.steps.flatMap((st): Op[] => [...(st.sleepMs > 0 ? [{ op: 'sleep', ms: st.sleepMs } as Op] : []), lookupOp(pool, st.query)]),
    }));
    // The eventual part: a process that starts once every fault has ended and the client's ARP has settled (an
    // entry left INCOMPLETE by the fault fails 1 s after its last probe, dns-model.ts settleNs).
    const settled = faults.length > 0 ? end + 1000 + 2 * p.latencyMs : 0;
    const late = { host: 'client', name: 'late', startMs: settled + 1, ops: p.late.map((q) => lookupOp(pool, q)) };
    return {
      version: 1, seed: p.seed, hosts: ['client', 'resolver'],
      links: [{ a: 'client', b: 'resolver', latencyMs: p.latencyMs, ...(p.loss > 0 ? { loss: p.loss } : {}) }],
      processes: [...apps, late],
      faults,
      dns: { resolver: 'resolver', zones, clients: { client: { timeout: p.timeout, attempts: p.attempts } } },
      limits: { maxTimeMs: 900_000, maxEvents: 3_000_000 },
    };
  });
}

/** The addresses of a successful getaddrinfo result ("ai=10/1/6/[2001:db8::1]:0;2/1/6/192.0.2.1:0"), one per address. */
export function resultAddresses(out: string | undefined): string[] {
  const list = (out ?? '').split('ai=')[1];
  if (list === undefined || list === '') return [];
  const entries = list.split(';').map((e) => e.split('/'));
  // Without a socktype hint each address comes once per socket type; keep one (the first type's entries).
  const firstType = entries[0]?.[1];
  return entries.filter((e) => e[1] === firstType).map((e) => {
    const a = e.slice(3).join('/');
    return a.startsWith('[') ? a.slice(1, a.indexOf(']')) : a.slice(0, a.lastIndexOf(':'));
  });
}

const FAMILY_NAMES: Record<number, string> = { 0: 'AF_UNSPEC', [AF_INET]: 'AF_INET', [AF_INET6]: 'AF_INET6' };

/** An outcome in words, for messages. */
function outcomeText(ret: number, addrs: string[]): string {
  if (ret === 0) return addrs.join(' ') || '(no address)';
  return ({ [EAI_AGAIN]: 'EAI_AGAIN', [EAI_NONAME]: 'EAI_NONAME', [EAI_NODATA]: 'EAI_NODATA' } as Record<number, string>)[ret] ?? `error ${ret}`;
}

function expectedText(e: Expected): string {
  return e.ok ? e.addrs.join(' ') : e.error;
}

/** Whether an outcome is the expected one: the same addresses in the same order, or the same error. */
function matches(e: Expected, ret: number, addrs: string[]): boolean {
  if (e.ok) return ret === 0 && addrs.length === e.addrs.length && addrs.every((a, i) => a === e.addrs[i]);
  return ret === (e.error === 'EAI_NODATA' ? EAI_NODATA : EAI_NONAME);
}

/** Whether getaddrinfo takes `node` as an address without a lookup (IPv4 in inet_aton's forms, or IPv6 text). */
function numericHost(node: string): boolean {
  return inet_aton_exact(node) !== null || inet_pton(AF_INET6, node.split('%')[0]!).ret === 1;
}

/** Judges one lookup; null when glibc could have returned it. */
function judgeLookup(s: ScenarioData, r: OpResult, startNs: number, windows: readonly FaultWindow[]): string | null {
  const op = s.processes[r.process]!.ops[r.index]!;
  // A numeric host never reaches DNS (getaddrinfo(3) converts it: inet_aton_exact, inet_pton): nothing to judge.
  if (op.op !== 'getaddrinfo' || op.node === null || s.dns === undefined || numericHost(op.node)) return null;
  const family = sym(op.family);
  const e = expectedLookup(s.dns.zones, op.node, family);
  if (e === 'loop') return null; // a CNAME loop: SERVFAIL, outside what the zone model predicts
  const opts = s.dns.clients?.[s.processes[r.process]!.host] ?? {};
  const timeoutNs = (opts.timeout ?? DEFAULT_TIMEOUT) * 1e9, attempts = opts.attempts ?? DEFAULT_ATTEMPTS;
  // res_search tries the name as is and under each search domain (resolv.conf(5)), each a full res_send.
  const names = 1 + (opts.search?.length ?? 0);
  const addrs = r.ret === 0 ? resultAddresses(r.out) : [];
  const o = overlap(windows, startNs, r.timeNs);
  const took = r.timeNs - startNs;
  const what = `process ${r.process} op #${r.index} getaddrinfo("${op.node}", ${FAMILY_NAMES[family] ?? family}) from ${startNs} ns to ${r.timeNs} ns`
    + ` (${o.outage ? 'during an outage' : o.faulty ? 'during losses' : 'no fault'})`;
  const budget = names * (attempts + 2) * timeoutNs;
  if (took > budget + 1e9) return `${what} took ${took} ns, past glibc's retry budget of ${names} x ${attempts + 2} x ${timeoutNs} ns`;
  if (!o.faulty) {
    if (!matches(e, r.ret, addrs)) return `${what} returned ${outcomeText(r.ret, addrs)}, the zones say ${expectedText(e)}`;
    if (took > attempts * timeoutNs) return `${what} succeeded only after ${took} ns, past timeout x attempts (${attempts} x ${timeoutNs} ns)`;
    return null;
  }
  if (r.ret === EAI_AGAIN && !o.outage) {
    // Losses alone: res_send gives up only after `attempts` tries, each ending at its timeout or at an error; the
    // only error losses cause is a failed ARP resolution (host unreachable), which takes its 3 probes 1 s apart
    // (arp(7) mcast_solicit, retrans_time). Only the first try can meet one already under way.
    const floor = (attempts - 1) * Math.min(timeoutNs, ARP_FAIL_NS);
    if (took < floor) return `${what} gave up after ${took} ns, before ${attempts} tries could have failed (at least ${floor} ns)`;
  }
  if (matches(e, r.ret, addrs) || r.ret === EAI_AGAIN) return null;
  // One family's reply alone: what send_dg returns after timing out with the other reply missing.
  if (family === 0 && partialLookups(s.dns.zones, op.node).some((p) => matches(p, r.ret, addrs))) return null;
  return `${what} returned ${outcomeText(r.ret, addrs)}, the zones say ${expectedText(e)} (or EAI_AGAIN)`;
}

/**
 * The check of the dns-resolution property over a finished run: every process finished, and every lookup is one
 * glibc could have returned given the zones and when the faults were (see the file comment).
 */
export function checkDnsResolution(s: ScenarioData, trace: DataTrace, blocked: (p: number) => string | null = () => null): string | null {
  const stuck = trace.finished.findIndex((x) => !x);
  if (stuck >= 0) return `process ${stuck} never finished (${blocked(stuck) ?? 'not blocked'})`;
  const windows = faultWindows(s);
  const lastEnd = new Map<number, number>();
  for (const r of trace.results) {
    const startNs = lastEnd.get(r.process) ?? ms(s.processes[r.process]!.startMs ?? 0);
    lastEnd.set(r.process, r.timeNs);
    const broken = judgeLookup(s, r, startNs, windows);
    if (broken !== null) return broken;
  }
  return null;
}

/** Runs a scenario and checks it; a process killed by its host's crash is expected here, any other error is not. */
export async function dnsResolutionCheck(s: ScenarioData): Promise<string | null> {
  const d = await runData(s);
  const r = d.run.result;
  const blocked = (i: number): string | null => {
    const p = r.processes[i];
    return p ? `${p.state}${p.blockedIn ? ` in ${p.blockedIn}` : ''}, run ${r.status}` : null;
  };
  for (const p of r.processes) if (p.error && p.error !== 'host crashed') return `process ${p.pid} (${p.name}) threw: ${p.error}`;
  if (r.status === 'time-limit' || r.status === 'event-limit') {
    const stuck = d.trace.finished.findIndex((x) => !x);
    return stuck >= 0 ? `process ${stuck} never finished (${blocked(stuck)})` : `run hit its bound: ${r.message}`;
  }
  return checkDnsResolution(s, d.trace, blocked);
}

/** When the generated faults end, for tests: the late process starts after this. */
export function dnsFaultsEndNs(s: ScenarioData): number {
  return faultsEndNs(faultWindows(s));
}
