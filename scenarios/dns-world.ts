/**
 * A small DNS world for scenarios and tests: a root server, a com./in-addr.arpa. server, the example.com server and a
 * recursive resolver, each server on its own link to the resolver, and client hosts behind the resolver on links of
 * their own. Clients' /etc/resolv.conf points at the resolver.
 *
 *   root 198.41.0.4 ─┐
 *   tld  192.5.6.30 ─┼─ resolver (.1 on each server link; 10.0.i.1 towards client i) ── client i 10.0.i.2
 *   auth 192.0.2.53 ─┘
 */
import { DnsCache } from '../stack/dns/cache.js';
import { newResolverStats, recursiveServer, type ResolverStats } from '../stack/dns/recursive.js';
import { authoritativeServer, newServerStats, type ServerStats } from '../stack/dns/server.js';
import type { ZoneData } from '../stack/dns/zone.js';
import type { Host } from '../stack/host.js';
import type { LinkParams } from '../stack/faults.js';
import type { Network } from '../stack/network.js';
import { resolverConfig } from '../stack/resolve/resolver-config.js';

/** Server addresses. */
export const ROOT_ADDR = '198.41.0.4', TLD_ADDR = '192.5.6.30', AUTH_ADDR = '192.0.2.53';

/** The address of "many.example.com": 40 A records, 674 octets with names compressed, too big for 512 without EDNS. */
export const MANY_COUNT = 40;

/** TTL of www.example.com in seconds (short, so cache expiry is quick to show). */
export const WWW_TTL = 30;

/** The root zone: com. and in-addr.arpa. go to the TLD server. */
export const ROOT_ZONE: ZoneData = {
  origin: '.',
  ttl: 518400,
  soa: { mname: 'a.root-servers.net.', rname: 'nstld.verisign-grs.com.', minimum: 86400, ttl: 86400 },
  records: [
    { name: '@', type: 'NS', data: 'a.root-servers.net.' },
    { name: 'a.root-servers.net.', type: 'A', data: ROOT_ADDR },
    { name: 'com.', type: 'NS', data: 'a.gtld-servers.net.', ttl: 172800 },
    { name: 'net.', type: 'NS', data: 'a.gtld-servers.net.', ttl: 172800 },
    { name: 'in-addr.arpa.', type: 'NS', data: 'a.gtld-servers.net.', ttl: 172800 },
    { name: 'a.gtld-servers.net.', type: 'A', data: TLD_ADDR, ttl: 172800 },
  ],
};

/** com.: example.com with in-domain glue. */
export const COM_ZONE: ZoneData = {
  origin: 'com.',
  ttl: 172800,
  soa: { mname: 'a.gtld-servers.net.', rname: 'nstld.verisign-grs.com.', minimum: 900, ttl: 900 },
  records: [
    { name: '@', type: 'NS', data: 'a.gtld-servers.net.' },
    { name: 'example', type: 'NS', data: 'ns1.example.com.' },
    { name: 'ns1.example', type: 'A', data: AUTH_ADDR },
  ],
};

/** in-addr.arpa.: 2.0.192.in-addr.arpa goes to the example.com server. */
export const ARPA_ZONE: ZoneData = {
  origin: 'in-addr.arpa.',
  ttl: 172800,
  soa: { mname: 'a.gtld-servers.net.', rname: 'nstld.verisign-grs.com.', minimum: 900, ttl: 900 },
  records: [
    { name: '@', type: 'NS', data: 'a.gtld-servers.net.' },
    { name: '2.0.192', type: 'NS', data: 'ns1.example.com.' },
  ],
};

/** example.com, served by the authoritative server. */
export const EXAMPLE_ZONE: ZoneData = {
  origin: 'example.com.',
  ttl: 3600,
  soa: { mname: 'ns1.example.com.', rname: 'hostmaster.example.com.', minimum: 300, ttl: 3600 },
  records: [
    { name: '@', type: 'NS', data: 'ns1' },
    { name: 'ns1', type: 'A', data: AUTH_ADDR },
    { name: 'www', type: 'A', data: '192.0.2.80', ttl: WWW_TTL },
    { name: 'www', type: 'A', data: '192.0.2.81', ttl: WWW_TTL },
    { name: 'www', type: 'AAAA', data: '2001:db8::80', ttl: WWW_TTL },
    { name: 'alias', type: 'CNAME', data: 'www' },
    { name: 'v4only', type: 'A', data: '192.0.2.4' },
    { name: 'v6only', type: 'AAAA', data: '2001:db8::6' },
    { name: 'mail', type: 'A', data: '192.0.2.25' },
    { name: 'txtonly', type: 'TXT', data: 'no address here' },
    { name: '@', type: 'MX', data: { preference: 10, exchange: 'mail' } },
    { name: '_sip._udp', type: 'SRV', data: { priority: 1, weight: 5, port: 5060, target: 'mail' } },
    ...Array.from({ length: MANY_COUNT }, (_, i) => ({ name: 'many', type: 'A' as const, data: `198.51.100.${i + 1}` })),
  ],
};

/** 2.0.192.in-addr.arpa: PTR records for the example.com hosts. */
export const REVERSE_ZONE: ZoneData = {
  origin: '2.0.192.in-addr.arpa.',
  ttl: 3600,
  soa: { mname: 'ns1.example.com.', rname: 'hostmaster.example.com.', minimum: 300, ttl: 3600 },
  records: [
    { name: '@', type: 'NS', data: 'ns1.example.com.' },
    { name: '80', type: 'PTR', data: 'www.example.com.' },
    { name: '25', type: 'PTR', data: 'mail.example.com.' },
  ],
};

/** Parameters of the world. */
export interface DnsWorldOptions {
  /** Number of client hosts (default 1). */
  clients?: number;
  /** Link faults between each client and the resolver. */
  clientLink?: Partial<LinkParams>;
  /** Link faults between the resolver and each server. */
  serverLink?: Partial<LinkParams>;
  /** Extra resolv.conf lines for the clients ("options timeout:1 attempts:3", "search example.com"). */
  resolvConfExtra?: string;
  /** Serve TCP where the stack supports it (default true). */
  tcp?: boolean;
  /** Upstream EDNS0 from the resolver (default true). */
  edns?: boolean;
  /** Stop the servers at this virtual time (default: never; scenarios stop the run instead). */
  stopAtNs?: number;
}

/** The built world: hosts, the resolver's cache and counters. */
export interface DnsWorld {
  root: Host;
  tld: Host;
  auth: Host;
  resolver: Host;
  clients: Host[];
  /** The resolver's cache. */
  cache: DnsCache;
  resolverStats: ResolverStats;
  /** Front-end counters of the resolver and of the example.com server. */
  resolverFront: ServerStats;
  authFront: ServerStats;
  /** The link names between the resolver and the servers (for counting upstream frames). */
  upstreamLinks: string[];
}

/** Builds the world on `net` and starts the server processes at time 0. */
export function buildDnsWorld(net: Network, o: DnsWorldOptions = {}): DnsWorld {
  const serverLink = { latencyNs: 2_000_000, ...o.serverLink };
  const root = net.addHost('root'), tld = net.addHost('tld'), auth = net.addHost('auth'), resolver = net.addHost('resolver');
  const upstreamLinks = [
    net.connect(resolver, root, serverLink, { a: { ipv4: '198.41.0.1/24' }, b: { ipv4: `${ROOT_ADDR}/24` } }).name,
    net.connect(resolver, tld, serverLink, { a: { ipv4: '192.5.6.1/24' }, b: { ipv4: `${TLD_ADDR}/24` } }).name,
    net.connect(resolver, auth, serverLink, { a: { ipv4: '192.0.2.1/24' }, b: { ipv4: `${AUTH_ADDR}/24` } }).name,
  ];
  const clients: Host[] = [];
  for (let i = 1; i <= (o.clients ?? 1); i++) {
    const c = net.addHost(`client${i}`);
    const link = net.connect(resolver, c, { latencyNs: 1_000_000, ...o.clientLink }, { a: { ipv4: `10.0.${i}.1/24` }, b: { ipv4: `10.0.${i}.2/24` } });
    // A default route via the resolver host, as a client's DHCP lease would give it (it also makes the example.com
    // addresses reachable for getaddrinfo's source-address checks, RFC 3484 rule 1).
    const eth = c.interfaces.find((x) => link.name.endsWith(`${c.name}:${x.name}`));
    if (eth !== undefined) c.ipv4.routes.add({ dest: 0, prefixLen: 0, gateway: (10 << 24) | (i << 8) | 1, iface: eth });
    resolverConfig(c).setResolvConf(`nameserver 10.0.${i}.1\n${o.resolvConfExtra ?? ''}`);
    clients.push(c);
  }
  const tcp = o.tcp ?? true;
  const common = { tcp, ...(o.stopAtNs === undefined ? {} : { stopAtNs: o.stopAtNs }) };
  root.spawn('named-root', authoritativeServer({ ...common, zones: [ROOT_ZONE] }));
  tld.spawn('named-tld', authoritativeServer({ ...common, zones: [COM_ZONE, ARPA_ZONE] }));
  const authFront = newServerStats();
  auth.spawn('named-auth', authoritativeServer({ ...common, zones: [EXAMPLE_ZONE, REVERSE_ZONE], stats: authFront }));
  const cache = new DnsCache();
  const resolverStats = newResolverStats();
  const resolverFront = newServerStats();
  resolver.spawn('unbound', recursiveServer({
    ...common, rootHints: [{ name: 'a.root-servers.net.', addresses: [ROOT_ADDR] }], cache, resolverStats,
    stats: resolverFront, edns: o.edns ?? true,
  }));
  return { root, tld, auth, resolver, clients, cache, resolverStats, resolverFront, authFront, upstreamLinks };
}
