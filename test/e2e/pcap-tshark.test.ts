import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuilt, hasCommand, socksim, tempDir } from './cli-helpers.js';

// tshark comes from Debian (.ci/run installs it); without it this suite cannot check anything, so it says so.
const tshark = hasCommand('tshark');

describe.skipIf(!tshark)('socksim pcap output reads cleanly in tshark (issue 2 must-show 5)', () => {
  let pcap: string;
  beforeAll(() => {
    ensureBuilt();
    const dir = tempDir();
    const rec = join(dir, 'run.socksim');
    pcap = join(dir, 'out.pcap');
    expect(socksim(['run', '--seed', '11', '--record', rec]).status).toBe(0);
    expect(socksim(['pcap', rec, '-o', pcap]).status).toBe(0);
  }, 120_000);

  test('no malformed packets, correct IPv4 header and UDP checksums, virtual timestamps', () => {
    const all = spawnSync('tshark', ['-r', pcap, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'udp.length'], { encoding: 'utf8' });
    expect(all.status).toBe(0);
    const lines = all.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(50);
    // Virtual time starts at the epoch: the first frame is at 0 s.
    expect(Number(lines[0]!.split('\t')[0])).toBe(0);
    const bad = spawnSync('tshark', ['-r', pcap, '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE',
      '-Y', '_ws.malformed || _ws.expert.severity >= "warning" || udp.checksum.status != 1 || ip.checksum.status != 1'], { encoding: 'utf8' });
    expect(bad.status).toBe(0);
    expect(bad.stdout.trim()).toBe('');
  });
});

test.runIf(!tshark)('tshark is missing: install Debian\'s tshark to run the pcap checks', () => {
  expect(process.env.CI, 'CI must have tshark (.ci/run installs it)').toBeUndefined();
});
