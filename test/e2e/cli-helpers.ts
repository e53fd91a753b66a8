/** Helpers for end-to-end tests of the built CLI (dist/tools/cli.js, built by `npm test` before vitest runs). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'dist/tools/cli.js');

/** Builds dist/ when a test runs without `npm test` having built it, or when sources are newer than the build. */
export function ensureBuilt(): void {
  if (existsSync(CLI) && !sourcesNewerThan(statSync(CLI).mtimeMs)) return;
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  // tsc still emits when other files have type errors; only a missing CLI is fatal here (npm test type-checks).
  if (!existsSync(CLI)) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
}

/** Runs `socksim ARGS` in a fresh node process. */
export function socksim(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'socksim-test-'));
}

/** Whether a command exists on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Whether any .ts file under sim/, stack/, scenarios/ or tools/ changed after `t` (ms). */
function sourcesNewerThan(t: number): boolean {
  const walk = (d: string): boolean => readdirSync(d, { withFileTypes: true }).some((e) =>
    e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') && statSync(join(d, e.name)).mtimeMs > t);
  return ['sim', 'stack', 'scenarios', 'tools'].some((d) => walk(join(ROOT, d)));
}
