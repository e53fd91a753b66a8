/**
 * Step comparison, golden files, Linux-run majorities and KNOWN_GAPS.md parsing: the parts of `socksim conform`
 * that decide what counts as agreeing with Linux.
 */
import { fc, test as ptest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { validateScenario } from '../../scenarios/data/load.js';
import type { ScenarioData } from '../../scenarios/data/schema.js';
import { compareCase, normalizeOut, resultText } from '../../tools/conform/compare.js';
import { gapFor, parseKnownGaps } from '../../tools/conform/gaps.js';
import { formatGolden, parseProgramOutput, type Golden, type StepResult } from '../../tools/conform/golden.js';
import { majorityGolden } from '../../tools/conform/run.js';

const CASE: ScenarioData = validateScenario({
  version: 1, seed: 1, hosts: ['a'], links: [], faults: [],
  processes: [{ host: 'a', ops: [
    { op: 'socket', domain: 'AF_INET', type: 'SOCK_DGRAM' },
    { op: 'bind', fd: 0, addr: { host: 'a', port: 7000 } },
    { op: 'getsockname', fd: 0 },
    { op: 'recv', fd: 0, len: 10, flags: 'MSG_DONTWAIT' },
  ] }],
});

const LINUX: StepResult[] = [
  { p: 0, i: 0, op: 'socket', ret: 3, errno: null },
  { p: 0, i: 1, op: 'bind', ret: 0, errno: null },
  { p: 0, i: 2, op: 'getsockname', ret: 0, errno: null, out: 'addr=127.0.0.1:7000' },
  { p: 0, i: 3, op: 'recv', ret: -1, errno: 'EAGAIN' },
];

describe('compareCase', () => {
  test('identical results agree on every step', () => {
    const c = compareCase('x', CASE, LINUX, LINUX);
    expect(c).toMatchObject({ steps: 4, agreed: 4, disagreements: [] });
  });

  test('an fd is compared by kind: socksim\'s fd 0 agrees with Linux\'s fd 3, but not with -1', () => {
    const mine = LINUX.map((r) => (r.i === 0 ? { ...r, ret: 0 } : r));
    expect(compareCase('x', CASE, mine, LINUX).agreed).toBe(4);
    const failed = LINUX.map((r) => (r.i === 0 ? { ...r, ret: -1, errno: 'EMFILE' } : r));
    expect(compareCase('x', CASE, failed, LINUX).disagreements.map((d) => d.step)).toEqual(['p0#0']);
  });

  test('a different errno, return value or output is a disagreement naming the call and both results', () => {
    const mine = LINUX.map((r) => (r.i === 3 ? { ...r, errno: 'EINTR' } : r.i === 2 ? { ...r, out: 'addr=127.0.0.1:7001' } : r));
    const c = compareCase('x', CASE, mine, LINUX);
    expect(c.agreed).toBe(2);
    expect(c.disagreements).toEqual([
      { case: 'x', step: 'p0#2', call: 'getsockname(fd[0])', socksim: '0 addr=127.0.0.1:7001', linux: '0 addr=127.0.0.1:7000' },
      { case: 'x', step: 'p0#3', call: 'recv(fd[0], 10, MSG_DONTWAIT)', socksim: '-1 EINTR', linux: '-1 EAGAIN' },
    ]);
  });

  test('a step only one side reached disagrees; a step neither reached is not counted', () => {
    const c = compareCase('x', CASE, LINUX.slice(0, 3), LINUX.slice(0, 2));
    expect(c.steps).toBe(3);
    expect(c.disagreements[0]).toMatchObject({ step: 'p0#2', linux: resultText(undefined, false) });
  });

  test('unstable steps are left out of the count', () => {
    const c = compareCase('x', CASE, LINUX.slice(0, 3), LINUX, { unstable: ['p0#3'] });
    expect(c).toMatchObject({ steps: 3, agreed: 3, unstable: 1 });
  });

  ptest.prop([fc.array(fc.record({ ret: fc.integer({ min: -1, max: 9 }), errno: fc.constantFrom(null, 'EAGAIN', 'EINVAL') }), { minLength: 4, maxLength: 4 }),
    fc.integer({ min: 0, max: 3 })], { numRuns: 200 })('turning one step\'s success into a failure (or back) makes exactly that step disagree', (rs, k) => {
    const linux = rs.map((r, i) => ({ ...LINUX[i]!, ret: r.ret, errno: r.ret === -1 ? r.errno : null }));
    expect(compareCase('x', CASE, linux, linux).agreed).toBe(4);
    // A failure where Linux succeeded (or the other way round) disagrees for every kind of call, fd-returning ones too.
    const changed = linux.map((r, i) => (i !== k ? r : r.ret >= 0 ? { ...r, ret: -1, errno: 'EIO' } : { ...r, ret: 7, errno: null }));
    expect(compareCase('x', CASE, changed, linux).disagreements.map((d) => d.step)).toEqual([`p0#${k}`]);
  });
});

describe('normalizeOut', () => {
  test('ports in net.ipv4.ip_local_port_range (32768-60999) compare as <ephemeral>, others exactly', () => {
    expect(normalizeOut('addr=127.0.0.1:32768 from=[::1]:60999')).toBe('addr=127.0.0.1:<ephemeral> from=[::1]:<ephemeral>');
    expect(normalizeOut('addr=127.0.0.1:32767 from=10.0.1.1:61000')).toBe('addr=127.0.0.1:32767 from=10.0.1.1:61000');
  });

  test('AF_UNIX autobind names ("\\0" and five hex digits) compare as one, explicit abstract names exactly', () => {
    expect(normalizeOut('addr=unix:@0001f')).toBe('addr=unix:@<autobind>');
    expect(normalizeOut('addr=unix:@socksim-abs1')).toBe('addr=unix:@socksim-abs1');
  });
});

describe('golden files', () => {
  test('parseProgramOutput reads results and process ends, sorted by process and op', () => {
    const out = parseProgramOutput('{"p":1,"i":0,"op":"socket","ret":3,"errno":null}\n{"p":0,"i":1,"op":"recv","ret":-1,"errno":"EAGAIN","out":"x"}\n'
      + '{"p":0,"end":"exit 0"}\n{"p":1,"end":"signal 13"}\n');
    expect(out.results.map((r) => `p${r.p}#${r.i}`)).toEqual(['p0#1', 'p1#0']);
    expect(out.ends).toEqual(['exit 0', 'signal 13']);
  });

  test('a line that is not a record is an error naming its line', () => {
    expect(() => parseProgramOutput('{"p":0,"i":0,"op":"socket","ret":3,"errno":null}\nsegfault')).toThrow(/line 2/);
    expect(() => parseProgramOutput('{"p":0,"i":0,"op":"socket","ret":"3","errno":null}')).toThrow(/line 1/);
  });

  ptest.prop([fc.array(fc.record({ p: fc.nat(3), i: fc.nat(50), op: fc.constantFrom('socket', 'recv'), ret: fc.integer({ min: -1, max: 1 << 20 }),
    errno: fc.constantFrom(null, 'EAGAIN'), out: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) }), { maxLength: 20 })], { numRuns: 100 })(
    'formatGolden writes JSON that reads back as the same golden', (rows) => {
      const results = rows.map(({ out, ...r }) => (out === undefined ? r : { ...r, out }));
      const g: Golden = { case: 'c', kernel: '6.1', ends: ['exit 0'], results };
      expect(JSON.parse(formatGolden(g))).toEqual(g);
    });

  test('majorityGolden keeps what most runs saw and marks a step without a majority unstable', () => {
    const run = (ret3: number, errno: string | null, end = 'exit 0') => ({
      output: { results: [...LINUX.slice(0, 3), { p: 0, i: 3, op: 'recv', ret: ret3, errno }], ends: [end] }, stderr: '', status: 0,
    });
    const g = majorityGolden('x', CASE, [run(-1, 'EAGAIN'), run(2, null, 'signal 14'), run(-1, 'EAGAIN')]);
    expect(g.results[3]).toMatchObject({ ret: -1, errno: 'EAGAIN' });
    expect(g.ends).toEqual(['exit 0']);
    expect(g.unstable).toBeUndefined();
    const split = majorityGolden('x', CASE, [run(-1, 'EAGAIN'), run(2, null)]);
    expect(split.unstable).toEqual(['p0#3']);
  });
});

describe('KNOWN_GAPS.md', () => {
  const text = [
    '# Known gaps', '', '| case | steps | reason |', '|---|---|---|',
    '| `udp-x` | p0#2 p0#3 | socksim does not autobind on a failed send |',
    '| tcp-y | * | TCP_FOO is not modelled |',
  ].join('\n');

  test('rows name a case, its steps (or * for all) and a reason', () => {
    const gaps = parseKnownGaps(text);
    expect(gaps.map((g) => [g.case, g.steps && [...g.steps], g.line])).toEqual([['udp-x', ['p0#2', 'p0#3'], 5], ['tcp-y', null, 6]]);
    const d = { case: 'udp-x', step: 'p0#3', call: '', socksim: '', linux: '' };
    expect(gapFor(gaps, d)?.reason).toBe('socksim does not autobind on a failed send');
    expect(gapFor(gaps, { ...d, step: 'p0#4' })).toBeUndefined();
    expect(gapFor(gaps, { ...d, case: 'tcp-y', step: 'p9#9' })?.case).toBe('tcp-y');
  });

  test('a malformed row is an error naming its line', () => {
    expect(() => parseKnownGaps('| a | b |')).toThrow(/line 1/);
    expect(() => parseKnownGaps('| a | step 3 | why |')).toThrow(/line 1: steps/);
    expect(() => parseKnownGaps('| a | * |  |')).toThrow(/reason/);
  });
});
