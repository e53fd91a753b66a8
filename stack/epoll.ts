/**
 * epoll(7) instances, after fs/eventpoll.c. An item is keyed by (open file description, fd) and lives until
 * EPOLL_CTL_DEL or until that description is released, so it outlives close(fd) while a dup is open. EPOLLERR and
 * EPOLLHUP are always added to the interest; a wake-up adds an item to the ready list when its key matches the
 * interest; epoll_wait hands out up to maxevents items, re-queues level-triggered ones at the tail, drops
 * edge-triggered ones, disables EPOLLONESHOT ones (until EPOLL_CTL_MOD re-arms them), and puts the items it did not
 * get to back at the head, which rotates fairly when maxevents is small. EPOLLEXCLUSIVE wake-ups stop at the first
 * instance that had a waiter. Nesting is allowed up to EP_MAX_NESTS; a cycle or deeper nesting is ELOOP.
 */
import { WaitQueue } from '../sim/process.js';
import {
  EPOLLERR, EPOLLET, EPOLLEXCLUSIVE, EPOLLHUP, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLRDNORM, EPOLLWAKEUP,
  EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD,
} from './constants.js';
import { Errno } from './errno.js';
import { FileObject, type OpenFile, type Watcher } from './file.js';

/** Bits kept when a oneshot item is disabled (EP_PRIVATE_BITS). */
export const EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/** Bits EPOLLEXCLUSIVE may be combined with (EPOLLEXCLUSIVE_OK_BITS). */
const EXCLUSIVE_OK_BITS = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
/** Deepest nesting of epoll instances (EP_MAX_NESTS). */
export const EP_MAX_NESTS = 4;
/** Largest maxevents (EP_MAX_EVENTS = INT_MAX / sizeof(struct epoll_event)). */
export const EP_MAX_EVENTS = Math.floor(0x7fffffff / 12);

/** struct epoll_event: the event mask and the caller's data (the fd, unless given). */
export interface EpollEvent {
  events: number;
  data?: number;
}

/** One registration. */
export class EpItem implements Watcher {
  events: number;
  data: number;
  readonly exclusive: boolean;
  /** Whether it is on its instance's ready list (ep_is_linked). */
  linked = false;
  constructor(readonly ep: EpollInstance, readonly file: OpenFile, readonly fd: number, ev: EpollEvent) {
    this.events = ev.events | EPOLLERR | EPOLLHUP;
    this.data = ev.data ?? fd;
    this.exclusive = (ev.events & EPOLLEXCLUSIVE) !== 0;
  }

  /** ep_item_poll: the ready events of interest. */
  revents(): number {
    const o = this.file.obj;
    return (o instanceof EpollInstance ? o.readyMask() : o.poll()) & this.events;
  }

  /** ep_poll_callback. */
  wake(_obj: FileObject, key: number): boolean {
    const ep = this.ep;
    let ewake = false;
    if ((this.events & ~EP_PRIVATE_BITS) === 0 || (key !== 0 && (key & this.events) === 0)) return !this.exclusive;
    ep.link(this);
    if (ep.waiters.size > 0) {
      if (this.exclusive) {
        const io = key & (EPOLLIN | EPOLLOUT);
        if ((io === EPOLLIN && this.events & EPOLLIN) || (io === EPOLLOUT && this.events & EPOLLOUT) || io === 0) ewake = true;
      }
      ep.waiters.wakeAll();
    }
    ep.notify(EPOLLIN | EPOLLRDNORM);
    return this.exclusive ? ewake : true;
  }
}

/** An epoll instance. */
export class EpollInstance extends FileObject {
  readonly kind = 'epoll' as const;
  /** Items by open file description, then fd. */
  readonly items = new Map<OpenFile, Map<number, EpItem>>();
  /** The ready list, in order. */
  private ready: EpItem[] = [];
  /** Processes blocked in epoll_wait on this instance (ep->wq); poll()ers of the epoll fd use `wq`. */
  readonly waiters = new WaitQueue();

  /** Adds an item to the tail of the ready list unless it is there. */
  link(it: EpItem): void {
    if (it.linked) return;
    it.linked = true;
    this.ready.push(it);
  }

  /** Replaces the ready list (after a scan), keeping the linked flags true to it. */
  private setReady(list: EpItem[]): void {
    for (const it of this.ready) it.linked = false;
    for (const it of list) it.linked = true;
    this.ready = list;
  }

  /** Whether some ready-listed item is really ready; stale ones are dropped (__ep_eventpoll_poll). */
  readyMask(): number {
    const keep: EpItem[] = [];
    let any = false;
    for (const it of this.ready) {
      if (any || it.revents()) {
        any = true;
        keep.push(it);
      }
    }
    this.setReady(keep);
    return any ? EPOLLIN | EPOLLRDNORM : 0;
  }

  poll(): number {
    return this.readyMask();
  }

  /** Number of registrations. */
  get size(): number {
    let n = 0;
    for (const m of this.items.values()) n += m.size;
    return n;
  }

  /** The item for (file, fd), if registered. */
  find(file: OpenFile, fd: number): EpItem | undefined {
    return this.items.get(file)?.get(fd);
  }

  /** epoll_ctl after the fd lookups: op on (file, fd); -errno on failure. */
  ctl(op: number, file: OpenFile, fd: number, ev: EpollEvent | null): number {
    if (op !== EPOLL_CTL_DEL && ev) {
      if (ev.events & EPOLLEXCLUSIVE) {
        if (op === EPOLL_CTL_MOD) return -Errno.EINVAL;
        if (op === EPOLL_CTL_ADD && (file.obj instanceof EpollInstance || ev.events & ~EXCLUSIVE_OK_BITS)) return -Errno.EINVAL;
      }
    }
    if (op === EPOLL_CTL_ADD && file.obj instanceof EpollInstance && this.loops(file.obj)) return -Errno.ELOOP;
    const it = this.find(file, fd);
    switch (op) {
      case EPOLL_CTL_ADD:
        if (it) return -Errno.EEXIST;
        this.insert(file, fd, ev!);
        return 0;
      case EPOLL_CTL_DEL:
        if (!it) return -Errno.ENOENT;
        this.remove(it);
        return 0;
      case EPOLL_CTL_MOD:
        if (!it) return -Errno.ENOENT;
        if (it.exclusive) return -Errno.EINVAL;
        it.events = ev!.events | EPOLLERR | EPOLLHUP;
        it.data = ev!.data ?? fd;
        if (it.revents()) this.readied(it);
        return 0;
      default:
        return -Errno.EINVAL;
    }
  }

  private insert(file: OpenFile, fd: number, ev: EpollEvent): void {
    const it = new EpItem(this, file, fd, ev);
    let m = this.items.get(file);
    if (!m) {
      this.items.set(file, (m = new Map()));
      file.onRelease.add(this.releaseHook(file));
    }
    m.set(fd, it);
    file.obj.addWatcher(it);
    if (it.revents()) this.readied(it);
  }

  private readonly hooks = new Map<OpenFile, () => void>();

  /** eventpoll_release: the description's last reference went, so its items go too. */
  private releaseHook(file: OpenFile): () => void {
    const h = (): void => {
      for (const it of [...(this.items.get(file)?.values() ?? [])]) this.remove(it);
    };
    this.hooks.set(file, h);
    return h;
  }

  /** Links a newly ready item and wakes waiters (ep_insert / ep_modify). */
  private readied(it: EpItem): void {
    this.link(it);
    this.waiters.wakeAll();
    this.notify(EPOLLIN | EPOLLRDNORM);
  }

  /** Drops an item. */
  remove(it: EpItem): void {
    const m = this.items.get(it.file);
    if (!m) return;
    m.delete(it.fd);
    it.file.obj.watchers.delete(it);
    if (it.linked) this.setReady(this.ready.filter((x) => x !== it));
    if (m.size === 0) {
      this.items.delete(it.file);
      const h = this.hooks.get(it.file);
      if (h) it.file.onRelease.delete(h);
      this.hooks.delete(it.file);
    }
  }

  /** ep_loop_check: adding `to` would close a cycle or nest deeper than EP_MAX_NESTS. */
  private loops(to: EpollInstance): boolean {
    const down = (e: EpollInstance, depth: number): number => {
      if (e === this) return Infinity;
      let d = depth;
      for (const m of e.items.values()) {
        for (const it of m.values()) {
          if (it.file.obj instanceof EpollInstance) d = Math.max(d, down(it.file.obj, depth + 1));
          if (d === Infinity) return d;
        }
      }
      return d;
    };
    const below = down(to, 1);
    if (below === Infinity) return true;
    return this.upDepth() + below > EP_MAX_NESTS;
  }

  /** How many epoll instances watch this one, transitively (the longest chain upwards). */
  upDepth(): number {
    let d = 0;
    for (const w of this.watchers) if (w instanceof EpItem) d = Math.max(d, 1 + w.ep.upDepth());
    return d;
  }

  /** ep_send_events: up to max ready events, with LT/ET/ONESHOT handling and fair rotation. */
  collect(max: number): EpollEvent[] {
    const tx = this.ready;
    const out: EpollEvent[] = [];
    const requeue: EpItem[] = [];
    let i = 0;
    for (; i < tx.length && out.length < max; i++) {
      const it = tx[i]!;
      const rev = it.revents();
      if (!rev) continue;
      out.push({ events: rev, data: it.data });
      if (it.events & EPOLLONESHOT) it.events &= EP_PRIVATE_BITS;
      else if (!(it.events & EPOLLET)) requeue.push(it);
    }
    // ep_done_scan: what was not looked at goes back to the head; level-triggered items follow.
    this.setReady([...tx.slice(i), ...requeue]);
    return out;
  }

  /** Whether anything is on the ready list (ep_events_available). */
  get hasReady(): boolean {
    return this.ready.length > 0;
  }

  release(): void {
    for (const m of [...this.items.values()]) for (const it of [...m.values()]) this.remove(it);
  }
}
