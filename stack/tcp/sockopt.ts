/**
 * IPPROTO_TCP (and IPPROTO_IP) options of TCP sockets, as do_tcp_setsockopt / do_tcp_getsockopt check them
 * (tcp(7)): int options need optlen ≥ 4 (EINVAL), ranges are Linux's (TCP_KEEPIDLE/KEEPINTVL 1..32767,
 * TCP_KEEPCNT/SYNCNT 1..127, TCP_MAXSEG 88..32767 or 0), TCP_CONGESTION takes a name (ENOENT when unknown),
 * TCP_INFO returns struct tcp_info. Options socksim does not implement answer ENOPROTOOPT.
 */
import {
  IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IP_MTU_DISCOVER, IP_TOS, IP_BIND_ADDRESS_NO_PORT, IPV6_MTU, IPV6_TCLASS, IPV6_UNICAST_HOPS, IPV6_V6ONLY, IP_MTU, AF_INET6, TCP_CONGESTION, TCP_CORK, TCP_DEFER_ACCEPT, TCP_INFO, TCP_INQ, TCP_KEEPCNT,
  TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_LINGER2, TCP_MAXSEG, TCP_NODELAY, TCP_NOTSENT_LOWAT, TCP_QUICKACK, TCP_SYNCNT,
  TCP_USER_TIMEOUT, TCP_WINDOW_CLAMP,
} from '../constants.js';
import { Errno } from '../errno.js';
import { MS, SEC } from '../../sim/time.js';
import type { TcpSocket } from './tcp-socket.js';
import { CONGESTION_ALGORITHMS, newCongestion } from './config.js';
import { NAGLE_OFF, NAGLE_PUSH, pushPending, nagleMode } from './output.js';
import { TCP_CLOSE, TCP_LISTEN, TCP_MAX_QUICKACKS, TCP_ATO_MIN } from './tcb.js';
import { keepaliveStart } from './timers.js';
import { tcpInfo } from './info.js';
import { getPmtu, getRecv6, setPmtu4, setPmtu6, setRecv6 } from '../inet-opts.js';
import { getStreamMcast4, getStreamMcast6, setStreamMcast4, setStreamMcast6 } from './mcast-opts.js';

const MAX_TCP_KEEPIDLE = 32767, MAX_TCP_KEEPINTVL = 32767, MAX_TCP_KEEPCNT = 127, MAX_TCP_SYNCNT = 127;
const TCP_MIN_MSS = 88, MAX_TCP_WINDOW = 32767, TCP_FIN_TIMEOUT_MAX = 120 * SEC, SOCK_MIN_RCVBUF_HALF = 2304;
const TCP_CA_NAME_MAX = 16;

function int32(v: Uint8Array): number {
  return new DataView(v.buffer, v.byteOffset, v.byteLength).getInt32(0, true);
}

function intBytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return b;
}

/** secs_to_retrans(): TCP_DEFER_ACCEPT seconds → SYN-ACK retransmissions (1 s doubling up to 120 s). */
function secsToRetrans(seconds: number): number {
  if (seconds <= 0) return 0;
  let timeout = 1;
  let period = 1;
  let res = 1;
  while (seconds > period && res < 255) {
    res++;
    timeout = Math.min(timeout * 2, 120);
    period += timeout;
  }
  return res;
}

/** retrans_to_secs(). */
function retransToSecs(retrans: number): number {
  let period = 0;
  let timeout = 1;
  for (let i = 0; i < retrans; i++) {
    period += timeout;
    timeout = Math.min(timeout * 2, 120);
  }
  return period;
}

/** IPPROTO_IPV6 options of an AF_INET6 TCP socket (ipv6(7)): V6ONLY before bind, hop limit, traffic class. */
function setV6Opt(s: TcpSocket, name: number, v: Uint8Array): number {
  if (s.domain !== AF_INET6) return -Errno.ENOPROTOOPT;
  const mc = setStreamMcast6(s.inet, name, v) ?? setRecv6(s.inet, name, v) ?? setPmtu6(s.inet, name, v);
  if (mc !== null) return mc;
  if (v.length < 4) return -Errno.EINVAL;
  const val = int32(v);
  switch (name) {
    case IPV6_V6ONLY:
      if (s.port !== 0) return -Errno.EINVAL;
      s.v6only = val !== 0;
      return 0;
    case IPV6_UNICAST_HOPS:
      if (val < -1 || val > 255) return -Errno.EINVAL;
      s.hopLimit = val;
      return 0;
    case IPV6_TCLASS:
      if (val < -1 || val > 255) return -Errno.EINVAL;
      s.tclass = val < 0 ? 0 : val;
      return 0;
    default:
      return -Errno.ENOPROTOOPT;
  }
}

function getV6Opt(s: TcpSocket, name: number): Uint8Array | number {
  if (s.domain !== AF_INET6) return -Errno.EOPNOTSUPP;
  const mc = getStreamMcast6(s.inet, name) ?? getRecv6(s.inet, name) ?? getPmtu(s.inet, IPPROTO_IPV6, name);
  if (mc !== null) return mc;
  switch (name) {
    case IPV6_V6ONLY: return intBytes(s.v6only ? 1 : 0);
    case IPV6_UNICAST_HOPS: return intBytes(s.hopLimit < 0 ? 64 : s.hopLimit);
    case IPV6_TCLASS: return intBytes(s.tclass);
    case IPV6_MTU: {
      const t = s.tcb;
      if (!t || t.state === TCP_CLOSE) return -Errno.ENOTCONN;
      return intBytes(t.pmtu);
    }
    default: return -Errno.ENOPROTOOPT;
  }
}

/** setsockopt(IPPROTO_TCP, IPPROTO_IP or IPPROTO_IPV6) on a TCP socket. */
export function setTcpOpt(s: TcpSocket, level: number, name: number, v: Uint8Array): number {
  if (level === IPPROTO_IP) {
    const mc = setStreamMcast4(s.inet, name, v);
    if (mc !== null) return mc;
    // IP_MTU_DISCOVER: DF on the connection's segments and whether "fragmentation needed" is heeded (tcp/layer.ts);
    // IP_RECVERR: ICMP errors on an established connection are reported at once (tcp_v4_err).
    const pm = setPmtu4(s.inet, name, v);
    if (pm !== null) return pm;
    if (name === IP_BIND_ADDRESS_NO_PORT) {
      // ip(7): bind() to port 0 leaves the port to connect(), which may share it across destinations.
      if (v.length < 1) return -Errno.EINVAL;
      s.bindNoPort = (v.length >= 4 ? int32(v) : v[0]!) !== 0;
      return 0;
    }
    // do_ip_setsockopt: on SOCK_STREAM the two ECN bits of IP_TOS stay under TCP's control.
    if (name === IP_TOS && v.length >= 1) {
      const m = v.slice();
      m[0]! &= ~3;
      return s.inet.set(level, name, m);
    }
    return s.inet.set(level, name, v);
  }
  if (level === IPPROTO_IPV6) return setV6Opt(s, name, v);
  if (level !== IPPROTO_TCP) return -Errno.ENOPROTOOPT;
  const cfg = s.cfg;
  const t = s.tcb;
  if (name === TCP_CONGESTION) {
    let end = v.indexOf(0);
    if (end < 0) end = v.length;
    const alg = Buffer.from(v.subarray(0, Math.min(end, TCP_CA_NAME_MAX - 1))).toString('latin1');
    if (!CONGESTION_ALGORITHMS.includes(alg)) return -Errno.ENOENT;
    cfg.congestion = alg;
    if (t) t.cc = newCongestion(alg, t);
    return 0;
  }
  if (v.length < 4) return -Errno.EINVAL;
  const val = int32(v);
  switch (name) {
    case TCP_NODELAY:
      cfg.nodelay = val !== 0;
      if (t) {
        t.nodelay = cfg.nodelay;
        if (cfg.nodelay) pushPending(t, nagleMode(t) | NAGLE_PUSH);
      }
      return 0;
    case TCP_CORK:
      cfg.cork = val !== 0;
      if (t) {
        t.cork = cfg.cork;
        if (!cfg.cork) pushPending(t, nagleMode(t) | (t.nodelay ? NAGLE_OFF | NAGLE_PUSH : 0));
      }
      return 0;
    case TCP_MAXSEG:
      if (val && (val < TCP_MIN_MSS || val > MAX_TCP_WINDOW)) return -Errno.EINVAL;
      cfg.userMss = val;
      if (t) t.userMss = val;
      return 0;
    case TCP_KEEPIDLE:
      if (val < 1 || val > MAX_TCP_KEEPIDLE) return -Errno.EINVAL;
      cfg.keepIdleNs = val * SEC;
      if (t) {
        t.keepIdleNs = cfg.keepIdleNs;
        if (s.keepalive && t.state !== TCP_CLOSE && t.state !== TCP_LISTEN) keepaliveStart(t);
      }
      return 0;
    case TCP_KEEPINTVL:
      if (val < 1 || val > MAX_TCP_KEEPINTVL) return -Errno.EINVAL;
      cfg.keepIntvlNs = val * SEC;
      if (t) t.keepIntvlNs = cfg.keepIntvlNs;
      return 0;
    case TCP_KEEPCNT:
      if (val < 1 || val > MAX_TCP_KEEPCNT) return -Errno.EINVAL;
      cfg.keepCnt = val;
      if (t) t.keepCnt = val;
      return 0;
    case TCP_SYNCNT:
      if (val < 1 || val > MAX_TCP_SYNCNT) return -Errno.EINVAL;
      cfg.synRetries = val;
      if (t) t.synRetries = val;
      return 0;
    case TCP_LINGER2:
      cfg.linger2Ns = val < 0 ? -1 : val * SEC > TCP_FIN_TIMEOUT_MAX ? TCP_FIN_TIMEOUT_MAX : val * SEC;
      if (t) t.linger2Ns = cfg.linger2Ns;
      return 0;
    case TCP_DEFER_ACCEPT:
      cfg.deferAccept = secsToRetrans(val);
      return 0;
    case TCP_WINDOW_CLAMP:
      if (!val) {
        if (t && t.state !== TCP_CLOSE) return -Errno.EINVAL;
        cfg.windowClamp = 0;
        return 0;
      }
      cfg.windowClamp = val < SOCK_MIN_RCVBUF_HALF ? SOCK_MIN_RCVBUF_HALF : val;
      if (t) {
        t.windowClamp = cfg.windowClamp;
        t.rcvSsthresh = Math.min(t.rcvWnd, t.windowClamp);
      }
      return 0;
    case TCP_QUICKACK:
      if (t) {
        if (val & 1) {
          t.quick = TCP_MAX_QUICKACKS;
          t.pingpong = 0;
          t.ato = TCP_ATO_MIN;
        } else {
          t.pingpong = t.layer.sysctl.pingpongThresh;
        }
      }
      return 0;
    case TCP_USER_TIMEOUT:
      if (val < 0) return -Errno.EINVAL;
      cfg.userTimeoutNs = val * MS;
      if (t) t.userTimeoutNs = cfg.userTimeoutNs;
      return 0;
    case TCP_NOTSENT_LOWAT:
      cfg.notsentLowat = val >>> 0;
      if (t) {
        t.notsentLowat = cfg.notsentLowat;
        s.checkSpace();
      }
      return 0;
    case TCP_INQ:
      if (val > 1 || val < 0) return -Errno.EINVAL;
      cfg.inq = val === 1;
      return 0;
    default:
      return -Errno.ENOPROTOOPT;
  }
}

/** getsockopt(IPPROTO_TCP or IPPROTO_IP) on a TCP socket. */
export function getTcpOpt(s: TcpSocket, level: number, name: number): Uint8Array | number {
  const t = s.tcb;
  const sc = s.layer.sysctl;
  const cfg = s.cfg;
  if (level === IPPROTO_IPV6) return getV6Opt(s, name);
  if (level === IPPROTO_IP) {
    const mc = getStreamMcast4(s.inet, name) ?? getPmtu(s.inet, level, name);
    if (mc !== null) return mc;
    if (name === IP_BIND_ADDRESS_NO_PORT) return intBytes(s.bindNoPort ? 1 : 0);
    if (name === IP_MTU) {
      if (!t || t.state === TCP_CLOSE) return -Errno.ENOTCONN;
      return intBytes(t.pmtu);
    }
    return s.inet.get(level, name);
  }
  if (level !== IPPROTO_TCP) return -Errno.EOPNOTSUPP;
  switch (name) {
    case TCP_NODELAY: return intBytes(cfg.nodelay ? 1 : 0);
    case TCP_CORK: return intBytes(cfg.cork ? 1 : 0);
    case TCP_MAXSEG: {
      let v = t ? t.mssCache : 536;
      const st = t ? t.state : TCP_CLOSE;
      if (cfg.userMss && (st === TCP_CLOSE || st === TCP_LISTEN || s.listener)) v = cfg.userMss;
      return intBytes(v);
    }
    case TCP_KEEPIDLE: return intBytes(Math.floor((cfg.keepIdleNs || sc.keepaliveTimeNs) / SEC));
    case TCP_KEEPINTVL: return intBytes(Math.floor((cfg.keepIntvlNs || sc.keepaliveIntvlNs) / SEC));
    case TCP_KEEPCNT: return intBytes(cfg.keepCnt || sc.keepaliveProbes);
    case TCP_SYNCNT: return intBytes(cfg.synRetries || sc.synRetries);
    case TCP_LINGER2: {
      const v = cfg.linger2Ns;
      return intBytes(v < 0 ? -1 : Math.floor((v || sc.finTimeoutNs) / SEC));
    }
    case TCP_DEFER_ACCEPT: return intBytes(retransToSecs(cfg.deferAccept));
    case TCP_WINDOW_CLAMP: return intBytes(t ? t.windowClamp : cfg.windowClamp);
    case TCP_INFO: return tcpInfo(s);
    case TCP_QUICKACK: return intBytes(t && t.pingpong >= sc.pingpongThresh ? 0 : 1);
    case TCP_CONGESTION: {
      const b = new Uint8Array(TCP_CA_NAME_MAX);
      b.set(Buffer.from(t ? t.cc.name : cfg.congestion, 'latin1'));
      return b;
    }
    case TCP_USER_TIMEOUT: return intBytes(Math.floor(cfg.userTimeoutNs / MS));
    case TCP_NOTSENT_LOWAT: return intBytes(cfg.notsentLowat);
    case TCP_INQ: return intBytes(cfg.inq ? 1 : 0);
    default: return -Errno.ENOPROTOOPT;
  }
}

