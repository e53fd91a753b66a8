/**
 * ICMP for IPv4 (RFC 792, RFC 1122 §3.2.2) on one host, as Linux's net/ipv4/icmp.c:
 *   - echo requests are answered (icmp_echo_ignore_all 0) unless sent to a broadcast or multicast address
 *     (icmp_echo_ignore_broadcasts 1); replies go to ping sockets by their id;
 *   - errors received (destination unreachable, time exceeded, parameter problem) are handed to the protocol of the
 *     quoted packet (`ipv4.errorHandlers`), "fragmentation needed" first lowering the path MTU (RFC 1191);
 *   - errors sent never answer an ICMP error, a non-first fragment, or a broadcast/multicast packet (RFC 1122
 *     §3.2.2), quote at most 576 − 28 bytes of the offending packet, carry TOS 0xc0 | the original's TOS bits
 *     (IPTOS_PREC_INTERNETCONTROL), and are rate limited (icmp_ratelimit 1000 ms per destination and
 *     icmp_msgs_per_sec for the types in icmp_ratemask 0x1818: unreachable except frag-needed, source quench,
 *     time exceeded, parameter problem). Errors going back to this host itself (a failed ARP) are never limited.
 */
import { Errno } from './errno.js';
import { EV_DROP } from './events.js';
import type { Host } from './host.js';
import type { Icmp4Error, Ipv4Meta } from './ipv4.js';
import { IcmpRateLimiter } from './icmp-ratelimit.js';
import { IPPROTO_ICMP } from './constants.js';
import { WireError } from './wire/errors.js';
import { readU16, readU32 } from './wire/bytes.js';
import {
  emitIcmpv4, parseIcmpv4, ICMPV4_DEST_UNREACH, ICMPV4_ECHO_REPLY, ICMPV4_ECHO_REQUEST, ICMPV4_FRAG_NEEDED,
  ICMPV4_TIME_EXCEEDED, type Icmpv4Repr,
} from './wire/icmpv4.js';

/** Parameter problem and source quench, also errors (RFC 792). */
const ICMPV4_PARAM_PROBLEM = 12, ICMPV4_SOURCE_QUENCH = 4;
/** Types that are errors (icmp_pointers[].error): never answered with another error. */
const ERROR_TYPES = new Set([ICMPV4_DEST_UNREACH, ICMPV4_SOURCE_QUENCH, 5, ICMPV4_TIME_EXCEEDED, ICMPV4_PARAM_PROBLEM]);
/** RFC 792 destination unreachable code "port unreachable". */
export const ICMP_PORT_UNREACH = 3;
/** An error quotes at most 576 − 20 − 8 bytes of the packet that caused it (RFC 1812 §4.3.2.3, __icmp_send). */
const MAX_QUOTE = 576 - 20 - 8;

/**
 * icmp_err_convert: the errno an ICMPv4 error maps to and whether it is "hard" (a connected UDP or ping socket
 * gets hard errors as SO_ERROR without IP_RECVERR; soft ones only with it).
 */
export function icmpErrConvert(type: number, code: number): { errno: number; fatal: boolean } {
  if (type === ICMPV4_DEST_UNREACH) {
    if (code === ICMPV4_FRAG_NEEDED) return { errno: Errno.EMSGSIZE, fatal: true };
    const tab: [number, boolean][] = [
      [Errno.ENETUNREACH, false], [Errno.EHOSTUNREACH, false], [Errno.ENOPROTOOPT, true],
      [Errno.ECONNREFUSED, true], [Errno.EMSGSIZE, false], [Errno.EOPNOTSUPP, false], [Errno.ENETUNREACH, true],
      [Errno.EHOSTDOWN, true], [64 /* ENONET */, true], [Errno.ENETUNREACH, true], [Errno.EHOSTUNREACH, true],
      [Errno.ENETUNREACH, false], [Errno.EHOSTUNREACH, false], [Errno.EHOSTUNREACH, true],
      [Errno.EHOSTUNREACH, true], [Errno.EHOSTUNREACH, true],
    ];
    const e = tab[code];
    return e ? { errno: e[0], fatal: e[1] } : { errno: Errno.EHOSTUNREACH, fatal: false };
  }
  if (type === ICMPV4_PARAM_PROBLEM) return { errno: Errno.EPROTO, fatal: true };
  return { errno: Errno.EHOSTUNREACH, fatal: false };
}

/** ICMPv4 of one host. */
export class Icmp4 {
  /** The host-wide limiter (ICMPv6 shares it, as Linux shares icmp_global). */
  readonly limiter: IcmpRateLimiter;
  /** net.ipv4.icmp_echo_ignore_all. */
  echoIgnoreAll = false;
  /** net.ipv4.icmp_echo_ignore_broadcasts. */
  echoIgnoreBroadcasts = true;
  /** net.ipv4.icmp_ratelimit, ms. */
  ratelimitMs = 1000;
  /** net.ipv4.icmp_ratemask. */
  ratemask = 0x1818;
  /** Counters as /proc/net/snmp's Icmp line names them. */
  readonly stats = {
    inMsgs: 0, inErrors: 0, inCsumErrors: 0, inDestUnreachs: 0, inTimeExcds: 0, inEchos: 0, inEchoReps: 0,
    outMsgs: 0, outDestUnreachs: 0, outTimeExcds: 0, outEchoReps: 0, outRateLimitGlobal: 0, outRateLimitHost: 0,
  };

  constructor(readonly host: Host) {
    this.limiter = new IcmpRateLimiter(host);
    host.ipv4.handlers.set(IPPROTO_ICMP, (meta, payload) => this.input(meta, payload));
  }

  /** icmp_rcv. */
  input(meta: Ipv4Meta, bytes: Uint8Array): void {
    this.stats.inMsgs++;
    let m: Icmpv4Repr;
    try {
      m = parseIcmpv4(bytes);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.stats.inErrors++;
      if (e.reason === 'bad-checksum') this.stats.inCsumErrors++;
      return this.drop(meta.pktId, e.reason === 'bad-checksum' ? 'bad-checksum' : 'malformed');
    }
    // ICMPMSGIN_INC_STATS: the type is counted before the broadcast check.
    if (m.type === ICMPV4_ECHO_REQUEST) this.stats.inEchos++;
    if (m.type === ICMPV4_ECHO_REPLY) this.stats.inEchoReps++;
    if (m.type === ICMPV4_DEST_UNREACH) this.stats.inDestUnreachs++;
    if (m.type === ICMPV4_TIME_EXCEEDED) this.stats.inTimeExcds++;
    if (meta.broadcast && (m.type !== ICMPV4_ECHO_REQUEST || this.echoIgnoreBroadcasts)) {
      return this.drop(meta.pktId, 'not-for-us'); // RFC 1122 §3.2.2.6
    }
    switch (m.type) {
      case ICMPV4_ECHO_REQUEST:
        if (!this.echoIgnoreAll && 'id' in m) this.echoReply(meta, m);
        return;
      case ICMPV4_ECHO_REPLY:
        this.host.ping.receive4(meta, bytes, readU16(bytes, 4));
        return;
      case ICMPV4_DEST_UNREACH:
      case ICMPV4_TIME_EXCEEDED:
      case ICMPV4_PARAM_PROBLEM:
      case ICMPV4_SOURCE_QUENCH:
        return this.unreach(meta, m.type, m.code, readU32(bytes, 4), bytes.subarray(8));
      default:
        return; // timestamps, redirects and the rest are ignored (redirects: accept_redirects does not apply here)
    }
  }

  /** icmp_unreach → icmp_socket_deliver: hands the error to the quoted packet's protocol. */
  private unreach(meta: Ipv4Meta, type: number, code: number, rest: number, quoted: Uint8Array): void {
    if (quoted.length < 20 || quoted[0]! >>> 4 !== 4) return this.drop(meta.pktId, 'malformed');
    const ihl = (quoted[0]! & 0xf) * 4;
    if (ihl < 20 || quoted.length < ihl + 8) {
      this.stats.inErrors++;
      return this.drop(meta.pktId, 'malformed');
    }
    const proto = quoted[9]!;
    const src = readU32(quoted, 12);
    const dst = readU32(quoted, 16);
    let mtu: number | undefined;
    if (type === ICMPV4_DEST_UNREACH && code === ICMPV4_FRAG_NEEDED) {
      mtu = rest & 0xffff;
      this.host.ipv4.learnPathMtu(dst, mtu);
    }
    const err: Icmp4Error = {
      v: 4, type, code, ...(mtu !== undefined ? { mtu } : {}), src, dst, offender: meta.src, quoted,
      transport: quoted.subarray(ihl),
    };
    this.host.ipv4.errorHandlers.get(proto)?.(err);
  }

  private echoReply(meta: Ipv4Meta, m: Icmpv4Repr & { id: number; seq: number; data: Uint8Array }): void {
    const ipv4 = this.host.ipv4;
    // fib_compute_spec_dst: reply from the address the request was sent to, or pick one for a broadcast.
    const src = ipv4.isLocal(meta.dst) ? meta.dst : ipv4.selectSource(meta.src);
    if (src === undefined) return;
    const reply = emitIcmpv4({ type: ICMPV4_ECHO_REPLY, code: 0, id: m.id, seq: m.seq, data: m.data });
    if (ipv4.output({ src, dst: meta.src, protocol: IPPROTO_ICMP, payload: reply, tos: meta.tos }) === 0) {
      this.stats.outMsgs++;
      this.stats.outEchoReps++;
    }
  }

  /**
   * icmp_send: reports `packet` (an IPv4 packet this host received or tried to send) to its source. `info` is the
   * next-hop MTU for "fragmentation needed". `local` marks errors about our own packets (a failed neighbour
   * resolution): those go back through loopback and are not rate limited.
   */
  sendError(packet: Uint8Array, type: number, code: number, info = 0, local = false): void {
    if (packet.length < 20) return;
    const ihl = (packet[0]! & 0xf) * 4;
    if (ihl < 20 || packet.length < ihl) return;
    if ((readU16(packet, 6) & 0x1fff) !== 0) return; // only fragment 0
    const src = readU32(packet, 12), dst = readU32(packet, 16);
    const ipv4 = this.host.ipv4;
    if (!local && ipv4.isGroupAddress(dst)) return;
    if (src === 0 || src === 0xffffffff || src >>> 28 === 0xe) return;
    if (packet[9] === IPPROTO_ICMP && packet.length >= ihl + 1 && ERROR_TYPES.has(packet[ihl]!)) return;
    // An error about a packet of our own comes in and goes out over lo: neither limit applies to it.
    const limited = !this.maskAllow(type, code) && !local && !ipv4.isLocal(src);
    if (limited) {
      if (!this.limiter.globalAllow()) {
        this.stats.outRateLimitGlobal++;
        return this.drop(null, 'icmp-ratelimit');
      }
      if (!this.limiter.peerAllow(`4|${src}`, this.ratelimitMs)) {
        this.stats.outRateLimitHost++;
        return this.drop(null, 'icmp-ratelimit');
      }
    }
    // Source: the address the packet was for when it was ours, else what routing picks towards its sender.
    const from = !local && ipv4.isLocal(dst) ? dst : ipv4.selectSource(src);
    if (from === undefined) return;
    const quote = packet.subarray(0, Math.min(packet.length, MAX_QUOTE));
    const repr: Icmpv4Repr = type === ICMPV4_DEST_UNREACH
      ? { type, code, nextHopMtu: code === ICMPV4_FRAG_NEEDED ? info : 0, original: quote }
      : type === ICMPV4_TIME_EXCEEDED ? { type, code, original: quote } : { type, code, rest: info, data: quote };
    const tos = (packet[1]! & 0x1e) | 0xc0;
    if (ipv4.output({ src: from, dst: src, protocol: IPPROTO_ICMP, payload: emitIcmpv4(repr), tos }) !== 0) return;
    if (limited) this.limiter.globalConsume();
    this.stats.outMsgs++;
    if (type === ICMPV4_DEST_UNREACH) this.stats.outDestUnreachs++;
    if (type === ICMPV4_TIME_EXCEEDED) this.stats.outTimeExcds++;
  }

  /** icmpv4_mask_allow: types outside icmp_ratemask, and frag-needed (PMTU discovery), are never limited. */
  private maskAllow(type: number, code: number): boolean {
    if (type > 18) return true;
    if (type === ICMPV4_DEST_UNREACH && code === ICMPV4_FRAG_NEEDED) return true;
    return ((1 << type) & this.ratemask) === 0;
  }

  /** Forgets rate-limit state (the host rebooted). */
  reset(): void {
    this.limiter.reset();
  }

  private drop(pktId: number | null, reason: string): void {
    this.host.countDrop(reason);
    this.host.sim.record(EV_DROP, `${this.host.name}:icmp`, pktId, reason);
  }
}
