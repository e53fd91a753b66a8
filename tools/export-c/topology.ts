/**
 * How a scenario's topology maps onto one real Linux network namespace with only loopback: every host address goes
 * on lo as a /32, so the addresses the case names are the addresses socksim gives (getsockname agrees). What the
 * loopback cannot reproduce (loss, jitter, rate limits, faults, crashes, deviation profiles) is refused, or with
 * `approximate` written down in the program's header; link latency becomes zero.
 */
import { defaultAddr } from '../../scenarios/data/interpret.js';
import type { AddrSpec, ScenarioData } from '../../scenarios/data/schema.js';

/** The addresses of each host, in the order its interfaces were created (one per link it is on). */
export function hostAddresses(s: ScenarioData): Map<string, string[]> {
  const m = new Map<string, string[]>(s.hosts.map((h) => [h, []]));
  s.links.forEach((l, k) => {
    m.get(l.a)!.push((l.aAddr ?? defaultAddr(k, 1)).split('/')[0]!);
    m.get(l.b)!.push((l.bAddr ?? defaultAddr(k, 2)).split('/')[0]!);
  });
  return m;
}

/** The IP text and family an address spec names (as the interpreter resolves it), or null for path/raw specs. */
export function inetOf(a: AddrSpec, addrs: Map<string, string[]>): { ip: string; port: number; v6: boolean } | null {
  if ('ip' in a) return { ip: a.ip, port: a.port, v6: a.ip.includes(':') };
  if (!('host' in a)) return null;
  if (a.host === '*') return a.v6 ? { ip: '::', port: a.port, v6: true } : { ip: '0.0.0.0', port: a.port, v6: false };
  return { ip: addrs.get(a.host)?.[0] ?? '127.0.0.1', port: a.port, v6: false };
}

/** What the loopback namespace can and cannot reproduce of a scenario. */
export interface Reproduction {
  /** Settings the real kernel cannot reproduce; the export is refused unless approximating. */
  refusals: string[];
  /** How the program approximates the scenario (written into its header comment). */
  notes: string[];
  /** Addresses to add to lo before running the program (beyond 127.0.0.1). */
  loAddresses: string[];
}

const UNREPRODUCIBLE = ['jitterMs', 'loss', 'duplicate', 'reorder', 'reorderDelayMs', 'corrupt', 'rateMbps', 'queueLimit'] as const;

/** Checks a scenario against what one loopback namespace can do. */
export function reproduction(s: ScenarioData): Reproduction {
  const refusals: string[] = [];
  const notes: string[] = [];
  s.links.forEach((l, k) => {
    for (const key of UNREPRODUCIBLE) {
      const v = l[key];
      if (v !== undefined && v !== 0) refusals.push(`link ${k} (${l.a}-${l.b}) sets ${key}=${v}, which loopback cannot reproduce`);
    }
    if (l.latencyMs) notes.push(`link ${k} (${l.a}-${l.b}) has ${l.latencyMs} ms latency; on loopback it is ~0 (results must not depend on it)`);
    if (l.mtu !== undefined && l.mtu !== 1500) notes.push(`link ${k} has MTU ${l.mtu}; loopback's is 65536`);
  });
  s.faults.forEach((f, i) => refusals.push(`fault ${i} (${f.kind} at ${f.at} ms) cannot be reproduced on the real kernel`));
  if (s.profile && s.profile !== 'linux') refusals.push(`profile "${s.profile}" is a deviation from Linux; the real kernel is Linux`);
  const addrs = hostAddresses(s);
  const loAddresses = [...new Set([...addrs.values()].flat())].filter((a) => !a.startsWith('127.'));
  if (s.hosts.length > 1) {
    notes.push('all hosts share one kernel: their addresses are on lo, ports are one space, and a connection between two '
      + 'hosts\' addresses takes the destination address as its source unless the socket was bound');
  }
  return { refusals, notes, loAddresses };
}
