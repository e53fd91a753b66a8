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

  /** Installs file at the lowest free fd ≥ minFd; returns it, or -EMFILE. Takes a reference. */
  alloc(file: OpenFile, cloexec: boolean, minFd = 0): number {
    let fd = minFd;
    while (fd < this.slots.length && this.slots[fd]) fd++;
    if (fd >= this.limit) return -Errno.EMFILE;
    this.slots[fd] = { file: file.ref(), cloexec };
    this.count++;
    return fd;
  }

  /** The entry of fd, or undefined when fd is not open. */
  get(fd: number): FdEntry | undefined {
    return Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
  }

  /** Installs file at exactly fd, closing what was there (dup2 semantics); returns fd or -EBADF/-EMFILE. */
  installAt(fd: number, file: OpenFile, cloexec: boolean): number {
    if (!Number.isInteger(fd) || fd < 0 || fd >= this.limit) return -Errno.EBADF;
    const old = this.slots[fd];
    this.slots[fd] = { file: file.ref(), cloexec };
    if (old) old.file.unref();
    else this.count++;
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
