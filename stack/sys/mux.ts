/**
 * Multiplexing calls: select, pselect, poll, ppoll (fs/select.c) and epoll_create, epoll_create1, epoll_ctl,
 * epoll_wait, epoll_pwait (fs/eventpoll.c). Waiting happens in virtual time on the wait queues of every watched
 * object; timeouts are exact nanoseconds of virtual time. No signal ever interrupts a wait, so sigmasks are
 * accepted and have no effect.
 */
import type { WaitQueue } from '../../sim/process.js';
import { EPOLL_CLOEXEC, EPOLL_CTL_DEL, SOCK_CLOEXEC } from '../constants.js';
import { Errno } from '../errno.js';
import { EpollInstance, EP_MAX_EVENTS, type EpollEvent } from '../epoll.js';
import type { FileObject } from '../file.js';
import { pollOne, selectOne, timespecNs, timevalNs, type FdSet, type PollFd, type Timespec, type Timeval } from '../poll.js';
import { intArg } from './base.js';
import { SysOpts } from './opts.js';

/** select, poll and epoll. */
export class SysMux extends SysOpts {
  /** select(2): sets are modified in place; the timeout is updated with the time left, as Linux does. */
  async select(nfds: number, readfds: FdSet | null, writefds: FdSet | null, exceptfds: FdSet | null,
    timeout: Timeval | null): Promise<number> {
    const args = [nfds, ...[readfds, writefds, exceptfds].map((s) => (s instanceof Set ? [...s] : null))];
    const ns = timevalNs(timeout);
    if (ns !== null && ns < 0) return this.done('select', args, ns);
    const start = this.now;
    const r = await this.selectImpl(nfds, [readfds, writefds, exceptfds], ns);
    if (timeout && ns !== null && r >= 0) {
      const left = Math.max(0, ns - (this.now - start));
      timeout.sec = Math.floor(left / 1e9);
      timeout.usec = Math.floor((left % 1e9) / 1000);
    }
    return this.done('select', args, r);
  }

  /** pselect(2): a timespec timeout (left unchanged, as glibc's wrapper does) and a sigmask (no effect here). */
  async pselect(nfds: number, readfds: FdSet | null, writefds: FdSet | null, exceptfds: FdSet | null,
    timeout: Timespec | null, _sigmask?: unknown): Promise<number> {
    const args = [nfds, ...[readfds, writefds, exceptfds].map((s) => (s instanceof Set ? [...s] : null))];
    const ns = timespecNs(timeout);
    if (ns !== null && ns < 0) return this.done('pselect', args, ns);
    return this.done('pselect', args, await this.selectImpl(nfds, [readfds, writefds, exceptfds], ns));
  }

  private async selectImpl(nfds: number, sets: (FdSet | null)[], ns: number | null): Promise<number> {
    if (intArg(nfds) === null || nfds < 0) return -Errno.EINVAL;
    for (const s of sets) if (s !== null && s !== undefined && !(s instanceof Set)) return -Errno.EFAULT;
    // core_sys_select: n is cut to the fd table's size; bits past it are not looked at.
    const n = Math.min(nfds, this.fds.maxFds);
    const fds: number[] = [];
    for (const s of sets) for (const fd of s ?? []) if (Number.isInteger(fd) && fd >= 0 && fd < n && !fds.includes(fd)) fds.push(fd);
    fds.sort((a, b) => a - b);
    // max_select_fd: a set bit for a closed fd is EBADF.
    for (const fd of fds) if (!this.fds.get(fd)) return -Errno.EBADF;
    const deadline = ns === null ? null : this.deadlineAfter(ns);
    let timedOut = false;
    for (;;) {
      const out: FdSet[] = [new Set(), new Set(), new Set()];
      let count = 0;
      const objs: FileObject[] = [];
      for (const fd of fds) {
        const e = this.fds.get(fd);
        if (!e) return -Errno.EBADF;
        count += selectOne(e.file.obj.poll(), fd, sets, out);
        objs.push(e.file.obj);
      }
      if (count > 0 || timedOut || ns === 0) {
        sets.forEach((s, i) => {
          if (!s) return;
          s.clear();
          for (const fd of out[i]!) s.add(fd);
        });
        return count;
      }
      timedOut = (await this.proc.block(objs.map((o) => o.wq), deadline, 'select')) === 'timeout';
    }
  }

  /** poll(2): timeout in ms, negative for none; fills each entry's revents. */
  async poll(fds: PollFd[], nfds: number, timeoutMs: number): Promise<number> {
    const args = [Array.isArray(fds) ? fds.slice(0, 64).map((p) => (p && typeof p === 'object' ? [p.fd, p.events] : null)) : null, nfds, timeoutMs];
    const t = intArg(timeoutMs);
    if (t === null) return this.done('poll', args, -Errno.EINVAL);
    return this.done('poll', args, await this.pollImpl(fds, nfds, t < 0 ? null : t * 1e6));
  }

  /** ppoll(2): a timespec timeout (null: none) and a sigmask (no effect here). */
  async ppoll(fds: PollFd[], nfds: number, timeout: Timespec | null, _sigmask?: unknown): Promise<number> {
    const args = [Array.isArray(fds) ? fds.slice(0, 64).map((p) => (p && typeof p === 'object' ? [p.fd, p.events] : null)) : null, nfds];
    const ns = timespecNs(timeout);
    if (ns !== null && ns < 0) return this.done('ppoll', args, ns);
    return this.done('ppoll', args, await this.pollImpl(fds, nfds, ns));
  }

  private async pollImpl(fds: PollFd[], nfds: number, ns: number | null): Promise<number> {
    // do_sys_poll: more entries than RLIMIT_NOFILE is EINVAL.
    if (intArg(nfds) === null || nfds < 0 || nfds > this.fds.limit) return -Errno.EINVAL;
    if (nfds > 0 && (!Array.isArray(fds) || fds.length < nfds)) return -Errno.EFAULT;
    const list = nfds > 0 ? fds.slice(0, nfds) : [];
    for (const p of list) if (typeof p !== 'object' || p === null || intArg(p.fd) === null || intArg(p.events) === null) return -Errno.EFAULT;
    const deadline = ns === null ? null : this.deadlineAfter(ns);
    let timedOut = false;
    for (;;) {
      let count = 0;
      const queues: WaitQueue[] = [];
      for (const p of list) {
        const r = pollOne(this.fds, p);
        p.revents = r.revents;
        if (r.revents) count++;
        if (r.obj) queues.push(r.obj.wq);
      }
      if (count > 0 || timedOut || ns === 0) return count;
      timedOut = (await this.proc.block(queues, deadline, 'poll')) === 'timeout';
    }
  }

  /** epoll_create(2): size must be positive (and is otherwise ignored). */
  async epoll_create(size: number): Promise<number> {
    const s = intArg(size);
    if (s === null || s <= 0) return this.done('epoll_create', [size], -Errno.EINVAL);
    return this.done('epoll_create', [size], this.install(new EpollInstance(), 0));
  }

  /** epoll_create1(2): flags 0 or EPOLL_CLOEXEC. */
  async epoll_create1(flags: number): Promise<number> {
    if (intArg(flags) === null || flags & ~EPOLL_CLOEXEC) return this.done('epoll_create1', [flags], -Errno.EINVAL);
    return this.done('epoll_create1', [flags], this.install(new EpollInstance(), flags & EPOLL_CLOEXEC ? SOCK_CLOEXEC : 0));
  }

  /** epoll_ctl(2). `event` is required except for EPOLL_CTL_DEL (EFAULT, checked first as the syscall does). */
  async epoll_ctl(epfd: number, op: number, fd: number, event?: EpollEvent | null): Promise<number> {
    const args = [epfd, op, fd, event && typeof event === 'object' ? [event.events, event.data ?? null] : null];
    return this.done('epoll_ctl', args, this.epollCtlImpl(epfd, op, fd, event ?? null));
  }

  private epollCtlImpl(epfd: number, op: number, fd: number, event: EpollEvent | null): number {
    if (op !== EPOLL_CTL_DEL && (typeof event !== 'object' || event === null || intArg(event.events) === null
      || (event.data !== undefined && typeof event.data !== 'number'))) return -Errno.EFAULT;
    const ef = this.file(epfd);
    if (typeof ef === 'number') return ef;
    const tf = this.file(fd);
    if (typeof tf === 'number') return tf;
    if (!tf.obj.epollable) return -Errno.EPERM;
    if (ef === tf || !(ef.obj instanceof EpollInstance)) return -Errno.EINVAL;
    const ev = event ? { events: event.events >>> 0 === event.events ? event.events : event.events >>> 0, data: event.data } : null;
    return ef.obj.ctl(op, tf, fd, ev);
  }

  /** epoll_wait(2): fills `events` (cleared first) with up to maxevents entries; timeout in ms, -1 for none. */
  async epoll_wait(epfd: number, events: EpollEvent[], maxevents: number, timeoutMs: number): Promise<number> {
    return this.epollWaitImpl('epoll_wait', epfd, events, maxevents, timeoutMs);
  }

  /** epoll_pwait(2): epoll_wait with a sigmask (no effect here). */
  async epoll_pwait(epfd: number, events: EpollEvent[], maxevents: number, timeoutMs: number, _sigmask?: unknown): Promise<number> {
    return this.epollWaitImpl('epoll_pwait', epfd, events, maxevents, timeoutMs);
  }

  private async epollWaitImpl(call: string, epfd: number, events: EpollEvent[], maxevents: number, timeoutMs: number): Promise<number> {
    const args = [epfd, maxevents, timeoutMs];
    if (intArg(maxevents) === null || maxevents <= 0 || maxevents > EP_MAX_EVENTS) return this.done(call, args, -Errno.EINVAL);
    if (!Array.isArray(events)) return this.done(call, args, -Errno.EFAULT);
    const f = this.file(epfd);
    if (typeof f === 'number') return this.done(call, args, f);
    if (!(f.obj instanceof EpollInstance)) return this.done(call, args, -Errno.EINVAL);
    const ep = f.obj;
    const t = intArg(timeoutMs) ?? -1;
    const deadline = t < 0 ? null : this.deadlineAfter(t * 1e6);
    let timedOut = false;
    for (;;) {
      const got = ep.hasReady ? ep.collect(maxevents) : [];
      if (got.length > 0 || timedOut || t === 0) {
        events.length = 0;
        events.push(...got);
        return this.done(call, [...args, got.map((e) => [e.events, e.data])], got.length);
      }
      timedOut = (await this.proc.block([ep.waiters], deadline, `${call} fd ${epfd}`)) === 'timeout';
    }
  }
}
