/**
 * socksim's getaddrinfo, getnameinfo and gethostby* against glibc 2.36 on the real machine: every expectation is a
 * row of test/dns/glibc/probe.json, produced by glibc/regen.sh (probe.c run in `unshare -rmn` with only lo up, the
 * /etc files of probe.py bind-mounted, and dnsd.py serving zone.json on 127.0.0.1-3). The simulated host mirrors
 * that namespace: only lo, the same /etc/hosts and resolv.conf, name servers with the same zones on 127.0.0.1-3.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6 } from '../../stack/constants.js';
import { addrinfoList, getaddrinfo, type AddrInfo } from '../../stack/resolve/getaddrinfo.js';
import { gethostbyaddr, gethostbyaddr_r, gethostbyname, gethostbyname2, gethostbyname_r, h_errno } from '../../stack/resolve/gethostby.js';
import { getnameinfo } from '../../stack/resolve/getnameinfo.js';
import { inet_ntop, inet_pton } from '../../stack/resolve/inet.js';
import type { HostEnt } from '../../stack/resolve/nss-types.js';
import { PROBE, onProbeHost, tcpAvailable, type ProbeAi } from './helpers.js';

/** A result entry in the probe's JSON shape. */
function asProbe(ai: AddrInfo): ProbeAi {
  const a = ai.ai_addr;
  const addr = a.family === AF_INET6 ? { family: 10, addr: a.addr, port: a.port, scope: a.scopeId ?? 0 } : { family: 2, addr: a.addr, port: a.port };
  return { ai_flags: ai.ai_flags, ai_family: ai.ai_family, ai_socktype: ai.ai_socktype, ai_protocol: ai.ai_protocol, ai_addrlen: ai.ai_addrlen, ai_canonname: ai.ai_canonname, ai_addr: addr };
}

/** A hostent in the probe's JSON shape. */
function hostentJson(h: HostEnt | null): unknown {
  if (h === null) return null;
  return { h_name: h.h_name, h_aliases: h.h_aliases, h_addrtype: h.h_addrtype, h_length: h.h_length,
    h_addr_list: h.h_addr_list.map((a) => (inet_ntop(h.h_addrtype, a, 64) as { ok: string }).ok) };
}

/** Bytes of an address in text form. */
function pton(text: string): Uint8Array {
  const r = inet_pton(text.includes(':') ? AF_INET6 : AF_INET, text);
  if (r.ret !== 1) throw new Error(`bad address ${text}`);
  return r.addr;
}

let tcp = false;
beforeAll(async () => {
  tcp = await tcpAvailable();
});

/**
 * Cases where socksim's network stack (not the resolver) still differs from Linux, with the reason. Each must still
 * differ: when the stack is fixed the test says so, and the entry goes.
 */
const STACK_GAPS: Record<string, string> = {
  gai3: 'UDP connect(2) to 0.0.0.0 fails with ENETUNREACH in socksim; Linux routes INADDR_ANY to the loopback '
    + '(ip_route_connect), so glibc finds a source address for 0.0.0.0 and sorts it first by rule 5 (matching label)',
};

/** Cases whose glibc run went over TCP (many.example.com is truncated over UDP). */
const needsTcp = (name: string | null | undefined): boolean => name === 'many.example.com';

describe('getaddrinfo against glibc 2.36 (probe.json "gai")', () => {
  test(`all ${PROBE.gai.length} cases give glibc's return value and result list, in glibc's order`, async () => {
    const { value } = await onProbeHost(PROBE.resolv_conf, 'zone', async (sys) => {
      const out: { id: string; ret: number; result: ProbeAi[] }[] = [];
      for (const c of PROBE.gai) {
        const r = await getaddrinfo(sys, c.node, c.service, c.hints);
        out.push({ id: c.id, ret: r.ret, result: addrinfoList(r.res).map(asProbe) });
      }
      return out;
    });
    for (const [i, c] of PROBE.gai.entries()) {
      if (needsTcp(c.node) && !tcp) continue;
      const glibc = { id: c.id, ret: c.ret, result: c.result };
      if (c.id in STACK_GAPS) expect(value[i], `${c.id} now matches glibc: remove it from STACK_GAPS`).not.toEqual(glibc);
      else expect(value[i], `${c.id} ${c.node} ${c.service} (${c.note})`).toEqual(glibc);
    }
  });
});

describe('getnameinfo against glibc 2.36 (probe.json "gni")', () => {
  test(`all ${PROBE.gni.length} cases give glibc's return value and strings`, async () => {
    const { value } = await onProbeHost(PROBE.resolv_conf, 'zone', async (sys) => {
      const out: unknown[] = [];
      for (const c of PROBE.gni) {
        // struct sockaddr_storage as probe.c fills it: family, port, address, scope 1 for link-local.
        const b = new Uint8Array(128);
        const dv = new DataView(b.buffer);
        const v6 = c.addr.includes(':');
        dv.setUint16(0, v6 ? AF_INET6 : AF_INET, true);
        dv.setUint16(2, c.port, false);
        const a = pton(c.addr);
        b.set(a, v6 ? 8 : 4);
        if (v6 && a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) dv.setUint32(24, 1, true);
        const r = await getnameinfo(sys, b, c.salen, c.hostlen, c.servlen, c.flags);
        out.push({ id: c.id, ret: r.ret, host: r.host, serv: r.serv });
      }
      return out;
    });
    for (const [i, c] of PROBE.gni.entries()) {
      expect(value[i], `${c.id} ${c.addr}:${c.port} flags ${c.flags} (${c.note})`).toEqual({ id: c.id, ret: c.ret, host: c.host, serv: c.serv });
    }
  });
});

describe('gethostbyname, gethostbyname2, gethostbyaddr against glibc 2.36 (probe.json "ghbn")', () => {
  test(`all ${PROBE.ghbn.length} calls give glibc's hostent and h_errno`, async () => {
    const { value } = await onProbeHost(PROBE.resolv_conf, 'zone', async (sys) => {
      const out: unknown[] = [];
      for (const c of PROBE.ghbn) {
        let h: HostEnt | null;
        if (c.call === 'gethostbyname') h = await gethostbyname(sys, c.name!);
        else if (c.call === 'gethostbyname2') h = await gethostbyname2(sys, c.name!, c.af);
        else h = await gethostbyaddr(sys, pton(c.addr!), c.len ?? (c.af === AF_INET ? 4 : 16), c.af);
        out.push({ id: c.id, h_errno: h === null ? h_errno(sys) : 0, result: hostentJson(h) });
      }
      return out;
    });
    for (const [i, c] of PROBE.ghbn.entries()) {
      if (needsTcp(c.name) && !tcp) continue;
      expect(value[i], `${c.id}`).toEqual({ id: c.id, h_errno: c.h_errno, result: c.result });
    }
  });

  test('gethostbyname_r and gethostbyaddr_r fail with ERANGE below the smallest buffer glibc accepts, and not at it', async () => {
    const { value } = await onProbeHost(PROBE.resolv_conf, 'zone', async (sys) => {
      const out: unknown[] = [];
      for (const c of PROBE.buffers) {
        const call = (n: number) => (c.kind === 'name' ? gethostbyname_r(sys, c.arg, n) : gethostbyaddr_r(sys, pton(c.arg), c.arg.includes(':') ? 16 : 4, c.arg.includes(':') ? AF_INET6 : AF_INET, n));
        let lo = 0, hi = 65536;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((await call(mid)).ret === 34) lo = mid + 1;
          else hi = mid;
        }
        out.push({ id: c.id, min: lo, below: (await call(lo - 1)).ret, at: (await call(lo)).ret });
      }
      return out;
    });
    for (const [i, c] of PROBE.buffers.entries()) {
      // glibc: ERANGE (34) one byte below the minimum, success at it.
      expect(value[i], c.id).toEqual({ id: c.id, min: c.min, below: c.below_ret, at: c.at_ret });
    }
  });
});

describe('query schedules and timeouts against glibc 2.36 (probe.json "timing")', () => {
  // Each case: a fresh process and fresh servers, the probe's resolv.conf and server mode, one call. glibc's
  // schedule was measured in real time (ms of jitter); the simulation runs on the virtual clock, so times must agree
  // to within 0.1 s and the queries (server, transport, name, type, EDNS size, ID reuse) exactly.
  for (const c of PROBE.timing) {
    test(`${c.id}: ${c.args.join(' ')} with ${JSON.stringify(c.resolv_conf)}, server ${c.mode}`, async (ctx) => {
      if (c.queries.some((q) => q.proto === 'tcp') && !tcp) ctx.skip();
      const { value, log } = await onProbeHost(c.resolv_conf, c.mode, async (sys) => {
        const start = sys.now;
        const outcomes: { t_start: number; elapsed: number; outcome: Record<string, unknown> }[] = [];
        for (let i = 0; i < (c.args[0] === 'one-gai' ? Number(c.args[3] ?? 1) : 1); i++) {
          const t = sys.now;
          let outcome: Record<string, unknown>;
          if (c.args[0] === 'one-gai') {
            const r = await getaddrinfo(sys, c.args[1]!, null, { ai_family: Number(c.args[2]), ai_socktype: 1 });
            outcome = { ret: r.ret, result: addrinfoList(r.res).map(asProbe) };
          } else if (c.args[0] === 'one-ghbn') {
            const h = await gethostbyname(sys, c.args[1]!);
            outcome = { h_errno: h === null ? h_errno(sys) : 0, result: hostentJson(h) };
          } else {
            const r = await gethostbyname_r(sys, c.args[1]!, Number(c.args[2]));
            outcome = { ret: r.ret, h_errno: r.h_errno };
          }
          outcomes.push({ t_start: (t - start) / 1e9, elapsed: (sys.now - t) / 1e9, outcome });
        }
        return { start, outcomes };
      });
      const glibcRuns = (c as { outcomes?: Record<string, unknown>[] }).outcomes ?? [c.outcome];
      expect(value.outcomes).toHaveLength(glibcRuns.length);
      glibcRuns.forEach((g, i) => {
        const { elapsed, t_start: tStart, id: _id, node: _n, service: _s, hints: _h, note: _note, ...glibcOutcome } = g as Record<string, unknown> & { elapsed: number; t_start?: number };
        const mine = value.outcomes[i]!;
        expect(mine.outcome, `call ${i}`).toEqual(glibcOutcome);
        expect(Math.abs(mine.elapsed - elapsed), `call ${i} took ${mine.elapsed} s vs glibc ${elapsed} s`).toBeLessThan(0.1);
        expect(Math.abs(mine.t_start - (tStart ?? 0)), `call ${i} started at ${mine.t_start} s vs glibc ${tStart} s`).toBeLessThan(0.1);
      });
      const shape = (qs: typeof log, rotate: boolean) => {
        const rows = qs.map((q) => `${q.server} ${q.proto} ${q.qname} ${q.qtype} edns=${q.edns}`);
        return rotate ? rows.sort() : rows;
      };
      const rotate = c.resolv_conf.includes('rotate');
      const t0 = value.start / 1e9;
      // dnsd.py logs UDP and TCP queries from two threads, so the order between the transports within a burst is a
      // race in the probe; the order within each transport is not. Each transport's queries are compared in order.
      const idPattern = (qs: typeof log) => qs.map((q) => qs.findIndex((r) => r.id === q.id && r.qtype === q.qtype));
      expect(log.length).toBe(c.queries.length);
      for (const proto of ['udp', 'tcp']) {
        const ours = log.filter((q) => q.proto === proto);
        const theirs = c.queries.filter((q) => q.proto === proto);
        expect(shape(ours, rotate), proto).toEqual(shape(theirs, rotate));
        ours.forEach((q, i) => expect(Math.abs(q.t - t0 - theirs[i]!.t), `${proto} query ${i} at ${q.t - t0} s vs glibc ${theirs[i]!.t} s`).toBeLessThan(0.1));
        // A retransmission reuses the query's ID (res_send sends the same buffer again); new queries get new IDs.
        expect(idPattern(ours), proto).toEqual(idPattern(theirs));
      }
    });
  }
});
