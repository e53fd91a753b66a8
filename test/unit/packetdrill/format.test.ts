/**
 * The printer and the parser agree: for generated events (every packet field, option and
 * expression form), parse(format(event)) gives back the same tree. And the parser never
 * throws: any text, including damaged scripts, yields a Script or located errors.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import type { EventTime, IpInfo, PacketEvent, ScriptEvent, SyscallEvent, TcpFlags, TcpOption, TimeValue } from '../../../tools/packetdrill/ast.js';
import type { Expr } from '../../../tools/packetdrill/expr.js';
import { formatCString, formatEvent, formatExpr, formatNode, formatPacket } from '../../../tools/packetdrill/format.js';
import { tcpOptionBytes } from '../../../tools/packetdrill/packet.js';
import { parseScript, secondsToUsecs } from '../../../tools/packetdrill/parser.js';
import { oneEvent, stripLocs } from './helpers.js';

const loc = { line: 1, column: 1 };
const U32 = 0xffffffff;

const timeValue: fc.Arbitrary<TimeValue> = fc
  .oneof(
    fc.nat(99).map(String),
    fc.stringMatching(/^\.[0-9]{1,6}$/),
    fc.tuple(fc.nat(99), fc.stringMatching(/^[0-9]{1,6}$/)).map(([w, f]) => `${w}.${f}`),
  )
  .map((text) => ({ text, usecs: secondsToUsecs(text) }));

const plainTime: fc.Arbitrary<EventTime> = fc.oneof(
  timeValue.map((at) => ({ kind: 'absolute' as const, at })),
  timeValue.map((at) => ({ kind: 'relative' as const, at })),
);

/** Any time kind; ranges are ordered so they are not "backwards". */
const outboundTime: fc.Arbitrary<EventTime> = fc.oneof(
  plainTime,
  fc.constant({ kind: 'any' as const }),
  fc.tuple(timeValue, timeValue).map(([a, b]) => {
    const [start, end] = a.usecs <= b.usecs ? [a, b] : [b, a];
    return { kind: 'absoluteRange' as const, start, end };
  }),
  fc.tuple(timeValue, timeValue).map(([a, b]) => {
    const [start, end] = a.usecs <= b.usecs ? [a, b] : [b, a];
    return { kind: 'relativeRange' as const, start, end };
  }),
);

const symbol = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const hexBytes = (max: number): fc.Arbitrary<string> => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((bs) => bs.map((b) => b.toString(16).padStart(2, '0')).join(''));

const leafExpr: fc.Arbitrary<Expr> = fc.oneof(
  fc.integer({ min: -100000, max: U32 }).map((v) => ({ kind: 'int' as const, value: v, text: String(v), loc })),
  fc.nat(U32).map((v) => ({ kind: 'int' as const, value: v, text: `0x${v.toString(16)}`, loc })),
  symbol.map((name) => ({ kind: 'word' as const, name, loc })),
  fc.tuple(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }), fc.boolean()).map(([codes, prefix]) => ({
    kind: 'string' as const,
    value: String.fromCharCode(...codes),
    prefix,
    loc,
  })),
  fc.constant({ kind: 'ellipsis' as const, loc }),
);

const { expr } = fc.letrec<{ expr: Expr; nonAssign: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('nonAssign'),
    fc.tuple(symbol, fc.option(tie('expr'), { nil: undefined }), tie('expr')).map(([name, arg, value]) =>
      arg === undefined ? { kind: 'assign' as const, name, value, loc } : { kind: 'assign' as const, name, arg, value, loc },
    ),
  ),
  nonAssign: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafExpr,
    // An assignment cannot be an OR operand: `a=1|B` reads as a=(1|B), as in packetdrill.
    fc.array(leafExpr, { minLength: 2, maxLength: 3 }).map((operands) => ({ kind: 'or' as const, operands, loc })),
    fc.array(tie('expr'), { maxLength: 3 }).map((items) => ({ kind: 'list' as const, items, loc })),
    fc.array(tie('expr'), { maxLength: 3 }).map((items) => ({ kind: 'struct' as const, items, loc })),
    fc.tuple(symbol, fc.array(tie('expr'), { maxLength: 2 })).map(([name, args]) => ({ kind: 'call' as const, name, args, loc })),
  ),
}));

const syscallEvent: fc.Arbitrary<SyscallEvent> = fc
  .record({
    time: plainTime,
    name: symbol,
    args: fc.array(expr, { maxLength: 4 }),
    end: fc.option(timeValue, { nil: undefined }),
    result: fc.oneof(
      fc.integer({ min: -1, max: 100000 }).map((v): Expr => ({ kind: 'int', value: v, text: String(v), loc })),
      symbol.map((name): Expr => ({ kind: 'word', name, loc })),
      fc.constant<Expr>({ kind: 'ellipsis', loc }),
    ),
    errno: fc.option(fc.stringMatching(/^E[A-Z0-9]{1,8}$/), { nil: undefined }),
    note: fc.option(fc.array(symbol, { maxLength: 4 }).map((ws) => ws.join(' ')), { nil: undefined }),
  })
  .map(({ time, name, args, end, result, errno, note }) => ({
    kind: 'syscall' as const,
    time,
    loc,
    name,
    nameLoc: loc,
    args,
    result,
    ...(end === undefined ? {} : { end }),
    ...(errno === undefined ? {} : { errno: { name: errno, loc } }),
    ...(note === undefined ? {} : { note }),
  }));

const tcpOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constantFrom<TcpOption>({ kind: 'nop', loc }, { kind: 'eol', loc }, { kind: 'sackOK', loc }),
  fc.nat(0xffff).map((value): TcpOption => ({ kind: 'mss', value, loc })),
  fc.nat(0xff).map((value): TcpOption => ({ kind: 'wscale', value, loc })),
  fc.array(fc.tuple(fc.nat(U32), fc.nat(U32)), { minLength: 1, maxLength: 4 }).map((bs): TcpOption => ({ kind: 'sack', blocks: bs.map(([left, right]) => ({ left, right })), loc })),
  fc.tuple(fc.nat(U32), fc.nat(U32)).map(([val, ecr]): TcpOption => ({ kind: 'timestamp', val, ecr, loc })),
  hexBytes(16).filter((h) => h !== '').map((hex): TcpOption => ({ kind: 'md5', hex, loc })),
  fc.tuple(fc.boolean(), hexBytes(16)).map(([fo, cookie]): TcpOption => ({ kind: fo ? 'fastOpen' : 'fastOpenExp', cookie, loc })),
  fc.shuffledSubarray(['e0b', 'ceb', 'e1b'] as const).chain((names) =>
    fc.array(fc.nat(0xffffff), { minLength: names.length, maxLength: names.length }).map((vs): TcpOption => ({
      kind: 'accEcn',
      fields: names.map((name, i) => ({ name, value: vs[i] ?? 0 })),
      loc,
    })),
  ),
);

const tcpFlags: fc.Arbitrary<TcpFlags> = fc
  .oneof(
    fc.tuple(fc.subarray(['F', 'S', 'R', 'P', 'U', 'E', 'W', 'A']), fc.constantFrom('', '.')).map(([ls, tail]) => ls.join('') + tail),
    // An ACE digit only without E/W/A (tcp_packet.c rejects the mix).
    fc.tuple(fc.subarray(['F', 'S', 'R', 'P', 'U']), fc.nat(7)).map(([ls, ace]) => `${ls.join('')}.${ace}`),
    fc.constant('-'),
  )
  .filter((t) => t !== '')
  .map((text) => {
    const has = (ch: string): boolean => text.includes(ch);
    const ace = /\.([0-7])$/.exec(text)?.[1];
    const f = { text, fin: has('F'), syn: has('S'), rst: has('R'), psh: has('P'), ack: has('.'), urg: has('U'), ece: has('E'), cwr: has('W'), ae: has('A') };
    if (ace === undefined) return f;
    const n = Number(ace);
    return n === 0 ? { ...f, ace: n } : { ...f, ece: (n & 1) !== 0, cwr: (n & 2) !== 0, ae: (n & 4) !== 0, ace: n };
  });

/** Options padded with NOPs to a multiple of 4 bytes and within the 40-byte limit. */
const paddedOptions: fc.Arbitrary<TcpOption[]> = fc
  .array(tcpOption, { maxLength: 5 })
  .map((opts) => {
    const total = opts.reduce((a, o) => a + (tcpOptionBytes(o) ?? 0), 0);
    return [...opts, ...Array.from({ length: (4 - (total % 4)) % 4 }, (): TcpOption => ({ kind: 'nop', loc }))];
  })
  .filter((opts) => opts.reduce((a, o) => a + (tcpOptionBytes(o) ?? 0), 0) <= 40);

const ipInfo = (outbound: boolean, allowEcn: boolean): fc.Arbitrary<IpInfo | undefined> =>
  fc.option(
    fc
      .record(
        {
          ecn: fc.constantFrom<IpInfo['ecn']>('noecn', 'ect0', 'ect1', 'ce', ...(outbound ? (['ect01'] as const) : [])),
          tos: fc.nat(0xff),
          flowLabel: fc.nat(0xfffff),
          ttl: fc.nat(0xff),
          bracket: fc.constantFrom('[' as const, '(' as const),
        },
        { requiredKeys: ['bracket'] },
      )
      .filter((i) => Object.keys(i).length > 1 && (allowEcn || i.ecn === undefined)),
    { nil: undefined },
  );

const ports = fc.option(fc.record({ src: fc.nat(0xffff), dst: fc.nat(0xffff) }), { nil: undefined });
const icmpWord = symbol.filter((w) => w !== 'mtu' && w !== 'id');
const seq = fc.tuple(fc.nat(U32 - 0xffff), fc.nat(0xffff)).map(([start, len]) => ({ start, end: start + len, len }));

const packetEvent: fc.Arbitrary<PacketEvent> = fc.boolean().chain((outbound) => {
  const tcpBody = fc
    .record({
      ports,
      flags: tcpFlags,
      seq,
      ack: fc.option(fc.nat(U32), { nil: undefined }),
      win: outbound ? fc.option(fc.nat(0xffff), { nil: undefined }) : fc.nat(0xffff),
      urg: fc.option(fc.nat(0xffff), { nil: undefined }),
      options: outbound ? fc.oneof(paddedOptions, fc.constant('any' as const)) : paddedOptions,
    })
    .map((b) => JSON.parse(JSON.stringify({ protocol: 'tcp', ...b })) as PacketEvent['body']);
  const udpBody = fc.record({ ports, len: fc.nat(0xffff) }).map((b) => JSON.parse(JSON.stringify({ protocol: 'udp', ...b })) as PacketEvent['body']);
  const icmpBody = fc
    .record({
      type: icmpWord,
      code: fc.option(icmpWord, { nil: undefined }),
      mtu: fc.option(fc.nat(U32), { nil: undefined }),
      id: fc.option(fc.nat(0xffff), { nil: undefined }),
      echoed: fc.option(fc.oneof(seq.map((s) => ({ protocol: 'tcp' as const, seq: s })), fc.record({ protocol: fc.constantFrom('udp' as const, 'raw' as const), len: fc.nat(0xffff) })), {
        nil: undefined,
      }),
    })
    .map((b) => JSON.parse(JSON.stringify({ protocol: 'icmp', ...b })) as PacketEvent['body']);
  return fc.oneof(tcpBody, udpBody, icmpBody).chain((body) =>
    fc.record({ time: outbound ? outboundTime : plainTime, ipInfo: ipInfo(outbound, body.protocol !== 'udp') }).map(({ time, ipInfo: info }) => ({
      kind: 'packet' as const,
      time,
      loc,
      direction: outbound ? ('outbound' as const) : ('inbound' as const),
      encapsulation: [],
      ...(info === undefined ? {} : { ipInfo: info }),
      body,
    })),
  );
});

describe('format then parse', () => {
  test.prop([syscallEvent], { numRuns: 300 })('gives back any syscall event', (e) => {
    expect(stripLocs(oneEvent(formatEvent(e)))).toEqual(stripLocs(e));
  });

  test.prop([packetEvent], { numRuns: 300 })('gives back any packet event', (e) => {
    expect(stripLocs(oneEvent(formatEvent(e)))).toEqual(stripLocs(e));
  });

  it('prints expressions and options as packetdrill writes them', () => {
    const e = oneEvent('+0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_flags=0}, MSG_NOSIGNAL|MSG_MORE) = 10');
    expect(e.kind === 'syscall' && e.args.map(formatExpr)).toEqual(['4', '{msg_name(...)=..., msg_iov(1)=[{..., 10}], msg_flags=0}', 'MSG_NOSIGNAL|MSG_MORE']);
    const p = oneEvent('+0 > [ect0] SW. 0:0(0) ack 1 <mss 1460,sackOK,TS val 1 ecr 2,nop,wscale 8,FO,ECN e1b 1 ceb 0 e0b 1,nop,nop,nop>');
    expect(p.kind === 'packet' && formatPacket(p)).toBe('> [ect0] SW. 0:0(0) ack 1 <mss 1460,sackOK,TS val 1 ecr 2,nop,wscale 8,FO,ECN e1b 1 ceb 0 e0b 1,nop,nop,nop>');
    expect(p.kind === 'packet' && p.body.protocol === 'tcp' && p.body.options !== 'any' && p.body.options.map(formatNode)).toEqual([
      'mss 1460',
      'sackOK',
      'TS val 1 ecr 2',
      'nop',
      'wscale 8',
      'FO',
      'ECN e1b 1 ceb 0 e0b 1',
      'nop',
      'nop',
      'nop',
    ]);
    expect(formatNode(p as ScriptEvent)).toBe(formatEvent(p));
  });

  it('escapes strings so the lexer reads the same bytes back', () => {
    // Chars up to 0xff are bytes and get \xNN; anything wider is left as written.
    expect(formatCString('a"b\\c\n\x01\xf7é\u0100')).toBe('"a\\"b\\\\c\\n\\x01\\xf7\\xe9\u0100"');
  });
});

describe('robustness', () => {
  test.prop([fc.string({ maxLength: 200 })], { numRuns: 500 })('never throws on arbitrary text and locates every error', (text) => {
    const r = parseScript(text, 'fuzz.pkt');
    if (!r.ok) {
      expect(r.errors.length).toBeGreaterThan(0);
      for (const e of r.errors) {
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
      }
    }
  });

  const base = '`./defaults.sh`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0) win 1000 <mss 1460,nop,wscale 7>\n+0 > S. 0:0(0) ack 1 <...>\n+0 %{ assert x == 1 }%\n+0 recvmsg(4, {msg_iov(1)=[{..., 9}]}, 0) = 9\n';
  test.prop([fc.array(fc.tuple(fc.nat(base.length), fc.nat(3), fc.string({ maxLength: 3 })), { maxLength: 4 })], { numRuns: 500 })(
    'never throws on damaged scripts',
    (edits) => {
      let text = base;
      for (const [at, del, ins] of edits) text = text.slice(0, at) + ins + text.slice(at + del);
      const r = parseScript(text, 'd.pkt');
      expect(r.ok || r.errors.length > 0).toBe(true);
    },
  );
});
