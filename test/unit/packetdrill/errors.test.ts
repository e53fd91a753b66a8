/**
 * Malformed lines give located errors: `file:line:column: expected X, found Y`, at the
 * offending token, or just past the last token when the line ended early. Semantic
 * errors reuse packetdrill's own wording (parser.y `semantic_error` calls) where it has one.
 */
import { describe, expect, it } from 'vitest';
import { formatParseError } from '../../../tools/packetdrill/ast.js';
import { parseScript } from '../../../tools/packetdrill/parser.js';
import { parseErrors } from './helpers.js';

/** The single error of a script, as [line, column, message]. */
function only(text: string): [number, number, string] {
  const errs = parseErrors(text);
  expect(errs, errs.map(formatParseError).join('\n')).toHaveLength(1);
  const e = errs[0];
  return e === undefined ? [0, 0, ''] : [e.line, e.column, e.message];
}

describe('syntax errors', () => {
  it('points just past the last token when a line ends early', () => {
    expect(only('+0 > S. 0:0(0) ack\n+0 close(3) = 0')).toEqual([1, 19, "expected an acknowledgment number after 'ack', found end of line"]);
  });

  it('points at the offending token otherwise', () => {
    expect(only('+0 > S. 0:0(0) ack x')).toEqual([1, 20, "expected an acknowledgment number after 'ack', found 'x'"]);
    expect(only('+0 close(3 = 0')).toEqual([1, 12, "expected ',' or ')' in the arguments of close(), found '='"]);
    expect(only('+0 close(3) 0')).toEqual([1, 13, "expected '=' and the expected return value after close(...), found '0'"]);
    expect(only('+0 bind(3, {a=1 b=2}, 16) = 0')).toEqual([1, 17, "expected ',' or '}' in a {struct}, found 'b'"]);
    expect(only('+0 setsockopt(3, [1, 2) = 0')).toEqual([1, 23, "expected ',' or ']' in a [list], found ')'"]);
  });

  it('says what an event must start with', () => {
    const [line, col, msg] = only('close(3) = 0');
    expect([line, col]).toEqual([1, 1]);
    expect(msg).toMatch(/^expected an event: a time \(e\.g\. 0, 0\.100, \+\.1, \*\).*, found 'close'$/);
    expect(only('+.x close(3) = 0')).toEqual([1, 2, "expected a relative time after '+' (e.g. +0, +.1), found '.'"]);
  });

  it('rejects packet fields out of order and stray tokens after a statement', () => {
    expect(only('+0 > . 1:1(0) win 10 ack 1')[2]).toMatch(/^unexpected 'ack' after the packet \(TCP fields go in the order/);
    expect(only('+0 close(3) = 0 junk')).toEqual([1, 17, "expected an errno name (e.g. EAGAIN) or a (note) after the return value, found 'junk'"]);
    expect(only('+0 close(3) = 0 (ok) x')).toEqual([1, 22, "unexpected 'x' after the system call; each event goes on its own line"]);
  });

  it('reports unclosed option lists, unknown options and incomplete TS options', () => {
    expect(only('+0 > S 0:0(0) <mss 1460,nop')).toEqual([1, 28, "expected ',' or '>' in the TCP option list, found end of file"]);
    expect(only('+0 > S 0:0(0) <mss 1460,bogus 3>')[0]).toBe(1);
    expect(only('+0 > S 0:0(0) <mss 1460,bogus 3>')[1]).toBe(25);
    expect(only('+0 > . 1:1(0) <TS val 1>')).toEqual([1, 24, "expected 'ecr' after the TS value, found '>'"]);
  });

  it('reports unknown flag letters at their own column', () => {
    expect(only('+0 > SX 0:0(0)')).toEqual([1, 7, "Invalid TCP flag: 'X' in 'SX' (valid: . F S R P E W A U, or one ACE digit 0-7)"]);
    // tcp_packet.c: an ACE digit cannot be combined with E/W/A or a second digit.
    expect(only('+0 > E.5 1:1(0)')).toEqual([1, 8, "Conflicting TCP flag: '5' in 'E.5' (an ACE digit replaces E, W and A)"]);
  });

  it('reports an unknown IP field and a malformed UDP or ICMP line', () => {
    expect(only('+0 > [ect2] S 0:0(0)')[0]).toBe(1);
    expect(only('+0 > [ect2] S 0:0(0)')[1]).toBe(7);
    expect(only('+0 < udp 100')).toEqual([1, 10, "expected '(' and the UDP payload length, e.g. udp (100), found '100'"]);
    expect(only('+0 < icmp')[2]).toMatch(/^expected an ICMP type after 'icmp'/);
  });

  it('reports an unterminated string once, without cascades', () => {
    expect(only('+0 write(3, "abc, 3) = 3\n+0 close(3) = 0')).toEqual([1, 13, `unterminated string (missing closing '"')`]);
  });

  it('keeps going after an error and reports every broken line', () => {
    const errs = parseErrors('+0 < S 0:0(0) win 1\n+0 bad line here\n+0 > S. 0:0(0) ack 1 <mss>\n+0 close(3) = 0\n+0 > Q 1:1(0)');
    expect(errs.map((e) => [e.line, e.column])).toEqual([
      [2, 8],
      [3, 26],
      [5, 6],
    ]);
  });

  it('formats errors as file:line:column: message', () => {
    const r = parseScript('\n\n   +0 > S. 0:0(0) ack', 'tests/x.pkt');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map(formatParseError)).toEqual(["tests/x.pkt:3:22: expected an acknowledgment number after 'ack', found end of file"]);
  });
});

describe('semantic errors (packetdrill wording)', () => {
  it('requires start + len == end', () => {
    expect(only('+0 < S 0:10(5) win 10')).toEqual([1, 8, 'inconsistent TCP sequence numbers and payload size: 0+5 != 10']);
  });

  it('range-checks window, mss, wscale and sequence numbers', () => {
    expect(only('+0 < . 1:1(0) ack 1 win 70000')).toEqual([1, 25, 'TCP window value out of range']);
    expect(parseErrors('+0 < S 0:0(0) win 100 <mss 99999,wscale 300>').map((e) => e.message)).toEqual([
      'mss value out of range',
      'window scale shift count out of range',
    ]);
    expect(only('+0 < S 4294967296:0(0) win 1')[2]).toBe('TCP start sequence number out of range');
  });

  it('requires a window on inbound TCP packets', () => {
    expect(only('+0 < S 0:0(0)')).toEqual([1, 1, "window must be specified for inbound packets ('win N')"]);
  });

  it('allows *, ranges, <...> and [ect01] only on outbound packets', () => {
    expect(only('* close(3) = 0')[2]).toBe('event time <star> can only be used with outbound packets');
    expect(only('0.1~0.2 < . 1:1(0) win 1')[2]).toBe('event time range can only be used with outbound packets');
    expect(only('+0 < . 1:1(0) win 1 <...>')[2]).toBe('<...> for TCP options can only be used with outbound packets');
    expect(only('+0 < [ect01] . 1:1(0) win 1')[2]).toBe('[ect01] can only be used with outbound packets');
  });

  it('rejects backwards ranges and negative times', () => {
    expect(only('0.2~0.1 > . 1:1(0)')[2]).toBe('time range is backwards');
    expect(only('-1 close(3) = 0')[2]).toBe('negative time');
  });

  it('rejects option lists that leave the TCP header unaligned or over 60 bytes', () => {
    expect(only('+0 > S 0:0(0) <mss 1460,nop>')).toEqual([1, 15, 'TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: 1 excess bytes']);
    expect(only('+0 > . 1:1(0) <nop,nop,sack 1:2 3:4 5:6 7:8 9:10>')[2]).toBe('TCP header too large: 44 bytes of options (at most 40)');
  });

  it('rejects odd-length hex cookies and over-long MD5 digests', () => {
    expect(only('+0 > S 0:0(0) <FO abc>')[2]).toBe('TCP fast open cookie has an odd number of digits');
    expect(only(`+0 > S 0:0(0) <md5 ${'00'.repeat(17)}>`)[2]).toBe('TCP MD5 digest longer than 16 bytes');
  });

  it('places options and untimed commands where packetdrill allows them', () => {
    expect(only('+0 > S 0:0(0)\n--mss=100')).toEqual([2, 1, "option '--mss=100' must come before the first command or event"]);
    expect(only('+0 > S 0:0(0)\n`a`\n+0 > S 0:0(0)')[0]).toBe(2);
    expect(only('`a`\n`b`\n+0 > S 0:0(0)')[0]).toBe(2);
  });

  it('needs at least one event', () => {
    expect(only('')[2]).toMatch(/^expected at least one event, found end of file/);
    expect(only('`../common/defaults.sh`\n')[2]).toMatch(/^expected at least one event/);
  });
});
