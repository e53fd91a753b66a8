/**
 * What `socksim inspect` learns from a recording: plain JSON-safe data (arrays and records, no Maps or byte arrays),
 * so the same object feeds the terminal summary, `--json` and the HTML page.
 */

/** Virtual time in integer nanoseconds, as everywhere in socksim. */
export type Ns = number;

/** One simulated process. */
export interface ProcessInfo {
  pid: number;
  host: string;
  name: string;
  startNs: Ns;
  /** Null while it never exited in the recording. */
  exitNs: Ns | null;
  /** Exit status; null when killed (host crash) or still running. */
  code: number | null;
  /** Why it ended abnormally (thrown error, kill reason), else null. */
  error: string | null;
  syscalls: number;
  failedSyscalls: number;
}

/** One host and what happened to it as a whole. */
export interface HostInfo {
  name: string;
  pids: number[];
  /** Interfaces seen sending or receiving frames ("eth0", "lo"). */
  ifaces: string[];
  /** Addresses it sent from (learned from frames). */
  addrs: string[];
  /** 'crash' / 'restart' events. */
  events: { t: Ns; what: string }[];
}

/** One link or loopback medium. */
export interface LinkInfo {
  name: string;
  /** Frames handed to it ('tx' events), including forwarded copies. */
  frames: number;
  bytes: number;
  /** Frames delivered at its far end ('rx' events; a duplicated frame counts twice). */
  delivered: number;
  /** Frames it dropped (drop events whose place is this link). */
  dropped: number;
  /** Frames sent by each attached endpoint, by label. */
  bySender: Record<string, number>;
  /** Runtime control: up/down, params, hold/release. */
  control: { t: Ns; what: string; detail: string | null }[];
}

/** Drops counted one way. */
export interface DropCount {
  key: string;
  count: number;
  firstNs: Ns;
}

/** Failed syscalls of one (call, errno) pair. */
export interface FailedSyscalls {
  call: string;
  errno: number;
  errnoName: string;
  count: number;
  firstNs: Ns;
  firstPid: number;
  /** Distinct pids that saw it (at most 20 listed). */
  pids: number[];
}

/** A TCP state change of one endpoint. */
export interface TcpStateChange {
  t: Ns;
  /** Linux's names (include/net/tcp_states.h): SYN_SENT, ESTABLISHED, FIN_WAIT1, … */
  state: string;
  /** What moved it, e.g. "sent SYN", "received FIN". */
  why: string;
}

/**
 * One segment as the sender sent it: [t, arrivalNs or -1, dir (0 = a→b, 1 = b→a), flags (TCP_FIN… bitmask),
 * relative seq, payload length, relative ack or -1 without ACK, scaled window, retransmission 0/1,
 * drop reason or "" when not dropped, SACK blocks as flat [start, end, …] relative to the peer's ISN].
 * A tuple keeps big transfers compact in JSON and in the page.
 */
export type TcpSegmentRow = [
  t: Ns, arrival: Ns, dir: 0 | 1, flags: number, seq: number, len: number, ack: number, win: number, retrans: 0 | 1,
  dropped: string, sack: number[],
];

/** One side of a TCP connection. */
export interface TcpEndpoint {
  /** "10.0.0.1:40000" or "[fe80::1]:80". */
  addr: string;
  host: string | null;
  /** Raw initial sequence number, or the first seq seen when the SYN was not seen. */
  isn: number;
  synSeen: boolean;
  /** Options on its SYN. */
  mss: number | null;
  wscale: number | null;
  sackOk: boolean;
  timestamps: boolean;
  segments: number;
  dataSegments: number;
  /** Highest relative sequence number sent (bytes of new data plus SYN/FIN). */
  highestSeq: number;
  /** Payload bytes sent, retransmissions included. */
  payloadBytes: number;
  retransmissions: number;
  retransmittedBytes: number;
  /** Duplicate ACKs sent (RFC 5681 §2: same ACK, no data, no SYN/FIN, same window, data outstanding). */
  dupAcks: number;
  /** Its segments that were dropped on the way. */
  dropped: number;
  /** Its segments that carried SACK blocks. */
  sackSegments: number;
  /** Resets sent. */
  resets: number;
  /** Its states, inferred from the frames it sent and received (RFC 9293 §3.3.2, Linux names). */
  states: TcpStateChange[];
}

/** One TCP connection, identified by its 4-tuple from the frames (a new SYN with another ISN starts a new one). */
export interface TcpConnection {
  id: number;
  /** The endpoint that sent the first SYN (the active opener), else the first sender seen. */
  a: TcpEndpoint;
  b: TcpEndpoint;
  firstNs: Ns;
  lastNs: Ns;
  /** "ESTABLISHED", "CLOSED (FIN both ways)", "RESET by b", "SYN unanswered", … */
  outcome: string;
  /** All segments, in send order. */
  segments: TcpSegmentRow[];
  /** State histories recorded by the stack itself ('tcp' state events) whose socket id names this 4-tuple. */
  recordedStates: TcpRecordedSocket[];
}

/** A socket's history as the stack recorded it with ['tcp', t, connId, 'state', from, to] events. */
export interface TcpRecordedSocket {
  connId: string;
  states: { t: Ns; from: string; to: string }[];
  /** ['tcp', t, connId, 'retransmit', seq, len] events. */
  retransmits: number;
  /** The connection (by id) whose 4-tuple the connId names, if any. */
  connection: number | null;
}

/** One direction-less UDP flow between two addresses. */
export interface UdpFlow {
  a: string;
  b: string;
  /** Datagrams and payload bytes a→b and b→a (originals only, forwarded copies not counted again). */
  datagrams: [number, number];
  bytes: [number, number];
  /** Datagrams dropped on the way, per direction. */
  dropped: [number, number];
  firstNs: Ns;
  lastNs: Ns;
}

/** One ICMP or ICMPv6 message. */
export interface IcmpMessage {
  t: Ns;
  src: string;
  dst: string;
  v: 4 | 6;
  type: number;
  code: number;
  /** "echo request id 1 seq 3", "destination unreachable: port unreachable (udp 10.0.0.1:5 > 10.0.0.2:7)". */
  text: string;
}

/** One line of the page's timeline. */
export interface TimelineEntry {
  t: Ns;
  /**
   * What sort of thing: proc, sys (a failed syscall), wouldblock (EAGAIN or EINPROGRESS, the normal answer of
   * non-blocking I/O, kept apart so real failures stand out), drop, link, host, tcp, note (a scenario's own note).
   */
  kind: 'proc' | 'sys' | 'wouldblock' | 'drop' | 'link' | 'host' | 'tcp' | 'note';
  /** The row it is drawn on: a host or a link name. */
  lane: string;
  text: string;
}

/** Everything inspect found. */
export interface Analysis {
  header: { scenario: string; params: unknown; seed: string | number; socksimVersion: string; format: number };
  /** How the run ended (the end frame), or null when the file has none. */
  end: { status: string; message: string | null; timeNs: Ns; events: number } | null;
  /** Where a file cut short stopped, or null. */
  truncated: { offset: number; eventsRead: number; fileSize: number } | null;
  events: number;
  eventsByKind: Record<string, number>;
  /** Time of the last event. */
  lastNs: Ns;
  hosts: HostInfo[];
  processes: ProcessInfo[];
  links: LinkInfo[];
  frames: {
    total: number;
    /** Frames by what they carry (tcp, udp, icmp, arp, …), originals and copies alike. */
    byProtocol: Record<string, number>;
    /** Copies of a packet sent on by a switch or router (same packet, another link). */
    forwardedCopies: number;
    /** Frames that failed to decode or whose checksum is wrong (corrupted on a link). */
    undecodable: number;
  };
  drops: { total: number; byReason: DropCount[]; byWhere: DropCount[] };
  failedSyscalls: FailedSyscalls[];
  tcp: TcpConnection[];
  /** Recorded TCP socket histories not matched to any connection in the frames. */
  tcpUnmatched: TcpRecordedSocket[];
  udp: UdpFlow[];
  icmp: { total: number; messages: IcmpMessage[] };
  timeline: { total: number; entries: TimelineEntry[] };
  /** Things the reader should know (caps applied, odd events). */
  notes: string[];
}
