/**
 * Turning packetdrill syscall argument expressions into the values socksim's Sys takes, and checking the
 * values calls write back (run_system_call.c): `...` socket addresses become the live local or remote address
 * at the bind/connect port, `...` buffers are zero-filled, `[N]` is an int in memory, `{onoff=1, linger=0}` a
 * struct linger, msghdr/iovec/pollfd/epoll_event structs are read field by field.
 */
import { AF_INET, AF_INET6, AF_UNSPEC } from '../../../stack/constants.js';
import { parseCmsgs } from '../../../stack/cmsg.js';
import type { Cmsg } from '../../../stack/socket.js';
import { inet, inet6, type SockAddrArg } from '../../../stack/sockaddr.js';
import { readInt } from '../../../stack/sockopt.js';
import type { Expr } from '../expr.js';
import { structField } from '../expr.js';
import { formatExpr } from '../format.js';
import type { RunConfig } from './config.js';
import { ArgError, evalInt, isEllipsis, isNull } from './symbols.js';

/** What argument conversion needs to know about the run. */
export interface ArgContext {
  cfg: RunConfig;
  /** Socket-side address texts (IPv4-mapped in ipv4-mapped-ipv6 runs). */
  localSock: string;
  remoteSock: string;
  /** Script fd → live fd. */
  fdMap: ReadonlyMap<number, number>;
}

/** Evaluates an int argument. */
export function int(e: Expr | undefined, ctx: ArgContext, what: string): number {
  if (e === undefined) throw new ArgError(`missing argument: ${what}`);
  return evalInt(e, ctx.cfg.defines);
}

/** A script fd mapped to the live one (an unknown fd passes through, so EBADF tests see the number they wrote). */
export function fd(e: Expr | undefined, ctx: ArgContext): number {
  const n = int(e, ctx, 'fd');
  return ctx.fdMap.get(n) ?? n;
}

/** The socket family `...` stands for in socket(2): AF_INET, or AF_INET6 for ipv6 and ipv4-mapped-ipv6 runs. */
export function familyFor(cfg: RunConfig): number {
  return cfg.ipMode === 'ipv4' ? AF_INET : AF_INET6;
}

/** A socket address: `...` is the local (bind) or remote (connect, sendto) address; structs are read by field. */
export function sockaddr(e: Expr | undefined, ctx: ArgContext, side: 'local' | 'remote'): SockAddrArg | null {
  if (e === undefined || isNull(e)) return null;
  const v6 = familyFor(ctx.cfg) === AF_INET6;
  if (isEllipsis(e)) {
    const addr = side === 'local' ? ctx.localSock : ctx.remoteSock;
    const port = side === 'local' ? ctx.cfg.bindPort : ctx.cfg.connectPort;
    return v6 ? inet6(addr, port) : inet(addr, port);
  }
  if (e.kind !== 'struct') throw new ArgError(`expected a sockaddr, got ${formatExpr(e)}`);
  const fam = structField(e, 'sa_family') ?? structField(e, 'sin_family') ?? structField(e, 'sin6_family');
  const family = fam ? int(fam.value, ctx, 'sa_family') : v6 ? AF_INET6 : AF_INET;
  if (family === AF_UNSPEC) {
    const b = new Uint8Array(16);
    return b;
  }
  const portF = structField(e, 'sin_port') ?? structField(e, 'sin6_port');
  const port = portF ? int(portF.value, ctx, 'port') : 0;
  const addrF = structField(e, 'sin_addr') ?? structField(e, 'sin6_addr');
  let addr = family === AF_INET6 ? '::' : '0.0.0.0';
  if (addrF) {
    const a = addrF.value;
    if (a.kind === 'call' && (a.name === 'inet_addr' || a.name === 'inet6_addr' || a.name === 'inet_pton') && a.args[a.args.length - 1]?.kind === 'string') {
      addr = (a.args[a.args.length - 1] as { value: string }).value;
    } else if (a.kind === 'int' && a.value === 0) {
      addr = family === AF_INET6 ? '::' : '0.0.0.0';
    } else throw new ArgError(`cannot read address ${formatExpr(a)}`);
  }
  return family === AF_INET6 ? inet6(addr, port) : inet(addr, port);
}

/** A data buffer: `...` is `len` zero bytes, a string its bytes, NULL a null pointer (the call gives EFAULT). */
export function buffer(e: Expr | undefined, len: number): Uint8Array | null {
  if (e === undefined || isNull(e)) return null;
  if (isEllipsis(e)) return new Uint8Array(Math.max(0, len));
  if (e.kind === 'string') {
    const b = new Uint8Array(Math.max(len, e.value.length));
    for (let i = 0; i < e.value.length; i++) b[i] = e.value.charCodeAt(i) & 0xff;
    return b;
  }
  throw new ArgError(`expected a buffer (..., "text" or NULL), got ${formatExpr(e)}`);
}

/** An iovec list `[{..., 40}, {..., 20}]` as buffers (zero-filled). */
export function iovecs(e: Expr | undefined, ctx: ArgContext): Uint8Array[] {
  if (e === undefined || isNull(e)) return [];
  if (e.kind !== 'list') throw new ArgError(`expected an iovec list, got ${formatExpr(e)}`);
  return e.items.map((item) => {
    if (item.kind !== 'struct') throw new ArgError(`expected {base, len}, got ${formatExpr(item)}`);
    const second = item.items[1];
    const lenE = structField(item, 'iov_len')?.value ?? (second?.kind === 'assign' ? second.value : second);
    return new Uint8Array(int(lenE, ctx, 'iov_len'));
  });
}

/** The bytes of a setsockopt value: `[N]` int, `{onoff, linger}` struct linger, "text", or a bare int. */
export function optval(e: Expr | undefined, ctx: ArgContext): Uint8Array | number {
  if (e === undefined || isNull(e)) throw new ArgError('setsockopt with a NULL value is not supported');
  if (e.kind === 'list' || e.kind === 'int' || e.kind === 'word' || e.kind === 'or') return int(e, ctx, 'optval');
  if (e.kind === 'string') return Uint8Array.from(e.value, (c) => c.charCodeAt(0) & 0xff);
  if (e.kind === 'struct') {
    const onoff = structField(e, 'onoff') ?? structField(e, 'l_onoff');
    const linger = structField(e, 'linger') ?? structField(e, 'l_linger');
    if (onoff && linger) {
      const b = new Uint8Array(8);
      const dv = new DataView(b.buffer);
      dv.setInt32(0, int(onoff.value, ctx, 'onoff'), true);
      dv.setInt32(4, int(linger.value, ctx, 'linger'), true);
      return b;
    }
  }
  throw new ArgError(`unsupported option value ${formatExpr(e)}`);
}

/** Checks a getsockopt result against the script's `[N]`, struct linger or string; an error message or null. */
export function checkOptval(e: Expr | undefined, got: Uint8Array, ctx: ArgContext): string | null {
  if (e === undefined || isEllipsis(e)) return null;
  if (e.kind === 'list' || e.kind === 'int' || e.kind === 'word' || e.kind === 'or') {
    const want = int(e, ctx, 'optval');
    const have = got.length >= 4 ? readInt(got) : got.length === 1 ? got[0]! : got.length === 0 ? 0 : readInt(Uint8Array.from([...got, 0, 0, 0, 0]).subarray(0, 4));
    return want === have ? null : `Bad getsockopt optval: expected: ${want} actual: ${have}`;
  }
  if (e.kind === 'string') {
    const have = String.fromCharCode(...got).replace(/\0.*$/s, '');
    return have === e.value ? null : `Bad getsockopt optval: expected: "${e.value}" actual: "${have}"`;
  }
  if (e.kind === 'struct') {
    const onoff = structField(e, 'onoff') ?? structField(e, 'l_onoff');
    const linger = structField(e, 'linger') ?? structField(e, 'l_linger');
    if (onoff && linger && got.length >= 8) {
      const dv = new DataView(got.buffer, got.byteOffset, got.byteLength);
      const o = dv.getInt32(0, true), l = dv.getInt32(4, true);
      const wo = int(onoff.value, ctx, 'onoff'), wl = int(linger.value, ctx, 'linger');
      return o === wo && l === wl ? null : `Bad getsockopt linger: expected: {onoff=${wo}, linger=${wl}} actual: {onoff=${o}, linger=${l}}`;
    }
  }
  throw new ArgError(`unsupported getsockopt value ${formatExpr(e)}`);
}

/** The expected control messages of a recvmsg `msg_control=[{cmsg_level=…, cmsg_type=…, cmsg_data=…}]`. */
export function expectedCmsgs(e: Expr | undefined): Expr[] | null {
  if (e === undefined || isEllipsis(e) || isNull(e)) return null;
  if (e.kind !== 'list') throw new ArgError(`expected a cmsg list, got ${formatExpr(e)}`);
  return [...e.items];
}

/** Compares the control messages recvmsg returned with the script's; an error message or null. */
export function checkCmsgs(want: Expr[], control: Uint8Array, controllen: number, ctx: ArgContext): string | null {
  const got: Cmsg[] = parseCmsgs(control, controllen);
  if (got.length !== want.length) return `Bad recvmsg: expected ${want.length} control messages, got ${got.length}`;
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!, g = got[i]!;
    const level = int(structField(w, 'cmsg_level')?.value, ctx, 'cmsg_level');
    const type = int(structField(w, 'cmsg_type')?.value, ctx, 'cmsg_type');
    if (g.level !== level || g.type !== type) return `Bad recvmsg cmsg ${i}: expected level ${level} type ${type}, got level ${g.level} type ${g.type}`;
    const data = structField(w, 'cmsg_data')?.value;
    if (data === undefined || isEllipsis(data)) continue;
    if (data.kind === 'int' || data.kind === 'word') {
      const v = int(data, ctx, 'cmsg_data');
      const have = g.data.length >= 4 ? readInt(g.data) : -1;
      if (have !== v) return `Bad recvmsg cmsg ${i} data: expected ${v} actual ${have}`;
    } else throw new ArgError(`unsupported cmsg_data ${formatExpr(data)}`);
  }
  return null;
}
