/**
 * Open files: the objects fds point at (sockets, epoll instances, pipes, regular files) and the open file
 * descriptions that hold their status flags. Readiness changes wake the object's wait queue and notify watchers
 * (epoll registrations), as Linux's sk_data_ready / wake_up_interruptible_poll do.
 */
import { WaitQueue } from '../sim/process.js';
import { O_NONBLOCK } from './constants.js';

/** Something an fd can refer to. */
export abstract class FileObject {
  abstract readonly kind: 'socket' | 'epoll' | 'pipe' | 'file';
  /** Processes blocked on this object (any condition; they re-check after waking). */
  readonly wq = new WaitQueue();
  /** Readiness observers (epoll), called after every change with the object. */
  readonly watchers = new Set<(obj: FileObject) => void>();
  /** Open file descriptions referring to this object. */
  openCount = 0;

  /** The current readiness mask (POLLIN, POLLOUT, POLLERR, POLLHUP, POLLRDHUP, POLLPRI…). */
  abstract poll(): number;

  /** Called once when the last open file description referring to it is closed. */
  abstract release(): void;

  /** Wakes waiters and watchers: call after anything that can change `poll()`. */
  notify(): void {
    this.wq.wakeAll();
    if (this.watchers.size > 0) for (const w of [...this.watchers]) w(this);
  }
}

/** An open file description (struct file): shared by dup'ed fds and fds passed over SCM_RIGHTS. */
export class OpenFile {
  /** fds (in any table) and in-flight SCM_RIGHTS references to this description. */
  refs = 0;
  constructor(
    readonly obj: FileObject,
    /** Status flags: O_NONBLOCK, access mode, O_APPEND. */
    public flags: number,
  ) {
    obj.openCount++;
  }

  /** Whether O_NONBLOCK is set. */
  get nonblocking(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }

  /** Takes a reference. */
  ref(): this {
    this.refs++;
    return this;
  }

  /** Drops a reference; the last one releases the object if no other description refers to it. */
  unref(): void {
    if (this.refs <= 0) throw new Error('OpenFile reference count underflow');
    if (--this.refs > 0) return;
    if (--this.obj.openCount === 0) this.obj.release();
  }
}
