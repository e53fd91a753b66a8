/**
 * The listen queues as Linux runs them (tcp_conn_request, tcp_check_req): the accept queue holds backlog + 1
 * connections; when it is full a new SYN is dropped and a handshake-completing ACK ignored (the SYN-ACK is resent
 * later, tcp_abort_on_overflow 0); when the SYN queue reaches the backlog, SYN cookies answer (tcp_syncookies 1)
 * and the ACK that returns a valid cookie creates the connection directly.
 */
import { describe, expect, test } from 'vitest';
import { Harness } from './harness.js';
import { listenOn } from './util.js';
import { AF_INET, IPPROTO_TCP, SOCK_STREAM, TCP_INFO } from '../../stack/constants.js';

const SYN = 'S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>';

describe('accept queue', () => {
  test('with backlog 0 one connection fits; a second SYN is dropped until accept() makes room', async () => {
    const h = new Harness();
    let second = -1;
    h.proc(async (sys) => {
      const l = await listenOn(sys, 8080, 0);
      await sys.sleep(3e9);
      await sys.accept(l, null);
      second = await sys.accept(l, null);
    });
    h.inject(0.1, SYN);
    h.inject(0.2, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 100>');
    // A second client (another port) while the accept queue is full: its SYN is dropped (LISTENOVERFLOWS).
    h.at(0.3, () => { h.remotePort = 40001; h.localIsn = null; });
    h.inject(0.3, SYN);
    h.inject(4, SYN); // its SYN retransmission after accept() freed a slot
    await h.run();
    const toSecond = h.out.filter((c) => c.dport === 40001);
    expect(toSecond.map((c) => c.t / 1e9)).toEqual([4]);
    expect(second).toBeLessThan(0); // its handshake never completes in this script
  });

  test('an ACK completing a handshake while the accept queue is full is ignored; the SYN-ACK timer retries', async () => {
    const h = new Harness();
    const peers: number[] = [];
    h.proc(async (sys) => {
      const l = await listenOn(sys, 8080, 1);
      await sys.sleep(1e9);
      for (let i = 0; i < 3; i++) {
        const out = { addr: null } as { addr: { port: number } | null };
        if ((await sys.accept(l, out as never)) >= 0) peers.push(out.addr!.port);
      }
    });
    const ack = (t: number): string => `. 1:1(0) ack 1 win 257 <nop,nop,TS val ${t} ecr 100>`;
    h.as(0.1, 40000); h.inject(0.1, SYN); h.inject(0.2, ack(200)); // A: accept queue [A]
    h.as(0.3, 40001); h.inject(0.3, SYN); // B waits in the SYN queue (1 = backlog)
    h.as(0.31, 40002); h.inject(0.31, SYN); // C: SYN queue full → SYN cookie
    h.as(0.4, 40002); h.inject(0.4, ack(400)); // C completes from its cookie: accept queue [A, C] is full (> 1)
    h.as(0.5, 40001); h.inject(0.5, ack(500)); // B's ACK is ignored (listen overflow), B stays a request
    h.as(1.4, 40001); h.inject(1.4, ack(1400)); // after accept() made room, B's ACK to its resent SYN-ACK completes
    await h.run();
    expect(h.host.tcp.stats.listenOverflows).toBe(1);
    // B's SYN-ACK went at 0.3 and again at 1.3 (the request survived the ignored ACK).
    expect(h.out.filter((c) => c.dport === 40001 && c.flags & 0x02).map((c) => c.t / 1e9)).toEqual([0.3, 1.3]);
    expect(peers).toEqual([40000, 40002, 40001]);
  });
});

describe('SYN cookies', () => {
  test('past the SYN queue the SYN-ACK carries a cookie ISN (options in the TS value); its ACK creates the connection', async () => {
    const h = new Harness();
    let accepted = -1;
    let state = -1;
    h.proc(async (sys) => {
      const l = await listenOn(sys, 8080, 1);
      await sys.sleep(500e6);
      const fds = [];
      for (let i = 0; i < 2; i++) fds.push(await sys.accept(l, null));
      accepted = fds.filter((x) => x >= 0).length;
      const out = { len: 280 } as { len: number; value?: Uint8Array };
      await sys.getsockopt(fds[1]!, IPPROTO_TCP, TCP_INFO, out);
      state = out.value![0]!;
    });
    // First client fills the one-entry SYN queue (no ACK yet).
    h.inject(0.1, SYN);
    // Second client: the SYN queue is full, so it gets a cookie.
    h.at(0.15, () => { h.remotePort = 40001; h.localIsn = null; });
    h.inject(0.15, SYN);
    h.inject(0.25, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 250 ecr 100>');
    // The first completes too.
    h.at(0.3, () => { h.remotePort = 40000; h.localIsn = h.out[0]!.seq; });
    h.inject(0.3, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 300 ecr 100>');
    await h.run();
    expect(h.host.tcp.stats.listenDrops).toBe(0);
    const cookieSynack = h.out.find((c) => c.dport === 40001)!;
    // The cookie SYN-ACK still offers SACK and window scaling: they travel in the low bits of its TS value.
    expect(cookieSynack.options.map((o) => o.kind)).toEqual(['mss', 'sackOk', 'timestamp', 'nop', 'wscale']);
    expect(accepted).toBe(2);
    expect(state).toBe(1); // TCP_ESTABLISHED
  });
});

describe('SYN-ACK timer', () => {
  test('a dropped handshake ACK is recovered by the SYN-ACK retransmission one second later', async () => {
    const h = new Harness();
    let fd = -1;
    h.proc(async (sys) => {
      const l = await listenOn(sys, 8080);
      fd = await sys.accept(l, null);
    });
    h.inject(0.1, SYN);
    h.inject(1.2, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 1200 ecr 1100>');
    await h.run();
    expect(h.out.slice(0, 2).map((c) => c.t / 1e9)).toEqual([0.1, 1.1]);
    expect(fd).toBeGreaterThanOrEqual(0);
  });

  test('socket() + connect() to our own listener works over loopback', async () => {
    const h = new Harness();
    let ok = -1;
    h.proc(async (sys) => {
      await listenOn(sys, 9000);
      const c = await sys.socket(AF_INET, SOCK_STREAM, 0);
      ok = await sys.connect(c, { family: AF_INET, addr: '127.0.0.1', port: 9000 });
    });
    await h.run();
    expect(ok).toBe(0);
  });
});
