/**
 * The core of the syscall interface: errno, recording, fd lookup, blocking in virtual time, signals. The calls
 * themselves live in the files stacked on top of this class (fd calls, socket calls, data, options, multiplexing);
 * `stack/sys.ts` composes them into `Sys`.
 */
import type { Process } from '../../sim/process.js';
import { O_NONBLOCK, O_RDWR, SIGPIPE, SOCK_CLOEXEC, SOCK_NONBLOCK } from '../constants.js';
import { Errno } from '../errno.js';
import { EV_SIGNAL, EV_SYSCALL } from '../events.js';
import type { FdTable } from '../fd.js';
import { OpenFile, type FileObject } from '../file.js';
import type { Host } from '../host.js';
import { Socket, type Ucred } from '../socket.js';
import { formatSockaddr, type SockAddr } from '../sockaddr.js';

/** What a process does with a signal (signal(7)): the default action, ignore it, or catch it with a handler. */
export type Disposition = 'default' | 'ignore' | 'catch';

/** Signals whose default action terminates the process and that socksim can raise. */
const SIGKILL = 9, SIGSTOP = 19, NSIG = 64;

/** Short, recordable description of a buffer argument: its length. */
export function bufArg(b: unknown): unknown {
  return b instanceof Uint8Array ? b.length : null;
}

/** A recordable form of an address argument. */
export function addrArg(a: unknown): unknown {
  if (a === null || a === undefined) return null;
  if (a instanceof Uint8Array) return a;
  if (typeof a === 'object' && 'family' in a && typeof (a as { family: unknown }).family === 'number') {
    try {
      return formatSockaddr(a as SockAddr);
    } catch {
      return 'junk';
    }
  }
  return typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean' ? a : 'junk';
}

/**
 * An argument as a recording can hold it (numbers, strings, booleans, null, bytes and arrays of those): anything
 * else a JS caller passed (objects, Sets, functions) is recorded as "junk" rather than breaking the recorder.
 */
export function recordable(x: unknown, depth = 0): unknown {
  if (x === null || x === undefined) return null;
  if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' || x instanceof Uint8Array) return x;
  if (Array.isArray(x) && depth < 3) return x.slice(0, 64).map((y) => recordable(y, depth + 1));
  return 'junk';
}

/** An integer argument or null when it is not one (JS callers can pass anything; C would not compile). */
export function intArg(x: unknown, dflt?: number): number | null {
  if (x === undefined && dflt !== undefined) return dflt;
  return typeof x === 'number' && Number.isInteger(x) ? x : null;
}

/** The syscall core of one process. */
export class SysBase {
  /** The errno of the last failed call (C semantics: untouched by successful calls). */
  errno = 0;
  /** The process's credentials (SCM_CREDENTIALS, SO_PEERCRED); root by default, like the probes. */
  uid = 0;
  gid = 0;
  /** Signal dispositions set with `signal()`; unlisted signals have the default action. */
  protected readonly dispositions = new Map<number, Disposition>();

  constructor(
    readonly host: Host,
    readonly proc: Process,
    readonly fds: FdTable,
  ) {}

  /** Current virtual time in ns. */
  get now(): number {
    return this.host.sim.now;
  }

  /** This process's id. */
  get pid(): number {
    return this.proc.pid;
  }

  /** Sleeps for ns of virtual time (a junk or negative duration is no sleep; a huge one, forever). */
  async sleep(ns: number): Promise<void> {
    const d = typeof ns === 'number' && !Number.isNaN(ns) ? Math.max(0, ns) : 0;
    await this.proc.block([], this.deadlineAfter(d), 'sleep');
  }

  /** The absolute virtual time ns from now, or null (no deadline) when it lies past the representable range. */
  protected deadlineAfter(ns: number): number | null {
    const t = this.host.sim.now + Math.round(ns);
    return Number.isSafeInteger(t) ? t : null;
  }

  /**
   * signal(2)/sigaction(2) reduced to the disposition: 'default', 'ignore' or 'catch' (a handler that returns).
   * SIGKILL and SIGSTOP cannot be changed (EINVAL), as sigaction(2) says.
   */
  signal(signo: number, disposition: Disposition): number {
    const args = [signo, disposition];
    if (typeof signo !== 'number' || !Number.isInteger(signo) || signo < 1 || signo > NSIG || signo === SIGKILL || signo === SIGSTOP) {
      return this.done('signal', args, -Errno.EINVAL);
    }
    if (disposition !== 'default' && disposition !== 'ignore' && disposition !== 'catch') return this.done('signal', args, -Errno.EINVAL);
    this.dispositions.set(signo, disposition);
    return this.done('signal', args, 0);
  }

  /** The credentials of this process (struct ucred). */
  cred(): Ucred {
    return { pid: this.proc.pid, uid: this.uid, gid: this.gid };
  }

  /** Records a finished call and converts a negative errno into -1 + errno. */
  protected done(call: string, args: unknown[], r: number): number {
    // The NET_RX softirq runs before the call returns: what this host sent itself is delivered now.
    this.host.backlog.drain();
    let ret = r;
    let err = 0;
    if (r < 0) {
      err = -r;
      ret = -1;
      this.errno = err;
    }
    const sim = this.host.sim;
    sim.progress(); // a call is progress, not a foreign await; many calls without time passing is a busy loop
    if (sim.sink) {
      // Each call builds `args` afresh, so it is made recordable in place (no copy, no closure per call).
      for (let i = 0; i < args.length; i++) args[i] = recordable(args[i]);
      sim.sink.push([EV_SYSCALL, sim.now, this.proc.pid, call, args, ret, err]);
    }
    return ret;
  }

  /**
   * Sends a signal to this process (send_sig). An ignored signal is discarded; a caught one is counted and the call
   * returns; the default action of SIGPIPE terminates the process, which never returns from the call.
   */
  protected async raise(signo: number): Promise<void> {
    const d = this.dispositions.get(signo) ?? 'default';
    if (d === 'ignore') return;
    this.proc.signal(signo);
    this.host.sim.record(EV_SIGNAL, this.proc.pid, signo);
    if (d === 'catch') return;
    this.host.sim.kill(this.proc, `killed by signal ${signo}${signo === SIGPIPE ? ' (SIGPIPE)' : ''}`);
    await new Promise<never>(() => {}); // a killed process never runs again
  }

  /** The open file of fd, or a negative errno (EBADF). */
  protected file(fd: unknown): OpenFile | number {
    if (typeof fd !== 'number') return -Errno.EBADF;
    const e = this.fds.get(fd);
    return e ? e.file : -Errno.EBADF;
  }

  /** The socket of fd, or -EBADF / -ENOTSOCK. */
  protected sock(fd: unknown): { file: OpenFile; sock: Socket } | number {
    const f = this.file(fd);
    if (typeof f === 'number') return f;
    if (!(f.obj instanceof Socket)) return -Errno.ENOTSOCK;
    return { file: f, sock: f.obj };
  }

  /** Runs op on fd's socket, or returns -EBADF/-ENOTSOCK. */
  protected withSock(fd: unknown, op: (s: Socket, file: OpenFile) => number): number {
    const so = this.sock(fd);
    return typeof so === 'number' ? so : op(so.sock, so.file);
  }

  /** The absolute deadline of a SO_RCVTIMEO/SO_SNDTIMEO value: null waits forever (0), a negative one not at all. */
  protected deadlineOf(timeoutNs: number): number | null {
    if (timeoutNs === 0) return null;
    return this.deadlineAfter(Math.max(0, timeoutNs));
  }

  /**
   * Retries `attempt` until it stops returning -EAGAIN, blocking on the object's wait queue in between, unless the
   * call is non-blocking. A timeout (SO_RCVTIMEO/SO_SNDTIMEO, socket(7)) ends the wait with EAGAIN.
   */
  protected async blockingLoop<T>(file: OpenFile, nonblock: boolean, timeoutNs: number, what: string,
    attempt: () => T | number): Promise<T | number> {
    const deadline = this.deadlineOf(timeoutNs);
    for (;;) {
      const r = attempt();
      if (r !== -Errno.EAGAIN) return r;
      if (nonblock || file.nonblocking || timeoutNs < 0) return -Errno.EAGAIN;
      const why = await this.proc.block([file.obj.wq], deadline, what);
      if (why === 'timeout') return attempt();
    }
  }

  /** Installs a new open file for obj with O_RDWR and SOCK_NONBLOCK/SOCK_CLOEXEC from flags; the fd or -EMFILE. */
  protected install(obj: FileObject, flags: number, access = O_RDWR): number {
    const file = new OpenFile(obj, access | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0));
    const fd = this.fds.alloc(file, (flags & SOCK_CLOEXEC) !== 0);
    if (fd < 0 && file.refs === 0) {
      // Nothing refers to the new description: release it now, as sock_release does when fd allocation fails.
      file.ref().unref();
    }
    return fd;
  }
}
