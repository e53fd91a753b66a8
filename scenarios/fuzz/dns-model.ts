/**
 * The reference side of the dns-resolution property, computed from the scenario data alone (never from the run):
 * what getaddrinfo(3) must return for a name according to the scenario's zones, and when the world was faulty
 * according to its fault schedule.
 *
 * The zone model is RFC 1034 §4.3.2 for the data the generator writes: A, AAAA, CNAME and other types at plain
 * owner names, no wildcards and no delegations below a zone's apex (hand-written zones with those are outside it).
 */
import { ms } from '../../sim/time.js';
import { AF_INET, AF_INET6 } from '../../stack/constants.js';
import { inet_ntop, inet_pton } from '../../stack/resolve/inet.js';
import type { ZoneData } from '../../stack/dns/zone.js';
import type { Fault, ScenarioData } from '../data/schema.js';

/** What a lookup of one name must give: addresses in glibc's order, or a getaddrinfo error. */
export type Expected = { ok: true; addrs: string[] } | { ok: false; error: 'EAI_NODATA' | 'EAI_NONAME' };

/**
 * A name's address records as the zones hold them (after CNAMEs, `viaCname` when there was one), or NXDOMAIN
 * (RFC 1035 §4.1.1 RCODE 3).
 */
export type ZoneAnswer = { exists: true; a: string[]; aaaa: string[]; viaCname: boolean } | { exists: false };

/** How many CNAMEs the model follows (the authoritative server stops at 16, authority.ts); a longer chain is a loop. */
const MAX_CNAME_CHAIN = 16;

/** A name in lower case without its trailing dot ("" for the root): DNS names compare case-insensitively (RFC 4343). */
export function canonical(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** A zone-data name made absolute: "@" is the origin, a name without a final dot is relative to it (RFC 1035 §5.1). */
function absolute(name: string, origin: string): string {
  const o = canonical(origin);
  if (name === '@') return o;
  if (name.endsWith('.')) return canonical(name);
  return canonical(o === '' ? name : `${name}.${o}`);
}

/** Whether `name` is `zone` or below it. */
function within(name: string, zone: string): boolean {
  return zone === '' || name === zone || name.endsWith(`.${zone}`);
}

/** An address in the text getaddrinfo's results are printed in (RFC 5952 for IPv6). */
function normalAddress(af: number, text: string): string {
  const p = inet_pton(af, text);
  if (p.ret !== 1) return text;
  const t = inet_ntop(af, p.addr, 64);
  return 'ok' in t ? t.ok : text;
}

/** The zones' answer for `name`: its A and AAAA records in zone order (duplicates dropped, RFC 2181 §5), or NXDOMAIN. */
export function zoneAnswer(zones: readonly ZoneData[], name: string): ZoneAnswer | 'loop' {
  let current = canonical(name);
  let viaCname = false;
  for (let hops = 0; hops <= MAX_CNAME_CHAIN; hops++) {
    // The nearest enclosing zone answers (RFC 1034 §4.3.2 step 2); a name outside every zone is NXDOMAIN at the root.
    const zone = zones.filter((z) => within(current, canonical(z.origin)))
      .sort((x, y) => canonical(y.origin).length - canonical(x.origin).length)[0];
    if (zone === undefined) return { exists: false };
    const owners = zone.records.map((r) => ({ r, owner: absolute(r.name, zone.origin) }));
    const here = owners.filter((o) => o.owner === current).map((o) => o.r);
    const cname = here.find((r) => r.type === 'CNAME');
    if (cname !== undefined) {
      current = absolute(String(cname.data), zone.origin);
      viaCname = true;
      continue;
    }
    const apex = current === canonical(zone.origin);
    // An empty non-terminal exists (RFC 8020 §2): NODATA, not NXDOMAIN.
    const exists = apex || here.length > 0 || owners.some((o) => o.owner.endsWith(`.${current}`));
    if (!exists) return { exists: false };
    const pick = (type: 'A' | 'AAAA', af: number) =>
      [...new Set(here.filter((r) => r.type === type).map((r) => normalAddress(af, String(r.data))))];
    return { exists: true, a: pick('A', AF_INET), aaaa: pick('AAAA', AF_INET6), viaCname };
  }
  return 'loop';
}

/**
 * The outcome for `addrs` found under one name: the addresses; with none, EAI_NODATA when the reply had no answer
 * records (res_query's NO_DATA), and `cnameError` when it held only the CNAME chain (glibc 2.36 measured on this
 * machine in an unshare -rmn namespace against test/dns/glibc/dnsd.py: EAI_NODATA for AF_INET, EAI_NONAME for
 * AF_INET6 and AF_UNSPEC, whose gaih_getanswer says "if the resolver sent a result but it only contains a CNAME
 * while we are looking for a T_A or T_AAAA record, we fail with NOTFOUND").
 */
function outcome(addrs: string[], viaCname: boolean, cnameError: 'EAI_NODATA' | 'EAI_NONAME'): Expected {
  if (addrs.length > 0) return { ok: true, addrs };
  return { ok: false, error: viaCname ? cnameError : 'EAI_NODATA' };
}

/**
 * What getaddrinfo(name, family) must return. With AF_UNSPEC, IPv6 addresses come first: the generated client has
 * no route to either family, so RFC 6724 rule 1 ties and rule 6 (precedence 40 for ::/0 over 35 for ::ffff:0:0/96
 * in glibc's default table) puts AAAA before A — glibc 2.36 did exactly that in the probe namespace with only
 * loopback up (test/dns/glibc/probe.json, gai41). Within one family the zone's order is kept (rule 10).
 */
export function expectedLookup(zones: readonly ZoneData[], name: string, family: number): Expected | 'loop' {
  const z = zoneAnswer(zones, name);
  if (z === 'loop') return 'loop';
  if (!z.exists) return { ok: false, error: 'EAI_NONAME' };
  if (family === AF_INET) return outcome(z.a, z.viaCname, 'EAI_NODATA');
  if (family === AF_INET6) return outcome(z.aaaa, z.viaCname, 'EAI_NONAME');
  return outcome([...z.aaaa, ...z.a], z.viaCname, 'EAI_NONAME');
}

/**
 * What an AF_UNSPEC lookup may return from one of its two replies alone (A's, then AAAA's): after a timeout with
 * the other reply missing, res_send's send_dg hands back the reply it has (single-request mode, res_send.c).
 */
export function partialLookups(zones: readonly ZoneData[], name: string): Expected[] {
  const z = zoneAnswer(zones, name);
  if (z === 'loop') return [];
  if (!z.exists) return [{ ok: false, error: 'EAI_NONAME' }];
  return [outcome(z.a, z.viaCname, 'EAI_NONAME'), outcome(z.aaaa, z.viaCname, 'EAI_NONAME')];
}

/** A stretch of virtual time (ns, inclusive) when something was faulty; `outage` when a host or link was down. */
export interface FaultWindow {
  from: number;
  to: number;
  outage: boolean;
}

/**
 * How long a fault outlives its end at the client: an ARP entry whose multicast probes all went out while the peer
 * was unreachable stays INCOMPLETE, queueing what is sent to it, until retrans_time (1 s, arp(7)) after its last
 * probe, and then drops the queue. Its last probe left at most one round trip before the fault ended, so a packet
 * sent up to 1 s plus a round trip after the end can still be lost; one sent later starts a fresh probe.
 */
export function settleNs(s: ScenarioData): number {
  const oneWay = [...s.links, ...s.faults.flatMap((f) => (f.kind === 'link' ? [f.set] : []))]
    .reduce((m, l) => Math.max(m, (l.latencyMs ?? 0) + (l.jitterMs ?? 0) + (l.reorderDelayMs ?? 0)), 0);
  return ms(1000 + 2 * oneWay);
}

/**
 * The faulty stretches of a run, replayed from the schedule the way the interpreter applies it: a link is faulty
 * while its loss or corruption is above zero, down from a partition that cuts it until a heal, and a host is out
 * from its crash until its restart; each stretch lasts `settleNs` past its end. A stretch still open at the end
 * lasts forever.
 */
export function faultWindows(s: ScenarioData): FaultWindow[] {
  const links = s.links.map((l) => ({ loss: l.loss ?? 0, corrupt: l.corrupt ?? 0, up: true }));
  const down = new Set<string>();
  const out: FaultWindow[] = [];
  let open: FaultWindow | null = null;
  const mark = (atNs: number): void => {
    const outage = down.size > 0 || links.some((l) => !l.up);
    const faulty = outage || links.some((l) => l.loss > 0 || l.corrupt > 0);
    if (open !== null && (!faulty || open.outage !== outage)) {
      open.to = atNs;
      out.push(open);
      open = null;
    }
    if (faulty && open === null) open = { from: atNs, to: Infinity, outage };
  };
  mark(0);
  const schedule = s.faults.map((f, i) => ({ f, i })).sort((x, y) => x.f.at - y.f.at || x.i - y.i).map((x) => x.f);
  for (const f of schedule) {
    apply(f, s, links, down);
    mark(ms(f.at));
  }
  if (open !== null) out.push(open);
  const settle = settleNs(s);
  return out.map((w) => ({ ...w, to: w.to + settle }));
}

/** One fault's effect on the link and host state, as interpret.ts applies it. */
function apply(f: Fault, s: ScenarioData, links: { loss: number; corrupt: number; up: boolean }[], down: Set<string>): void {
  switch (f.kind) {
    case 'link': {
      const l = links[f.link];
      if (l === undefined) return;
      // Only the parameters a fault sets change; the others keep their values (Link.setParams merges).
      if (f.set.loss !== undefined) l.loss = f.set.loss;
      if (f.set.corrupt !== undefined) l.corrupt = f.set.corrupt;
      return;
    }
    case 'partition': {
      const side = new Set(f.hosts);
      s.links.forEach((l, k) => (links[k]!.up = side.has(l.a) === side.has(l.b)));
      return;
    }
    case 'heal':
      for (const l of links) l.up = true;
      return;
    case 'crash':
      down.add(f.host);
      return;
    case 'restart':
      down.delete(f.host);
  }
}

/** Whether [fromNs, toNs] touches a faulty stretch, and whether that includes an outage. */
export function overlap(windows: readonly FaultWindow[], fromNs: number, toNs: number): { faulty: boolean; outage: boolean } {
  const hit = windows.filter((w) => fromNs <= w.to && toNs >= w.from);
  return { faulty: hit.length > 0, outage: hit.some((w) => w.outage) };
}

/** When the last faulty stretch ends (0 when there is none; Infinity when one never ends). */
export function faultsEndNs(windows: readonly FaultWindow[]): number {
  return windows.reduce((m, w) => Math.max(m, w.to), 0);
}
