/**
 * `%{ }%` code blocks (Python 3 semantics over TCP_INFO fields, run after the script as packetdrill does) and the
 * shell-command emulation (sysctl, defaults.sh resolved beside the script, set_sysctls.py and its restore script,
 * `$((…))`, tc qdisc, /proc/net/tcp for grep, unsupported commands failing).
 */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PyError, PyInterpreter } from '../../tools/packetdrill/runner/pyeval.js';
import { parsePython } from '../../tools/packetdrill/python.js';
import { runShell, type ShellContext } from '../../tools/packetdrill/runner/shell.js';
import { SysctlTable } from '../../tools/packetdrill/runner/sysctl.js';
import { defaultTcpSysctl } from '../../stack/tcp/sysctl.js';
import { expectFail, expectPass, runPkt, serverScript } from './helpers.js';

function py(text: string, interp = new PyInterpreter(new Map()), bound = new Map<string, number>()): PyInterpreter {
  const b = parsePython(text, 1, 1);
  if (!b.ok) throw new Error(b.error.message);
  interp.run(b.statements, bound);
  return interp;
}

describe('Python subset semantics (Python 3 language reference)', () => {
  test('// and % floor towards minus infinity, / is true division, ** binds right', () => {
    const i = py('a = -7 // 2; b = -7 % 2; c = 7 / 2; d = 2 ** 3 ** 2');
    expect([i.globals.get('a'), i.globals.get('b'), i.globals.get('c'), i.globals.get('d')]).toEqual([-4, 1, 3.5, 512]);
  });

  test('chained comparisons hold pairwise, and/or return operands, assignments persist across blocks', () => {
    const i = py('x = 990 <= 1000 <= 1010; y = 0 or 5; cwnd = 10');
    py('cwnd += 2', i);
    expect([i.globals.get('x'), i.globals.get('y'), i.globals.get('cwnd')]).toEqual([true, 5, 12]);
  });

  test('a failed assert carries its message, formatted with %', () => {
    expect(() => py("assert tcpi_snd_cwnd == 20, 'cwnd=%d' % tcpi_snd_cwnd", undefined, new Map([['tcpi_snd_cwnd', 12]])))
      .toThrow(new PyError('AssertionError: cwnd=12', 1));
  });

  test('an unknown name is a NameError, not a silent zero', () => {
    expect(() => py('assert tcpi_nonexistent == 0')).toThrow(/NameError: name 'tcpi_nonexistent' is not defined/);
  });

  test('bitwise tests on option bits: (tcpi_options & TCPI_OPT_SACK) != 0', () => {
    const i = py('ok = (tcpi_options & TCPI_OPT_SACK) != 0', new PyInterpreter(new Map([['TCPI_OPT_SACK', 2]])), new Map([['tcpi_options', 7]]));
    expect(i.globals.get('ok')).toBe(true);
  });
});

describe('code blocks in scripts', () => {
  test('TCP_INFO of the accepted socket: ESTABLISHED, snd_mss 1000 (the peer MSS), cwnd 10 (RFC 6928)', async () => {
    expectPass(await runPkt(`${serverScript()}   +0 %{ assert tcpi_state == TCP_ESTABLISHED, tcpi_state; assert tcpi_snd_mss == 1000, tcpi_snd_mss; assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%\n`));
  });

  test('a failing assert is reported, at the code line, only after the packets all matched', async () => {
    const o = await runPkt(`${serverScript()}   +0 %{ assert tcpi_snd_cwnd == 99, tcpi_snd_cwnd }%\n`);
    expectFail(o, 13, 'error executing code: AssertionError: 10');
  });

  test('a packet error after a failing assert is the one reported (code runs after the script)', async () => {
    const o = await runPkt(`${serverScript()}   +0 %{ assert tcpi_snd_cwnd == 99 }%\n   +0 > F. 1001:1001(0) ack 1\n`);
    expectFail(o, 14, 'none was sent');
  });
});

function shellCtx(cwd: string, sysctl = new SysctlTable(defaultTcpSysctl())): ShellContext {
  return {
    cwd, sysctl, notes: [], saved: new Map(),
    tun: { dropAll: false } as ShellContext['tun'],
    writeZeros: async () => null, remove: async () => undefined,
    procNetTcp: async () => '  sl  local_address rem_address   st\n   0: 0200A8C0:1F90 00000000:0000 0A 00000000:00000000\n',
  };
}

describe('shell command emulation', () => {
  test('sysctl -q with quotes and $((…)) arithmetic reaches the TCP sysctls (tcp_rmem as defaults.sh writes it)', async () => {
    const sc = defaultTcpSysctl();
    const ctx = shellCtx('/', new SysctlTable(sc));
    expect(await runShell('sysctl -q net.ipv4.tcp_rmem="4096 540000 $((15*1024*1024))"', ctx)).toBeNull();
    expect(sc.rmem).toEqual([4096, 540000, 15728640]);
  });

  test('defaults.sh is read from beside the script; its lines run like the script\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-'));
    mkdirSync(join(dir, 'common'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'common', 'defaults.sh'), '#!/bin/bash\n# comment\nsysctl -q net.ipv4.tcp_syn_retries=4\nip tcp_metrics flush all > /dev/null 2>&1\ntc qdisc add dev tun0 root pfifo\n');
    const sc = defaultTcpSysctl();
    const ctx = shellCtx(join(dir, 'sub'), new SysctlTable(sc));
    expect(await runShell('../common/defaults.sh\nsysctl -q net.ipv4.tcp_timestamps=0  # off', ctx)).toBeNull();
    expect([sc.synRetries, sc.timestamps]).toEqual([4, false]);
    expect(ctx.notes).toEqual([]);
  });

  test('set_sysctls.py saves the old value and /tmp/sysctl_restore_${PPID}.sh puts it back', async () => {
    const sc = defaultTcpSysctl();
    const ctx = shellCtx('/', new SysctlTable(sc));
    expect(await runShell('../common/set_sysctls.py /proc/sys/net/ipv4/tcp_timestamps=0', ctx)).toBeNull();
    expect(sc.timestamps).toBe(false);
    expect(await runShell('/tmp/sysctl_restore_${PPID}.sh', ctx)).toBeNull();
    expect(sc.timestamps).toBe(true);
  });

  test('a sysctl TCP does not model is kept and reported, not dropped', async () => {
    const table = new SysctlTable(defaultTcpSysctl());
    expect(await runShell('sysctl -q net.mptcp.enabled=1', shellCtx('/', table))).toBeNull();
    expect([...table.notHonoured]).toEqual(['net.mptcp.enabled']);
    expect(table.get('net/mptcp/enabled')).toBe('1');
  });

  test('grep over /proc/net/tcp: a LISTEN socket (st 0A) on port 8080 (1F90) matches; status follows the last command', async () => {
    const ctx = shellCtx('/');
    expect(await runShell('grep " 0A " /proc/net/tcp /proc/net/tcp6 | grep ":1F90"', ctx)).toBeNull();
    expect(await runShell('grep ":1F91" /proc/net/tcp', ctx)).toMatch(/status 1/);
    expect(await runShell('grep ":1F91" /proc/net/tcp; true', ctx)).toBeNull();
  });

  test('tc qdisc pfifo limit 0 drops every outbound packet; delete restores', async () => {
    const ctx = shellCtx('/');
    expect(await runShell('tc qdisc delete dev tun0 root 2>/dev/null ; tc qdisc add dev tun0 root pfifo limit 0', ctx)).toBeNull();
    expect(ctx.tun.dropAll).toBe(true);
    expect(await runShell('tc qdisc del dev tun0 root', ctx)).toBeNull();
    expect(ctx.tun.dropAll).toBe(false);
  });

  test('an unknown command fails the script rather than being skipped', async () => {
    const o = await runPkt('    0 `nstat -n`\n   +0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n');
    expectFail(o, 1, 'unsupported shell command: nstat -n');
  });

  test('a bad sysctl value fails as sysctl(8) does', async () => {
    const o = await runPkt('    0 `sysctl -q net.ipv4.tcp_rmem="1 2"`\n   +0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n');
    expectFail(o, 1, 'Invalid argument');
  });
});
