/**
 * SOL_SOCKET options (socket(7)) with Linux's read-back values: sk_setsockopt/sk_getsockopt of net/core/sock.c.
 * Every int option needs optlen ≥ 4 (EINVAL); gets truncate to optlen. SO_SNDBUF/SO_RCVBUF are doubled and clamped
 * to [SOCK_MIN_*BUF, 2 × wmem_max/rmem_max]; timeouts are kept in jiffies (CONFIG_HZ=250 on the reference kernel),
 * so a read-back is rounded up to 4 ms; SO_LINGER reads back seconds; SO_ERROR is cleared when read. An option
 * socksim does not model is ENOPROTOOPT, never a silent success.
 */
import { SO_TIMESTAMPNS } from './rx-cmsg.js';
import {
  AF_INET, AF_INET6, AF_UNIX, IPPROTO_UDP, SOCK_DGRAM, SOCK_STREAM, SO_ACCEPTCONN, SO_BINDTODEVICE, SO_BROADCAST, SO_BSDCOMPAT,
  SO_DEBUG, SO_DOMAIN, SO_DONTROUTE, SO_ERROR, SO_KEEPALIVE, SO_LINGER, SO_MARK, SO_NO_CHECK, SO_OOBINLINE,
  SO_PASSCRED, SO_PEEK_OFF, SO_PEERCRED, SO_PEERGROUPS, SO_PRIORITY, SO_PROTOCOL, SO_RCVBUF, SO_RCVBUFFORCE,
  SO_RCVLOWAT, SO_RCVTIMEO, SO_REUSEADDR, SO_REUSEPORT, SO_RXQ_OVFL, SO_SNDBUF, SO_SNDBUFFORCE, SO_SNDLOWAT,
  SO_SNDTIMEO, SO_TIMESTAMP, SO_TYPE, SO_ZEROCOPY,
} from './constants.js';
import { ucredBytes } from './cmsg.js';
import { Errno } from './errno.js';
import type { Socket } from './socket.js';

/** net.core.wmem_max / rmem_max defaults. */
export const WMEM_MAX = 212992, RMEM_MAX = 212992;

/** The net.core sysctls the option code reads (a host's /proc/sys/net/core). */
export interface CoreSysctl {
  rmemMax: number;
  wmemMax: number;
}

const sysctls = new WeakMap<object, CoreSysctl>();

/** The net.core sysctls of a host (Linux defaults until a scenario changes them). */
export function coreSysctlOf(host: object): CoreSysctl {
  let s = sysctls.get(host);
  if (!s) sysctls.set(host, (s = { rmemMax: RMEM_MAX, wmemMax: WMEM_MAX }));
  return s;
}
/** SOCK_MIN_SNDBUF and SOCK_MIN_RCVBUF (2 × and 1 × TCP_SKB_MIN_TRUESIZE, 2048 + 256 on x86-64). */
export const SOCK_MIN_SNDBUF = 4608, SOCK_MIN_RCVBUF = 2304;
/** CONFIG_HZ of the reference kernel: socket timeouts are whole jiffies of 4 ms. */
export const HZ = 250;
const NS_PER_JIFFY = 1e9 / HZ;
const INT_MAX = 0x7fffffff;
/** MAX_SCHEDULE_TIMEOUT / HZ as SO_LINGER reads it back into an int (LONG_MAX / 250, truncated to 32 bits). */
const LINGER_MAX_READBACK = Number(BigInt.asIntN(32, 0x7fffffffffffffffn / BigInt(HZ)));
/** SO_PEERNAME (not in constants.ts). */
export const SO_PEERNAME = 28;

/** What the option code needs to know about the caller. */
export interface OptCaller {
  /** CAP_NET_ADMIN / CAP_NET_RAW (root). */
  privileged: boolean;
  /** The index of the interface with this name (SO_BINDTODEVICE), or null. */
  interfaceIndex(name: string): number | null;
  /** The name of an interface index, or null. */
  interfaceName(index: number): string | null;
}

/** A 32-bit little-endian int's bytes. */
export function intBytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v | 0, true);
  return b;
}

/** Reads the int at the start of optval. */
export function readInt(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(0, true);
}

function int64(b: Uint8Array, off: number): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigInt64(off, true));
}

/** struct timeval bytes (two 64-bit fields). */
export function timevalBytes(sec: number, usec: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(sec), true);
  dv.setBigInt64(8, BigInt(usec), true);
  return b;
}

/** sock_set_timeout: jiffies from a timeval; EDOM for a bad tv_usec; a negative tv_sec means "do not wait". */
function parseTimeoutOpt(val: Uint8Array): number | { ns: number } {
  if (val.length < 16) return -Errno.EINVAL;
  const sec = int64(val, 0), usec = int64(val, 8);
  if (usec < 0 || usec >= 1_000_000) return -Errno.EDOM;
  if (sec < 0) return { ns: -1 };
  if (sec === 0 && usec === 0) return { ns: 0 };
  const jiffies = sec * HZ + Math.ceil(usec / (1_000_000 / HZ));
  return { ns: jiffies * NS_PER_JIFFY };
}

/** sock_get_timeout: the timeval a stored timeout reads back as. */
function getTimeout(ns: number): Uint8Array {
  if (ns <= 0) return timevalBytes(0, 0);
  const j = Math.round(ns / NS_PER_JIFFY);
  return timevalBytes(Math.floor(j / HZ), ((j % HZ) * 1_000_000) / HZ);
}

/** Plain boolean SOL_SOCKET flags: set to (value != 0), read back as 0/1 (sock_valbool_flag). */
type BoolOpt = 'reuseAddr' | 'dontroute' | 'broadcast' | 'keepalive' | 'oobinline' | 'noCheck' | 'rxqOvfl';
const BOOL_OPTS = new Map<number, BoolOpt>([
  [SO_REUSEADDR, 'reuseAddr'], [SO_DONTROUTE, 'dontroute'], [SO_BROADCAST, 'broadcast'], [SO_KEEPALIVE, 'keepalive'],
  [SO_OOBINLINE, 'oobinline'], [SO_NO_CHECK, 'noCheck'], [SO_RXQ_OVFL, 'rxqOvfl'],
]);

/** Whether a socket is an internet (IPv4/IPv6) socket (sk_is_inet). */
function isInet(s: Socket): boolean {
  return s.domain === AF_INET || s.domain === AF_INET6;
}

/** setsockopt(SOL_SOCKET): 0 or -errno. `val` is the optval bytes, exactly optlen long. */
export function setSolSocket(s: Socket, name: number, val: Uint8Array, caller: OptCaller): number {
  if (name === SO_BINDTODEVICE) return setBindToDevice(s, val, caller);
  if (val.length < 4) return -Errno.EINVAL;
  const v = readInt(val);
  const on = v !== 0;
  const flag = BOOL_OPTS.get(name);
  if (flag) {
    s[flag] = on;
    return 0;
  }
  switch (name) {
    case SO_TIMESTAMP:
    case SO_TIMESTAMPNS:
      // sock_set_timestamp: either turns stamping on (SO_TIMESTAMPNS in nanoseconds); off turns off both.
      s.timestamp = on;
      s.timestampNs = on && name === SO_TIMESTAMPNS;
      // sock_enable_timestamp(): the host stamps arriving packets from now until the socket is destroyed; turning
      // the option off clears only the socket's own flag (Linux 6.18: still stamped, tcp-timestamp probe).
      if (on) s.host.netstampSockets.add(s);
      return 0;
    case SO_DEBUG:
      if (on && !caller.privileged) return -Errno.EACCES;
      s.debug = on;
      return 0;
    case SO_REUSEPORT:
      if (on && !isInet(s)) return -Errno.EOPNOTSUPP;
      s.reusePort = on;
      return 0;
    case SO_TYPE: case SO_PROTOCOL: case SO_DOMAIN: case SO_ERROR:
      return -Errno.ENOPROTOOPT;
    case SO_SNDBUF:
      return setSndbuf(s, Math.min(v >>> 0, coreSysctlOf(s.host).wmemMax));
    case SO_SNDBUFFORCE:
      if (!caller.privileged) return -Errno.EPERM;
      return setSndbuf(s, Math.max(v, 0));
    case SO_RCVBUF:
      return setRcvbuf(s, Math.min(v >>> 0, coreSysctlOf(s.host).rmemMax));
    case SO_RCVBUFFORCE:
      if (!caller.privileged) return -Errno.EPERM;
      return setRcvbuf(s, Math.max(v, 0));
    case SO_PRIORITY:
      if ((v < 0 || v > 6) && !caller.privileged) return -Errno.EPERM;
      s.priority = v;
      return 0;
    case SO_LINGER: {
      if (val.length < 8) return -Errno.EINVAL;
      const secs = new DataView(val.buffer, val.byteOffset, val.byteLength).getInt32(4, true);
      if (!on) s.linger.onoff = false;
      else s.linger = { onoff: true, secs: secs < 0 ? LINGER_MAX_READBACK : secs };
      return 0;
    }
    case SO_BSDCOMPAT:
      return 0; // obsolete and ignored by Linux too
    case SO_PASSCRED:
      // sk_may_scm_recv: only AF_UNIX (and netlink) sockets take credentials.
      if (s.domain !== AF_UNIX) return -Errno.EOPNOTSUPP;
      s.passcred = on;
      return 0;
    case SO_RCVLOWAT:
      s.rcvlowat = v < 0 ? INT_MAX : v || 1;
      return 0;
    case SO_RCVTIMEO: case SO_SNDTIMEO: {
      const t = parseTimeoutOpt(val);
      if (typeof t === 'number') return t;
      if (name === SO_RCVTIMEO) s.rcvTimeoNs = t.ns;
      else s.sndTimeoNs = t.ns;
      return 0;
    }
    case SO_MARK:
      if (!caller.privileged) return -Errno.EPERM;
      s.mark = v >>> 0;
      return 0;
    case SO_PEEK_OFF:
      return s.setPeekOff(v);
    case SO_ZEROCOPY:
      if (isInet(s)) {
        if (!(s.type === SOCK_STREAM || (s.type === SOCK_DGRAM && s.protocol === IPPROTO_UDP))) return -Errno.EOPNOTSUPP;
      } else return -Errno.EOPNOTSUPP;
      if (v < 0 || v > 1) return -Errno.EINVAL;
      s.zerocopy = on;
      return 0;
    default:
      // SO_SNDLOWAT, SO_PEERCRED, SO_ACCEPTCONN, SO_PEERGROUPS… cannot be set; unmodelled options land here too.
      return -Errno.ENOPROTOOPT;
  }
}

function setSndbuf(s: Socket, v: number): number {
  const val = Math.min(v, Math.floor(INT_MAX / 2));
  s.sndbuf = Math.max(val * 2, SOCK_MIN_SNDBUF);
  s.notify();
  return 0;
}

function setRcvbuf(s: Socket, v: number): number {
  const val = Math.min(v, Math.floor(INT_MAX / 2));
  s.rcvbuf = Math.max(val * 2, SOCK_MIN_RCVBUF);
  return 0;
}

/** sock_setbindtodevice: the name is cut to IFNAMSIZ − 1; "" unbinds; an unknown name is ENODEV. */
function setBindToDevice(s: Socket, val: Uint8Array, caller: OptCaller): number {
  if (!caller.privileged) return -Errno.EPERM;
  let n = val.subarray(0, 15);
  const nul = n.indexOf(0);
  if (nul >= 0) n = n.subarray(0, nul);
  const name = Buffer.from(n).toString('latin1');
  if (name === '') {
    s.boundDevice = 0;
    return 0;
  }
  const idx = caller.interfaceIndex(name);
  if (idx === null) return -Errno.ENODEV;
  s.boundDevice = idx;
  return 0;
}

/** getsockopt(SOL_SOCKET): the full value bytes (the caller truncates to optlen), or -errno. */
export function getSolSocket(s: Socket, name: number, caller: OptCaller, optlen: number): Uint8Array | number {
  const b = (x: boolean): Uint8Array => intBytes(x ? 1 : 0);
  const flag = BOOL_OPTS.get(name);
  if (flag) return b(s[flag]);
  if (name === SO_TIMESTAMP) return b(s.timestamp && !s.timestampNs);
  if (name === SO_TIMESTAMPNS) return b(s.timestampNs);
  switch (name) {
    case SO_DEBUG: return b(s.debug);
    case SO_REUSEPORT: return b(s.reusePort);
    case SO_TYPE: return intBytes(s.type);
    case SO_PROTOCOL: return intBytes(s.protocol);
    case SO_DOMAIN: return intBytes(s.domain);
    case SO_ERROR: return intBytes(s.takeError());
    case SO_SNDBUF: return intBytes(s.sndbuf);
    case SO_RCVBUF: return intBytes(s.rcvbuf);
    case SO_PRIORITY: return intBytes(s.priority);
    case SO_LINGER: {
      const out = new Uint8Array(8);
      const dv = new DataView(out.buffer);
      dv.setInt32(0, s.linger.onoff ? 1 : 0, true);
      dv.setInt32(4, s.linger.secs, true);
      return out;
    }
    case SO_BSDCOMPAT: return intBytes(0);
    case SO_PASSCRED: return s.domain === AF_UNIX ? b(s.passcred) : -Errno.EOPNOTSUPP;
    case SO_RCVLOWAT: return intBytes(s.rcvlowat);
    case SO_SNDLOWAT: return intBytes(1);
    case SO_RCVTIMEO: return getTimeout(s.rcvTimeoNs);
    case SO_SNDTIMEO: return getTimeout(s.sndTimeoNs);
    case SO_ACCEPTCONN: return b(s.isListening());
    case SO_MARK: return intBytes(s.mark);
    case SO_PEEK_OFF: {
      const po = s.getPeekOff();
      return po === null ? -Errno.EOPNOTSUPP : intBytes(po);
    }
    case SO_ZEROCOPY: return b(s.zerocopy);
    case SO_PEERCRED:
      // cred_to_ucred: no peer gives pid 0 and uid/gid -1.
      return ucredBytes(s.peerCred ?? { pid: 0, uid: 0xffffffff, gid: 0xffffffff });
    case SO_PEERGROUPS: {
      if (!s.peerCred) return -Errno.ENODATA;
      // The peer's supplementary groups: socksim processes have none, so the list is empty.
      return new Uint8Array(0);
    }
    case SO_BINDTODEVICE: {
      if (s.boundDevice === 0) return new Uint8Array(0);
      const n = caller.interfaceName(s.boundDevice) ?? '';
      const out = new Uint8Array(n.length + 1);
      out.set(Buffer.from(n, 'latin1'));
      if (optlen < out.length) return -Errno.EINVAL; // sock_getbindtodevice: a too-short buffer is EINVAL
      return out;
    }
    case SO_PEERNAME: {
      const p = s.peerName();
      if (typeof p === 'number') return -Errno.ENOTCONN;
      if (p.length < optlen) return -Errno.EINVAL;
      return p;
    }
    default:
      return -Errno.ENOPROTOOPT;
  }
}
