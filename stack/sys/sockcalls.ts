/**
 * Socket lifecycle calls: socket, socketpair, bind, listen, accept, accept4, connect, shutdown, getsockname,
 * getpeername (socket(2), socketpair(2), bind(2), listen(2), accept(2), connect(2), shutdown(2)). Checks shared by
 * every family happen here in the order __sys_* does them; the rest is the protocol's op table.
 */
import { AF_INET, SHUT_RDWR, SHUT_RD, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_STREAM, SOCK_TYPE_MASK, SOMAXCONN } from '../constants.js';
import { Errno } from '../errno.js';
import type { Host } from '../host.js';
import type { Socket } from '../socket.js';
import { decodeSockaddr, sockaddrArgBytes, type SockAddr, type SockAddrArg } from '../sockaddr.js';
import { addrArg, intArg } from './base.js';
import { SysFd } from './fdcalls.js';

/** An out-parameter for calls that return an address (recvfrom, accept, getsockname, getpeername). */
export interface AddrOut {
  addr: SockAddr | null;
  /** Set to the address's full length in bytes (the value-result addrlen), when the call fills addr. */
  len?: number;
}

/** Result of a family's socket constructor: a socket, or a negative errno. */
export type SocketFactory = (host: Host, type: number, protocol: number) => Socket | number;

/** NPROTO: address families are below it (linux/net.h). */
const NPROTO = 46;

/** Socket lifecycle calls. */
export class SysSock extends SysFd {
  /** socket(2). */
  async socket(domain: number, type: number, protocol: number): Promise<number> {
    const r = this.create(domain, type, protocol);
    return this.done('socket', [domain, type, protocol], typeof r === 'number' ? r : this.install(r, type));
  }

  /** Creates a socket object as __sys_socket/sock_create do, or returns -errno. */
  protected create(domain: number, type: number, protocol: number): Socket | number {
    if (intArg(domain) === null || intArg(type) === null || intArg(protocol) === null) return -Errno.EINVAL;
    // __sys_socket: unknown flag bits are EINVAL before anything else.
    if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC)) return -Errno.EINVAL;
    if (domain < 0 || domain >= NPROTO) return -Errno.EAFNOSUPPORT;
    if (this.host.profile.deviations.socketIgnoresDomainType) {
      // Deviation profile "socket-ignores-domain-type": every socket is an IPv4 TCP socket.
      [domain, type, protocol] = [AF_INET, SOCK_STREAM, 0];
    }
    const factory = this.host.socketFactories.get(domain);
    if (!factory) return -Errno.EAFNOSUPPORT;
    return factory(this.host, type & SOCK_TYPE_MASK, protocol);
  }

  /** socketpair(2): fills sv[0] and sv[1]. */
  async socketpair(domain: number, type: number, protocol: number, sv: number[]): Promise<number> {
    const args = [domain, type, protocol];
    const a = this.create(domain, type, protocol);
    if (typeof a === 'number') return this.done('socketpair', args, a);
    const b = this.create(domain, type, protocol) as Socket;
    a.callerCred = this.cred();
    const r = a.socketpair(b);
    if (r < 0 || !Array.isArray(sv)) {
      for (const s of [a, b]) this.discard(s);
      return this.done('socketpair', args, r < 0 ? r : -Errno.EFAULT);
    }
    const fa = this.install(a, type);
    if (fa < 0) {
      this.discard(b);
      return this.done('socketpair', args, fa);
    }
    const fb = this.install(b, type);
    if (fb < 0) {
      this.fds.close(fa);
      return this.done('socketpair', args, fb);
    }
    sv[0] = fa;
    sv[1] = fb;
    return this.done('socketpair', [...args, fa, fb], 0);
  }

  /** Releases a socket that never got an fd. */
  private discard(s: Socket): void {
    if (s.openCount === 0) s.release();
  }

  /** bind(2). */
  async bind(fd: number, addr: SockAddrArg): Promise<number> {
    return this.done('bind', [fd, addrArg(addr)], this.withSock(fd, (s) => {
      const b = sockaddrArgBytes(addr);
      return typeof b === 'number' ? b : s.bind(b);
    }));
  }

  /** listen(2): a backlog above net.core.somaxconn (or negative, as an unsigned) is clamped to it. */
  async listen(fd: number, backlog: number): Promise<number> {
    return this.done('listen', [fd, backlog], this.withSock(fd, (s) => {
      const b = intArg(backlog);
      if (b === null) return -Errno.EINVAL;
      s.callerCred = this.cred();
      return s.listen(b < 0 || b > SOMAXCONN ? SOMAXCONN : b);
    }));
  }

  /** accept(2): blocks (SO_RCVTIMEO applies) until a connection is queued. */
  async accept(fd: number, out?: AddrOut | null): Promise<number> {
    return this.acceptImpl('accept', fd, out ?? null, 0);
  }

  /** accept4(2): flags SOCK_NONBLOCK and SOCK_CLOEXEC apply to the new fd; other bits are EINVAL. */
  async accept4(fd: number, out: AddrOut | null, flags: number): Promise<number> {
    return this.acceptImpl('accept4', fd, out, flags);
  }

  private async acceptImpl(call: string, fd: number, out: AddrOut | null, flags: number): Promise<number> {
    const args = call === 'accept' ? [fd] : [fd, flags];
    if (intArg(flags) === null || flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return this.done(call, args, -Errno.EINVAL);
    const so = this.sock(fd);
    if (typeof so === 'number') return this.done(call, args, so);
    // __sys_accept4 reserves the new fd before dequeuing: with none free the connection stays queued.
    if (!this.fds.hasFree()) return this.done(call, args, -Errno.EMFILE);
    const r = await this.blockingLoop(so.file, false, so.sock.rcvTimeoNs, `${call} fd ${fd}`, () => so.sock.accept());
    if (typeof r === 'number') return this.done(call, args, r);
    const nfd = this.install(r, flags);
    if (nfd >= 0 && out && typeof out === 'object') this.fillAddr(out, r.peerName());
    return this.done(call, args, nfd);
  }

  /** Stores address bytes into an AddrOut. */
  protected fillAddr(out: AddrOut, b: Uint8Array | number): void {
    if (typeof b === 'number') {
      out.addr = null;
      out.len = 0;
      return;
    }
    out.addr = decodeSockaddr(b);
    out.len = b.length;
  }

  /** connect(2). Blocking stream connects wait for the handshake (or, on AF_UNIX, for backlog room). */
  async connect(fd: number, addr: SockAddrArg): Promise<number> {
    const args = [fd, addrArg(addr)];
    const so = this.sock(fd);
    if (typeof so === 'number') return this.done('connect', args, so);
    const b = sockaddrArgBytes(addr);
    if (typeof b === 'number') return this.done('connect', args, b);
    so.sock.callerCred = this.cred();
    const r = so.sock.connect(b, so.file.nonblocking);
    if (r !== -Errno.EAGAIN || so.file.nonblocking) return this.done('connect', args, r);
    const w = await this.blockingLoop(so.file, false, so.sock.sndTimeoNs, `connect fd ${fd}`, () => so.sock.connectResult());
    return this.done('connect', args, w === -Errno.EAGAIN ? -so.sock.connectTimeoutErrno() : w);
  }

  /** shutdown(2): how must be SHUT_RD, SHUT_WR or SHUT_RDWR (EINVAL otherwise). */
  async shutdown(fd: number, how: number): Promise<number> {
    return this.done('shutdown', [fd, how], this.withSock(fd, (s) => {
      if (intArg(how) === null || how < SHUT_RD || how > SHUT_RDWR) return -Errno.EINVAL;
      return s.shutdown(how);
    }));
  }

  /** getsockname(2). */
  async getsockname(fd: number, out: AddrOut): Promise<number> {
    return this.done('getsockname', [fd], this.withSock(fd, (s) => {
      if (typeof out !== 'object' || out === null) return -Errno.EFAULT;
      this.fillAddr(out, s.localName());
      return 0;
    }));
  }

  /** getpeername(2). */
  async getpeername(fd: number, out: AddrOut): Promise<number> {
    return this.done('getpeername', [fd], this.withSock(fd, (s) => {
      if (typeof out !== 'object' || out === null) return -Errno.EFAULT;
      const p = s.peerName();
      if (typeof p === 'number') return p;
      this.fillAddr(out, p);
      return 0;
    }));
  }
}
