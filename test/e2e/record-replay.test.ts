import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { RecordingReader } from '../../sim/recording-reader.js';
import { MemoryOutput, RecordingWriter } from '../../sim/recording.js';
import { ensureBuilt, socksim, tempDir } from './cli-helpers.js';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('recordings are deterministic and replay exactly (issue 2 must-show 1, 2, 4)', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = tempDir();
  }, 120_000);

  test('the same scenario and seed in two fresh processes give byte-identical recordings; another seed differs', () => {
    const a = join(dir, 'a.socksim'), b = join(dir, 'b.socksim'), c = join(dir, 'c.socksim');
    expect(socksim(['run', '--seed', '7', '--record', a]).status).toBe(0);
    expect(socksim(['run', '--seed', '7', '--record', b]).status).toBe(0);
    expect(socksim(['run', '--seed', '8', '--record', c]).status).toBe(0);
    expect(sha(a)).toBe(sha(b));
    expect(sha(c)).not.toBe(sha(a));
  });

  test('replay of a fresh recording says identical and exits 0', () => {
    const f = join(dir, 'r.socksim');
    expect(socksim(['run', '--seed', '3', '--record', f]).status).toBe(0);
    const r = socksim(['replay', f]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/identical \(\d+ events\)/);
  });

  test('an edited event makes replay exit 1 naming its index, time, expected and actual', () => {
    const f = join(dir, 'edit-src.socksim');
    expect(socksim(['run', '--seed', '4', '--record', f]).status).toBe(0);
    const reader = new RecordingReader(readFileSync(f));
    const events = reader.allEvents().map((e) => [...e]);
    // Change the result of the 10th syscall: the replayed run will produce the original value there.
    const sysIdx = events.map((e, i) => (e[0] === 'sys' ? i : -1)).filter((i) => i >= 0)[9]!;
    const ev = events[sysIdx]!;
    ev[5] = (ev[5] as number) + 1000;
    const out = new MemoryOutput();
    const { magic: _m, format: _f, ...rest } = reader.header;
    const w = new RecordingWriter(out, rest);
    for (const e of events) w.push(e);
    w.finish({ status: reader.end!.status, message: reader.end!.message, timeNs: reader.end!.timeNs });
    const edited = join(dir, 'edited.socksim');
    writeFileSync(edited, out.bytes());
    const r = socksim(['replay', edited]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`first difference at event #${sysIdx}`);
    expect(r.stdout).toMatch(/virtual time \d+\.\d{9}s/);
    expect(r.stdout).toMatch(/expected: \["sys"/);
    expect(r.stdout).toMatch(/actual: {3}\["sys"/);
  });

  test('a recording cut mid-batch replays its whole batches and says where it stopped', () => {
    const f = join(dir, 'long.socksim');
    expect(socksim(['run', '--seed', '5', '--record', f, '--param', 'requests=60']).status).toBe(0);
    const bytes = readFileSync(f);
    const cut = join(dir, 'cut.socksim');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const r = socksim(['replay', cut]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/cut short at byte offset \d+/);
    const m = /the (\d+) events in its whole batches are identical/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
  });

  test('a random file is rejected with a clear message naming offset 0; a damaged batch names its offset', () => {
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, Buffer.from('this is not a recording at all, just text'));
    const r = socksim(['replay', junk]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a socksim recording.*byte offset 0/);
    const f = join(dir, 'dmg-src.socksim');
    expect(socksim(['run', '--seed', '6', '--record', f]).status).toBe(0);
    const bytes = Buffer.from(readFileSync(f));
    bytes[bytes.length - 40]! ^= 0xff; // inside the last frames' payload
    const dmg = join(dir, 'dmg.socksim');
    writeFileSync(dmg, bytes);
    const d = socksim(['replay', dmg]);
    expect(d.status).toBe(2);
    expect(d.stderr).toMatch(/damaged recording: frame checksum mismatch \(at byte offset \d+\)/);
  });

  test('a damaged batch in the middle of a recording: replay exits 2 naming that batch, never "identical"', () => {
    const f = join(dir, 'dmg-mid-src.socksim');
    expect(socksim(['run', '--seed', '6', '--record', f, '--param', 'requests=60']).status).toBe(0);
    const bytes = Buffer.from(readFileSync(f));
    // The second batch frame follows the magic (8 bytes), the header frame and the first batch frame.
    const next = (at: number) => at + 11 + bytes.readUInt32LE(at + 1);
    const second = next(next(8));
    expect(String.fromCharCode(bytes[second]!)).toBe('B');
    expect(next(second)).toBeLessThan(bytes.length - 100); // a batch in the middle, not the last one
    bytes[second + 11 + 100]! ^= 0x01;
    const dmg = join(dir, 'dmg-mid.socksim');
    writeFileSync(dmg, bytes);
    const d = socksim(['replay', dmg]);
    expect(d.status).toBe(2);
    expect(d.stderr).toContain(`damaged recording: frame checksum mismatch (at byte offset ${second})`);
    expect(d.stdout).not.toMatch(/identical/);
  });

  test('bad arguments get a one-line error and a non-zero exit, never a stack trace', () => {
    for (const args of [['run', '--seed'], ['run', '--loss', 'x'], ['run', 'no-such-scenario'], ['replay'], ['pcap', 'x'], ['frobnicate'], ['run', '--bogus']]) {
      const r = socksim(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test('--help works for each command', () => {
    for (const c of ['run', 'replay', 'pcap']) {
      const r = socksim([c, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`usage: socksim ${c}`));
    }
    expect(socksim(['--help']).stdout).toMatch(/commands:/);
  });
});
