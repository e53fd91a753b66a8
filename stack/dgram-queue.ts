/**
 * The receive queue of a datagram socket (UDP, ping): whole datagrams with their source address, charged against
 * SO_RCVBUF by approximate truesize; a datagram arriving while the charge exceeds the limit is dropped, as
 * __udp_enqueue_schedule_skb and sock_queue_rcv_skb do. Receives keep boundaries and report MSG_TRUNC.
 */
import { MSG_PEEK, MSG_TRUNC, POLLERR, POLLIN, POLLOUT, POLLRDNORM, POLLWRBAND, POLLWRNORM } from './constants.js';
import { Errno } from './errno.js';
import type { RecvControl, RecvResult } from './socket.js';
import type { RxInfo } from './rx-cmsg.js';

/** Bytes charged per queued datagram besides its payload, approximating an skb's truesize overhead. */
export const SKB_OVERHEAD = 768;

/** A queue of received datagrams. */
export class DatagramQueue {
  private readonly items: { data: Uint8Array; from: Uint8Array; info: RxInfo | null }[] = [];
  private bytes = 0;

  /** Datagrams queued. */
  get length(): number {
    return this.items.length;
  }

  /**
   * Queues a copy of data, with what its control messages are made from; false (nothing queued) when the charge
   * already exceeds rcvbuf.
   */
  push(data: Uint8Array, from: Uint8Array, rcvbuf: number, info: RxInfo | null = null): boolean {
    if (this.bytes > rcvbuf) return false;
    this.items.push({ data: data.slice(), from, info });
    this.bytes += data.length + SKB_OVERHEAD;
    return true;
  }

  /**
   * Takes (or with MSG_PEEK, looks at) the oldest datagram, up to len bytes; undefined when empty. `control` makes
   * the message's ancillary data from what was kept with it.
   */
  recv(len: number, flags: number, control?: (info: RxInfo) => RecvControl | undefined): RecvResult | undefined {
    const d = this.items[0];
    if (!d) return undefined;
    if ((flags & MSG_PEEK) === 0) {
      this.items.shift();
      this.bytes -= d.data.length + SKB_OVERHEAD;
    }
    const n = Math.min(len, d.data.length);
    const ctl = control && d.info ? control(d.info) : undefined;
    return {
      data: d.data.subarray(0, n), ret: flags & MSG_TRUNC ? d.data.length : n, from: d.from,
      msgFlags: d.data.length > len ? MSG_TRUNC : 0, ...(ctl ? { control: ctl } : {}),
    };
  }

  /**
   * skb_recv_datagram: the oldest datagram; when there is none, the pending socket error (`takeError`, which reads
   * and clears SO_ERROR) or EAGAIN.
   */
  recvOrError(len: number, flags: number, takeError: () => number): RecvResult | number {
    const r = this.recv(len, flags);
    if (r) return r;
    const err = takeError();
    return err ? -err : -Errno.EAGAIN;
  }

  /** Empties the queue (close). */
  clear(): void {
    this.items.length = 0;
    this.bytes = 0;
  }

  /** The poll mask of a datagram socket with this queue (datagram_poll): always writable, readable when not empty. */
  pollMask(soError: number): number {
    let m = POLLOUT | POLLWRNORM | POLLWRBAND;
    if (this.items.length > 0) m |= POLLIN | POLLRDNORM;
    if (soError) m |= POLLERR;
    return m;
  }
}
