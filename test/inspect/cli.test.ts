/**
 * `socksim inspect` from the command line, as the other commands behave (tools/cli.ts): a usage mistake is one line
 * and exit status 2; a damaged or foreign file is exit 2 with the byte offset; a file cut short is still read and
 * says where it stopped. And the terminal summary fits 80 columns and agrees with the model's ground truth.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test as vtest } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { RecordingReader } from '../../sim/recording-reader.js';
import { analyzeRecording } from '../../tools/inspect/analyze.js';
import { SUMMARY_WIDTH, formatSummary } from '../../tools/inspect/summary.js';
import { socksim, tempDir } from '../e2e/cli-helpers.js';
import { ensureFreshBuild } from './build.js';
import { synthTransfer } from './synth.js';

describe('socksim inspect (built CLI)', () => {
  let dir: string, rec: string;
  beforeAll(() => {
    ensureFreshBuild();
    dir = tempDir();
    rec = join(dir, 'tcp.socksim');
    writeFileSync(rec, synthTransfer({ lose: [3, 7], loseAcks: [1] }).bytes);
  }, 180_000);

  vtest('the summary names the run, the connection, its retransmissions, drops and errnos', () => {
    const r = socksim(['inspect', rec]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('recording of synthetic-tcp, seed 0');
    expect(r.stdout).toContain('run: completed');
    expect(r.stdout).toMatch(/#1 10\.0\.0\.1:40000 \(a\) > 10\.0\.0\.2:80 \(b\)/);
    expect(r.stdout).toMatch(/retransmitted/);
    expect(r.stdout).toMatch(/by reason: loss 3/);
    expect(r.stdout).toMatch(/bind\s+EADDRNOTAVAIL/);
    expect(r.stdout).toContain('SYN_SENT');
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(SUMMARY_WIDTH);
  });

  vtest('--json is the analysis as JSON; --segments adds the rows', () => {
    const r = socksim(['inspect', rec, '--json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tcp[0].segments).toBeTypeOf('number');
    expect(j.drops.total).toBe(3);
    const full = JSON.parse(socksim(['inspect', rec, '--json', '--segments']).stdout);
    expect(full.tcp[0].segments).toHaveLength(j.tcp[0].segments);
  });

  vtest('--conn prints one tcpdump-like line per segment, retransmissions and drops marked', () => {
    const r = socksim(['inspect', rec, '--conn', '1']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^0\.000000s 10\.0\.0\.1:40000 > 10\.0\.0\.2:80 \[S\] seq 0 win 502 len 0 arrived 0\.005000s$/);
    expect(lines.filter((l) => l.includes('RETRANSMISSION')).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('DROPPED (loss)'))).toHaveLength(3);
  });

  vtest('usage mistakes: one line on stderr, exit 2', () => {
    for (const args of [['inspect'], ['inspect', rec, '--bogus'], ['inspect', rec, '--segments'], ['inspect', rec, '--conn', '9'],
      ['inspect', rec, '--conn', 'x'], ['inspect', join(dir, 'nope.socksim')]]) {
      const r = socksim(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^socksim inspect: /);
    }
  });

  vtest('a damaged file: exit 2 and the byte offset of the damage', () => {
    const bytes = readFileSync(rec);
    const bad = Uint8Array.from(bytes);
    bad[bytes.length - 40] ^= 0xff;
    const f = join(dir, 'bad.socksim');
    writeFileSync(f, bad);
    const r = socksim(['inspect', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/checksum mismatch \(at byte offset \d+\)/);
    writeFileSync(join(dir, 'foreign'), 'hello');
    expect(socksim(['inspect', join(dir, 'foreign')]).stderr).toMatch(/not a socksim recording.*byte offset 0/);
  });

  vtest('a file cut short is read up to its last whole batch, and the summary says so', () => {
    const bytes = readFileSync(rec);
    const f = join(dir, 'cut.socksim');
    writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const r = socksim(['inspect', f]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/run: CUT SHORT at byte offset \d+ of \d+/);
    expect(r.stdout).toMatch(/cut short at byte offset/);
  });

  vtest('inspect is listed in socksim --help', () => {
    expect(socksim(['--help']).stdout).toMatch(/inspect\s+summarise a recording/);
    expect(socksim(['inspect', '--help']).stdout).toContain('usage: socksim inspect RECORDING');
  });
});

describe('the summary against the model', () => {
  test.prop([
    fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }),
    fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 3 }),
    fc.boolean(),
  ], { numRuns: 25 })('any loss pattern: retransmissions and drops match the model; every line fits 80 columns', (lose, loseAcks, viaSwitch) => {
    const { bytes, truth } = synthTransfer({ lose, loseAcks, viaSwitch });
    const a = analyzeRecording(new RecordingReader(bytes));
    const c = a.tcp[0]!;
    expect(c.a.retransmissions).toBe(truth.retransmissions);
    expect(c.a.dropped + c.b.dropped).toBe(truth.lostData + truth.lostAcks);
    expect(a.drops.total).toBe(truth.lostData + truth.lostAcks);
    expect(c.b.dupAcks).toBe(truth.dupAcks);
    for (const line of formatSummary(a).split('\n')) expect(line.length).toBeLessThanOrEqual(SUMMARY_WIDTH);
  });
});
