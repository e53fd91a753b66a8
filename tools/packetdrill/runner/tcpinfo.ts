/**
 * struct tcp_info (include/uapi/linux/tcp.h, Linux 6.x, x86-64 layout) decoded into the `tcpi_*` names packetdrill
 * binds before running a `%{ }%` block. Fields past the length getsockopt returned are left out, so a script that
 * reads one gets a NameError instead of a made-up zero.
 */

/** Field name, byte offset and width (1, 2, 4 or 8 bytes; 'lo4'/'hi4' are the wscale nibbles). */
const FIELDS: readonly (readonly [string, number, 1 | 2 | 4 | 8 | 'lo4' | 'hi4' | 'bit0' | 'bits12'])[] = [
  ['tcpi_state', 0, 1], ['tcpi_ca_state', 1, 1], ['tcpi_retransmits', 2, 1], ['tcpi_probes', 3, 1],
  ['tcpi_backoff', 4, 1], ['tcpi_options', 5, 1], ['tcpi_snd_wscale', 6, 'lo4'], ['tcpi_rcv_wscale', 6, 'hi4'],
  ['tcpi_delivery_rate_app_limited', 7, 'bit0'], ['tcpi_fastopen_client_fail', 7, 'bits12'],
  ['tcpi_rto', 8, 4], ['tcpi_ato', 12, 4], ['tcpi_snd_mss', 16, 4], ['tcpi_rcv_mss', 20, 4],
  ['tcpi_unacked', 24, 4], ['tcpi_sacked', 28, 4], ['tcpi_lost', 32, 4], ['tcpi_retrans', 36, 4], ['tcpi_fackets', 40, 4],
  ['tcpi_last_data_sent', 44, 4], ['tcpi_last_ack_sent', 48, 4], ['tcpi_last_data_recv', 52, 4], ['tcpi_last_ack_recv', 56, 4],
  ['tcpi_pmtu', 60, 4], ['tcpi_rcv_ssthresh', 64, 4], ['tcpi_rtt', 68, 4], ['tcpi_rttvar', 72, 4],
  ['tcpi_snd_ssthresh', 76, 4], ['tcpi_snd_cwnd', 80, 4], ['tcpi_advmss', 84, 4], ['tcpi_reordering', 88, 4],
  ['tcpi_rcv_rtt', 92, 4], ['tcpi_rcv_space', 96, 4], ['tcpi_total_retrans', 100, 4],
  ['tcpi_pacing_rate', 104, 8], ['tcpi_max_pacing_rate', 112, 8], ['tcpi_bytes_acked', 120, 8], ['tcpi_bytes_received', 128, 8],
  ['tcpi_segs_out', 136, 4], ['tcpi_segs_in', 140, 4], ['tcpi_notsent_bytes', 144, 4], ['tcpi_min_rtt', 148, 4],
  ['tcpi_data_segs_in', 152, 4], ['tcpi_data_segs_out', 156, 4], ['tcpi_delivery_rate', 160, 8],
  ['tcpi_busy_time', 168, 8], ['tcpi_rwnd_limited', 176, 8], ['tcpi_sndbuf_limited', 184, 8],
  ['tcpi_delivered', 192, 4], ['tcpi_delivered_ce', 196, 4], ['tcpi_bytes_sent', 200, 8], ['tcpi_bytes_retrans', 208, 8],
  ['tcpi_dsack_dups', 216, 4], ['tcpi_reord_seen', 220, 4], ['tcpi_rcv_ooopack', 224, 4], ['tcpi_snd_wnd', 228, 4],
  ['tcpi_rcv_wnd', 232, 4], ['tcpi_rehash', 236, 4], ['tcpi_total_rto', 240, 2], ['tcpi_total_rto_recoveries', 242, 2],
  ['tcpi_total_rto_time', 244, 4], ['tcpi_received_ce', 248, 4], ['tcpi_delivered_e1_bytes', 252, 4],
  ['tcpi_delivered_e0_bytes', 256, 4], ['tcpi_delivered_ce_bytes', 260, 4], ['tcpi_received_e1_bytes', 264, 4],
  ['tcpi_received_e0_bytes', 268, 4], ['tcpi_received_ce_bytes', 272, 4], ['tcpi_accecn_fail_mode', 276, 2],
  ['tcpi_accecn_opt_seen', 278, 2],
];

/** Size of struct tcp_info in Linux 6.18 (the last field ends at byte 280). */
export const TCP_INFO_SIZE = 280;

/** Decodes the bytes getsockopt(TCP_INFO) returned (little-endian, as on x86-64). */
export function decodeTcpInfo(b: Uint8Array): Map<string, number> {
  const out = new Map<string, number>();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (const [name, off, w] of FIELDS) {
    const width = typeof w === 'number' ? w : 1;
    if (off + width > b.length) continue;
    let v: number;
    switch (w) {
      case 1: v = dv.getUint8(off); break;
      case 2: v = dv.getUint16(off, true); break;
      case 4: v = dv.getUint32(off, true); break;
      case 8: v = Number(dv.getBigUint64(off, true)); break;
      case 'lo4': v = dv.getUint8(off) & 15; break;
      case 'hi4': v = dv.getUint8(off) >>> 4; break;
      case 'bit0': v = dv.getUint8(off) & 1; break;
      case 'bits12': v = (dv.getUint8(off) >>> 1) & 3; break;
    }
    out.set(name, v);
  }
  return out;
}
