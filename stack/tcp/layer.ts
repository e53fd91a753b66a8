/**
 * TCP for one host: demultiplexing (established connections by 4-tuple, then listeners, RFC 9293 §3.10.7),
 * resets for segments no socket wants (RFC 9293 §3.10.7.1: a host that crashed and restarted answers its old
 * peers this way), the port table with Linux's bind-conflict rules (inet_csk_bind_conflict) and ephemeral port
 * choice, ICMP errors and path-MTU changes (RFC 1191 / RFC 8201), timers, and what a crash forgets.
 * Works for both IP versions: a connection carries v: 4 | 6 and its addresses.
 */
import { IPPROTO_TCP, IP_PMTUDISC_DO, IP_PMTUDISC_WANT } from '../constants.js';
import { EV_DROP } from '../events.js';
import { EV_TIMER } from '../../sim/events.js';
import type { Host } from '../host.js';
import type { Icmp4Error, Ipv4Meta } from '../ipv4.js';
import type { Icmp6Error, Ipv6Meta } from '../ipv6.js';
import { onesSum, pseudoSumV4, pseudoSumV6 } from '../wire/checksum.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr.js';
import { TCP_ACK, TCP_RST } from '../wire/tcp.js';
import { ICMPV4_DEST_UNREACH, ICMPV4_FRAG_NEEDED, ICMPV4_PARAM_PROBLEM, ICMPV4_TIME_EXCEEDED } from '../wire/icmpv4.js';
import { ICMPV6_PACKET_TOO_BIG, ICMPV6_DEST_UNREACH, ICMPV6_PARAM_PROBLEM, ICMPV6_TIME_EXCEEDED } from '../wire/icmpv6.js';
import { Errno } from '../errno.js';
import { defaultTcpSysctl, type TcpSysctl } from './sysctl.js';
import { drawSecret, type IpAddr } from './isn.js';
import { OutOpts, parseSeg, Seg, writeHeader, writeOptions } from './segment.js';
import { TCP_CLOSE, TCP_LISTEN, TCP_SYN_RECV, TCP_SYN_SENT, TCP_TIME_WAIT, type Tcb } from './tcb.js';
import type { TcpSocket } from './tcp-socket.js';
import type { Request } from './listen.js';
import { tcbInput, IN_RST, IN_TW_SYN } from './input.js';
import { dispatchTimer } from './timers.js';
import { clearTimers, doneWithError, tcpDone } from './conn.js';
import { syncMss } from './window.js';
import { retransmitSeg, segPayloadLen } from './output.js';
import { markLost } from './recovery.js';
import { seqBetween } from './seq.js';

/** Whether two addresses are equal. */
export function addrEq(a: IpAddr, b: IpAddr): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether an address is the wildcard (INADDR_ANY or ::). */
export function isAny(a: IpAddr): boolean {
  if (typeof a === 'number') return a === 0;
  for (let i = 0; i < 16; i++) if (a[i] !== 0) return false;
  return true;
}

/** Text form of an address for recordings. */
export function addrText(a: IpAddr): string {
  return typeof a === 'number' ? ipv4ToString(a) : `[${ipv6ToString(a)}]`;
}

/** The segment each input parses into (input is never re-entered: output goes through the link as events). */
const seg = new Seg();
const rawOpts = new OutOpts();

/** TCP of one host. */
export class TcpLayer {
  /** net.ipv4.tcp_* of this host; change freely (sysctl -w). */
  sysctl: TcpSysctl = defaultTcpSysctl();
  isnSecret: Uint32Array;
  tsSecret: Uint32Array;
  cookieSecret: Uint32Array;
  /** Connections by (lport << 16 | rport); each bucket checks the addresses. */
  private readonly conns = new Map<number, Tcb[]>();
  /** Sockets holding a local port (bound, listening, connected, orphaned), by port. */
  readonly ports = new Map<number, TcpSocket[]>();
  /** Counters named after /proc/net/netstat's TcpExt fields. */
  readonly stats = {
    activeOpens: 0, passiveOpens: 0, outRsts: 0, inErrs: 0, retransSegs: 0, challengeAcks: 0, listenOverflows: 0,
    listenDrops: 0, noSocket: 0,
  };
  private connCount = 0;

  constructor(readonly host: Host) {
    const s = host.sim.random.stream(`host:${host.name}:tcp-secret`);
    this.isnSecret = drawSecret(s);
    this.tsSecret = drawSecret(s);
    this.cookieSecret = drawSecret(s);
    host.ipv4.handlers.set(IPPROTO_TCP, (meta: Ipv4Meta, payload: Uint8Array) => this.input4(meta, payload));
    host.ipv6.handlers.set(IPPROTO_TCP, (meta: Ipv6Meta, payload: Uint8Array) => this.input6(meta, payload));
    host.ipv4.errorHandlers.set(IPPROTO_TCP, (e: Icmp4Error) => this.icmpError(e, e.type === ICMPV4_DEST_UNREACH && e.code === ICMPV4_FRAG_NEEDED ? e.mtu ?? 0 : -1, icmp4Errno(e)));
    host.ipv6.errorHandlers.set(IPPROTO_TCP, (e: Icmp6Error) => this.icmpError(e, e.type === ICMPV6_PACKET_TOO_BIG ? e.mtu ?? 0 : -1, icmp6Errno(e)));
    const prior = host.onPathMtu;
    host.onPathMtu = (v, dst, mtu) => {
      prior?.(v, dst, mtu);
      this.pathMtuChanged(v, dst, mtu);
    };
  }

  /** A new connection number. */
  nextConnId(): number {
    return ++this.connCount;
  }

  /** Adds a connection to the demultiplexing table and records its endpoints. */
  hash(t: Tcb): void {
    const k = t.lport * 65536 + t.rport;
    let b = this.conns.get(k);
    if (!b) this.conns.set(k, (b = []));
    if (!b.includes(t)) b.push(t);
    const sim = this.host.sim;
    if (sim.sink) sim.record('tcp', t.name, 'open', `${addrText(t.laddr)}:${t.lport}`, `${addrText(t.raddr)}:${t.rport}`);
  }

  /** Removes a connection from the demultiplexing table. */
  unhash(t: Tcb): void {
    const k = t.lport * 65536 + t.rport;
    const b = this.conns.get(k);
    if (!b) return;
    const i = b.indexOf(t);
    if (i >= 0) b.splice(i, 1);
    if (b.length === 0) this.conns.delete(k);
  }

  /** The connection for a 4-tuple, if any. */
  lookup(laddr: IpAddr, lport: number, raddr: IpAddr, rport: number): Tcb | undefined {
    const b = this.conns.get(lport * 65536 + rport);
    if (!b) return undefined;
    for (let i = 0; i < b.length; i++) {
      const t = b[i]!;
      if (addrEq(t.raddr, raddr) && addrEq(t.laddr, laddr)) return t;
    }
    return undefined;
  }

  /** The listening socket for (laddr, lport): an exact address beats the wildcard (inet_lhash2_lookup scoring). */
  lookupListener(v: 4 | 6, laddr: IpAddr, lport: number): TcpSocket | undefined {
    const list = this.ports.get(lport);
    if (!list) return undefined;
    let best: TcpSocket | undefined;
    let bestScore = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i]!;
      if (!s.listener) continue;
      const score = s.listenScore(v, laddr);
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }

  /** IPv4 input. */
  private input4(meta: Ipv4Meta, payload: Uint8Array): void {
    if (meta.broadcast) return this.drop(meta.pktId, 'not-for-us');
    this.input(4, meta.dst, meta.src, payload, pseudoSumV4(meta.src, meta.dst, IPPROTO_TCP, payload.length), meta.pktId);
  }

  /** IPv6 input. */
  private input6(meta: Ipv6Meta, payload: Uint8Array): void {
    if (meta.broadcast) return this.drop(meta.pktId, 'not-for-us');
    this.input(6, meta.dst, meta.src, payload, pseudoSumV6(meta.src, meta.dst, IPPROTO_TCP, payload.length), meta.pktId);
  }

  /** tcp_v4_rcv(): checksum, then the connection, then a listener, then a reset. */
  private input(v: 4 | 6, laddr: IpAddr, raddr: IpAddr, bytes: Uint8Array, pseudo: number, pktId: number): void {
    const err = parseSeg(bytes, pseudo, seg);
    if (err) {
      this.stats.inErrs++;
      return this.drop(pktId, err);
    }
    const t = this.lookup(laddr, seg.dport, raddr, seg.sport);
    if (t) {
      const r = tcbInput(t, seg);
      if (r === IN_RST) this.replyRst(v, laddr, raddr, seg);
      else if (r === IN_TW_SYN) {
        // RFC 6191: a new SYN ends TIME_WAIT; the next incarnation starts above the old sequence space.
        const isn = ((t.sndNxt + 65535 + 2) >>> 0) || 1;
        tcpDone(t);
        const l = this.lookupListener(v, laddr, seg.dport);
        if (!l || l.listener!.input(v, laddr, raddr, seg, isn)) this.replyRst(v, laddr, raddr, seg);
      }
      return;
    }
    const l = this.lookupListener(v, laddr, seg.dport);
    if (l) {
      if (l.listener!.input(v, laddr, raddr, seg, 0)) this.replyRst(v, laddr, raddr, seg);
      return;
    }
    this.stats.noSocket++;
    this.drop(pktId, 'no-socket');
    this.replyRst(v, laddr, raddr, seg);
  }

  private drop(pktId: number, reason: string): void {
    this.host.countDrop(reason);
    const sim = this.host.sim;
    if (sim.sink) sim.record(EV_DROP, `${this.host.name}:tcp`, pktId, reason);
  }

  /**
   * tcp_v4_send_reset(): answers a segment with a RST (never a RST): <SEQ=SEG.ACK><CTL=RST> when it had an ACK,
   * else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (RFC 9293 §3.10.7.1).
   */
  replyRst(v: 4 | 6, laddr: IpAddr, raddr: IpAddr, s: Seg): void {
    if (s.flags & TCP_RST) return;
    this.stats.outRsts++;
    rawOpts.clear();
    if (s.flags & TCP_ACK) this.emitRaw(v, laddr, raddr, s.dport, s.sport, s.ack, 0, TCP_RST, 0, rawOpts);
    else this.emitRaw(v, laddr, raddr, s.dport, s.sport, 0, s.end, TCP_RST | TCP_ACK, 0, rawOpts);
  }

  /** Builds and sends a segment that belongs to no connection (SYN-ACKs of requests, resets). IP id 0, DF. */
  emitRaw(v: 4 | 6, laddr: IpAddr, raddr: IpAddr, sport: number, dport: number, seqNo: number, ack: number,
    flags: number, wnd: number, o: OutOpts): void {
    const hlen = 20 + o.length();
    const b = new Uint8Array(hlen);
    writeHeader(b, sport, dport, seqNo, ack, hlen, flags, wnd, 0);
    writeOptions(o, b, 20);
    const ps = v === 4 ? pseudoSumV4(laddr as number, raddr as number, IPPROTO_TCP, hlen)
      : pseudoSumV6(laddr as Uint8Array, raddr as Uint8Array, IPPROTO_TCP, hlen);
    const c = ~onesSum(b, 0, hlen, ps) & 0xffff;
    b[16] = c >>> 8;
    b[17] = c;
    this.ipOutput(v, laddr, raddr, b, 0, 0, 64);
  }

  /**
   * Sends a connection's segment (IP id from the socket's inet_id counter, DF set: PMTU discovery). `ect` is the
   * ECN codepoint for this packet: on an ECN connection INET_ECN_xmit / INET_ECN_dontxmit rewrite the low two
   * TOS bits (tcp_ecn_send); otherwise the socket's TOS / traffic class goes out untouched.
   */
  transmit(t: Tcb, bytes: Uint8Array, ect = 0, frame?: Uint8Array): void {
    const s = t.sock;
    const tos = t.ecnOk ? (s.tosFor(t.v) & ~3) | ect : s.tosFor(t.v);
    // ip_dont_fragment: DF only for IP_PMTUDISC_WANT (the default) and IP_PMTUDISC_DO; checked on Linux 6.18.
    const pm = s.inet.pmtudisc;
    this.ipOutput(t.v, t.laddr, t.raddr, bytes, t.ipId, tos, s.ttlFor(t.v), t.ipId, frame, pm === IP_PMTUDISC_WANT || pm === IP_PMTUDISC_DO);
    t.ipId = (t.ipId + 1) & 0xffff;
  }

  /**
   * Hands a segment to IP. IPv4: DF set (PMTU discovery) unless `df` is false (IP_MTU_DISCOVER); `frame` is the frame the segment was built in, if it
   * was (Ipv4Send.frame). IPv6: an automatic flow label derived from the flow (net.ipv6.auto_flowlabels; socksim
   * hashes the connection's IP id seed instead of the kernel's skb hash).
   */
  private ipOutput(v: 4 | 6, src: IpAddr, dst: IpAddr, payload: Uint8Array, id: number, tos: number, ttl: number,
    flow = 0, frame?: Uint8Array, df = true): void {
    if (!this.host.up) return;
    if (v === 4) {
      this.host.ipv4.output({ src: src as number, dst: dst as number, protocol: IPPROTO_TCP, payload, ttl, tos,
        dontFragment: df, id, frame });
    } else {
      this.host.ipv6.output({ src: src as Uint8Array, dst: dst as Uint8Array, nextHeader: IPPROTO_TCP, payload,
        hopLimit: ttl, trafficClass: tos, dontFragment: true, flowLabel: flow & 0xfffff });
    }
  }

  /** Whether dst is reachable and unicast (tcp_v4_connect refuses broadcast and multicast: ENETUNREACH). */
  routeOk(v: 4 | 6, dst: IpAddr): boolean {
    if (v === 4) return this.host.ipv4.route(dst as number) !== undefined && !this.host.ipv4.isGroupAddress(dst as number);
    const d = dst as Uint8Array;
    return d[0] !== 0xff && this.host.ipv6.route(d) !== undefined;
  }

  /** The source address for dst (route's preferred source, RFC 6724 for IPv6). */
  selectSource(v: 4 | 6, dst: IpAddr): IpAddr | undefined {
    return v === 4 ? this.host.ipv4.selectSource(dst as number) : this.host.ipv6.selectSource(dst as Uint8Array);
  }

  /** Path MTU towards raddr (the route's interface, lowered by ICMP). */
  routeMtu(v: 4 | 6, raddr: IpAddr): number {
    const m = v === 4 ? this.host.ipv4.pathMtu(raddr as number) : this.host.ipv6.pathMtu(raddr as Uint8Array);
    // IP_MAX_MTU: loopback's 65536 is capped to what an IP length field holds.
    return Math.min(m || (v === 4 ? 576 : 1280), 65535);
  }

  /** dst_metric_advmss(): MTU − 40 (IPv4) / 60 (IPv6), at most 65535 − header (ipv4_default_advmss). */
  advmssFor(v: 4 | 6, mtu: number): number {
    const hdr = v === 4 ? 40 : 60;
    return Math.max(Math.min(mtu - hdr, 65535 - hdr), 256);
  }

  /** A throw-away TCB-shaped object for window arithmetic on behalf of a listener. */
  probeTcb(_sock: TcpSocket): Tcb {
    return { scalingRatio: 128, layer: this } as unknown as Tcb;
  }

  /** A timer of t expired. */
  timerFired(t: Tcb, kind: number): void {
    dispatchTimer(t, kind);
  }

  /** Records a retransmission: ['tcp', conn, 'retransmit', seq, len]. */
  recordRetransmit(t: Tcb, seqNo: number, len: number): void {
    this.stats.retransSegs++;
    const sim = this.host.sim;
    if (sim.sink) sim.record('tcp', t.name, 'retransmit', seqNo, len);
  }

  /** Records a timer expiry as sim.timer would: ['timer', t, label]. */
  recordTimer(t: Tcb, what: string): void {
    const sim = this.host.sim;
    if (sim.sink) sim.record(EV_TIMER, `tcp:${t.name}:${what}`);
  }

  /** Records a SYN-ACK timer expiry of a request. */
  recordReqTimer(r: Request): void {
    const sim = this.host.sim;
    if (sim.sink) sim.record(EV_TIMER, `tcp:${this.host.name}:synack:${addrText(r.raddr)}:${r.rport}`);
  }

  /** Every connection (for TCP_INFO-style inspection and tests). */
  connections(): Tcb[] {
    const out: Tcb[] = [];
    for (const b of this.conns.values()) for (const t of b) out.push(t);
    return out;
  }

  /**
   * tcp_v4_err(): an ICMP error quoting one of our segments. "Fragmentation needed" / "packet too big" lower the
   * MSS and retransmit what no longer fits (tcp_v4_mtu_reduced, tcp_simple_retransmit); hard errors abort a
   * connection still in its handshake, otherwise they are kept as a soft error (reported on timeout) or, with
   * IP_RECVERR, reported at once.
   */
  private icmpError(e: Icmp4Error | Icmp6Error, mtu: number, errno: number): void {
    const { src, dst, transport } = e;
    if (transport.length < 8) return;
    const sport = (transport[0]! << 8) | transport[1]!;
    const dport = (transport[2]! << 8) | transport[3]!;
    const seqNo = ((transport[4]! << 24) | (transport[5]! << 16) | (transport[6]! << 8) | transport[7]!) >>> 0;
    const t = this.lookup(src, sport, dst, dport);
    if (!t || t.state === TCP_TIME_WAIT || t.state === TCP_CLOSE) return;
    // The quoted sequence number must be in flight (RFC 5927 §4.1), else it is forged or stale.
    if (t.state !== TCP_LISTEN && !seqBetween(seqNo, t.sndUna, t.sndNxt)) return;
    if (mtu >= 0) {
      if (mtu > 0) this.mtuReduced(t, mtu);
      return;
    }
    if (errno === 0) return;
    if (t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV) {
      // tcp_v4_err calls ip_icmp_error here whatever IP_RECVERR says (UDP asks it first): the error is also queued,
      // quoting our TCP header on (Linux 6.18: a SYN whose TTL ran out left one entry, its data the quoted SYN, with
      // and without IP_RECVERR). Linux aborts only when the ICMP comes while no syscall holds the socket; one that
      // arrives during connect() itself (a zero-latency veth) is kept as a soft error. Here errors always take time
      // to come back, so the connect ends.
      t.sock.errQueue.push(t.sock.domain, e, errno, t.sock.rcvbuf, 0);
      doneWithError(t, errno);
      return;
    }
    const o = t.sock.inet;
    const recverr = t.v === 4 ? o.recverr : o.recverr6;
    // A connected socket keeps trying until it times out (RFC 1122 §4.2.3.9: soft errors), unless it asked for
    // errors with IP_RECVERR / IPV6_RECVERR: then the error is reported at once (sk_err, POLLERR) and the connection
    // goes on. Linux 6.18: recv() fails once with EHOSTUNREACH, later sends go through.
    if (recverr) {
      t.sock.soError = errno;
      t.sock.stateChanged();
      return;
    }
    t.softError = errno;
  }

  private pathMtuChanged(v: 4 | 6, dst: IpAddr, mtu: number): void {
    for (const t of this.connections()) {
      if (t.v === v && addrEq(t.raddr, dst) && t.state !== TCP_TIME_WAIT && t.state !== TCP_CLOSE) this.mtuReduced(t, mtu);
    }
  }

  /** tcp_v4_mtu_reduced() + tcp_simple_retransmit(). */
  private mtuReduced(t: Tcb, mtu: number): void {
    const pmtu = Math.min(mtu, this.routeMtu(t.v, t.raddr));
    if (pmtu >= t.pmtu) return;
    syncMss(t, pmtu);
    const mss = t.mssCache;
    let any = false;
    for (let i = t.rtxHead; i < t.rtx.length; i++) {
      const s = t.rtx[i]!;
      if (segPayloadLen(s) > mss) {
        markLost(t, s);
        any = true;
      }
    }
    if (any && t.rtxHead < t.rtx.length) {
      const h = t.rtx[t.rtxHead]!;
      if (segPayloadLen(h) > mss) retransmitSeg(t, t.rtxHead, true);
    }
  }

  /** Binds an ephemeral port for connect(): even ports first from a random offset, as __inet_hash_connect. */
  connectPort(): number {
    const sc = this.sysctl;
    const span = sc.portHigh - sc.portLow + 1;
    const r = this.host.sim.random.stream(`host:${this.host.name}:tcp-port`);
    let offset = r.int(0, span - 1) & ~1;
    for (let parity = 0; parity < 2; parity++) {
      for (let i = 0; i < span; i += 2) {
        const port = sc.portLow + ((offset + i + parity) % span);
        if (!this.ports.has(port)) {
          this.host.sim.decide(r.name, 'ephemeral-port', port);
          return port;
        }
      }
    }
    void offset;
    return -Errno.EADDRNOTAVAIL;
  }

  /** Picks a free port for bind(0): odd ports first (inet_csk_find_open_port leaves even ones to connect). */
  bindPort(sock: TcpSocket, addr: IpAddr): number {
    const sc = this.sysctl;
    const span = sc.portHigh - sc.portLow + 1;
    const r = this.host.sim.random.stream(`host:${this.host.name}:tcp-port`);
    const offset = r.int(0, span - 1) | 1;
    for (let parity = 0; parity < 2; parity++) {
      for (let i = 0; i < span; i += 2) {
        const port = sc.portLow + ((offset + i - parity + span) % span);
        if (!this.conflict(sock, addr, port, false)) {
          this.host.sim.decide(r.name, 'ephemeral-port', port);
          return port;
        }
      }
    }
    return -Errno.EADDRINUSE;
  }

  /** inet_csk_bind_conflict(): whether binding sock to (addr, port) clashes with a socket already there. */
  conflict(sock: TcpSocket, addr: IpAddr, port: number, _listening: boolean): boolean {
    const list = this.ports.get(port);
    if (!list) return false;
    for (const o of list) {
      if (o === sock) continue;
      if (!sock.addrOverlaps(addr, o)) continue;
      const oState = o.portState();
      // inet_bind_conflict: SO_REUSEADDR on both sides helps unless the other socket listens already (at
      // listen(2) too: the first of two such sockets may listen, the second may not).
      if (sock.reuseAddr && o.reuseAddr && oState !== TCP_LISTEN) continue;
      if (sock.reusePort && o.reusePort) continue;
      return true;
    }
    return false;
  }

  /** Adds sock to the port table. */
  addPort(sock: TcpSocket, port: number): void {
    let l = this.ports.get(port);
    if (!l) this.ports.set(port, (l = []));
    if (!l.includes(sock)) l.push(sock);
  }

  /** Removes sock from the port table. */
  removePort(sock: TcpSocket, port: number): void {
    const l = this.ports.get(port);
    if (!l) return;
    const i = l.indexOf(sock);
    if (i >= 0) l.splice(i, 1);
    if (l.length === 0) this.ports.delete(port);
  }

  /** The host crashed: every connection, listener and binding vanishes without a packet (its timers too). */
  reset(): void {
    for (const t of this.connections()) {
      clearTimers(t);
      t.state = TCP_CLOSE;
    }
    this.conns.clear();
    for (const l of this.ports.values()) for (const s of l) s.vanish();
    this.ports.clear();
    const s = this.host.sim.random.stream(`host:${this.host.name}:tcp-secret`);
    this.isnSecret = drawSecret(s);
    this.tsSecret = drawSecret(s);
    this.cookieSecret = drawSecret(s);
  }
}

/**
 * tcp_v4_err(): the errno an ICMP error gives a TCP socket, or 0 when TCP ignores it (source quench, redirects,
 * unknown types and codes). Destination unreachable follows icmp_err_convert[]; time exceeded is EHOSTUNREACH and
 * a parameter problem EPROTO.
 */
function icmp4Errno(e: Icmp4Error): number {
  if (e.type === ICMPV4_TIME_EXCEEDED) return Errno.EHOSTUNREACH;
  if (e.type === ICMPV4_PARAM_PROBLEM) return Errno.EPROTO;
  if (e.type !== ICMPV4_DEST_UNREACH || e.code > 15) return 0;
  return ICMP4_UNREACH_ERRNO[e.code]!;
}

/** icmp_err_convert[] (net/ipv4/icmp.c), by destination-unreachable code 0–15. */
const ICMP4_UNREACH_ERRNO = [
  Errno.ENETUNREACH, Errno.EHOSTUNREACH, Errno.ENOPROTOOPT, Errno.ECONNREFUSED, Errno.EMSGSIZE, Errno.EOPNOTSUPP,
  Errno.ENETUNREACH, Errno.EHOSTDOWN, Errno.ENONET, Errno.ENETUNREACH, Errno.EHOSTUNREACH, Errno.ENETUNREACH,
  Errno.EHOSTUNREACH, Errno.EHOSTUNREACH, Errno.EHOSTUNREACH, Errno.EHOSTUNREACH,
];

/**
 * icmpv6_err_convert() (net/ipv6/icmp.c): tab_unreach[] for destination unreachable codes 0–6 (EPROTO beyond),
 * EMSGSIZE for packet too big, EPROTO for a parameter problem, EHOSTUNREACH for time exceeded.
 */
function icmp6Errno(e: Icmp6Error): number {
  switch (e.type) {
    case ICMPV6_DEST_UNREACH:
      return [Errno.ENETUNREACH, Errno.EACCES, Errno.EHOSTUNREACH, Errno.EHOSTUNREACH, Errno.ECONNREFUSED, Errno.EACCES, Errno.EACCES][e.code] ?? Errno.EPROTO;
    case ICMPV6_PACKET_TOO_BIG: return Errno.EMSGSIZE;
    case ICMPV6_PARAM_PROBLEM: return Errno.EPROTO;
    case ICMPV6_TIME_EXCEEDED: return Errno.EHOSTUNREACH;
    default: return 0;
  }
}

