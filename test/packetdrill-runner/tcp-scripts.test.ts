/**
 * End-to-end runs of small TCP scripts: the runner must pass what Linux does (packetdrill's expectations for a
 * passive and an active open with defaults.sh) and must fail, at the right line and with packetdrill's message,
 * a wrong flag, a wrong window, a late packet, a missing packet, a wrong TS val with --tcp_ts_tick_usecs.
 */
import { describe, expect, test } from 'vitest';
import { expectFail, expectPass, runPkt, serverScript } from './helpers.js';

describe('TCP scripts the runner must pass', () => {
  test('passive open and a 1000-byte write: SYN-ACK <mss 1460,nop,nop,sackOK,nop,wscale 8>, P. 1:1001', async () => {
    const o = await runPkt(serverScript());
    expectPass(o);
    // defaults.sh is not beside the test, so the runner applied packetdrill's settings itself, and says so.
    expect(o.notes.join('\n')).toContain('defaults.sh not found');
  });

  test('active open with timestamps: the SYN carries TS val 100 in script space, ecr 100 maps back to the live TS val', async () => {
    const o = await runPkt(`\`./defaults.sh\`
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0...0.1 connect(3, ..., ...) = 0
   +0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
  +.1 < S. 0:0(0) ack 1 win 5792 <mss 1460,sackOK,TS val 700 ecr 100,nop,wscale 7>
   +0 > . 1:1(0) ack 1 <nop,nop,TS val 200 ecr 700>
`);
    expectPass(o);
  });

  test('--tcp_ts_tick_usecs=1000 checks TS val: 100 ms after a TS val 100 SYN the ACK carries 200 (1 ms ticks)', async () => {
    const script = (val: number): string => `--tcp_ts_tick_usecs=1000
\`./defaults.sh\`
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0...0.1 connect(3, ..., ...) = 0
   +0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
  +.1 < S. 0:0(0) ack 1 win 5792 <mss 1460,sackOK,TS val 700 ecr 100,nop,wscale 7>
   +0 > . 1:1(0) ack 1 <nop,nop,TS val ${val} ecr 700>
`;
    expectPass(await runPkt(script(200)));
    expectFail(await runPkt(script(300)), 7, 'bad outbound TCP timestamp value');
  });

  test('a sysctl line reaches TCP: with tcp_timestamps=0 the SYN has no TS option (<mss,nop,nop,sackOK,nop,wscale>)', async () => {
    const o = await runPkt(`\`./defaults.sh
sysctl -q net.ipv4.tcp_timestamps=0\`
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0...0.1 connect(3, ..., ...) = 0
   +0 > S 0:0(0) <mss 1460,nop,nop,sackOK,nop,wscale 8>
  +.1 < S. 0:0(0) ack 1 win 5792 <mss 1460,nop,nop,sackOK,nop,wscale 7>
   +0 > . 1:1(0) ack 1
`);
    expectPass(o);
  });

  test('an inbound ICMP "fragmentation needed" (RFC 1191) quoting our segment makes TCP resend with MSS 1200 - 40', async () => {
    const o = await runPkt(`\`./defaults.sh\`
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
   +0 bind(3, ..., ...) = 0
   +0 listen(3, 1) = 0
   +0 < S 0:0(0) win 32792 <mss 1460,sackOK,nop,nop,nop,wscale 7>
   +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
  +.1 < . 1:1(0) ack 1 win 257
   +0 accept(3, ..., ...) = 4
   +0 write(4, ..., 2920) = 2920
   +0 > P. 1:2921(2920) ack 1
 +.01 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]
   +0 > . 1:1161(1160) ack 1
`);
    expectPass(o);
  });
});

describe('TCP scripts the runner must fail', () => {
  test('a wrong flag: the script expects a bare SYN where Linux answers SYN-ACK', async () => {
    const o = await runPkt(serverScript({ synack: '   +0 > S 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>' }));
    expectFail(o, 7, 'live packet field tcp_ack: expected: 0 (0x0) vs actual: 1 (0x1)', 'script packet: 0.000000 > S 0:0(0) ack 1', 'actual packet: 0.000000 > S. 0:0(0) ack 1');
  });

  test('a wrong window: win 1000 where Linux advertises its own receive window', async () => {
    const o = await runPkt(serverScript({ data: '   +0 > P. 1:1001(1000) ack 1 win 1000' }));
    expectFail(o, 11, 'live packet field tcp_window: expected: 1000 (0x3e8) vs actual:');
  });

  test('wrong options: wscale 7 where Linux offers wscale 8 for a 15 MB tcp_rmem', async () => {
    const o = await runPkt(serverScript({ synack: '   +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 7>' }));
    expectFail(o, 7, 'bad value outbound TCP option 3');
  });

  test('a late packet: the data is sent at 0.100 s, the script expects it 200 ms later', async () => {
    const o = await runPkt(serverScript({ data: '  +.2 > P. 1:1001(1000) ack 1' }));
    expectFail(o, 11, 'timing error: expected outbound packet at 0.300000 sec but happened at 0.100000 sec', 'tolerance 0.025000 sec');
  });

  test('a packet that never comes: an unexpected FIN after the data', async () => {
    const o = await runPkt(`${serverScript()}   +0 > F. 1001:1001(0) ack 1\n`);
    expectFail(o, 13, 'expected outbound packet at 0.200000 sec but none was sent');
  });

  test('<...> accepts any options, but the rest of the header is still checked', async () => {
    expectPass(await runPkt(serverScript({ synack: '   +0 > S. 0:0(0) ack 1 <...>' })));
    expectFail(await runPkt(serverScript({ synack: '   +0 > S. 0:0(0) ack 2 <...>' })), 7, 'live packet field tcp_ack_seq: expected: 2');
  });
});
