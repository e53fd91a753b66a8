/**
 * Whole scripts (written for this project): header options, the untimed init and
 * cleanup commands, comments in every position, and a full passive-open / data / close
 * exchange (RFC 9293 section 3.5 handshake, section 3.6 close) plus an active open with
 * a blocking connect, checked event by event.
 */
import { describe, expect, it } from 'vitest';
import { formatEvent } from '../../../tools/packetdrill/format.js';
import { FIXTURE_LINES } from './fixtures.js';
import { oneEvent, parseOk, stripLocs } from './helpers.js';

const SERVER = `// Passive open, a request/response exchange, then the peer closes first.
--tolerance_usecs=5000
--ip_version=ipv4

\`../common/defaults.sh
 sysctl -q net.ipv4.tcp_timestamps=1\`

    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
   +0 bind(3, ..., ...) = 0
   +0 listen(3, 5) = 0

/* three-way handshake */
  +.05 < S 0:0(0) win 29200 <mss 1460,sackOK,TS val 700 ecr 0,nop,wscale 7>
   +0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 700,nop,wscale 8>
  +.05 < . 1:1(0) ack 1 win 229 <nop,nop,TS val 750 ecr 100>
   +0 accept(3, ..., ...) = 4   // the child socket

// request in, response out
  +.01 < P. 1:101(100) ack 1 win 229 <nop,nop,TS val 760 ecr 100>
   +0 > . 1:1(0) ack 101 <nop,nop,TS val 110 ecr 760>
   +0 read(4, ..., 1000) = 100
   +0 write(4, ..., 2000) = 2000
   +0 > P. 1:2001(2000) ack 101 <...>
  +.05 < . 101:101(0) ack 2001 win 245 <nop,nop,TS val 800 ecr 120>
   +0 %{ assert tcpi_unacked == 0, tcpi_unacked }%

// peer closes; we close; our FIN is acked
   +0 < F. 101:101(0) ack 2001 win 245 <nop,nop,TS val 810 ecr 120>
   +0 > . 2001:2001(0) ack 102 <nop,nop,TS val 130 ecr 810>
   +0 read(4, ..., 1000) = 0
   +0 close(4) = 0
   +0 > F. 2001:2001(0) ack 102 <nop,nop,TS val 131 ecr 810>
  +.05 < . 102:102(0) ack 2002 win 245 <nop,nop,TS val 860 ecr 131>

\`/tmp/sysctl_restore_\${PPID}.sh\`
`;

const CLIENT = `\`./defaults.sh\`
// Active open with a blocking connect that returns when the SYN-ACK arrives.
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0...0.100 connect(3, ..., ...) = 0
   +0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
  +.1 < S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 2>
   +0 > . 1:1(0) ack 1
   +0 write(3, ..., 10) = 10
   +0 > P. 1:11(10) ack 1
0.200~0.400 > P. 1:11(10) ack 1
  +.1 < R. 1:1(0) ack 11 win 0
   +0 write(3, ..., 10) = -1 ECONNRESET (Connection reset by peer)
`;

describe('whole scripts', () => {
  it('reads header options, init and cleanup commands around the events', () => {
    const s = parseOk(SERVER);
    expect(s.options).toEqual([
      { name: 'tolerance_usecs', value: '5000', loc: { line: 2, column: 1 } },
      { name: 'ip_version', value: 'ipv4', loc: { line: 3, column: 1 } },
    ]);
    expect(s.initCommand).toEqual({ text: '../common/defaults.sh\n sysctl -q net.ipv4.tcp_timestamps=1', loc: { line: 5, column: 1 } });
    expect(s.cleanupCommand?.text).toBe('/tmp/sysctl_restore_${PPID}.sh');
    expect(s.events).toHaveLength(21);
  });

  it('gives every event its own source line and kind', () => {
    const s = parseOk(SERVER);
    const lines = s.events.map((e) => `${e.loc.line}:${e.kind}`);
    expect(lines.slice(0, 8)).toEqual(['8:syscall', '9:syscall', '10:syscall', '11:syscall', '14:packet', '15:packet', '16:packet', '17:syscall']);
    expect(lines.at(-1)).toBe('34:packet');
    expect(s.events.find((e) => e.kind === 'code')?.loc.line).toBe(26);
  });

  it('reads the handshake exactly: SYN in, SYN-ACK out, ACK in', () => {
    const s = parseOk(SERVER);
    expect(s.events.slice(4, 7).map(formatEvent)).toEqual([
      '+.05 < S 0:0(0) win 29200 <mss 1460,sackOK,TS val 700 ecr 0,nop,wscale 7>',
      '+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 700,nop,wscale 8>',
      '+.05 < . 1:1(0) ack 1 win 229 <nop,nop,TS val 750 ecr 100>',
    ]);
  });

  it('reads the close sequence: FIN in, ACK out, read 0, close, FIN out', () => {
    const s = parseOk(SERVER);
    const tail = s.events.slice(-6).map((e) => (e.kind === 'packet' && e.body.protocol === 'tcp' ? e.body.flags.text : e.kind === 'syscall' ? e.name : e.kind));
    expect(tail).toEqual(['F.', '.', 'read', 'close', 'F.', '.']);
  });

  it('reads a client script with a blocking connect, a range-timed retransmit and a reset', () => {
    const s = parseOk(CLIENT);
    expect(s.initCommand?.text).toBe('./defaults.sh');
    expect(s.cleanupCommand).toBeUndefined();
    const connect = s.events[1];
    expect(connect?.kind === 'syscall' && connect.end?.usecs).toBe(100_000);
    expect(s.events[7]?.time).toMatchObject({ kind: 'absoluteRange', start: { usecs: 200_000 }, end: { usecs: 400_000 } });
    expect(s.events.at(-1)).toMatchObject({ kind: 'syscall', errno: { name: 'ECONNRESET' }, note: 'Connection reset by peer' });
  });

  it('treats a timed command in the middle as an event', () => {
    const s = parseOk('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 `sysctl -q net.ipv4.tcp_ecn=1`\n+0 close(3) = 0\n');
    expect(s.events.map((e) => e.kind)).toEqual(['syscall', 'command', 'syscall']);
    expect(s.initCommand).toBeUndefined();
  });

  it('parses a file with CRLF line endings', () => {
    expect(parseOk('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\r\n+0 close(3) = 0\r\n').events).toHaveLength(2);
  });
});

describe('fixture lines', () => {
  it.each(FIXTURE_LINES)('$line', ({ line, kind }) => {
    const e = oneEvent(line);
    expect(e.kind).toBe(kind);
    // Printing the tree and parsing the print gives the same tree.
    expect(stripLocs(oneEvent(formatEvent(e)))).toEqual(stripLocs(e));
  });
});
