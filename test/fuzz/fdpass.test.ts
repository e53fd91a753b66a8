import { describe, expect, test } from 'vitest';
import { checkNoUnixLeak } from '../../scenarios/fuzz/fdpass.js';
import { runData, type DataRun } from '../../scenarios/data/run.js';
import type { ScenarioData } from '../../scenarios/data/schema.js';
import '../../scenarios/index.js';

const passing: ScenarioData = {
  version: 1, seed: 1, hosts: ['h'], links: [], faults: [], processes: [{
    host: 'h', ops: [
      { op: 'socketpair', domain: 'AF_UNIX', type: 'SOCK_STREAM' },
      { op: 'socketpair', domain: 'AF_UNIX', type: 'SOCK_DGRAM' },
      // Pass both ends of the second pair over the first, then receive one with room for a single fd (MSG_CTRUNC).
      { op: 'sendmsg', fd: 0, data: { len: 1 }, rights: [2, 3], expect: { ret: 1 } },
      { op: 'recvmsg', fd: 1, len: 4, controlLen: 20, expect: { ret: 1 } },
    ],
  }],
};

describe('unix-fd-conservation check', () => {
  test('passes when every socket is released at exit (one fd received, one cut by MSG_CTRUNC)', async () => {
    const d = await runData(passing);
    expect(d.trace.failures).toEqual([]);
    expect(checkNoUnixLeak(d)).toBeNull();
  });

  test('reports a socket left behind', async () => {
    // A process still holding its sockets when the check runs (as a leak would leave them).
    const blocked: ScenarioData = { ...passing, processes: [{ host: 'h', ops: [...passing.processes[0]!.ops, { op: 'recv', fd: 0, len: 1 }] }] };
    const d: DataRun = await runData(blocked);
    expect(checkNoUnixLeak(d)).toBe('a process never finished');
    d.trace.finished = [true];
    expect(checkNoUnixLeak(d)).toMatch(/AF_UNIX socket\(s\) still exist on h/);
  });
});
