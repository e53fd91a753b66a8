/**
 * Executing a script's system call on the simulated process and checking it as packetdrill's
 * run_system_call.c does: the return value (exactly, or for fd-returning calls only its sign, the script fd
 * then standing for the live one), the errno when the script names one, and the values the call writes back
 * (getsockopt, poll revents, epoll events, recvmsg flags and control messages). Calls also keep the runner's
 * socket model current: socket/bind/listen/connect/accept/close tell it the live fds and 4-tuples.
 */
import { AF_INET, AF_INET6, EPOLL_CTL_DEL, IPPROTO_TCP, IPPROTO_UDP, MSG_FASTOPEN, SOCK_DGRAM, SOCK_STREAM, SOCK_TYPE_MASK } from '../../../stack/constants.js';
import { errnoFromName, errnoName, strerror } from '../../../stack/errno.js';
import type { EpollEvent } from '../../../stack/epoll.js';
import type { PollFd } from '../../../stack/poll.js';
import type { SockAddrArg } from '../../../stack/sockaddr.js';
import type { Sys, MsgHdr, OptOut } from '../../../stack/sys.js';
import { ipv4FromMapped, ipv6FromString, ipv4ToString } from '../../../stack/wire/addr.js';
import type { SyscallEvent } from '../ast.js';
import { structField, type Expr } from '../expr.js';
import { formatExpr } from '../format.js';
import type { SocketTable, ScriptSocket, WireEnd } from './sockets.js';
import { buffer, checkCmsgs, checkOptval, expectedCmsgs, familyFor, fd, int, iovecs, optval, sockaddr, type ArgContext } from './sysargs.js';
import { ArgError, isEllipsis, isNull } from './symbols.js';

/** What a call needs: argument context plus the mutable socket model and fd map. */
export interface SyscallEnv extends ArgContext {
  fdMap: Map<number, number>;
  sockets: SocketTable;
  /** Wire-side address texts (IPv4 in ipv4-mapped runs). */
  localWire: string;
  remoteWire: string;
}

/** The outcome of one call: its return value and errno, and why the script's expectation failed (or null). */
export interface CallResult {
  ret: number;
  errno: number;
  failure: string | null;
}

type Post = () => string | null;

/** Calls that return a new fd: only the sign is checked, and the script fd is mapped to the live one. */
const FD_CALLS = new Set(['socket', 'accept', 'accept4', 'open', 'epoll_create', 'epoll_create1']);

/** Calls socksim's syscall layer does not have yet. */
const MISSING = new Set(['splice', 'cap_set', 'psp_rx_assoc', 'psp_tx_assoc']);

function wireOf(sa: SockAddrArg | null, fallback: string): string {
  if (!sa || sa instanceof Uint8Array || !('addr' in sa)) return fallback;
  if (sa.family === AF_INET) return sa.addr === '0.0.0.0' ? fallback : sa.addr;
  const b = ipv6FromString(sa.addr);
  if (!b) return fallback;
  const v4 = ipv4FromMapped(b);
  if (v4 !== null) return ipv4ToString(v4);
  return b.every((x) => x === 0) ? fallback : sa.addr;
}

function portOf(sa: SockAddrArg | null): number {
  return sa && !(sa instanceof Uint8Array) && 'port' in sa ? sa.port : 0;
}

function sockOf(env: SyscallEnv, liveFd: number): ScriptSocket | undefined {
  return env.sockets.byLiveFd(liveFd);
}

function setEnd(end: WireEnd, ip: string, port: number): void {
  end.ip = ip;
  end.port = port;
}

/** Runs the call named by ev on sys and checks it; the script's fds are mapped through env. */
export async function invokeSyscall(ev: SyscallEvent, sys: Sys, env: SyscallEnv): Promise<CallResult> {
  const a = ev.args;
  let post: Post | null = null;
  let ret: number;
  try {
    if (MISSING.has(ev.name)) return { ret: 0, errno: 0, failure: `socksim's syscall layer has no ${ev.name}() yet` };
    const r = await dispatch(ev, a, sys, env);
    ret = r.ret;
    post = r.post;
  } catch (e) {
    if (e instanceof ArgError) return { ret: 0, errno: 0, failure: `runtime error in ${ev.name} call: ${e.message}` };
    throw e;
  }
  const errno = ret < 0 ? sys.errno : 0;
  const failure = checkResult(ev, ret, errno, env) ?? (post ? post() : null);
  return { ret, errno, failure };
}

/** end_syscall: compares the return value and errno with the script's. */
function checkResult(ev: SyscallEvent, ret: number, errno: number, env: SyscallEnv): string | null {
  if (isEllipsis(ev.result)) return null;
  const expected = int(ev.result, env, 'result');
  const got = ret < 0 ? `${ret} with errno ${errno} (${errnoName(errno)}: ${strerror(errno)})` : String(ret);
  if (FD_CALLS.has(ev.name) && expected >= 0) {
    if (ret < 0) return `Expected result ${expected} but got ${got}`;
  } else if (ret !== expected) return `Expected result ${expected} but got ${got}`;
  if (ret < 0 && ev.errno) {
    const want = errnoFromName(ev.errno.name);
    if (want === undefined) return `unknown errno ${ev.errno.name}`;
    if (want !== errno) return `Expected errno ${want} (${ev.errno.name}: ${strerror(want)}) but got ${errno} (${errnoName(errno)}: ${strerror(errno)})`;
  }
  return null;
}

function mapFd(env: SyscallEnv, scriptFd: Expr, live: number): void {
  if (live < 0 || isEllipsis(scriptFd)) return;
  const s = int(scriptFd, env, 'fd');
  if (s >= 0) env.fdMap.set(s, live);
}

async function dispatch(ev: SyscallEvent, a: readonly Expr[], sys: Sys, env: SyscallEnv): Promise<{ ret: number; post: Post | null }> {
  const none = (ret: number): { ret: number; post: Post | null } => ({ ret, post: null });
  switch (ev.name) {
    case 'socket': {
      const domain = isEllipsis(a[0]) ? familyFor(env.cfg) : int(a[0], env, 'domain');
      const type = int(a[1], env, 'type'), proto = int(a[2], env, 'protocol');
      const ret = await sys.socket(domain, type, proto);
      if (ret >= 0 && (domain === AF_INET || domain === AF_INET6)) {
        const kind = type & SOCK_TYPE_MASK;
        if ((kind === SOCK_STREAM && (proto === 0 || proto === IPPROTO_TCP)) || (kind === SOCK_DGRAM && (proto === 0 || proto === IPPROTO_UDP))) {
          env.sockets.create(kind === SOCK_STREAM ? 'tcp' : 'udp', isEllipsis(ev.result) ? ret : int(ev.result, env, 'fd'), ret);
        }
      }
      mapFd(env, ev.result, ret);
      return none(ret);
    }
    case 'bind': {
      const f = fd(a[0], env), sa = sockaddr(a[1], env, 'local');
      const ret = await sys.bind(f, sa as SockAddrArg);
      const s = sockOf(env, f);
      if (ret === 0 && s) setEnd(s.local, wireOf(sa, env.localWire), portOf(sa));
      return none(ret);
    }
    case 'listen': {
      const f = fd(a[0], env);
      const ret = await sys.listen(f, int(a[1], env, 'backlog'));
      const s = sockOf(env, f);
      if (ret === 0 && s) {
        s.state = 'listening';
        if (s.local.ip === '') s.local.ip = env.localWire;
      }
      return none(ret);
    }
    case 'accept':
    case 'accept4': {
      const f = fd(a[0], env);
      const ret = ev.name === 'accept' ? await sys.accept(f, { addr: null }) : await sys.accept4(f, { addr: null }, int(a[3], env, 'flags'));
      if (ret >= 0) {
        const child = env.sockets.takeAccepted(f);
        if (child) {
          child.liveFd = ret;
          child.scriptFd = isEllipsis(ev.result) ? ret : int(ev.result, env, 'fd');
        }
      }
      mapFd(env, ev.result, ret);
      return none(ret);
    }
    case 'connect': {
      const f = fd(a[0], env), sa = sockaddr(a[1], env, 'remote');
      const s = sockOf(env, f);
      // Before the call, as run_syscall_connect does: a blocking connect's SYN is sniffed while it waits.
      if (s && s.state === 'new' && sa && !(sa instanceof Uint8Array)) {
        s.state = 'connecting';
        setEnd(s.remote, wireOf(sa, env.remoteWire), portOf(sa));
        if (s.local.ip === '') s.local.ip = env.localWire;
      }
      return none(await sys.connect(f, sa as SockAddrArg));
    }
    case 'close': {
      const f = fd(a[0], env);
      const ret = await sys.close(f);
      if (ret === 0) {
        env.sockets.closeFd(f);
        const script = int(a[0], env, 'fd');
        env.fdMap.delete(script);
      }
      return none(ret);
    }
    case 'shutdown':
      return none(await sys.shutdown(fd(a[0], env), int(a[1], env, 'how')));
    case 'fcntl':
      return none(a.length > 2 ? await sys.fcntl(fd(a[0], env), int(a[1], env, 'cmd'), int(a[2], env, 'arg')) : await sys.fcntl(fd(a[0], env), int(a[1], env, 'cmd')));
    case 'read':
      return none(await sys.read(fd(a[0], env), buffer(a[1], int(a[2], env, 'count')) as Uint8Array));
    case 'readv':
      return none(await sys.readv(fd(a[0], env), iovecs(a[1], env)));
    case 'recv':
      return none(await sys.recv(fd(a[0], env), buffer(a[1], int(a[2], env, 'len')) as Uint8Array, int(a[3], env, 'flags')));
    case 'recvfrom':
      return none(await sys.recvfrom(fd(a[0], env), buffer(a[1], int(a[2], env, 'len')) as Uint8Array, int(a[3], env, 'flags'), { addr: null }));
    case 'write':
      return none(await sys.write(fd(a[0], env), buffer(a[1], int(a[2], env, 'count')) as Uint8Array));
    case 'writev':
      return none(await sys.writev(fd(a[0], env), iovecs(a[1], env)));
    case 'send':
      return none(await sys.send(fd(a[0], env), buffer(a[1], int(a[2], env, 'len')) as Uint8Array, int(a[3], env, 'flags')));
    case 'sendto': {
      const f = fd(a[0], env), flags = int(a[3], env, 'flags');
      const s = sockOf(env, f);
      // A `...` destination on a connected stream socket would make no difference to Linux; pass none then.
      const sa = s?.protocol === 'tcp' && !(flags & MSG_FASTOPEN) ? null : sockaddr(a[4], env, 'remote');
      noteDatagramPeer(s, sa, env);
      return none(await sys.sendto(f, buffer(a[1], int(a[2], env, 'len')) as Uint8Array, flags, sa));
    }
    case 'sendmsg':
      return sendmsg(a, sys, env);
    case 'recvmsg':
      return recvmsg(a, sys, env);
    case 'getsockopt':
      return getsockopt(a, sys, env);
    case 'setsockopt': {
      const len = a[4] === undefined || isEllipsis(a[4]) ? undefined : int(a[4], env, 'optlen');
      return none(await sys.setsockopt(fd(a[0], env), int(a[1], env, 'level'), int(a[2], env, 'optname'), optval(a[3], env), len));
    }
    case 'poll':
      return poll(a, sys, env);
    case 'ioctl': {
      // ioctl(fd, REQ, [N]): an int in/out argument whose value after the call the script states (`...` skips it).
      const out = { value: a[2] && a[2].kind === 'list' && a[2].items.length > 0 && !isEllipsis(a[2].items[0]) ? int(a[2], env, 'arg') : 0 };
      const ret = await sys.ioctl(fd(a[0], env), int(a[1], env, 'request'), out);
      const want = a[2];
      return {
        ret,
        post: ret < 0 || want === undefined || isEllipsis(want) || want.kind !== 'list' ? null : () => {
          const w = int(want, env, 'arg');
          return w === out.value ? null : `Bad ioctl value: expected: ${w} actual: ${out.value}`;
        },
      };
    }
    case 'sendfile': {
      // sendfile(out, in, [offset] | NULL, count): the offset pointer is read and advanced (sendfile(2)).
      const offE = a[2];
      const off = offE === undefined || isNull(offE) ? null : { value: int(offE, env, 'offset') };
      return none(await sys.sendfile(fd(a[0], env), fd(a[1], env), off, int(a[3], env, 'count')));
    }
    case 'epoll_create': {
      const ret = await sys.epoll_create(int(a[0], env, 'size'));
      mapFd(env, ev.result, ret);
      return none(ret);
    }
    case 'epoll_create1': {
      const ret = await sys.epoll_create1(int(a[0], env, 'flags'));
      mapFd(env, ev.result, ret);
      return none(ret);
    }
    case 'epoll_ctl': {
      const op = int(a[1], env, 'op');
      const event = op === EPOLL_CTL_DEL && (a[3] === undefined || isEllipsis(a[3])) ? null : epollEvent(a[3], env);
      return none(await sys.epoll_ctl(fd(a[0], env), op, fd(a[2], env), event));
    }
    case 'epoll_wait':
      return epollWait(a, sys, env);
    case 'pipe': {
      const out: number[] = [];
      const ret = await sys.pipe(out);
      const list = a[0];
      if (ret === 0 && list?.kind === 'list') list.items.forEach((item, i) => mapFd(env, item, out[i] ?? -1));
      return none(ret);
    }
    case 'open': {
      const path = a[0]?.kind === 'string' ? a[0].value : undefined;
      if (path === undefined) throw new ArgError('open() needs a path string');
      const ret = await sys.open(path, int(a[1], env, 'flags'));
      mapFd(env, ev.result, ret);
      return none(ret);
    }
    default:
      throw new ArgError(`Unknown system call: '${ev.name}'`);
  }
}

/** A datagram socket sending to an address learns its peer (its local port shows in its first packet). */
function noteDatagramPeer(s: ScriptSocket | undefined, sa: SockAddrArg | null, env: SyscallEnv): void {
  if (!s || s.protocol !== 'udp' || !sa) return;
  setEnd(s.remote, wireOf(sa, env.remoteWire), portOf(sa));
  if (s.local.port === 0) s.state = 'connecting';
}

function msgField(e: Expr | undefined, name: string): Expr | undefined {
  return e === undefined ? undefined : structField(e, name)?.value;
}

async function sendmsg(a: readonly Expr[], sys: Sys, env: SyscallEnv): Promise<{ ret: number; post: Post | null }> {
  const f = fd(a[0], env), s = sockOf(env, f);
  const nameE = msgField(a[1], 'msg_name');
  const name = s?.protocol === 'tcp' ? null : sockaddr(nameE, env, 'remote');
  noteDatagramPeer(s, name, env);
  const msg: MsgHdr = { name, iov: iovecs(msgField(a[1], 'msg_iov'), env) };
  return { ret: await sys.sendmsg(f, msg, int(a[2], env, 'flags')), post: null };
}

async function recvmsg(a: readonly Expr[], sys: Sys, env: SyscallEnv): Promise<{ ret: number; post: Post | null }> {
  const want = expectedCmsgs(msgField(a[1], 'msg_control'));
  const control = want ? new Uint8Array(1024) : null;
  const msg: MsgHdr = { name: null, iov: iovecs(msgField(a[1], 'msg_iov'), env), control, controllen: control?.length ?? 0 };
  const ret = await sys.recvmsg(fd(a[0], env), msg, int(a[2], env, 'flags'));
  const post: Post = () => {
    if (ret < 0) return null;
    const flagsE = msgField(a[1], 'msg_flags');
    if (flagsE && !isEllipsis(flagsE)) {
      const wf = int(flagsE, env, 'msg_flags');
      if ((msg.flags ?? 0) !== wf) return `Expected recvmsg msg_flags 0x${wf.toString(16)} but got 0x${(msg.flags ?? 0).toString(16)}`;
    }
    return want && control ? checkCmsgs(want, control, msg.controllen ?? 0, env) : null;
  };
  return { ret, post };
}

async function getsockopt(a: readonly Expr[], sys: Sys, env: SyscallEnv): Promise<{ ret: number; post: Post | null }> {
  const lenE = a[4];
  const wantLen = lenE === undefined || isEllipsis(lenE) ? undefined : int(lenE, env, 'optlen');
  const out: OptOut = { len: wantLen ?? 256 };
  const ret = await sys.getsockopt(fd(a[0], env), int(a[1], env, 'level'), int(a[2], env, 'optname'), out);
  const post: Post = () => {
    if (ret < 0) return null;
    if (wantLen !== undefined && out.len !== wantLen) return `Bad getsockopt optlen: expected: ${wantLen} actual: ${out.len}`;
    return checkOptval(a[3], out.value ?? new Uint8Array(0), env);
  };
  return { ret, post };
}

async function poll(a: readonly Expr[], sys: Sys, env: SyscallEnv): Promise<{ ret: number; post: Post | null }> {
  const list = a[0];
  if (list?.kind !== 'list') throw new ArgError(`poll() needs a pollfd list, got ${list ? formatExpr(list) : 'nothing'}`);
  const fds: PollFd[] = list.items.map((p) => ({ fd: fd(structField(p, 'fd')?.value, env), events: int(structField(p, 'events')?.value, env, 'events'), revents: 0 }));
  const ret = await sys.poll(fds, int(a[1], env, 'nfds'), int(a[2], env, 'timeout'));
  const post: Post = () => {
    for (let i = 0; i < list.items.length; i++) {
      const r = structField(list.items[i]!, 'revents')?.value;
      if (r === undefined || isEllipsis(r)) continue;
      const want = int(r, env, 'revents');
      if (fds[i]!.revents !== want) return `Expected revents of 0x${want.toString(16)} but got 0x${fds[i]!.revents.toString(16)} for fd ${i}`;
    }
    return null;
  };
  return { ret, post };
}

function epollEvent(e: Expr | undefined, env: SyscallEnv): EpollEvent {
  if (e === undefined || e.kind !== 'struct') throw new ArgError(`expected {events=..., fd=...}, got ${e ? formatExpr(e) : 'nothing'}`);
  const data = structField(e, 'fd') ?? structField(e, 'ptr') ?? structField(e, 'u32') ?? structField(e, 'u64');
  return { events: int(structField(e, 'events')?.value, env, 'events'), data: data ? int(data.value, env, 'data') : 0 };
}

async function epollWait(a: readonly Expr[], sys: Sys, env: SyscallEnv): Promise<{ ret: number; post: Post | null }> {
  const events: EpollEvent[] = [];
  const ret = await sys.epoll_wait(fd(a[0], env), events, int(a[2], env, 'maxevents'), int(a[3], env, 'timeout'));
  const wantE = a[1];
  const post: Post = () => {
    if (ret <= 0 || wantE === undefined || isEllipsis(wantE)) return null;
    const wants = wantE.kind === 'list' ? wantE.items : [wantE];
    for (let i = 0; i < Math.min(ret, wants.length); i++) {
      const w = epollEvent(wants[i], env), g = events[i]!;
      if ((g.events >>> 0) !== (w.events >>> 0)) return `epoll_wait: expected events 0x${(w.events >>> 0).toString(16)} but got 0x${(g.events >>> 0).toString(16)}`;
      if ((g.data ?? 0) !== w.data) return `epoll_wait: expected data ${w.data ?? 0} but got ${g.data ?? 0}`;
    }
    return null;
  };
  return { ret, post };
}
