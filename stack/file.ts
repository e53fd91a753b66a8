/**
 * Open files: the objects fds point at (sockets, epoll instances, pipes, regular files) and the open file
 * descriptions that hold their status flags and offset. Readiness changes wake the object's wait queue and call its
 * watchers (epoll registrations) with a wake-up key, as Linux's sk_data_ready / wake_up_interruptible_poll do: the
 * key names the events the change concerns, so an edge-triggered registration only fires for the events it wants.
 */
import { WaitQueue } from '../sim/process.js';
import { O_ACCMODE, O_NONBLOCK, O_RDONLY, O_WRONLY } from './constants.js';
import { Errno } from './errno.js';

/** What kind of object an fd refers to. */
export type FileKind = 'socket' | 'epoll' | 'pipe' | 'file' | 'dir';

/**
 * A readiness observer (an epoll item). `wake` is called with the wake-up key (0 = unknown, matches everything) and
 * returns whether it woke a waiter, which is how an EPOLLEXCLUSIVE wake-up stops after the first taker.
 */
export interface Watcher {
  readonly exclusive: boolean;
  wake(obj: FileObject, key: number): boolean;
}

/** Something an fd can refer to. */
export abstract class FileObject {
  abstract readonly kind: FileKind;
  /** Processes blocked on this object (any condition; they re-check after waking). */
  readonly wq = new WaitQueue();
  /** Readiness observers (epoll items), non-exclusive ones first, as add_wait_queue_exclusive queues at the tail. */
  readonly watchers = new Set<Watcher>();
  /** Open file descriptions referring to this object. */
  openCount = 0;
  /** Those descriptions (the AF_UNIX garbage collector walks them). */
  readonly descriptions = new Set<OpenFile>();

  /** The current readiness mask (POLLIN, POLLOUT, POLLERR, POLLHUP, POLLRDHUP, POLLPRI…). */
  abstract poll(): number;

  /** Called once when the last open file description referring to it is closed. */
  abstract release(): void;

  /** Called just before `release`: what every object of a kind gives up on its last close, whatever its protocol. */
  beforeRelease(): void {}

  /** read(2) of up to len bytes: the bytes (empty at end of file), -EAGAIN to block, or -errno. */
  read(_file: OpenFile, _len: number): Uint8Array | number {
    return -Errno.EINVAL;
  }

  /** write(2): bytes accepted (possibly fewer), -EAGAIN to block, or -errno (-EPIPE raises SIGPIPE). */
  write(_file: OpenFile, _data: Uint8Array): number {
    return -Errno.EINVAL;
  }

  /** Called when every remaining reference to a description is in flight (unix_gc looks for cycles then). */
  onlyInflight(_file: OpenFile): void {}

  /** Whether epoll_ctl may register it: regular files and directories answer EPERM (epoll_ctl(2)). */
  get epollable(): boolean {
    return true;
  }

  /**
   * Wakes waiters and watchers: call after anything that can change `poll()`, with the events concerned as the key.
   * Non-exclusive watchers all run; exclusive ones run in order until one reports a woken waiter (__wake_up_common).
   */
  notify(key = 0): void {
    this.wq.wakeAll();
    if (this.watchers.size === 0) return;
    let exclusiveDone = false;
    for (const w of [...this.watchers]) {
      if (!w.exclusive) w.wake(this, key);
      else if (!exclusiveDone && w.wake(this, key)) exclusiveDone = true;
    }
  }

  /** Adds a watcher: exclusive ones go to the tail, others before them. */
  addWatcher(w: Watcher): void {
    if (w.exclusive) {
      this.watchers.add(w);
      return;
    }
    const rest = [...this.watchers];
    this.watchers.clear();
    this.watchers.add(w);
    for (const o of rest) this.watchers.add(o);
  }
}

/** An open file description (struct file): shared by dup'ed fds and fds passed over SCM_RIGHTS. */
export class OpenFile {
  /** fds (in any table) and in-flight SCM_RIGHTS references to this description. */
  refs = 0;
  /** The file offset (regular files): shared by every fd of this description, as lseek(2) says. */
  pos = 0;
  /** References held by messages in flight (SCM_RIGHTS in a socket's queue), a subset of `refs`. */
  inflight = 0;
  /** Run once when the last reference goes (eventpoll_release drops the epoll items keyed on this file). */
  readonly onRelease = new Set<() => void>();
  constructor(
    readonly obj: FileObject,
    /** Status flags: O_NONBLOCK, access mode, O_APPEND. */
    public flags: number,
  ) {
    obj.openCount++;
    obj.descriptions.add(this);
  }

  /** Whether O_NONBLOCK is set. */
  get nonblocking(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }

  /** Whether the access mode allows reading. */
  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY;
  }

  /** Whether the access mode allows writing. */
  get writable(): boolean {
    return (this.flags & O_ACCMODE) !== O_RDONLY;
  }

  /** Takes a reference. */
  ref(): this {
    this.refs++;
    return this;
  }

  /** Drops a reference; the last one releases the object if no other description refers to it. */
  unref(): void {
    if (this.refs <= 0) throw new Error('OpenFile reference count underflow');
    if (--this.refs > 0) {
      if (this.refs === this.inflight) this.obj.onlyInflight(this);
      return;
    }
    for (const h of [...this.onRelease]) h();
    this.onRelease.clear();
    this.obj.descriptions.delete(this);
    if (--this.obj.openCount === 0) {
      this.obj.beforeRelease();
      this.obj.release();
    }
  }
}
