/**
 * sendfile(2)'s argument checks (do_sendfile, splice_direct_to_actor): in_fd must be open for reading (EBADF) and
 * a regular file (EINVAL: splicing needs a seekable source); out_fd must be open for writing (EBADF) and not
 * O_APPEND (EINVAL); a negative offset is EINVAL; count is capped at MAX_RW_COUNT. The copy itself is a read at
 * the offset followed by an ordinary write to out_fd, so a socket destination blocks, signals and counts as send.
 */
import { O_APPEND } from './constants.js';
import { Errno } from './errno.js';
import type { OpenFile } from './file.js';
import { MAX_RW_COUNT, RegularFile } from './vfs-file.js';

/** What to copy: the bytes read from the source and where its offset started. */
export interface SendfilePlan {
  src: RegularFile;
  pos: number;
  data: Uint8Array;
}

/** Validates a sendfile and reads the bytes to send; -errno on failure. */
export function planSendfile(inFile: OpenFile | number, outFile: OpenFile | number, offset: number | null, count: number): SendfilePlan | number {
  if (typeof inFile === 'number') return inFile;
  if (!inFile.readable) return -Errno.EBADF;
  const pos = offset ?? inFile.pos;
  if (!Number.isInteger(pos) || pos < 0 || !Number.isInteger(count) || count < 0) return -Errno.EINVAL;
  if (typeof outFile === 'number') return outFile;
  if (!outFile.writable) return -Errno.EBADF;
  if (!(inFile.obj instanceof RegularFile)) return -Errno.EINVAL;
  if (outFile.flags & O_APPEND) return -Errno.EINVAL;
  return { src: inFile.obj, pos, data: inFile.obj.readAt(pos, Math.min(count, MAX_RW_COUNT)) };
}
