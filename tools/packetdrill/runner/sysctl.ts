/**
 * The sysctl table of the host under test, as `sysctl -w` and /proc/sys/net/... see it. Every write is kept as
 * /proc text; the keys TCP models are also written into the host's TcpSysctl (stack/tcp/sysctl.ts) with their
 * unit conversions, so TCP reads them as Linux's net namespace would. Keys TCP does not model yet are kept and
 * listed in the run report ("set but not honoured"), never silently dropped.
 */
import { defaultTcpSysctl, type TcpSysctl } from '../../../stack/tcp/sysctl.js';

/** How a /proc value maps onto a TcpSysctl field. */
type Kind = 'int' | 'bool' | 'triple' | 'string' | 'sec' | 'ms' | 'us' | 'range';

/** /proc/sys names (dotted) → TcpSysctl field and unit. Fields TCP may add later use the names listed here. */
const FIELDS: readonly (readonly [string, string, Kind])[] = [
  ['net.ipv4.tcp_rmem', 'rmem', 'triple'],
  ['net.ipv4.tcp_wmem', 'wmem', 'triple'],
  ['net.core.rmem_max', 'rmemMax', 'int'],
  ['net.core.wmem_max', 'wmemMax', 'int'],
  ['net.ipv4.tcp_timestamps', 'timestamps', 'bool'],
  ['net.ipv4.tcp_sack', 'sack', 'bool'],
  ['net.ipv4.tcp_dsack', 'dsack', 'bool'],
  ['net.ipv4.tcp_window_scaling', 'windowScaling', 'bool'],
  ['net.ipv4.tcp_syn_retries', 'synRetries', 'int'],
  ['net.ipv4.tcp_synack_retries', 'synackRetries', 'int'],
  ['net.ipv4.tcp_syn_linear_timeouts', 'synLinearTimeouts', 'int'],
  ['net.ipv4.tcp_retries1', 'retries1', 'int'],
  ['net.ipv4.tcp_retries2', 'retries2', 'int'],
  ['net.ipv4.tcp_orphan_retries', 'orphanRetries', 'int'],
  ['net.ipv4.tcp_fin_timeout', 'finTimeoutNs', 'sec'],
  ['net.ipv4.tcp_keepalive_time', 'keepaliveTimeNs', 'sec'],
  ['net.ipv4.tcp_keepalive_intvl', 'keepaliveIntvlNs', 'sec'],
  ['net.ipv4.tcp_keepalive_probes', 'keepaliveProbes', 'int'],
  ['net.ipv4.tcp_congestion_control', 'congestionControl', 'string'],
  ['net.ipv4.tcp_slow_start_after_idle', 'slowStartAfterIdle', 'bool'],
  ['net.ipv4.tcp_syncookies', 'syncookies', 'int'],
  ['net.ipv4.tcp_max_syn_backlog', 'maxSynBacklog', 'int'],
  ['net.core.somaxconn', 'somaxconn', 'int'],
  ['net.ipv4.tcp_abort_on_overflow', 'abortOnOverflow', 'bool'],
  ['net.ipv4.tcp_recovery', 'recovery', 'int'],
  ['net.ipv4.tcp_early_retrans', 'earlyRetrans', 'int'],
  ['net.ipv4.tcp_reordering', 'reordering', 'int'],
  ['net.ipv4.tcp_max_reordering', 'maxReordering', 'int'],
  ['net.ipv4.tcp_invalid_ratelimit', 'invalidRatelimitNs', 'ms'],
  ['net.ipv4.tcp_notsent_lowat', 'notsentLowat', 'int'],
  ['net.ipv4.tcp_rto_min_us', 'rtoMinNs', 'us'],
  ['net.ipv4.tcp_rto_max_ms', 'rtoMaxNs', 'ms'],
  ['net.ipv4.tcp_min_snd_mss', 'minSndMss', 'int'],
  ['net.ipv4.tcp_rfc1337', 'rfc1337', 'bool'],
  ['net.ipv4.tcp_moderate_rcvbuf', 'moderateRcvbuf', 'bool'],
  ['net.ipv4.tcp_challenge_ack_limit', 'challengeAckLimit', 'int'],
  ['net.ipv4.ip_local_port_range', 'portLow', 'range'],
  ['net.ipv4.tcp_pingpong_thresh', 'pingpongThresh', 'int'],
  // Not in TcpSysctl yet: written through as soon as TCP adds a field of this name.
  ['net.ipv4.tcp_ecn', 'ecn', 'int'],
  ['net.ipv4.tcp_ecn_fallback', 'ecnFallback', 'bool'],
  ['net.ipv4.tcp_frto', 'frto', 'int'],
  ['net.ipv4.tcp_fack', 'fack', 'bool'],
  ['net.ipv4.tcp_tso_win_divisor', 'tsoWinDivisor', 'int'],
  ['net.ipv4.tcp_min_tso_segs', 'minTsoSegs', 'int'],
  ['net.ipv4.tcp_pacing_ss_ratio', 'pacingSsRatio', 'int'],
  ['net.ipv4.tcp_pacing_ca_ratio', 'pacingCaRatio', 'int'],
  ['net.ipv4.tcp_fastopen', 'fastopen', 'int'],
  ['net.ipv4.tcp_fastopen_key', 'fastopenKey', 'string'],
  ['net.ipv4.tcp_mtu_probing', 'mtuProbing', 'int'],
  ['net.ipv4.tcp_base_mss', 'baseMss', 'int'],
  ['net.ipv4.tcp_autocorking', 'autocorking', 'bool'],
  ['net.ipv4.tcp_limit_output_bytes', 'limitOutputBytes', 'int'],
  ['net.ipv4.tcp_adv_win_scale', 'advWinScale', 'int'],
  ['net.ipv4.tcp_app_win', 'appWin', 'int'],
  ['net.ipv4.tcp_thin_linear_timeouts', 'thinLinearTimeouts', 'bool'],
  ['net.ipv4.tcp_no_metrics_save', 'noMetricsSave', 'bool'],
  ['net.ipv4.tcp_comp_sack_delay_ns', 'compSackDelayNs', 'int'],
  ['net.ipv4.tcp_comp_sack_nr', 'compSackNr', 'int'],
];

const BY_NAME = new Map(FIELDS.map((f) => [f[0], f] as const));

/** `net/ipv4/tcp_ecn`, `/proc/sys/net/ipv4/tcp_ecn` and `net.ipv4.tcp_ecn` all name net.ipv4.tcp_ecn. */
export function normalizeSysctlName(name: string): string {
  return name.replace(/^\/proc\/sys\//, '').replace(/\//g, '.');
}

/** One host's sysctls. */
export class SysctlTable {
  /** Every value written, as /proc text, by dotted name. */
  readonly values = new Map<string, string>();
  /** Names written that the host's TCP does not read (no TcpSysctl field): the report lists them. */
  readonly notHonoured = new Set<string>();

  /** tcp: the host's TCP sysctls when the stack has a TCP layer, else null (values are only recorded). */
  constructor(private readonly tcp: TcpSysctl | null) {}

  /** The current /proc text of a sysctl, or undefined when neither set nor modelled. */
  get(rawName: string): string | undefined {
    const name = normalizeSysctlName(rawName);
    const set = this.values.get(name);
    if (set !== undefined) return set;
    const f = BY_NAME.get(name);
    if (!f) return undefined;
    const sc = (this.tcp ?? defaultTcpSysctl()) as unknown as Record<string, unknown>;
    return f[1] in sc ? format(sc, f) : undefined;
  }

  /** `sysctl -w name=value`: an error message when the value is malformed, else null. */
  set(rawName: string, rawValue: string): string | null {
    const name = normalizeSysctlName(rawName);
    const value = rawValue.trim().replace(/\s+/g, ' ');
    const f = BY_NAME.get(name);
    if (f) {
      const parsed = parse(f[2], value);
      if (parsed === null) return `sysctl: setting key "${name}": Invalid argument`;
      const sc = this.tcp as unknown as Record<string, unknown> | null;
      if (sc && f[1] in sc) {
        if (f[2] === 'range' && Array.isArray(parsed)) {
          sc.portLow = parsed[0];
          sc.portHigh = parsed[1];
        } else sc[f[1]] = parsed;
      } else this.notHonoured.add(name);
    } else this.notHonoured.add(name);
    this.values.set(name, value);
    return null;
  }
}

function parse(kind: Kind, v: string): number | boolean | string | number[] | null {
  const ints = v.split(' ').map((x) => (/^-?(0x[0-9a-f]+|\d+)$/i.test(x) ? Number(x) : NaN));
  const one = ints.length === 1 && !Number.isNaN(ints[0]) ? ints[0]! : null;
  switch (kind) {
    case 'string':
      return v;
    case 'triple':
      return ints.length === 3 && ints.every((x) => !Number.isNaN(x)) ? ints : null;
    case 'range':
      return ints.length === 2 && ints.every((x) => !Number.isNaN(x)) ? ints : null;
    case 'bool':
      return one === null ? null : one !== 0;
    case 'int':
      return one;
    case 'sec':
      return one === null ? null : one * 1e9;
    case 'ms':
      return one === null ? null : one * 1e6;
    case 'us':
      return one === null ? null : one * 1e3;
  }
}

function format(sc: Record<string, unknown>, f: readonly [string, string, Kind]): string {
  const v = sc[f[1]];
  switch (f[2]) {
    case 'triple':
      return Array.isArray(v) ? v.join('\t') : String(v);
    case 'range':
      return `${String(sc.portLow)}\t${String(sc.portHigh)}`;
    case 'bool':
      return v ? '1' : '0';
    case 'sec':
      return String(Number(v) / 1e9);
    case 'ms':
      return String(Number(v) / 1e6);
    case 'us':
      return String(Number(v) / 1e3);
    default:
      return String(v);
  }
}

/**
 * packetdrill's defaults.sh (gtests/net/common/defaults.sh), for a script whose helper file is missing: the
 * same `sysctl -q` lines, applied in order.
 */
export const DEFAULTS_SH: readonly (readonly [string, string])[] = [
  ['net.ipv4.tcp_rmem', '4096 540000 15728640'],
  ['net.ipv4.tcp_wmem', '4096 262144 4194304'],
  ['net.ipv4.tcp_timestamps', '1'],
  ['net.ipv4.tcp_syn_retries', '5'],
  ['net.ipv4.tcp_synack_retries', '5'],
  ['net.ipv4.tcp_frto', '2'],
  ['net.ipv4.tcp_sack', '1'],
  ['net.ipv4.tcp_dsack', '1'],
  ['net.ipv4.tcp_fack', '0'],
  ['net.ipv4.tcp_reordering', '3'],
  ['net.ipv4.tcp_congestion_control', 'cubic'],
  ['net.ipv4.tcp_slow_start_after_idle', '0'],
  ['net.ipv4.tcp_early_retrans', '4'],
  ['net.ipv4.tcp_recovery', '1'],
  ['net.ipv4.tcp_tso_win_divisor', '3'],
  ['net.ipv4.tcp_ecn', '0'],
  ['net.ipv4.tcp_pacing_ss_ratio', '200'],
  ['net.ipv4.tcp_pacing_ca_ratio', '120'],
  ['net.ipv4.tcp_notsent_lowat', '4294967295'],
  ['net.ipv4.tcp_fastopen', '0x70403'],
  ['net.ipv4.tcp_fastopen_key', 'a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4'],
  ['net.ipv4.tcp_syncookies', '1'],
];
