import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { replayFile } from '../../scenarios/replay.js';
import { formatDivergence } from '../../sim/replay.js';

// Every recording committed under recordings/ is a regression test: a change in behaviour shows as a divergence
// with the first differing event. (Recordings written by `socksim run` are git-ignored unless named regress-*.)
const dir = join(__dirname, '../../recordings');
const files = readdirSync(dir).filter((f) => /^regress-.*\.socksim$/.test(f)).sort();

describe('committed recordings replay identically', () => {
  test('there are committed recordings to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files) {
    test(f, async () => {
      const rep = await replayFile(join(dir, f));
      const why = rep.divergence ? formatDivergence(rep.divergence) : rep.endMismatch ?? (rep.truncated ? 'recording is truncated' : '');
      expect(rep.identical, `${f}: ${why}`).toBe(true);
    }, 120_000);
  }
});
