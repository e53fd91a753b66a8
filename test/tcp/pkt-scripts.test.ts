/**
 * The TCP packetdrill scripts of test/packetdrill/tcp-*.pkt, run by socksim's packetdrill runner in the modes
 * upstream's run_all.py uses (IPv4, IPv4-mapped IPv6, IPv6). Each script states the Linux behaviour it pins.
 */
import { describe, expect, test } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runFile } from '../../tools/packetdrill/runner/suite.js';

const dir = join(__dirname, '..', 'packetdrill');
const scripts = readdirSync(dir).filter((f) => f.startsWith('tcp-') && f.endsWith('.pkt')).sort();

describe('TCP packetdrill scripts', () => {
  test('there are scripts to run', () => {
    expect(scripts.length).toBeGreaterThan(15);
  });
  for (const f of scripts) {
    test(f, async () => {
      const r = await runFile(join(dir, f), f, { overrides: [], exclude: [] });
      const failures = r.results.filter((m) => m.outcome.failure).map((m) => `[${m.mode}] line ${m.outcome.failure!.line}: ${m.outcome.failure!.message}\n${m.outcome.failure!.details.join('\n')}`);
      expect(failures).toEqual([]);
    });
  }
});
