/**
 * Gallery: a DNS outage and an application that retries. The client's /etc/resolv.conf lists two name servers with
 * "options timeout:1 attempts:2" (resolv.conf(5)). Over the run the primary becomes unreachable (a partition), then
 * the secondary too, then both come back:
 *   - while only the primary is cut off, each lookup waits out one timeout on it and gets its answer from the
 *     secondary (glibc keeps no memory of the dead server between calls, so every lookup pays that second);
 *   - while both are cut off, getaddrinfo gives EAI_AGAIN once every try of every server has timed out, and the
 *     application retries a second later, until the servers are back.
 */
import { AF_INET, SOCK_STREAM } from '../../stack/constants.js';
import { authoritativeServer } from '../../stack/dns/server.js';
import type { Network } from '../../stack/network.js';
import { EAI_AGAIN, gai_strerror } from '../../stack/resolve/gai-errors.js';
import { addrinfoList, getaddrinfo } from '../../stack/resolve/getaddrinfo.js';
import { resolverConfig } from '../../stack/resolve/resolver-config.js';
import type { Sys } from '../../stack/sys.js';
import { ms, sec } from '../../sim/time.js';
import { buildLan } from '../lib/lan.js';
import { exampleZone } from '../lib/zone.js';
import { num, registerScenario, type Params, type ScenarioHooks } from '../registry.js';

const ZONE = exampleZone({ ns1: '10.0.0.53', ns2: '10.0.0.54' }, { api: '10.0.0.80' });

/** One lookup of the application: when it started, each try's outcome, when it ended. */
interface Lookup {
  label: string;
  start: number;
  end: number;
  tries: string[];
  answer: string | null;
}

/** getaddrinfo("api.example.com"), retried every `retryNs` after EAI_AGAIN, at most `maxTries` times. */
async function lookupWithRetry(sys: Sys, label: string, retryNs: number, maxTries: number): Promise<Lookup> {
  const l: Lookup = { label, start: sys.now, end: 0, tries: [], answer: null };
  for (let t = 1; t <= maxTries; t++) {
    const t0 = sys.now;
    const r = await getaddrinfo(sys, 'api.example.com', null, { ai_family: AF_INET, ai_socktype: SOCK_STREAM });
    const took = `${((sys.now - t0) / 1e9).toFixed(3)} s`;
    if (r.ret === 0) {
      l.answer = addrinfoList(r.res).map((a) => a.ai_addr.addr).join(' ');
      l.tries.push(`answer after ${took}`);
      break;
    }
    l.tries.push(`${gai_strerror(r.ret)} after ${took}`);
    if (r.ret !== EAI_AGAIN) break; // only a temporary failure is worth retrying
    await sys.sleep(retryNs);
  }
  l.end = sys.now;
  return l;
}

function build(net: Network, p: Params): ScenarioHooks {
  const lan = buildLan(net, { client: 10, ns1: 53, ns2: 54 }, { latencyNs: ms(1) });
  resolverConfig(lan.client.host).setResolvConf('nameserver 10.0.0.53\nnameserver 10.0.0.54\noptions timeout:1 attempts:2\n');
  lan.ns1.host.spawn('named', authoritativeServer({ zones: [ZONE] }));
  lan.ns2.host.spawn('named', authoritativeServer({ zones: [ZONE] }));
  const sim = net.sim;
  // The outage: the primary is cut off first, then the secondary, then both heal.
  const primaryDown = sec(1), bothDown = sec(5), healed = sec(num(p, 'healAtS'));
  sim.at(primaryDown, () => {
    sim.note('primary name server unreachable');
    net.partition([lan.client.host], [lan.ns1.host]);
  });
  sim.at(bothDown, () => {
    sim.note('secondary name server unreachable too');
    net.partition([lan.client.host], [lan.ns2.host]);
  });
  sim.at(healed, () => {
    sim.note('both name servers reachable again');
    net.heal();
  });
  const lookups: Lookup[] = [];
  lan.client.host.spawn('app', async (sys) => {
    const plan: [string, number][] = [['before the outage', ms(100)], ['primary down', sec(2)], ['both down', sec(6)], ['after the outage', healed + sec(3)]];
    for (const [label, at] of plan) {
      if (sys.now < at) await sys.sleep(at - sys.now);
      lookups.push(await lookupWithRetry(sys, label, sec(1), num(p, 'maxTries')));
    }
    sim.stop('the application is done'); // the name servers would serve forever
    return 0;
  });
  const s = (t: number): string => `${(t / 1e9).toFixed(3)} s`;
  const took = (l: Lookup): number => l.end - l.start;
  return {
    summary: () => lookups.map((l) => `${l.label} (at ${s(l.start)}): ${l.tries.join('; ')} -> ${l.answer ?? 'gave up'} at ${s(l.end)}`),
    ok: () => {
      const [before, primary, both, after] = lookups;
      if (!before || !primary || !both || !after || lookups.some((l) => l.answer !== '10.0.0.80')) return false;
      return took(before) < ms(50) && took(primary) >= sec(1) && took(primary) < sec(1.1) && both.tries.length >= 2
        && both.tries[0]!.startsWith(gai_strerror(EAI_AGAIN)) && both.end > healed && took(after) < ms(50);
    },
  };
}

registerScenario({
  name: 'dns-outage',
  description: 'gallery: the primary then both name servers go dark; lookups fall back, fail with EAI_AGAIN, and retry',
  defaults: { healAtS: 12.5, maxTries: 10 },
  maxTimeNs: 600e9,
  build,
});
