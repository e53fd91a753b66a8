/**
 * System calls in scripts: return values and errnos as Linux gives them (recvfrom(2), socket(7)), blocking calls
 * with `start...end` times, calls that block without one, and UDP datagrams both ways in every IP mode.
 */
import { describe, expect, test } from 'vitest';
import { expectFail, expectPass, runPkt } from './helpers.js';

const udpEcho = `    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 bind(3, ..., ...) = 0
  +.1 < udp (10)
   +0 recvfrom(3, ..., 100, 0, ..., ...) = 10
   +0 sendto(3, ..., 20, 0, ..., ...) = 20
   +0 > udp (20)
`;

describe('UDP scripts in every mode run_all.py uses', () => {
  for (const mode of ['ipv4', 'ipv4-mapped-ipv6', 'ipv6'] as const) {
    test(`${mode}: a datagram in, recvfrom returns its 10 bytes, a 20-byte reply goes out`, async () => {
      expectPass(await runPkt(udpEcho, mode));
    });
  }

  for (const mode of ['ipv4', 'ipv6'] as const) {
    test(`${mode}: a datagram to a closed port is answered with ICMP port unreachable (RFC 1122 3.2.2.1, RFC 4443 3.1)`, async () => {
      const script = (code: string): string => `    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 bind(3, ..., ...) = 0
   +0 close(3) = 0
  +.1 < udp (10)
   +0 > icmp unreachable ${code}
`;
      expectPass(await runPkt(script('port_unreachable'), mode));
      expectFail(await runPkt(script('host_unreachable'), mode), 5, 'live packet field icmp_code');
    });
  }

  test('the kernel selftests\' addresses work too: ksft_runner.sh gives the local address as the gateway (peer on-link)', async () => {
    const v4 = [{ name: 'local_ip', value: '192.168.0.1' }, { name: 'gateway_ip', value: '192.168.0.1' }, { name: 'remote_ip', value: '192.0.2.1' }];
    const v6 = [{ name: 'local_ip', value: 'fd3d:0a0b:17d6::1' }, { name: 'gateway_ip', value: 'fd3d:0a0b:17d6:8888::1' }, { name: 'remote_ip', value: 'fd3d:0a0b:17d6::2' }];
    expectPass(await runPkt(udpEcho, 'ipv4', v4));
    expectPass(await runPkt(udpEcho, 'ipv6', v6));
  });

  test('the wrong datagram length fails with both packets printed', async () => {
    const o = await runPkt(udpEcho.replace('> udp (20)', '> udp (21)'));
    expectFail(o, 6, 'live packet payload: expected 21 bytes vs actual 20 bytes', 'script packet: 0.100000 > udp (21)', 'actual packet: 0.100000 > udp (20)');
  });
});

describe('results, errnos and blocking', () => {
  test('recvfrom on an empty non-blocking read is -1 EAGAIN (recv(2)); naming another errno fails', async () => {
    const base = `    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 bind(3, ..., ...) = 0
   +0 recvfrom(3, ..., 100, MSG_DONTWAIT, ..., ...) = -1 `;
    expectPass(await runPkt(`${base}EAGAIN (Resource temporarily unavailable)\n`));
    expectFail(await runPkt(`${base}EINVAL (Invalid argument)\n`), 3, 'Expected errno 22 (EINVAL: Invalid argument) but got 11 (EAGAIN');
  });

  test('a wrong return value names both values', async () => {
    const o = await runPkt(udpEcho.replace('recvfrom(3, ..., 100, 0, ..., ...) = 10', 'recvfrom(3, ..., 100, 0, ..., ...) = 11'));
    expectFail(o, 4, 'runtime error in recvfrom call: Expected result 11 but got 10');
  });

  test('a blocking recvfrom written 0...0.2 returns when the datagram comes at 0.2', async () => {
    expectPass(await runPkt(`    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 bind(3, ..., ...) = 0
   +0...0.2 recvfrom(3, ..., 100, 0, ..., ...) = 10
  +.2 < udp (10)
`));
  });

  test('a blocking call that returns at the wrong time fails with a timing error', async () => {
    const o = await runPkt(`    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 bind(3, ..., ...) = 0
   +0...0.1 recvfrom(3, ..., 100, 0, ..., ...) = 10
  +.2 < udp (10)
`);
    expectFail(o, 3, 'timing error: expected system call return at 0.100000 sec but happened at 0.200000 sec');
  });

  test('a call without an end time that blocks is an error (packetdrill needs start...end for that)', async () => {
    const o = await runPkt(`    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 bind(3, ..., ...) = 0
   +0 recvfrom(3, ..., 100, 0, ..., ...) = 10
`);
    expectFail(o, 3, 'the call blocked');
  });

  test('a script ending while a blocking call waits fails (syscalls_free)', async () => {
    const o = await runPkt(`    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 bind(3, ..., ...) = 0
   +0...0.5 recvfrom(3, ..., 100, 0, ..., ...) = 10
`);
    expectFail(o, 3, 'exiting while a blocking system call is in progress');
  });

  test('fcntl F_GETFL on a new socket is O_RDWR (0x2), and F_SETFL O_NONBLOCK sticks', async () => {
    expectPass(await runPkt(`    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)
   +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
   +0 fcntl(3, F_GETFL) = O_RDWR|O_NONBLOCK
`));
  });

  test('getsockopt checks the value and the length: SO_TYPE of a datagram socket is [2] in [4] bytes', async () => {
    const s = (v: number, len: number): string => `    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 getsockopt(3, SOL_SOCKET, SO_TYPE, [${v}], [${len}]) = 0
`;
    expectPass(await runPkt(s(2, 4)));
    expectFail(await runPkt(s(1, 4)), 2, 'Bad getsockopt optval: expected: 1 actual: 2');
  });

  test('script fds are mapped to live ones: close(3) closes the socket, a second close is EBADF', async () => {
    expectPass(await runPkt(`    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 close(3) = 0
   +0 close(3) = -1 EBADF (Bad file descriptor)
`));
  });

  test('a system call socksim lacks fails the script instead of being skipped', async () => {
    const o = await runPkt(`    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0 splice(3, NULL, 4, NULL, 10, 0) = 10
`);
    expectFail(o, 2, 'no splice() yet');
  });

  test('ioctl checks the value its int argument holds after the call (SIOCINQ on an empty socket is 0)', async () => {
    const ok = await runPkt(`    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 ioctl(3, SIOCINQ, [0]) = 0
`);
    expect(ok.failure).toBeNull();
    const bad = await runPkt(`    0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
   +0 ioctl(3, SIOCINQ, [5]) = 0
`);
    expectFail(bad, 2, 'Bad ioctl value: expected: 5 actual: 0');
  });

  test('a first event not at time 0 is rejected, as packetdrill does', async () => {
    const o = await runPkt('  0.1 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n');
    expectFail(o, 1, 'first event should be at time 0');
    expect(o.failure).not.toBeNull();
  });
});
