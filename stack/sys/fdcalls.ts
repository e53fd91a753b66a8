/**
 * Calls on the fd table and the filesystem: close, dup, dup2, dup3, fcntl, getrlimit/setrlimit (RLIMIT_NOFILE),
 * pipe, pipe2, open, lseek, unlink, mkdir, rmdir. Errors follow the man pages: dup2(2), fcntl(2), getrlimit(2),
 * pipe(2), open(2), lseek(2), unlink(2).
 */
import {
  F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, O_ACCMODE, O_APPEND, O_CLOEXEC,
  O_CREAT, O_EXCL, O_NONBLOCK, O_RDONLY, O_TRUNC, O_WRONLY,
} from '../constants.js';
import { Errno } from '../errno.js';
import { OpenFile } from '../file.js';
import { Pipe } from '../pipe.js';
import { Socket } from '../socket.js';
import { DirFile, RegularFile } from '../vfs-file.js';
import { vfsOf } from '../vfs.js';
import { intArg, SysBase } from './base.js';

/** getrlimit(2) resources socksim models; RLIM_NLIMITS bounds the valid numbers. */
export const RLIMIT_NOFILE = 7, RLIM_NLIMITS = 16;
/** fs.nr_open: the ceiling of RLIMIT_NOFILE. */
export const NR_OPEN = 1048576;
/** open(2) flags not in constants.ts. */
export const O_DIRECTORY = 0o200000, O_DIRECT = 0o40000, O_NOATIME = 0o1000000, O_ASYNC = 0o20000;
/** lseek(2) whence values. */
export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
/** F_GETPIPE_SZ (fcntl(2)): answered for pipes. */
export const F_GETPIPE_SZ = 1032;

/** ioctl(2) requests socksim answers (asm-generic/ioctls.h, linux/sockios.h). */
export const FIONREAD = 0x541b, FIONBIO = 0x5421, FIOCLEX = 0x5451, FIONCLEX = 0x5450, SIOCINQ = FIONREAD;

/** Flags F_SETFL may change (fcntl(2): "O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME, and O_NONBLOCK"). */
const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

/** A resource limit (struct rlimit). */
export interface Rlimit {
  cur: number;
  max: number;
}

/** fd-table and filesystem calls. */
export class SysFd extends SysBase {
  /** close(2); the last close of a TCP socket with SO_LINGER {1, N > 0} waits for its FIN to be acknowledged. */
  async close(fd: number): Promise<number> {
    if (typeof fd !== 'number') return this.done('close', [fd], -Errno.EBADF);
    const obj = this.fds.get(fd)?.file.obj;
    const r = this.fds.close(fd);
    const w = r === 0 && obj instanceof Socket ? obj.closeWait() : null;
    if (w) {
      // socket(7): "close(2) ... will not return until all queued messages for the socket have been successfully
      // sent or the linger timeout has been reached"; Linux returns 0 either way.
      while (!w.settled()) {
        if ((await this.proc.block([obj!.wq], w.deadline, 'close')) === 'timeout') break;
      }
      w.finish();
    }
    return this.done('close', [fd], r);
  }

  /** dup(2): the lowest free fd, or EMFILE. */
  async dup(oldfd: number): Promise<number> {
    const f = this.file(oldfd);
    return this.done('dup', [oldfd], typeof f === 'number' ? f : this.fds.alloc(f, false));
  }

  /** dup2(2): oldfd === newfd returns newfd when oldfd is valid; newfd beyond RLIMIT_NOFILE is EBADF. */
  async dup2(oldfd: number, newfd: number): Promise<number> {
    const f = this.file(oldfd);
    if (typeof f === 'number') return this.done('dup2', [oldfd, newfd], f);
    if (oldfd === newfd) return this.done('dup2', [oldfd, newfd], newfd);
    return this.done('dup2', [oldfd, newfd], this.fds.installAt(newfd, f, false));
  }

  /** dup3(2): like dup2, but oldfd === newfd and flags other than O_CLOEXEC are EINVAL. */
  async dup3(oldfd: number, newfd: number, flags: number): Promise<number> {
    const args = [oldfd, newfd, flags];
    if (intArg(flags) === null || flags & ~O_CLOEXEC) return this.done('dup3', args, -Errno.EINVAL);
    if (oldfd === newfd) return this.done('dup3', args, -Errno.EINVAL);
    const f = this.file(oldfd);
    if (typeof f === 'number') return this.done('dup3', args, f);
    return this.done('dup3', args, this.fds.installAt(newfd, f, (flags & O_CLOEXEC) !== 0));
  }

  /** fcntl(2): F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL (and F_GETPIPE_SZ for pipes). */
  async fcntl(fd: number, cmd: number, arg = 0): Promise<number> {
    return this.done('fcntl', [fd, cmd, arg], this.fcntlImpl(fd, cmd, arg));
  }

  private fcntlImpl(fd: number, cmd: number, argIn: unknown): number {
    const e = typeof fd === 'number' ? this.fds.get(fd) : undefined;
    if (!e) return -Errno.EBADF;
    const arg = intArg(argIn, 0) ?? 0;
    switch (cmd) {
      case F_DUPFD:
      case F_DUPFD_CLOEXEC:
        // f_dupfd: a minimum at or past RLIMIT_NOFILE is EINVAL; no free fd is EMFILE.
        if (arg < 0 || arg >= this.fds.limit) return -Errno.EINVAL;
        return this.fds.alloc(e.file, cmd === F_DUPFD_CLOEXEC, arg);
      case F_GETFD:
        return e.cloexec ? FD_CLOEXEC : 0;
      case F_SETFD:
        e.cloexec = (arg & FD_CLOEXEC) !== 0;
        return 0;
      case F_GETFL:
        return e.file.flags;
      case F_SETFL:
        e.file.flags = (e.file.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        return 0;
      case F_GETPIPE_SZ:
        return e.file.obj.kind === 'pipe' ? 65536 : -Errno.EBADF;
      default:
        return -Errno.EINVAL;
    }
  }

  /**
   * ioctl(2): FIONBIO (arg.value non-zero sets O_NONBLOCK), FIOCLEX/FIONCLEX, and FIONREAD/SIOCINQ (bytes readable:
   * a socket's protocol answer, a pipe's buffered bytes, a regular file's size past the offset). Other requests are
   * ENOTTY, as for any file that does not know them.
   */
  async ioctl(fd: number, request: number, arg?: { value: number } | null): Promise<number> {
    const r = this.ioctlImpl(fd, request, arg ?? null);
    return this.done('ioctl', [fd, request, arg && typeof arg === 'object' ? arg.value : null], r);
  }

  private ioctlImpl(fd: number, request: number, arg: { value: number } | null): number {
    const e = typeof fd === 'number' ? this.fds.get(fd) : undefined;
    if (!e) return -Errno.EBADF;
    const f = e.file;
    if (request === FIOCLEX || request === FIONCLEX) {
      e.cloexec = request === FIOCLEX;
      return 0;
    }
    if (typeof arg !== 'object' || arg === null) return -Errno.EFAULT;
    if (request === FIONBIO) {
      if (typeof arg.value !== 'number') return -Errno.EFAULT;
      f.flags = arg.value ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
      return 0;
    }
    if (request !== FIONREAD) return -Errno.ENOTTY;
    const o = f.obj;
    let n: number;
    if (o instanceof Socket) {
      n = o.inq();
      if (n < 0) return n;
    } else if (o.kind === 'pipe' && 'pipe' in o) n = (o as { pipe: Pipe }).pipe.bytes;
    else if (o instanceof RegularFile) n = Math.max(0, o.node.size - f.pos);
    else return -Errno.ENOTTY;
    arg.value = n;
    return 0;
  }

  /** getrlimit(2): RLIMIT_NOFILE is modelled; other valid resources are not (ENOSYS), invalid ones EINVAL. */
  async getrlimit(resource: number, out: Rlimit): Promise<number> {
    const args = [resource];
    if (intArg(resource) === null || resource < 0 || resource >= RLIM_NLIMITS) return this.done('getrlimit', args, -Errno.EINVAL);
    if (resource !== RLIMIT_NOFILE) return this.done('getrlimit', args, -Errno.ENOSYS);
    if (typeof out !== 'object' || out === null) return this.done('getrlimit', args, -Errno.EFAULT);
    out.cur = this.fds.limit;
    out.max = this.fds.hardLimit;
    return this.done('getrlimit', args, 0);
  }

  /** setrlimit(2) for RLIMIT_NOFILE: cur > max is EINVAL, max above fs.nr_open is EPERM (getrlimit(2)). */
  async setrlimit(resource: number, lim: Rlimit): Promise<number> {
    const args = [resource, lim && typeof lim === 'object' ? [lim.cur, lim.max] : null];
    if (intArg(resource) === null || resource < 0 || resource >= RLIM_NLIMITS) return this.done('setrlimit', args, -Errno.EINVAL);
    if (resource !== RLIMIT_NOFILE) return this.done('setrlimit', args, -Errno.ENOSYS);
    if (typeof lim !== 'object' || lim === null) return this.done('setrlimit', args, -Errno.EFAULT);
    const cur = intArg(lim.cur), max = intArg(lim.max);
    if (cur === null || max === null || cur < 0 || max < 0 || cur > max) return this.done('setrlimit', args, -Errno.EINVAL);
    if (max > NR_OPEN) return this.done('setrlimit', args, -Errno.EPERM);
    this.fds.limit = cur;
    this.fds.hardLimit = max;
    return this.done('setrlimit', args, 0);
  }

  /** pipe(2): fills fds[0] (read end) and fds[1] (write end). */
  async pipe(fds: number[]): Promise<number> {
    return this.pipeImpl('pipe', fds, 0);
  }

  /** pipe2(2): flags O_CLOEXEC, O_NONBLOCK, O_DIRECT (others EINVAL). */
  async pipe2(fds: number[], flags: number): Promise<number> {
    return this.pipeImpl('pipe2', fds, flags);
  }

  private pipeImpl(call: string, fds: number[], flags: number): number {
    const args = call === 'pipe' ? [] : [flags];
    if (intArg(flags) === null || flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return this.done(call, args, -Errno.EINVAL);
    if (!Array.isArray(fds)) return this.done(call, args, -Errno.EFAULT);
    const p = new Pipe();
    const nb = flags & O_NONBLOCK;
    const rf = new OpenFile(p.readEnd, O_RDONLY | nb), wf = new OpenFile(p.writeEnd, O_WRONLY | nb);
    p.readers = 1;
    p.writers = 1;
    const cloexec = (flags & O_CLOEXEC) !== 0;
    const r = this.fds.alloc(rf, cloexec);
    if (r < 0) {
      rf.ref().unref();
      wf.ref().unref();
      return this.done(call, args, r);
    }
    const w = this.fds.alloc(wf, cloexec);
    if (w < 0) {
      this.fds.close(r);
      wf.ref().unref();
      return this.done(call, args, w);
    }
    fds[0] = r;
    fds[1] = w;
    return this.done(call, [...args, r, w], 0);
  }

  /** open(2) on the host's filesystem: regular files and directories (a socket node is ENXIO). */
  async open(path: string, flags: number, _mode = 0o644): Promise<number> {
    return this.done('open', [path, flags], this.openImpl(path, flags));
  }

  private openImpl(path: unknown, flags: number): number {
    if (typeof path !== 'string') return -Errno.EFAULT;
    if (intArg(flags) === null) return -Errno.EINVAL;
    const vfs = vfsOf(this.host);
    const node = flags & O_CREAT ? vfs.create(path, (flags & O_EXCL) !== 0) : vfs.lookup(path);
    if (typeof node === 'number') return node;
    const acc = flags & O_ACCMODE;
    if (node.kind === 'socket') return -Errno.ENXIO;
    if (node.kind === 'dir') {
      if (acc !== O_RDONLY) return -Errno.EISDIR;
      return this.installFile(new DirFile(node), flags);
    }
    if (flags & O_DIRECTORY) return -Errno.ENOTDIR;
    if (flags & O_TRUNC && acc !== O_RDONLY) node.truncate(0);
    return this.installFile(new RegularFile(node), flags);
  }

  private installFile(obj: RegularFile | DirFile, flags: number): number {
    const file = new OpenFile(obj, flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME));
    const fd = this.fds.alloc(file, (flags & O_CLOEXEC) !== 0);
    if (fd < 0) file.ref().unref();
    return fd;
  }

  /** lseek(2): ESPIPE on sockets and pipes, EINVAL for a bad whence or a negative result. */
  async lseek(fd: number, offset: number, whence: number): Promise<number> {
    return this.done('lseek', [fd, offset, whence], this.lseekImpl(fd, offset, whence));
  }

  private lseekImpl(fd: number, offset: number, whence: number): number {
    const f = this.file(fd);
    if (typeof f === 'number') return f;
    if (!(f.obj instanceof RegularFile) && !(f.obj instanceof DirFile)) return -Errno.ESPIPE;
    if (intArg(offset) === null) return -Errno.EINVAL;
    let base: number;
    if (whence === SEEK_SET) base = 0;
    else if (whence === SEEK_CUR) base = f.pos;
    else if (whence === SEEK_END) base = f.obj instanceof RegularFile ? f.obj.node.size : 0;
    else return -Errno.EINVAL;
    const pos = base + offset;
    if (pos < 0) return -Errno.EINVAL;
    f.pos = pos;
    return pos;
  }

  /** unlink(2): removes a file or socket node; a bound socket keeps working but cannot be reached by name. */
  async unlink(path: string): Promise<number> {
    return this.done('unlink', [path], typeof path === 'string' ? vfsOf(this.host).unlink(path) : -Errno.EFAULT);
  }

  /** mkdir(2). */
  async mkdir(path: string, _mode = 0o755): Promise<number> {
    return this.done('mkdir', [path], typeof path === 'string' ? vfsOf(this.host).mkdir(path) : -Errno.EFAULT);
  }

  /** rmdir(2). */
  async rmdir(path: string): Promise<number> {
    return this.done('rmdir', [path], typeof path === 'string' ? vfsOf(this.host).rmdir(path) : -Errno.EFAULT);
  }
}
