/**
 * pipe(2) and pipe2(2): a ring of 16 page-sized buffers (64 KiB, pipe(7)'s default capacity), with the merging and
 * page accounting of Linux's pipe_write, so the bytes a pipe takes before it is full depend on the write sizes as on
 * Linux. Writes of at most PIPE_BUF bytes are atomic. A write with no reader left fails with EPIPE and raises
 * SIGPIPE; a read with no writer left returns 0 (end of file).
 */
import { O_RDONLY, O_WRONLY, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from './constants.js';
import { Errno } from './errno.js';
import { FileObject, type OpenFile } from './file.js';

/** Page size, buffer count and PIPE_BUF on x86-64 Linux. */
export const PAGE_SIZE = 4096, PIPE_DEF_BUFFERS = 16, PIPE_BUF = 4096;

interface PipeBuf {
  data: Uint8Array;
  off: number;
  len: number;
}

/** The shared state of a pipe (pipe_inode_info). */
export class Pipe {
  readonly bufs: PipeBuf[] = [];
  readers = 0;
  writers = 0;
  /** Whether a writer ever closed, so a reader sees POLLHUP only after a writer went away (pipe_poll's w_counter). */
  readonly readEnd: PipeReader;
  readonly writeEnd: PipeWriter;

  constructor() {
    this.readEnd = new PipeReader(this);
    this.writeEnd = new PipeWriter(this);
  }

  /** Bytes buffered. */
  get bytes(): number {
    let n = 0;
    for (const b of this.bufs) n += b.len;
    return n;
  }

  /** Whether every slot is in use (pipe_full). */
  get full(): boolean {
    return this.bufs.length >= PIPE_DEF_BUFFERS;
  }

  /** Wakes both ends with a key naming what changed. */
  changed(key: number): void {
    this.readEnd.notify(key);
    this.writeEnd.notify(key);
  }

  /** pipe_write: -EPIPE with no reader, -EAGAIN when full and nothing was written, else the bytes taken. */
  write(data: Uint8Array): number {
    if (this.readers === 0) return -Errno.EPIPE;
    let done = 0;
    const total = data.length;
    const chars = total & (PAGE_SIZE - 1);
    const last = this.bufs[this.bufs.length - 1];
    // Only the sub-page remainder of a write may merge into the last page, and only if it fits whole.
    if (chars && last && last.off + last.len + chars <= PAGE_SIZE) {
      last.data.set(data.subarray(0, chars), last.off + last.len);
      last.len += chars;
      done = chars;
    }
    while (done < total && !this.full) {
      const n = Math.min(PAGE_SIZE, total - done);
      const page = new Uint8Array(PAGE_SIZE);
      page.set(data.subarray(done, done + n));
      this.bufs.push({ data: page, off: 0, len: n });
      done += n;
    }
    if (done > 0 || total === 0) this.changed(POLLIN | POLLRDNORM);
    return done === 0 && total > 0 ? -Errno.EAGAIN : done;
  }

  /** pipe_read: bytes, an empty array at end of file, or -EAGAIN. */
  read(len: number, peek = false): Uint8Array | number {
    if (this.bufs.length === 0) return this.writers === 0 ? new Uint8Array(0) : -Errno.EAGAIN;
    const out = new Uint8Array(Math.min(len, this.bytes));
    let got = 0;
    let i = 0;
    while (got < out.length) {
      const b = this.bufs[i]!;
      const n = Math.min(b.len, out.length - got);
      out.set(b.data.subarray(b.off, b.off + n), got);
      got += n;
      if (peek) {
        i++;
        continue;
      }
      b.off += n;
      b.len -= n;
      if (b.len === 0) this.bufs.shift();
    }
    if (!peek && got > 0) this.changed(POLLOUT | POLLWRNORM);
    return out;
  }
}

/** The read end of a pipe. */
export class PipeReader extends FileObject {
  readonly kind = 'pipe' as const;
  /** Whether a writer has closed since the pipe was made (a fresh pipe with no writer yet is not hung up). */
  sawWriterClose = false;
  constructor(readonly pipe: Pipe) {
    super();
  }

  poll(): number {
    let m = 0;
    if (this.pipe.bufs.length > 0) m |= POLLIN | POLLRDNORM;
    if (this.pipe.writers === 0 && this.sawWriterClose) m |= POLLHUP;
    return m;
  }

  override read(_file: OpenFile, len: number): Uint8Array | number {
    if (len === 0) return new Uint8Array(0);
    return this.pipe.read(len);
  }

  override write(): number {
    return -Errno.EBADF;
  }

  release(): void {
    this.pipe.readers--;
    this.pipe.changed(0); // pipe_release: wake_up_interruptible_all on both queues, no key
  }
}

/** The write end of a pipe. */
export class PipeWriter extends FileObject {
  readonly kind = 'pipe' as const;
  constructor(readonly pipe: Pipe) {
    super();
  }

  poll(): number {
    let m = 0;
    if (!this.pipe.full) m |= POLLOUT | POLLWRNORM;
    if (this.pipe.readers === 0) m |= POLLERR;
    return m;
  }

  override read(): Uint8Array | number {
    return -Errno.EBADF;
  }

  override write(_file: OpenFile, data: Uint8Array): number {
    return this.pipe.write(data);
  }

  release(): void {
    this.pipe.writers--;
    this.pipe.readEnd.sawWriterClose = true;
    this.pipe.changed(0);
  }
}

/** Access modes of the two ends, as pipe(2) opens them. */
export const PIPE_READ_MODE = O_RDONLY, PIPE_WRITE_MODE = O_WRONLY;
