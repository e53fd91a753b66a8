/**
 * The syscall interface a simulated process gets: the BSD socket API with Linux semantics. Every call returns a
 * number like its C counterpart (-1 on failure with `errno` set), never throws for bad arguments, and is recorded
 * with its arguments and result. Blocking calls park the process in virtual time.
 */
import type { Process } from '../sim/process.js';
import {
  MSG_DONTWAIT, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_TYPE_MASK, O_NONBLOCK, O_RDWR,
} from './constants.js';
import { Errno } from './errno.js';
import { EV_SYSCALL } from './events.js';
import type { FdTable } from './fd.js';
import { OpenFile } from './file.js';
import type { Host } from './host.js';
import { Socket } from './socket.js';
import { decodeSockaddr, formatSockaddr, sockaddrBytes, type SockAddr, type SockAddrArg } from './sockaddr.js';

/** An out-parameter for calls that return an address (recvfrom, accept, getsockname, getpeername). */
export interface AddrOut {
  addr: SockAddr | null;
}

/** Result of `createSocket`: a socket, or a negative errno. */
export type SocketFactory = (host: Host, type: number, protocol: number) => Socket | number;

/** Short, recordable description of a buffer argument: its length. */
function bufArg(b: unknown): unknown {
  return b instanceof Uint8Array ? b.length : null;
}

function addrArg(a: unknown): unknown {
  if (a === null || a === undefined) return null;
  if (a instanceof Uint8Array) return a;
  return formatSockaddr(a as SockAddr);
}

/** The socket API of one process. */
export class Sys {
  /** The errno of the last failed call (C semantics: untouched by successful calls). */
  errno = 0;

  constructor(
    readonly host: Host,
    readonly proc: Process,
    readonly fds: FdTable,
  ) {}

  /** Current virtual time in ns. */
  get now(): number {
    return this.host.sim.now;
  }

  /** This process's id. */
  get pid(): number {
    return this.proc.pid;
  }

  /** Sleeps for ns of virtual time. */
  async sleep(ns: number): Promise<void> {
    await this.proc.block([], this.host.sim.now + Math.max(0, Math.round(ns)), 'sleep');
  }

  /** Records a finished call and converts a negative errno into -1 + errno. */
  protected done(call: string, args: unknown[], r: number): number {
    let ret = r;
    let err = 0;
    if (r < 0) {
      err = -r;
      ret = -1;
      this.errno = err;
    }
    const sim = this.host.sim;
    if (sim.sink) sim.sink.push([EV_SYSCALL, sim.now, this.proc.pid, call, args, ret, err]);
    return ret;
  }

  /** The open file of fd, or a negative errno (EBADF). */
  protected file(fd: unknown): OpenFile | number {
    if (typeof fd !== 'number') return -Errno.EBADF;
    const e = this.fds.get(fd);
    return e ? e.file : -Errno.EBADF;
  }

  /** The socket of fd, or -EBADF / -ENOTSOCK. */
  protected sock(fd: unknown): { file: OpenFile; sock: Socket } | number {
    const f = this.file(fd);
    if (typeof f === 'number') return f;
    if (!(f.obj instanceof Socket)) return -Errno.ENOTSOCK;
    return { file: f, sock: f.obj };
  }

  /**
   * Retries `attempt` until it stops returning -EAGAIN, blocking on the object's wait queue in between, unless the
   * call is non-blocking. A timeout (SO_RCVTIMEO/SO_SNDTIMEO, socket(7)) ends the wait with EAGAIN.
   */
  protected async blockingLoop<T>(file: OpenFile, nonblock: boolean, timeoutNs: number, what: string,
    attempt: () => T | number): Promise<T | number> {
    const deadline = timeoutNs > 0 ? this.host.sim.now + timeoutNs : null;
    for (;;) {
      const r = attempt();
      if (r !== -Errno.EAGAIN) return r;
      if (nonblock || file.nonblocking) return -Errno.EAGAIN;
      const why = await this.proc.block([file.obj.wq], deadline, what);
      if (why === 'timeout') return -Errno.EAGAIN;
    }
  }

  /** Installs a new open file for obj; returns the fd or -EMFILE. */
  protected install(obj: Socket, flags: number): number {
    const file = new OpenFile(obj, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0));
    const fd = this.fds.alloc(file, (flags & SOCK_CLOEXEC) !== 0);
    if (fd < 0 && file.refs === 0) {
      obj.openCount--;
      obj.release();
    }
    return fd;
  }

  /** socket(2). */
  async socket(domain: number, type: number, protocol: number): Promise<number> {
    return this.done('socket', [domain, type, protocol], this.socketImpl(domain, type, protocol));
  }

  private socketImpl(domain: number, type: number, protocol: number): number {
    if (!Number.isInteger(domain) || !Number.isInteger(type) || !Number.isInteger(protocol)) return -Errno.EINVAL;
    // __sys_socket: unknown flag bits are EINVAL before anything else.
    if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) return -Errno.EINVAL;
    const base = type & SOCK_TYPE_MASK;
    if (domain < 0 || domain >= 46) return -Errno.EAFNOSUPPORT; // NPROTO
    const factory = this.host.socketFactories.get(domain);
    if (!factory) return -Errno.EAFNOSUPPORT;
    const s = factory(this.host, base, protocol);
    if (typeof s === 'number') return s;
    return this.install(s, type);
  }

  /** bind(2). */
  async bind(fd: number, addr: SockAddrArg): Promise<number> {
    return this.done('bind', [fd, addrArg(addr)], this.withSock(fd, (s) => s.bind(sockaddrBytes(addr))));
  }

  /** connect(2). Blocking stream connects wait for the handshake. */
  async connect(fd: number, addr: SockAddrArg): Promise<number> {
    const args = [fd, addrArg(addr)];
    const so = this.sock(fd);
    if (typeof so === 'number') return this.done('connect', args, so);
    const r = so.sock.connect(sockaddrBytes(addr), so.file.nonblocking);
    if (r !== -Errno.EAGAIN) return this.done('connect', args, r);
    const w = await this.blockingLoop(so.file, false, so.sock.sndTimeoNs, `connect fd ${fd}`, () => so.sock.connectResult());
    return this.done('connect', args, w === -Errno.EAGAIN ? -Errno.EINPROGRESS : (w as number));
  }

  /** sendto(2); `addr` null or omitted sends to the connected peer. */
  async sendto(fd: number, buf: Uint8Array, flags: number, addr?: SockAddrArg | null): Promise<number> {
    return this.sendImpl('sendto', fd, buf, flags, addr ?? null);
  }

  /** send(2). */
  async send(fd: number, buf: Uint8Array, flags = 0): Promise<number> {
    return this.sendImpl('send', fd, buf, flags, null);
  }

  private async sendImpl(call: string, fd: number, buf: Uint8Array, flags: number, addr: SockAddrArg | null): Promise<number> {
    const args = call === 'send' ? [fd, bufArg(buf), flags] : [fd, bufArg(buf), flags, addrArg(addr)];
    const so = this.sock(fd);
    if (typeof so === 'number') return this.done(call, args, so);
    if (!(buf instanceof Uint8Array)) return this.done(call, args, -Errno.EFAULT);
    const dest = addr === null ? null : sockaddrBytes(addr);
    const r = await this.blockingLoop(so.file, (flags & MSG_DONTWAIT) !== 0, so.sock.sndTimeoNs, `${call} fd ${fd}`,
      () => so.sock.sendmsg(buf, flags, dest));
    return this.done(call, args, r as number);
  }

  /** recvfrom(2): fills buf, stores the source in from.addr when given. */
  async recvfrom(fd: number, buf: Uint8Array, flags: number, from?: AddrOut | null): Promise<number> {
    return this.recvImpl('recvfrom', fd, buf, flags, from ?? null);
  }

  /** recv(2). */
  async recv(fd: number, buf: Uint8Array, flags = 0): Promise<number> {
    return this.recvImpl('recv', fd, buf, flags, null);
  }

  private async recvImpl(call: string, fd: number, buf: Uint8Array, flags: number, from: AddrOut | null): Promise<number> {
    const args = [fd, bufArg(buf), flags];
    const so = this.sock(fd);
    if (typeof so === 'number') return this.done(call, args, so);
    if (!(buf instanceof Uint8Array)) return this.done(call, args, -Errno.EFAULT);
    const r = await this.blockingLoop(so.file, (flags & MSG_DONTWAIT) !== 0, so.sock.rcvTimeoNs, `${call} fd ${fd}`,
      () => so.sock.recvmsg(buf.length, flags));
    if (typeof r === 'number') return this.done(call, args, r);
    buf.set(r.data);
    if (from) from.addr = r.from ? decodeSockaddr(r.from) : null;
    return this.done(call, [...args, r.from ? formatSockaddr(decodeSockaddr(r.from)) : null], r.ret);
  }

  /** close(2). */
  async close(fd: number): Promise<number> {
    return this.done('close', [fd], typeof fd === 'number' ? this.fds.close(fd) : -Errno.EBADF);
  }

  /** getsockname(2). */
  async getsockname(fd: number, out: AddrOut): Promise<number> {
    return this.done('getsockname', [fd], this.withSock(fd, (s) => {
      out.addr = decodeSockaddr(s.localName());
      return 0;
    }));
  }

  /** getpeername(2). */
  async getpeername(fd: number, out: AddrOut): Promise<number> {
    return this.done('getpeername', [fd], this.withSock(fd, (s) => {
      const p = s.peerName();
      if (typeof p === 'number') return p;
      out.addr = decodeSockaddr(p);
      return 0;
    }));
  }

  /** Runs op on fd's socket, or returns -EBADF/-ENOTSOCK. */
  protected withSock(fd: number, op: (s: Socket) => number): number {
    const so = this.sock(fd);
    return typeof so === 'number' ? so : op(so.sock);
  }
}
