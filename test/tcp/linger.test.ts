/**
 * SO_LINGER with a positive timeout (socket(7)): the last close() of a TCP socket waits until the queued data and
 * the FIN are acknowledged, or the timeout passes, and returns 0 either way. Checked on Linux 6.18 in `unshare -n`
 * over loopback: a peer that never reads (so the FIN cannot leave), linger {1, 1}: close() returns 0 after 1.00 s,
 * for a blocking and for a non-blocking socket alike; with unread received data close() resets at once (0 s); with
 * a reading peer that keeps its socket open, close() returns after 40–44 ms (the peer's delayed ACK of the FIN).
 */
import { describe, expect, test } from 'vitest';
import { twoHosts, listenOn, connectTo } from './util.js';
import {
  F_SETFL, O_NONBLOCK, SOL_SOCKET, SO_LINGER, SO_RCVBUF, MSG_DONTWAIT,
} from '../../stack/constants.js';
import type { Sys } from '../../stack/sys.js';
import { STATE_NAMES } from '../../stack/tcp/tcb.js';

function linger(secs: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, 1, true);
  v.setInt32(4, secs, true);
  return b;
}

/** Fills the connection until send would block (the peer is not reading); returns the bytes queued. */
async function fill(sys: Sys, fd: number): Promise<number> {
  let n = 0;
  for (;;) {
    const r = await sys.send(fd, new Uint8Array(65536), MSG_DONTWAIT);
    if (r < 0) return n;
    n += r;
  }
}

interface Seen {
  ret?: number;
  waitedNs?: number;
  state?: string;
  peerBytes?: number;
}

/** Client a closes with SO_LINGER {1, secs} after `before`; server b reads (from `readAt`) or never does. */
async function run(opts: { secs: number; nonblock?: boolean; stuck?: boolean; unread?: boolean; readAt?: number }): Promise<Seen> {
  const { sim, a, b } = twoHosts({ latencyNs: 5_000_000 });
  const seen: Seen = {};
  b.spawn('server', async (sys) => {
    const l = await listenOn(sys, 80);
    await sys.setsockopt(l, SOL_SOCKET, SO_RCVBUF, 4096);
    const s = await sys.accept(l, null);
    if (opts.unread) await sys.send(s, new Uint8Array([1]));
    if (opts.readAt === undefined) {
      await sys.sleep(3600e9);
      return;
    }
    await sys.sleep(opts.readAt - sys.now);
    let got = 0;
    const buf = new Uint8Array(65536);
    for (;;) {
      const r = await sys.recv(s, buf);
      if (r <= 0) break;
      got += r;
    }
    seen.peerBytes = got;
    await sys.sleep(3600e9); // keep the socket open: no FIN back
  });
  a.spawn('client', async (sys) => {
    const c = await connectTo(sys, '10.0.0.2', 80);
    if (opts.stuck) await fill(sys, c);
    else await sys.send(c, new Uint8Array(1000));
    await sys.sleep(50e6);
    if (opts.nonblock) await sys.fcntl(c, F_SETFL, O_NONBLOCK);
    expect(await sys.setsockopt(c, SOL_SOCKET, SO_LINGER, linger(opts.secs))).toBe(0);
    const t0 = sys.now;
    seen.ret = await sys.close(c);
    seen.waitedNs = sys.now - t0;
    const t = a.tcp.connections()[0];
    seen.state = t ? STATE_NAMES[t.state] : 'gone';
  });
  await sim.run();
  return seen;
}

describe('SO_LINGER {1, N > 0}: close() waits for the FIN to be acknowledged', () => {
  test('a peer that never reads: close() returns 0 after the linger timeout, the orphan stays in FIN_WAIT1', async () => {
    const s = await run({ secs: 1, stuck: true });
    expect(s.ret).toBe(0);
    expect(s.waitedNs).toBe(1e9);
    expect(s.state).toBe('FIN_WAIT1');
  });

  test('the same on a non-blocking socket (sk_stream_wait_close ignores O_NONBLOCK)', async () => {
    const s = await run({ secs: 1, stuck: true, nonblock: true });
    expect(s.ret).toBe(0);
    expect(s.waitedNs).toBe(1e9);
  });

  test('close() returns when the FIN is acknowledged (5 ms + 40 ms delayed ACK + 5 ms), in FIN_WAIT2', async () => {
    const s = await run({ secs: 5, readAt: 0 });
    expect(s.ret).toBe(0);
    // The receiver of a FIN enters pingpong mode (tcp_fin → inet_csk_enter_pingpong_mode), so its ACK waits for the
    // 40 ms delayed-ACK timer (TCP_ATO_MIN); the link adds 5 ms each way.
    expect(s.waitedNs).toBe(50_000_000);
    expect(s.state).toBe('FIN_WAIT2');
  });

  test('the reader catches up before the timeout: close() returns when the last byte and FIN are acknowledged', async () => {
    const s = await run({ secs: 5, stuck: true, readAt: 2e9 });
    expect(s.ret).toBe(0);
    expect(s.waitedNs).toBeGreaterThan(1.9e9);
    expect(s.waitedNs).toBeLessThan(3e9);
    expect(s.peerBytes).toBeGreaterThan(0);
  });

  test('after a timed-out linger the orphan still delivers everything and its FIN', async () => {
    const s = await run({ secs: 1, stuck: true, readAt: 3e9 });
    expect(s.waitedNs).toBe(1e9);
    expect(s.peerBytes).toBeGreaterThan(4096); // everything queued, read to EOF (the loop ends on 0)
  });

  test('unread received data: close() resets at once and does not wait', async () => {
    const s = await run({ secs: 5, unread: true, readAt: 0 });
    expect(s.ret).toBe(0);
    expect(s.waitedNs).toBe(0);
    expect(s.state).toBe('gone');
  });
});
