/**
 * Scenario data: a whole run as plain JSON — topology, per-process operation lists, a fault schedule and a seed —
 * so fast-check can generate it, shrink it, and save it; the interpreter (interpret.ts) runs it as simulated
 * processes. SCHEMA.md documents the format for people writing scenarios by hand.
 *
 * Operations refer to sockets by index into the list of fds the process has created so far (modulo its length), so
 * removing an earlier operation never makes a later one invalid: every operation is valid in any state (one on a
 * closed or missing fd simply expects EBADF), which is what lets a failing case shrink.
 */

import type { ZoneData } from '../../stack/dns/zone.js';

/** A constant given by name ("AF_INET", "MSG_PEEK") or by number. */
export type Sym = string | number;

/** Flags: one name, a number, or a list of names/numbers OR-ed together. */
export type Flags = Sym | Sym[];

/** An address operand. */
export type AddrSpec =
  /** A host's first IPv4 address (or the wildcard with host "*"), and a port. */
  | { host: string; port: number; v6?: boolean }
  /** A literal IP address (v4 or v6 text) and port. */
  | { ip: string; port: number }
  /** An AF_UNIX path; a leading "@" means the abstract namespace (Linux's leading NUL). */
  | { path: string }
  /** Raw sockaddr bytes in hex (for malformed-address cases). */
  | { raw: string };

/** Payload of a send: a byte count (deterministic pattern) or literal text. */
export type DataSpec = { len: number } | { text: string };

/** What an operation should return; a mismatch is a scenario failure. */
export interface Expect {
  /** The exact return value, or ">=0". */
  ret?: number | '>=0';
  /** The errno name expected with a -1 return. */
  errno?: string;
}

interface OpBase {
  /** Expected outcome (optional). */
  expect?: Expect;
}

/** One socket-API call. `fd`/`epfd` are indices into the process's created fds (modulo their count). */
export type Op = OpBase & (
  | { op: 'socket'; domain: Sym; type: Flags; protocol?: Sym }
  | { op: 'socketpair'; domain: Sym; type: Flags; protocol?: Sym }
  | { op: 'bind'; fd: number; addr: AddrSpec }
  | { op: 'listen'; fd: number; backlog: number }
  | { op: 'accept'; fd: number; flags?: Flags }
  | { op: 'connect'; fd: number; addr: AddrSpec }
  | { op: 'send'; fd: number; data: DataSpec; flags?: Flags }
  | { op: 'sendto'; fd: number; data: DataSpec; flags?: Flags; addr?: AddrSpec }
  | { op: 'recv'; fd: number; len: number; flags?: Flags }
  | { op: 'recvfrom'; fd: number; len: number; flags?: Flags }
  | { op: 'shutdown'; fd: number; how: Sym }
  | { op: 'close'; fd: number }
  | { op: 'setsockopt'; fd: number; level: Sym; name: Sym; value: number | { onoff: number; linger: number } | { sec: number; usec: number } }
  | { op: 'getsockopt'; fd: number; level: Sym; name: Sym; optlen?: number }
  | { op: 'getsockname'; fd: number }
  | { op: 'getpeername'; fd: number }
  | { op: 'sleep'; ms: number }
  // The calls below were added for the conformance suite (test/conformance/); each maps to one C call.
  /** sendmsg(2) with one iovec; `rights` passes the listed fds (SCM_RIGHTS), `creds` the sender's ucred. */
  | { op: 'sendmsg'; fd: number; data: DataSpec; flags?: Flags; addr?: AddrSpec; rights?: number[]; creds?: boolean }
  /** recvmsg(2) into one `len`-byte iovec and a `controlLen`-byte control buffer; received fds join the fd list. */
  | { op: 'recvmsg'; fd: number; len: number; flags?: Flags; controlLen?: number }
  | { op: 'read'; fd: number; len: number }
  | { op: 'write'; fd: number; data: DataSpec }
  | { op: 'dup'; fd: number }
  /** fcntl(2) with an integer argument (F_GETFL, F_SETFL O_NONBLOCK, F_GETFD…). */
  | { op: 'fcntl'; fd: number; cmd: Sym; arg?: Flags }
  /** poll(2) over the listed fds; `timeoutMs` -1 waits forever. */
  | { op: 'poll'; fds: PollSpec[]; timeoutMs: number }
  /** select(2) over fd lists; `timeoutMs` null waits forever. */
  | { op: 'select'; read?: number[]; write?: number[]; except?: number[]; timeoutMs: number | null }
  /** epoll_create1(2); the epoll fd joins the fd list. */
  | { op: 'epoll_create'; flags?: Flags }
  /** epoll_ctl(2); the event's data is the fd index `fd`, so epoll_wait reports indices. */
  | { op: 'epoll_ctl'; epfd: number; ctl: Sym; fd: number; events?: Flags }
  | { op: 'epoll_wait'; epfd: number; maxevents: number; timeoutMs: number }
  /** signal(2): ignore a signal or restore its default action (SIGPIPE). */
  | { op: 'signal'; signo: Sym; action: 'ignore' | 'default' }
  /** unlink(2) of a path (AF_UNIX socket files). */
  | { op: 'unlink'; path: string }
  /** getaddrinfo(3) with hints; ret is the EAI code (0 on success). */
  | { op: 'getaddrinfo'; node: string | null; service: string | null; family?: Sym; socktype?: Sym; protocol?: Sym; flags?: Flags }
  /** inet_pton(3); the address bytes come back as hex. */
  | { op: 'inet_pton'; af: Sym; src: string }
  /** inet_ntop(3) of `hex` address bytes into a buffer of `size` bytes (default 46). */
  | { op: 'inet_ntop'; af: Sym; hex: string; size?: number }
  /** inet_aton(3). */
  | { op: 'inet_aton'; src: string }
  /** inet_addr(3): ret is the in_addr_t as an unsigned number. */
  | { op: 'inet_addr'; src: string }
);

/** One entry of a poll op: an fd index and the requested events. */
export interface PollSpec {
  fd: number;
  events: Flags;
}

/** Names of all operations. */
export type OpName = Op['op'];

/** A link between two hosts. */
export interface LinkSpec {
  a: string;
  b: string;
  /** CIDR addresses of the two ends ("10.0.0.1/24"); default 10.0.<link index + 1>.1/24 and .2/24. */
  aAddr?: string;
  bAddr?: string;
  latencyMs?: number;
  jitterMs?: number;
  loss?: number;
  duplicate?: number;
  reorder?: number;
  reorderDelayMs?: number;
  corrupt?: number;
  rateMbps?: number;
  queueLimit?: number;
  mtu?: number;
}

/** A change at a point of virtual time. */
export type Fault =
  | { at: number; kind: 'link'; link: number; set: Omit<LinkSpec, 'a' | 'b' | 'aAddr' | 'bAddr'> }
  | { at: number; kind: 'partition'; hosts: string[] }
  | { at: number; kind: 'heal' }
  | { at: number; kind: 'crash'; host: string }
  | { at: number; kind: 'restart'; host: string };

/** A process and what it does. */
export interface ProcessSpec {
  host: string;
  name?: string;
  /** Start time in ms of virtual time. */
  startMs?: number;
  ops: Op[];
}

/** A whole scenario. */
export interface ScenarioData {
  /** Format version (1). */
  version: 1;
  /** Master seed. */
  seed: number | string;
  hosts: string[];
  links: LinkSpec[];
  processes: ProcessSpec[];
  /** Fault schedule, times in ms of virtual time. */
  faults: Fault[];
  /** Bounds of the run. */
  limits?: { maxTimeMs?: number; maxEvents?: number };
  /** Stack profile (a deviation from Linux to emulate), default "linux". */
  profile?: string;
  /** Free text: what this case checks. */
  description?: string;
  /**
   * Contents of configuration files every host sees (conformance cases with name lookups): /etc/hosts and
   * /etc/resolv.conf. Absent files keep the host's defaults.
   */
  etc?: { hosts?: string; resolvConf?: string };
  /** A DNS service: zones served by a recursive resolver on one host, and the clients that use it (data/dns.ts). */
  dns?: DnsSpec;
}

/** A client's stub-resolver options, written to its resolv.conf (resolv.conf(5)). */
export interface DnsClientSpec {
  /** options timeout:n, seconds per try (glibc's default 5, at most 30). */
  timeout?: number;
  /** options attempts:n, rounds over the name servers (default 2, at most 5). */
  attempts?: number;
  /** The search list. */
  search?: string[];
  /** options ndots:n (default 1, at most 15). */
  ndots?: number;
}

/**
 * The DNS of a scenario: the resolver host runs an authoritative server for `zones` and a recursive caching
 * resolver in front of it; each listed client's resolv.conf names that resolver and carries its options.
 */
export interface DnsSpec {
  /** The host running the resolver (and the authoritative server behind it). */
  resolver: string;
  /** The zones, in the zone-data form of stack/dns/zone.ts (names relative to the origin unless they end in "."). */
  zones: ZoneData[];
  /** Client hosts and their resolver options. */
  clients?: Record<string, DnsClientSpec>;
}
