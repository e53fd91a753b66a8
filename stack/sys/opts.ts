/**
 * setsockopt(2) and getsockopt(2): SOL_SOCKET is answered by stack/sockopt.ts, every other level by the socket's
 * setProtoOpt/getProtoOpt. Values are bytes as in C; a number is taken as a 4-byte int. A get truncates the value to
 * the caller's optlen and reports the length it wrote; a negative optlen is EINVAL.
 */
import { IPPROTO_IP, SOL_SOCKET } from '../constants.js';
import { Errno } from '../errno.js';
import { getSolSocket, intBytes, readInt, setSolSocket, type OptCaller } from '../sockopt.js';
import { intArg } from './base.js';
import { SysData } from './data.js';

/** The value-result of getsockopt: `len` is optlen (capacity in, length written out), `value` the bytes. */
export interface OptOut {
  len: number;
  value?: Uint8Array;
}

/** Socket option calls. */
export class SysOpts extends SysData {
  /** What sockopt.ts needs to know about this process and host. */
  protected optCaller(): OptCaller {
    return {
      privileged: this.uid === 0,
      interfaceIndex: (n) => this.host.iface(n)?.index ?? null,
      interfaceName: (i) => this.host.interfaces.find((x) => x.index === i)?.name ?? null,
    };
  }

  /** setsockopt(2): optval as bytes (optlen defaults to their length, and may be shorter) or a number (an int). */
  async setsockopt(fd: number, level: number, optname: number, optval: Uint8Array | number, optlen?: number): Promise<number> {
    const args = [fd, level, optname, optval instanceof Uint8Array ? optval : typeof optval === 'number' ? optval : null, optlen ?? null];
    return this.done('setsockopt', args, this.withSock(fd, (s) => {
      const bytes = typeof optval === 'number' && Number.isInteger(optval) ? intBytes(optval) : optval instanceof Uint8Array ? optval : null;
      if (!bytes) return -Errno.EFAULT;
      const len = intArg(optlen, bytes.length);
      if (len === null || len < 0) return -Errno.EINVAL;
      if (len > bytes.length) return -Errno.EFAULT;
      const v = bytes.subarray(0, len);
      if (intArg(level) === null || intArg(optname) === null) return -Errno.ENOPROTOOPT;
      if (level !== SOL_SOCKET) return s.setProtoOpt(level, optname, v);
      const r = setSolSocket(s, optname, v, this.optCaller());
      if (r === 0) s.solSocketChanged(optname);
      return r;
    }));
  }

  /** getsockopt(2): fills out.value with at most out.len bytes and sets out.len to what was written. */
  async getsockopt(fd: number, level: number, optname: number, out: OptOut): Promise<number> {
    const args = [fd, level, optname, out && typeof out === 'object' ? out.len : null];
    const r = this.withSock(fd, (s) => {
      if (typeof out !== 'object' || out === null) return -Errno.EFAULT;
      const len = intArg(out.len);
      if (len === null || len < 0) return -Errno.EINVAL;
      if (intArg(level) === null || intArg(optname) === null) return -Errno.ENOPROTOOPT;
      const v = level === SOL_SOCKET ? getSolSocket(s, optname, this.optCaller(), len) : s.getProtoOpt(level, optname);
      if (typeof v === 'number') return v;
      let value = v.subarray(0, Math.min(len, v.length));
      // ip_getsockopt: an int option asked with optlen 1..3 comes back as one byte when it fits in one.
      if (level === IPPROTO_IP && v.length === 4 && len > 0 && len < 4) {
        const x = readInt(v);
        if (x >= 0 && x <= 255) value = Uint8Array.of(x);
      }
      out.value = value.slice();
      out.len = value.length;
      return 0;
    });
    return this.done('getsockopt', [...args, r === 0 ? out.value : null], r);
  }

  /** getsockopt for an int option: the value, or -1 with errno set (a convenience over `getsockopt`). */
  async getsockoptInt(fd: number, level: number, optname: number): Promise<number> {
    const out: OptOut = { len: 4 };
    const r = await this.getsockopt(fd, level, optname, out);
    if (r < 0) return -1;
    const v = out.value ?? new Uint8Array(0);
    if (v.length >= 4) return readInt(v);
    return v.length === 1 ? v[0]! : 0;
  }
}
