/**
 * The seed-002 OS's native socket calls (a handle-based, path-named IPC API: sys_socket_create, _bind, _listen,
 * _connect, _accept, sys_socketpair, _shutdown, _sendto, _recvfrom) as a thin façade over the same AF_UNIX and UDP
 * machinery as the BSD API. Handles are small integers of their own (1, 2, 3… per process, never reused while
 * open), not fds; each maps to an fd of the process underneath, so every call is still recorded as the syscall it
 * becomes. Errors follow the C convention of the rest of socksim: -1 with `errno` set.
 */
import { AF_INET, AF_UNIX, SHUT_RD, SHUT_RDWR, SHUT_WR, SOCK_DGRAM, SOCK_STREAM } from './constants.js';
import { Errno } from './errno.js';
import { inet, unix, type SockAddr } from './sockaddr.js';
import type { AddrOut, Sys } from './sys.js';

/** What a handle is: a local (AF_UNIX) stream or datagram socket, or a UDP socket. */
export type NativeKind = 'stream' | 'dgram' | 'udp';

/** A datagram's source as sys_socket_recvfrom reports it: a path, an "a.b.c.d:port", or null (unnamed). */
export interface NativeRecv {
  n: number;
  from: string | null;
}

/** Shutdown directions of sys_socket_shutdown. */
export const NATIVE_SHUT = { read: SHUT_RD, write: SHUT_WR, both: SHUT_RDWR } as const;

/** The native API of one process. */
export class NativeSockets {
  private readonly handles = new Map<number, number>();
  private nextHandle = 1;

  constructor(readonly sys: Sys) {}

  /** errno of the last failed call. */
  get errno(): number {
    return this.sys.errno;
  }

  private fail(e: number): number {
    this.sys.errno = e;
    return -1;
  }

  private add(fd: number): number {
    if (fd < 0) return -1;
    const h = this.nextHandle++;
    this.handles.set(h, fd);
    return h;
  }

  private fd(h: number): number | null {
    return this.handles.get(h) ?? null;
  }

  /** sys_socket_create: a new socket handle (a local stream socket unless told otherwise). */
  async sys_socket_create(kind: NativeKind = 'stream'): Promise<number> {
    const [dom, type] = kind === 'udp' ? [AF_INET, SOCK_DGRAM] : [AF_UNIX, kind === 'dgram' ? SOCK_DGRAM : SOCK_STREAM];
    return this.add(await this.sys.socket(dom, type, 0));
  }

  /** sys_socket_bind: names a handle with a path (or, for UDP, "a.b.c.d:port"). */
  async sys_socket_bind(h: number, name: string): Promise<number> {
    const fd = this.fd(h);
    if (fd === null) return this.fail(Errno.EBADF);
    const a = this.address(name);
    return a ? this.sys.bind(fd, a) : this.fail(Errno.EINVAL);
  }

  /** sys_socket_listen. */
  async sys_socket_listen(h: number, backlog: number): Promise<number> {
    const fd = this.fd(h);
    return fd === null ? this.fail(Errno.EBADF) : this.sys.listen(fd, backlog);
  }

  /** sys_socket_connect: to a named socket. */
  async sys_socket_connect(h: number, name: string): Promise<number> {
    const fd = this.fd(h);
    if (fd === null) return this.fail(Errno.EBADF);
    const a = this.address(name);
    return a ? this.sys.connect(fd, a) : this.fail(Errno.EINVAL);
  }

  /** sys_socket_accept: a new handle for the next connection. */
  async sys_socket_accept(h: number): Promise<number> {
    const fd = this.fd(h);
    return fd === null ? this.fail(Errno.EBADF) : this.add(await this.sys.accept(fd));
  }

  /** sys_socketpair: two connected handles, or -1. */
  async sys_socketpair(kind: Exclude<NativeKind, 'udp'> = 'stream'): Promise<[number, number] | -1> {
    const sv: number[] = [];
    if ((await this.sys.socketpair(AF_UNIX, kind === 'dgram' ? SOCK_DGRAM : SOCK_STREAM, 0, sv)) < 0) return -1;
    return [this.add(sv[0]!), this.add(sv[1]!)];
  }

  /** sys_socket_shutdown: 'read', 'write' or 'both'. */
  async sys_socket_shutdown(h: number, how: keyof typeof NATIVE_SHUT): Promise<number> {
    const fd = this.fd(h);
    if (fd === null) return this.fail(Errno.EBADF);
    const m = NATIVE_SHUT[how];
    return m === undefined ? this.fail(Errno.EINVAL) : this.sys.shutdown(fd, m);
  }

  /** sys_socket_sendto: a datagram to a named socket (null: the connected peer); also sends on streams. */
  async sys_socket_sendto(h: number, data: Uint8Array, to: string | null): Promise<number> {
    const fd = this.fd(h);
    if (fd === null) return this.fail(Errno.EBADF);
    if (to === null) return this.sys.send(fd, data, 0);
    const a = this.address(to);
    return a ? this.sys.sendto(fd, data, 0, a) : this.fail(Errno.EINVAL);
  }

  /** sys_socket_recvfrom: fills buf; reports the sender's name. */
  async sys_socket_recvfrom(h: number, buf: Uint8Array): Promise<NativeRecv | -1> {
    const fd = this.fd(h);
    if (fd === null) return this.fail(Errno.EBADF) as -1;
    const out: AddrOut = { addr: null };
    const n = await this.sys.recvfrom(fd, buf, 0, out);
    if (n < 0) return -1;
    return { n, from: nameOf(out.addr) };
  }

  /** Closes a handle (and the fd under it). */
  async sys_handle_close(h: number): Promise<number> {
    const fd = this.fd(h);
    if (fd === null) return this.fail(Errno.EBADF);
    this.handles.delete(h);
    return this.sys.close(fd);
  }

  /** The fd under a handle (for mixing with the BSD API), or null. */
  fdOf(h: number): number | null {
    return this.fd(h);
  }

  /** A path names an AF_UNIX socket; "a.b.c.d:port" a UDP one. */
  private address(name: string): SockAddr | null {
    if (typeof name !== 'string' || name.length === 0) return null;
    const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(name);
    return m ? inet(m[1]!, Number(m[2])) : unix(name);
  }
}

function nameOf(a: SockAddr | null): string | null {
  if (!a) return null;
  if ('path' in a) return a.path === '' ? null : a.path;
  if ('port' in a) return `${a.addr}:${a.port}`;
  return null;
}
