/**
 * The syntax tree of a packetdrill script, as `parser.ts` builds it.
 *
 * The tree is faithful to the text rather than to any host: symbols such as
 * `SOCK_STREAM` or `MSG_FASTOPEN` stay strings, fds stay the script's numbers,
 * sequence numbers stay in "script space". A later runner resolves them.
 * Grammar reference: packetdrill's parser.y and lexer.l (google/packetdrill,
 * gtests/net/packetdrill), whose productions each node below mirrors.
 */

import type { Expr } from './expr.js';
import type { PyBlock } from './python.js';

/** A 1-based source position: the start of a node or token. */
export interface Loc {
  /** 1-based line number. */
  readonly line: number;
  /** 1-based column, counting each character (a tab is one column). */
  readonly column: number;
}

/** A time literal in seconds as written (`0.100`, `.1`, `2`), with its exact value. */
export interface TimeValue {
  /** The literal as written, without any leading `+`. */
  readonly text: string;
  /**
   * Microseconds, computed exactly from the decimal text; digits past the sixth decimal
   * are truncated. (packetdrill multiplies a C double by 1e6 and truncates, which can
   * lose a microsecond, e.g. 0.57 s -> 569999; this parser does not reproduce that.)
   */
  readonly usecs: number;
}

/**
 * When an event happens (packetdrill `event_time`).
 * - `absolute`: seconds since the script started (`0.100`).
 * - `relative`: seconds after the previous event (`+.1`).
 * - `any`: `*`, only allowed on outbound packets.
 * - `absoluteRange` / `relativeRange`: `a~b` / `+a~+b`, only allowed on outbound packets.
 */
export type EventTime =
  | { readonly kind: 'absolute'; readonly at: TimeValue }
  | { readonly kind: 'relative'; readonly at: TimeValue }
  | { readonly kind: 'any' }
  | { readonly kind: 'absoluteRange'; readonly start: TimeValue; readonly end: TimeValue }
  | { readonly kind: 'relativeRange'; readonly start: TimeValue; readonly end: TimeValue };

/** A `--name[=value]` command-line option written at the top of a script. */
export interface ScriptOption {
  /** Option name without the leading `--` (e.g. `tolerance_usecs`). */
  readonly name: string;
  /** The value after `=`, as text (a quoted value is unquoted); undefined for a bare flag. */
  readonly value: string | undefined;
  /** Where the `--` starts. */
  readonly loc: Loc;
}

/** A back-quoted shell command, kept verbatim for the runner to emulate. */
export interface ShellCommand {
  /** The text between the back quotes, unmodified (may span lines). */
  readonly text: string;
  /** Where the opening back quote is. */
  readonly loc: Loc;
}

/** Packet direction: `<` is injected into the stack, `>` is expected from it. */
export type Direction = 'inbound' | 'outbound';

/** IP-level ECN codepoint expectation written as `[ect0]` etc. (RFC 3168 section 5). */
export type IpEcn = 'noecn' | 'ect0' | 'ect1' | 'ect01' | 'ce';

/** IP header details written as `[ect0]`, `(tos 0x10)`, `(flowlabel 0x1)`, `[ce, flowlabel 0x2]` or `(ttl 64)`. */
export interface IpInfo {
  /** ECN codepoint to set (inbound) or check (outbound). */
  readonly ecn?: IpEcn;
  /** Whole TOS / traffic-class byte to set or check. */
  readonly tos?: number;
  /** IPv6 flow label (20 bits). */
  readonly flowLabel?: number;
  /** IPv4 TTL / IPv6 hop limit. */
  readonly ttl?: number;
  /** Which brackets enclosed it, so the printer can reproduce them. */
  readonly bracket: '[' | '(';
}

/** An outer header written before the packet body, e.g. `ipv4 192.0.2.1 > 192.168.0.1:`. */
export type Encapsulation =
  | {
      readonly kind: 'ipv4' | 'ipv6';
      readonly ipInfo?: IpInfo;
      readonly src: string;
      readonly dst: string;
      readonly loc: Loc;
    }
  | { readonly kind: 'gre'; readonly fields: readonly GreField[]; readonly loc: Loc }
  | { readonly kind: 'mpls'; readonly labels: readonly MplsLabel[]; readonly loc: Loc };

/** One GRE header field: `flags [checksum present, key present]`, `sum N`, `off N`, `key N`, `seq N`. */
export type GreField =
  | { readonly kind: 'flags'; readonly names: readonly string[] }
  | { readonly kind: 'flagsValue'; readonly value: number }
  | { readonly kind: 'sum' | 'off' | 'key' | 'seq'; readonly value: number };

/** One MPLS label stack entry `(label N, tc N, [S], ttl N)` (RFC 3032 section 2.1). */
export interface MplsLabel {
  readonly label: number;
  readonly tc: number;
  /** True when written with `[S]` (bottom of stack). */
  readonly bottom: boolean;
  readonly ttl: number;
}

/** Explicit `sport>dport` ports written before the TCP flags or after `udp`. */
export interface PortPair {
  readonly src: number;
  readonly dst: number;
}

/**
 * TCP flags as written. Letters: F=FIN S=SYN R=RST P=PSH .=ACK U=URG E=ECE W=CWR A=AE
 * (RFC 9293 section 3.1, RFC 3168 section 6.1, AccECN draft); `-` means no flags.
 */
export interface TcpFlags {
  /** The flags exactly as written (`S.`, `P.`, `-`, `.5`, `SEWA`). */
  readonly text: string;
  readonly fin: boolean;
  readonly syn: boolean;
  readonly rst: boolean;
  readonly psh: boolean;
  readonly ack: boolean;
  readonly urg: boolean;
  /** ECE, CWR and AE are set by their letters, or by the bits of a non-zero ACE digit. */
  readonly ece: boolean;
  readonly cwr: boolean;
  /** AccECN AE bit (letter `A`). */
  readonly ae: boolean;
  /** AccECN ACE counter 0..7 when written as a digit (e.g. `.5`, `P.5`); ECE = bit 0, CWR = bit 1, AE = bit 2. */
  readonly ace?: number;
}

/** `start:end(len)` sequence information; `end === start + len` is checked. */
export interface SeqSpec {
  readonly start: number;
  readonly end: number;
  readonly len: number;
}

/** One SACK block `left:right` (RFC 2018 section 3). */
export interface SackBlock {
  readonly left: number;
  readonly right: number;
}

/** One AccECN option counter (`e0b N`, `ceb N`, `e1b N`), in the order written. */
export interface AccEcnField {
  readonly name: 'e0b' | 'ceb' | 'e1b';
  readonly value: number;
}

/** A TCP option inside `<...>` (RFC 9293 section 3.2 and the RFCs cited per kind). */
export type TcpOption =
  | { readonly kind: 'nop'; readonly loc: Loc }
  | { readonly kind: 'eol'; readonly loc: Loc }
  | { readonly kind: 'mss'; readonly value: number; readonly loc: Loc }
  /** RFC 7323 section 2: shift count. */
  | { readonly kind: 'wscale'; readonly value: number; readonly loc: Loc }
  /** RFC 2018 SACK-permitted. */
  | { readonly kind: 'sackOK'; readonly loc: Loc }
  | { readonly kind: 'sack'; readonly blocks: readonly SackBlock[]; readonly loc: Loc }
  /** RFC 7323 section 3: `TS val N ecr N`. */
  | { readonly kind: 'timestamp'; readonly val: number; readonly ecr: number; readonly loc: Loc }
  /**
   * RFC 2385: `md5 <hex digest>` (may be shorter than 16 bytes on purpose). Here and in
   * the fast-open cookie a non-hex word is a `-D`/`--define` symbol for the runner to substitute.
   */
  | { readonly kind: 'md5'; readonly hex: string; readonly loc: Loc }
  /** RFC 7413 option 34 (`FO`) or the experimental option 254 with magic 0xF989 (`FOEXP`); cookie is hex, '' when absent. */
  | { readonly kind: 'fastOpen' | 'fastOpenExp'; readonly cookie: string; readonly loc: Loc }
  /** AccECN option `ECN e0b N ceb N e1b N` (draft-ietf-tcpm-accurate-ecn), fields in any order. */
  | { readonly kind: 'accEcn'; readonly fields: readonly AccEcnField[]; readonly loc: Loc };

/** The body of a TCP packet line. */
export interface TcpBody {
  readonly protocol: 'tcp';
  readonly ports?: PortPair;
  readonly flags: TcpFlags;
  readonly seq: SeqSpec;
  /** `ack N`, absent when not written. */
  readonly ack?: number;
  /** `win N`; absent on an outbound packet means "do not check". */
  readonly win?: number;
  /** `urg N`. */
  readonly urg?: number;
  /** Options written in `<...>`; `[]` when omitted ("no options"); `'any'` for `<...>` (outbound only). */
  readonly options: readonly TcpOption[] | 'any';
  /**
   * A trailing `{ ... }` packet-mutation annotation from packetdrill's fuzzing extension
   * (`{ mut tcp mss }`, `{rep ipv4 protocol 0x02}`), kept verbatim; a runner that does not
   * implement fuzzing should refuse the script.
   */
  readonly fuzz?: string;
}

/** The body of a `udp (len)` packet line. */
export interface UdpBody {
  readonly protocol: 'udp';
  readonly ports?: PortPair;
  /** UDP payload length in bytes. */
  readonly len: number;
}

/** The packet quoted inside an ICMP error: `[start:end(len)]`, `[udp (len)]` or `[raw (len)]`. */
export type IcmpEchoed =
  | { readonly protocol: 'tcp'; readonly seq: SeqSpec }
  | { readonly protocol: 'udp' | 'raw'; readonly len: number };

/** The body of an `icmp type [code] [mtu N] [id N] [echoed]` line (RFC 792, RFC 4443). */
export interface IcmpBody {
  readonly protocol: 'icmp';
  /** ICMP type name as written, e.g. `unreachable`, `packet_too_big`, `time_exceeded`. */
  readonly type: string;
  /** ICMP code name as written, e.g. `frag_needed`, `port_unreachable`. */
  readonly code?: string;
  /** Next-hop MTU for "fragmentation needed" / "packet too big". */
  readonly mtu?: number;
  /** Echo identifier (`id N`). */
  readonly id?: number;
  /** The offending packet's headers echoed in the ICMP payload; absent means `[0:0(0)]`-like defaults. */
  readonly echoed?: IcmpEchoed;
}

/** Fields every event has. */
interface EventBase {
  /** When it happens. */
  readonly time: EventTime;
  /** Where the event's time prefix starts (its line is the event's line). */
  readonly loc: Loc;
}

/** A packet line: `<time> < S 0:0(0) win 1000 <mss 1460>`. */
export interface PacketEvent extends EventBase {
  readonly kind: 'packet';
  readonly direction: Direction;
  /** Outer headers written before the body, outermost first. */
  readonly encapsulation: readonly Encapsulation[];
  readonly ipInfo?: IpInfo;
  readonly body: TcpBody | UdpBody | IcmpBody;
}

/** `ERRNO (text)` after a syscall result. */
export interface ErrnoSpec {
  /** Errno symbol, e.g. `EINPROGRESS`. */
  readonly name: string;
  readonly loc: Loc;
}

/** A system call line: `<time>[...<end>] name(args) = result [ERRNO] [(note)]`. */
export interface SyscallEvent extends EventBase {
  readonly kind: 'syscall';
  /** System call name, e.g. `setsockopt`. */
  readonly name: string;
  readonly nameLoc: Loc;
  readonly args: readonly Expr[];
  /**
   * For a blocking call written `t...end name(...)`, the time it must return; same base
   * as `time` (packetdrill adds the same relative offset to both).
   */
  readonly end?: TimeValue;
  /** Expected return value (usually an integer; may be `...`). */
  readonly result: Expr;
  /** Expected errno when written. */
  readonly errno?: ErrnoSpec;
  /** The parenthesised note after the result (`Operation now in progress`), verbatim. */
  readonly note?: string;
}

/** A timed shell command: `+0 \`sysctl -q net.ipv4.tcp_ecn=1\``. */
export interface CommandEvent extends EventBase {
  readonly kind: 'command';
  readonly command: ShellCommand;
}

/** A `%{ ... }%` code block (packetdrill runs it with Python, TCP_INFO fields bound). */
export interface CodeEvent extends EventBase {
  readonly kind: 'code';
  /** The code between `%{` and `}%`, with spaces/tabs trimmed at both ends like packetdrill's lexer. */
  readonly text: string;
  /** Where the `%{` is. */
  readonly codeLoc: Loc;
  /** The code parsed by the small Python subset in python.ts, or why it could not be. */
  readonly python: PyBlock;
}

/** One timed action of a script. */
export type ScriptEvent = PacketEvent | SyscallEvent | CommandEvent | CodeEvent;

/** A parsed script (packetdrill `script: opt_options opt_init_command events opt_cleanup_command`). */
export interface Script {
  readonly ok: true;
  readonly fileName: string;
  readonly options: readonly ScriptOption[];
  /** An untimed shell command before the first event (usually `../common/defaults.sh`). */
  readonly initCommand?: ShellCommand;
  readonly events: readonly ScriptEvent[];
  /** An untimed shell command after the last event (usually the sysctl restore script). */
  readonly cleanupCommand?: ShellCommand;
}

/** One syntax or semantic error, located in the source. */
export interface ParseError {
  readonly fileName: string;
  readonly line: number;
  readonly column: number;
  /** Human-readable message, e.g. `expected ')' to close the argument list, found ';'`. */
  readonly message: string;
}

/** The result of a parse that found errors. */
export interface ParseFailure {
  readonly ok: false;
  readonly fileName: string;
  /** Errors in source order (at least one). */
  readonly errors: readonly ParseError[];
}

/** Render a parse error as `file:line:column: message`, the form compilers use. */
export function formatParseError(error: ParseError): string {
  return `${error.fileName}:${error.line}:${error.column}: ${error.message}`;
}
