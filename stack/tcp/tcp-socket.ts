/**
 * SOCK_STREAM sockets over TCP (tcp(7)): the BSD socket calls with Linux's semantics (inet_stream_connect,
 * inet_listen, inet_accept, tcp_sendmsg, tcp_recvmsg, inet_shutdown, tcp_close, tcp_poll). The connection itself is
 * a Tcb; after close() it may live on as an orphan (finishing its FIN exchange, TIME_WAIT) without this socket.
 */
import {
  AF_INET, AF_UNSPEC, INADDR_ANY, IPPROTO_TCP, MSG_MORE, MSG_OOB, MSG_PEEK, MSG_TRUNC, POLLERR, POLLHUP, POLLIN,
  POLLOUT, POLLPRI, POLLRDHUP, POLLRDNORM, POLLWRNORM, SOCK_STREAM, SO_KEEPALIVE, SO_RCVBUF, SO_RCVBUFFORCE,
  SO_RCVLOWAT, SO_SNDBUF, SO_SNDBUFFORCE,
} from '../constants.js';
import { Errno } from '../errno.js';
import type { Host } from '../host.js';
import { InetOptions } from '../inet-opts.js';
import { decodeInet4, inet4Bytes } from '../sockaddr.js';
import { Socket, type RecvResult } from '../socket.js';
import { TCP_SYN } from '../wire/tcp.js';
import type { TcpLayer } from './layer.js';
import { isAny } from './layer.js';
import { Listener } from './listen.js';
import { secureIsn, secureTsOffset, type IpAddr } from './isn.js';
import {
  RCV_SHUTDOWN, SEND_SHUTDOWN, TCP_CLOSE, TCP_CLOSE_WAIT, TCP_CLOSING, TCP_ESTABLISHED, TCP_FIN_WAIT1,
  TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_LISTEN, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIMEOUT_INIT, TCP_TIMEWAIT_LEN,
  TCP_TIME_WAIT, Tcb, TxSeg,
} from './tcb.js';
import { selectInitialWindow, syncMss, fullSpace } from './window.js';
import { NAGLE_CORK, NAGLE_OFF, nagleMode, pushPending, sendActiveReset, sendAck, sendSyn } from './output.js';
import { clearTimers, enterTimeWait, purgeWriteQueue, rcvSpaceAdjust, setState, sndbufExpand, tcpDone } from './conn.js';
import { armRtoAfter } from './xmit-timer.js';
import { keepaliveStart, keepaliveStop } from './timers.js';
import { URG_READ, URG_VALID } from './rcv.js';
import { newCongestion, TcpConfig } from './config.js';
import { getTcpOpt, setTcpOpt } from './sockopt.js';

/** Socket-level connection states (socket->state). */
const SS_UNCONNECTED = 0, SS_CONNECTING = 1, SS_CONNECTED = 2;

/** An AF_INET SOCK_STREAM socket. */
export class TcpSocket extends Socket {
  readonly layer: TcpLayer;
  /** Local address (0 = wildcard) and port (0 = unbound). */
  boundAddr: IpAddr = INADDR_ANY;
  port = 0;
  /** SOCK_BINDADDR_LOCK / SOCK_BINDPORT_LOCK: bind() chose them. */
  bindAddrLocked = false;
  bindPortLocked = false;
  tcb: Tcb | null = null;
  listener: Listener | null = null;
  ss = SS_UNCONNECTED;
  /** TCP options set on the socket (copied into each connection). */
  readonly cfg: TcpConfig;
  /** IPPROTO_IP options (IP_TTL, IP_TOS). */
  readonly inet = new InetOptions();
  /** A writer found no room (SOCK_NOSPACE): wake it when a third of the buffer is free again. */
  nospace = false;

  constructor(host: Host, protocol: number, cfg?: TcpConfig) {
    super(host, AF_INET, SOCK_STREAM, protocol || IPPROTO_TCP);
    this.layer = host.tcp;
    this.cfg = cfg ? cfg.clone() : new TcpConfig(this.layer.sysctl.congestionControl);
    // tcp_init_sock: sk_sndbuf = tcp_wmem[1], sk_rcvbuf = tcp_rmem[1].
    this.sndbuf = this.layer.sysctl.wmem[1];
    this.rcvbuf = this.layer.sysctl.rmem[1];
  }

  /** IP TTL for outgoing segments. */
  get inetTtl(): number {
    return this.inet.ttl;
  }

  /** IP TOS for outgoing segments. */
  get inetTos(): number {
    return this.inet.tos;
  }

  /** TCP_MAXSEG as set by the user (0 = none). */
  get userMss(): number {
    return this.cfg.userMss;
  }

  /** SO_RCVBUF was set explicitly (SOCK_RCVBUF_LOCK). */
  get rcvbufLocked(): boolean {
    return this.cfg.rcvbufLocked;
  }

  /** TCP_WINDOW_CLAMP. */
  get windowClampOpt(): number {
    return this.cfg.windowClamp;
  }

  /** TCP_SYNCNT (0: sysctl). */
  get synRetriesOpt(): number {
    return this.cfg.synRetries;
  }

  /** SO_OOBINLINE. */
  get oobInline(): boolean {
    return this.oobinline;
  }

  /** Creates the connection object with this socket's settings. */
  attachTcb(): Tcb {
    const t = new Tcb(this.layer, this, newCongestion(this.cfg.congestion, null));
    t.cc = newCongestion(this.cfg.congestion, t);
    this.cfg.applyTo(t);
    t.sndbufLocked = this.cfg.sndbufLocked;
    t.rcvbufLocked = this.cfg.rcvbufLocked;
    t.ipId = this.layer.host.sim.random.stream(`host:${this.layer.host.name}:tcp-ipid`).int(0, 0xffff);
    this.tcb = t;
    return t;
  }

  /** A child socket of this listener (sk_clone_lock: options and buffers are inherited). */
  makeChild(): TcpSocket {
    const c = new TcpSocket(this.host, this.protocol, this.cfg);
    c.reuseAddr = this.reuseAddr;
    c.reusePort = this.reusePort;
    c.keepalive = this.keepalive;
    c.oobinline = this.oobinline;
    c.linger = { ...this.linger };
    c.rcvbuf = this.rcvbuf;
    c.sndbuf = this.sndbuf;
    c.inet.uniTtl = this.inet.uniTtl;
    c.inet.tos = this.inet.tos;
    c.port = this.port;
    c.bindPortLocked = true;
    c.ss = SS_CONNECTED;
    this.layer.addPort(c, c.port);
    return c;
  }

  // ---- Port table helpers (inet_csk_bind_conflict) ----

  /** Whether this socket's local address overlaps `addr` of another entry. */
  addrOverlaps(addr: IpAddr, o: TcpSocket): boolean {
    const a = o.tcb && o.tcb.state !== TCP_CLOSE ? o.tcb.laddr : o.boundAddr;
    return isAny(a) || isAny(addr) || a === addr;
  }

  /** The state the port table sees (LISTEN, the connection's, or CLOSE). */
  portState(): number {
    if (this.listener) return TCP_LISTEN;
    return this.tcb ? this.tcb.state : TCP_CLOSE;
  }

  /** inet_lhash2 scoring: an exact local address beats the wildcard; -1 when it does not match. */
  listenScore(v: 4 | 6, laddr: IpAddr): number {
    if (v !== 4) return -1;
    if (isAny(this.boundAddr)) return 1;
    return this.boundAddr === laddr ? 2 : -1;
  }

  /** The host crashed: forget everything, send nothing. */
  vanish(): void {
    if (this.listener) this.listener.vanish();
    if (this.tcb) clearTimers(this.tcb);
    this.listener = null;
  }

  // ---- Socket calls ----

  override bind(addr: Uint8Array): number {
    const ep = decodeInet4(addr);
    let a: number, p: number;
    if ('errno' in ep) {
      // inet_bind: AF_UNSPEC is taken as AF_INET only with INADDR_ANY (compatibility), else EAFNOSUPPORT.
      if (ep.errno !== 0) return -ep.errno;
      const dv = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
      if (dv.getUint32(4, false) !== INADDR_ANY) return -Errno.EAFNOSUPPORT;
      a = INADDR_ANY;
      p = dv.getUint16(2, false);
    } else {
      a = ep.addr;
      p = ep.port;
    }
    if (a !== INADDR_ANY && !this.host.ipv4.isLocal(a) && !this.freebindOk()) return -Errno.EADDRNOTAVAIL;
    if (this.port !== 0 || this.tcb || this.listener) return -Errno.EINVAL;
    if (p === 0) {
      const q = this.layer.bindPort(this, a);
      if (q < 0) return q;
      p = q;
    } else if (this.layer.conflict(this, a, p, false)) {
      return -Errno.EADDRINUSE;
    }
    this.boundAddr = a;
    this.port = p;
    this.bindAddrLocked = a !== INADDR_ANY;
    this.bindPortLocked = ep && 'port' in ep ? ep.port !== 0 : p !== 0;
    this.layer.addPort(this, p);
    return 0;
  }

  private freebindOk(): boolean {
    return false;
  }

  override connect(addr: Uint8Array, nonblocking: boolean): number {
    if (addr.length >= 2 && (addr[0]! | (addr[1]! << 8)) === AF_UNSPEC) return this.disconnect();
    switch (this.ss) {
      case SS_CONNECTED:
        return -Errno.EISCONN;
      case SS_CONNECTING: {
        const r = this.connectResult();
        if (r === -Errno.EAGAIN) return nonblocking ? -Errno.EALREADY : -Errno.EAGAIN;
        return r;
      }
    }
    if (this.listener || (this.tcb && this.tcb.state !== TCP_CLOSE && this.tcb.state !== TCP_TIME_WAIT)) return -Errno.EISCONN;
    const ep = decodeInet4(addr);
    if ('errno' in ep) return -(ep.errno || Errno.EAFNOSUPPORT);
    const r = this.startConnect(ep.addr, ep.port);
    if (r < 0) return r;
    this.ss = SS_CONNECTING;
    return nonblocking ? -Errno.EINPROGRESS : -Errno.EAGAIN;
  }

  /** tcp_v4_connect(): route, source address, port, ISN, then the SYN (tcp_connect). */
  private startConnect(daddr: number, dport: number): number {
    const ipv4 = this.host.ipv4;
    if (daddr === INADDR_ANY) daddr = 0x7f000001; // connecting to 0.0.0.0 means this host (inet_addr_type)
    const route = ipv4.route(daddr);
    if (!route || ipv4.isGroupAddress(daddr)) return -Errno.ENETUNREACH;
    let saddr = this.boundAddr;
    if (saddr === INADDR_ANY) {
      const s = ipv4.selectSource(daddr);
      if (s === undefined) return -Errno.ENETUNREACH;
      saddr = s;
    }
    let lport = this.port;
    if (lport === 0) {
      const p = this.layer.connectPort(this);
      if (p < 0) return p;
      lport = p;
      this.layer.addPort(this, lport);
    } else if (this.layer.lookup(saddr, lport, daddr, dport)) {
      return -Errno.EADDRNOTAVAIL;
    }
    this.port = lport;
    if (!this.bindAddrLocked) this.boundAddr = saddr;
    const now = this.host.sim.now;
    const sc = this.layer.sysctl;
    const t = this.attachTcb();
    t.v = 4;
    t.laddr = saddr;
    t.lport = lport;
    t.raddr = daddr;
    t.rport = dport;
    t.iss = secureIsn(this.layer.isnSecret, saddr, lport, daddr, dport, now);
    this.host.sim.decide(`host:${this.host.name}:tcp`, 'isn', t.iss);
    t.tsOff = sc.timestamps ? secureTsOffset(this.layer.tsSecret, saddr, daddr) : 0;
    const mtu = this.layer.routeMtu(4, daddr);
    let advmss = this.layer.advmssFor(4, mtu);
    if (t.userMss) {
      t.mssClamp = t.userMss;
      if (t.userMss < advmss) advmss = t.userMss;
    }
    t.advmss = advmss;
    t.tcpHeaderLen = sc.timestamps ? 32 : 20;
    t.maxWindow = 0;
    syncMss(t, mtu);
    const w = selectInitialWindow(t, fullSpace(t), t.advmss, this.cfg.windowClamp, sc.windowScaling);
    t.rcvWnd = w.rcvWnd;
    t.windowClamp = w.windowClamp;
    t.rcvWscale = w.wscale;
    t.rcvSsthresh = t.rcvWnd;
    t.sndUna = t.sndNxt = t.sndSml = t.sndUp = t.iss;
    t.writeSeq = t.pushedSeq = t.sndBufSeq = (t.iss + 1) >>> 0;
    t.rcvNxt = t.rcvWup = t.copiedSeq = 0;
    t.rcvTstamp = now;
    t.synSentAt = now;
    t.rto = TCP_TIMEOUT_INIT;
    setState(t, TCP_SYN_SENT);
    this.layer.hash(t);
    this.layer.stats.activeOpens++;
    const syn = new TxSeg(t.iss, t.writeSeq, TCP_SYN);
    syn.xmitTime = now;
    t.rtx.push(syn);
    t.tsAppend(syn);
    t.packetsOut = 1;
    t.sndNxt = t.writeSeq;
    sendSyn(t);
    armRtoAfter(t, t.rto);
    return 0;
  }

  override connectResult(): number {
    const t = this.tcb;
    if (!t) return -Errno.ECONNABORTED;
    if (t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV) return -Errno.EAGAIN;
    if (t.state === TCP_CLOSE) {
      // sock_error: the failure's errno (or ECONNABORTED), and the socket is unconnected again (tcp_disconnect).
      const e = this.takeError() || Errno.ECONNABORTED;
      this.detachConnection();
      this.ss = SS_UNCONNECTED;
      return -e;
    }
    this.ss = SS_CONNECTED;
    return 0;
  }

  /** connect(AF_UNSPEC) / tcp_disconnect(): abort the connection (RST when one is needed) and reset the socket. */
  private disconnect(): number {
    const t = this.tcb;
    if (this.listener) {
      this.listener.stop();
      this.listener = null;
    }
    if (t && t.state !== TCP_CLOSE && t.state !== TCP_TIME_WAIT) {
      if (needReset(t.state)) {
        sendActiveReset(t);
        this.soError = Errno.ECONNRESET;
      } else if (t.state === TCP_SYN_SENT) {
        this.soError = Errno.ECONNRESET;
      }
      setState(t, TCP_CLOSE);
      clearTimers(t);
    }
    this.detachConnection();
    this.ss = SS_UNCONNECTED;
    this.notify();
    return 0;
  }

  /** Lets go of the connection object; a port chosen by connect() is released (inet_put_port). */
  private detachConnection(): void {
    const t = this.tcb;
    if (t && t.state !== TCP_TIME_WAIT) {
      purgeWriteQueue(t);
      this.layer.unhash(t);
    }
    this.tcb = null;
    this.nospace = false;
    if (!this.bindPortLocked && this.port !== 0 && !(t && t.state === TCP_TIME_WAIT)) {
      this.layer.removePort(this, this.port);
      this.port = 0;
    }
    if (!this.bindAddrLocked) this.boundAddr = INADDR_ANY;
  }

  override listen(backlog: number): number {
    if (this.ss !== SS_UNCONNECTED) return -Errno.EINVAL;
    if (this.tcb && this.tcb.state !== TCP_CLOSE) return -Errno.EINVAL;
    if (this.listener) {
      this.listener.maxBacklog = backlog;
      return 0;
    }
    if (this.tcb) this.detachConnection();
    if (this.port === 0) {
      const p = this.layer.bindPort(this, this.boundAddr);
      if (p < 0) return -Errno.EAGAIN;
      this.port = p;
      this.layer.addPort(this, p);
    } else if (this.layer.conflict(this, this.boundAddr, this.port, true)) {
      return -Errno.EADDRINUSE;
    }
    this.listener = new Listener(this.layer, this);
    this.listener.maxBacklog = backlog;
    return 0;
  }

  override isListening(): boolean {
    return this.listener !== null;
  }

  override accept(): Socket | number {
    const l = this.listener;
    if (!l) return -Errno.EINVAL;
    const c = l.acceptQueue.shift();
    if (!c) return -Errno.EAGAIN;
    this.layer.stats.passiveOpens++;
    return c;
  }

  /** A listener closed before accept(): the child is reset (inet_child_forget → tcp_disconnect). */
  abortUnaccepted(): void {
    this.closed = true;
    const t = this.tcb;
    if (t && t.state !== TCP_CLOSE) {
      if (needReset(t.state)) sendActiveReset(t);
      t.dead = true;
      setState(t, TCP_CLOSE);
      clearTimers(t);
    }
    this.destroy();
  }

  /** Bytes queued for sending (sk_wmem_queued; socksim charges payload). */
  private wmemQueued(): number {
    const t = this.tcb;
    return t ? (t.writeSeq - t.sndUna) >>> 0 : 0;
  }

  /** tcp_notsent_lowat(). */
  private notsentLowat(): number {
    return this.cfg.notsentLowat || this.layer.sysctl.notsentLowat;
  }

  /** __sk_stream_is_writeable(sk, 1): a third of the buffer free, and unsent bytes × 2 under TCP_NOTSENT_LOWAT. */
  private writeable(): boolean {
    const q = this.wmemQueued();
    if (this.sndbuf - q < q >> 1) return false;
    const t = this.tcb;
    const notsent = t ? (t.writeSeq - t.sndNxt) >>> 0 : 0;
    return notsent * 2 < this.notsentLowat();
  }

  override sendmsg(data: Uint8Array, flags: number, _dest: Uint8Array | null): number {
    const t = this.tcb;
    if (!t || this.listener) return -Errno.EPIPE; // sk_stream_wait_connect: not connecting → EPIPE
    if (t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV) {
      if (this.soError) return -this.takeError();
      return -Errno.EAGAIN;
    }
    if (this.soError || t.shutdown & SEND_SHUTDOWN) return -(this.takeError() || Errno.EPIPE);
    if (t.state !== TCP_ESTABLISHED && t.state !== TCP_CLOSE_WAIT) return -(this.takeError() || Errno.EPIPE);
    if (data.length === 0) return 0;
    const queued = this.wmemQueued();
    const notsent = (t.writeSeq - t.sndNxt) >>> 0;
    const lowat = this.notsentLowat();
    if (queued >= this.sndbuf || notsent >= lowat) {
      this.nospace = true;
      return -Errno.EAGAIN;
    }
    let n = Math.min(data.length, this.sndbuf - queued);
    if (lowat < 0xffffffff) n = Math.min(n, lowat - notsent + t.mssCache);
    // tcp_slow_start_after_idle_check: a new write after an idle period restarts from the initial window.
    if (t.writeSeq === t.sndNxt && t.packetsOut === 0) idleRestart(t);
    // Data appended to a still unsent tail joins that segment: the earlier write's push mark moves (tcp_sendmsg).
    const marks = t.pushMarks;
    if (marks.length > 0 && marks[marks.length - 1] === t.writeSeq && t.writeSeq !== t.sndNxt) marks.pop();
    t.sendBuf.append(data, 0, n);
    t.writeSeq = (t.writeSeq + n) >>> 0;
    if (flags & MSG_OOB) {
      // tcp_mark_urg: the urgent pointer follows the last byte of this write (BSD semantics).
      t.sndUp = t.writeSeq;
      t.urgMode = true;
    }
    if (!(flags & MSG_MORE) || ((t.writeSeq - t.pushedSeq) | 0) > t.maxWindow >> 1) {
      marks.push(t.writeSeq);
      t.pushedSeq = t.writeSeq;
    }
    pushPending(t, flags & MSG_MORE ? NAGLE_CORK : nagleMode(t));
    if (n < data.length) this.nospace = true;
    return n;
  }

  override recvmsg(len: number, flags: number): RecvResult | number {
    if (this.listener) return -Errno.ENOTCONN;
    const t = this.tcb;
    if (flags & MSG_OOB) return this.recvUrg(len, flags);
    if (!t) return -Errno.ENOTCONN;
    const peek = (flags & MSG_PEEK) !== 0;
    let avail = t.rcvQueue.bytes;
    let skipUrg = 0;
    // tcp_recvmsg tests urg_data whatever its state: after recv(MSG_OOB) read the byte (URG_READ) it must still be
    // stepped over, or it would be read a second time as ordinary data.
    if (avail > 0 && t.urgData && len > 0) {
      const off = (t.urgSeq - t.copiedSeq) | 0;
      if (off === 0 && !this.oobinline) {
        // The urgent byte sits at the read position: step over it (it is read with MSG_OOB).
        skipUrg = 1;
        avail--;
      } else if (off > 0 && off < avail) {
        avail = off; // stop at the mark
      }
    }
    // SO_RCVLOWAT: a blocking read waits for min(rcvlowat, len) bytes unless the stream ends first (tcp_recvmsg).
    if (avail > 0 && avail < Math.min(this.rcvlowat, len) && !t.done && !this.soError && !(t.shutdown & RCV_SHUTDOWN)) {
      return -Errno.EAGAIN;
    }
    if (avail > 0 && len > 0) {
      const n = Math.min(len, avail);
      const data = flags & MSG_TRUNC ? new Uint8Array(0) : t.rcvQueue.read(n, peek, skipUrg);
      if (!peek) {
        if (flags & MSG_TRUNC) t.rcvQueue.discard(skipUrg + n);
        t.copiedSeq = (t.copiedSeq + n + skipUrg) >>> 0;
        if (t.urgData && ((t.copiedSeq - t.urgSeq) | 0) > 0) t.urgData = 0;
        rcvSpaceAdjust(t);
        cleanupRbuf(t, n);
      }
      return { data, ret: n, from: null, msgFlags: 0 };
    }
    if (skipUrg && !peek) {
      t.rcvQueue.discard(1);
      t.copiedSeq = (t.copiedSeq + 1) >>> 0;
      t.urgData = 0;
    }
    if (len === 0) return { data: new Uint8Array(0), ret: 0, from: null, msgFlags: 0 };
    if (t.done) return { data: new Uint8Array(0), ret: 0, from: null, msgFlags: 0 };
    if (this.soError) return -this.takeError();
    if (t.shutdown & RCV_SHUTDOWN) return { data: new Uint8Array(0), ret: 0, from: null, msgFlags: 0 };
    if (t.state === TCP_CLOSE) return -Errno.ENOTCONN;
    return -Errno.EAGAIN;
  }

  /** tcp_recv_urg(): recv(MSG_OOB) returns the urgent byte once; EINVAL when there is none or with SO_OOBINLINE. */
  private recvUrg(len: number, flags: number): RecvResult | number {
    const t = this.tcb;
    if (this.oobinline || !t || !t.urgData || t.urgData === URG_READ) return -Errno.EINVAL;
    if (t.state === TCP_CLOSE && !t.done) return -Errno.ENOTCONN;
    if (t.urgData & URG_VALID) {
      const c = t.urgData & 0xff;
      if (!(flags & MSG_PEEK)) t.urgData = URG_READ;
      if (len > 0) return { data: Uint8Array.of(c), ret: 1, from: null, msgFlags: MSG_OOB };
      return { data: new Uint8Array(0), ret: 0, from: null, msgFlags: MSG_OOB | MSG_TRUNC };
    }
    if (t.state === TCP_CLOSE || t.shutdown & RCV_SHUTDOWN) return { data: new Uint8Array(0), ret: 0, from: null, msgFlags: 0 };
    return -Errno.EAGAIN; // never blocks
  }

  override inq(): number {
    const t = this.tcb;
    if (!t || this.listener) return 0;
    return t.rcvQueue.bytes;
  }

  override shutdown(how: number): number {
    const bits = how + 1;
    if (this.listener) {
      if (bits & RCV_SHUTDOWN) this.disconnect();
      return 0;
    }
    const t = this.tcb;
    if (!t || t.state === TCP_CLOSE) {
      this.notify();
      return -Errno.ENOTCONN;
    }
    if (t.state === TCP_SYN_SENT) {
      this.disconnect();
      return 0;
    }
    t.shutdown |= bits;
    if (bits & SEND_SHUTDOWN && (t.state === TCP_ESTABLISHED || t.state === TCP_SYN_RECV || t.state === TCP_CLOSE_WAIT)) {
      if (closeState(t)) sendFin(t);
    }
    this.notify();
    return 0;
  }

  /** Our FIN once a SYN_RECV connection with SEND_SHUTDOWN reaches ESTABLISHED. */
  sendFinNow(): void {
    const t = this.tcb;
    if (t && closeState(t)) sendFin(t);
  }

  /** tcp_fin_time(): how long an orphan may sit in FIN_WAIT2 (TCP_LINGER2 or tcp_fin_timeout, ≥ 3.5 RTO). */
  finTimeout(t: Tcb): number {
    let fin = t.linger2Ns || this.layer.sysctl.finTimeoutNs;
    const rto = t.rto;
    if (fin < rto * 4 - rto / 2) fin = rto * 4 - rto / 2;
    return fin;
  }

  /** close(2) of the last fd (tcp_close). */
  override release(): void {
    this.closed = true;
    if (!this.host.up) return this.vanish();
    if (this.listener) {
      this.listener.stop();
      this.listener = null;
      this.destroy();
      return;
    }
    const t = this.tcb;
    if (!t || t.state === TCP_CLOSE) {
      this.destroy();
      return;
    }
    if (t.state === TCP_TIME_WAIT) {
      t.dead = true;
      return;
    }
    const unread = t.rcvQueue.bytes;
    t.rcvQueue.clear();
    t.shutdown = RCV_SHUTDOWN | SEND_SHUTDOWN;
    t.dead = true;
    if (unread > 0) {
      // RFC 2525 §2.17: unread data is lost, so reset rather than FIN.
      setState(t, TCP_CLOSE);
      sendActiveReset(t);
    } else if (this.linger.onoff && this.linger.secs === 0 && !this.host.profile.deviations.lingerIgnored) {
      // SO_LINGER {1, 0}: abort (tcp_disconnect).
      if (needReset(t.state)) sendActiveReset(t);
      setState(t, TCP_CLOSE);
    } else if (closeState(t)) {
      sendFin(t);
    }
    if (t.state === TCP_FIN_WAIT2) {
      if (t.linger2Ns < 0) {
        setState(t, TCP_CLOSE);
        sendActiveReset(t);
      } else {
        const tmo = this.finTimeout(t);
        if (tmo > TCP_TIMEWAIT_LEN) t.keepaliveTimer.arm(tmo - TCP_TIMEWAIT_LEN);
        else {
          enterTimeWait(t, TCP_FIN_WAIT2, tmo);
          return;
        }
      }
    }
    if (t.state === TCP_CLOSE) {
      clearTimers(t);
      this.destroy();
    }
  }

  /** inet_csk_destroy_sock(): the socket and its connection are gone; the port is free. */
  private destroy(): void {
    const t = this.tcb;
    if (t) {
      clearTimers(t);
      this.layer.unhash(t);
    }
    if (this.port !== 0) this.layer.removePort(this, this.port);
    this.notify();
  }

  // ---- Notifications from the protocol ----

  /** tcp_done() / TIME_WAIT reached: wake waiters; an orphan is destroyed once closed. */
  connectionDone(t: Tcb): void {
    if (t !== this.tcb) return;
    if (this.closed && t.state === TCP_CLOSE) {
      this.destroy();
      return;
    }
    this.nospace = false;
    this.notify();
  }

  /** sk_state_change. */
  stateChanged(): void {
    this.notify();
  }

  /** tcp_data_ready(): wake readers once SO_RCVLOWAT bytes are in (or the stream ended, or memory is short). */
  dataReady(): void {
    const t = this.tcb;
    if (t && this.rcvlowat > 1 && !t.done && t.rcvQueue.bytes < this.rcvlowat && t.receiveWindow() > t.rcvMss) return;
    this.notify();
  }

  /** SIGURG / POLLPRI: urgent data announced. */
  urgentNotice(): void {
    this.notify();
  }

  /** tcp_check_space(): after ACKs freed buffer space, grow sndbuf with cwnd and wake a writer waiting for room. */
  checkSpace(): void {
    const t = this.tcb;
    if (t && !t.sndbufLocked && t.inFlight() < t.cwnd) sndbufExpand(t);
    if (this.nospace && this.writeable()) {
      this.nospace = false;
      this.notify();
    }
  }

  override solSocketChanged(name: number): void {
    const t = this.tcb;
    switch (name) {
      case SO_KEEPALIVE:
        if (t && t.state !== TCP_LISTEN) {
          if (this.keepalive) keepaliveStart(t);
          else keepaliveStop(t);
        }
        break;
      case SO_SNDBUF: case SO_SNDBUFFORCE:
        this.cfg.sndbufLocked = true;
        if (t) t.sndbufLocked = true;
        this.checkSpace();
        break;
      case SO_RCVBUF: case SO_RCVBUFFORCE:
        this.cfg.rcvbufLocked = true;
        if (t) t.rcvbufLocked = true;
        break;
      case SO_RCVLOWAT: {
        // tcp_set_rcvlowat: capped at half the (possible) buffer, which grows to hold it.
        const cap = this.cfg.rcvbufLocked ? this.rcvbuf >> 1 : this.layer.sysctl.rmem[2] >> 1;
        this.rcvlowat = Math.max(1, Math.min(this.rcvlowat, cap));
        if (!this.cfg.rcvbufLocked) {
          const space = this.rcvlowat * 2;
          if (space > this.rcvbuf) {
            this.rcvbuf = space;
            if (t) t.windowClamp = this.rcvlowat;
          }
        }
        this.dataReady();
        break;
      }
    }
  }

  override setProtoOpt(level: number, name: number, value: Uint8Array): number {
    return setTcpOpt(this, level, name, value);
  }

  override getProtoOpt(level: number, name: number): Uint8Array | number {
    return getTcpOpt(this, level, name);
  }

  override localName(): Uint8Array {
    const t = this.tcb;
    if (t && t.state !== TCP_CLOSE) return inet4Bytes(t.laddr as number, t.lport);
    return inet4Bytes(this.boundAddr as number, this.port);
  }

  override peerName(): Uint8Array | number {
    const t = this.tcb;
    if (!t || this.listener || this.ss !== SS_CONNECTED && t.state !== TCP_ESTABLISHED) {
      if (!t || t.state === TCP_CLOSE || t.state === TCP_SYN_SENT) return -Errno.ENOTCONN;
    }
    if (t.state === TCP_CLOSE && this.ss !== SS_CONNECTED) return -Errno.ENOTCONN;
    return inet4Bytes(t.raddr as number, t.rport);
  }

  /** tcp_poll(). */
  poll(): number {
    if (this.listener) return this.listener.acceptQueue.length > 0 ? POLLIN | POLLRDNORM : 0;
    const t = this.tcb;
    const state = t ? t.state : TCP_CLOSE;
    const shut = t ? t.shutdown : 0;
    let mask = 0;
    if (shut === (RCV_SHUTDOWN | SEND_SHUTDOWN) || state === TCP_CLOSE) mask |= POLLHUP;
    if (shut & RCV_SHUTDOWN) mask |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (state !== TCP_SYN_SENT && state !== TCP_SYN_RECV) {
      if (t) {
        let target = Math.max(1, this.rcvlowat);
        if (t.urgData && t.urgSeq === t.copiedSeq && !this.oobinline) target++;
        const avail = ((t.rcvNxt - t.copiedSeq) | 0);
        if (avail > 0 && (avail >= target || t.receiveWindow() <= t.rcvMss)) mask |= POLLIN | POLLRDNORM;
      }
      if (!(shut & SEND_SHUTDOWN)) {
        if (this.writeable()) mask |= POLLOUT | POLLWRNORM;
        else this.nospace = true;
      } else {
        mask |= POLLOUT | POLLWRNORM;
      }
      if (t && t.urgData & URG_VALID) mask |= POLLPRI;
    }
    if (this.soError) mask |= POLLERR;
    return mask;
  }
}

/** tcp_need_reset(): states where an abort must tell the peer. */
function needReset(state: number): boolean {
  return state === TCP_ESTABLISHED || state === TCP_CLOSE_WAIT || state === TCP_FIN_WAIT1 || state === TCP_FIN_WAIT2
    || state === TCP_SYN_RECV;
}

/** tcp_close_state(): the state close() or shutdown(SHUT_WR) moves to, and whether a FIN must go (RFC 9293 §3.6). */
function closeState(t: Tcb): boolean {
  switch (t.state) {
    case TCP_ESTABLISHED: case TCP_SYN_RECV:
      setState(t, TCP_FIN_WAIT1);
      return true;
    case TCP_CLOSE_WAIT:
      setState(t, TCP_LAST_ACK);
      return true;
    case TCP_SYN_SENT: case TCP_LISTEN:
      setState(t, TCP_CLOSE);
      return false;
    default:
      return false;
  }
}

/** tcp_send_fin(): queue our FIN after the data and push without Nagle. */
function sendFin(t: Tcb): void {
  t.finQueued = true;
  if (t.state === TCP_SYN_RECV || t.state === TCP_SYN_SENT) return;
  pushPending(t, NAGLE_OFF);
}

/** tcp_cwnd_restart(): after idling longer than an RTO, cwnd falls back toward the initial window. */
function idleRestart(t: Tcb): void {
  if (!t.layer.sysctl.slowStartAfterIdle || t.packetsOut) return;
  let delta = t.layer.host.sim.now - t.lsndtime;
  if (delta <= t.rto) return;
  const restart = Math.min(10, t.cwnd);
  t.ssthresh = Math.max(t.ssthresh, (t.cwnd >> 1) + (t.cwnd >> 2));
  let cwnd = t.cwnd;
  while ((delta -= t.rto) > 0 && cwnd > restart) cwnd >>= 1;
  t.cwnd = Math.max(cwnd, restart);
  t.cwndStamp = t.layer.host.sim.now;
  t.sndCwndUsed = 0;
}

/** __tcp_cleanup_rbuf(): ACK now if a read emptied a queue of pushed data or opened the window a lot. */
function cleanupRbuf(t: Tcb, copied: number): void {
  let timeToAck = false;
  if (t.ackPending & 1) {
    if (((t.rcvNxt - t.rcvWup) >>> 0) > t.rcvMss
      || (copied > 0 && (t.ackPending & 8 || (t.ackPending & 4 && t.pingpong < t.layer.sysctl.pingpongThresh))
        && t.rcvQueue.bytes === 0 && t.ooo.empty)) {
      timeToAck = true;
    }
  }
  if (copied > 0 && !timeToAck && !(t.shutdown & RCV_SHUTDOWN)) {
    const now = t.receiveWindow();
    if (2 * now <= t.windowClamp) {
      const nw = rawWindow(t);
      if (nw && nw >= 2 * now) timeToAck = true;
    }
  }
  if (timeToAck) sendAck(t);
}

import { rawSelectWindow as rawWindow } from './window.js';

export { TCP_CLOSING, TCP_FIN_WAIT1, TCP_TIMEOUT_INIT, enterTimeWait, tcpDone };
