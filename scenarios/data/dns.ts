/**
 * The optional DNS service of scenario data (schema.ts `DnsSpec`). On the resolver host it runs two daemons:
 *
 * - an authoritative server for the scenario's zones on 127.0.0.2 (plus a root zone of its own when none is given,
 *   so a name outside every zone gets NXDOMAIN from the root, as on the Internet);
 * - a recursive caching resolver whose root hint is that server, listening on 127.0.0.1 and on each of the host's
 *   link addresses (one socket per address, as BIND's listen-on binds every interface address).
 *
 * Each client's resolv.conf names the resolver's address on a subnet the two share and carries its options
 * (resolv.conf(5): search, options timeout/attempts/ndots). A crashed resolver host comes back with both daemons
 * started again (as its init system would at boot) and an empty cache. The daemons never exit by themselves, so the
 * run stops once every scenario process has exited.
 */
import { ms } from '../../sim/time.js';
import type { Sim } from '../../sim/sim.js';
import { DnsCache } from '../../stack/dns/cache.js';
import { recursiveServer } from '../../stack/dns/recursive.js';
import { authoritativeServer } from '../../stack/dns/server.js';
import type { ZoneData } from '../../stack/dns/zone.js';
import type { Host } from '../../stack/host.js';
import { resolverConfig } from '../../stack/resolve/resolver-config.js';
import { ipv4ToString } from '../../stack/wire/addr.js';
import type { DnsClientSpec, DnsSpec, Fault } from './schema.js';

/** Where the authoritative server listens on the resolver host (a loopback address, reached only from there). */
export const DNS_AUTH_ADDR = '127.0.0.2';

/** The root zone the authoritative server adds when the scenario gives none: "." with its own name server. */
export function rootZone(): ZoneData {
  return {
    origin: '.',
    ttl: 86400,
    soa: { mname: 'a.root-servers.net.', rname: 'nstld.verisign-grs.com.', minimum: 86400, ttl: 86400 },
    records: [
      { name: '@', type: 'NS', data: 'a.root-servers.net.' },
      { name: 'a.root-servers.net.', type: 'A', data: DNS_AUTH_ADDR },
    ],
  };
}

/** The zones the authoritative server loads: the scenario's, and the root unless the scenario has one. */
export function servedZones(dns: DnsSpec): ZoneData[] {
  const hasRoot = dns.zones.some((z) => z.origin === '.');
  return hasRoot ? dns.zones : [...dns.zones, rootZone()];
}

/** The resolv.conf lines of a client's options (resolv.conf(5)); empty when it sets none. */
export function clientResolvConfLines(c: DnsClientSpec): string {
  const lines: string[] = [];
  if (c.search !== undefined && c.search.length > 0) lines.push(`search ${c.search.join(' ')}`);
  const opts: string[] = [];
  if (c.timeout !== undefined) opts.push(`timeout:${c.timeout}`);
  if (c.attempts !== undefined) opts.push(`attempts:${c.attempts}`);
  if (c.ndots !== undefined) opts.push(`ndots:${c.ndots}`);
  if (opts.length > 0) lines.push(`options ${opts.join(' ')}`);
  return lines.map((l) => `${l}\n`).join('');
}

/** A host's non-loopback IPv4 addresses with their prefix lengths, in interface order. */
function linkAddresses(h: Host): { addr: number; prefixLen: number }[] {
  return h.interfaces.filter((i) => !i.loopback).flatMap((i) => i.ipv4.map((a) => ({ addr: a.addr, prefixLen: a.prefixLen })));
}

/** The resolver's address as `client` should use it: on a subnet they share, else its first link address. */
export function resolverAddressFor(resolver: Host, client: Host): string {
  if (resolver === client) return '127.0.0.1';
  const mine = linkAddresses(resolver);
  const theirs = linkAddresses(client);
  const mask = (p: number) => (p === 0 ? 0 : (~0 << (32 - p)) >>> 0);
  const shared = mine.find((m) => theirs.some((t) => t.prefixLen === m.prefixLen && ((m.addr ^ t.addr) & mask(m.prefixLen)) >>> 0 === 0));
  const pick = shared ?? mine[0];
  if (pick === undefined) throw new Error(`dns: resolver host ${resolver.name} has no link address for client ${client.name}`);
  return ipv4ToString(pick.addr);
}

/**
 * Starts the DNS service of a scenario: configures the clients, spawns the daemons now and again after each restart
 * of the resolver host, and stops the run when the scenario's own processes (those spawned before this call) have
 * all exited. Call it after the interpreter has scheduled the fault schedule, so a restart at time t has happened
 * when the daemons are started again at t.
 */
export function startDns(sim: Sim, hosts: ReadonlyMap<string, Host>, dns: DnsSpec, faults: readonly Fault[]): void {
  const resolver = hosts.get(dns.resolver);
  if (resolver === undefined) throw new Error(`dns: no host named "${dns.resolver}"`);
  for (const [name, spec] of Object.entries(dns.clients ?? {})) {
    const client = hosts.get(name);
    if (client === undefined) throw new Error(`dns: no client host named "${name}"`);
    const conf = resolverConfig(client);
    conf.setNameservers([resolverAddressFor(resolver, client)]);
    const extra = clientResolvConfLines(spec);
    if (extra !== '') conf.setResolvConf(conf.resolvConfText + (conf.resolvConfText === '' || conf.resolvConfText.endsWith('\n') ? '' : '\n') + extra);
  }

  const scenarioProcs = [...sim.processes()];
  const zones = servedZones(dns);
  const listen = ['127.0.0.1', ...linkAddresses(resolver).map((a) => ipv4ToString(a.addr))];
  const boot = (): void => {
    resolver.spawn('named-auth', authoritativeServer({ zones, address: DNS_AUTH_ADDR }));
    // One cache per boot, shared by the per-address front ends: a restarted resolver starts cold.
    const cache = new DnsCache();
    for (const address of listen) {
      resolver.spawn(`resolver-${address}`, recursiveServer({ address, cache, rootHints: [{ name: 'a.root-servers.net.', addresses: [DNS_AUTH_ADDR] }] }));
    }
  };
  boot();
  let bootGeneration = resolver.generation;
  for (const f of faults) {
    if (f.kind !== 'restart' || f.host !== dns.resolver) continue;
    sim.at(ms(f.at), () => {
      // Only a host that really came back (a restart of a running host is a no-op) boots its daemons again.
      if (!resolver.up || resolver.generation === bootGeneration) return;
      bootGeneration = resolver.generation;
      boot();
    });
  }

  // The daemons keep the run going forever; the scenario is over when its own processes are.
  const stopWhenDone = (): void => {
    if (scenarioProcs.every((p) => !p.alive)) sim.stop('every process has exited');
  };
  for (const p of scenarioProcs) p.exitHooks.push(stopWhenDone);
}
