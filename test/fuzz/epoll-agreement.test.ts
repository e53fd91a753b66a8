import { describe, expect, test } from 'vitest';
import { checkEpollAgainstPoll, epollScenarioArb } from '../../scenarios/fuzz/epoll.js';
import { runData } from '../../scenarios/data/run.js';
import fc from 'fast-check';
import '../../scenarios/index.js';

describe('epoll-agreement property', () => {
  test('holds on generated runs, and its comparisons see real readiness (not only empty waits)', async () => {
    let nonEmpty = 0;
    for (const s of fc.sample(epollScenarioArb(), { seed: 3, numRuns: 60 })) {
      const d = await runData(s);
      expect(checkEpollAgainstPoll(s, d.trace)).toBeNull();
      nonEmpty += d.trace.results.filter((r) => r.op === 'epoll_wait' && r.ret > 0).length;
    }
    expect(nonEmpty).toBeGreaterThan(20);
  });

  test('catches an epoll_wait that reports a ready fd without its EPOLLOUT bit, or an unregistered fd', async () => {
    const s = fc.sample(epollScenarioArb(), { seed: 3, numRuns: 60 }).find((x) => x.processes[0]!.ops.some((o) => o.op === 'epoll_ctl'))!;
    const d = await runData(s);
    const wait = d.trace.results.find((r) => r.op === 'epoll_wait' && r.ret > 0);
    if (!wait) return;
    const tampered = structuredClone(d.trace);
    const w = tampered.results.find((r) => r.index === wait.index)!;
    w.out = w.out!.replace(/0x([0-9a-f]+):/, (_m, h: string) => `0x${(parseInt(h, 16) ^ 0x4).toString(16)}:`);
    expect(checkEpollAgainstPoll(s, tampered)).toMatch(/epoll_wait \(op #\d+\) reported/);
    w.out = `${wait.out},0x1:3`;
    const t2 = structuredClone(d.trace);
    t2.results.find((r) => r.index === wait.index)!.out = `${wait.out},0x1:9`;
    expect(checkEpollAgainstPoll(s, t2)).toMatch(/reported/);
  });
});
