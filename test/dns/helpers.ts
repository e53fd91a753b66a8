/**
 * Shared pieces of the DNS suites: the glibc probe's data, a one-host world that mirrors the probe's namespace
 * (only lo, the probe's /etc/hosts, test name servers on 127.0.0.1-3), name servers with the probe's modes, and
 * a sink that counts frames per link.
 */
import { readFileSync } from 'node:fs';
import { Sim } from '../../sim/sim.js';
import type { SimEvent } from '../../sim/events.js';
import { answerAuthoritative } from '../../stack/dns/authority.js';
import { RCODE, responseTo } from '../../stack/dns/message.js';
import { Reactor } from '../../stack/dns/reactor.js';
import { openFrontend } from '../../stack/dns/server.js';
import { buildZone, type Zone, type ZoneData } from '../../stack/dns/zone.js';
import { AF_INET, SOCK_STREAM } from '../../stack/constants.js';
import { EV_TX } from '../../stack/events.js';
import type { Host } from '../../stack/host.js';
import { Network } from '../../stack/network.js';
import { resolverConfig } from '../../stack/resolve/resolver-config.js';
import type { Sys } from '../../stack/sys.js';

/** One address record of getaddrinfo's result as the probe prints it. */
export interface ProbeAi {
  ai_flags: number;
  ai_family: number;
  ai_socktype: number;
  ai_protocol: number;
  ai_addrlen: number;
  ai_canonname: string | null;
  ai_addr: { family: number; addr?: string; port?: number; scope?: number };
}

/** A getaddrinfo case of probe.json. */
export interface ProbeGai {
  id: string;
  node: string | null;
  service: string | null;
  hints: { ai_flags: number; ai_family: number; ai_socktype: number; ai_protocol: number } | null;
  ret: number;
  elapsed: number;
  result: ProbeAi[];
  note: string;
}

/** A query a probe name server saw. */
export interface ProbeQuery {
  t: number;
  server: string;
  proto: 'udp' | 'tcp';
  qname: string;
  qtype: number;
  id: number;
  edns: number | null;
}

/** probe.json as regen.sh writes it. */
export interface Probe {
  hosts: string;
  resolv_conf: string;
  gai: ProbeGai[];
  gni: { id: string; addr: string; port: number; salen: number; hostlen: number; servlen: number; flags: number; ret: number; host: string | null; serv: string | null; note: string }[];
  ghbn: { id: string; call: string; name?: string; addr?: string; af: number; len?: number; h_errno: number; result: { h_name: string; h_aliases: string[]; h_addrtype: number; h_length: number; h_addr_list: string[] } | null }[];
  buffers: { id: string; kind: 'name' | 'addr'; arg: string; min: number; below_ret: number; at_ret: number }[];
  timing: { id: string; resolv_conf: string; mode: ServerMode; args: string[]; outcome: { ret?: number; elapsed: number; h_errno?: number; result?: unknown }; queries: ProbeQuery[] }[];
}

/** The committed glibc measurements (test/dns/glibc/probe.json, from glibc/regen.sh). */
export const PROBE: Probe = JSON.parse(readFileSync(new URL('./glibc/probe.json', import.meta.url), 'utf8')) as Probe;

/** The probe's zones (test/dns/glibc/zone.json), built. */
export const PROBE_ZONES: Zone[] = (JSON.parse(readFileSync(new URL('./glibc/zone.json', import.meta.url), 'utf8')) as { zones: ZoneData[] }).zones.map(buildZone);

/** What a test name server does with queries, as dnsd.py's modes. */
export type ServerMode = 'zone' | 'blackhole' | 'drop-aaaa' | 'servfail' | 'delay' | 'spurious';

/**
 * A name server process on `address`:53 (UDP, and TCP when the stack has it) that logs every query with its
 * virtual arrival time and answers as dnsd.py does in `mode`.
 */
export function testServer(address: string, mode: ServerMode, log: ProbeQuery[], zones: Zone[] = PROBE_ZONES): (sys: Sys) => Promise<number> {
  return async (sys) => {
    const reactor = new Reactor(sys);
    await openFrontend(sys, reactor, { address }, async (query, transport, reply) => {
      const q = query.questions?.[0];
      const opt = (query.additionals ?? []).find((r) => r.type === 'OPT');
      log.push({ t: sys.now / 1e9, server: address, proto: transport, qname: q?.name ?? '', qtype: q === undefined ? 0 : qtypeNumber(q.type),
        id: query.id ?? 0, edns: opt !== undefined && 'udpPayloadSize' in opt ? opt.udpPayloadSize : null });
      if (mode === 'blackhole' || (mode === 'drop-aaaa' && q?.type === 'AAAA')) return;
      if (mode === 'servfail') return reply(responseTo(query, { rcode: RCODE.SERVFAIL }));
      const answer = answerAuthoritative(zones, query);
      if (transport === 'udp' && mode === 'delay') return void reactor.setTimer(sys.now + 1.5e9, () => reply(answer));
      if (transport === 'udp' && mode === 'spurious') {
        await reply({ ...answer, id: (answer.id ?? 0) ^ 1 });
        return void reactor.setTimer(sys.now + 0.5e9, () => reply(answer));
      }
      return reply(answer);
    });
    await reactor.run();
    return 0;
  };
}

/** The numeric QTYPE of the types the probe uses. */
function qtypeNumber(type: string): number {
  return ({ A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28 } as Record<string, number>)[type] ?? 0;
}

/** A one-host world like the probe's namespace: host "vm" with only lo, the probe's /etc/hosts, servers on lo. */
export function probeWorld(resolv: string, mode: ServerMode, seed = 1): { sim: Sim; host: Host; log: ProbeQuery[] } {
  const sim = new Sim({ seed, maxTimeNs: 600e9 });
  const net = new Network(sim);
  const host = net.addHost('vm');
  resolverConfig(host).setHosts(PROBE.hosts);
  resolverConfig(host).setResolvConf(resolv);
  const log: ProbeQuery[] = [];
  for (const a of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) host.spawn(`dnsd-${a}`, testServer(a, mode, log));
  return { sim, host, log };
}

/** Runs `body` as a process on the probe host (after the servers are up) and stops the run when it returns. */
export async function onProbeHost<T>(resolv: string, mode: ServerMode, body: (sys: Sys) => Promise<T>): Promise<{ value: T; log: ProbeQuery[] }> {
  const { sim, host, log } = probeWorld(resolv, mode);
  let value: T | undefined;
  let done = false;
  host.spawn('probe', async (sys) => {
    value = await body(sys);
    done = true;
    sim.stop('probe finished');
  }, 1);
  const r = await sim.run();
  if (!done) throw new Error(`probe process did not finish: ${r.status} ${r.message ?? ''} ${JSON.stringify(r.processes.filter((p) => p.error))}`);
  return { value: value as T, log };
}

/** Whether socket(AF_INET, SOCK_STREAM, 0) works in this tree (TCP is being written alongside). */
export async function tcpAvailable(): Promise<boolean> {
  const sim = new Sim({ seed: 1 });
  const host = new Network(sim).addHost('t');
  let fd = -1;
  host.spawn('probe-tcp', async (sys) => {
    fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
  });
  await sim.run();
  return fd >= 0;
}

/** Whether an Ethernet frame carries DNS: IPv4, UDP or TCP, port 53 at either end (ARP and the rest are not). */
export function isDnsFrame(f: Uint8Array): boolean {
  if (f.length < 14 + 20 + 8 || f[12] !== 0x08 || f[13] !== 0x00) return false;
  const proto = f[23];
  if (proto !== 17 && proto !== 6) return false;
  const l4 = 14 + (f[14]! & 0xf) * 4;
  const sport = (f[l4]! << 8) | f[l4 + 1]!, dport = (f[l4 + 2]! << 8) | f[l4 + 3]!;
  return sport === 53 || dport === 53;
}

/** An event sink counting transmitted DNS frames (isDnsFrame) per link name. */
export class FrameCounter {
  readonly byLink = new Map<string, number>();
  push(ev: SimEvent): void {
    if (ev[0] !== EV_TX || !isDnsFrame(ev[5] as Uint8Array)) return;
    const link = ev[2] as string;
    this.byLink.set(link, (this.byLink.get(link) ?? 0) + 1);
  }
  /** DNS frames sent on any of `links` so far. */
  on(links: readonly string[]): number {
    return links.reduce((n, l) => n + (this.byLink.get(l) ?? 0), 0);
  }
}
