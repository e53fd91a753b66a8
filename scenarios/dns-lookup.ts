/**
 * The built-in DNS scenario: clients behind lossy links resolve names through a recursive caching resolver that
 * walks a simulated root, com. and example.com (scenarios/dns-world.ts). Each client runs glibc's stub resolver:
 * getaddrinfo for an A/AAAA name, a CNAME, a name whose answer needs TCP (TC over UDP), a name that does not exist,
 * a repeat lookup the cache answers, and a reverse lookup with getnameinfo. The run stops when every client is done.
 */
import { ms } from '../sim/time.js';
import { AF_INET, AF_UNSPEC, SOCK_STREAM } from '../stack/constants.js';
import type { Network } from '../stack/network.js';
import { inet } from '../stack/sockaddr.js';
import type { Sys } from '../stack/sys.js';
import { EAI_NONAME, gai_strerror } from '../stack/resolve/gai-errors.js';
import { addrinfoList, getaddrinfo } from '../stack/resolve/getaddrinfo.js';
import { getnameinfo } from '../stack/resolve/getnameinfo.js';
import { NI_NAMEREQD } from '../stack/resolve/netdb-constants.js';
import { buildDnsWorld, MANY_COUNT } from './dns-world.js';
import { num, registerScenario, type Params, type ScenarioHooks } from './registry.js';

/** One lookup a client makes and what glibc would return for it. */
interface Step {
  readonly what: string;
  readonly run: (sys: Sys) => Promise<string>;
  readonly expect: string;
}

/** getaddrinfo's addresses as one line, or the error text. */
async function gai(sys: Sys, name: string, family: number): Promise<string> {
  const r = await getaddrinfo(sys, name, null, { ai_family: family, ai_socktype: SOCK_STREAM });
  return r.ret === 0 ? addrinfoList(r.res).map((a) => a.ai_addr.addr).join(' ') : `error ${r.ret} (${gai_strerror(r.ret)})`;
}

const STEPS: readonly Step[] = [
  { what: 'www.example.com A+AAAA', run: (s) => gai(s, 'www.example.com', AF_UNSPEC), expect: '192.0.2.80 192.0.2.81 2001:db8::80' },
  { what: 'alias.example.com (CNAME)', run: (s) => gai(s, 'alias.example.com', AF_INET), expect: '192.0.2.80 192.0.2.81' },
  { what: 'many.example.com (TC, then TCP)', run: async (s) => String((await gai(s, 'many.example.com', AF_INET)).split(' ').length), expect: String(MANY_COUNT) },
  { what: 'nx.example.com', run: (s) => gai(s, 'nx.example.com', AF_INET), expect: `error ${EAI_NONAME} (${gai_strerror(EAI_NONAME)})` },
  { what: 'www.example.com again (cache)', run: (s) => gai(s, 'www.example.com', AF_INET), expect: '192.0.2.80 192.0.2.81' },
  {
    what: 'getnameinfo 192.0.2.80 (PTR)',
    run: async (s) => {
      const r = await getnameinfo(s, inet('192.0.2.80', 80), null, 1025, 32, NI_NAMEREQD);
      return r.ret === 0 ? `${r.host} ${r.serv}` : `error ${r.ret}`;
    },
    expect: 'www.example.com http',
  },
];

function build(net: Network, p: Params): ScenarioHooks {
  const clients = num(p, 'clients');
  const w = buildDnsWorld(net, {
    clients,
    clientLink: { latencyNs: ms(num(p, 'latencyMs')), loss: num(p, 'loss') },
    serverLink: { latencyNs: ms(num(p, 'latencyMs')) },
    resolvConfExtra: `options timeout:${num(p, 'timeout')} attempts:${num(p, 'attempts')}\n`,
    edns: p.edns !== false,
  });
  const results: { client: number; what: string; got: string; expect: string; ms: number }[] = [];
  let finished = 0;
  w.clients.forEach((c, i) => {
    c.spawn(`app${i + 1}`, async (sys) => {
      for (const step of STEPS) {
        const t0 = sys.now;
        const got = await step.run(sys);
        results.push({ client: i + 1, what: step.what, got, expect: step.expect, ms: (sys.now - t0) / 1e6 });
      }
      if (++finished === clients) net.sim.stop('every client finished its lookups');
    }, ms(100 * (i + 1)));
  });
  return {
    summary: () => [
      ...results.map((r) => `client${r.client}: ${r.what}: ${r.got} (${r.ms} ms)${r.got === r.expect ? '' : ` — expected ${r.expect}`}`),
      `resolver: ${w.resolverStats.upstreamQueries} upstream queries, ${w.resolverStats.upstreamTimeouts} timeouts, ${w.resolverStats.cacheAnswers} answers from cache, `
        + `${w.resolverFront.truncated} truncated UDP replies, ${w.resolverFront.tcpQueries} TCP queries`,
    ],
    ok: () => results.length === clients * STEPS.length && results.every((r) => r.got === r.expect),
    artifact: results,
  };
}

registerScenario({
  name: 'dns-lookup',
  description: 'clients resolve names (A/AAAA, CNAME, TC→TCP, NXDOMAIN, cache, PTR) through a recursive resolver over lossy links',
  defaults: { clients: 2, loss: 0.1, latencyMs: 5, timeout: 2, attempts: 4, edns: false },
  build,
});
