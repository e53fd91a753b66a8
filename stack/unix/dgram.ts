/**
 * AF_UNIX SOCK_DGRAM and SOCK_SEQPACKET data (unix_dgram_sendmsg, __unix_dgram_recvmsg): whole messages, EMSGSIZE
 * past SO_SNDBUF − 32, a receiver queue bounded by net.unix.max_dgram_qlen unless the receiver is connected back to
 * the sender, EPERM towards a socket connected elsewhere, ECONNREFUSED (and a disconnect) when a connected
 * datagram peer is gone, EPIPE for a seqpacket peer that is gone or shut for reading. A short buffer truncates the
 * message (MSG_TRUNC in msg_flags; the flag in the call returns the real length).
 */
import { timestampCmsg } from '../rx-cmsg.js';
import {
  AF_UNSPEC, MSG_OOB, MSG_PEEK, MSG_TRUNC, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRBAND,
  POLLWRNORM, SOCK_DGRAM, SOCK_SEQPACKET,
} from '../constants.js';
import { Errno } from '../errno.js';
import type { Host } from '../host.js';
import type { RecvControl, RecvResult, SendArgs } from '../socket.js';
import { parseUnixName } from './addr.js';
import { RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, UnixSocket } from './socket.js';

/** Message-oriented AF_UNIX sockets (datagram and seqpacket). */
abstract class UnixMessageSocket extends UnixSocket {
  override sendmsg(data: Uint8Array, flags: number, dest: Uint8Array | null): number {
    return this.sendmsgEx({ data, flags, dest, control: null, sender: { pid: 0, uid: 0, gid: 0 } });
  }

  /** The destination of a send: the named socket or the connected peer, or -errno. */
  protected abstract target(dest: Uint8Array | null): UnixSocket | number;

  override sendmsgEx(a: SendArgs): number {
    if (a.flags & MSG_OOB) return -Errno.EOPNOTSUPP;
    // Checked on the reference kernel: a datagram send after our own SHUT_WR is EPIPE (without SIGPIPE).
    if (this.shut & SEND_SHUTDOWN) return -Errno.EPIPE;
    const other = this.target(a.dest);
    if (typeof other === 'number' && other !== -Errno.ENOENT && other !== -Errno.ECONNREFUSED && other !== -Errno.EPROTOTYPE) return other;
    const e = this.passcredAutobind();
    if (e < 0) return e;
    if (a.data.length > this.sndbuf - 32) return -Errno.EMSGSIZE;
    if (this.wmem >= this.sndbuf) return -Errno.EAGAIN;
    if (typeof other === 'number') return other;
    if (other.peer !== null && other.peer !== this) return -Errno.EPERM; // unix_may_send
    if (other.dead) {
      if (this.type === SOCK_SEQPACKET) return -Errno.EPIPE;
      if (this.peer === other) {
        this.peer = null;
        this.state = 'close';
        return -Errno.ECONNREFUSED;
      }
      return -Errno.ECONNREFUSED;
    }
    if (other.shut & RCV_SHUTDOWN) return -Errno.EPIPE;
    if (other !== this && other.peer !== this && other.queue.length > other.backlog) {
      other.peerWaiters.add(this);
      return -Errno.EAGAIN;
    }
    const skb = this.skb(a.data, this, a.control?.creds ?? a.sender, a.control?.files ?? null);
    // unix_dgram_sendmsg: stamped at send when the receiver wants timestamps (SO_TIMESTAMP).
    if (other.timestamp) skb.tstamp = this.host.sim.now;
    if (a.control) a.control.files = null;
    other.enqueue(skb);
    return a.data.length;
  }

  override recvmsg(len: number, flags: number): RecvResult | number {
    return this.recvmsgEx(len, flags, 0);
  }

  override recvmsgEx(len: number, flags: number, _controlLen: number): RecvResult | number {
    if (flags & MSG_OOB) return -Errno.EOPNOTSUPP;
    const peek = (flags & MSG_PEEK) !== 0;
    let skip = peek ? Math.max(this.peekOff, 0) : 0;
    let i = 0;
    // __skb_try_recv_from_queue: a peek offset skips whole messages, then starts inside one.
    while (i < this.queue.length && skip >= this.queue[i]!.data.length && this.queue[i]!.data.length > 0) skip -= this.queue[i++]!.data.length;
    const skb = this.queue[i];
    if (!skb) {
      const err = this.takeError();
      if (err) return -err;
      // Signal EOF on a disconnected SEQPACKET socket even without waiting.
      if (this.type === SOCK_SEQPACKET && this.shut & RCV_SHUTDOWN) return { data: new Uint8Array(0), ret: 0, from: null, msgFlags: 0 };
      return -Errno.EAGAIN;
    }
    const avail = skb.data.length - skip;
    const n = Math.min(len, avail);
    const data = skb.data.slice(skip, skip + n);
    const control: RecvControl = {};
    if (this.timestamp) {
      // __sock_recv_timestamp: a message stamped before the option was set gets the receive time, kept for later.
      if (skb.tstamp === 0) skb.tstamp = this.host.sim.now;
      control.early = [timestampCmsg(this, skb.tstamp)];
    }
    if (this.passcred) control.creds = skb.creds;
    if (!peek) {
      const files = this.detachFiles(skb);
      if (files) control.files = files;
      if (this.peekOff >= 0) this.peekOff = Math.max(this.peekOff - skb.data.length, 0);
      this.dequeue(skb);
    } else {
      if (this.peekOff >= 0) this.peekOff += n;
      if (skb.files) control.files = skb.files.map((f) => f.ref());
    }
    const hasCtl = control.creds !== undefined || control.files !== undefined || control.early !== undefined;
    return {
      data, ret: flags & MSG_TRUNC ? avail : n, from: skb.sender.name, msgFlags: n < avail ? MSG_TRUNC : 0,
      ...(hasCtl ? { control } : {}),
    };
  }

  /** unix_dgram_poll's error, shutdown and readable bits. */
  protected readMask(): number {
    let m = 0;
    if (this.soError) m |= POLLERR;
    if (this.shut & RCV_SHUTDOWN) m |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (this.shut === SHUTDOWN_MASK) m |= POLLHUP;
    if (this.queue.length > 0) m |= POLLIN | POLLRDNORM;
    return m;
  }

  override blockingRecvEnds(): boolean {
    return (this.shut & RCV_SHUTDOWN) !== 0;
  }
}

/** An AF_UNIX datagram socket. */
export class UnixDgramSocket extends UnixMessageSocket {
  constructor(host: Host) {
    super(host, SOCK_DGRAM);
  }

  protected sibling(): UnixSocket {
    return new UnixDgramSocket(this.host);
  }

  protected target(dest: Uint8Array | null): UnixSocket | number {
    if (!dest) return this.peer ?? -Errno.ENOTCONN;
    const n = parseUnixName(dest, false, this.host.profile.deviations.abstractAsPath === true);
    if (typeof n === 'number') return n;
    return this.findOther(n);
  }

  /** unix_dgram_connect: AF_UNSPEC disconnects; otherwise the target must accept us (EPERM). */
  override connect(addr: Uint8Array): number {
    if (addr.length < 2) return -Errno.EINVAL;
    let other: UnixSocket | null = null;
    if ((addr[0]! | (addr[1]! << 8)) !== AF_UNSPEC) {
      const n = parseUnixName(addr, false, this.host.profile.deviations.abstractAsPath === true);
      if (typeof n === 'number') return n;
      const e = this.passcredAutobind();
      if (e < 0) return e;
      const o = this.findOther(n);
      if (typeof o === 'number') return o;
      if (o.peer !== null && o.peer !== this) return -Errno.EPERM;
      other = o;
      this.state = 'established';
      o.state = 'established';
    }
    const old = this.peer;
    this.peer = other;
    if (!other) this.state = 'close';
    if (old && old !== other) {
      // unix_dgram_disconnected: messages queued from the old peer are dropped.
      if (this.queue.length > 0) {
        for (const skb of this.queue.splice(0)) this.freeSkb(skb);
        this.wakePeerWaiters();
        if (!old.dead && old.peer === this) {
          old.soError = Errno.ECONNRESET;
          old.notify();
        }
      }
      if (!old.peer) old.state = 'close';
    }
    this.notify();
    return 0;
  }

  override connectResult(): number {
    return 0;
  }

  override shutdown(how: number): number {
    return super.shutdown(how);
  }

  /** unix_dgram_poll. */
  override poll(): number {
    let m = this.readMask();
    let writable = this.writable();
    const other = this.peer;
    if (writable && other && other.peer !== this && other.queue.length > other.backlog) writable = false;
    if (writable) m |= POLLOUT | POLLWRNORM | POLLWRBAND;
    return m;
  }
}

/** An AF_UNIX seqpacket socket: connections like a stream, records like datagrams. */
export class UnixSeqpacketSocket extends UnixMessageSocket {
  constructor(host: Host) {
    super(host, SOCK_SEQPACKET);
  }

  protected sibling(): UnixSocket {
    return new UnixSeqpacketSocket(this.host);
  }

  protected target(): UnixSocket | number {
    return this.peer ?? -Errno.ENOTCONN;
  }

  override sendmsgEx(a: SendArgs): number {
    // unix_seqpacket_sendmsg: pending errors first, then ENOTCONN; any address is ignored.
    const err = this.takeError();
    if (err) return -err;
    if (this.state !== 'established') return -Errno.ENOTCONN;
    const r = super.sendmsgEx({ ...a, dest: null });
    return r;
  }

  override recvmsgEx(len: number, flags: number, controlLen: number): RecvResult | number {
    if (this.state !== 'established') return -Errno.ENOTCONN;
    return super.recvmsgEx(len, flags, controlLen);
  }

  /** unix_dgram_poll for seqpacket: a closed socket is hung up; a listener is never writable. */
  override poll(): number {
    let m = this.readMask();
    if (this.state === 'close') m |= POLLHUP;
    if (this.writable()) m |= POLLOUT | POLLWRNORM | POLLWRBAND;
    return m;
  }
}
