/**
 * The Linux expectation table: every case of linux-probe/cases.json, run in socksim, must give exactly what the
 * real kernel gave (linux-probe/expected.json, recorded by probe.py inside `unshare -n` with only loopback up).
 * Each case cites the man page or kernel function behind it. Cases tagged "tcp" exercise the TCP engineer's
 * sockets through this layer; a tag listed in PENDING turns its cases into todo entries (never faked passes) while
 * the code behind it is being written — at present every case runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as constants from '../../stack/constants.js';
import { runCase, type CaseFile } from './probe-runner.js';

const dir = new URL('./linux-probe/', import.meta.url);
const file = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as CaseFile;
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as {
  meta: { kernel: string; sysctl: Record<string, number> };
  results: Record<string, unknown[] | null>;
};
/** Tags whose cases are pending another engineer's work (none at present: TCP's cases all pass). */
const PENDING = new Set<string>([]);

describe('linux expectation table', () => {
  test('the table has at least 120 cases, each with a citation and a recorded Linux result', () => {
    expect(file.cases.length).toBeGreaterThanOrEqual(120);
    for (const c of file.cases) {
      expect(c.cite.length, c.id).toBeGreaterThan(5);
      expect(expected.results[c.id], c.id).toBeTruthy();
    }
  });

  test('the constants the probe used are socksim\'s constants', () => {
    const ours = constants as unknown as Record<string, number>;
    for (const [k, v] of Object.entries(file.consts)) if (k in ours) expect(ours[k], k).toBe(v >= 2 ** 31 ? v - 2 ** 32 === ours[k] ? ours[k] : v : v);
  });

  for (const c of file.cases) {
    if (c.tags.some((t) => PENDING.has(t))) {
      test.todo(`pending (${c.tags.join(', ')}): ${c.id} — ${c.cite}`);
      continue;
    }
    test(`${c.id}: ${c.cite}`, async () => {
      const got = await runCase(file, c, expected.meta.sysctl);
      expect(got).toEqual(expected.results[c.id]);
    });
  }
});
