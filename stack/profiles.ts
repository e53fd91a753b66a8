/**
 * Stack profiles: Linux, and deviations from it that the seed documents record in other systems' socket layers.
 * A profile lets a user see how a program fares on such a system, and measures the fuzzer: each deviation must be
 * caught by at least one property. Stack code consults `host.profile.deviations` at the few places each applies.
 */

/** The switchable deviations. */
export interface Deviations {
  /** AF_UNIX abstract names (leading NUL) are treated as filesystem paths beneath the root (seed 000). */
  abstractAsPath?: boolean;
  /** SO_LINGER is accepted but close ignores it: {1,0} sends FIN, not RST (seed 000: "partially implemented"). */
  lingerIgnored?: boolean;
  /** MSG_OOB is accepted and ignored: the byte is sent as ordinary data (seed 000). */
  oobIgnored?: boolean;
  /** MSG_PEEK is not supported: a peek consumes the data like a plain receive (seed 001). */
  peekConsumes?: boolean;
  /** UDP receive is not wired: datagrams reach the host but never a socket's queue (seed 004). */
  udpRecvUnwired?: boolean;
  /** No port-conflict detection: a second bind of a port in use succeeds (seed 004). */
  noPortConflict?: boolean;
  /** bind ignores the address and binds the wildcard (seed 004: "the address is always 0.0.0.0"). */
  bindIgnoresAddress?: boolean;
  /** socket() ignores domain and type: every socket is an IPv4 TCP socket (seed 004). */
  socketIgnoresDomainType?: boolean;
}

/** A named profile. */
export interface StackProfile {
  name: string;
  description: string;
  deviations: Deviations;
}

/** Every profile; `linux` first. */
export const PROFILES: readonly StackProfile[] = [
  { name: 'linux', description: 'Linux 6.x semantics (the reference)', deviations: {} },
  { name: 'abstract-as-path', description: 'AF_UNIX abstract names are handled as filesystem paths', deviations: { abstractAsPath: true } },
  { name: 'linger-ignored', description: 'SO_LINGER {1,0} closes with FIN instead of RST', deviations: { lingerIgnored: true } },
  { name: 'oob-ignored', description: 'MSG_OOB is accepted and ignored (sent as ordinary data)', deviations: { oobIgnored: true } },
  { name: 'no-peek', description: 'MSG_PEEK consumes data like a plain receive', deviations: { peekConsumes: true } },
  { name: 'udp-recv-unwired', description: 'UDP datagrams never reach a socket', deviations: { udpRecvUnwired: true } },
  { name: 'no-port-conflict', description: 'binding a port already in use succeeds', deviations: { noPortConflict: true } },
  { name: 'bind-ignores-address', description: 'bind always binds the wildcard address', deviations: { bindIgnoresAddress: true } },
  { name: 'socket-ignores-domain-type', description: 'socket() makes an IPv4 TCP socket whatever it is asked for', deviations: { socketIgnoresDomainType: true } },
];

/** The Linux profile. */
export const LINUX_PROFILE = PROFILES[0]!;

/** The profile with this name, or undefined. */
export function findProfile(name: string): StackProfile | undefined {
  return PROFILES.find((p) => p.name === name);
}
