/**
 * A socket's TCP settings (the IPPROTO_TCP options a process sets), kept on the socket so they apply to the
 * connection it makes or the children it accepts (sk_clone_lock copies them), and the congestion-control registry
 * TCP_CONGESTION chooses from.
 */
import type { Tcb } from './tcb.js';
import type { CongestionControl } from './congestion/cc.js';
import { Cubic } from './congestion/cubic.js';
import { Reno } from './congestion/reno.js';

/** Congestion-control algorithms available (net.ipv4.tcp_available_congestion_control). */
export const CONGESTION_ALGORITHMS = ['reno', 'cubic'];

/** A congestion-control instance by name (cubic when the name is unknown). */
export function newCongestion(name: string, t: Tcb | null): CongestionControl {
  if (name === 'reno') return new Reno();
  if (t === null) return new Reno(); // placeholder until the connection exists
  return new Cubic(t);
}

/** Per-socket TCP options (Linux keeps these in tcp_sock / inet_connection_sock). */
export class TcpConfig {
  nodelay = false;
  cork = false;
  userMss = 0;
  keepIdleNs = 0;
  keepIntvlNs = 0;
  keepCnt = 0;
  synRetries = 0;
  linger2Ns = 0;
  windowClamp = 0;
  userTimeoutNs = 0;
  notsentLowat = 0;
  /** TCP_DEFER_ACCEPT, as the number of SYN-ACK retransmissions it stands for. */
  deferAccept = 0;
  /** TCP_INQ: report the bytes left to read in a control message. */
  inq = false;
  sndbufLocked = false;
  rcvbufLocked = false;

  constructor(public congestion: string) {}

  /** A copy (a child inherits its listener's settings). */
  clone(): TcpConfig {
    return Object.assign(new TcpConfig(this.congestion), this);
  }

  /** Copies the settings a connection reads into its TCB. */
  applyTo(t: Tcb): void {
    t.nodelay = this.nodelay;
    t.cork = this.cork;
    t.userMss = this.userMss;
    t.keepIdleNs = this.keepIdleNs;
    t.keepIntvlNs = this.keepIntvlNs;
    t.keepCnt = this.keepCnt;
    t.synRetries = this.synRetries;
    t.linger2Ns = this.linger2Ns;
    t.userTimeoutNs = this.userTimeoutNs;
    t.notsentLowat = this.notsentLowat;
  }
}
