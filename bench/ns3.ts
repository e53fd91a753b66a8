/**
 * The ns-3 peer of the bulk benchmark (bench/peers/ns3-bulk.cc): find a compiled binary, or compile one into a
 * cache directory under the OS tmpdir when g++ and libns3-dev are installed, and run it. Benchmarks may read real
 * time and spawn programs; sim/ and stack/ never do.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A usable ns-3 binary, or why there is none. */
export type Ns3Binary = { path: string; compiled: boolean } | { error: string };

/** What the peer printed: its key=value line, parsed. */
export interface Ns3Result {
  line: string;
  wallS: number;
  simS: number;
  received: number;
  /** User+system CPU seconds of the peer process (from /proc/self/stat's cutime+cstime), or null. */
  cpuS: number | null;
}

/** bench/peers/ns3-bulk.cc, whether this runs from the sources or from dist/. */
export function ns3Source(): string | null {
  for (const rel of ['./peers/ns3-bulk.cc', '../../bench/peers/ns3-bulk.cc']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

/** The -lns3-… flags for every ns-3 shared library installed (the peers README's `ls … | sed` line). */
function ns3Libs(): string[] {
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib']) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    const libs = names.map((n) => /^lib(ns3-[a-z0-9-]+)\.so$/.exec(n)?.[1]).filter((x): x is string => x !== undefined);
    if (libs.length) return libs.sort().map((l) => `-l${l}`);
  }
  return [];
}

/** Whether ns-3's headers are installed (/usr/include/ns3 on Debian, /usr/include/ns3.NN from a source install). */
function hasNs3Headers(): boolean {
  try {
    return readdirSync('/usr/include').some((d) => d === 'ns3' || d.startsWith('ns3.'));
  } catch {
    return false;
  }
}

/**
 * An ns-3 bulk binary: `explicit` if given, else the one cached for this source's hash, else `<tmpdir>/ns3-bulk`
 * (where bench/peers' README compiles it), else a fresh compile into `<tmpdir>/socksim-cache/`.
 */
export function findNs3(explicit?: string): Ns3Binary {
  if (explicit) return existsSync(explicit) ? { path: explicit, compiled: false } : { error: `${explicit} does not exist` };
  const src = ns3Source();
  if (!src) return { error: 'bench/peers/ns3-bulk.cc not found' };
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 12);
  const cacheDir = join(tmpdir(), 'socksim-cache');
  const cached = join(cacheDir, `ns3-bulk-${hash}`);
  if (existsSync(cached)) return { path: cached, compiled: false };
  const readme = join(tmpdir(), 'ns3-bulk');
  if (existsSync(readme)) return { path: readme, compiled: false };
  if (!hasNs3Headers()) {
    return { error: 'ns-3 headers not found (apt-get install -y libns3-dev)' };
  }
  const libs = ns3Libs();
  if (!libs.length) return { error: 'no libns3-*.so found (apt-get install -y libns3-dev)' };
  mkdirSync(cacheDir, { recursive: true });
  const cc = spawnSync('g++', ['-O2', '-std=c++17', '-o', cached, src, '-I/usr/include', ...libs], { encoding: 'utf8' });
  if (cc.error) return { error: `g++: ${cc.error.message}` };
  if (cc.status !== 0) return { error: `g++ failed: ${(cc.stderr || '').split('\n').slice(0, 3).join(' ')}` };
  return { path: cached, compiled: true };
}

/** Children's CPU seconds so far (cutime + cstime of /proc/self/stat, in USER_HZ = 100 ticks), or null off Linux. */
function childCpuS(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return (Number(f[13]) + Number(f[14])) / 100; // fields 16 and 17
  } catch {
    return null;
  }
}

/** Runs the peer with ns-3's option syntax; throws when it fails or prints no result line. */
export function runNs3(bin: string, o: { bytes: number; rate: string; delay: string; loss: number; seed: number }): Ns3Result {
  const cpu0 = childCpuS();
  const r = spawnSync(bin, [`--bytes=${o.bytes}`, `--rate=${o.rate}`, `--delay=${o.delay}`, `--loss=${o.loss}`, `--seed=${o.seed}`], { encoding: 'utf8' });
  const cpu1 = childCpuS();
  if (r.error) throw new Error(`${bin}: ${r.error.message}`);
  const line = (r.stdout || '').split('\n').find((l) => l.startsWith('peer=')) ?? '';
  const kv = Object.fromEntries(line.split(' ').map((p) => p.split('=') as [string, string]));
  if (!line || kv.wall_s === undefined) throw new Error(`${bin} exited ${r.status} without a result line: ${(r.stderr || r.stdout || '').trim().slice(0, 200)}`);
  return {
    line, wallS: Number(kv.wall_s), simS: Number(kv.sim_s), received: Number(kv.received),
    cpuS: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
  };
}
