/**
 * Open regular files and directories: what open(2) returns for VFS nodes. Reads and writes move the shared offset
 * of the open file description; O_APPEND writes at the end. A regular file is always ready (poll(2) returns
 * DEFAULT_POLLMASK) and epoll refuses it with EPERM.
 */
import { O_APPEND, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from './constants.js';
import { Errno } from './errno.js';
import { FileObject, type OpenFile } from './file.js';
import type { RegNode, DirNode } from './vfs.js';

/** Largest count one read/write moves (MAX_RW_COUNT = INT_MAX & PAGE_MASK). */
export const MAX_RW_COUNT = 0x7ffff000;

/** What regular files and directories share: always ready (DEFAULT_POLLMASK), and refused by epoll. */
abstract class VfsFile extends FileObject {
  override get epollable(): boolean {
    return false;
  }

  poll(): number {
    return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
  }

  release(): void {}
}

/** An open regular file. */
export class RegularFile extends VfsFile {
  readonly kind = 'file' as const;
  constructor(readonly node: RegNode) {
    super();
  }

  /** Reads up to len bytes at pos (pread semantics). */
  readAt(pos: number, len: number): Uint8Array {
    const end = Math.min(this.node.size, pos + Math.min(len, MAX_RW_COUNT));
    return pos >= end ? new Uint8Array(0) : this.node.buf.slice(pos, end);
  }

  override read(file: OpenFile, len: number): Uint8Array | number {
    const out = this.readAt(file.pos, len);
    file.pos += out.length;
    return out;
  }

  override write(file: OpenFile, data: Uint8Array): number {
    if (file.flags & O_APPEND) file.pos = this.node.size;
    const n = Math.min(data.length, MAX_RW_COUNT);
    this.node.writeAt(file.pos, data.subarray(0, n));
    file.pos += n;
    return n;
  }
}

/** An open directory: read(2) on it is EISDIR. */
export class DirFile extends VfsFile {
  readonly kind = 'dir' as const;
  constructor(readonly node: DirNode) {
    super();
  }

  override read(): Uint8Array | number {
    return -Errno.EISDIR;
  }

  override write(): number {
    return -Errno.EBADF;
  }
}
