/**
 * getsockopt(TCP_INFO): struct tcp_info byte for byte as Linux 6.18 lays it out (include/uapi/linux/tcp.h,
 * 280 bytes on x86-64) and tcp_get_info() fills it: times in µs (rto, ato, rtt) or ms since the event
 * (last_data_sent…), counts in segments, 64-bit byte counters, and a listener's accept-queue length in unacked.
 */
import { MS, US } from '../../sim/time.js';
import type { TcpSocket } from './tcp-socket.js';
import { TCP_CLOSE, TCP_LISTEN, type Tcb } from './tcb.js';
import { chronoStats } from './chrono.js';

/** sizeof(struct tcp_info) on Linux 6.18 (through tcpi_accecn_opt_seen). */
export const TCP_INFO_LEN = 280;

/** tcpi_options bits. */
export const TCPI_OPT_TIMESTAMPS = 1, TCPI_OPT_SACK = 2, TCPI_OPT_WSCALE = 4, TCPI_OPT_ECN = 8;

/** Writes a u64 that fits a double (counters stay far below 2^53). */
function u64(dv: DataView, off: number, v: number): void {
  dv.setUint32(off, v % 2 ** 32, true);
  dv.setUint32(off + 4, Math.floor(v / 2 ** 32), true);
}

/** tcp_update_pacing_rate()'s value, bytes per second (200 % of cwnd·mss/srtt in slow start, 120 % after). */
function pacingRate(t: Tcb): number {
  if (!t.srttUs) return 0;
  const ratio = t.cwnd < t.ssthresh / 2 ? 200 : 120;
  const rate = t.mssCache * ((1e6 / 100) * 8) * ratio * Math.max(t.cwnd, t.packetsOut);
  return Math.floor(rate / t.srttUs);
}

/** The TCP_INFO bytes of socket s. */
export function tcpInfo(s: TcpSocket): Uint8Array {
  const b = new Uint8Array(TCP_INFO_LEN);
  const dv = new DataView(b.buffer);
  const now = s.host.sim.now;
  if (s.listener) {
    b[0] = TCP_LISTEN;
    dv.setUint32(24, s.listener.acceptQueue.length, true); // tcpi_unacked = sk_ack_backlog
    dv.setUint32(28, s.listener.maxBacklog, true); // tcpi_sacked = sk_max_ack_backlog
    return b;
  }
  const t = s.tcb;
  if (!t) {
    b[0] = TCP_CLOSE;
    dv.setUint32(16, 536, true); // tcpi_snd_mss: mss_cache starts at TCP_MSS_DEFAULT
    dv.setUint32(20, 536, true);
    dv.setUint32(8, 1_000_000, true); // tcpi_rto: TCP_TIMEOUT_INIT
    dv.setUint32(80, 10, true); // tcpi_snd_cwnd
    dv.setUint32(76, 0x7fffffff, true);
    dv.setUint32(88, s.layer.sysctl.reordering, true);
    return b;
  }
  b[0] = t.state;
  b[1] = t.caState;
  b[2] = t.retransmits;
  b[3] = t.probesOut;
  b[4] = t.backoff;
  let opt = 0;
  if (t.tsOk) opt |= TCPI_OPT_TIMESTAMPS;
  if (t.sackOk) opt |= TCPI_OPT_SACK;
  if (t.wscaleOk) {
    opt |= TCPI_OPT_WSCALE;
    b[6] = (t.sndWscale & 0xf) | ((t.rcvWscale & 0xf) << 4);
  }
  b[5] = opt;
  const ms = (x: number): number => Math.max(0, Math.floor((now - x) / MS));
  dv.setUint32(8, Math.floor(t.rto / US), true);
  dv.setUint32(12, Math.floor(t.ato / US), true);
  dv.setUint32(16, t.mssCache, true);
  dv.setUint32(20, t.rcvMss, true);
  dv.setUint32(24, t.packetsOut, true);
  dv.setUint32(28, t.sackedOut, true);
  dv.setUint32(32, t.lostOut, true);
  dv.setUint32(36, t.retransOut, true);
  dv.setUint32(40, 0, true); // tcpi_fackets: gone since 4.15
  dv.setUint32(44, ms(t.lsndtime), true);
  dv.setUint32(48, 0, true); // tcpi_last_ack_sent: "not remembered, sorry"
  dv.setUint32(52, ms(t.lrcvtime), true);
  dv.setUint32(56, ms(t.rcvTstamp), true);
  dv.setUint32(60, t.pmtu, true);
  dv.setUint32(64, t.rcvSsthresh, true);
  dv.setUint32(68, t.srttUs >> 3, true);
  dv.setUint32(72, t.mdevUs >> 2, true);
  dv.setUint32(76, t.ssthresh, true);
  dv.setUint32(80, t.cwnd, true);
  dv.setUint32(84, t.advmss, true);
  dv.setUint32(88, t.reordering, true);
  dv.setUint32(92, t.rcvRttUs >> 3, true);
  dv.setUint32(96, t.rcvqSpace, true);
  dv.setUint32(100, t.totalRetrans, true);
  u64(dv, 104, pacingRate(t));
  dv.setUint32(112, 0xffffffff, true);
  dv.setUint32(116, 0xffffffff, true);
  u64(dv, 120, t.bytesAcked);
  u64(dv, 128, t.bytesReceived);
  dv.setUint32(136, t.segsOut, true);
  dv.setUint32(140, t.segsIn, true);
  dv.setUint32(144, Math.max(0, (t.writeSeq - t.sndNxt) | 0), true);
  dv.setUint32(148, t.minRttUs || 0xffffffff, true);
  dv.setUint32(152, t.dataSegsIn, true);
  dv.setUint32(156, t.dataSegsOut, true);
  u64(dv, 160, 0); // tcpi_delivery_rate: rate sampling is not modelled
  const [busyUs, rwndUs, sndbufUs] = chronoStats(t);
  u64(dv, 168, busyUs);
  u64(dv, 176, rwndUs);
  u64(dv, 184, sndbufUs);
  dv.setUint32(192, t.delivered, true);
  dv.setUint32(196, 0, true);
  u64(dv, 200, t.bytesSent);
  u64(dv, 208, t.bytesRetrans);
  dv.setUint32(216, t.dsackDups, true);
  dv.setUint32(220, t.reordSeen, true);
  dv.setUint32(224, t.rcvOoopack, true);
  dv.setUint32(228, t.sndWnd, true);
  dv.setUint32(232, t.rcvWnd, true);
  dv.setUint32(236, 0, true);
  dv.setUint16(240, Math.min(t.totalRto, 0xffff), true);
  return b;
}
