/**
 * Data calls: send, sendto, sendmsg, recv, recvfrom, recvmsg (send(2), recv(2), cmsg(3)), and read, write, readv,
 * writev on every kind of fd (read(2), write(2), readv(2)). Stream sends keep their progress across waits and
 * return a partial count when interrupted by a timeout or an error after some bytes went (unix_stream_sendmsg,
 * tcp_sendmsg); MSG_WAITALL reads keep what they got. EPIPE raises SIGPIPE unless MSG_NOSIGNAL.
 */
import { AF_INET, AF_INET6, AF_UNIX, MSG_ERRQUEUE, MSG_OOB, MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_PEEK, MSG_TRUNC, MSG_WAITALL, SCM_CREDENTIALS, SCM_RIGHTS, SIGPIPE, SOL_SOCKET } from '../constants.js';
import { CmsgWriter, parseSendCmsgs, parseUcred, rightsFds, SCM_MAX_FD, ucredBytes } from '../cmsg.js';
import { Errno } from '../errno.js';
import type { OpenFile } from '../file.js';
import type { Cmsg, RecvResult, SendControl, Socket } from '../socket.js';
import { decodeSockaddr, sockaddrArgBytes, type SockAddr, type SockAddrArg } from '../sockaddr.js';
import { MAX_RW_COUNT } from '../vfs-file.js';
import { planSendfile } from '../sendfile.js';
import { addrArg, bufArg, intArg } from './base.js';
import { placePayload } from '../wire/bytes.js';
import { SysSock, type AddrOut } from './sockcalls.js';

/** struct msghdr for sendmsg/recvmsg. */
export interface MsgHdr {
  /** sendmsg: the destination (msg_name), or null. recvmsg: set to the source address, or null. */
  name?: SockAddrArg | null;
  /** msg_iov: the buffers to gather from or scatter into. */
  iov: Uint8Array[];
  /** msg_control: cmsg bytes to send (see stack/cmsg.ts), or the buffer recvmsg fills. */
  control?: Uint8Array | null;
  /** msg_controllen: sendmsg may give fewer bytes than control holds; recvmsg sets the bytes it wrote. */
  controllen?: number;
  /** msg_flags, set by recvmsg (MSG_TRUNC, MSG_CTRUNC, MSG_EOR, MSG_OOB). */
  flags?: number;
}

/** UIO_MAXIOV: most iovecs one call takes. */
export const UIO_MAXIOV = 1024;

/** Total capacity of iovecs (capped at MAX_RW_COUNT), or -errno: EFAULT for junk, EINVAL for too many. */
function capacity(iov: unknown): number {
  if (!Array.isArray(iov)) return -Errno.EFAULT;
  if (iov.length > UIO_MAXIOV) return -Errno.EINVAL;
  let total = 0;
  for (const b of iov) {
    if (!(b instanceof Uint8Array)) return -Errno.EFAULT;
    total += b.length;
  }
  return Math.min(total, MAX_RW_COUNT);
}

/** Gathers iovecs into one buffer, or -errno. */
function gather(iov: unknown): Uint8Array | number {
  const total = capacity(iov);
  if (total < 0) return total;
  const list = iov as Uint8Array[];
  if (list.length === 1) return list[0]!.subarray(0, total);
  const out = new Uint8Array(total);
  let off = 0;
  for (const b of list) {
    const n = Math.min(b.length, out.length - off);
    out.set(b.subarray(0, n), off);
    off += n;
  }
  return out;
}

/** A caller's buffer argument, or -EFAULT when it is not bytes (C would see a bad pointer). */
function asBuf(b: unknown): Uint8Array | number {
  return b instanceof Uint8Array ? b : -Errno.EFAULT;
}

/** Scatters bytes into iovecs. */
function scatter(iov: Uint8Array[], data: Uint8Array): void {
  let off = 0;
  for (const b of iov) {
    if (off >= data.length) break;
    const n = Math.min(b.length, data.length - off);
    b.set(data.subarray(off, off + n));
    off += n;
  }
}

/** A finished receive: bytes, return value and ancillary data. */
interface Received {
  data: Uint8Array;
  ret: number;
  from: Uint8Array | null;
  msgFlags: number;
  control: RecvResult['control'];
}

/** Data movement calls. */
export class SysData extends SysSock {
  /** sendto(2); `addr` null or omitted sends to the connected peer. */
  async sendto(fd: number, buf: Uint8Array, flags: number, addr?: SockAddrArg | null): Promise<number> {
    return this.sendCommon('sendto', [fd, bufArg(buf), flags, addrArg(addr)], fd, asBuf(buf), flags, addr ?? null, null);
  }

  /** send(2). */
  async send(fd: number, buf: Uint8Array, flags = 0): Promise<number> {
    return this.sendCommon('send', [fd, bufArg(buf), flags], fd, asBuf(buf), flags, null, null);
  }

  /** sendmsg(2): gathers msg.iov, sends msg.control's cmsgs (SCM_RIGHTS, SCM_CREDENTIALS on AF_UNIX). */
  async sendmsg(fd: number, msg: MsgHdr, flags = 0): Promise<number> {
    const data = msg && typeof msg === 'object' ? gather(msg.iov) : -Errno.EFAULT;
    const args = [fd, msg && typeof msg === 'object' ? [bufArg(data), addrArg(msg.name)] : null, flags];
    if (typeof msg !== 'object' || msg === null) return this.done('sendmsg', args, this.badfOr(fd, -Errno.EFAULT));
    let control: Uint8Array | null = null;
    if (msg.control instanceof Uint8Array) {
      const len = intArg(msg.controllen, msg.control.length);
      if (len === null || len < 0 || len > msg.control.length) return this.done('sendmsg', args, -Errno.EFAULT);
      control = msg.control.subarray(0, len);
    } else if (msg.control !== undefined && msg.control !== null) return this.done('sendmsg', args, -Errno.EFAULT);
    return this.sendCommon('sendmsg', args, fd, data, flags, msg.name ?? null, control);
  }

  /** write(2): on a socket it is send with no flags; on a pipe or file, the object's write. */
  async write(fd: number, buf: Uint8Array): Promise<number> {
    return this.writeCommon('write', [fd, bufArg(buf)], fd, buf instanceof Uint8Array ? buf : -Errno.EFAULT);
  }

  /** writev(2). */
  async writev(fd: number, iov: Uint8Array[]): Promise<number> {
    const data = gather(iov);
    return this.writeCommon('writev', [fd, Array.isArray(iov) ? iov.length : null], fd, data);
  }

  private async writeCommon(call: string, args: unknown[], fd: number, data: Uint8Array | number): Promise<number> {
    const f = this.file(fd);
    if (typeof f === 'number') return this.done(call, args, f);
    if (f.obj.kind === 'socket') return this.sendCommon(call, args, fd, data, 0, null, null);
    if (!f.writable) return this.done(call, args, -Errno.EBADF);
    if (typeof data === 'number') return this.done(call, args, data);
    const r = await this.writeLoop(f, false, 0, `${call} fd ${fd}`, data.length, (off) => f.obj.write(f, data.subarray(off)));
    const ret = this.done(call, args, r);
    if (r === -Errno.EPIPE && f.obj.kind === 'pipe') await this.raise(SIGPIPE);
    return ret;
  }

  /**
   * Retries `attempt(offset)` until `total` bytes went, blocking between tries; a wait that ends (non-blocking,
   * timeout) or an error after some progress returns the progress.
   */
  protected async writeLoop(file: OpenFile, nonblock: boolean, timeoutNs: number, what: string, total: number,
    attempt: (off: number) => number): Promise<number> {
    const deadline = this.deadlineOf(timeoutNs);
    let sent = 0;
    let timedOut = false;
    for (;;) {
      const r = attempt(sent);
      if (r > 0) {
        sent += r;
        if (sent >= total) return sent;
        continue;
      }
      if (r === 0 && (total === 0 || sent >= total)) return sent;
      if (r < 0 && r !== -Errno.EAGAIN) return sent > 0 ? sent : r;
      if (timedOut || nonblock || file.nonblocking || timeoutNs < 0) return sent > 0 ? sent : -Errno.EAGAIN;
      timedOut = (await this.proc.block([file.obj.wq], deadline, what)) === 'timeout';
    }
  }

  /** Parses msg_control for a send on `sock`: -errno, or the control (files hold one reference each). */
  private sendControl(sock: Socket, control: Uint8Array): SendControl | number {
    const list = parseSendCmsgs(control);
    if (typeof list === 'number') return list;
    const ctl: SendControl = { cmsgs: [], files: null, creds: null };
    if (sock.domain !== AF_UNIX) {
      ctl.cmsgs = list;
      return ctl;
    }
    // __scm_send: only SOL_SOCKET messages count on AF_UNIX; SCM_RIGHTS and SCM_CREDENTIALS, others EINVAL.
    const files: OpenFile[] = [];
    const fail = (e: number): number => {
      for (const f of files) f.unref();
      return e;
    };
    for (const c of list) {
      if (c.level !== SOL_SOCKET) continue;
      if (c.type === SCM_RIGHTS) {
        const fds = rightsFds(c.data);
        if (fds.length === 0) continue;
        if (files.length + fds.length > SCM_MAX_FD) return fail(-Errno.EINVAL);
        for (const fd of fds) {
          const f = this.file(fd);
          if (typeof f === 'number') return fail(f);
          files.push(f.ref());
        }
      } else if (c.type === SCM_CREDENTIALS) {
        if (c.data.length !== 12) return fail(-Errno.EINVAL);
        const u = parseUcred(c.data);
        // scm_check_creds: the pid and ids must be the sender's own, unless it is privileged (root, as the probes).
        if (this.uid !== 0 && (u.pid !== this.proc.pid || u.uid !== this.uid || u.gid !== this.gid)) return fail(-Errno.EPERM);
        ctl.creds = u;
      } else {
        return fail(-Errno.EINVAL);
      }
    }
    if (files.length > 0) ctl.files = files;
    return ctl;
  }

  /** The send path shared by send, sendto, sendmsg, write and writev on sockets. */
  protected async sendCommon(call: string, args: unknown[], fd: number, data: unknown, flagsIn: unknown,
    addr: unknown, control: Uint8Array | null): Promise<number> {
    const so = this.sock(fd);
    if (typeof so === 'number') return this.done(call, args, so);
    // A number is an error the caller already found (gather(), asBuf()); anything else that is not bytes is a bad buffer.
    if (typeof data === 'number') return this.done(call, args, data);
    if (!(data instanceof Uint8Array)) return this.done(call, args, -Errno.EFAULT);
    let flags = intArg(flagsIn, 0);
    if (flags === null) return this.done(call, args, -Errno.EINVAL);
    if (this.host.profile.deviations.oobIgnored) flags &= ~MSG_OOB; // deviation profile: MSG_OOB accepted, ignored
    let dest: Uint8Array | null = null;
    if (addr !== null && addr !== undefined) {
      const b = sockaddrArgBytes(addr);
      if (typeof b === 'number') return this.done(call, args, b);
      dest = b;
    }
    let ctl: SendControl | null = null;
    if (control && control.length > 0) {
      const c = this.sendControl(so.sock, control);
      if (typeof c === 'number') return this.done(call, args, c);
      ctl = c;
    }
    const sock = so.sock;
    const sender = this.cred();
    const nonblock = (flags & MSG_DONTWAIT) !== 0;
    const what = `${call} fd ${fd}`;
    const payload = data.subarray(0, MAX_RW_COUNT);
    let r: number;
    if (sock.byteStream) {
      r = await this.writeLoop(so.file, nonblock, sock.sndTimeoNs, what, payload.length,
        (off) => sock.sendmsgEx({ data: payload.subarray(off), dest, flags, control: off === 0 ? ctl : null, sender }));
    } else {
      r = (await this.blockingLoop(so.file, nonblock, sock.sndTimeoNs, what,
        () => sock.sendmsgEx({ data: payload, dest, flags, control: ctl, sender }))) as number;
    }
    // Files the protocol did not take (it clears control.files when it does) go back: scm_destroy.
    if (ctl?.files) for (const f of ctl.files) f.unref();
    const ret = this.done(call, args, r);
    if (r === -Errno.EPIPE && sock.pipeSignals() && !(flags & MSG_NOSIGNAL)) await this.raise(SIGPIPE);
    return ret;
  }

  /**
   * sendfile(2): copies from a regular file (at *offset, or at its file position, which then advances) to out_fd.
   * `offset` is the value-result argument: an object whose `value` is updated, or null.
   */
  async sendfile(outFd: number, inFd: number, offset: { value: number } | null, count: number): Promise<number> {
    const args = [outFd, inFd, offset && typeof offset === 'object' ? offset.value : null, count];
    const inFile = this.file(inFd);
    const plan = planSendfile(inFile, this.file(outFd), offset && typeof offset === 'object' ? offset.value : null, count);
    if (typeof plan === 'number') return this.done('sendfile', args, plan);
    const f = this.file(outFd) as OpenFile;
    let r: number;
    if (f.obj.kind === 'socket') r = await this.sendCommon('sendfile', args, outFd, plan.data, 0, null, null);
    else r = await this.writeCommon('sendfile', args, outFd, plan.data);
    if (r > 0) {
      if (offset) offset.value = plan.pos + r;
      else (inFile as OpenFile).pos = plan.pos + r;
    }
    return r;
  }

  /** recv(2). */
  async recv(fd: number, buf: Uint8Array, flags = 0): Promise<number> {
    return this.recvSimple('recv', fd, buf, flags, null);
  }

  /** recvfrom(2): fills buf, stores the source in from.addr when given. */
  async recvfrom(fd: number, buf: Uint8Array, flags: number, from?: AddrOut | null): Promise<number> {
    return this.recvSimple('recvfrom', fd, buf, flags, from ?? null);
  }

  private async recvSimple(call: string, fd: number, buf: Uint8Array, flags: number, from: AddrOut | null): Promise<number> {
    const args = [fd, bufArg(buf), flags];
    if (!(buf instanceof Uint8Array)) return this.done(call, args, this.badfOr(fd, -Errno.EFAULT));
    const r = await this.recvCommon(call, fd, buf.length, flags, 0, buf);
    if (typeof r === 'number') return this.done(call, args, r);
    placePayload(buf, 0, r.data);
    if (from && typeof from === 'object') this.fillAddr(from, r.from ?? -1);
    return this.done(call, [...args, r.from ? addrArg(decodeSockaddr(r.from)) : null], r.ret);
  }

  /** recvmsg(2): scatters into msg.iov; fills msg.name, msg.control/controllen and msg.flags. */
  async recvmsg(fd: number, msg: MsgHdr, flags = 0): Promise<number> {
    const args: unknown[] = [fd, flags];
    if (typeof msg !== 'object' || msg === null) return this.done('recvmsg', args, this.badfOr(fd, -Errno.EFAULT));
    const cap = capacity(msg.iov);
    if (cap < 0) return this.done('recvmsg', args, this.badfOr(fd, cap));
    const ctlBuf = msg.control instanceof Uint8Array ? msg.control : null;
    const ctlCap = ctlBuf ? Math.min(intArg(msg.controllen, ctlBuf.length) ?? ctlBuf.length, ctlBuf.length) : 0;
    const r = await this.recvCommon('recvmsg', fd, cap, flags, Math.max(0, ctlCap));
    if (typeof r === 'number') return this.done('recvmsg', args, r);
    scatter(msg.iov, r.data);
    msg.name = r.from ? decodeSockaddr(r.from) : null;
    const w = this.layoutControl(r.control, ctlBuf, Math.max(0, ctlCap), (flags & MSG_CMSG_CLOEXEC) !== 0);
    msg.controllen = w.used;
    // ____sys_recvmsg starts msg_flags from the call's MSG_CMSG_CLOEXEC bit.
    msg.flags = r.msgFlags | w.flags | (flags & MSG_CMSG_CLOEXEC);
    return this.done('recvmsg', [...args, msg.flags, w.used], r.ret);
  }

  /** read(2): on a socket it is recv with no flags. */
  async read(fd: number, buf: Uint8Array): Promise<number> {
    const args = [fd, bufArg(buf)];
    if (!(buf instanceof Uint8Array)) return this.done('read', args, this.badfOr(fd, -Errno.EFAULT));
    const r = await this.readCommon('read', fd, buf.length, buf);
    if (typeof r === 'number') return this.done('read', args, r);
    placePayload(buf, 0, r);
    return this.done('read', args, r.length);
  }

  /** readv(2). */
  async readv(fd: number, iov: Uint8Array[]): Promise<number> {
    const args = [fd, Array.isArray(iov) ? iov.length : null];
    const cap = capacity(iov);
    if (cap < 0) return this.done('readv', args, this.badfOr(fd, cap));
    const r = await this.readCommon('readv', fd, cap);
    if (typeof r === 'number') return this.done('readv', args, r);
    scatter(iov, r);
    return this.done('readv', args, r.length);
  }

  private async readCommon(call: string, fd: number, len: number, into?: Uint8Array): Promise<Uint8Array | number> {
    const f = this.file(fd);
    if (typeof f === 'number') return f;
    if (f.obj.kind === 'socket') {
      if (len === 0) return new Uint8Array(0); // sock_read_iter
      const r = await this.recvCommon(call, fd, len, 0, 0, into);
      return typeof r === 'number' ? r : r.data;
    }
    if (!f.readable) return -Errno.EBADF;
    return this.blockingLoop(f, false, 0, `${call} fd ${fd}`, () => f.obj.read(f, len));
  }

  /** EBADF/ENOTSOCK-style fd errors take precedence over argument errors, as the kernel looks the fd up first. */
  protected badfOr(fd: unknown, err: number): number {
    const f = this.file(fd);
    return typeof f === 'number' ? f : err;
  }

  /**
   * The receive path: blocks per SO_RCVTIMEO; on byte streams MSG_WAITALL keeps consuming until `len` bytes, end of
   * stream, an error, or a message carrying ancillary data (a read barrier). `into`: the caller's buffer, which a
   * byte stream may fill directly (Socket.recvmsgEx), the result's data being a view of it.
   */
  protected async recvCommon(call: string, fd: number, len: number, flagsIn: unknown, ctlCap: number,
    into?: Uint8Array): Promise<Received | number> {
    const so = this.sock(fd);
    if (typeof so === 'number') return so;
    let flags = intArg(flagsIn, 0);
    if (flags === null) return -Errno.EINVAL;
    // Deviation profiles: MSG_OOB ignored; MSG_PEEK unsupported (the read consumes).
    if (this.host.profile.deviations.oobIgnored) flags &= ~MSG_OOB;
    if (this.host.profile.deviations.peekConsumes) flags &= ~MSG_PEEK;
    const sock = so.sock;
    // ip_recv_error: MSG_ERRQUEUE reads the socket error queue (IP_RECVERR, stack/err-queue.ts) and never waits on
    // the data queue: EAGAIN when it is empty.
    if (flags & MSG_ERRQUEUE && (sock.domain === AF_INET || sock.domain === AF_INET6)) {
      const r = sock.recvErrQueue(len);
      return typeof r === 'number' ? r : { ...r, control: r.control };
    }
    const nonblock = (flags & MSG_DONTWAIT) !== 0;
    const what = `${call} fd ${fd}`;
    // Bytes go straight into the caller's buffer only when they are consumed and copied: a peek may return EAGAIN
    // after reading (the buffer must then be untouched), and MSG_TRUNC copies nothing.
    const direct = flags & (MSG_PEEK | MSG_TRUNC) ? undefined : into;
    const attempt = (n: number, fl: number, off = 0): RecvResult | number =>
      sock.recvmsgEx(n, fl, ctlCap, direct && (off === 0 ? direct : direct.subarray(off)));
    const waitall = (flags & MSG_WAITALL) !== 0 && sock.byteStream && len > 0;
    // sock_rcvlowat: a stream read waits for MSG_WAITALL's whole length, else for SO_RCVLOWAT bytes (at most len).
    const target = waitall ? len : Math.min(Math.max(sock.rcvlowat, 1), len);
    if (!sock.byteStream || target <= 1 || flags & MSG_PEEK) {
      const blocking = !nonblock && !so.file.nonblocking;
      const r = await this.blockingLoop(so.file, nonblock, sock.rcvTimeoNs, what, () => {
        const x = attempt(len, flags & ~MSG_WAITALL);
        if (x === -Errno.EAGAIN && blocking && sock.blockingRecvEnds()) return { data: new Uint8Array(0), ret: 0, from: null, msgFlags: 0 };
        // MSG_PEEK with a target waits until the whole target can be peeked (or the stream ends).
        if (target > 1 && typeof x !== 'number' && x.data.length > 0 && x.data.length < target && !x.control) return -Errno.EAGAIN;
        return x;
      });
      if (r === -Errno.EAGAIN && target > 1) {
        const x = attempt(len, flags & ~MSG_WAITALL);
        return typeof x === 'number' ? x : this.received(x);
      }
      return typeof r === 'number' ? r : this.received(r);
    }
    // Progress counts what each read returns (with MSG_TRUNC on TCP that is discarded bytes, not copied ones).
    const parts: Uint8Array[] = [];
    let got = 0;
    let first: RecvResult | null = null;
    const take = (x: RecvResult): void => {
      first = first ? { ...first, control: x.control ?? first.control } : x;
      parts.push(x.data);
      got += x.ret;
    };
    const deadline = this.deadlineOf(sock.rcvTimeoNs);
    for (;;) {
      const x = attempt(len - got, flags & ~MSG_WAITALL, got);
      if (typeof x !== 'number') {
        take(x);
        if (got >= target || x.ret === 0 || x.control) break;
        continue;
      }
      if (x !== -Errno.EAGAIN) {
        if (got > 0) break;
        return x;
      }
      if (nonblock || so.file.nonblocking || sock.rcvTimeoNs < 0) break;
      if ((await this.proc.block([so.file.obj.wq], deadline, what)) === 'timeout') {
        const y = attempt(len - got, flags & ~MSG_WAITALL, got);
        if (typeof y !== 'number') take(y);
        break;
      }
    }
    const f = first as RecvResult | null;
    if (!f) return -Errno.EAGAIN;
    const data = parts.length === 1 ? parts[0]! : new Uint8Array(Buffer.concat(parts));
    return { data, ret: got, from: f.from, msgFlags: f.msgFlags, control: f.control };
  }

  private received(r: RecvResult): Received {
    return { data: r.data, ret: r.ret, from: r.from, msgFlags: r.msgFlags, control: r.control };
  }

  /**
   * scm_recv: credentials first, then other cmsgs, then SCM_RIGHTS with scm_detach_fds' arithmetic; fds that do not
   * fit (or find no free slot) are closed. Without a control buffer everything is dropped and MSG_CTRUNC set.
   */
  protected layoutControl(control: RecvResult['control'], buf: Uint8Array | null, cap: number, cloexec: boolean): CmsgWriter {
    const w = new CmsgWriter(buf, cap);
    if (!control) return w;
    const files = control.files ?? [];
    if (!buf) {
      // put_cmsg with no msg_control: "msg->msg_flags |= MSG_CTRUNC".
      if (control.creds || files.length > 0 || control.early?.length || control.cmsgs?.length) w.flags |= MSG_CTRUNC;
      for (const f of files) f.unref();
      return w;
    }
    for (const c of control.early ?? []) w.put(c.level, c.type, c.data);
    if (control.creds) {
      const c = control.creds;
      w.put(SOL_SOCKET, SCM_CREDENTIALS, ucredBytes(c));
    }
    for (const c of control.cmsgs ?? []) w.put(c.level, c.type, c.data);
    if (files.length > 0) {
      const fdmax = Math.min(w.maxFds(), files.length);
      const installed: number[] = [];
      let i = 0;
      for (; i < fdmax; i++) {
        const fd = this.fds.alloc(files[i]!, cloexec);
        if (fd < 0) break;
        installed.push(fd);
      }
      w.putFds(installed, files.length, w.maxFds());
      // The table took its own references; the in-flight ones are dropped for all files (__scm_destroy).
      for (const f of files) f.unref();
    }
    return w;
  }
}

/** Re-exported for callers that build messages. */
export type { Cmsg, SockAddr };
