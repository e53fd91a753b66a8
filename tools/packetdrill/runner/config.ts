/**
 * Run configuration of one packetdrill script: addresses, ports, timing tolerance and the `-D` symbols, from
 * packetdrill's defaults (config.c set_default_config), the variant the upstream runner picks
 * (gtests/net/packetdrill/run_all.py: ipv4, ipv4-mapped-ipv6, ipv6) and the `--name=value` lines at the top of the
 * script. Command-line overrides win over the script's options, which win over the variant.
 */
import type { ScriptOption } from '../ast.js';

/** How the script's sockets and packets are addressed (packetdrill --ip_version). */
export type IpMode = 'ipv4' | 'ipv6' | 'ipv4-mapped-ipv6';

/** Everything a run needs to know besides the script. */
export interface RunConfig {
  ipMode: IpMode;
  /** The socksim host's address (packetdrill --local_ip). */
  localIp: string;
  /** The script's peer (packetdrill --remote_ip). */
  remoteIp: string;
  /** The next hop towards the peer (packetdrill --gateway_ip). */
  gatewayIp: string;
  /** Prefix length of the local subnet (from --netmask_ip for IPv4; /48 holds the IPv6 gateway). */
  prefixLen: number;
  /** Interface MTU (packetdrill --mtu; run_all.py uses 1520 for IPv6 so the MSS is 1460 in both families). */
  mtu: number;
  /** Port `bind(..., ...)` uses (--bind_port, default 8080). */
  bindPort: number;
  /** Port `connect(..., ...)` uses (--connect_port, default 8080). */
  connectPort: number;
  /** Fixed timing tolerance (--tolerance_usecs, default 4000 µs). */
  toleranceUsecs: number;
  /** Tolerance as a share of the time since the previous event (--tolerance_percent, default 12.5). */
  tolerancePercent: number;
  /** Microseconds per TS val tick; 0 disables checks of outbound TS val (--tcp_ts_tick_usecs). */
  tcpTsTickUsecs: number;
  /** Match each outbound segment alone instead of concatenating segments up to the expected length. */
  strictSegments: boolean;
  /** `-D name=value` symbols. */
  defines: Map<string, string>;
  /** Script options the runner does not interpret, for the report. */
  ignoredOptions: string[];
}

/** The three variants run_all.py runs, in its order. */
export const ALL_MODES: readonly IpMode[] = ['ipv4', 'ipv4-mapped-ipv6', 'ipv6'];

/** The modes run_all.py runs a script in: *v6.pkt only over IPv6, *v4.pkt never over IPv6. */
export function modesForScript(path: string): IpMode[] {
  const out: IpMode[] = [];
  if (!path.endsWith('v6.pkt')) out.push('ipv4', 'ipv4-mapped-ipv6');
  if (!path.endsWith('v4.pkt')) out.push('ipv6');
  return out;
}

/** The configuration run_all.py passes for a variant (addresses, MTU and the -D symbols). */
export function variantConfig(mode: IpMode): RunConfig {
  const v6 = mode === 'ipv6';
  const defines = new Map<string, string>([
    ['TFO_COOKIE', v6 ? '6aa6ae70c288023b' : 'de4f234f0f433a55'],
    ['CMSG_LEVEL_IP', mode === 'ipv4' ? 'SOL_IP' : 'SOL_IPV6'],
    ['CMSG_TYPE_RECVERR', mode === 'ipv4' ? 'IP_RECVERR' : 'IPV6_RECVERR'],
  ]);
  return {
    ipMode: mode,
    localIp: v6 ? 'fd3d:fa7b:d17d::0' : '192.168.0.2',
    remoteIp: v6 ? '2001:db8::1' : '192.0.2.1',
    gatewayIp: v6 ? 'fd3d:fa7b:d17d:8888::0' : '192.168.0.1',
    prefixLen: v6 ? 48 : 16,
    mtu: v6 ? 1520 : 1500,
    bindPort: 8080,
    connectPort: 8080,
    toleranceUsecs: 4000,
    tolerancePercent: 12.5,
    tcpTsTickUsecs: 0,
    strictSegments: false,
    defines,
    ignoredOptions: [],
  };
}

/** A `--name[=value]` option from the script or the command line. */
export interface OptionSetting {
  name: string;
  value: string | undefined;
}

/** Options that only tune the real tool (threads, devices, wire mode) and change nothing here. */
const HARMLESS = new Set(['send_omit_free', 'verbose', 'non_fatal', 'dry_run', 'debug', 'so_filename', 'wire_server',
  'wire_client', 'wire_server_ip', 'wire_server_port', 'wire_client_dev', 'wire_server_dev', 'init_scripts', 'speed',
  'code_command', 'code_format', 'code_sockopt', 'persistent_tun_dev', 'mss']);

function intValueOf(o: OptionSetting): number {
  const n = Number(o.value);
  if (o.value === undefined || !Number.isFinite(n)) throw new ConfigError(`--${o.name} needs a number, got "${o.value ?? ''}"`);
  return n;
}

/** A bad option value (reported as a script failure, not a crash). */
export class ConfigError extends Error {}

/** Prefix length of a dotted netmask (255.255.0.0 → 16). */
function maskLen(mask: string): number {
  const parts = mask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new ConfigError(`bad netmask "${mask}"`);
  let bits = 0;
  for (const p of parts) bits += p.toString(2).replace(/0/g, '').length;
  return bits;
}

/** Applies one option to cfg, as packetdrill's config.c process_option does for the options it knows. */
export function applyOption(cfg: RunConfig, o: OptionSetting): void {
  switch (o.name) {
    case 'ip_version':
      if (o.value !== 'ipv4' && o.value !== 'ipv6' && o.value !== 'ipv4-mapped-ipv6') throw new ConfigError(`bad --ip_version "${o.value ?? ''}"`);
      if (o.value !== cfg.ipMode) Object.assign(cfg, { ...variantConfig(o.value), defines: cfg.defines, ignoredOptions: cfg.ignoredOptions });
      return;
    case 'local_ip': cfg.localIp = o.value ?? cfg.localIp; return;
    case 'remote_ip': cfg.remoteIp = o.value ?? cfg.remoteIp; return;
    case 'gateway_ip': cfg.gatewayIp = o.value ?? cfg.gatewayIp; return;
    case 'netmask_ip': cfg.prefixLen = maskLen(o.value ?? ''); return;
    case 'mtu': cfg.mtu = intValueOf(o); return;
    case 'bind_port': cfg.bindPort = intValueOf(o); return;
    case 'connect_port': cfg.connectPort = intValueOf(o); return;
    case 'tolerance_usecs': cfg.toleranceUsecs = intValueOf(o); return;
    case 'tolerance_percent': cfg.tolerancePercent = intValueOf(o); return;
    case 'tcp_ts_tick_usecs': cfg.tcpTsTickUsecs = intValueOf(o); return;
    case 'strict_segments': cfg.strictSegments = o.value === undefined || o.value !== '0'; return;
    case 'define':
    case 'D': {
      const [k, ...v] = (o.value ?? '').split('=');
      if (!k) throw new ConfigError(`bad -D "${o.value ?? ''}" (expected NAME=VALUE)`);
      cfg.defines.set(k, v.join('='));
      return;
    }
    default:
      if (!HARMLESS.has(o.name)) cfg.ignoredOptions.push(o.value === undefined ? `--${o.name}` : `--${o.name}=${o.value}`);
  }
}

/** The configuration for one run: the variant, then the script's options, then the command line's. */
export function buildConfig(mode: IpMode, scriptOptions: readonly ScriptOption[], overrides: readonly OptionSetting[]): RunConfig {
  const cfg = variantConfig(mode);
  for (const o of scriptOptions) applyOption(cfg, { name: o.name, value: o.value });
  for (const o of overrides) applyOption(cfg, o);
  return cfg;
}
