/** Keeps dist/ fresh for the inspect CLI tests: a build older than tools/inspect lacks what they check. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT } from '../e2e/cli-helpers.js';

/** Newest modification time of the .ts files under `dir`. */
function newestTs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than any source it is built from (npm test builds first anyway). */
export function ensureFreshBuild(): void {
  const out = join(ROOT, 'dist/tools/commands/inspect.js');
  const newest = Math.max(...['sim', 'stack', 'scenarios', 'tools'].map((d) => newestTs(join(ROOT, d))));
  const fresh = (): boolean => existsSync(out) && existsSync(CLI) && statSync(CLI).mtimeMs >= newest && statSync(out).mtimeMs >= newest;
  if (fresh()) return;
  // tsc emits even when files outside this suite have type errors; what matters is that the output is fresh.
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (!fresh()) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
}
