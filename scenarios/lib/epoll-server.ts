/**
 * A single-threaded TCP server on epoll, the way nginx or redis serve many connections from one process
 * (epoll(7)): a non-blocking listener and non-blocking connections in one level-triggered epoll set. Readiness of
 * the listener means accept4() until EAGAIN; readiness of a connection means recv() until EAGAIN, and a read of 0
 * (EOF, or EPOLLRDHUP with nothing left) closes it. Scenarios supply what happens with the bytes.
 */
import {
  AF_INET, EPOLLIN, EPOLLRDHUP, EPOLL_CTL_ADD, EPOLL_CTL_DEL, MSG_DONTWAIT, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET,
  SO_REUSEADDR,
} from '../../stack/constants.js';
import type { EpollEvent } from '../../stack/epoll.js';
import { Errno } from '../../stack/errno.js';
import { inet } from '../../stack/sockaddr.js';
import type { Sys } from '../../stack/sys.js';

/** What a scenario does with its server's connections. */
export interface EpollServerHooks {
  /** A connection was accepted (fd is non-blocking). */
  onAccept?: (sys: Sys, fd: number) => Promise<void> | void;
  /** Bytes arrived on fd (a view of the server's read buffer, valid until the hook returns). */
  onData: (sys: Sys, fd: number, data: Uint8Array) => Promise<void> | void;
  /** The peer closed fd (EOF) or it failed; the server closes it right after. */
  onClose?: (sys: Sys, fd: number) => Promise<void> | void;
  /** Checked after every wake-up: the server closes everything and returns once it says true. */
  done?: () => boolean;
}

/** Counts of what the server did. */
export interface EpollServerStats {
  accepted: number;
  closed: number;
  /** epoll_wait calls that returned events. */
  wakeups: number;
  bytesIn: number;
}

/** Binds 0.0.0.0:port, listens and serves until `hooks.done()`; `timeoutMs` bounds each epoll_wait (-1: none). */
export async function epollServer(sys: Sys, port: number, hooks: EpollServerHooks, timeoutMs = -1, backlog = 128): Promise<EpollServerStats> {
  const stats: EpollServerStats = { accepted: 0, closed: 0, wakeups: 0, bytesIn: 0 };
  const l = await sys.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  await sys.setsockopt(l, SOL_SOCKET, SO_REUSEADDR, 1);
  if ((await sys.bind(l, inet('0.0.0.0', port))) < 0) throw new Error(`bind :${port}: errno ${sys.errno}`);
  await sys.listen(l, backlog);
  const ep = await sys.epoll_create1(0);
  await sys.epoll_ctl(ep, EPOLL_CTL_ADD, l, { events: EPOLLIN, data: l });
  const open = new Set<number>();
  const buf = new Uint8Array(64 * 1024);
  const events: EpollEvent[] = [];
  const drop = async (fd: number): Promise<void> => {
    await hooks.onClose?.(sys, fd);
    await sys.epoll_ctl(ep, EPOLL_CTL_DEL, fd, null);
    await sys.close(fd);
    open.delete(fd);
    stats.closed++;
  };
  while (!(hooks.done?.() ?? false)) {
    const n = await sys.epoll_wait(ep, events, 64, timeoutMs);
    if (n <= 0) continue;
    stats.wakeups++;
    for (const ev of events.slice(0, n)) {
      const fd = ev.data!;
      if (fd === l) {
        for (;;) {
          const c = await sys.accept4(l, null, SOCK_NONBLOCK);
          if (c < 0) break; // EAGAIN: the accept queue is empty (or ECONNABORTED: try again at the next wake-up)
          stats.accepted++;
          open.add(c);
          await sys.epoll_ctl(ep, EPOLL_CTL_ADD, c, { events: EPOLLIN | EPOLLRDHUP, data: c });
          await hooks.onAccept?.(sys, c);
        }
        continue;
      }
      for (;;) {
        const r = await sys.recv(fd, buf, MSG_DONTWAIT);
        if (r > 0) {
          stats.bytesIn += r;
          await hooks.onData(sys, fd, buf.subarray(0, r));
          continue;
        }
        if (r < 0 && sys.errno === Errno.EAGAIN) break;
        await drop(fd); // EOF, or a reset (ECONNRESET)
        break;
      }
    }
  }
  for (const fd of [...open]) await drop(fd);
  await sys.close(ep);
  await sys.close(l);
  return stats;
}
