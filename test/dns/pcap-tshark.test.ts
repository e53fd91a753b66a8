/**
 * The DNS traffic of a recorded run, exported as a pcap (stack/capture.ts), reads cleanly in tshark: every frame
 * on port 53 decodes as DNS (UDP and TCP, with TC replies and their TCP retries), nothing is malformed, checksums
 * are right, and queries and responses pair up (tshark's dns.response_to).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runScenario } from '../../scenarios/index.js';
import { CaptureSink } from '../../stack/capture.js';

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;

/** Runs tshark on the capture with a display filter and returns the matching lines (-T fields when fields given). */
function shark(pcap: string, filter: string, fields: string[] = []): string[] {
  const args = ['-r', pcap, '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-Y', filter];
  if (fields.length > 0) args.push('-T', 'fields', ...fields.flatMap((f) => ['-e', f]));
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

describe.skipIf(!tshark)('tshark decodes the DNS traffic of a dns-lookup run', () => {
  let pcap = '';
  beforeAll(async () => {
    const sink = new CaptureSink();
    const run = await runScenario('dns-lookup', { seed: 3, sink });
    expect(run.hooks.ok?.()).toBe(true);
    pcap = join(mkdtempSync(join(tmpdir(), 'socksim-dns-')), 'dns.pcap');
    writeFileSync(pcap, sink.writer.toBytes());
  }, 120_000);

  test('no malformed frame, no bad checksum, and every port-53 frame is DNS', () => {
    expect(shark(pcap, '_ws.malformed || _ws.expert.severity >= "error"')).toEqual([]);
    expect(shark(pcap, 'udp.checksum.status == "Bad" || ip.checksum.status == "Bad" || tcp.checksum.status == "Bad"')).toEqual([]);
    // A TCP retransmission repeats bytes tshark already dissected, so it is not shown as DNS again.
    expect(shark(pcap, '(udp.port == 53 || (tcp.port == 53 && tcp.len > 0 && !tcp.analysis.retransmission)) && !dns')).toEqual([]);
    expect(shark(pcap, 'dns.flags.response == 1 && !dns.qry.name')).toEqual([]);
  });

  test('the capture holds queries and answers over UDP, truncated replies, and DNS over TCP', () => {
    const udp = shark(pcap, 'udp && dns');
    const tc = shark(pcap, 'dns.flags.truncated == 1', ['dns.qry.name']);
    const tcp = shark(pcap, 'tcp && dns', ['dns.qry.name', 'dns.flags.response']);
    expect(udp.length).toBeGreaterThan(20);
    expect(tc.length).toBeGreaterThan(0);
    expect(tc.every((l) => l === 'many.example.com')).toBe(true);
    expect(tcp.some((l) => l.startsWith('many.example.com\t1'))).toBe(true);
    // Every response tshark matched to its query (same ID, same question): at least one per lookup step.
    expect(shark(pcap, 'dns.flags.response == 1 && dns.response_to').length).toBeGreaterThan(20);
    expect(shark(pcap, 'dns.qry.name == "nx.example.com" && dns.flags.rcode == 3').length).toBeGreaterThan(0);
    expect(shark(pcap, 'dns.qry.type == 12 && dns.ptr.domain_name == "www.example.com"').length).toBeGreaterThan(0);
  });
});

test.runIf(!tshark)('tshark is missing: install Debian\'s tshark to run the DNS pcap checks', () => {
  expect(process.env.CI, 'CI must have tshark (.ci/run installs it)').toBeUndefined();
});
