/**
 * The scenario gallery (scenarios/gallery/): every scenario whose description starts with "gallery:" runs to a
 * normal end with its own check holding (each check states the Linux behaviour it shows: epoll readiness,
 * getaddrinfo over DNS and HTTP/1.1 keep-alive, fan-out order, simultaneous open's SYN/SYN-ACK exchange, EPIPE and
 * EOF after shutdown(SHUT_WR), RTO backoff across a partition, EAI_AGAIN and resolver fallback, SCM_RIGHTS), and
 * two runs with the same seed write the same recording bytes (DEVELOPERS.md, determinism).
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { listScenarios, runScenario } from '../../scenarios/index.js';
import { MemoryOutput } from '../../sim/recording.js';

const GALLERY = listScenarios().filter((s) => s.description.startsWith('gallery:')).map((s) => s.name);

/** Runs a scenario recording to memory; returns its check, status and the recording's SHA-256. */
async function run(name: string, seed: number): Promise<{ ok: boolean; status: string; sha: string; summary: string[]; events: number }> {
  const out = new MemoryOutput();
  const r = await runScenario(name, { seed, record: out });
  return {
    ok: r.hooks.ok?.() ?? false, status: r.result.status, summary: r.hooks.summary?.() ?? [], events: r.recordedEvents,
    sha: createHash('sha256').update(out.bytes()).digest('hex'),
  };
}

describe('gallery', () => {
  test('has the eight scenarios of issue 9', () => {
    expect(GALLERY).toEqual(expect.arrayContaining([
      'epoll-echo', 'http-dns', 'chat', 'simultaneous-open', 'half-close', 'partition-heal', 'dns-outage', 'fd-passing',
    ]));
  });

  for (const name of GALLERY) {
    test(`${name}: its check holds, and two runs record the same bytes`, async () => {
      const a = await run(name, 1);
      expect(a.ok, `${name}: ${a.summary.join(' | ')}`).toBe(true);
      expect(['completed', 'stopped']).toContain(a.status);
      expect(a.events).toBeGreaterThan(10);
      const b = await run(name, 1);
      expect(b.sha).toBe(a.sha);
    }, 120_000);

    test(`${name}: its check holds with other seeds too`, async () => {
      for (const seed of [2, 3]) {
        const r = await run(name, seed);
        expect(r.ok, `${name} seed ${seed}: ${r.summary.join(' | ')}`).toBe(true);
      }
    }, 120_000);
  }
});
