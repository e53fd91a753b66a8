import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuilt, socksim, tempDir } from './cli-helpers.js';

/** The "results digest" lines of a fuzz run, one per property. */
const digests = (out: string) => [...out.matchAll(/results digest ([0-9a-f]+)/g)].map((m) => m[1]);
const runsLine = (out: string, prop: string) => Number(new RegExp(`${prop}: (\\d+) runs`).exec(out)?.[1]);

describe('socksim fuzz (issue 7 must-show 2, 3)', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = tempDir();
  }, 120_000);

  test('--workers 2 gives the same results as --workers 1 for the same seed and runs', () => {
    const one = socksim(['fuzz', 'udp-integrity', '--runs', '60', '--seed', '5', '--workers', '1', '--out', dir]);
    const two = socksim(['fuzz', 'udp-integrity', '--runs', '60', '--seed', '5', '--workers', '2', '--out', dir]);
    expect(digests(one.stdout)).toHaveLength(1);
    expect(digests(two.stdout)).toEqual(digests(one.stdout));
    expect(two.status).toBe(one.status);
  });

  test('--shard i/n splits the runs so that the shards add up to the whole', () => {
    const counts = [1, 2, 3].map((i) => runsLine(socksim(['fuzz', 'udp-integrity', '--runs', '50', '--seed', '2', '--shard', `${i}/3`, '--out', dir]).stdout, 'udp-integrity'));
    expect(counts).toEqual([17, 17, 16]);
  });

  test('a failure is shrunk, saved, and replays in a fresh process to the same failing outcome', () => {
    // The udp-recv-unwired profile (seed 004's "UDP receive not wired") must be caught by the expectations property.
    const r = socksim(['fuzz', 'expectations', '--runs', '200', '--seed', '1', '--profile', 'udp-recv-unwired', '--out', dir]);
    expect(r.status).toBe(1);
    const cmd = /replay it: npx socksim replay (\S+)/.exec(r.stdout);
    expect(cmd).not.toBeNull();
    const msg = /minimal case \((.*)\):/.exec(r.stdout)![1]!;
    const ops = [...r.stdout.matchAll(/^\s+#\d+ /gm)].length;
    expect(ops).toBeLessThanOrEqual(6);
    const rep = socksim(['replay', cmd![1]!]);
    expect(rep.status).toBe(0);
    expect(rep.stdout).toMatch(/identical/);
    expect(rep.stdout).toContain(`recorded as a failure of property expectations: ${msg}`);
    expect(rep.stdout).toContain(`property expectations fails again: ${msg}`);
    expect(join(dir)).toBeTruthy();
  });
});
