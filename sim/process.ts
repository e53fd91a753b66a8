/**
 * Simulated processes. A process is an async function; its blocking calls park it on wait queues until the
 * scheduler wakes it (a wait-queue wake, or its deadline passing in virtual time). A process is one thread of
 * control: two blocking calls pending at once is a programming error and throws.
 */
import type { Timer } from './queue.js';

/** Why a blocked process resumed. */
export type WakeReason = 'woken' | 'timeout';

/** Lifecycle states. `killed` processes (their host crashed) are never resumed. */
export type ProcessState = 'new' | 'running' | 'blocked' | 'exited' | 'killed';

/** The scheduler side a process needs; implemented by Sim. */
export interface ProcessHost {
  /** @internal */ blockProcess(p: Process, queues: readonly WaitQueue[], deadline: number | null): Promise<WakeReason>;
  /** @internal */ wakeProcess(p: Process, why: WakeReason): void;
}

/** A set of processes waiting for one condition (data arriving, space freeing, a connection completing…). */
export class WaitQueue {
  /** @internal Waiters in arrival order (a Set iterates in insertion order). */
  readonly waiters = new Set<Process>();

  /** Wakes every waiter, oldest first. */
  wakeAll(): void {
    if (this.waiters.size === 0) return;
    for (const p of [...this.waiters]) p.host.wakeProcess(p, 'woken');
  }

  /** Wakes the oldest waiter (EPOLLEXCLUSIVE-style hand-off); returns whether one was woken. */
  wakeOne(): boolean {
    for (const p of this.waiters) {
      p.host.wakeProcess(p, 'woken');
      return true;
    }
    return false;
  }

  /** Whether anyone is waiting. */
  get size(): number {
    return this.waiters.size;
  }
}

/** A simulated process. */
export class Process {
  state: ProcessState = 'new';
  /** Exit status once exited (0 when the function returned normally without a number). */
  exitCode: number | null = null;
  /** The message of the error the function threw, if it did. */
  error: string | null = null;
  /** Signals delivered to the process, by number (SIGPIPE counting, for instance). */
  readonly signals = new Map<number, number>();
  /** Hooks run once when the process exits or is killed (the stack closes its fds here). */
  readonly exitHooks: (() => void)[] = [];
  /** @internal wait bookkeeping */
  resume: ((why: WakeReason) => void) | null = null;
  /** @internal */ waitingOn: readonly WaitQueue[] = [];
  /** @internal */ deadlineTimer: Timer | null = null;
  /** What the process is blocked in, for reports ("recvfrom fd 3"). */
  blockedIn: string | null = null;

  constructor(
    /** The scheduler. */ readonly host: ProcessHost,
    /** Process id, unique within the run, in spawn order. */ readonly pid: number,
    /** A label for reports. */ readonly name: string,
    /** The owner (a stack host name), for reports; sim/ does not interpret it. */ readonly owner: string,
  ) {}

  /** Parks until one of the queues wakes it or the absolute virtual deadline passes (null: no deadline). */
  block(queues: readonly WaitQueue[], deadline: number | null, what?: string): Promise<WakeReason> {
    this.blockedIn = what ?? null;
    return this.host.blockProcess(this, queues, deadline);
  }

  /** Counts a delivered signal. */
  signal(signo: number): void {
    this.signals.set(signo, (this.signals.get(signo) ?? 0) + 1);
  }

  /** Whether it can still run. */
  get alive(): boolean {
    return this.state !== 'exited' && this.state !== 'killed';
  }
}
