/**
 * `socksim export-c`: the C program of a case, what it refuses, and (where gcc is installed) that the programs of
 * the conformance suite compile cleanly as C99 and reproduce their goldens. Goldens were made by these programs on
 * Linux, so a pure-libc case (inet_* conversions) run here must print exactly its golden's results.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fc, test as ptest } from '@fast-check/vitest';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { validateScenario } from '../../scenarios/data/load.js';
import type { ScenarioData } from '../../scenarios/data/schema.js';
import { exportCCommand } from '../../tools/commands/export-c.js';
import { conformCommand } from '../../tools/commands/conform.js';
import { UsageError } from '../../tools/args.js';
import { cString } from '../../tools/export-c/emit-op.js';
import { exportC, ExportRefused } from '../../tools/export-c/program.js';
import { loadCase } from '../../tools/export-c/source.js';
import { parseProgramOutput, readGolden } from '../../tools/conform/golden.js';
import { listCases } from '../../tools/conform/run.js';

const DIR = resolve(__dirname, '../conformance');
const hasGcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
const work = mkdtempSync(join(tmpdir(), 'socksim-export-c-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const twoHosts = (extra: Record<string, unknown> = {}): ScenarioData => validateScenario({
  version: 1, seed: 1, hosts: ['a', 'b'], links: [{ a: 'a', b: 'b', ...extra }], faults: [],
  processes: [{ host: 'a', ops: [{ op: 'socket', domain: 'AF_INET', type: 'SOCK_DGRAM' }, { op: 'connect', fd: 0, addr: { host: 'b', port: 9 }, expect: { ret: 0 } }] }],
});

/** Decodes a C string literal as cString writes it (octal escapes, \\ and \"). */
function decodeC(lit: string): number[] {
  const out: number[] = [];
  const s = lit.slice(1, -1);
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') out.push(s.charCodeAt(i));
    else if (/[0-7]/.test(s[i + 1]!)) {
      out.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else out.push(s.charCodeAt(++i));
  }
  return out;
}

describe('exportC', () => {
  test('writes the calls as plain C, with the host\'s address from the topology and the case\'s expectation', () => {
    const src = exportC(twoHosts(), { name: 'x' }).source;
    expect(src).toContain('r = socket(AF_INET, SOCK_DGRAM, 0); e = errno;');
    expect(src).toContain('alen = in4("10.0.1.2", 9);');
    expect(src).toContain('r = connect(FD(0), &A.sa, alen); e = errno;');
    expect(src).toContain('expect(1, "connect", r, e, "0", NULL);');
    expect(src).toContain('ip addr add 10.0.1.1/32 dev lo && ip addr add 10.0.1.2/32 dev lo');
    // Helpers the case does not use are left out: no AF_UNIX address, no epoll header.
    expect(src).not.toMatch(/static socklen_t un\(/);
    expect(src).not.toContain('<sys/epoll.h>');
  });

  test('refuses what loopback cannot reproduce (loss, faults, deviation profiles), naming each', () => {
    expect(() => exportC(twoHosts({ loss: 0.1 }), { name: 'x' })).toThrow(ExportRefused);
    expect(() => exportC(twoHosts({ loss: 0.1 }), { name: 'x' })).toThrow(/link 0 \(a-b\) sets loss=0.1/);
    const faulty = { ...twoHosts(), faults: [{ at: 5, kind: 'crash' as const, host: 'b' }] };
    expect(() => exportC(faulty, { name: 'x' })).toThrow(/fault 0 \(crash at 5 ms\)/);
    const src = exportC(twoHosts({ loss: 0.1 }), { name: 'x', approximate: true }).source;
    expect(src).toContain('NOT REPRODUCED: link 0 (a-b) sets loss=0.1');
  });

  test('link latency is approximated as zero and said so in the header', () => {
    expect(exportC(twoHosts({ latencyMs: 5 }), { name: 'x' }).source).toContain('has 5 ms latency; on loopback it is ~0');
  });

  ptest.prop([fc.uint8Array({ maxLength: 64 })], { numRuns: 200 })('cString gives a C literal of exactly the bytes', (b) => {
    expect(decodeC(cString(b))).toEqual([...b]);
  });

  test('the command writes the program, and refuses an unreproducible case with exit status 2', async () => {
    const ok = join(work, 'ok.json');
    const bad = join(work, 'lossy.json');
    writeFileSync(ok, JSON.stringify(twoHosts()));
    writeFileSync(bad, JSON.stringify(twoHosts({ loss: 0.5 })));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await exportCCommand([ok, '-o', join(work, 'ok.c')])).toBe(0);
      expect(readFileSync(join(work, 'ok.c'), 'utf8')).toContain('int main(int argc, char **argv)');
      expect(await exportCCommand([bad])).toBe(2);
      expect(err.mock.calls.flat().join('\n')).toMatch(/cannot export this case to C: link 0/);
      await expect(exportCCommand([])).rejects.toThrow(UsageError);
      await expect(conformCommand([join(work, 'no-such-dir')])).rejects.toThrow(UsageError);
    } finally {
      err.mockRestore();
    }
  });
});

describe.skipIf(!hasGcc)('exported programs with gcc', () => {
  test('one case of each family compiles as C99 with -Wall -Wextra -pedantic and no warning', () => {
    const names = listCases(DIR);
    const families = [...new Set(names.map((n) => n.split('-')[0]))];
    for (const f of families) {
      const name = names.find((n) => n.startsWith(`${f}-`) && n !== 'epoll-maxevents')!;
      const c = loadCase(join(DIR, `${name}.json`));
      const src = join(work, `${name}.c`);
      writeFileSync(src, exportC(c.data, { name }).source);
      const cc = spawnSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-pedantic', '-fsyntax-only', src], { encoding: 'utf8' });
      expect(`${name}: ${cc.stderr}`).toBe(`${name}: `);
      expect(cc.status).toBe(0);
    }
  });

  test('the pure-libc cases (inet_* conversions) print exactly their golden when run here', () => {
    for (const name of listCases(DIR).filter((n) => n.startsWith('inet-'))) {
      const c = loadCase(join(DIR, `${name}.json`));
      const src = join(work, `${name}.c`);
      const bin = join(work, name);
      writeFileSync(src, exportC(c.data, { name }).source);
      expect(spawnSync('gcc', ['-std=c99', '-o', bin, src]).status).toBe(0);
      const run = spawnSync(bin, ['-k'], { encoding: 'utf8' });
      expect(parseProgramOutput(run.stdout).results).toEqual(readGolden(DIR, name)!.results);
    }
  });
});
