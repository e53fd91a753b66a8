/**
 * Receive-window arithmetic, as Linux sizes it: the window is a share of the receive buffer (tcp_win_from_space
 * with the 6.x scaling_ratio, 50 % until measured), initial windows and the scale shift come from
 * tcp_select_initial_window(), every advertisement from tcp_select_window() (never shrinking an offered window,
 * rounding up to the scale granularity), and the MSS from the path MTU (tcp_sync_mss, tcp_bound_to_half_wnd).
 *
 * Memory: Linux charges each queued skb's truesize; socksim charges twice the payload (truesize ≈ 2 × len, the
 * same assumption the default 50 % scaling ratio encodes), so a window of rcvbuf/2 holds exactly its payload.
 */
import type { Tcb } from './tcb.js';
import { TCP_MAX_WSCALE } from './tcb.js';

/** tcp_win_from_space(): the window a buffer of `space` bytes can carry. */
export function winFromSpace(t: Tcb, space: number): number {
  return Math.floor((space * t.scalingRatio) / 256);
}

/** tcp_space_from_win(): the buffer needed for a window. */
export function spaceFromWin(t: Tcb, win: number): number {
  return Math.floor((win * 256) / t.scalingRatio);
}

/** Receive memory charged (truesize model: twice the payload held in order and out of order). */
export function rmemCharged(t: Tcb): number {
  return 2 * (t.rcvQueue.bytes + t.ooo.bytes);
}

/** tcp_space(): window the free part of the receive buffer can carry. */
export function tcpSpace(t: Tcb): number {
  return winFromSpace(t, t.sock.rcvbuf - rmemCharged(t));
}

/** tcp_full_space(): window the whole receive buffer can carry. */
export function fullSpace(t: Tcb): number {
  return winFromSpace(t, t.sock.rcvbuf);
}

/** Result of tcp_select_initial_window(). */
export interface InitialWindow {
  rcvWnd: number;
  windowClamp: number;
  wscale: number;
}

/** tcp_select_initial_window() for a buffer share `space`, MSS `mss`, and a window clamp (0: none). */
export function selectInitialWindow(t: Tcb, space: number, mss: number, clamp: number, wscaleOk: boolean): InitialWindow {
  const sc = t.layer.sysctl;
  let windowClamp = clamp || 65535 * 2 ** TCP_MAX_WSCALE;
  space = Math.max(0, Math.min(windowClamp, space));
  if (space > mss) space = Math.floor(space / mss) * mss;
  const rcvWnd = space; // tcp_workaround_signed_windows is 0
  let wscale = 0;
  if (wscaleOk) {
    let s = Math.max(space, sc.rmem[2], sc.rmemMax);
    s = Math.min(s, windowClamp);
    wscale = Math.max(0, Math.min(Math.floor(Math.log2(s)) - 15, TCP_MAX_WSCALE));
  }
  windowClamp = Math.min(65535 * 2 ** wscale, windowClamp);
  return { rcvWnd, windowClamp, wscale };
}

/** __tcp_select_window(): the window to offer now, unscaled bytes (all values stay below 2^31: shifts are safe). */
export function rawSelectWindow(t: Tcb): number {
  let mss = t.rcvMss;
  const ratio = t.scalingRatio;
  const rcvbuf = t.sock.rcvbuf;
  let freeSpace = Math.floor(((rcvbuf - rmemCharged(t)) * ratio) / 256);
  const allowed = Math.floor((rcvbuf * ratio) / 256);
  const full = t.windowClamp < allowed ? t.windowClamp : allowed;
  const ws = t.rcvWscale;
  if (mss > full) {
    mss = full;
    if (mss <= 0) return 0;
  }
  if (freeSpace < full >> 1) {
    t.quick = 0;
    freeSpace = (freeSpace >> ws) << ws;
    // Below 1/16 of the buffer or one MSS: move to a zero window rather than announce crumbs (SWS avoidance).
    if (freeSpace < allowed >> 4 || freeSpace < mss) return 0;
  }
  if (freeSpace > t.rcvSsthresh) freeSpace = t.rcvSsthresh;
  if (ws) return ((freeSpace + (1 << ws) - 1) >> ws) << ws;
  let window = t.rcvWnd;
  if (window <= freeSpace - mss || window > freeSpace) window = Math.floor(freeSpace / mss) * mss;
  else if (mss === full && freeSpace > window + (full >> 1)) window = freeSpace;
  return window;
}

/** tcp_select_window(): chooses the window for an outgoing segment, records it, returns the 16-bit field. */
export function selectWindow(t: Tcb): number {
  const ws = t.rcvWscale;
  const curWin = t.receiveWindow();
  let newWin = rawSelectWindow(t);
  // Never shrink the offered window (RFC 9293 §3.8.6.2.2; tcp_shrink_window is 0).
  if (newWin < curWin) newWin = ((curWin + (1 << ws) - 1) >> ws) << ws;
  t.rcvWnd = newWin;
  t.rcvWup = t.rcvNxt;
  const w = newWin >> ws;
  return w > 65535 ? 65535 : w;
}

/** tcp_bound_to_half_wnd(): no segment larger than half the peer's largest window. */
function boundToHalfWnd(t: Tcb, pktsize: number): number {
  const cutoff = t.maxWindow > 536 ? t.maxWindow >> 1 : t.maxWindow;
  if (cutoff && pktsize > cutoff) return Math.max(cutoff, 68 - t.tcpHeaderLen);
  return pktsize;
}

/** IP + TCP base header bytes for the connection's family. */
export function netHeaderLen(t: Tcb): number {
  return t.v === 4 ? 40 : 60;
}

/** tcp_sync_mss(): the send MSS for a path MTU; sets pmtu and mssCache. */
export function syncMss(t: Tcb, pmtu: number): number {
  let mss = pmtu - netHeaderLen(t);
  if (mss > t.mssClamp) mss = t.mssClamp;
  mss -= t.tcpHeaderLen - 20;
  mss = Math.max(mss, t.layer.sysctl.minSndMss);
  mss = boundToHalfWnd(t, mss);
  t.pmtu = pmtu;
  t.mssCache = mss;
  return mss;
}

/** tcp_initialize_rcv_mss(): a cautious first guess of the peer's segment size, for delayed-ACK pacing. */
export function initializeRcvMss(t: Tcb): void {
  let hint = Math.min(t.advmss, t.mssCache);
  hint = Math.min(hint, Math.floor(t.rcvWnd / 2));
  hint = Math.min(hint, 536);
  hint = Math.max(hint, 88);
  t.rcvMss = hint;
}
