/**
 * The protocol-independent part of a socket: identity (domain, type, protocol), SOL_SOCKET state, and the operation
 * table each protocol overrides. Operations return a value or a negative errno; -EAGAIN means "would block", and
 * the syscall layer then blocks (in virtual time) unless the call is non-blocking, like Linux's sk_wait_event loops.
 * An operation a protocol does not support returns what Linux's sock_no_* stubs return (EOPNOTSUPP).
 */
import { FileObject, type OpenFile } from './file.js';
import { Errno } from './errno.js';
import type { Host } from './host.js';
import { AF_INET, AF_INET6, IPPROTO_IP, IPPROTO_IPV6, SOCK_STREAM } from './constants.js';
import { checkSendCmsgs } from './cmsg.js';

/** One control message (struct cmsghdr and its data). */
export interface Cmsg {
  level: number;
  type: number;
  data: Uint8Array;
}

/** struct ucred (SCM_CREDENTIALS, SO_PEERCRED). */
export interface Ucred {
  pid: number;
  uid: number;
  gid: number;
}

/** Ancillary data of a send, parsed by the syscall layer (__scm_send): fds resolved to open files. */
export interface SendControl {
  /** Control messages other than SCM_RIGHTS and SCM_CREDENTIALS, in order (IP_TTL, IP_TOS…). */
  cmsgs: Cmsg[];
  /** SCM_RIGHTS: the open files to pass (each holds a reference the receiver takes over), or null. */
  files: OpenFile[] | null;
  /** SCM_CREDENTIALS as given by the sender (already checked against its identity), or null. */
  creds: Ucred | null;
}

/** Everything sendmsg(2) hands a protocol. */
export interface SendArgs {
  /** The bytes of the gathered iovecs. */
  data: Uint8Array;
  /** msg_name bytes, or null. */
  dest: Uint8Array | null;
  flags: number;
  /** Parsed control messages, or null when msg_controllen was 0. */
  control: SendControl | null;
  /** The sending process's credentials (what SO_PASSCRED reports when no SCM_CREDENTIALS was sent). */
  sender: Ucred;
}

/** Ancillary data a receive produces, before the syscall layer lays it out in msg_control. */
export interface RecvControl {
  /** Control messages that come before the credentials (an AF_UNIX message's timestamp). */
  early?: Cmsg[];
  /** SCM_CREDENTIALS (SO_PASSCRED set), first after `early`, as scm_recv puts it. */
  creds?: Ucred;
  /** SCM_RIGHTS files; the receiver installs them or drops their references. */
  files?: OpenFile[];
  /** Other control messages (IP_TTL, IP_PKTINFO…), after the credentials. */
  cmsgs?: Cmsg[];
}

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
  /** Ancillary data, when the message carries any. */
  control?: RecvControl;
}

/** Linux's net.core.rmem_default / wmem_default. */
export const RMEM_DEFAULT = 212992, WMEM_DEFAULT = 212992;

/** A wait the last close(2) makes before returning (see Socket.closeWait). */
export interface CloseWait {
  deadline: number;
  settled(): boolean;
  finish(): void;
}

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
  /** SOL_SOCKET flags and values read back by getsockopt (socket(7)); see stack/sockopt.ts. */
  debug = false;
  dontroute = false;
  oobinline = false;
  passcred = false;
  /** SO_TIMESTAMP / SO_TIMESTAMPNS (sock_set_timestamp): stamps wanted, and in nanoseconds (SCM_TIMESTAMPNS). */
  timestamp = false;
  timestampNs = false;
  noCheck = false;
  rxqOvfl = false;
  zerocopy = false;
  priority = 0;
  mark = 0;
  busyPoll = 0;
  /** SO_RCVLOWAT (1 by default). */
  rcvlowat = 1;
  /** SO_LINGER: whether set and the time in seconds (stored as jiffies by Linux; read back in seconds). */
  linger = { onoff: false, secs: 0 };
  /** SO_BINDTODEVICE: the interface index, 0 for none. */
  boundDevice = 0;
  /** SO_PEERCRED: the peer's credentials captured at connect/listen time, or null. */
  peerCred: Ucred | null = null;
  /** Credentials of the process making the current call (set by the syscall layer before connect/listen/socketpair). */
  callerCred: Ucred | null = null;

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

  /**
   * sendmsg(2) with control messages. The default serves protocols that take no ancillary data themselves: the
   * messages are checked as __sock_cmsg_send/ip_cmsg_send would (stack/cmsg.ts checkSendCmsgs), then the data goes
   * through `sendmsg`.
   */
  sendmsgEx(a: SendArgs): number {
    if (a.control && (a.control.files || a.control.creds)) return -Errno.EINVAL;
    if (a.control && a.control.cmsgs.length > 0) {
      // Only datagram sends read IP-level messages (ip_cmsg_send); tcp_sendmsg looks at SOL_SOCKET alone.
      const dgram = this.type !== SOCK_STREAM;
      const ipLevel = !dgram ? -1 : this.domain === AF_INET ? IPPROTO_IP : this.domain === AF_INET6 ? IPPROTO_IPV6 : -1;
      const e = checkSendCmsgs(a.control.cmsgs, ipLevel);
      if (e < 0) return e;
    }
    return this.sendmsg(a.data, a.flags, a.dest);
  }

  /** recvmsg(MSG_ERRQUEUE) (ip_recv_error): the oldest queued error, or -EAGAIN — which it is unless overridden. */
  recvErrQueue(_len: number): RecvResult | number {
    return -Errno.EAGAIN;
  }

  /**
   * recvmsg(2) that may return ancillary data; `controlLen` is msg_controllen. Defaults to `recvmsg`. `_into` is the
   * caller's buffer (at least `len` bytes): a byte stream may copy the bytes straight into it, from its start, and
   * return a view of it as `data`, saving a buffer and a copy; other sockets ignore it.
   */
  recvmsgEx(len: number, flags: number, _controlLen: number, _into?: Uint8Array): RecvResult | number {
    return this.recvmsg(len, flags);
  }

  /**
   * Whether a blocking receive that finds nothing ends at once with 0 instead of waiting: AF_UNIX datagram sockets
   * after SHUT_RD (__skb_wait_for_more_packets). A non-blocking one still gets EAGAIN.
   */
  blockingRecvEnds(): boolean {
    return false;
  }

  /** Whether a send that fails with EPIPE raises SIGPIPE (stream sockets do: sk_stream_error, unix_stream_sendmsg). */
  pipeSignals(): boolean {
    return this.type === SOCK_STREAM;
  }

  /** Whether sends may be partial and continue (a byte stream), rather than all-or-nothing messages. */
  get byteStream(): boolean {
    return this.type === SOCK_STREAM;
  }

  /** SO_ACCEPTCONN: whether the socket is listening. */
  isListening(): boolean {
    return false;
  }

  /** SO_PEEK_OFF: protocols that support it (AF_UNIX) override; others answer EOPNOTSUPP as Linux does. */
  setPeekOff(_val: number): number {
    return -Errno.EOPNOTSUPP;
  }

  /** SO_PEEK_OFF read-back (-1: disabled), or null when the protocol has no peek offset (EOPNOTSUPP). */
  getPeekOff(): number | null {
    return null;
  }

  /** Bytes queued for reading (FIONREAD / SIOCINQ), or -errno (EINVAL on a listener). */
  inq(): number {
    return 0;
  }

  /** The errno a blocking connect gives when SO_SNDTIMEO expires first: EINPROGRESS for TCP (inet_stream_connect). */
  connectTimeoutErrno(): number {
    return Errno.EINPROGRESS;
  }

  /** socketpair(2): connects this new socket with `other` (same family and type); sock_no_socketpair otherwise. */
  socketpair(_other: Socket): number {
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

  /**
   * What the last close(2) must still wait for after release (TCP's SO_LINGER with a timeout), or null: wait on
   * `wq` until `settled()` or the virtual time `deadline`, then call `finish()`.
   */
  closeWait(): CloseWait | null {
    return null;
  }

  /** Told after a SOL_SOCKET option changed (SO_RCVBUF, SO_KEEPALIVE, SO_LINGER…) so protocols can react. */
  solSocketChanged(_name: number): void {}

  /** sk_destruct → sock_disable_timestamp(): the host no longer stamps packets for this socket. */
  override beforeRelease(): void {
    this.host.netstampSockets.delete(this);
  }

  /** getsockname(2): the local address bytes. */
  abstract localName(): Uint8Array;

  /** getpeername(2): the peer's address bytes, or -ENOTCONN. */
  peerName(): Uint8Array | number {
    return -Errno.ENOTCONN;
  }

  override read(_file: OpenFile, len: number): Uint8Array | number {
    // sock_read_iter: read(2) is recvmsg with no flags; a zero-length read returns 0 at once.
    if (len === 0) return new Uint8Array(0);
    const r = this.recvmsg(len, 0);
    return typeof r === 'number' ? r : r.data;
  }

  override write(_file: OpenFile, data: Uint8Array): number {
    return this.sendmsg(data, 0, null);
  }

  /** Reads and clears SO_ERROR (sock_error()). */
  takeError(): number {
    const e = this.soError;
    this.soError = 0;
    return e;
  }
}
