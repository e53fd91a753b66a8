/**
 * Per-host resolver configuration (/etc/resolv.conf, /etc/hosts, host.dnsServers) set from the topology or at
 * runtime, and how a running process picks changes up: glibc 2.36 reloads a changed resolv.conf at the next lookup
 * (resolv/resolv_context.c maybe_init), except after send_dg switched the process to single-request mode, whose
 * changed options no longer match the file's ("Do not override those changes"), and nss_files reads /etc/hosts
 * afresh for every lookup.
 */
import { describe, expect, test } from 'vitest';
import { fc, test as propTest } from '@fast-check/vitest';
import { AF_INET, AF_INET6, AF_UNSPEC, SOCK_STREAM } from '../../stack/constants.js';
import { setDnsServers } from '../../stack/ifconfig.js';
import { EAI_AGAIN } from '../../stack/resolve/gai-errors.js';
import { addrinfoList, getaddrinfo } from '../../stack/resolve/getaddrinfo.js';
import { getnameinfo } from '../../stack/resolve/getnameinfo.js';
import { inet_ntop, inet_pton } from '../../stack/resolve/inet.js';
import { AI_NUMERICHOST, NI_NUMERICHOST, NI_NUMERICSERV } from '../../stack/resolve/netdb-constants.js';
import { resolverConfig } from '../../stack/resolve/resolver-config.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import type { Sys } from '../../stack/sys.js';
import { onProbeHost, probeWorld } from './helpers.js';

const S = 1e9;

/** The addresses getaddrinfo gives for `name` (AF_INET, SOCK_STREAM), or the error code. */
async function addrs(sys: Sys, name: string, family = AF_INET): Promise<string[] | number> {
  const r = await getaddrinfo(sys, name, null, { ai_family: family, ai_socktype: SOCK_STREAM });
  return r.ret === 0 ? addrinfoList(r.res).map((a) => a.ai_addr.addr) : r.ret;
}

describe('runtime changes', () => {
  test('a "set DNS" call (stack/ifconfig.ts setDnsServers) takes effect at the running process\'s next lookup', async () => {
    const { value, log } = await onProbeHost('nameserver 127.0.0.9\noptions timeout:1 attempts:1\n', 'zone', async (sys) => {
      const before = await addrs(sys, 'www.example.com');
      expect(setDnsServers(sys.host, ['127.0.0.1'])).toBe(0);
      const after = await addrs(sys, 'www.example.com');
      return { before, after };
    });
    // Nothing answers on 127.0.0.9, so the first lookup fails; the second asks 127.0.0.1 and succeeds.
    expect(value.before).toBe(EAI_AGAIN);
    expect(value.after).toEqual(['192.0.2.80', '192.0.2.81']);
    expect(log.map((q) => q.server)).toEqual(['127.0.0.1']);
  });

  test('after single-request mode was switched on, a changed resolv.conf is not reloaded; a new process reads it', async () => {
    const { sim, host, log } = probeWorld('nameserver 127.0.0.1\noptions timeout:1 attempts:2\n', 'drop-aaaa');
    const seen: string[][] = [];
    host.spawn('old', async (sys) => {
      await addrs(sys, 'www.example.com', AF_UNSPEC); // the lost AAAA replies switch on RES_SNGLKUP, RES_SNGLKUPREOP
      resolverConfig(host).setResolvConf('nameserver 127.0.0.2\noptions timeout:1 attempts:2\n');
      const n = log.length;
      await addrs(sys, 'www.example.com', AF_UNSPEC);
      seen.push(log.slice(n).map((q) => q.server));
      host.spawn('new', async (sys2) => {
        const m = log.length;
        await addrs(sys2, 'www.example.com', AF_INET);
        seen.push(log.slice(m).map((q) => q.server));
        sim.stop();
      });
    }, S);
    await sim.run();
    expect(seen).toEqual([['127.0.0.1', '127.0.0.1'], ['127.0.0.2']]);
  });

  test('/etc/hosts written at runtime is read by the next lookup (nss_files opens it every time)', async () => {
    const { value } = await onProbeHost('nameserver 127.0.0.1\n', 'zone', async (sys) => {
      const before = await addrs(sys, 'printer.lan');
      resolverConfig(sys.host).addHost('10.7.7.7', 'printer.lan', 'printer');
      return { before, after: await addrs(sys, 'printer'), canonicalAfter: await addrs(sys, 'printer.lan') };
    });
    // Before: not in /etc/hosts, and the name server refuses a name outside its zones: EAI_AGAIN, as glibc
    // (probe.json gni19/ghba-10.9.9.9: REFUSED ends every attempt, res_send fails, TRY_AGAIN).
    expect(value).toEqual({ before: EAI_AGAIN, after: ['10.7.7.7'], canonicalAfter: ['10.7.7.7'] });
  });
});

describe('numeric hosts and services round-trip through getaddrinfo and getnameinfo', () => {
  // inet_pton/inet_ntop agree with glibc (test/unit/resolve); AI_NUMERICHOST never sends a query, and
  // NI_NUMERICHOST | NI_NUMERICSERV gives back the inet_ntop text and the decimal port.
  propTest.prop([fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 0, max: 65535 })], { numRuns: 40 })(
    'getnameinfo(getaddrinfo(a, port)) is (inet_ntop(a), port)',
    async (address, port) => {
      const { value, log } = await onProbeHost('nameserver 127.0.0.1\n', 'zone', async (sys) => {
        const r = await getaddrinfo(sys, address, String(port), { ai_flags: AI_NUMERICHOST, ai_socktype: SOCK_STREAM });
        const ai = addrinfoList(r.res)[0]!;
        const sa = ai.ai_family === AF_INET6 ? inet6(ai.ai_addr.addr, ai.ai_addr.port) : inet(ai.ai_addr.addr, ai.ai_addr.port);
        const n = await getnameinfo(sys, sa, null, 1025, 32, NI_NUMERICHOST | NI_NUMERICSERV);
        return { ret: r.ret, count: addrinfoList(r.res).length, host: n.host, serv: n.serv, family: ai.ai_family };
      });
      const family = address.includes(':') ? AF_INET6 : AF_INET;
      const parsed = inet_pton(family, address);
      if (parsed.ret !== 1) throw new Error(`fast-check gave a bad address ${address}`);
      const expected = (inet_ntop(family, parsed.addr, 64) as { ok: string }).ok;
      expect(value).toEqual({ ret: 0, count: 1, host: expected, serv: String(port), family });
      expect(log).toEqual([]);
    },
  );
});
