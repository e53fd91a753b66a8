/**
 * The protocol-independent part of a socket: identity (domain, type, protocol), SOL_SOCKET state, and the operation
 * table each protocol overrides. Operations return a value or a negative errno; -EAGAIN means "would block", and
 * the syscall layer then blocks (in virtual time) unless the call is non-blocking, like Linux's sk_wait_event loops.
 * An operation a protocol does not support returns what Linux's sock_no_* stubs return (EOPNOTSUPP).
 */
import { FileObject } from './file.js';
import { Errno } from './errno.js';
import type { Host } from './host.js';

/** A received message. */
export interface RecvResult {
  /** The bytes copied out (at most the requested length). */
  data: Uint8Array;
  /** The length recvmsg returns: data.length, or the full datagram length with MSG_TRUNC in the flags argument. */
  ret: number;
  /** Source address bytes (datagram sockets), or null. */
  from: Uint8Array | null;
  /** msg_flags: MSG_TRUNC, MSG_CTRUNC, MSG_EOR, MSG_OOB… */
  msgFlags: number;
}

/** Linux's net.core.rmem_default / wmem_default. */
export const RMEM_DEFAULT = 212992, WMEM_DEFAULT = 212992;

/** Base class of every socket. */
export abstract class Socket extends FileObject {
  readonly kind = 'socket' as const;
  /** Pending asynchronous error (SO_ERROR), cleared when read. */
  soError = 0;
  /** SO_RCVTIMEO / SO_SNDTIMEO in ns; 0 = wait forever (socket(7)). */
  rcvTimeoNs = 0;
  sndTimeoNs = 0;
  reuseAddr = false;
  reusePort = false;
  broadcast = false;
  keepalive = false;
  /** SO_RCVBUF / SO_SNDBUF as the kernel stores them (doubled from what setsockopt was given). */
  rcvbuf = RMEM_DEFAULT;
  sndbuf = WMEM_DEFAULT;
  /** Set once the last fd is closed. */
  closed = false;

  constructor(
    readonly host: Host,
    readonly domain: number,
    readonly type: number,
    readonly protocol: number,
  ) {
    super();
  }

  /** bind(2) with raw sockaddr bytes. */
  bind(_addr: Uint8Array): number {
    return -Errno.EOPNOTSUPP;
  }

  /** connect(2): 0, -EINPROGRESS (non-blocking stream), -EAGAIN (block and call `connectWait`), or -errno. */
  connect(_addr: Uint8Array, _nonblocking: boolean): number {
    return -Errno.EOPNOTSUPP;
  }

  /** After connect returned -EAGAIN: 0 once connected, -EAGAIN while in progress, or the failure's -errno. */
  connectResult(): number {
    return -Errno.EOPNOTSUPP;
  }

  /** sendmsg(2) of one buffer; returns bytes accepted or -errno. */
  sendmsg(_data: Uint8Array, _flags: number, _dest: Uint8Array | null): number {
    return -Errno.EOPNOTSUPP;
  }

  /** recvmsg(2) of up to len bytes. */
  recvmsg(_len: number, _flags: number): RecvResult | number {
    return -Errno.EOPNOTSUPP;
  }

  /** listen(2). */
  listen(_backlog: number): number {
    return -Errno.EOPNOTSUPP;
  }

  /** accept(2): a new connected socket, or -errno (-EAGAIN to block). */
  accept(): Socket | number {
    return -Errno.EOPNOTSUPP;
  }

  /** shutdown(2). */
  shutdown(_how: number): number {
    return -Errno.EOPNOTSUPP;
  }

  /**
   * setsockopt(2) at a protocol level (IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP…) with the raw option
   * bytes; SOL_SOCKET is handled by the socket layer, which then calls `solSocketChanged`. Linux answers an option
   * it does not know with ENOPROTOOPT.
   */
  setProtoOpt(_level: number, _name: number, _value: Uint8Array): number {
    return -Errno.ENOPROTOOPT;
  }

  /** getsockopt(2) at a protocol level: the option's bytes (before truncation to optlen), or -errno. */
  getProtoOpt(_level: number, _name: number): Uint8Array | number {
    return -Errno.ENOPROTOOPT;
  }

  /** Told after a SOL_SOCKET option changed (SO_RCVBUF, SO_KEEPALIVE, SO_LINGER…) so protocols can react. */
  solSocketChanged(_name: number): void {}

  /** getsockname(2): the local address bytes. */
  abstract localName(): Uint8Array;

  /** getpeername(2): the peer's address bytes, or -ENOTCONN. */
  peerName(): Uint8Array | number {
    return -Errno.ENOTCONN;
  }

  /** Reads and clears SO_ERROR (sock_error()). */
  takeError(): number {
    const e = this.soError;
    this.soError = 0;
    return e;
  }
}
