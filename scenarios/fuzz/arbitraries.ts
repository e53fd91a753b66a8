/**
 * fast-check arbitraries for scenario data. Sizes are explicit (fast-check's defaults stop near 10 elements), lists
 * have no minimum length (a minimum stops shrinking), and every generated operation is valid in any state, so
 * shrinking can drop any of them. Shrinking moves towards fewer hosts, processes, operations and faults, and milder
 * link settings (fast-check shrinks numbers towards the low end of their range).
 */
import fc from 'fast-check';
import type { AddrSpec, Fault, LinkSpec, Op, ProcessSpec, ScenarioData } from '../data/schema.js';

/** Size knobs of a generated scenario. */
export interface ScenarioSize {
  maxHosts: number;
  maxProcesses: number;
  maxOps: number;
  maxFaults: number;
}

/** Small scenarios: what a fuzz campaign runs thousands of. */
export const SMALL: ScenarioSize = { maxHosts: 3, maxProcesses: 3, maxOps: 12, maxFaults: 3 };

/** Which families of operations a property wants generated. */
export type OpFamily = 'udp' | 'tcp' | 'unix';

const PORTS = [5000, 5001, 0];

function hostName(i: number): string {
  return `h${i}`;
}

/** Link settings: mostly clean, sometimes lossy/duplicating/reordering/corrupting. */
export function linkFaultsArb(): fc.Arbitrary<Omit<LinkSpec, 'a' | 'b'>> {
  return fc.record({
    latencyMs: fc.integer({ min: 0, max: 20 }),
    loss: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 0.3, noNaN: true }) }),
    duplicate: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 0.2, noNaN: true }) }),
    reorder: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 0.2, noNaN: true }) }),
    corrupt: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 0.2, noNaN: true }) }),
  }, { requiredKeys: [] }).map((l) => ({ ...l, ...(l.reorder ? { reorderDelayMs: 5 } : {}) }));
}

function addrArb(hosts: number): fc.Arbitrary<AddrSpec> {
  return fc.record({ host: fc.integer({ min: 0, max: hosts - 1 }).map(hostName), port: fc.constantFrom(...PORTS.slice(0, 2)) });
}

const fdArb = fc.nat({ max: 7 });

/** UDP operations (AF_INET datagram sockets). Receives are non-blocking so a process never waits forever. */
function udpOpArb(hosts: number): fc.Arbitrary<Op> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<Op>({ op: 'socket', domain: 'AF_INET', type: 'SOCK_DGRAM' }) },
    { weight: 2, arbitrary: fc.record({ fd: fdArb, port: fc.constantFrom(...PORTS) }).map(({ fd, port }): Op => ({ op: 'bind', fd, addr: { host: '*', port } })) },
    { weight: 1, arbitrary: fc.record({ fd: fdArb, addr: addrArb(hosts) }).map(({ fd, addr }): Op => ({ op: 'connect', fd, addr })) },
    { weight: 4, arbitrary: fc.record({ fd: fdArb, len: fc.nat({ max: 1400 }), addr: addrArb(hosts) }).map(({ fd, len, addr }): Op => ({ op: 'sendto', fd, data: { len }, addr })) },
    { weight: 1, arbitrary: fc.record({ fd: fdArb, len: fc.nat({ max: 1400 }) }).map(({ fd, len }): Op => ({ op: 'send', fd, data: { len } })) },
    { weight: 4, arbitrary: fc.record({ fd: fdArb, len: fc.nat({ max: 2000 }), peek: fc.boolean() }).map(({ fd, len, peek }): Op => ({ op: 'recvfrom', fd, len, flags: peek ? ['MSG_DONTWAIT', 'MSG_PEEK'] : 'MSG_DONTWAIT' })) },
    { weight: 1, arbitrary: fdArb.map((fd): Op => ({ op: 'close', fd })) },
    { weight: 1, arbitrary: fdArb.map((fd): Op => ({ op: 'getsockname', fd })) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 50 }).map((ms): Op => ({ op: 'sleep', ms })) },
  );
}

/** Operations of the requested families. Families whose stack support is still missing are simply not offered. */
export function opArb(hosts: number, families: readonly OpFamily[]): fc.Arbitrary<Op> {
  const arbs: fc.Arbitrary<Op>[] = [];
  if (families.includes('udp')) arbs.push(udpOpArb(hosts));
  if (arbs.length === 0) throw new Error(`no operation generator for families ${families.join(', ')}`);
  return fc.oneof(...arbs);
}

function faultArb(hosts: number, links: number): fc.Arbitrary<Fault> {
  const at = fc.integer({ min: 0, max: 500 });
  const arbs: fc.Arbitrary<Fault>[] = [
    fc.record({ at, link: fc.nat({ max: Math.max(0, links - 1) }), set: linkFaultsArb() }).map(({ at, link, set }): Fault => ({ at, kind: 'link', link, set })),
  ];
  if (hosts > 1) {
    arbs.push(fc.record({ at, h: fc.nat({ max: hosts - 1 }) }).map(({ at, h }): Fault => ({ at, kind: 'partition', hosts: [hostName(h)] })));
    arbs.push(at.map((at): Fault => ({ at, kind: 'heal' })));
  }
  return fc.oneof(...arbs);
}

/** A whole scenario: a tree of hosts, processes with operation lists, a fault schedule, and a seed. */
export function scenarioArb(families: readonly OpFamily[] = ['udp'], size: ScenarioSize = SMALL): fc.Arbitrary<ScenarioData> {
  return fc.integer({ min: 2, max: size.maxHosts }).chain((nHosts) =>
    fc.record({
      // Host i (i ≥ 1) links to an earlier host: the topology is a tree, so every host reaches every other.
      parents: fc.tuple(...Array.from({ length: nHosts - 1 }, (_, i) => fc.nat({ max: i }))),
      linkSettings: fc.tuple(...Array.from({ length: nHosts - 1 }, () => linkFaultsArb())),
      processes: fc.array(
        fc.record({
          host: fc.nat({ max: nHosts - 1 }),
          startMs: fc.integer({ min: 0, max: 20 }),
          ops: fc.array(opArb(nHosts, families), { maxLength: size.maxOps }),
        }),
        { maxLength: size.maxProcesses },
      ),
      faults: fc.array(faultArb(nHosts, nHosts - 1), { maxLength: size.maxFaults }),
      seed: fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })),
    }).map(({ parents, linkSettings, processes, faults, seed }): ScenarioData => {
      const hosts = Array.from({ length: nHosts }, (_, i) => hostName(i));
      const links: LinkSpec[] = parents.map((p, i) => ({ a: hostName(i + 1), b: hostName(p), ...linkSettings[i] }));
      const procs: ProcessSpec[] = processes.map((p) => ({ host: hostName(p.host), startMs: p.startMs, ops: p.ops }));
      return { version: 1, seed, hosts, links, processes: procs, faults, limits: { maxTimeMs: 60_000, maxEvents: 200_000 } };
    }),
  );
}
