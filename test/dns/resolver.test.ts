/**
 * Lookups through the simulated DNS (scenarios/dns-world.ts: root, com./arpa, example.com and a recursive caching
 * resolver) from glibc's stub resolver model, over ordinary simulated UDP and TCP.
 *
 * The timing expectations are glibc 2.36's res_send rules, measured on the real machine (probe.json "timing":
 * blackhole-*, default-blackhole-unspec): each server is waited on for (timeout << ns) / nscount seconds (ns > 0),
 * at least 1, over `attempts` rounds; a query lost on the way is sent again with the same ID when that time is up.
 */
import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { MANY_COUNT, WWW_TTL, buildDnsWorld, type DnsWorld, type DnsWorldOptions } from '../../scenarios/dns-world.js';
import { AF_INET, AF_UNSPEC, SOCK_STREAM } from '../../stack/constants.js';
import { Network } from '../../stack/network.js';
import { EAI_AGAIN, EAI_NODATA, EAI_NONAME } from '../../stack/resolve/gai-errors.js';
import { addrinfoList, getaddrinfo } from '../../stack/resolve/getaddrinfo.js';
import type { Sys } from '../../stack/sys.js';
import { EV_SYSCALL, EV_TX } from '../../stack/events.js';
import type { SimEvent } from '../../sim/events.js';
import { FrameCounter } from './helpers.js';

const S = 1e9;

/** One lookup's outcome: return value, addresses, and the virtual time it took. */
interface Lookup {
  ret: number;
  addrs: string[];
  tookNs: number;
  startNs: number;
}

/** Runs `body` on client1 of a fresh DNS world (at t = 1 s) and stops the run when it returns. */
async function inWorld(opts: DnsWorldOptions & { seed?: number }, body: (sys: Sys, w: DnsWorld, frames: FrameCounter) => Promise<void>,
  sink?: { push(ev: SimEvent): void }): Promise<{ w: DnsWorld; frames: FrameCounter }> {
  const frames = new FrameCounter();
  const sim = new Sim({ seed: opts.seed ?? 1, maxTimeNs: 600 * S, sink: { push: (ev) => (frames.push(ev), sink?.push(ev)) } });
  const w = buildDnsWorld(new Network(sim), opts);
  let error: unknown = null;
  w.clients[0]!.spawn('app', async (sys) => {
    try {
      await body(sys, w, frames);
    } catch (e) {
      error = e;
    }
    sim.stop('test done');
  }, S);
  const r = await sim.run();
  if (error !== null) throw error;
  if (r.status !== 'stopped') throw new Error(`run ended ${r.status}: ${r.message}`);
  return { w, frames };
}

/** getaddrinfo(name, NULL, {family, SOCK_STREAM}) with its timing. */
async function lookup(sys: Sys, name: string, family = AF_INET): Promise<Lookup> {
  const startNs = sys.now;
  const r = await getaddrinfo(sys, name, null, { ai_family: family, ai_socktype: SOCK_STREAM });
  return { ret: r.ret, addrs: addrinfoList(r.res).map((a) => a.ai_addr.addr), tookNs: sys.now - startNs, startNs };
}

/** The DNS queries (UDP to port 53) client1 sent: the send(2) times of its app, and the IDs on the wire. */
class ClientQueries {
  readonly sent: { t: number; id: number }[] = [];
  readonly sendCalls: number[] = [];
  push(ev: SimEvent): void {
    if (ev[0] === EV_SYSCALL && ev[3] === 'send' && (ev[5] as number) > 0) this.sendCalls.push(ev[1] as number);
    if (ev[0] !== EV_TX || ev[3] !== 'client1:eth0') return;
    const f = ev[5] as Uint8Array;
    // Ethernet (14) + IPv4 (IHL) + UDP (8): destination port 53, then the DNS header.
    if (f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 17) return;
    const ihl = (f[14]! & 0xf) * 4;
    const udp = 14 + ihl;
    if (((f[udp + 2]! << 8) | f[udp + 3]!) !== 53) return;
    this.sent.push({ t: ev[1] as number, id: (f[udp + 8]! << 8) | f[udp + 9]! });
  }
}

describe('retries over a lossy link', () => {
  test('a lookup through a resolver behind a link with 30 % loss succeeds by retrying (same ID, after timeout)', async () => {
    // Find a seed whose first query (or its answer) is lost: glibc then has to retry after the 5 s timeout.
    for (let seed = 1; seed <= 60; seed++) {
      const q = new ClientQueries();
      let result: Lookup | null = null;
      await inWorld({ seed, clientLink: { latencyNs: 1_000_000, loss: 0.3 } }, async (sys) => {
        result = await lookup(sys, 'www.example.com');
      }, q);
      const r = result as Lookup | null;
      if (r === null || q.sent.length < 2 || r.ret !== 0) continue;
      // glibc retransmits the same query buffer (same ID) exactly `timeout` (5 s) after the first send(2). (The
      // frames may leave later than the calls: the link's ARP exchange can be lost too.)
      expect(q.sent[1]!.id).toBe(q.sent[0]!.id);
      expect(q.sendCalls[1]! - q.sendCalls[0]!).toBe(5 * S);
      expect(r.addrs).toEqual(['192.0.2.80', '192.0.2.81']);
      expect(r.tookNs).toBeGreaterThan(5 * S);
      return;
    }
    throw new Error('no seed in 1..60 needed a retry and then succeeded');
  });
});

describe('retries upstream', () => {
  test('with 30 % loss between the resolver and the servers, the resolver retries (800 ms per try) and mostly answers', async () => {
    let ok = 0, timeouts = 0;
    for (const seed of [1, 2, 3]) {
      const results: number[] = [];
      const { w } = await inWorld({ seed, serverLink: { latencyNs: 2_000_000, loss: 0.3 }, resolvConfExtra: 'options attempts:3\n' }, async (sys) => {
        results.push((await lookup(sys, 'www.example.com')).ret, (await lookup(sys, 'mail.example.com')).ret);
      });
      timeouts += w.resolverStats.upstreamTimeouts;
      ok += results.filter((r) => r === 0).length;
      // A resolution whose server never answered twice in a row ends in SERVFAIL, which glibc turns into EAI_AGAIN
      // (probe.json servfail-unspec): that is the only failure allowed.
      for (const r of results) if (r !== 0) expect([r, w.resolverStats.servfails > 0]).toEqual([EAI_AGAIN, true]);
    }
    expect(ok).toBeGreaterThanOrEqual(4);
    // Some upstream query or its answer was lost and sent again (RFC 1034 §5.3.3 step 4).
    expect(timeouts).toBeGreaterThan(0);
  });
});

describe('a dead resolver: EAI_AGAIN after exactly timeout × attempts of virtual time', () => {
  /**
   * The resolver host crashes. `pinned`: the client has static neighbour entries for the name servers (`ip neigh add
   * … nud permanent`), so queries simply vanish and only glibc's timeouts end the lookup — the probe's blackhole
   * case. Without them ARP fails instead (see the next describe).
   */
  const dead = async (resolvConfExtra: string, family: number, servers = 1, pinned = true): Promise<Lookup> => {
    let r: Lookup | null = null;
    await inWorld({ resolvConfExtra }, async (sys, w) => {
      if (servers > 1) {
        // More nameservers, all on the dead resolver's subnet.
        const { resolverConfig } = await import('../../stack/resolve/resolver-config.js');
        resolverConfig(w.clients[0]!).setResolvConf(`nameserver 10.0.1.1\nnameserver 10.0.1.3\n${resolvConfExtra}`);
      }
      if (pinned) {
        const c = w.clients[0]!;
        const ifc = c.interfaces.find((i) => !i.loopback)!;
        const mac = w.resolver.interfaces.find((i) => !i.loopback)!.mac;
        for (const ip of [0x0a000101, 0x0a000103]) c.ipv4.arp.table.addPermanent(ifc, ip, String(ip), mac);
      }
      w.resolver.crash();
      r = await lookup(sys, 'www.example.com', family);
    });
    return r as unknown as Lookup;
  };

  test('defaults (timeout 5, attempts 2): 10 s, for AF_INET and for the parallel A/AAAA pair (AF_UNSPEC)', async () => {
    // probe.json default-blackhole-unspec: glibc took 10.008 s with queries at 0 and 5.008 s.
    for (const family of [AF_INET, AF_UNSPEC]) {
      const r = await dead('', family);
      expect(r.ret).toBe(EAI_AGAIN);
      expect(r.tookNs).toBe(10 * S);
    }
  });

  test('options timeout:1 attempts:3 gives 3 s', async () => {
    const r = await dead('options timeout:1 attempts:3\n', AF_INET);
    expect(r.ret).toBe(EAI_AGAIN);
    expect(r.tookNs).toBe(3 * S);
  });

  test('two nameservers, timeout:3 attempts:2: (3 + (3<<1)/2) × 2 = 12 s', async () => {
    const r = await dead('options timeout:3 attempts:2\n', AF_INET, 2);
    expect(r.ret).toBe(EAI_AGAIN);
    expect(r.tookNs).toBe(12 * S);
  });

  test('no neighbour entry: ARP gives up after 3 s and the host-unreachable error ends each try early (IP_RECVERR)', async () => {
    // Linux 6.18 + glibc 2.36, a veth whose peer never answers ARP, nameservers on its subnet: 6.12 s with the
    // defaults and 6.07 s with two servers and timeout:3 attempts:2. glibc's socket has IP_RECVERR, so the local
    // ICMP host unreachable (arp_error_report) is a POLLERR after the 3 s of ARP probes, and send_dg moves on.
    for (const family of [AF_INET, AF_UNSPEC]) {
      const r = await dead('', family, 1, false);
      expect(r.ret).toBe(EAI_AGAIN);
      expect(Math.round(r.tookNs / 1e6)).toBe(6000);
    }
    const two = await dead('options timeout:3 attempts:2\n', AF_INET, 2, false);
    expect(two.ret).toBe(EAI_AGAIN);
    expect(Math.round(two.tookNs / 1e6)).toBe(6000);
  });
});

describe('negative answers', () => {
  test('a name that does not exist gives EAI_NONAME; a name without addresses gives EAI_NODATA', async () => {
    const out: number[] = [];
    await inWorld({}, async (sys) => {
      out.push((await lookup(sys, 'nx.example.com')).ret, (await lookup(sys, 'nx.example.com', AF_UNSPEC)).ret);
      out.push((await lookup(sys, 'txtonly.example.com')).ret, (await lookup(sys, 'txtonly.example.com', AF_UNSPEC)).ret);
    });
    // glibc 2.36 (probe.json gai53/gai54/gai51): NXDOMAIN is EAI_NONAME, NODATA is EAI_NODATA.
    expect(out).toEqual([EAI_NONAME, EAI_NONAME, EAI_NODATA, EAI_NODATA]);
  });
});

describe('the resolver cache (TTLs in virtual time)', () => {
  test('a repeat lookup is answered without upstream traffic until the TTL expires', async () => {
    const counts: Record<string, number> = {};
    await inWorld({}, async (sys, w, frames) => {
      // DNS frames only: ARP refreshes on the links are not DNS traffic.
      const [rootLink, tldLink, authLink] = w.upstreamLinks as [string, string, string];
      const snap = () => ({ up: frames.on(w.upstreamLinks), root: frames.on([rootLink]), tld: frames.on([tldLink]), auth: frames.on([authLink]) });
      const a = await lookup(sys, 'www.example.com');
      const s1 = snap();
      counts.firstUpstream = s1.up;
      await sys.sleep(10 * S);
      const b = await lookup(sys, 'www.example.com');
      const s2 = snap();
      counts.repeatUpstream = s2.up - s1.up;
      counts.repeatCacheAnswers = w.resolverStats.cacheAnswers;
      // Past the 30 s TTL of www.example.com (counted from the first answer, 1 s into the run).
      await sys.sleep(a.startNs + (WWW_TTL + 1) * S - sys.now);
      const c = await lookup(sys, 'www.example.com');
      const s3 = snap();
      counts.expiredRoot = s3.root - s2.root;
      counts.expiredTld = s3.tld - s2.tld;
      counts.expiredAuth = s3.auth - s2.auth;
      expect([a.ret, b.ret, c.ret]).toEqual([0, 0, 0]);
      expect(b.addrs).toEqual(a.addrs);
    });
    expect(counts.firstUpstream).toBeGreaterThan(0);
    expect(counts.repeatUpstream).toBe(0);
    expect(counts.repeatCacheAnswers).toBe(1);
    // After expiry only the example.com server is asked again: the delegations' TTLs (172800 s) have not run out.
    expect(counts.expiredRoot).toBe(0);
    expect(counts.expiredTld).toBe(0);
    expect(counts.expiredAuth).toBeGreaterThan(0);
  });

  test('a negative answer is cached for min(SOA TTL, MINIMUM) = 300 s (RFC 2308 §5)', async () => {
    const upstream: number[] = [];
    await inWorld({}, async (sys, w, frames) => {
      for (const wait of [0, 100 * S, 201 * S]) {
        await sys.sleep(wait);
        const before = frames.on(w.upstreamLinks);
        expect((await lookup(sys, 'nx.example.com')).ret).toBe(EAI_NONAME);
        upstream.push(frames.on(w.upstreamLinks) - before);
      }
    });
    expect(upstream[0]).toBeGreaterThan(0);
    expect(upstream[1]).toBe(0);
    expect(upstream[2]).toBeGreaterThan(0);
  });
});

describe('truncation and TCP fallback', () => {
  test('a reply over 512 octets is truncated over UDP and fetched over TCP, on both hops', async () => {
    const tcpToResolver: number[] = [];
    const { w } = await inWorld({ edns: false }, async (sys) => {
      const r = await lookup(sys, 'many.example.com');
      expect(r.ret).toBe(0);
      expect(r.addrs).toHaveLength(MANY_COUNT);
      expect(r.addrs[0]).toBe('198.51.100.1');
    }, {
      push: (ev) => {
        if (ev[0] !== EV_TX || ev[3] !== 'client1:eth0') return;
        const f = ev[5] as Uint8Array;
        if (f[12] === 0x08 && f[13] === 0x00 && f[23] === 6) tcpToResolver.push(ev[1] as number);
      },
    });
    // The resolver cut its UDP answer to glibc (no EDNS: 512 octets) and set TC; glibc asked again over TCP.
    expect(w.resolverFront.truncated).toBeGreaterThanOrEqual(1);
    expect(w.resolverFront.tcpQueries).toBeGreaterThanOrEqual(1);
    expect(tcpToResolver.length).toBeGreaterThan(0);
    // Without EDNS upstream, the example.com server truncated too and the resolver retried over TCP.
    expect(w.authFront.truncated).toBeGreaterThanOrEqual(1);
    expect(w.authFront.tcpQueries).toBeGreaterThanOrEqual(1);
  });
});
