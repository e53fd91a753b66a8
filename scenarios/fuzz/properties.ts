/**
 * The library of properties a fuzz campaign checks. A property says which operations to generate and what must
 * hold of a run (its trace and network counters). Each returns null when it holds, or one sentence saying what broke.
 */
import { createHash } from 'node:crypto';
import type fc from 'fast-check';
import { MemoryOutput } from '../../sim/recording.js';
import type { DataTrace, OpResult } from '../data/interpret.js';
import { runData, type DataRun } from '../data/run.js';
import type { ScenarioData } from '../data/schema.js';
import { scenarioArb, SMALL, type OpFamily, type ScenarioSize } from './arbitraries.js';
import { templateScenarioArb } from './templates.js';
import { checkEpollAgainstPoll, epollScenarioArb } from './epoll.js';
import { checkNoUnixLeak, fdPassScenarioArb } from './fdpass.js';
import { checkLiveness, checkStreams, streamScenarioArb } from './streams.js';
import { dnsResolutionCheck, dnsScenarioArb } from './dns.js';

/** A checkable property. */
export interface Property {
  name: string;
  description: string;
  /** Operation families to generate. */
  families: OpFamily[];
  size?: ScenarioSize;
  /** A generator of its own (structured workloads), instead of random operation lists. */
  arbitrary?: () => fc.Arbitrary<ScenarioData>;
  /** Checks one scenario; null when it holds. */
  check(s: ScenarioData): Promise<string | null>;
}

function bytesEqual(a: Uint8Array, b: Uint8Array, n = a.length): boolean {
  if (a.length < n || b.length < n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function describeResult(r: OpResult): string {
  return `process ${r.process} op #${r.index} (${r.op}) at ${r.timeNs} ns`;
}

/** UDP: every datagram received is one that was sent, whole or truncated at the receive length (udp(7)). */
export function checkDatagrams(trace: DataTrace): string | null {
  const sent = trace.results.filter((r) => (r.op === 'sendto' || r.op === 'send') && r.bytes && r.ret >= 0);
  for (const r of trace.results) {
    if ((r.op !== 'recvfrom' && r.op !== 'recv') || r.ret < 0 || !r.bytes) continue;
    const got = r.bytes;
    const ok = sent.some((s) => {
      const d = s.bytes!;
      if (got.length === d.length) return bytesEqual(got, d);
      return got.length === r.requested && d.length > got.length && bytesEqual(got, d, got.length);
    });
    if (!ok) return `${describeResult(r)} received ${got.length} bytes that no process sent as one datagram`;
  }
  return null;
}

/** Runs the scenario and hands the trace to a checker. */
async function withRun(s: ScenarioData, f: (d: DataRun) => string | null): Promise<string | null> {
  const d = await runData(s);
  const r = d.run.result;
  if (r.status === 'time-limit' || r.status === 'event-limit') {
    // A process still blocked when the bound came is the failure to report (it is what a user would see).
    const stuck = d.trace.finished.findIndex((x) => !x);
    const p = r.processes[stuck];
    if (stuck >= 0 && p?.state === 'blocked') return `process ${stuck} never finished (blocked in ${p.blockedIn ?? 'a call'})`;
    return `run hit its bound: ${r.message}`;
  }
  for (const p of r.processes) if (p.error) return `process ${p.pid} (${p.name}) threw: ${p.error}`;
  return f(d);
}

/** The first violated expectation (or unfinished process) of a run, or null. */
async function expectationFailure(s: ScenarioData): Promise<string | null> {
  return withRun(s, (d) => {
    const f = d.trace.failures[0];
    if (f) return `process ${f.process} op #${f.index} (${f.op}) returned ${f.actual}, Linux gives ${f.expected}`;
    const stuck = d.trace.finished.findIndex((x) => !x);
    if (stuck >= 0) {
      const p = d.run.result.processes[stuck];
      return `process ${stuck} never finished (blocked in ${p?.blockedIn ?? 'a call'})`;
    }
    return null;
  });
}

/** Recording hash of one run. */
async function recordingHash(s: ScenarioData): Promise<string> {
  const out = new MemoryOutput();
  await runData(s, { record: out });
  return createHash('sha256').update(out.bytes()).digest('hex');
}

/** Every property, by name. */
export const PROPERTIES: Property[] = [
  {
    name: 'udp-integrity',
    description: 'UDP datagrams arrive intact with their boundaries (or are lost), never corrupted, merged or split',
    families: ['udp'],
    check: (s) => withRun(s, (d) => checkDatagrams(d.trace)),
  },
  {
    name: 'expectations',
    description: 'structured UDP, TCP and AF_UNIX workloads get the results Linux gives (bind, exchange, peek, linger, OOB…)',
    families: ['udp', 'tcp', 'unix'],
    arbitrary: () => templateScenarioArb(),
    check: async (s) => {
      const broken = await expectationFailure(s);
      if (broken === null || !s.profile || s.profile === 'linux') return broken;
      // On a deviation profile, a case counts only if Linux itself meets the expectations: the property measures
      // what the profile changes, not an expectation a shrink step made meaningless.
      return (await expectationFailure({ ...s, profile: 'linux' })) === null ? broken : null;
    },
  },
  {
    name: 'tcp-integrity',
    description: 'a TCP byte stream over a lossy, duplicating, reordering, corrupting link arrives complete, in order, once (or fails with a Linux errno)',
    families: ['tcp'],
    arbitrary: streamScenarioArb,
    check: (s) => withRun(s, (d) => checkStreams(d.trace)),
  },
  {
    name: 'liveness',
    description: 'once link faults stop, every process finishes (its connections complete or fail) within the run bound',
    families: ['tcp'],
    arbitrary: streamScenarioArb,
    check: (s) => withRun(s, (d) => checkLiveness(d.trace, (i) => {
      const p = d.run.result.processes[i];
      return p ? `${p.state}${p.blockedIn ? ` in ${p.blockedIn}` : ''}, run ${d.run.result.status}` : null;
    })),
  },
  {
    name: 'unix-fd-conservation',
    description: 'fds passed with SCM_RIGHTS are received or released: nothing leaks once every process has exited',
    families: ['unix'],
    arbitrary: fdPassScenarioArb,
    check: (s) => withRun(s, checkNoUnixLeak),
  },
  {
    name: 'dns-resolution',
    description: 'getaddrinfo over a lossy link to a crashing resolver never returns a wrong answer, and succeeds once the faults stop',
    families: ['udp'],
    arbitrary: dnsScenarioArb,
    check: dnsResolutionCheck,
  },
  {
    name: 'epoll-agreement',
    description: 'level-triggered epoll_wait reports exactly the readiness poll() sees, filtered by the interest list',
    families: ['unix'],
    arbitrary: epollScenarioArb,
    check: (s) => withRun(s, (d) => checkEpollAgainstPoll(s, d.trace)),
  },
  {
    name: 'determinism',
    description: 'running a scenario twice gives byte-identical recordings',
    families: ['udp'],
    size: { ...SMALL, maxOps: 8 },
    check: async (s) => {
      const [a, b] = [await recordingHash(s), await recordingHash(s)];
      return a === b ? null : `two runs gave different recordings (${a.slice(0, 12)} vs ${b.slice(0, 12)})`;
    },
  },
];

/** The property with this name, or undefined. */
export function findProperty(name: string): Property | undefined {
  return PROPERTIES.find((p) => p.name === name);
}

/** The arbitrary a property generates from. */
export function propertyArb(p: Property): fc.Arbitrary<ScenarioData> {
  return p.arbitrary ? p.arbitrary() : scenarioArb(p.families, p.size ?? SMALL);
}
