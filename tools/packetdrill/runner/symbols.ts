/**
 * Symbol resolution for system-call arguments: the names packetdrill's lexer knows (symbols.c, built from the
 * C headers) mapped to Linux x86-64 numbers, taken from stack/constants.ts and stack/errno.ts plus the few the
 * stack does not define, and `-D` symbols. Integer expressions (`O_RDWR|O_NONBLOCK`, `htons(8080)`) evaluate here.
 */
import * as C from '../../../stack/constants.js';
import { Errno } from '../../../stack/errno.js';
import type { Expr } from '../expr.js';
import { formatExpr } from '../format.js';

/** Names packetdrill scripts use that stack/constants.ts does not define (Linux uapi headers, x86-64). */
const EXTRA: Record<string, number> = {
  NULL: 0,
  // asm-generic/ioctls.h, linux/sockios.h.
  SIOCINQ: 0x541b, FIONREAD: 0x541b, SIOCOUTQ: 0x5411, TIOCOUTQ: 0x5411, SIOCOUTQNSD: 0x894b, FIONBIO: 0x5421,
  // asm-generic/socket.h.
  SO_TIMESTAMPING: 37, SCM_TIMESTAMPING: 37, SO_MAX_PACING_RATE: 47, SO_TXTIME: 61, SO_RCVLOWAT: 18,
  SO_TIMESTAMPNS: 35, SO_MEMINFO: 55, SO_BINDTOIFINDEX: 62,
  // linux/tcp.h options socksim's constants leave out.
  TCP_FASTOPEN_KEY: 33, TCP_REPAIR_QUEUE: 20, TCP_QUEUE_SEQ: 21, TCP_REPAIR_OPTIONS: 22, TCP_REPAIR_WINDOW: 29,
  TCP_ZEROCOPY_RECEIVE: 35, TCP_MD5SIG_EXT: 32, TCP_AO_ADD_KEY: 38,
  // linux/tcp.h enum tcp_ca_state and tcpi_options bits (used by %{ }% code too).
  TCP_CA_Open: 0, TCP_CA_Disorder: 1, TCP_CA_CWR: 2, TCP_CA_Recovery: 3, TCP_CA_Loss: 4,
  TCPI_OPT_TIMESTAMPS: 1, TCPI_OPT_SACK: 2, TCPI_OPT_WSCALE: 4, TCPI_OPT_ECN: 8, TCPI_OPT_ECN_SEEN: 16,
  TCPI_OPT_SYN_DATA: 32, TCPI_OPT_USEC_TS: 64,
  // linux/net_tstamp.h.
  SOF_TIMESTAMPING_TX_HARDWARE: 1 << 0, SOF_TIMESTAMPING_TX_SOFTWARE: 1 << 1, SOF_TIMESTAMPING_RX_HARDWARE: 1 << 2,
  SOF_TIMESTAMPING_RX_SOFTWARE: 1 << 3, SOF_TIMESTAMPING_SOFTWARE: 1 << 4, SOF_TIMESTAMPING_SYS_HARDWARE: 1 << 5,
  SOF_TIMESTAMPING_RAW_HARDWARE: 1 << 6, SOF_TIMESTAMPING_OPT_ID: 1 << 7, SOF_TIMESTAMPING_TX_SCHED: 1 << 8,
  SOF_TIMESTAMPING_TX_ACK: 1 << 9, SOF_TIMESTAMPING_OPT_CMSG: 1 << 10, SOF_TIMESTAMPING_OPT_TSONLY: 1 << 11,
  SOF_TIMESTAMPING_OPT_STATS: 1 << 12, SCM_TSTAMP_SND: 0, SCM_TSTAMP_SCHED: 1, SCM_TSTAMP_ACK: 2,
  // linux/errqueue.h.
  SO_EE_ORIGIN_NONE: 0, SO_EE_ORIGIN_LOCAL: 1, SO_EE_ORIGIN_ICMP: 2, SO_EE_ORIGIN_ICMP6: 3,
  SO_EE_ORIGIN_TXSTATUS: 4, SO_EE_ORIGIN_ZEROCOPY: 5, SO_EE_ORIGIN_TIMESTAMPING: 4, SO_EE_CODE_ZEROCOPY_COPIED: 1,
  // linux/in6.h and linux/in.h extras.
  IPV6_RECVERR: 25, IPV6_FLOWINFO: 11, IPV6_FLOWLABEL_MGR: 32, IPV6_FLOWINFO_SEND: 33, IP_RECVERR: 11,
  // tcp_states.h.
  TCP_ESTABLISHED: 1, TCP_SYN_SENT: 2, TCP_SYN_RECV: 3, TCP_FIN_WAIT1: 4, TCP_FIN_WAIT2: 5, TCP_TIME_WAIT: 6,
  TCP_CLOSE: 7, TCP_CLOSE_WAIT: 8, TCP_LAST_ACK: 9, TCP_LISTEN: 10, TCP_CLOSING: 11,
  // fcntl.h extras.
  O_DIRECT: 0o40000, O_NDELAY: 0o4000,
  // sys/epoll.h, linux/eventpoll.h.
  EPOLLEXCLUSIVE: 1 << 28,
};

/** Every known symbol (constants.ts first, then the extras, then errno names). */
const TABLE: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const [k, v] of Object.entries(C)) if (typeof v === 'number' && /^[A-Z][A-Z0-9_]*$/.test(k)) m.set(k, v);
  for (const [k, v] of Object.entries(EXTRA)) if (!m.has(k)) m.set(k, v);
  for (const [k, v] of Object.entries(Errno)) if (!m.has(k)) m.set(k, v);
  return m;
})();

/** A value the script could not give: why, for the FAIL message. */
export class ArgError extends Error {}

/** The value of a symbol, following `-D` definitions (which may name another symbol or be a number). */
export function symbolValue(name: string, defines: ReadonlyMap<string, string>, depth = 0): number | undefined {
  const d = defines.get(name);
  if (d !== undefined && depth < 8) {
    if (/^-?(0x[0-9a-fA-F]+|\d+)$/.test(d)) return Number(d);
    return symbolValue(d, defines, depth + 1);
  }
  return TABLE.get(name);
}

/** The text a `-D` symbol stands for (cookies, keys), or the name itself. */
export function defineText(name: string, defines: ReadonlyMap<string, string>): string {
  return defines.get(name) ?? name;
}

/** Evaluates an integer expression: literal, symbol, `A|B`, `htons(x)`, `htonl(x)`, `[x]` (the int inside). */
export function evalInt(e: Expr, defines: ReadonlyMap<string, string>): number {
  switch (e.kind) {
    case 'int':
      return e.value;
    case 'word': {
      const v = symbolValue(e.name, defines);
      if (v === undefined) throw new ArgError(`unknown symbol ${e.name}`);
      return v;
    }
    case 'or': {
      let v = 0;
      for (const o of e.operands) v = (v | evalInt(o, defines)) >>> 0;
      // Keep values that fit in an int as ints (flags with bit 31 set stay unsigned).
      return v;
    }
    case 'call': {
      const arg = e.args[0];
      if ((e.name === 'htons' || e.name === 'htonl' || e.name === 'ntohs' || e.name === 'ntohl') && arg !== undefined && e.args.length === 1) {
        // Byte order is the syscall layer's business: a port stays a host-order number here.
        return evalInt(arg, defines);
      }
      throw new ArgError(`cannot evaluate ${formatExpr(e)} as an integer`);
    }
    case 'list':
      if (e.items.length === 1 && e.items[0] !== undefined) return evalInt(e.items[0], defines);
      throw new ArgError(`expected [int], got ${formatExpr(e)}`);
    default:
      throw new ArgError(`expected an integer, got ${formatExpr(e)}`);
  }
}

/** Whether an expression is `...` (fill in / do not care). */
export function isEllipsis(e: Expr | undefined): boolean {
  return e !== undefined && e.kind === 'ellipsis';
}

/** Whether an expression is NULL (a null pointer argument). */
export function isNull(e: Expr | undefined): boolean {
  return e !== undefined && e.kind === 'word' && e.name === 'NULL';
}
