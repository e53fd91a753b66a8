/**
 * The scenario-data operations added for the conformance suite: the loader checks their fields with field paths,
 * the interpreter runs them with the outputs the exported C prints, and a recording of a case exports like the case.
 */
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import { validateScenario } from '../../scenarios/data/load.js';
import { runData } from '../../scenarios/data/run.js';
import { formatOp } from '../../scenarios/data/format.js';
import { runScenario } from '../../scenarios/runner.js';
import '../../scenarios/udp-echo.js';
import { CaseSourceError, loadCase } from '../../tools/export-c/source.js';
import { exportC } from '../../tools/export-c/program.js';

const work = mkdtempSync(join(tmpdir(), 'socksim-schema-ops-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const doc = (ops: unknown[], extra: Record<string, unknown> = {}) =>
  ({ version: 1, seed: 1, hosts: ['a'], links: [], faults: [], processes: [{ host: 'a', ops }], ...extra });

describe('loading the added operations', () => {
  test.each([
    [{ op: 'poll', fds: [{ fd: 0, events: 'POLLNOPE' }], timeoutMs: 0 }, 'processes[0].ops[0].fds[0].events: unknown constant "POLLNOPE"'],
    [{ op: 'poll', fds: [{ fd: 0 }], timeoutMs: 0 }, 'processes[0].ops[0].fds[0].events: expected a constant name or an integer'],
    [{ op: 'select', read: [0, -1], timeoutMs: 0 }, 'processes[0].ops[0].read[1]: expected an integer'],
    [{ op: 'select', read: [0] }, 'processes[0].ops[0].timeoutMs: missing'],
    [{ op: 'sendmsg', fd: 0, data: { text: 'x' }, creds: 1 }, 'processes[0].ops[0].creds: expected true or false'],
    [{ op: 'signal', signo: 'SIGPIPE', action: 'catch' }, 'processes[0].ops[0].action: expected "ignore" or "default"'],
    [{ op: 'getaddrinfo', node: 5, service: null }, 'processes[0].ops[0].node: expected a string'],
    [{ op: 'inet_ntop', af: 'AF_INET', hex: '7f0' }, 'processes[0].ops[0].hex: expected hex bytes'],
    [{ op: 'epoll_wait', epfd: 0, maxevents: 1, timeoutMs: -2 }, 'processes[0].ops[0].timeoutMs: expected an integer in [-1, 86400000]'],
  ])('%j is rejected at its field', (op, message) => {
    expect(() => validateScenario(doc([op]))).toThrow(message);
  });

  test('etc files are strings; getaddrinfo expectations may be negative EAI codes', () => {
    expect(() => validateScenario(doc([], { etc: { hosts: 1 } }))).toThrow('etc.hosts: expected a string');
    expect(() => validateScenario(doc([], { etc: { services: '' } }))).toThrow('etc.services: unknown field');
    const s = validateScenario(doc([{ op: 'getaddrinfo', node: null, service: null, flags: ['AI_PASSIVE'], expect: { ret: -2 } }]));
    expect(s.processes[0]!.ops[0]!.expect).toEqual({ ret: -2 });
    expect(formatOp(s.processes[0]!.ops[0]!)).toBe('getaddrinfo(null, null, family 0, socktype 0, protocol 0, flags AI_PASSIVE)');
  });
});

describe('running the added operations (Linux results from the committed goldens)', () => {
  test('SCM_RIGHTS: the received fd joins the fd list and reaches the passed socket', async () => {
    const s = validateScenario(doc([
      { op: 'socketpair', domain: 'AF_UNIX', type: 'SOCK_STREAM' }, { op: 'socketpair', domain: 'AF_UNIX', type: 'SOCK_DGRAM' },
      { op: 'sendmsg', fd: 0, data: { text: 'x' }, rights: [2] }, { op: 'recvmsg', fd: 1, len: 8, controlLen: 64 },
      { op: 'send', fd: 4, data: { text: 'hi' } }, { op: 'recv', fd: 3, len: 8 },
    ]));
    const { trace } = await runData(s);
    expect(trace.results.map((r) => [r.op, r.ret, r.out])).toEqual([
      ['socketpair', 0, undefined], ['socketpair', 0, undefined], ['sendmsg', 1, undefined],
      ['recvmsg', 1, 'd=78 flags=0x0 cmsg=rights:1'], ['send', 2, undefined], ['recv', 2, 'd=6869'],
    ]);
  });

  test('getaddrinfo reads the case\'s /etc/hosts; -1 (EAI_BADFLAGS) carries no errno', async () => {
    const s = validateScenario(doc([
      { op: 'getaddrinfo', node: 'beta', service: '7', family: 'AF_INET', socktype: 'SOCK_STREAM' },
      { op: 'getaddrinfo', node: 'beta', service: '7', flags: 0x10000 },
    ], { etc: { hosts: '10.0.1.2\tbeta\n', resolvConf: 'nameserver 127.0.0.1\n' } }));
    const { trace } = await runData(s);
    expect(trace.results.map((r) => [r.ret, r.errno, r.out])).toEqual([[0, null, 'ai=2/1/6/10.0.1.2:7'], [-1, null, undefined]]);
  });
});

describe('export-c input', () => {
  test('a recording of scenario data exports the same program as the case itself', async () => {
    const s = validateScenario(doc([{ op: 'socket', domain: 'AF_INET', type: 'SOCK_DGRAM' }, { op: 'inet_aton', src: '127.1' }]));
    const rec = join(work, 'case.socksim');
    await runData(s, { record: rec });
    const c = loadCase(rec);
    expect(c.kind).toBe('recording');
    expect(exportC(c.data, { name: 'x' }).source).toBe(exportC(s, { name: 'x' }).source);
  });

  test('a recording of another scenario is refused with its name', async () => {
    const rec = join(work, 'echo.socksim');
    await runScenario('udp-echo', { seed: 1, record: rec });
    expect(() => loadCase(rec)).toThrow(CaseSourceError);
    expect(() => loadCase(rec)).toThrow(/records the scenario "udp-echo", not scenario data/);
  });
});
