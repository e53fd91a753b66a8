/**
 * System-call lines: `name(args) = result [ERRNO] [(note)]`, with the argument
 * expressions packetdrill's parser.y accepts — integers (decimal, hex, negative),
 * symbols, `A|B`, strings (escapes, concatenation, `"..."...`), `...`, `[list]`,
 * `{struct}` with named fields, `name(arg)=value` (msghdr's msg_iov / msg_name), and
 * calls such as `htons(8080)` / `inet_addr("...")`.
 */
import { describe, expect, it } from 'vitest';
import { structField, type Expr } from '../../../tools/packetdrill/expr.js';
import { eventOf, stripLocs } from './helpers.js';

/** The argument list of a one-line syscall script, without locations. */
function args(line: string): unknown[] {
  return stripLocs(eventOf(line, 'syscall').args) as unknown[];
}

describe('syscall results', () => {
  it('reads name, args and a plain integer result', () => {
    const e = eventOf('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3', 'syscall');
    expect(e.name).toBe('socket');
    expect(e.nameLoc).toEqual({ line: 1, column: 3 });
    expect(stripLocs(e.args)).toEqual([{ kind: 'ellipsis' }, { kind: 'word', name: 'SOCK_STREAM' }, { kind: 'word', name: 'IPPROTO_TCP' }]);
    expect(stripLocs(e.result)).toEqual({ kind: 'int', value: 3, text: '3' });
    expect(e.errno).toBeUndefined();
  });

  it('reads -1 ERRNO (note), keeping the note verbatim', () => {
    const e = eventOf('+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)', 'syscall');
    expect(e.result).toMatchObject({ kind: 'int', value: -1 });
    expect(e.errno).toEqual({ name: 'EINPROGRESS', loc: { line: 1, column: 30 } });
    expect(e.note).toBe('Operation now in progress');
  });

  it('reads an errno glued to its note, a note without errno, and a hex result with a flags note', () => {
    expect(eventOf('+0 read(4, ..., 512) = -1 EHOSTUNREACH(No route to host)', 'syscall')).toMatchObject({
      errno: { name: 'EHOSTUNREACH' },
      note: 'No route to host',
    });
    const noErrno = eventOf('+0 setsockopt(3, SOL_TCP, TCP_FASTOPEN_KEY, "", 3) = -1 (Invalid Argument)', 'syscall');
    expect(noErrno.errno).toBeUndefined();
    expect(noErrno.note).toBe('Invalid Argument');
    expect(eventOf('+0 fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)', 'syscall')).toMatchObject({ result: { kind: 'int', value: 2, text: '0x2' }, note: 'flags O_RDWR' });
  });

  it('reads a symbolic OR result followed by a note', () => {
    const e = eventOf('+0 fcntl(3, F_GETFL) = O_RDWR|O_NONBLOCK (flags O_RDWR|O_NONBLOCK)', 'syscall');
    expect(stripLocs(e.result)).toEqual({ kind: 'or', operands: [{ kind: 'word', name: 'O_RDWR' }, { kind: 'word', name: 'O_NONBLOCK' }] });
    expect(e.note).toBe('flags O_RDWR|O_NONBLOCK');
    expect(eventOf('+0 f() = X (note)', 'syscall')).toMatchObject({ result: { kind: 'word', name: 'X' }, note: 'note' });
  });

  it('accepts ... as a result and empty argument lists', () => {
    expect(eventOf('+0 getpid() = ...', 'syscall')).toMatchObject({ args: [], result: { kind: 'ellipsis' } });
  });
});

describe('argument expressions', () => {
  it('reads bitwise-or of symbols and of a symbol with a number', () => {
    expect(args('+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0')[2]).toEqual({
      kind: 'or',
      operands: [{ kind: 'word', name: 'O_RDWR' }, { kind: 'word', name: 'O_NONBLOCK' }],
    });
    expect(args('+0 socket(..., SOCK_STREAM|SOCK_NONBLOCK, 0x6) = 3')).toMatchObject([{}, { kind: 'or' }, { kind: 'int', value: 6, text: '0x6' }]);
  });

  it('reads [N] buffers for setsockopt/getsockopt, including [4] length buffers', () => {
    expect(args('+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0')[3]).toEqual({ kind: 'list', items: [{ kind: 'int', value: 1, text: '1' }] });
    expect(args('+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0')[4]).toEqual({ kind: 'list', items: [{ kind: 'int', value: 4, text: '4' }] });
    expect(args('+0 setsockopt(4, SOL_TCP, TCP_NOTSENT_LOWAT, [0xffffffff], 4) = 0')[3]).toMatchObject({ items: [{ value: 0xffffffff }] });
    expect(args('+0 f([]) = 0')[0]).toEqual({ kind: 'list', items: [] });
  });

  it('reads strings with escapes, concatenation and the "prefix"... form', () => {
    expect(args('+0 write(3, "\\xf7\\x63", 2) = 2')[1]).toEqual({ kind: 'string', value: '\xf7\x63', prefix: false });
    expect(args('+0 write(3, "ab" "cd", 4) = 4')[1]).toEqual({ kind: 'string', value: 'abcd', prefix: false });
    expect(args('+0 write(3, "GET"..., 100) = 100')[1]).toEqual({ kind: 'string', value: 'GET', prefix: true });
  });

  it('reads negative numbers as arguments', () => {
    expect(args('+0 poll([], 0, -1) = 0')[2]).toEqual({ kind: 'int', value: -1, text: '-1' });
  });

  it('reads a linger struct with named fields', () => {
    expect(args('+0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0')[3]).toEqual({
      kind: 'struct',
      items: [
        { kind: 'assign', name: 'onoff', value: { kind: 'int', value: 1, text: '1' } },
        { kind: 'assign', name: 'linger', value: { kind: 'int', value: 0, text: '0' } },
      ],
    });
  });

  it('reads a sockaddr with htons() and inet_addr() calls', () => {
    const a = args('+0 connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}, 16) = 0')[1] as Expr;
    expect(structField(a, 'sa_family')?.value).toEqual({ kind: 'word', name: 'AF_INET' });
    expect(structField(a, 'sin_port')?.value).toEqual({ kind: 'call', name: 'htons', args: [{ kind: 'int', value: 8080, text: '8080' }] });
    expect(structField(a, 'sin_addr')?.value).toEqual({ kind: 'call', name: 'inet_addr', args: [{ kind: 'string', value: '192.0.2.1', prefix: false }] });
    expect(structField(a, 'nope')).toBeUndefined();
  });

  it('reads pollfd arrays and epoll_event structs', () => {
    expect(args('+0 poll([{fd=3, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 100) = 1')[0]).toMatchObject({
      kind: 'list',
      items: [{ kind: 'struct', items: [{ name: 'fd' }, { name: 'events', value: { kind: 'or' } }, { name: 'revents' }] }],
    });
    expect(args('+0 epoll_wait(5, {events=0, ptr=0}, 1, 0) = 0')[1]).toMatchObject({ kind: 'struct', items: [{ name: 'events' }, { name: 'ptr' }] });
  });

  it('reads a recvmsg msghdr with msg_name(...)=..., msg_iov(N)=[{..., len}] and a cmsg array', () => {
    const line = `+0 recvmsg(4, {msg_name(...)=...,
                  msg_iov(1)=[{..., 1000}],
                  msg_flags=MSG_ERRQUEUE,
                  msg_control=[{cmsg_level=SOL_IP,
                                cmsg_type=IP_RECVERR,
                                cmsg_data={ee_errno=0, ee_origin=SO_EE_ORIGIN_ZEROCOPY, ee_type=0,
                                           ee_code=SO_EE_CODE_ZEROCOPY_COPIED, ee_info=0, ee_data=2}},
                               {cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING,
                                cmsg_data={scm_sec=0, scm_nsec=20000000}}]}, MSG_ERRQUEUE) = 0`;
    const e = eventOf(line, 'syscall');
    const msg = e.args[1] as Expr;
    expect(structField(msg, 'msg_name')).toMatchObject({ arg: { kind: 'ellipsis' }, value: { kind: 'ellipsis' } });
    expect(stripLocs(structField(msg, 'msg_iov'))).toEqual({
      kind: 'assign',
      name: 'msg_iov',
      arg: { kind: 'int', value: 1, text: '1' },
      value: { kind: 'list', items: [{ kind: 'struct', items: [{ kind: 'ellipsis' }, { kind: 'int', value: 1000, text: '1000' }] }] },
    });
    const control = structField(msg, 'msg_control')?.value;
    expect(control?.kind).toBe('list');
    const cmsgs = control?.kind === 'list' ? control.items : [];
    expect(cmsgs).toHaveLength(2);
    const ee = structField(cmsgs[0] as Expr, 'cmsg_data')?.value as Expr;
    expect(structField(ee, 'ee_data')?.value).toMatchObject({ value: 2 });
    expect(structField(structField(cmsgs[1] as Expr, 'cmsg_data')?.value as Expr, 'scm_nsec')?.value).toMatchObject({ value: 20_000_000 });
    expect(e.result).toMatchObject({ value: 0 });
  });
});
