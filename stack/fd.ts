/**
 * A process's file-descriptor table: lowest-free allocation (POSIX), per-fd FD_CLOEXEC, and RLIMIT_NOFILE
 * (soft limit 1024 by default, as a Linux login shell gets) giving EMFILE.
 */
import { Errno } from './errno.js';
import type { OpenFile } from './file.js';

/** One slot of the table. */
export interface FdEntry {
  file: OpenFile;
  cloexec: boolean;
}

/** The fd table of one process. */
export class FdTable {
  private readonly slots: (FdEntry | undefined)[] = [];
  private count = 0;
  /** RLIMIT_NOFILE soft limit: fds must be below it. */
  limit = 1024;
  /** RLIMIT_NOFILE hard limit: the ceiling of the soft one (an unprivileged process cannot raise it). */
  hardLimit = 524288;

  /**
   * The size of the kernel's fd array (fdt->max_fds): 64 at first, grown to hold the highest fd ever used, in
   * powers of two of 128 as expand_fdtable does. select(2) looks at no fd past it.
   */
  maxFds = 64;

  /** Installs file at the lowest free fd ≥ minFd; returns it, or -EMFILE. Takes a reference. */
  alloc(file: OpenFile, cloexec: boolean, minFd = 0): number {
    let fd = minFd;
    while (fd < this.slots.length && this.slots[fd]) fd++;
    if (fd >= this.limit) return -Errno.EMFILE;
    this.put(fd, file, cloexec);
    return fd;
  }

  private put(fd: number, file: OpenFile, cloexec: boolean): void {
    this.slots[fd] = { file: file.ref(), cloexec };
    this.count++;
    if (fd >= this.maxFds) {
      let n = 1;
      while (n < Math.floor(fd / 128) + 1) n *= 2;
      this.maxFds = Math.max(this.maxFds, n * 128);
    }
  }

  /** The entry of fd, or undefined when fd is not open. */
  get(fd: number): FdEntry | undefined {
    return Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
  }

  /** Installs file at exactly fd, closing what was there (dup2 semantics); returns fd or -EBADF/-EMFILE. */
  installAt(fd: number, file: OpenFile, cloexec: boolean): number {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.limit) return -Errno.EBADF;
    const old = this.slots[fd];
    if (old) {
      this.slots[fd] = undefined;
      this.count--;
    }
    this.put(fd, file, cloexec);
    if (old) old.file.unref();
    return fd;
  }

  /** Closes fd: 0, or -EBADF. */
  close(fd: number): number {
    const e = this.get(fd);
    if (!e) return -Errno.EBADF;
    this.slots[fd] = undefined;
    this.count--;
    e.file.unref();
    return 0;
  }

  /** Whether some fd below RLIMIT_NOFILE is free (get_unused_fd_flags would succeed). */
  hasFree(): boolean {
    for (let fd = 0; fd < this.limit; fd++) if (!this.slots[fd]) return true;
    return false;
  }

  /** Open fds in ascending order. */
  fds(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i]) out.push(i);
    return out;
  }

  /** Number of open fds. */
  get size(): number {
    return this.count;
  }

  /** Closes every fd (process exit). */
  closeAll(): void {
    for (const fd of this.fds()) this.close(fd);
  }
}
