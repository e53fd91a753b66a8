/**
 * The common part of AF_UNIX sockets (net/unix/af_unix.c): names (paths in the host's VFS, abstract names,
 * autobind), the receive queue of skbs charged to the sender's SO_SNDBUF, credentials, and the connection
 * machinery of SOCK_STREAM and SOCK_SEQPACKET (listen, connect with its backlog rule, accept, socketpair,
 * shutdown propagated to the peer, release telling the peer). Stream and message data paths live in stream.ts
 * and dgram.ts.
 */
import {
  AF_UNIX, EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLRDBAND, EPOLLRDNORM, EPOLLWRBAND, EPOLLWRNORM, POLLERR, POLLHUP, POLLIN,
  POLLOUT, POLLRDHUP, POLLRDNORM, POLLWRBAND, POLLWRNORM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM,
} from '../constants.js';
import { Errno } from '../errno.js';
import type { OpenFile } from '../file.js';
import type { Host } from '../host.js';
import { Socket, type Ucred } from '../socket.js';
import { vfsOf, type SockNode } from '../vfs.js';
import { abstractNamespaceOf, parseUnixName, type UnixName } from './addr.js';

/** sk_shutdown bits. */
export const RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2, SHUTDOWN_MASK = 3;
/** net.unix.max_dgram_qlen: every AF_UNIX socket's initial sk_max_ack_backlog. */
export const MAX_DGRAM_QLEN = 10;
/** Wake-up keys (sock_def_readable, unix_write_space). */
export const KEY_IN = EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND, KEY_OUT = EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND;

/** SKB_MAX_HEAD(0): the most a one-page linear skb holds (4096 − aligned skb_shared_info). */
const SKB_MAX_HEAD = 3776;
/** SKB_MAX_ALLOC: the largest linear skb a datagram send allocates before using page frags. */
const SKB_MAX_ALLOC = 16064;

/** kmalloc's size for n bytes: slab buckets up to 8 KiB, then whole pages in powers of two. */
function kmallocSize(n: number): number {
  const buckets = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];
  for (const b of buckets) if (n <= b) return b;
  let p = 8192;
  while (p < n) p *= 2;
  return p;
}

/** SKB_TRUESIZE of an skb with a linear head of `head` bytes and `frags` bytes in pages. */
function truesize(head: number, frags: number): number {
  return kmallocSize(((head + 63) & ~63) + 320) + 256 + Math.ceil(frags / 4096) * 4096;
}

/**
 * What a stream skb of len bytes costs against SO_SNDBUF (unix_stream_sendmsg): past SKB_MAX_HEAD the data moves
 * to page frags (data_len = PAGE_ALIGN(len − SKB_MAX_HEAD), capped at len). Checked on the reference kernel: 278
 * one-byte sends, or 44 of 4096 bytes, fill the default 212992-byte SO_SNDBUF.
 */
export function streamTruesize(len: number): number {
  if (len <= SKB_MAX_HEAD) return truesize(len, 0);
  const frags = Math.min(len, Math.ceil((len - SKB_MAX_HEAD) / 4096) * 4096);
  return truesize(len - frags, frags);
}

/** What a datagram skb costs (unix_dgram_sendmsg): linear up to SKB_MAX_ALLOC, page frags beyond. */
export function dgramTruesize(len: number): number {
  if (len <= SKB_MAX_ALLOC) return truesize(len, 0);
  const frags = Math.ceil((len - SKB_MAX_ALLOC) / 4096) * 4096;
  return truesize(len - frags, frags);
}

/** One queued message or stream chunk (struct sk_buff with UNIXCB). */
export interface Skb {
  data: Uint8Array;
  /** Stream: bytes already read from the front. */
  consumed: number;
  /** SCM_RIGHTS files (each holds one in-flight reference), or null. */
  files: OpenFile[] | null;
  creds: Ucred;
  /** The sending socket: its name is the source address a receive reports. */
  sender: UnixSocket;
  /** The socket whose SO_SNDBUF is charged, or null. */
  owner: UnixSocket | null;
  truesize: number;
  /** The out-of-band byte of a stream (MSG_OOB). */
  oob: boolean;
  /** A pending connection on a listener: the server-side socket accept() returns. */
  embryo: UnixSocket | null;
  /** skb->tstamp: virtual time the message was stamped (0: not yet). */
  tstamp: number;
}

/** Connection states (sk_state). */
export type UnixState = 'close' | 'listen' | 'established';

/** An AF_UNIX socket of any type. */
export abstract class UnixSocket extends Socket {
  /** The bound name as getsockname returns it, or null (unnamed). */
  name: Uint8Array | null = null;
  private node: SockNode | null = null;
  private abstractKey: string | null = null;
  peer: UnixSocket | null = null;
  state: UnixState = 'close';
  shut = 0;
  readonly queue: Skb[] = [];
  /** Bytes of truesize charged to this socket for skbs not yet consumed (sk_wmem_alloc). */
  wmem = 0;
  /** sk_max_ack_backlog. */
  backlog = MAX_DGRAM_QLEN;
  peekOff = -1;
  dead = false;
  /** Sockets waiting for room in this socket's queue (blocked datagram senders and connectors: peer_wait). */
  readonly peerWaiters = new Set<UnixSocket>();
  /** The address a blocked connect retries. */
  private pendingConnect: Uint8Array | null = null;

  constructor(host: Host, type: number) {
    super(host, AF_UNIX, type, 0);
    unixSockets(host).add(this);
  }

  /** A fresh socket of the same class (the server side of a connection). */
  protected abstract sibling(): UnixSocket;

  /** Whether connection-oriented (stream, seqpacket). */
  get connectionOriented(): boolean {
    return this.type === SOCK_STREAM || this.type === SOCK_SEQPACKET;
  }

  override bind(addr: Uint8Array): number {
    const n = parseUnixName(addr, true, this.host.profile.deviations.abstractAsPath === true);
    if (typeof n === 'number') return n;
    if (n.kind === 'autobind') return this.autobind();
    if (n.kind === 'path') {
      const vfs = vfsOf(this.host);
      const node = vfs.mknodSocket(n.path, this);
      if (typeof node === 'number') return node;
      if (this.name) {
        vfs.unlink(n.path); // unix_bind_bsd undoes the mknod when the socket already has a name
        return -Errno.EINVAL;
      }
      this.node = node;
      this.name = n.bytes;
      return 0;
    }
    if (this.name) return -Errno.EINVAL;
    if (!abstractNamespaceOf(this.host).add(this.type, n.key, this)) return -Errno.EADDRINUSE;
    this.abstractKey = n.key;
    this.name = n.bytes;
    return 0;
  }

  /** unix_autobind: 0 at once when already named. */
  autobind(): number {
    if (this.name) return 0;
    const ns = abstractNamespaceOf(this.host);
    const n = ns.autobindName(this.host, this.type);
    if (!n) return -Errno.ENOSPC;
    ns.add(this.type, n.key, this);
    this.abstractKey = n.key;
    this.name = n.bytes;
    return 0;
  }

  /** Autobinds when SO_PASSCRED asks for a name the peer can see (unix_may_passcred && !u->addr). */
  protected passcredAutobind(): number {
    return this.passcred && !this.name ? this.autobind() : 0;
  }

  /** unix_find_other: the live socket bound to a name, or ENOENT/ECONNREFUSED/EPROTOTYPE. */
  protected findOther(n: UnixName): UnixSocket | number {
    if (n.kind === 'abstract') {
      const s = abstractNamespaceOf(this.host).get(this.type, n.key);
      return s instanceof UnixSocket && !s.dead ? s : -Errno.ECONNREFUSED;
    }
    if (n.kind !== 'path') return -Errno.EINVAL;
    const node = vfsOf(this.host).lookup(n.path);
    if (typeof node === 'number') return node;
    if (node.kind !== 'socket') return -Errno.ECONNREFUSED;
    const s = node.sock;
    if (!(s instanceof UnixSocket) || s.dead) return -Errno.ECONNREFUSED;
    if (s.type !== this.type) return -Errno.EPROTOTYPE;
    return s;
  }

  override localName(): Uint8Array {
    return this.name ?? Uint8Array.of(AF_UNIX, 0);
  }

  override peerName(): Uint8Array | number {
    if (!this.peer) return -Errno.ENOTCONN;
    return this.peer.localName();
  }

  /** unix_writable: not listening, and at most a quarter of SO_SNDBUF in flight. */
  writable(): boolean {
    return this.state !== 'listen' && this.wmem * 4 <= this.sndbuf;
  }

  override isListening(): boolean {
    return this.state === 'listen';
  }

  override setPeekOff(val: number): number {
    this.peekOff = val;
    return 0;
  }

  override getPeekOff(): number {
    return this.peekOff;
  }

  /** unix_inq_len: EINVAL on a listener; streams and seqpacket count every queued byte, datagrams the first one. */
  override inq(): number {
    if (this.state === 'listen') return -Errno.EINVAL;
    if (this.type === SOCK_DGRAM) return this.queue[0]?.data.length ?? 0;
    let n = 0;
    for (const s of this.queue) n += s.data.length - s.consumed;
    return n;
  }

  /** unix_poll (streams; datagram sockets override). */
  poll(): number {
    let m = 0;
    if (this.soError) m |= POLLERR;
    if (this.shut === SHUTDOWN_MASK) m |= POLLHUP;
    if (this.shut & RCV_SHUTDOWN) m |= POLLRDHUP | POLLIN | POLLRDNORM;
    if (this.queue.length > 0) m |= POLLIN | POLLRDNORM;
    if (this.connectionOriented && this.state === 'close') m |= POLLHUP;
    if (this.writable()) m |= POLLOUT | POLLWRNORM | POLLWRBAND;
    return m;
  }

  /** Queues an skb on this socket, charging its owner, and wakes readers. */
  enqueue(skb: Skb): void {
    if (skb.owner) skb.owner.wmem += skb.truesize;
    for (const f of skb.files ?? []) f.inflight++;
    this.queue.push(skb);
    this.notify(KEY_IN);
  }

  /** Builds an skb. */
  protected skb(data: Uint8Array, sender: UnixSocket, creds: Ucred, files: OpenFile[] | null, oob = false): Skb {
    return { data: data.slice(), consumed: 0, files, creds, sender, owner: sender, truesize: this.type === SOCK_STREAM ? streamTruesize(data.length) : dgramTruesize(data.length), oob, embryo: null, tstamp: 0 };
  }

  /** Takes the files off an skb (unix_detach_fds): the receiver now owns their references. */
  protected detachFiles(skb: Skb): OpenFile[] | null {
    const f = skb.files;
    skb.files = null;
    for (const x of f ?? []) x.inflight--;
    return f;
  }

  /** Frees an skb (consumed or purged): uncharges its owner (sock_wfree, unix_write_space) and drops files. */
  protected freeSkb(skb: Skb): void {
    const files = this.detachFiles(skb);
    for (const f of files ?? []) f.unref();
    const o = skb.owner;
    skb.owner = null;
    if (o) {
      o.wmem -= skb.truesize;
      if (o.writable()) o.notify(KEY_OUT);
    }
  }

  /** Unlinks the head skb and frees it; wakes blocked senders and connectors (peer_wait). */
  protected dequeue(skb: Skb): void {
    const i = this.queue.indexOf(skb);
    if (i >= 0) this.queue.splice(i, 1);
    this.freeSkb(skb);
    this.wakePeerWaiters();
  }

  /** Wakes sockets waiting for room in this one. */
  protected wakePeerWaiters(): void {
    if (this.peerWaiters.size === 0) return;
    const ws = [...this.peerWaiters];
    this.peerWaiters.clear();
    for (const w of ws) w.notify(KEY_OUT);
  }

  override listen(backlog: number): number {
    if (!this.connectionOriented) return -Errno.EOPNOTSUPP;
    if (!this.name) return -Errno.EINVAL;
    if (this.state !== 'close' && this.state !== 'listen') return -Errno.EINVAL;
    if (backlog > this.backlog) this.wakePeerWaiters();
    this.backlog = backlog;
    this.state = 'listen';
    // init_peercred: SO_PEERCRED of a listener, and of the clients that connect to it, is the listen() caller.
    this.peerCred = this.callerCred;
    this.notify();
    return 0;
  }

  override connect(addr: Uint8Array, nonblocking: boolean): number {
    if (!this.connectionOriented) return -Errno.EOPNOTSUPP;
    const n = parseUnixName(addr, false, this.host.profile.deviations.abstractAsPath === true);
    if (typeof n === 'number') return n;
    const e = this.passcredAutobind();
    if (e < 0) return e;
    const other = this.findOther(n);
    if (typeof other === 'number') return other;
    if (other.state !== 'listen' || other.shut & RCV_SHUTDOWN) return -Errno.ECONNREFUSED;
    if (other.queue.length > other.backlog) {
      // unix_recvq_full: a blocking connect waits for the listener to accept (unix_wait_for_peer), then retries.
      if (!nonblocking) {
        this.pendingConnect = addr;
        other.peerWaiters.add(this);
      }
      return -Errno.EAGAIN;
    }
    if (this.state === 'established') return -Errno.EISCONN;
    if (this.state !== 'close') return -Errno.EINVAL;
    this.pendingConnect = null;
    const newsk = this.sibling();
    newsk.state = 'established';
    newsk.peer = this;
    newsk.name = other.name;
    newsk.peerCred = this.callerCred;
    newsk.passcred = other.passcred;
    newsk.sndbuf = other.sndbuf;
    newsk.rcvbuf = other.rcvbuf;
    this.peer = newsk;
    this.state = 'established';
    this.peerCred = other.peerCred;
    const skb = this.skb(new Uint8Array(0), this, this.callerCred ?? { pid: 0, uid: 0, gid: 0 }, null);
    skb.owner = null;
    skb.embryo = newsk;
    other.enqueue(skb);
    this.notify();
    return 0;
  }

  override connectResult(): number {
    if (this.state === 'established' && !this.pendingConnect) return 0;
    return this.pendingConnect ? this.connect(this.pendingConnect, false) : -Errno.EAGAIN;
  }

  override connectTimeoutErrno(): number {
    this.pendingConnect = null;
    return Errno.EAGAIN; // unix_wait_for_peer timing out leaves -EAGAIN
  }

  override accept(): Socket | number {
    if (!this.connectionOriented) return -Errno.EOPNOTSUPP;
    if (this.state !== 'listen') return -Errno.EINVAL;
    const skb = this.queue[0];
    if (!skb) {
      const err = this.takeError();
      return err ? -err : -Errno.EAGAIN;
    }
    this.queue.shift();
    this.wakePeerWaiters();
    return skb.embryo!;
  }

  override socketpair(other: Socket): number {
    if (!(other instanceof UnixSocket)) return -Errno.EOPNOTSUPP;
    this.peer = other;
    other.peer = this;
    this.state = other.state = 'established';
    this.peerCred = other.peerCred = this.callerCred;
    return 0;
  }

  override shutdown(how: number): number {
    const mode = how + 1;
    this.shut |= mode;
    this.notify();
    const other = this.peer;
    if (other && this.connectionOriented) {
      let peerMode = 0;
      if (mode & RCV_SHUTDOWN) peerMode |= SEND_SHUTDOWN;
      if (mode & SEND_SHUTDOWN) peerMode |= RCV_SHUTDOWN;
      other.shut |= peerMode;
      other.notify();
    }
    return 0;
  }

  /** unix_*_ops have no setsockopt: every level but SOL_SOCKET is EOPNOTSUPP (__sys_setsockopt). */
  override setProtoOpt(): number {
    return -Errno.EOPNOTSUPP;
  }

  override getProtoOpt(): Uint8Array | number {
    return -Errno.EOPNOTSUPP;
  }

  override solSocketChanged(): void {
    this.notify(KEY_OUT);
  }

  release(): void {
    this.releaseSock(false);
  }

  /** Drops every queued skb (the garbage collector breaking a cycle). */
  purge(): void {
    for (const skb of this.queue.splice(0)) {
      if (skb.embryo) skb.embryo.purge();
      this.freeSkb(skb);
    }
  }

  /** unix_release_sock: the name goes, the peer learns, queued skbs (and pending connections) are dropped. */
  releaseSock(embryo: boolean): void {
    if (this.dead) return;
    this.dead = true;
    this.closed = true;
    unixSockets(this.host).delete(this);
    if (this.node) this.node.sock = null;
    if (this.abstractKey !== null) abstractNamespaceOf(this.host).remove(this.type, this.abstractKey, this);
    const skpair = this.peer;
    const hadData = this.queue.length > 0;
    this.state = 'close';
    this.shut = SHUTDOWN_MASK;
    if (skpair && this.connectionOriented) {
      skpair.shut = SHUTDOWN_MASK;
      if (hadData || embryo) skpair.soError = Errno.ECONNRESET;
      skpair.notify();
    }
    if (this.connectionOriented) this.peer = null;
    for (const skb of this.queue.splice(0)) {
      if (skb.embryo) skb.embryo.releaseSock(true);
      this.freeSkb(skb);
    }
    this.wakePeerWaiters();
    this.notify();
  }

  override onlyInflight(): void {
    unixGc(this.host);
  }
}

const registries = new WeakMap<Host, Set<UnixSocket>>();
let collecting = false;

/** The live AF_UNIX sockets of a host (the collector's universe). */
export function unixSockets(host: Host): Set<UnixSocket> {
  let r = registries.get(host);
  if (!r) registries.set(host, (r = new Set()));
  return r;
}

/**
 * unix_gc: sockets reachable only through SCM_RIGHTS references queued on sockets that are themselves reachable only
 * that way (a socket sent over itself, two sockets sent over each other) can never be received: their queues are
 * purged so they are released. A candidate is a socket every reference to which is in flight; candidates whose
 * files sit in the queue of a live socket are live too, transitively.
 */
export function unixGc(host: Host): void {
  if (collecting) return;
  collecting = true;
  try {
    const all = [...unixSockets(host)];
    const isCandidate = (s: UnixSocket): boolean =>
      s.descriptions.size > 0 && [...s.descriptions].every((d) => d.refs === d.inflight && d.inflight > 0);
    const candidates = new Set(all.filter(isCandidate));
    if (candidates.size === 0) return;
    // Embryos (connections not yet accepted) have no description: they are reached through their listener.
    const live = new Set(all.filter((s) => !candidates.has(s) && s.descriptions.size > 0));
    const work = [...live];
    const scan = (s: UnixSocket): void => {
      for (const skb of s.queue) {
        if (skb.embryo) scan(skb.embryo);
        for (const f of skb.files ?? []) {
          const o = f.obj;
          if (o instanceof UnixSocket && candidates.has(o) && !live.has(o)) {
            live.add(o);
            work.push(o);
          }
        }
      }
    };
    while (work.length > 0) scan(work.pop()!);
    for (const s of candidates) if (!live.has(s)) s.purge();
  } finally {
    collecting = false;
  }
}

/** The socket types AF_UNIX supports. */
export const UNIX_TYPES = [SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET] as const;
