import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { runSeed, scenarioFor, shardRuns } from '../../scenarios/fuzz/campaign.js';
import { findProperty, PROPERTIES } from '../../scenarios/fuzz/properties.js';
import { countOps, failureSignature, shrinkScenario } from '../../scenarios/fuzz/shrink.js';
import { validateScenario, ScenarioDataError } from '../../scenarios/data/load.js';
import type { ScenarioData } from '../../scenarios/data/schema.js';
import { scenarioArb } from '../../scenarios/fuzz/arbitraries.js';

describe('campaign bookkeeping', () => {
  test.prop([fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 12 })], { numRuns: 200 })(
    'shards cover the run range exactly once, whatever the shard count', (runs, n) => {
      const all = Array.from({ length: n }, (_, i) => shardRuns(runs, { index: i + 1, count: n })).flat().sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: runs }, (_, r) => r));
    });

  test('a run\'s scenario depends only on (seed, property, run number)', () => {
    const p = findProperty('udp-integrity')!;
    expect(scenarioFor(p, 7, 3)).toEqual(scenarioFor(p, 7, 3));
    expect(scenarioFor(p, 7, 3)).not.toEqual(scenarioFor(p, 7, 4));
    expect(runSeed(7, 'udp-integrity', 3)).not.toBe(runSeed(8, 'udp-integrity', 3));
  });

  test.prop([fc.integer({ min: 0, max: 1000 })], { numRuns: 30 })('every generated scenario passes the loader', (r) => {
    for (const p of PROPERTIES) {
      const s = scenarioFor(p, 1, r);
      expect(validateScenario(JSON.parse(JSON.stringify(s)))).toEqual(s);
    }
  });
});

describe('the shrinker', () => {
  // A synthetic bug: the failure needs a close of fd 0 after at least one socket() in the same process.
  const bug = async (s: ScenarioData): Promise<string | null> => {
    for (const p of s.processes) {
      const i = p.ops.findIndex((o) => o.op === 'socket');
      if (i >= 0 && p.ops.slice(i + 1).some((o) => o.op === 'close')) return `close after socket at op #${i}`;
    }
    return null;
  };

  test.prop([scenarioArb(['udp'])], { numRuns: 60 })('reduces any failing case to the two operations that matter', async (s) => {
    const m = await bug(s);
    fc.pre(m !== null);
    const r = await shrinkScenario(s, m!, bug);
    expect(countOps(r.scenario)).toBe(2);
    expect(r.scenario.faults).toEqual([]);
    expect(r.scenario.processes).toHaveLength(1);
    expect(r.scenario.processes[0]!.ops.map((o) => o.op)).toEqual(['socket', 'close']);
  });

  test('keeps the failure\'s kind: a smaller case failing differently is not taken', async () => {
    expect(failureSignature('process 0 op #3 (recvfrom) returned 5, Linux gives 12')).toBe(failureSignature('process 1 op #0 (recvfrom) returned 1, Linux gives 7'));
    expect(failureSignature('op (recvfrom) returned -1 EBADF')).not.toBe(failureSignature('op (recvfrom) returned -1 EAGAIN'));
    // End of file (0) is a different failure from a positive count.
    expect(failureSignature('process 0 op #7 (recv) returned 1, Linux gives -1 EAGAIN')).not.toBe(failureSignature('process 0 op #4 (recv) returned 0, Linux gives -1 EAGAIN'));
  });
});

describe('scenario data loader', () => {
  const base = { version: 1, seed: 1, hosts: ['a', 'b'], links: [{ a: 'a', b: 'b' }], processes: [], faults: [] };
  const bad = (patch: object, path: string) => {
    let err: unknown;
    try {
      validateScenario({ ...base, ...patch });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioDataError);
    expect((err as ScenarioDataError).path).toBe(path);
  };

  test('names the bad field by its path', () => {
    bad({ version: 2 }, 'version');
    bad({ links: [{ a: 'a', b: 'zz' }] }, 'links[0].b');
    bad({ links: [{ a: 'a', b: 'b', loss: 2 }] }, 'links[0].loss');
    bad({ processes: [{ host: 'a', ops: [{ op: 'sned', fd: 0 }] }] }, 'processes[0].ops[0].op');
    bad({ processes: [{ host: 'a', ops: [{ op: 'send', fd: -1, data: { len: 1 } }] }] }, 'processes[0].ops[0].fd');
    bad({ processes: [{ host: 'a', ops: [{ op: 'socket', domain: 'AF_BOGUS', type: 'SOCK_DGRAM' }] }] }, 'processes[0].ops[0].domain');
    bad({ processes: [{ host: 'a', ops: [{ op: 'close', fd: 0, extra: 1 }] }] }, 'processes[0].ops[0].extra');
    bad({ faults: [{ at: 1, kind: 'crash', host: 'q' }] }, 'faults[0].host');
    bad({ profile: 'nope' }, 'profile');
  });
});
