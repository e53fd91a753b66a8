/**
 * The canonical text of what a call handed back besides its return value (an address, received bytes, an option
 * value, poll bits…). socksim's interpreter and the C programs `socksim export-c` writes print exactly these forms,
 * so a conformance golden taken on Linux compares with a socksim run field by field (test/conformance/README.md).
 */
import { SO_LINGER, SO_PEERCRED, SO_RCVTIMEO, SO_SNDTIMEO, SOL_SOCKET } from '../../stack/constants.js';
import { formatSockaddr, type SockAddr } from '../../stack/sockaddr.js';

/** Received data up to this many bytes is shown in hex; longer data by its FNV-1a hash. */
export const DATA_HEX_MAX = 32;

/** FNV-1a, 32 bits: a digest a few lines of C reproduce. */
export function fnv1a(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const x of b) h = Math.imul(h ^ x, 0x01000193) >>> 0;
  return h >>> 0;
}

/** Received bytes: hex when short, else "fnv:" and the hash. */
export function dataText(b: Uint8Array): string {
  if (b.length <= DATA_HEX_MAX) return Buffer.from(b).toString('hex');
  return `fnv:${fnv1a(b).toString(16).padStart(8, '0')}`;
}

/** A socket address as "1.2.3.4:80", "[::1]:80", "unix:path", "unix:@abstract", "unix:(unnamed)". */
export function addrText(a: SockAddr | null | undefined): string {
  return formatSockaddr(a);
}

/** A process id as the index of the case's process that has it ("p0"), "0", or "other". */
export function pidText(pid: number, pids: readonly number[]): string {
  if (pid === 0) return '0';
  const k = pids.indexOf(pid);
  return k >= 0 ? `p${k}` : 'other';
}

/** struct ucred as "pid=p0,uid=0,gid=0". */
export function credText(pid: number, uid: number, gid: number, pids: readonly number[]): string {
  return `pid=${pidText(pid, pids)},uid=${uid},gid=${gid}`;
}

/** The getsockopt buffer length a case asks with by default: the option's C type. */
export function defaultOptlen(level: number, name: number): number {
  if (level === SOL_SOCKET && (name === SO_RCVTIMEO || name === SO_SNDTIMEO)) return 16;
  if (level === SOL_SOCKET && name === SO_LINGER) return 8;
  if (level === SOL_SOCKET && name === SO_PEERCRED) return 12;
  return 4;
}

/** A getsockopt value by what came back: "len=4 v=1", "len=8 v=1,5" (linger), "len=16 v=2,500000" (timeval). */
export function optText(level: number, name: number, v: Uint8Array, pids: readonly number[]): string {
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  let s: string;
  if (v.length === 4) s = String(dv.getInt32(0, true));
  else if (v.length === 1) s = String(v[0]);
  else if (level === SOL_SOCKET && name === SO_LINGER && v.length === 8) s = `${dv.getInt32(0, true)},${dv.getInt32(4, true)}`;
  else if (level === SOL_SOCKET && (name === SO_RCVTIMEO || name === SO_SNDTIMEO) && v.length === 16) {
    s = `${dv.getBigInt64(0, true)},${dv.getBigInt64(8, true)}`;
  } else if (level === SOL_SOCKET && name === SO_PEERCRED && v.length === 12) {
    s = credText(dv.getInt32(0, true), dv.getUint32(4, true), dv.getUint32(8, true), pids);
  } else s = Buffer.from(v).toString('hex');
  return `len=${v.length} v=${s}`;
}

/** A bit mask in hex ("0x1"), as poll and epoll results are shown. */
export function maskText(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
