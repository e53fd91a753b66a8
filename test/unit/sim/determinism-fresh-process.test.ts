/**
 * DEVELOPERS.md, "Determinism": the same scenario and seed give the same recording bytes in a fresh process. Two
 * fresh Node processes run fixtures/record-run.js against the built kernel (dist/sim) and print the sha256 of their
 * recording; the hashes must match, and a different seed must change them. The second process also runs with another
 * time zone and with Math.random replaced, so a recording that leaned on either would show up here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const fixture = join(here, 'fixtures', 'record-run.js');

/** Newest modification time of the files with this extension in dir (0 when none). */
function newest(dir: string, ext: string, pick: (a: number, b: number) => number, start: number): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).filter((f) => f.endsWith(ext)).reduce((t, f) => pick(t, statSync(join(dir, f)).mtimeMs), start);
}

/** Whether dist/sim is missing or older than a source file in sim/. */
function distIsStale(): boolean {
  const oldestBuilt = newest(join(root, 'dist', 'sim'), '.js', Math.min, Infinity);
  return oldestBuilt === 0 || oldestBuilt === Infinity || oldestBuilt < newest(join(root, 'sim'), '.ts', Math.max, 0);
}

type Outcome = { sha256: string; bytes: number; events: number; status: string };

/** Runs the fixture in a fresh Node process. */
function runFresh(seed: string, nodeArgs: string[] = [], env: Record<string, string> = {}): Outcome {
  const out = execFileSync(process.execPath, [...nodeArgs, fixture, seed], {
    cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000,
  });
  return JSON.parse(out) as Outcome;
}

describe('recordings are identical across fresh processes', () => {
  beforeAll(() => {
    if (!distIsStale()) return;
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe', timeout: 240_000 });
    } catch (e) {
      // tsc still emits when files outside sim/ have type errors (others' work in progress); only sim/ matters here.
      if (distIsStale()) throw e;
    }
  }, 300_000);

  test('same seed: same sha256 in two fresh processes; another seed: a different one', () => {
    const a = runFresh('1');
    const b = runFresh('1', ['--import', 'data:text/javascript,Math.random=()=>0.25;'], { TZ: 'Pacific/Chatham' });
    expect(a.status).toBe('completed');
    expect(a.events).toBeGreaterThan(50);
    expect(b).toEqual(a);
    const c = runFresh('2');
    expect(c.sha256).not.toBe(a.sha256);
  }, 120_000);
});
