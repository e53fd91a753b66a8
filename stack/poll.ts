/**
 * The readiness logic of select(2), pselect(2), poll(2) and ppoll(2) (fs/select.c): which bits a file's poll mask
 * sets in each select set, poll's filter (the requested events plus POLLERR and POLLHUP, POLLNVAL for a closed fd,
 * nothing for a negative one), and the timeout checks and conversions.
 */
import {
  POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND, POLLRDNORM, POLLWRBAND, POLLWRNORM,
} from './constants.js';
import { Errno } from './errno.js';
import type { FdTable } from './fd.js';
import type { FileObject } from './file.js';

/** What counts as readable, writable and exceptional for select (POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
export const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
export const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
export const POLLEX_SET = POLLPRI;

/** struct pollfd. */
export interface PollFd {
  fd: number;
  events: number;
  revents: number;
}

/** struct timeval (select). */
export interface Timeval {
  sec: number;
  usec: number;
}

/** struct timespec (pselect, ppoll). */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** A select fd set: the fds whose bits are set. */
export type FdSet = Set<number>;

/** do_pollfd for one entry: the revents it gets, and the object to wait on (if any). */
export function pollOne(fds: FdTable, pfd: PollFd): { revents: number; obj: FileObject | null } {
  if (pfd.fd < 0) return { revents: 0, obj: null };
  const e = fds.get(pfd.fd);
  if (!e) return { revents: POLLNVAL, obj: null };
  // The u16 events field, plus the two conditions always reported.
  const filter = (pfd.events & 0xffff) | POLLERR | POLLHUP;
  return { revents: e.file.obj.poll() & filter, obj: e.file.obj };
}

/** select's per-fd test: how many of the three sets this fd lands in, updating the result sets. */
export function selectOne(mask: number, fd: number, sets: (FdSet | null)[], out: FdSet[]): number {
  let n = 0;
  const wants = [POLLIN_SET, POLLOUT_SET, POLLEX_SET];
  for (let i = 0; i < 3; i++) {
    if (sets[i]?.has(fd) && mask & wants[i]!) {
      out[i]!.add(fd);
      n++;
    }
  }
  return n;
}

/** A select/poll timeout in ns: null = forever, or -EINVAL for an invalid one (poll_select_set_timeout). */
export function timevalNs(tv: Timeval | null | undefined): number | null {
  if (tv === null || tv === undefined) return null;
  if (typeof tv !== 'object' || !Number.isInteger(tv.sec) || !Number.isInteger(tv.usec)) return -Errno.EFAULT;
  // The timeval is normalised first (tv_usec may exceed a second), then validated as a timespec.
  const sec = tv.sec + Math.trunc(tv.usec / 1e6), nsec = (tv.usec % 1e6) * 1000;
  if (sec < 0 || nsec < 0) return -Errno.EINVAL;
  return sec * 1e9 + nsec;
}

/** The same for a timespec: tv_nsec must be in [0, 1e9). */
export function timespecNs(ts: Timespec | null | undefined): number | null {
  if (ts === null || ts === undefined) return null;
  if (typeof ts !== 'object' || !Number.isInteger(ts.sec) || !Number.isInteger(ts.nsec)) return -Errno.EFAULT;
  if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1e9) return -Errno.EINVAL;
  return ts.sec * 1e9 + ts.nsec;
}
