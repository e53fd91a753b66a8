/**
 * Passive open: a listening socket's SYN queue (request socks in SYN_RECV) and accept queue, with Linux's
 * backlog rules (tcp_conn_request, tcp_check_req, inet_csk_reqsk_queue_*): the backlog is min(backlog,
 * somaxconn); the accept queue is full when it holds more than backlog children, and then SYNs are dropped and
 * handshake-completing ACKs ignored (the SYN-ACK timer retransmits, tcp_abort_on_overflow 0); the SYN queue
 * holds at most backlog requests, beyond which SYN cookies answer (tcp_syncookies 1), else SYNs are dropped.
 * SYN-ACKs are retransmitted with exponential backoff from 1 s, tcp_synack_retries times.
 */
import { MS } from '../../sim/time.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../wire/tcp.js';
import type { Seg } from './segment.js';
import { OutOpts } from './segment.js';
import { seqGt, seqLt } from './seq.js';
import type { IpAddr } from './isn.js';
import { endpointHash, secureIsn, secureTsOffset } from './isn.js';
import { LazyTimer, type TimerTarget } from './lazy-timer.js';
import { TCP_SYN_RECV, TCP_TIMEOUT_INIT, Tcb } from './tcb.js';
import { selectInitialWindow, syncMss, winFromSpace } from './window.js';
import type { TcpLayer } from './layer.js';
import type { TcpSocket } from './tcp-socket.js';
import { setState } from './conn.js';
import { tcbInput, IN_RST } from './input.js';
import { keepaliveStart } from './timers.js';

/** Linux's SYN-cookie MSS table (msstab in syncookies.c). */
const MSSTAB = [536, 1300, 1440, 1460];
/** Bits of the cookie below the minute counter. */
const COOKIEBITS = 24;
const COOKIEMASK = (1 << COOKIEBITS) - 1;
/** TS option bits a timestamp-carrying cookie encodes (TS_OPT_WSCALE_MASK, TS_OPT_SACK). */
const TS_OPT_WSCALE_MASK = 0xf, TS_OPT_SACK = 1 << 4, TSBITS = 6;

/** A half-open connection (struct request_sock). */
export class Request implements TimerTarget {
  iss = 0;
  irs = 0;
  /** Peer's MSS (after TCP_MAXSEG clamping). */
  mss = 536;
  wscaleOk = false;
  sndWscale = 0;
  sackOk = false;
  tsOk = false;
  tsRecent = 0;
  tsOff = 0;
  rcvWnd = 0;
  windowClamp = 0;
  rcvWscale = 0;
  advmss = 1460;
  numTimeout = 0;
  numRetrans = 0;
  /** The handshake ACK came while the accept queue was full (inet_rsk(req)->acked). */
  acked = false;
  sentAt = -1;
  lastOow = 0;
  readonly timer: LazyTimer;

  constructor(readonly listener: Listener, readonly v: 4 | 6, readonly laddr: IpAddr, readonly lport: number,
    readonly raddr: IpAddr, readonly rport: number) {
    this.timer = new LazyTimer(listener.layer.host.sim, this, 0);
  }

  /** The SYN-ACK timer expired (reqsk_timer_handler). */
  fireTimer(): void {
    this.listener.synackTimeout(this);
  }
}

/** A listening socket's queues. */
export class Listener {
  /** Requests by (raddr, rport) key. */
  readonly requests = new Map<string, Request>();
  /** Children ready for accept(), oldest first. */
  readonly acceptQueue: TcpSocket[] = [];
  /** sk_max_ack_backlog. */
  maxBacklog = 0;
  /** Requests that have not timed out yet (the "young" count). */
  young = 0;
  /** Last time the SYN queue overflowed (tcp_synq_overflow), for cookie validation. */
  lastOverflow = -1;

  constructor(readonly layer: TcpLayer, readonly sock: TcpSocket) {}

  private key(raddr: IpAddr, rport: number, laddr: IpAddr): string {
    return `${typeof raddr === 'number' ? raddr : raddr.join('.')}/${rport}/${typeof laddr === 'number' ? laddr : laddr.join('.')}`;
  }

  /** A segment arrived for this listener (tcp_v4_do_rcv in LISTEN). Returns true to answer with a RST. */
  input(v: 4 | 6, laddr: IpAddr, raddr: IpAddr, seg: Seg, twIsn: number): boolean {
    const req = this.requests.get(this.key(raddr, seg.sport, laddr));
    if (req) return this.checkReq(req, seg);
    if (seg.flags & TCP_RST) return false;
    if (seg.flags & TCP_ACK) {
      // An ACK with no request: maybe a SYN cookie (cookie_v4_check), else reset (RFC 9293 §3.10.7.2).
      if (!(seg.flags & TCP_SYN) && this.layer.sysctl.syncookies && this.recentOverflow()) {
        const child = this.cookieCheck(v, laddr, raddr, seg);
        if (child) return false;
      }
      return true;
    }
    if (!(seg.flags & TCP_SYN)) return false;
    this.connRequest(v, laddr, raddr, seg, twIsn);
    return false;
  }

  private recentOverflow(): boolean {
    return this.lastOverflow >= 0 && this.layer.host.sim.now - this.lastOverflow < 120_000 * MS;
  }

  /** tcp_conn_request(): a SYN. */
  private connRequest(v: 4 | 6, laddr: IpAddr, raddr: IpAddr, seg: Seg, twIsn: number): void {
    const sc = this.layer.sysctl;
    const now = this.layer.host.sim.now;
    let wantCookie = false;
    if ((sc.syncookies === 2 || this.requests.size >= this.maxBacklog) && !twIsn) {
      if (!sc.syncookies) {
        this.layer.stats.listenDrops++;
        return;
      }
      wantCookie = true;
      this.lastOverflow = now;
    }
    if (this.acceptQueue.length > this.maxBacklog) {
      // sk_acceptq_is_full: drop the SYN (LINUX_MIB_LISTENOVERFLOWS).
      this.layer.stats.listenOverflows++;
      this.layer.stats.listenDrops++;
      return;
    }
    if (!wantCookie && !twIsn && !sc.syncookies && sc.maxSynBacklog - this.requests.size < sc.maxSynBacklog >> 2) {
      this.layer.stats.listenDrops++;
      return;
    }
    const req = new Request(this, v, laddr, seg.dport, raddr, seg.sport);
    req.irs = seg.seq;
    const userMss = this.sock.userMss;
    const peerMss = seg.mss || 536;
    req.mss = userMss && userMss < peerMss ? userMss : peerMss;
    req.tsOk = seg.ts && sc.timestamps;
    req.tsRecent = req.tsOk ? seg.tsval : 0;
    req.sackOk = seg.sackOk && sc.sack;
    req.wscaleOk = seg.wscale >= 0 && sc.windowScaling;
    req.sndWscale = req.wscaleOk ? Math.min(seg.wscale, 14) : 0;
    if (wantCookie && !req.tsOk) {
      // A cookie without timestamps can only carry the MSS (tcp_clear_options).
      req.sackOk = false;
      req.wscaleOk = false;
      req.sndWscale = 0;
    }
    req.tsOff = req.tsOk ? secureTsOffset(this.layer.tsSecret, laddr, raddr) : 0;
    const mtu = this.layer.routeMtu(v, raddr);
    const advmss = this.layer.advmssFor(v, mtu);
    req.advmss = userMss && userMss < advmss ? userMss : advmss;
    this.initRwin(req);
    if (wantCookie) {
      let mssind = MSSTAB.length - 1;
      for (; mssind > 0; mssind--) if (req.mss >= MSSTAB[mssind]!) break;
      req.mss = MSSTAB[mssind]!;
      req.iss = this.cookieSeq(laddr, seg.dport, raddr, seg.sport, seg.seq, mssind);
      this.layer.host.sim.decide(`host:${this.layer.host.name}:tcp`, 'syncookie', req.iss);
      this.sendSynack(req, true);
      return;
    }
    req.iss = twIsn || secureIsn(this.layer.isnSecret, laddr, seg.dport, raddr, seg.sport, now);
    this.layer.host.sim.decide(`host:${this.layer.host.name}:tcp`, 'isn', req.iss);
    this.requests.set(this.key(raddr, seg.sport, laddr), req);
    this.young++;
    this.sendSynack(req, false);
    req.timer.arm(TCP_TIMEOUT_INIT);
  }

  /** tcp_openreq_init_rwin(): the initial window and scale offered in the SYN-ACK. */
  private initRwin(req: Request): void {
    const probe = this.layer.probeTcb(this.sock);
    const full = winFromSpace(probe, this.sock.rcvbuf);
    const mss = req.advmss - (req.tsOk ? 12 : 0);
    let clamp = this.sock.windowClampOpt;
    if (this.sock.rcvbufLocked && (clamp > full || clamp === 0)) clamp = full;
    const w = selectInitialWindow(probe, full, mss, clamp, req.wscaleOk);
    req.rcvWnd = w.rcvWnd;
    req.windowClamp = w.windowClamp;
    req.rcvWscale = w.wscale;
  }

  /** Sends (or resends) the SYN-ACK of a request (tcp_v4_send_synack). */
  private sendSynack(req: Request, cookie: boolean): void {
    const o = new OutOpts();
    o.mss = req.advmss;
    o.sackOk = req.sackOk;
    if (req.tsOk) {
      o.ts = true;
      let tsval = (Math.floor(this.layer.host.sim.now / MS)) >>> 0;
      if (cookie) {
        // cookie_init_timestamp(): the low 6 bits of TSval carry wscale and SACK-permitted.
        const opt = (req.wscaleOk ? req.sndWscale : TS_OPT_WSCALE_MASK) | (req.sackOk ? TS_OPT_SACK : 0);
        let ts = ((tsval >>> TSBITS) << TSBITS) | opt;
        if (ts > tsval) ts -= 1 << TSBITS;
        tsval = ts >>> 0;
      }
      o.tsval = (tsval + req.tsOff) >>> 0;
      o.tsecr = req.tsRecent;
    }
    if (req.wscaleOk) o.wscale = req.rcvWscale;
    req.sentAt = this.layer.host.sim.now;
    this.layer.emitRaw(req.v, req.laddr, req.raddr, req.lport, req.rport, req.iss, (req.irs + 1) >>> 0,
      TCP_SYN | TCP_ACK, Math.min(req.rcvWnd, 65535), o);
  }

  private cookieSeq(laddr: IpAddr, lport: number, raddr: IpAddr, rport: number, sseq: number, data: number): number {
    const count = Math.floor(this.layer.host.sim.now / (60_000 * MS));
    const s = this.layer.cookieSecret;
    const ports = (rport << 16) | lport;
    return (endpointHash(s, raddr, laddr, ports, 0) + sseq + count * 2 ** COOKIEBITS
      + ((endpointHash(s, raddr, laddr, ports, count + 1) + data) & COOKIEMASK)) >>> 0;
  }

  /** check_tcp_syn_cookie(): the MSS index, or -1 when the cookie is invalid or older than two minutes. */
  private cookieCheckSeq(laddr: IpAddr, lport: number, raddr: IpAddr, rport: number, cookie: number, sseq: number): number {
    const count = Math.floor(this.layer.host.sim.now / (60_000 * MS));
    const s = this.layer.cookieSecret;
    const ports = (rport << 16) | lport;
    const c = (cookie - endpointHash(s, raddr, laddr, ports, 0) - sseq) >>> 0;
    const diff = (count - (c >>> COOKIEBITS)) & 0xff;
    if (diff >= 2) return -1;
    const data = ((c - endpointHash(s, raddr, laddr, ports, count - diff + 1)) >>> 0) & COOKIEMASK;
    return data < MSSTAB.length ? data : -1;
  }

  /** cookie_v4_check(): a handshake ACK answering a SYN cookie creates the connection directly. */
  private cookieCheck(v: 4 | 6, laddr: IpAddr, raddr: IpAddr, seg: Seg): Tcb | null {
    const sc = this.layer.sysctl;
    const mssind = this.cookieCheckSeq(laddr, seg.dport, raddr, seg.sport, (seg.ack - 1) >>> 0, (seg.seq - 1) >>> 0);
    if (mssind < 0) return null;
    const req = new Request(this, v, laddr, seg.dport, raddr, seg.sport);
    req.iss = (seg.ack - 1) >>> 0;
    req.irs = (seg.seq - 1) >>> 0;
    req.mss = MSSTAB[mssind]!;
    if (seg.ts) {
      if (!sc.timestamps) return null;
      req.tsOk = true;
      req.tsRecent = seg.tsval;
      req.tsOff = secureTsOffset(this.layer.tsSecret, laddr, raddr);
      const opts = (seg.tsecr - req.tsOff) & 0x3f;
      req.sackOk = (opts & TS_OPT_SACK) !== 0 && sc.sack;
      if ((opts & TS_OPT_WSCALE_MASK) !== TS_OPT_WSCALE_MASK) {
        req.wscaleOk = sc.windowScaling;
        req.sndWscale = opts & TS_OPT_WSCALE_MASK;
      }
    }
    const mtu = this.layer.routeMtu(v, raddr);
    const advmss = this.layer.advmssFor(v, mtu);
    req.advmss = this.sock.userMss && this.sock.userMss < advmss ? this.sock.userMss : advmss;
    this.initRwin(req);
    if (this.acceptQueue.length > this.maxBacklog) return null;
    const child = this.createChild(req, seg);
    const r = tcbInput(child, seg);
    if (r === IN_RST) this.layer.replyRst(v, laddr, raddr, seg);
    this.sock.notify();
    return child;
  }

  /** tcp_check_req(): a segment for a request in the SYN queue. Returns true to answer with a RST. */
  private checkReq(req: Request, seg: Seg): boolean {
    const now = this.layer.host.sim.now;
    const pawsReject = seg.ts && req.tsOk && req.tsRecent !== 0 && ((req.tsRecent - seg.tsval) | 0) > 1;
    const flg = seg.flags & (TCP_SYN | TCP_ACK | TCP_RST | 0x01 /* FIN */);
    if (seg.seq === req.irs && flg === TCP_SYN && !pawsReject) {
      // A retransmitted SYN: resend the SYN-ACK (rate limited like other out-of-window replies).
      if (!this.oowLimited(req)) this.sendSynack(req, false);
      return false;
    }
    if (seg.flags & TCP_ACK && seg.ack !== ((req.iss + 1) >>> 0)) return true;
    const rcvNxt = (req.irs + 1) >>> 0;
    const inWin = seg.seq === rcvNxt || (seqGt(seg.end, rcvNxt) && seqLt(seg.seq, (rcvNxt + req.rcvWnd) >>> 0))
      || (seg.seq === ((rcvNxt + req.rcvWnd) >>> 0) && seg.seq === seg.end);
    if (pawsReject || !inWin) {
      if (!(seg.flags & TCP_RST) && !this.oowLimited(req)) {
        this.layer.emitRaw(req.v, req.laddr, req.raddr, req.lport, req.rport, (req.iss + 1) >>> 0, rcvNxt, TCP_ACK,
          Math.min(req.rcvWnd >>> req.rcvWscale, 65535), this.reqAckOpts(req));
      }
      return false;
    }
    if (seg.ts && !seqGt(seg.seq, rcvNxt)) req.tsRecent = seg.tsval;
    let f = seg.flags;
    if (seg.seq === req.irs) f &= ~TCP_SYN;
    if (f & (TCP_RST | TCP_SYN)) {
      this.dropRequest(req);
      return !(f & TCP_RST);
    }
    if (!(f & TCP_ACK)) return false;
    if (this.acceptQueue.length > this.maxBacklog) {
      // listen_overflow: remember the ACK came and let the SYN-ACK timer try again.
      this.layer.stats.listenOverflows++;
      if (!this.layer.sysctl.abortOnOverflow) {
        req.acked = true;
        return false;
      }
      this.dropRequest(req);
      return true;
    }
    this.dropRequest(req);
    const child = this.createChild(req, seg);
    void now;
    const r = tcbInput(child, seg);
    if (r === IN_RST) this.layer.replyRst(req.v, req.laddr, req.raddr, seg);
    this.sock.notify();
    return false;
  }

  private reqAckOpts(req: Request): OutOpts {
    const o = new OutOpts();
    if (req.tsOk) {
      o.ts = true;
      o.tsval = (Math.floor(this.layer.host.sim.now / MS) + req.tsOff) >>> 0;
      o.tsecr = req.tsRecent;
    }
    return o;
  }

  private oowLimited(req: Request): boolean {
    const now = this.layer.host.sim.now;
    if (req.lastOow > 0 && now - req.lastOow < this.layer.sysctl.invalidRatelimitNs) return true;
    req.lastOow = now || 1;
    return false;
  }

  /** Removes a request from the SYN queue. */
  dropRequest(req: Request): void {
    const k = this.key(req.raddr, req.rport, req.laddr);
    if (this.requests.get(k) === req) {
      this.requests.delete(k);
      if (req.numTimeout === 0) this.young--;
    }
    req.timer.cancel();
  }

  /**
   * tcp_v4_syn_recv_sock + tcp_create_openreq_child: the full connection, in SYN_RECV, hashed and queued for
   * accept(); the caller feeds it the ACK that completes the handshake.
   */
  private createChild(req: Request, seg: Seg): Tcb {
    const child = this.sock.makeChild();
    const t = child.attachTcb();
    t.v = req.v;
    t.laddr = req.laddr;
    t.lport = req.lport;
    t.raddr = req.raddr;
    t.rport = req.rport;
    t.iss = req.iss;
    t.irs = req.irs;
    t.sndUna = t.sndNxt = t.writeSeq = t.pushedSeq = t.sndSml = t.sndBufSeq = t.sndUp = (req.iss + 1) >>> 0;
    t.rcvNxt = t.rcvWup = t.copiedSeq = (req.irs + 1) >>> 0;
    t.sndWl1 = req.irs;
    t.tsOk = req.tsOk;
    t.tsRecent = req.tsRecent;
    t.tsRecentStamp = req.tsOk ? this.layer.host.sim.now || 1 : 0;
    t.tsOff = req.tsOff;
    t.sackOk = req.sackOk;
    t.wscaleOk = req.wscaleOk;
    t.sndWscale = req.wscaleOk ? req.sndWscale : 0;
    t.rcvWscale = req.wscaleOk ? req.rcvWscale : 0;
    t.rcvWnd = req.rcvWnd;
    t.rcvSsthresh = req.rcvWnd;
    t.windowClamp = req.windowClamp;
    t.sndWnd = seg.wnd * 2 ** t.sndWscale;
    t.maxWindow = t.sndWnd;
    t.mssClamp = req.mss;
    t.tcpHeaderLen = req.tsOk ? 32 : 20;
    t.totalRetrans = req.numRetrans;
    t.synackSentAt = req.sentAt;
    t.synackRetrans = req.numRetrans > 0;
    t.mdevUs = TCP_TIMEOUT_INIT / 1000;
    const mtu = this.layer.routeMtu(req.v, req.raddr);
    t.advmss = req.advmss;
    syncMss(t, mtu);
    t.rcvMss = Math.max(88, Math.min(req.advmss, t.mssCache, Math.floor(t.rcvWnd / 2), 536));
    t.lrcvtime = this.layer.host.sim.now;
    t.rcvTstamp = this.layer.host.sim.now;
    setState(t, TCP_SYN_RECV);
    this.layer.hash(t);
    this.acceptQueue.push(child);
    if (child.keepalive) keepaliveStart(t);
    return t;
  }

  /** reqsk_timer_handler(): resend the SYN-ACK with backoff, or give up after tcp_synack_retries. */
  synackTimeout(req: Request): void {
    const sc = this.layer.sysctl;
    let maxRetries = this.sock.synRetriesOpt || sc.synackRetries;
    const qlen = this.requests.size;
    if (qlen << 1 > Math.max(8, this.maxBacklog)) {
      // Half the queue is reserved for young requests: old ones are pruned sooner.
      let young = this.young << 1;
      while (maxRetries > 2) {
        if (qlen < young) break;
        maxRetries--;
        young <<= 1;
      }
    }
    const expire = req.numTimeout >= maxRetries;
    if (!expire) {
      this.layer.recordReqTimer(req);
      this.sendSynack(req, false);
      req.numRetrans++;
      if (req.numTimeout++ === 0) this.young--;
      req.timer.arm(Math.min(TCP_TIMEOUT_INIT * 2 ** req.numTimeout, sc.rtoMaxNs));
      return;
    }
    this.dropRequest(req);
  }

  /** Stops listening: drops requests and resets unaccepted children (inet_csk_listen_stop). */
  stop(): void {
    for (const r of this.requests.values()) r.timer.cancel();
    this.requests.clear();
    for (const c of this.acceptQueue.splice(0)) c.abortUnaccepted();
  }

  /** Forgets everything silently (host crash). */
  vanish(): void {
    for (const r of this.requests.values()) r.timer.cancel();
    this.requests.clear();
    this.acceptQueue.length = 0;
  }
}

