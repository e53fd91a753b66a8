/**
 * SOCK_STREAM sockets over TCP (tcp(7)), AF_INET and AF_INET6 (dual stack through v4-mapped addresses unless
 * IPV6_V6ONLY): addressing and connection setup with Linux's semantics (inet_bind, inet_stream_connect,
 * tcp_v4_connect / tcp_v6_connect, inet_listen, inet_accept). Data calls live in tcp-data.ts, shutdown and close
 * in tcp-close.ts. The connection itself is a Tcb; after close() it may live on as an orphan.
 */
import {
  AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_TCP, SOCK_STREAM, SO_KEEPALIVE, SO_RCVBUF, SO_RCVBUFFORCE, SO_RCVLOWAT,
  SO_SNDBUF, SO_SNDBUFFORCE, TCP_CM_INQ,
} from '../constants.js';
import { Errno } from '../errno.js';
import type { Host } from '../host.js';
import { InetOptions } from '../inet-opts.js';
import { ErrorQueue } from '../err-queue.js';
import { Socket, type CloseWait, type RecvResult } from '../socket.js';
import { TCP_SYN } from '../wire/tcp.js';
import type { TcpLayer } from './layer.js';
import { addrEq } from './layer.js';
import { Listener } from './listen.js';
import { secureIsn, secureTsOffset, type IpAddr } from './isn.js';
import { TCP_CLOSE, TCP_LISTEN, TCP_SYN_SENT, TCP_TIMEOUT_INIT, TCP_TIME_WAIT, Tcb, TxSeg } from './tcb.js';
import { selectInitialWindow, syncMss, fullSpace } from './window.js';
import { sendSyn } from './output.js';
import { clearTimers, purgeWriteQueue, setState, sndbufExpand } from './conn.js';
import { armRtoAfter } from './xmit-timer.js';
import { keepaliveStart, keepaliveStop } from './timers.js';
import { newCongestion, TcpConfig } from './config.js';
import { getTcpOpt, setTcpOpt } from './sockopt.js';
import { anyOf, bindingsOverlap, decodeFor, isAnyAddr, isLocalAddr, selfFor, sockaddrFor, type PortBinding } from './family.js';
import { inqHint, tcpInq, tcpPoll, tcpRecvmsg, tcpSendmsg, writeable } from './tcp-data.js';
import {
  abortChild, disconnect, finTimeout, lingerSettled, sendFinNow, tcpLingerDone, tcpRelease, tcpShutdown,
} from './tcp-close.js';

/** Socket-level connection states (socket->state). */
export const SS_UNCONNECTED = 0, SS_CONNECTING = 1, SS_CONNECTED = 2;

/** A TCP socket. */
export class TcpSocket extends Socket implements PortBinding {
  readonly layer: TcpLayer;
  /** Local address (the family's wildcard when unbound; an IPv4 number for a v4-mapped bind) and port. */
  boundAddr: IpAddr;
  port = 0;
  /** SOCK_BINDADDR_LOCK / SOCK_BINDPORT_LOCK: bind() chose them. */
  bindAddrLocked = false;
  bindPortLocked = false;
  /** IPV6_V6ONLY. */
  v6only = false;
  /** IP_BIND_ADDRESS_NO_PORT. */
  bindNoPort = false;
  tcb: Tcb | null = null;
  listener: Listener | null = null;
  ss = SS_UNCONNECTED;
  /** TCP options set on the socket (copied into each connection). */
  readonly cfg: TcpConfig;
  /** IPPROTO_IP options (IP_TTL, IP_TOS); IPv6 hop limit and traffic class. */
  readonly inet = new InetOptions();
  /** IP_RECVERR's error queue: an ICMP error that ended a connect is queued here (tcp_v4_err → ip_icmp_error). */
  readonly errQueue = new ErrorQueue();
  hopLimit = -1;
  tclass = 0;
  /** A writer found no room (SOCK_NOSPACE): wake it when a third of the buffer is free again. */
  nospace = false;
  /** While close(2) waits for SO_LINGER: the virtual time it gives up (else null). */
  lingerUntil: number | null = null;
  /** inet_sport after a failed connect: the port is released but getsockname still shows it (tcp_done). */
  private stalePort = 0;

  constructor(host: Host, domain: number, protocol: number, cfg?: TcpConfig) {
    super(host, domain, SOCK_STREAM, protocol || IPPROTO_TCP);
    this.layer = host.tcp;
    this.boundAddr = anyOf(domain);
    this.cfg = cfg ? cfg.clone() : new TcpConfig(this.layer.sysctl.congestionControl);
    // tcp_init_sock: sk_sndbuf = tcp_wmem[1], sk_rcvbuf = tcp_rmem[1].
    this.sndbuf = this.layer.sysctl.wmem[1];
    this.rcvbuf = this.layer.sysctl.rmem[1];
  }

  /** PortBinding: the family. */
  get domainOf(): number {
    return this.domain;
  }

  /** The local address the port table sees: the connection's when connected, else the bound one. */
  get addr(): IpAddr {
    const t = this.tcb;
    return t && t.state !== TCP_CLOSE ? t.laddr : this.boundAddr;
  }

  /** TTL / hop limit for outgoing segments. */
  ttlFor(v: 4 | 6): number {
    if (v === 4) return this.inet.ttl;
    return this.hopLimit < 0 ? 64 : this.hopLimit;
  }

  /** TOS / traffic class for outgoing segments. */
  tosFor(v: 4 | 6): number {
    return v === 4 ? this.inet.tos : this.tclass;
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
    const c = new TcpSocket(this.host, this.domain, this.protocol, this.cfg);
    c.reuseAddr = this.reuseAddr;
    c.reusePort = this.reusePort;
    c.keepalive = this.keepalive;
    c.oobinline = this.oobinline;
    c.linger = { ...this.linger };
    c.rcvbuf = this.rcvbuf;
    c.sndbuf = this.sndbuf;
    c.inet.uniTtl = this.inet.uniTtl;
    c.inet.tos = this.inet.tos;
    c.hopLimit = this.hopLimit;
    c.tclass = this.tclass;
    c.v6only = this.v6only;
    c.port = this.port;
    c.bindPortLocked = true;
    c.ss = SS_CONNECTED;
    this.layer.addPort(c, c.port);
    return c;
  }

  // ---- Port table (inet_csk_bind_conflict, inet_lhash2 scoring) ----

  /** Whether this socket bound to `addr` would overlap another socket's binding. */
  addrOverlaps(addr: IpAddr, o: TcpSocket): boolean {
    return bindingsOverlap({ domain: this.domain, addr, v6only: this.v6only }, o);
  }

  /** The state the port table sees (LISTEN, the connection's, or CLOSE). */
  portState(): number {
    if (this.listener) return TCP_LISTEN;
    return this.tcb ? this.tcb.state : TCP_CLOSE;
  }

  /** How well this listener matches a segment to (v, laddr): an exact address beats a wildcard; -1: no match. */
  listenScore(v: 4 | 6, laddr: IpAddr): number {
    const b = this.boundAddr;
    if (v === 4) {
      if (typeof b === 'number') return b === 0 ? (this.domain === AF_INET ? 2 : 1) : b === laddr ? 4 : -1;
      return isAnyAddr(b) && !this.v6only ? 1 : -1;
    }
    if (typeof b === 'number') return -1;
    return isAnyAddr(b) ? 2 : addrEq(b, laddr) ? 4 : -1;
  }

  /** The host crashed: forget everything, send nothing. */
  vanish(): void {
    if (this.listener) this.listener.vanish();
    if (this.tcb) clearTimers(this.tcb);
    this.listener = null;
  }

  // ---- Socket calls ----

  override bind(addr: Uint8Array): number {
    let ep = decodeFor(this.domain, addr);
    if (ep === null) {
      // inet_bind: AF_UNSPEC is taken as AF_INET only with INADDR_ANY (compatibility), else EAFNOSUPPORT.
      const dv = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
      if (dv.getUint32(4, false) !== 0) return -Errno.EAFNOSUPPORT;
      ep = { v: 4, addr: 0, port: dv.getUint16(2, false), scopeId: 0 };
    }
    if (typeof ep === 'number') return ep;
    if (this.domain === AF_INET6 && ep.v === 4 && this.v6only) return -Errno.EINVAL;
    const a = ep.addr;
    // inet_addr_valid_or_nonlocal: IP_FREEBIND lets bind() take an address the host does not have.
    if (!isAnyAddr(a) && !isLocalAddr(this.host, a) && !this.inet.freebind) return -Errno.EADDRNOTAVAIL;
    if (this.port !== 0 || this.tcb || this.listener) return -Errno.EINVAL;
    let p = ep.port;
    if (p === 0 && this.bindNoPort && !isAnyAddr(a)) {
      // The address is fixed now, the port at connect() (inet_bind with BIND_NO_PORT).
      this.boundAddr = a;
      this.bindAddrLocked = true;
      if (typeof a !== 'number') this.v6only = true;
      return 0;
    }
    if (p === 0) {
      const q = this.layer.bindPort(this, a);
      if (q < 0) return q;
      p = q;
    } else if (this.layer.conflict(this, a, p, false)) {
      return -Errno.EADDRINUSE;
    }
    this.boundAddr = a;
    // inet6_bind: an IPv6 (not v4-mapped) address makes the socket IPv6-only.
    if (typeof a !== 'number' && !isAnyAddr(a)) this.v6only = true;
    this.port = p;
    this.bindAddrLocked = !isAnyAddr(a);
    this.bindPortLocked = ep.port !== 0;
    this.layer.addPort(this, p);
    return 0;
  }

  override connect(addr: Uint8Array, nonblocking: boolean): number {
    if (addr.length >= 2 && (addr[0]! | (addr[1]! << 8)) === AF_UNSPEC) return disconnect(this);
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
    const ep = decodeFor(this.domain, addr);
    if (ep === null) return -Errno.EAFNOSUPPORT;
    if (typeof ep === 'number') return ep;
    if (ep.v === 4 && this.domain === AF_INET6 && this.v6only) return -Errno.ENETUNREACH;
    const r = this.startConnect(ep.v, isAnyAddr(ep.addr) ? selfFor(ep.v) : ep.addr, ep.port);
    if (r < 0) return r;
    this.ss = SS_CONNECTING;
    return nonblocking ? -Errno.EINPROGRESS : -Errno.EAGAIN;
  }

  /** tcp_v4_connect / tcp_v6_connect: route, source address, port, ISN, then the SYN (tcp_connect). */
  private startConnect(v: 4 | 6, daddr: IpAddr, dport: number): number {
    const layer = this.layer;
    if (!layer.routeOk(v, daddr)) return -Errno.ENETUNREACH;
    let saddr: IpAddr = this.boundAddr;
    if (isAnyAddr(saddr) || typeof saddr !== (v === 4 ? 'number' : 'object')) {
      const s = layer.selectSource(v, daddr);
      if (s === undefined) return -Errno.ENETUNREACH;
      saddr = s;
    }
    let lport = this.port;
    this.stalePort = 0;
    if (lport === 0) {
      const p = layer.connectPort();
      if (p < 0) return p;
      lport = p;
      layer.addPort(this, lport);
    } else if (layer.lookup(saddr, lport, daddr, dport)) {
      return -Errno.EADDRNOTAVAIL;
    }
    this.port = lport;
    if (!this.bindAddrLocked) this.boundAddr = saddr;
    const now = this.host.sim.now;
    const sc = layer.sysctl;
    const t = this.attachTcb();
    t.v = v;
    t.laddr = saddr;
    t.lport = lport;
    t.raddr = daddr;
    t.rport = dport;
    t.iss = secureIsn(layer.isnSecret, saddr, lport, daddr, dport, now);
    this.host.sim.decide(`host:${this.host.name}:tcp`, 'isn', t.iss);
    t.tsOff = sc.timestamps ? secureTsOffset(layer.tsSecret, saddr, daddr) : 0;
    const mtu = layer.routeMtu(v, daddr);
    let advmss = layer.advmssFor(v, mtu);
    if (t.userMss) {
      t.mssClamp = t.userMss;
      if (t.userMss < advmss) advmss = t.userMss;
    }
    t.advmss = advmss;
    t.tcpHeaderLen = sc.timestamps ? 32 : 20;
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
    layer.hash(t);
    layer.stats.activeOpens++;
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
    if (t.state === TCP_SYN_SENT || t.state === 3 /* SYN_RECV */) return -Errno.EAGAIN;
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

  /** Lets go of the connection object; a port chosen by connect() is released (inet_put_port). */
  detachConnection(): void {
    const t = this.tcb;
    if (t && t.state !== TCP_TIME_WAIT) {
      purgeWriteQueue(t);
      this.layer.unhash(t);
    }
    this.tcb = null;
    this.nospace = false;
    if (!this.bindPortLocked && this.port !== 0 && !(t && t.state === TCP_TIME_WAIT)) {
      this.layer.removePort(this, this.port);
      this.stalePort = this.port;
      this.port = 0;
    }
    if (!this.bindAddrLocked) this.boundAddr = anyOf(this.domain);
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
    abortChild(this);
  }

  override sendmsg(data: Uint8Array, flags: number, _dest: Uint8Array | null): number {
    return tcpSendmsg(this, data, flags);
  }

  override recvmsg(len: number, flags: number): RecvResult | number {
    return tcpRecvmsg(this, len, flags);
  }

  /**
   * tcp_recvmsg(): with TCP_INQ set, every successful read (EOF included) carries SOL_TCP/TCP_CM_INQ, after the
   * receive timestamp when there is one.
   */
  override recvmsgEx(len: number, flags: number, _controlLen: number, into?: Uint8Array): RecvResult | number {
    const r = tcpRecvmsg(this, len, flags, into);
    if (typeof r === 'number' || !this.cfg.inq || this.listener) return r;
    const v = new Uint8Array(4);
    new DataView(v.buffer).setInt32(0, inqHint(this), true);
    const inq = { level: IPPROTO_TCP, type: TCP_CM_INQ, data: v };
    r.control = { cmsgs: [...(r.control?.cmsgs ?? []), inq] };
    return r;
  }

  override inq(): number {
    return tcpInq(this);
  }

  /** recvmsg(MSG_ERRQUEUE) (ip_recv_error): never waits; reading the last entry clears SO_ERROR. */
  override recvErrQueue(len: number): RecvResult | number {
    return this.errQueue.recv(len, (e) => {
      this.soError = e;
    });
  }

  override shutdown(how: number): number {
    return tcpShutdown(this, how);
  }

  /** Our FIN once a SYN_RECV connection with SEND_SHUTDOWN reaches ESTABLISHED. */
  sendFinNow(): void {
    sendFinNow(this);
  }

  /** tcp_fin_time(). */
  finTimeout(t: Tcb): number {
    return finTimeout(this, t);
  }

  /** close(2) of the last fd. */
  override release(): void {
    tcpRelease(this);
  }

  override closeWait(): CloseWait | null {
    const until = this.lingerUntil;
    if (until === null) return null;
    return { deadline: until, settled: () => lingerSettled(this), finish: () => tcpLingerDone(this) };
  }

  /** inet_csk_destroy_sock(): the socket and its connection are gone; the port is free. */
  destroy(): void {
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
    if (t && t.queueShrunk) {
      // tcp_new_space → tcp_should_expand_sndbuf: grow with cwnd while cwnd is not the limit.
      t.queueShrunk = false;
      if (!t.sndbufLocked && t.inFlight() < t.cwnd) sndbufExpand(t);
    }
    if (this.nospace && writeable(this)) {
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
        if (!this.cfg.rcvbufLocked && this.rcvlowat * 2 > this.rcvbuf) {
          this.rcvbuf = this.rcvlowat * 2;
          if (t) t.windowClamp = this.rcvlowat;
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
    if (t && t.state !== TCP_CLOSE) return sockaddrFor(this.domain, t.laddr, t.lport);
    return sockaddrFor(this.domain, this.boundAddr, this.port || this.stalePort);
  }

  override peerName(): Uint8Array | number {
    const t = this.tcb;
    if (!t || this.listener || t.state === TCP_SYN_SENT) return -Errno.ENOTCONN;
    if (t.state === TCP_CLOSE && this.ss !== SS_CONNECTED) return -Errno.ENOTCONN;
    return sockaddrFor(this.domain, t.raddr, t.rport);
  }

  /** tcp_poll(). */
  poll(): number {
    return tcpPoll(this);
  }
}

