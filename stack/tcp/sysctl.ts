/**
 * The net.ipv4.tcp_* (and related net.core) sysctls a host's TCP reads, with Linux 6.x defaults
 * (tcp_sk_init in net/ipv4/tcp_ipv4.c, Documentation/networking/ip-sysctl.rst). Each host owns a mutable copy,
 * so a scenario or the packetdrill runner can change them as `sysctl -w` would.
 */
import { SEC } from '../../sim/time.js';
import { EPHEMERAL_PORT_HIGH, EPHEMERAL_PORT_LOW, SOMAXCONN } from '../constants.js';

/** TCP sysctls of one host (network namespace). Times are in ns. */
export interface TcpSysctl {
  /** tcp_rmem: min, default (initial SO_RCVBUF), max (auto-tuning limit and window-scale basis). */
  rmem: [number, number, number];
  /** tcp_wmem: min, default (initial SO_SNDBUF), max (auto-tuning limit). */
  wmem: [number, number, number];
  /** net.core.rmem_max: also considered when choosing the window scale. */
  rmemMax: number;
  /** net.core.wmem_max. */
  wmemMax: number;
  timestamps: boolean;
  sack: boolean;
  dsack: boolean;
  windowScaling: boolean;
  synRetries: number;
  synackRetries: number;
  /** tcp_syn_linear_timeouts (Linux ≥ 6.5): the first N SYN retransmissions do not back off. */
  synLinearTimeouts: number;
  retries1: number;
  retries2: number;
  /** tcp_orphan_retries; 0 means 8 (tcp_orphan_retries()). */
  orphanRetries: number;
  finTimeoutNs: number;
  keepaliveTimeNs: number;
  keepaliveIntvlNs: number;
  keepaliveProbes: number;
  /** Default congestion control: 'cubic' or 'reno'. */
  congestionControl: string;
  slowStartAfterIdle: boolean;
  /** 0 off, 1 on overflow, 2 always. */
  syncookies: number;
  maxSynBacklog: number;
  somaxconn: number;
  abortOnOverflow: boolean;
  /** tcp_recovery bit 0x1: RACK loss detection. */
  recovery: number;
  /** tcp_early_retrans: 3 enables tail loss probes. */
  earlyRetrans: number;
  reordering: number;
  /** tcp_frto: F-RTO (RFC 5682, SACK-enhanced) after a retransmission timeout; 0 off. */
  frto: number;
  maxReordering: number;
  invalidRatelimitNs: number;
  notsentLowat: number;
  /** tcp_ecn: 0 off, 1 request on outgoing connections (RFC 3168), 2 only accept (ip-sysctl.rst). */
  ecn: number;
  /** tcp_ecn_fallback: a retransmitted SYN drops ECE|CWR (tcp_ecn_clear_syn). */
  ecnFallback: boolean;
  rtoMinNs: number;
  rtoMaxNs: number;
  minSndMss: number;
  /** tcp_rfc1337: 0 lets a RST end TIME_WAIT early (RFC 1337 hazard accepted, as Linux's default). */
  rfc1337: boolean;
  /** tcp_moderate_rcvbuf: receive-buffer auto-tuning. */
  moderateRcvbuf: boolean;
  /** tcp_challenge_ack_limit (per second, host-wide). */
  challengeAckLimit: number;
  /** net.ipv4.ip_local_port_range. */
  portLow: number;
  portHigh: number;
  /** tcp_pingpong_thresh. */
  pingpongThresh: number;
}

/** Linux 6.x defaults (ip-sysctl.rst; tcp_rmem[2] 6 MB as on a small machine, which gives wscale 7). */
export function defaultTcpSysctl(): TcpSysctl {
  return {
    rmem: [4096, 131072, 6291456],
    wmem: [4096, 16384, 4194304],
    rmemMax: 212992,
    wmemMax: 212992,
    timestamps: true,
    sack: true,
    dsack: true,
    windowScaling: true,
    synRetries: 6,
    synackRetries: 5,
    synLinearTimeouts: 4,
    retries1: 3,
    retries2: 15,
    orphanRetries: 0,
    finTimeoutNs: 60 * SEC,
    keepaliveTimeNs: 7200 * SEC,
    keepaliveIntvlNs: 75 * SEC,
    keepaliveProbes: 9,
    congestionControl: 'cubic',
    slowStartAfterIdle: true,
    syncookies: 1,
    maxSynBacklog: 2048,
    somaxconn: SOMAXCONN,
    abortOnOverflow: false,
    recovery: 1,
    earlyRetrans: 3,
    reordering: 3,
    frto: 2,
    maxReordering: 300,
    invalidRatelimitNs: 500_000_000,
    notsentLowat: 0xffffffff,
    ecn: 2,
    ecnFallback: true,
    rtoMinNs: 200_000_000,
    rtoMaxNs: 120 * SEC,
    minSndMss: 48,
    rfc1337: false,
    moderateRcvbuf: true,
    challengeAckLimit: 0x7fffffff,
    portLow: EPHEMERAL_PORT_LOW,
    portHigh: EPHEMERAL_PORT_HIGH,
    pingpongThresh: 1,
  };
}

/** The values packetdrill's defaults.sh sets (kernel selftests), for running its scripts. */
export function packetdrillTcpSysctl(): TcpSysctl {
  return {
    ...defaultTcpSysctl(),
    rmem: [4096, 540000, 15728640],
    wmem: [4096, 262144, 4194304],
    synRetries: 5,
    synackRetries: 5,
    slowStartAfterIdle: false,
  };
}
