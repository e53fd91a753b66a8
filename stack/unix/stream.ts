/**
 * AF_UNIX SOCK_STREAM data (unix_stream_sendmsg, unix_stream_read_generic): sends are cut into skbs of at most
 * half of SO_SNDBUF and block while the sender's in-flight bytes reach SO_SNDBUF; fds ride on the first skb. A read
 * glues skbs together except across different senders' credentials (with SO_PASSCRED) and stops after an skb that
 * carried fds: a message with fds is a read barrier. MSG_OOB sends the last byte as the urgent byte
 * (CONFIG_AF_UNIX_OOB): it shows as POLLPRI, is read with recv(MSG_OOB) unless SO_OOBINLINE, and a normal read
 * stops at it.
 */
import { MSG_OOB, MSG_PEEK, SOCK_STREAM } from '../constants.js';
import { Errno } from '../errno.js';
import type { OpenFile } from '../file.js';
import type { Host } from '../host.js';
import type { RecvControl, RecvResult, SendArgs } from '../socket.js';
import { POLLPRI } from '../constants.js';
import { RCV_SHUTDOWN, SEND_SHUTDOWN, UnixSocket, type Skb } from './socket.js';

/** The largest skb unix_stream_sendmsg builds (SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ). */
const MAX_STREAM_SKB = 3776 + 32768;

/** An AF_UNIX stream socket. */
export class UnixStreamSocket extends UnixSocket {
  /** The pending urgent byte's skb (unix_sk(sk)->oob_skb), if any. */
  oobSkb: Skb | null = null;

  constructor(host: Host) {
    super(host, SOCK_STREAM);
  }

  protected sibling(): UnixSocket {
    return new UnixStreamSocket(this.host);
  }

  override poll(): number {
    return super.poll() | (this.oobSkb ? POLLPRI : 0);
  }

  override sendmsg(data: Uint8Array, flags: number, dest: Uint8Array | null): number {
    return this.sendmsgEx({ data, flags, dest, control: null, sender: { pid: 0, uid: 0, gid: 0 } });
  }

  override sendmsgEx(a: SendArgs): number {
    let len = a.data.length;
    const oob = (a.flags & MSG_OOB) !== 0;
    if (oob) {
      if (len === 0) return -Errno.EOPNOTSUPP;
      len--;
    }
    if (a.dest) return this.state === 'established' ? -Errno.EISCONN : -Errno.EOPNOTSUPP;
    const other = this.peer;
    if (!other) return -Errno.ENOTCONN;
    if (this.shut & SEND_SHUTDOWN) return -Errno.EPIPE;
    const creds = a.control?.creds ?? a.sender;
    let files = a.control?.files ?? null;
    let sent = 0;
    while (sent < len) {
      if (this.wmem >= this.sndbuf) break; // sock_alloc_send_pskb would wait
      if (other.dead || other.shut & RCV_SHUTDOWN) return sent > 0 ? sent : -Errno.EPIPE;
      const size = Math.min(len - sent, (this.sndbuf >> 1) - 64, MAX_STREAM_SKB);
      other.enqueue(this.skb(a.data.subarray(sent, sent + size), this, creds, files));
      if (files && a.control) a.control.files = null;
      files = null;
      sent += size;
    }
    if (oob && sent === len) {
      if (this.wmem >= this.sndbuf) return sent > 0 ? sent : -Errno.EAGAIN;
      if (other.dead || other.shut & RCV_SHUTDOWN) return sent > 0 ? sent : -Errno.EPIPE;
      const skb = this.skb(a.data.subarray(len, len + 1), this, creds, files, true);
      if (files && a.control) a.control.files = null;
      // queue_oob: the new urgent byte replaces the old mark (the old byte stays as ordinary data).
      if (other instanceof UnixStreamSocket) other.oobSkb = skb;
      other.enqueue(skb);
      return sent + 1;
    }
    if (sent === 0 && len > 0) return -Errno.EAGAIN;
    return sent;
  }

  override recvmsg(len: number, flags: number): RecvResult | number {
    return this.recvmsgEx(len, flags, 0);
  }

  override recvmsgEx(len: number, flags: number, _controlLen: number): RecvResult | number {
    if (this.state !== 'established') return -Errno.EINVAL;
    if (flags & MSG_OOB) return this.recvUrg(flags);
    const peek = (flags & MSG_PEEK) !== 0;
    let skip = peek ? Math.max(this.peekOff, 0) : 0;
    const out: Uint8Array[] = [];
    let copied = 0;
    let creds: RecvControl['creds'];
    let files: OpenFile[] | null = null;
    let from: Uint8Array | null = null;
    let first = true;
    // SO_RCVLOWAT and MSG_WAITALL targets are applied by the syscall layer, which keeps what each read returns.
    for (let i = 0; i < this.queue.length && copied < len;) {
      const skb = this.queue[i]!;
      if (skb.oob && skb === this.oobSkb && !this.oobinline) {
        if (copied > 0) break; // manage_oob: a read stops at the mark
        if (!peek) {
          this.oobSkb = null;
          this.dequeue(skb);
          continue;
        }
        i++;
        continue;
      }
      if (skb.oob && skb === this.oobSkb && copied > 0) break;
      const avail = skb.data.length - skb.consumed;
      if (skip >= avail) {
        skip -= avail;
        i++;
        continue;
      }
      if (this.passcred) {
        if (!first && creds && (creds.pid !== skb.creds.pid || creds.uid !== skb.creds.uid || creds.gid !== skb.creds.gid)) break;
        creds = skb.creds;
      }
      if (first) from = skb.sender.name;
      first = false;
      const start = skb.consumed + skip;
      const chunk = Math.min(skb.data.length - start, len - copied);
      out.push(skb.data.subarray(start, start + chunk));
      copied += chunk;
      skip = 0;
      if (!peek) {
        skb.consumed += chunk;
        if (this.peekOff >= 0) this.peekOff = Math.max(this.peekOff - chunk, 0);
        if (skb.files) files = this.detachFiles(skb);
        if (skb.consumed < skb.data.length) break;
        if (skb === this.oobSkb) this.oobSkb = null;
        this.dequeue(skb);
        if (files) break;
      } else {
        if (skb.files) {
          files = skb.files.map((f) => f.ref());
          break;
        }
        i++;
      }
    }
    if (peek && this.peekOff >= 0) this.peekOff += copied;
    if (copied === 0 && !files) {
      // A zero-length read is done before it starts (copied >= target); then errors, then end of stream.
      if (len === 0) return { data: new Uint8Array(0), ret: 0, from: null, msgFlags: 0 };
      const err = this.takeError();
      if (err) return -err;
      if (this.shut & RCV_SHUTDOWN) return { data: new Uint8Array(0), ret: 0, from: null, msgFlags: 0 };
      return -Errno.EAGAIN;
    }
    const data = out.length === 1 ? out[0]!.slice() : Buffer.concat(out);
    const control: RecvControl = {};
    if (creds) control.creds = creds;
    if (files) control.files = files;
    const hasCtl = creds !== undefined || files !== null;
    return { data: new Uint8Array(data), ret: copied, from, msgFlags: 0, ...(hasCtl ? { control } : {}) };
  }

  /** unix_stream_recv_urg: the urgent byte, EINVAL when there is none or SO_OOBINLINE is set. */
  private recvUrg(flags: number): RecvResult | number {
    const skb = this.oobSkb;
    if (this.oobinline || !skb) return -Errno.EINVAL;
    const data = skb.data.slice(0, 1);
    if (!(flags & MSG_PEEK)) {
      this.oobSkb = null;
      this.dequeue(skb);
    }
    return { data, ret: 1, from: null, msgFlags: MSG_OOB };
  }
}
