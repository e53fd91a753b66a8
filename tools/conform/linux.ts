/**
 * Running a case on the real kernel: export it to C, build it with gcc, and run it inside fresh network and mount
 * namespaces (`unshare -n -m`) where only loopback is up, the hosts' addresses are on lo, and /etc/hosts,
 * /etc/resolv.conf and /etc/nsswitch.conf are the case's (bind mounts private to the namespace). Needs root
 * (or user namespaces), gcc and iproute2; nothing here touches any other network.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import type { ScenarioData } from '../../scenarios/data/schema.js';
import { exportC } from '../export-c/program.js';
import { parseProgramOutput, type ProgramOutput } from './golden.js';

/** /etc/hosts when a case does not give one: localhost only, as a fresh Debian has. */
export const DEFAULT_ETC_HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';
/** /etc/resolv.conf when a case does not give one: empty, as a fresh socksim host has (glibc then asks 127.0.0.1). */
export const DEFAULT_RESOLV_CONF = '';
/** /etc/nsswitch.conf for every case: files, then DNS (no mDNS or myhostname modules). */
export const NSSWITCH_CONF = 'hosts: files dns\nservices: files\nprotocols: files\n';

/** Why the real kernel cannot be used here, or null when it can. */
export function linuxUnavailable(): string | null {
  if (process.platform !== 'linux') return 'the real kernel runs need Linux';
  for (const [tool, args] of [['gcc', ['--version']], ['unshare', ['--version']], ['ip', ['-V']]] as const) {
    const r = spawnSync(tool, args, { stdio: 'ignore' });
    if (r.error || r.status !== 0) return `${tool} is not available`;
  }
  const probe = spawnSync('unshare', ['-n', '-m', 'true'], { stdio: 'ignore' });
  if (probe.status !== 0) return 'unshare -n -m failed (run as root, or enable user namespaces)';
  return null;
}

/** One run of a case on Linux. */
export interface LinuxRun {
  output: ProgramOutput;
  /** The program's stderr: failed expectations, one per line. */
  stderr: string;
  status: number | null;
}

/** The kernel release golden files record. */
export function kernelRelease(): string {
  return release();
}

/** Exports and compiles a case in workDir; returns the binary's path (throws with gcc's messages on failure). */
export function buildCase(data: ScenarioData, name: string, workDir: string): { binary: string; deadlineS: number; loAddresses: string[] } {
  mkdirSync(workDir, { recursive: true });
  const exp = exportC(data, { name });
  const src = join(workDir, `${name}.c`);
  const binary = join(workDir, name);
  writeFileSync(src, exp.source);
  const cc = spawnSync('gcc', ['-std=c99', '-O1', '-Wall', '-o', binary, src], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed on ${src}:\n${cc.stderr}`);
  return { binary, deadlineS: exp.deadlineS, loAddresses: exp.reproduction.loAddresses };
}

/** Runs a built case once in fresh namespaces with the case's /etc files. */
export function runOnLinux(data: ScenarioData, built: { binary: string; deadlineS: number; loAddresses: string[] }, workDir: string): LinuxRun {
  const files = {
    hosts: join(workDir, 'hosts'), resolv: join(workDir, 'resolv.conf'), nss: join(workDir, 'nsswitch.conf'),
  };
  writeFileSync(files.hosts, data.etc?.hosts ?? DEFAULT_ETC_HOSTS);
  writeFileSync(files.resolv, data.etc?.resolvConf ?? DEFAULT_RESOLV_CONF);
  writeFileSync(files.nss, NSSWITCH_CONF);
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = [
    'set -e',
    'ip link set lo up',
    ...built.loAddresses.map((a) => `ip addr add ${a}/32 dev lo`),
    `mount --bind ${q(files.hosts)} /etc/hosts`,
    `mount --bind ${q(files.resolv)} /etc/resolv.conf`,
    `mount --bind ${q(files.nss)} /etc/nsswitch.conf`,
    `exec ${q(built.binary)} -k`,
  ].join('\n');
  const r = spawnSync('unshare', ['-n', '-m', '--propagation', 'private', 'sh', '-c', script], {
    encoding: 'utf8', timeout: (built.deadlineS + 15) * 1000, maxBuffer: 64 << 20,
  });
  if (r.error) throw new Error(`running ${built.binary}: ${r.error.message}`);
  return { output: parseProgramOutput(r.stdout), stderr: r.stderr, status: r.status };
}
