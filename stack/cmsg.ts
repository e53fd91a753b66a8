/**
 * Control messages (cmsg(3)) with Linux's x86-64 layout and arithmetic: struct cmsghdr is 16 bytes (size_t
 * cmsg_len, int level, int type), data is aligned to 8. Parsing follows for_each_cmsghdr/CMSG_OK (a cmsg_len below
 * 16 or past msg_controllen is EINVAL; a tail shorter than a header is ignored); writing follows put_cmsg and
 * scm_detach_fds, truncating with MSG_CTRUNC exactly as they do.
 */
import { MSG_CTRUNC, SCM_CREDENTIALS, SCM_RIGHTS, SOL_SOCKET, SO_MARK, SO_PRIORITY } from './constants.js';
import { Errno } from './errno.js';
import type { Cmsg, Ucred } from './socket.js';

/** sizeof(struct cmsghdr) on x86-64. */
export const CMSGHDR_LEN = 16;
/** SCM_MAX_FD: most fds one sendmsg may pass. */
export const SCM_MAX_FD = 253;

/** CMSG_ALIGN(n). */
export function cmsgAlign(n: number): number {
  return (n + 7) & ~7;
}

/** CMSG_LEN(n): header plus n data bytes. */
export function cmsgLen(n: number): number {
  return CMSGHDR_LEN + n;
}

/** CMSG_SPACE(n): header plus n data bytes, padded. */
export function cmsgSpace(n: number): number {
  return CMSGHDR_LEN + cmsgAlign(n);
}

/** Encodes control messages into a msg_control buffer (each padded to CMSG_SPACE, as CMSG_NXTHDR expects). */
export function buildCmsgs(list: readonly Cmsg[]): Uint8Array {
  let total = 0;
  for (const c of list) total += cmsgSpace(c.data.length);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const c of list) {
    dv.setUint32(off, cmsgLen(c.data.length), true);
    dv.setUint32(off + 4, 0, true);
    dv.setInt32(off + 8, c.level, true);
    dv.setInt32(off + 12, c.type, true);
    out.set(c.data, off + CMSGHDR_LEN);
    off += cmsgSpace(c.data.length);
  }
  return out;
}

/** An SCM_RIGHTS control message carrying fds. */
export function rightsCmsg(fds: readonly number[]): Cmsg {
  const data = new Uint8Array(fds.length * 4);
  const dv = new DataView(data.buffer);
  fds.forEach((fd, i) => dv.setInt32(i * 4, fd, true));
  return { level: SOL_SOCKET, type: SCM_RIGHTS, data };
}

/** An SCM_CREDENTIALS control message. */
export function credsCmsg(c: Ucred): Cmsg {
  return { level: SOL_SOCKET, type: SCM_CREDENTIALS, data: ucredBytes(c) };
}

/** struct ucred bytes (pid, uid, gid as 32-bit ints). */
export function ucredBytes(c: Ucred): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, c.pid, true);
  dv.setUint32(4, c.uid >>> 0, true);
  dv.setUint32(8, c.gid >>> 0, true);
  return b;
}

/** Decodes struct ucred. */
export function parseUcred(b: Uint8Array): Ucred {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { pid: dv.getInt32(0, true), uid: dv.getUint32(4, true), gid: dv.getUint32(8, true) };
}

/** The fds of an SCM_RIGHTS data area. */
export function rightsFds(data: Uint8Array): number[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= data.length; i += 4) out.push(dv.getInt32(i, true));
  return out;
}

/**
 * Walks msg_control as the kernel does on send: a header with cmsg_len < 16 or running past the buffer is EINVAL.
 * The data of each message is what cmsg_len covers (a length may be unpadded).
 */
export function parseSendCmsgs(control: Uint8Array): Cmsg[] | number {
  const out: Cmsg[] = [];
  const dv = new DataView(control.buffer, control.byteOffset, control.byteLength);
  let off = 0;
  while (control.length - off >= CMSGHDR_LEN) {
    const lo = dv.getUint32(off, true), hi = dv.getUint32(off + 4, true);
    if (hi !== 0 || lo < CMSGHDR_LEN || lo > control.length - off) return -Errno.EINVAL;
    out.push({ level: dv.getInt32(off + 8, true), type: dv.getInt32(off + 12, true), data: control.slice(off + CMSGHDR_LEN, off + lo) });
    off += cmsgAlign(lo);
  }
  return out;
}

/**
 * Reads back what recvmsg wrote into msg_control (CMSG_FIRSTHDR/CMSG_NXTHDR over `controllen` bytes). Truncated
 * messages come back with the data their cmsg_len covers.
 */
export function parseCmsgs(control: Uint8Array, controllen: number): Cmsg[] {
  const r = parseSendCmsgs(control.subarray(0, Math.min(controllen, control.length)));
  return typeof r === 'number' ? [] : r;
}

/**
 * __sock_cmsg_send / ip_cmsg_send for a socket that is not AF_UNIX: SOL_SOCKET's SCM_RIGHTS and SCM_CREDENTIALS
 * are skipped (they belong to AF_UNIX) and unknown SOL_SOCKET types are EINVAL; messages at the socket's IP level
 * (`ipLevel`) and the SOL_SOCKET ones Linux would apply (SO_MARK, SO_PRIORITY, SO_TIMESTAMPING, SCM_TXTIME) are not
 * modelled, so they are EOPNOTSUPP rather than silently ignored; other levels are skipped, as Linux skips them.
 */
export function checkSendCmsgs(list: readonly Cmsg[], ipLevel: number): number {
  for (const c of list) {
    if (c.level === ipLevel) return -Errno.EOPNOTSUPP;
    if (c.level !== SOL_SOCKET) continue;
    if (c.type === SCM_RIGHTS || c.type === SCM_CREDENTIALS) continue;
    if (c.type === SO_MARK || c.type === SO_PRIORITY || c.type === SO_TIMESTAMPING_OLD || c.type === SCM_TXTIME) return -Errno.EOPNOTSUPP;
    return -Errno.EINVAL;
  }
  return 0;
}

/** SOL_SOCKET control message types __sock_cmsg_send applies (asm-generic/socket.h). */
const SO_TIMESTAMPING_OLD = 37, SCM_TXTIME = 61;

/** Lays out received control messages into a msg_control buffer of `cap` bytes, as put_cmsg does. */
export class CmsgWriter {
  /** Bytes used (the msg_controllen recvmsg returns). */
  used = 0;
  /** MSG_CTRUNC when something did not fit. */
  flags = 0;
  private readonly dv: DataView | null;

  constructor(readonly buf: Uint8Array | null, readonly cap: number) {
    this.dv = buf ? new DataView(buf.buffer, buf.byteOffset, buf.byteLength) : null;
  }

  /** Room left. */
  get left(): number {
    return this.cap - this.used;
  }

  private header(off: number, len: number, level: number, type: number): void {
    const dv = this.dv!;
    dv.setUint32(off, len, true);
    dv.setUint32(off + 4, 0, true);
    dv.setInt32(off + 8, level, true);
    dv.setInt32(off + 12, type, true);
  }

  /** put_cmsg: a message that does not fit is cut to the room left (cmsg_len says so) and MSG_CTRUNC is set. */
  put(level: number, type: number, data: Uint8Array): void {
    if (!this.buf || this.left < CMSGHDR_LEN) {
      this.flags |= MSG_CTRUNC;
      return;
    }
    let cmlen = cmsgLen(data.length);
    if (this.left < cmlen) {
      this.flags |= MSG_CTRUNC;
      cmlen = this.left;
    }
    this.header(this.used, cmlen, level, type);
    this.buf.set(data.subarray(0, cmlen - CMSGHDR_LEN), this.used + CMSGHDR_LEN);
    this.used += Math.min(cmsgSpace(data.length), this.left);
  }

  /** scm_max_fds: how many fds fit ((controllen − 16) / 4, none when at most a header fits). */
  maxFds(): number {
    if (!this.buf || this.left <= CMSGHDR_LEN) return 0;
    return Math.floor((this.left - CMSGHDR_LEN) / 4);
  }

  /** scm_detach_fds' layout for the `fds` actually installed out of `total` passed. */
  putFds(fds: readonly number[], total: number, fdmax: number): void {
    if (fds.length > 0) {
      const b = rightsCmsg(fds).data;
      this.header(this.used, cmsgLen(b.length), SOL_SOCKET, SCM_RIGHTS);
      this.buf!.set(b, this.used + CMSGHDR_LEN);
      this.used += Math.min(cmsgSpace(b.length), this.left);
    }
    if (fds.length < total || (total > 0 && fdmax <= 0)) this.flags |= MSG_CTRUNC;
  }
}
