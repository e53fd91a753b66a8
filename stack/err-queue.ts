/**
 * The socket error queue of UDP sockets, and of TCP sockets whose connect an ICMP error ended (ip(7) IP_RECVERR, ipv6(7) IPV6_RECVERR; ip_icmp_error, ipv6_icmp_error,
 * ip_recv_error, ipv6_recv_error). With the option on, an ICMP error about a datagram the socket sent is queued —
 * soft errors and unconnected sockets included — and also sets SO_ERROR. recvmsg(MSG_ERRQUEUE) never waits: it
 * returns the quoted payload of the offending datagram (MSG_TRUNC when cut), its original destination as msg_name,
 * MSG_ERRQUEUE in msg_flags, and one control message: struct sock_extended_err (ee_errno, ee_origin ICMP 2 /
 * ICMP6 3, ee_type, ee_code, ee_info = the MTU of "fragmentation needed" / "packet too big") followed by the
 * offender's address (the ICMP sender, port 0). Reading the last queued ICMP error clears SO_ERROR
 * (sock_dequeue_err_skb); an empty queue is EAGAIN. Checked on Linux 6.18 (test/socket/udp-recverr.test.ts).
 */
import { MSG_ERRQUEUE, MSG_TRUNC } from './constants.js';
import { Errno } from './errno.js';
import type { Icmp4Error } from './ipv4.js';
import type { Icmp6Error } from './ipv6.js';
import { SKB_OVERHEAD } from './dgram-queue.js';
import { inet4Bytes } from './sockaddr.js';
import { inet6Bytes } from './sockaddr6.js';
import type { Cmsg, RecvResult } from './socket.js';
import { ipv4Mapped } from './wire/addr.js';

/** SO_EE_ORIGIN_ICMP and SO_EE_ORIGIN_ICMP6 (linux/errqueue.h). */
export const SO_EE_ORIGIN_ICMP = 2, SO_EE_ORIGIN_ICMP6 = 3;
const SOL_IP = 0, IP_RECVERR = 11, SOL_IPV6 = 41, IPV6_RECVERR = 25;

interface QueuedError {
  readonly errno: number;
  readonly payload: Uint8Array;
  /** msg_name: the offending datagram's destination. */
  readonly name: Uint8Array;
  readonly cmsg: Cmsg;
}

/** One socket's error queue. */
export class ErrorQueue {
  private readonly items: QueuedError[] = [];
  private bytes = 0;

  /** Queued errors. */
  get length(): number {
    return this.items.length;
  }

  /**
   * ip_icmp_error / ipv6_icmp_error for a socket of `family` (AF_INET 2 or AF_INET6 10): queues the error unless
   * the receive buffer is full (sock_queue_err_skb: ENOMEM, the error is lost). `errno` is what it converts to. The
   * payload is the quoted transport data after `skip` bytes: UDP's header is skipped, TCP's kept (tcp_v4_err passes
   * the TCP header itself).
   */
  push(family: number, e: Icmp4Error | Icmp6Error, errno: number, rcvbuf: number, skip = 8): boolean {
    if (this.bytes + SKB_OVERHEAD >= rcvbuf) return false;
    const dport = e.transport.length >= 4 ? (e.transport[2]! << 8) | e.transport[3]! : 0;
    const payload = e.transport.subarray(Math.min(skip, e.transport.length)).slice();
    const v6 = family === 10;
    const addr = (a: number | Uint8Array, port: number): Uint8Array =>
      typeof a === 'number' ? (v6 ? inet6Bytes(ipv4Mapped(a), port) : inet4Bytes(a, port)) : inet6Bytes(a.slice(), port);
    const ee = new Uint8Array(16);
    const dv = new DataView(ee.buffer);
    dv.setUint32(0, errno, true);
    ee[4] = e.v === 4 ? SO_EE_ORIGIN_ICMP : SO_EE_ORIGIN_ICMP6;
    ee[5] = e.type;
    ee[6] = e.code;
    dv.setUint32(8, e.mtu ?? 0, true);
    const offender = addr(e.offender, 0);
    const data = new Uint8Array(16 + offender.length);
    data.set(ee, 0);
    data.set(offender, 16);
    const cmsg: Cmsg = v6 ? { level: SOL_IPV6, type: IPV6_RECVERR, data } : { level: SOL_IP, type: IP_RECVERR, data };
    this.items.push({ errno, payload, name: addr(e.dst, dport), cmsg });
    this.bytes += payload.length + SKB_OVERHEAD;
    return true;
  }

  /**
   * ip_recv_error: the oldest queued error, up to len bytes of its payload, or -EAGAIN. `setError` receives the
   * new SO_ERROR: the next queued error's errno, or 0 when the queue is now empty.
   */
  recv(len: number, setError: (errno: number) => void): RecvResult | number {
    const q = this.items.shift();
    if (!q) return -Errno.EAGAIN;
    this.bytes -= q.payload.length + SKB_OVERHEAD;
    setError(this.items[0]?.errno ?? 0);
    const n = Math.min(len, q.payload.length);
    return {
      data: q.payload.subarray(0, n), ret: n, from: q.name,
      msgFlags: MSG_ERRQUEUE | (q.payload.length > len ? MSG_TRUNC : 0), control: { cmsgs: [q.cmsg] },
    };
  }

  /** Empties the queue (close). */
  clear(): void {
    this.items.length = 0;
    this.bytes = 0;
  }
}
