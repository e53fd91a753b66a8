/**
 * Packet-level behaviour against Linux 6.x, packetdrill style: segments are injected at exact virtual times and
 * what the host sends is compared line by line (local ISN shown as 0, TSval relative; see harness.ts). Each case
 * states the Linux rule it checks. The same scenarios are kept as .pkt scripts in test/packetdrill/.
 */
import { describe, expect, test } from 'vitest';
import { Harness } from './harness.js';
import { listenOn } from './util.js';
import {
  AF_INET, IPPROTO_TCP, MSG_MORE, MSG_OOB, SHUT_WR, SOCK_STREAM, SOL_SOCKET, SO_LINGER, TCP_CORK, TCP_NODELAY, TCP_QUICKACK,
} from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { inet } from '../../stack/sockaddr.js';
import type { Sys } from '../../stack/sys.js';

const SYN = 'S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>';
const SYNACK_LINE = '0.100 > S. 0:0(0) ack 1 win 65160 <mss 1460,sackOK,TS val 100 ecr 100,nop,wscale 7>';

/** A passive open: listen on 8080, SYN at 0.1, handshake ACK at 0.2; `body` gets the accepted fd. */
function passive(h: Harness, body: (sys: Sys, fd: number) => Promise<unknown>): void {
  h.proc(async (sys) => {
    const l = await listenOn(sys, 8080);
    const fd = await sys.accept(l, null);
    await body(sys, fd);
  });
  h.inject(0.1, SYN);
  h.inject(0.2, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 100>');
}

/** An active open to 192.0.2.1:8080 answered at 0.1; `body` gets the connected fd. */
function active(h: Harness, body: (sys: Sys, fd: number) => Promise<unknown>): void {
  h.proc(async (sys) => {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    expect(await sys.connect(fd, inet('192.0.2.1', 8080))).toBe(0);
    await body(sys, fd);
  });
  h.inject(0.1, 'S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 100 ecr 100,nop,wscale 7>');
}

describe('handshake', () => {
  test('passive open: SYN-ACK options in Linux order, window 65160 and wscale 7 from tcp_rmem (6 MB max)', async () => {
    const h = new Harness();
    passive(h, async () => {});
    await h.run();
    expect(h.lines()[0]).toBe(SYNACK_LINE);
  });

  test('with packetdrill\'s tcp_rmem (15 MB max, 540000 default) the SYN-ACK offers 65535 and wscale 8', async () => {
    const h = new Harness({ packetdrill: true });
    passive(h, async () => {});
    await h.run();
    expect(h.lines()[0]).toBe('0.100 > S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 100 ecr 100,nop,wscale 8>');
  });

  test('active open: SYN mss,sackOK,TS,nop,wscale with win 64240; the ACK of the SYN-ACK offers 502 << 7', async () => {
    const h = new Harness();
    active(h, async () => {});
    await h.run();
    expect(h.lines().slice(0, 2)).toEqual([
      '0.000 > S 0:0(0) win 64240 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>',
      '0.100 > . 1:1(0) ack 1 win 502 <nop,nop,TS val 200 ecr 100>',
    ]);
  });

  test('SYN retransmissions: linear 1 s timeouts for the first tcp_syn_linear_timeouts (4), then doubling; ETIMEDOUT after 6+4 retransmissions', async () => {
    const h = new Harness();
    let res = 0, err = 0, at = 0;
    h.proc(async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      res = await sys.connect(fd, inet('192.0.2.1', 8080));
      err = sys.errno;
      at = sys.now;
    });
    await h.run();
    expect(h.out.map((c) => c.t / 1e9)).toEqual([0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67]);
    expect([res, err, at / 1e9]).toEqual([-1, Errno.ETIMEDOUT, 131]);
  });

  test('SYN-ACK retransmissions back off 1, 2, 4, 8, 16 s (tcp_synack_retries 5); the expired request answers a late ACK with RST', async () => {
    const h = new Harness();
    h.proc(async (sys) => {
      await listenOn(sys, 8080);
      await sys.sleep(100e9);
    });
    h.inject(0.1, SYN);
    h.inject(70, '. 1:1(0) ack 1 win 257');
    await h.run();
    expect(h.out.map((c) => c.t / 1e9)).toEqual([0.1, 1.1, 3.1, 7.1, 15.1, 31.1, 70]);
    expect(h.lines().at(-1)).toBe('70.000 > R 1:1(0) win 0');
  });

  test('a RST answering our SYN makes connect() fail with ECONNREFUSED', async () => {
    const h = new Harness();
    let err = 0;
    h.proc(async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      if ((await sys.connect(fd, inet('192.0.2.1', 8080))) < 0) err = sys.errno;
    });
    h.inject(0.1, 'R. 0:0(0) ack 1 win 0');
    await h.run();
    expect(err).toBe(Errno.ECONNREFUSED);
    expect(h.out.length).toBe(1);
  });
});

describe('data and acknowledgements', () => {
  test('the first data segments are ACKed at once (quick-ACK mode, TCP_MAX_QUICKACKS)', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.read(fd, new Uint8Array(4000));
      await sys.sleep(1e9);
    });
    h.inject(0.3, 'P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 300 ecr 100>');
    await h.run();
    expect(h.lines()[1]).toBe('0.300 > . 1:1(0) ack 1001 win 502 <nop,nop,TS val 300 ecr 300>');
  });

  test('in ping-pong mode (TCP_QUICKACK 0) data is ACKed by the delayed-ACK timer 40 ms later', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, 0);
      await sys.read(fd, new Uint8Array(4000));
      await sys.sleep(1e9);
    });
    h.inject(0.3, 'P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 300 ecr 100>');
    await h.run();
    expect(h.lines()[1]).toBe('0.340 > . 1:1(0) ack 1001 win 502 <nop,nop,TS val 340 ecr 300>');
  });

  test('a reply within the delayed-ACK time carries the ACK (no separate ACK is sent)', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, 0);
      await sys.read(fd, new Uint8Array(4000));
      await sys.sleep(10e6);
      await sys.write(fd, new Uint8Array(100));
      await sys.sleep(1e9);
    });
    h.inject(0.3, 'P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 300 ecr 100>');
    h.inject(0.4, '. 1001:1001(0) ack 101 win 257 <nop,nop,TS val 400 ecr 310>');
    await h.run();
    expect(h.lines().slice(1, 3)).toEqual([
      '0.310 > P. 1:101(100) ack 1001 win 502 <nop,nop,TS val 310 ecr 300>',
      '1.310 > F. 101:101(0) ack 1001 win 502 <nop,nop,TS val 1310 ecr 400>',
    ]);
  });

  test('out-of-order data is ACKed at once with SACK blocks, newest first; a duplicate gets a D-SACK (RFC 2018, 2883)', async () => {
    const h = new Harness();
    passive(h, async (sys) => sys.sleep(1e9));
    h.inject(0.3, 'P. 1001:2001(1000) ack 1 win 257 <nop,nop,TS val 300 ecr 100>');
    h.inject(0.31, 'P. 3001:4001(1000) ack 1 win 257 <nop,nop,TS val 310 ecr 100>');
    h.inject(0.32, 'P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 320 ecr 100>');
    h.inject(0.33, 'P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 330 ecr 100>');
    await h.run();
    expect(h.lines({ win: false }).slice(1, 5)).toEqual([
      '0.300 > . 1:1(0) ack 1 <nop,nop,TS val 300 ecr 200,nop,nop,sack 1001:2001>',
      '0.310 > . 1:1(0) ack 1 <nop,nop,TS val 310 ecr 200,nop,nop,sack 3001:4001 1001:2001>',
      '0.320 > . 1:1(0) ack 2001 <nop,nop,TS val 320 ecr 320,nop,nop,sack 3001:4001>',
      '0.330 > . 1:1(0) ack 2001 <nop,nop,TS val 330 ecr 320,nop,nop,sack 1:1001 3001:4001>',
    ]);
  });
});

describe('retransmission', () => {
  test('RTO = SRTT + max(4·RTTVAR, 200 ms) = 300 ms after a 100 ms handshake, doubling on each timeout (no TLP)', async () => {
    const h = new Harness({ sysctl: { earlyRetrans: 0 } });
    active(h, async (sys, fd) => {
      await sys.sleep(100e6);
      await sys.write(fd, new Uint8Array(1000));
      await sys.sleep(10e9);
    });
    await h.run();
    expect(h.out.filter((c) => c.len > 0).map((c) => c.t / 1e9).slice(0, 7)).toEqual([0.2, 0.5, 1.1, 2.3, 4.7, 9.5, 19.1]);
  });

  test('with tail loss probes (tcp_early_retrans 3) the last segment is probed first, then the RTO backs off', async () => {
    const h = new Harness();
    active(h, async (sys, fd) => {
      await sys.sleep(100e6);
      await sys.write(fd, new Uint8Array(1000));
      await sys.sleep(10e9);
    });
    await h.run();
    expect(h.out.filter((c) => c.len > 0).map((c) => c.t / 1e9).slice(0, 8)).toEqual([0.2, 0.5, 0.8, 1.4, 2.6, 5, 9.8, 19.4]);
  });

  test('three duplicate ACKs with SACK trigger a fast retransmit of the hole (RFC 6675 / RACK with dupthresh)', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.write(fd, new Uint8Array(10000));
      await sys.sleep(1e9);
    });
    h.inject(0.3, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 300 ecr 200,nop,nop,sack 1449:2897>');
    h.inject(0.301, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 301 ecr 200,nop,nop,sack 1449:4345>');
    h.inject(0.302, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 302 ecr 200,nop,nop,sack 1449:5793>');
    h.inject(0.4, '. 1:1(0) ack 10001 win 257 <nop,nop,TS val 400 ecr 302>');
    await h.run();
    // Seven segments at 0.2, one retransmission at the third duplicate ACK, nothing else until the FIN at close.
    expect(h.lines({ win: false }).slice(8, 10)).toEqual([
      '0.302 > . 1:1449(1448) ack 1 <nop,nop,TS val 302 ecr 302>',
      '1.200 > F. 10001:10001(0) ack 1 <nop,nop,TS val 1200 ecr 400>',
    ]);
  });

  test('RACK reordering timer: one SACK marks nothing at once; the hole is retransmitted after RTT/4 (RFC 8985 §6.2)', async () => {
    // Linux 6.18 (through a TUN device): Disorder at the SACK, then at the reorder timeout Recovery with the hole
    // retransmitted, PRR leaving cwnd 9 (8 when two segments were SACKed), Open with cwnd 8 at the full ACK. Linux
    // fired at +33 ms with its HZ=250 jiffies; here HZ=1000: reo_wnd = min_rtt/4 = 25 ms, plus 2 jiffies.
    for (const [sacks, cwnd] of [[['1001:2001'], 9], [['1001:2001', '1001:3001'], 8]] as const) {
      const h = new Harness();
      const states: string[] = [];
      passiveNoTs(h, true, 10000);
      for (const b of sacks) h.inject(0.2, `. 1:1(0) ack 1 win 1000 <sack ${b}>`);
      h.inject(0.4, '. 1:1(0) ack 10001 win 1000');
      for (const at of [0.201, 0.228, 0.401]) {
        h.at(at, () => {
          const t = h.host.tcp.connections()[0]!;
          states.push(`ca ${t.caState} cwnd ${t.cwnd} lost ${t.lostOut} retrans ${t.retransOut}`);
        });
      }
      await h.run();
      expect(h.lines({ win: false })[11]).toBe('0.227 > . 1:1001(1000) ack 1');
      expect(states).toEqual(['ca 1 cwnd 10 lost 0 retrans 0', `ca 3 cwnd ${cwnd} lost 1 retrans 1`, 'ca 0 cwnd 8 lost 0 retrans 0']);
    }
  });

  test('without SACK, NewReno retransmits after the third duplicate ACK (RFC 6582)', async () => {
    const h = new Harness();
    h.proc(async (sys) => {
      const l = await listenOn(sys, 8080);
      const fd = await sys.accept(l, null);
      await sys.write(fd, new Uint8Array(10000));
      await sys.sleep(1e9);
    });
    h.inject(0.1, 'S 0:0(0) win 65535 <mss 1460,nop,nop,TS val 100 ecr 0,nop,wscale 7>');
    h.inject(0.2, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 100>');
    h.inject(0.3, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 300 ecr 200>');
    h.inject(0.301, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 301 ecr 200>');
    h.inject(0.302, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 302 ecr 200>');
    h.inject(0.4, '. 1:1(0) ack 10001 win 257 <nop,nop,TS val 400 ecr 302>');
    await h.run();
    expect(h.lines({ win: false }).slice(8, 10)).toEqual([
      '0.302 > . 1:1449(1448) ack 1 <nop,nop,TS val 302 ecr 302>',
      '1.200 > F. 10001:10001(0) ack 1 <nop,nop,TS val 1200 ecr 400>',
    ]);
  });
});

/**
 * F-RTO (RFC 5682 §3.1, SACK-enhanced; tcp_frto 2) as Linux 6.18 ran this exact script through a TUN device (CUBIC,
 * no timestamps, MSS 1000): 30000 bytes written, IW10 sent at 0.1 s and never ACKed. The tail loss probe at 0.3 s
 * sends new data (10001:11001) although cwnd is full (push_one 2), the RTO at 0.6 s retransmits 1:1001 and marks
 * everything lost, and at 0.8 s the ACK of 1001 arrives.
 */
async function frtoRun(frto: number, sack: boolean, second: string): Promise<{ sent: string[]; after: string }> {
  const h = new Harness({ sysctl: { frto } });
  passiveNoTs(h, sack, 30000);
  h.inject(0.8, '. 1:1(0) ack 1001 win 1000');
  h.inject(0.85, second);
  let after = '';
  h.at(0.851, () => {
    const t = h.host.tcp.connections()[0]!;
    after = `ca ${t.caState} cwnd ${t.cwnd} unacked ${t.packetsOut} sacked ${t.sackedOut} lost ${t.lostOut} retrans ${t.retransOut}`;
  });
  await h.run();
  const sent = h.lines({ win: false }).filter((l) => / [0-9]+:[0-9]+\(1000\)/.test(l)).map((l) => l.replace(/ > [.PF]+ /, ' ').replace(/\(1000\).*/, ''));
  return { sent, after };
}

/** A passive open with MSS 1000 and no timestamps (SACK optional); the application writes `bytes` at once. */
function passiveNoTs(h: Harness, sack: boolean, bytes: number): void {
  h.proc(async (sys) => {
    const l = await listenOn(sys, 8080);
    const fd = await sys.accept(l, null);
    await sys.write(fd, new Uint8Array(bytes));
    await sys.sleep(2e9);
  });
  h.inject(0, `S 0:0(0) win 65535 <mss 1000,${sack ? 'sackOK,' : ''}nop,wscale 7>`);
  h.inject(0.1, '. 1:1(0) ack 1 win 1000');
}

describe('F-RTO after a retransmission timeout (RFC 5682; Linux 6.18 checked through a TUN device)', () => {
  test('new data answers the ACK of the retransmission; an ACK of never-retransmitted data then undoes the timeout', async () => {
    const r = await frtoRun(2, true, '. 1:1(0) ack 10001 win 1000');
    expect(r.sent.slice(10, 14)).toEqual(['0.302 10001:11001', '0.602 1:1001', '0.800 11001:12001', '0.800 12001:13001']);
    // Undo restores cwnd 10, slow start adds the 9 segments acknowledged: Linux reports CA_Open, cwnd 19, 19 unacked.
    expect(r.after).toBe('ca 0 cwnd 19 unacked 19 sacked 0 lost 0 retrans 0');
  });

  test('tcp_frto 0: the ACK of the retransmission clocks out the next two retransmissions instead', async () => {
    const r = await frtoRun(0, true, '. 1:1(0) ack 10001 win 1000');
    expect(r.sent.slice(11, 15)).toEqual(['0.602 1:1001', '0.800 1001:2001', '0.800 2001:3001', '0.850 10001:11001']);
    expect(r.after).toBe('ca 4 cwnd 7 unacked 7 sacked 0 lost 1 retrans 1');
  });

  test('a SACK of only the new data means the loss was real (step 3.a): back to conventional recovery', async () => {
    const r = await frtoRun(2, true, '. 1:1(0) ack 1001 win 1000 <sack 11001:12001>');
    expect(r.sent.slice(12, 15)).toEqual(['0.800 11001:12001', '0.800 12001:13001', '0.850 1001:2001']);
    expect(r.after).toBe('ca 4 cwnd 2 unacked 12 sacked 1 lost 10 retrans 1');
  });

  test('without SACK there is no loss probe (RTO at 0.4 s), and a duplicate ACK after the new data ends F-RTO', async () => {
    const r = await frtoRun(2, false, '. 1:1(0) ack 1001 win 1000');
    expect(r.sent.slice(10, 14)).toEqual(['0.400 1:1001', '0.800 10001:11001', '0.800 11001:12001', '0.850 1001:2001']);
    expect(r.after).toBe('ca 4 cwnd 2 unacked 11 sacked 1 lost 9 retrans 1');
  });
});

describe('sending small segments', () => {
  test('Nagle: a second small write waits for the ACK of the first (Minshall variant, RFC 9293 §3.7.4)', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      for (let i = 0; i < 3; i++) await sys.write(fd, new Uint8Array(1));
      await sys.sleep(1e9);
    });
    h.inject(0.3, '. 1:1(0) ack 2 win 257 <nop,nop,TS val 300 ecr 200>');
    await h.run();
    expect(h.lines({ win: false }).slice(1, 3)).toEqual([
      '0.200 > P. 1:2(1) ack 1 <nop,nop,TS val 200 ecr 200>',
      '0.300 > P. 2:4(2) ack 1 <nop,nop,TS val 300 ecr 300>',
    ]);
  });

  test('TCP_NODELAY sends each small write at once', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
      for (let i = 0; i < 3; i++) await sys.write(fd, new Uint8Array(1));
      await sys.sleep(1e9);
    });
    await h.run();
    expect(h.lines({ win: false }).slice(1, 4)).toEqual([
      '0.200 > P. 1:2(1) ack 1 <nop,nop,TS val 200 ecr 200>',
      '0.200 > P. 2:3(1) ack 1 <nop,nop,TS val 200 ecr 200>',
      '0.200 > P. 3:4(1) ack 1 <nop,nop,TS val 200 ecr 200>',
    ]);
  });

  test('TCP_CORK holds partial segments until uncorked; MSG_MORE corks one write', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_CORK, 1);
      await sys.write(fd, new Uint8Array(100));
      await sys.write(fd, new Uint8Array(100));
      await sys.sleep(50e6);
      await sys.setsockopt(fd, IPPROTO_TCP, TCP_CORK, 0);
      await sys.sleep(100e6);
      await sys.send(fd, new Uint8Array(10), MSG_MORE);
      await sys.sleep(50e6);
      await sys.send(fd, new Uint8Array(10), 0);
      await sys.sleep(1e9);
    });
    h.inject(0.26, '. 1:1(0) ack 201 win 257 <nop,nop,TS val 260 ecr 250>');
    await h.run();
    expect(h.lines({ win: false }).slice(1, 3)).toEqual([
      '0.250 > P. 1:201(200) ack 1 <nop,nop,TS val 250 ecr 200>',
      '0.400 > P. 201:221(20) ack 1 <nop,nop,TS val 400 ecr 260>',
    ]);
  });
});

describe('zero window', () => {
  test('a zero window is probed with SND.UNA−1 segments at RTO-based, doubling intervals; data flows once it opens', async () => {
    const h = new Harness();
    h.proc(async (sys) => {
      const l = await listenOn(sys, 8080);
      const fd = await sys.accept(l, null);
      await sys.write(fd, new Uint8Array(2000));
      await sys.sleep(10e9);
    });
    h.inject(0.1, SYN);
    h.inject(0.2, '. 1:1(0) ack 1 win 0 <nop,nop,TS val 200 ecr 100>');
    h.inject(5, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 5000 ecr 100>');
    await h.run();
    expect(h.lines({ win: false }).slice(1, 7)).toEqual([
      '0.500 > . 0:0(0) ack 1 <nop,nop,TS val 500 ecr 200>',
      '1.100 > . 0:0(0) ack 1 <nop,nop,TS val 1100 ecr 200>',
      '2.300 > . 0:0(0) ack 1 <nop,nop,TS val 2300 ecr 200>',
      '4.700 > . 0:0(0) ack 1 <nop,nop,TS val 4700 ecr 200>',
      '5.000 > . 1:1449(1448) ack 1 <nop,nop,TS val 5000 ecr 5000>',
      '5.000 > P. 1449:2001(552) ack 1 <nop,nop,TS val 5000 ecr 5000>',
    ]);
  });
});

describe('closing', () => {
  test('close() after a write: the FIN follows the data at once (tcp_send_fin pushes with Nagle off)', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.write(fd, new Uint8Array(100));
      await sys.close(fd);
      await sys.sleep(1e9);
    });
    h.inject(0.3, '. 1:1(0) ack 102 win 257 <nop,nop,TS val 300 ecr 200>');
    h.inject(0.4, 'F. 1:1(0) ack 102 win 257 <nop,nop,TS val 400 ecr 200>');
    await h.run();
    expect(h.lines({ win: false }).slice(1)).toEqual([
      '0.200 > P. 1:101(100) ack 1 <nop,nop,TS val 200 ecr 200>',
      '0.200 > F. 101:101(0) ack 1 <nop,nop,TS val 200 ecr 200>',
      '0.400 > . 102:102(0) ack 2 <nop,nop,TS val 400 ecr 400>',
    ]);
  });

  test('close() with unread data sends RST instead of FIN (RFC 2525 §2.17)', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.sleep(200e6);
      await sys.close(fd);
    });
    h.inject(0.3, 'P. 1:11(10) ack 1 win 257 <nop,nop,TS val 300 ecr 100>');
    await h.run();
    expect(h.lines({ win: false }).slice(1)).toEqual([
      '0.300 > . 1:1(0) ack 11 <nop,nop,TS val 300 ecr 300>',
      '0.400 > R. 1:1(0) ack 11 <nop,nop,TS val 400 ecr 300>',
    ]);
  });

  test('SO_LINGER {1, 0}: close() aborts with RST and no TIME_WAIT', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      const lg = new Uint8Array(8);
      new DataView(lg.buffer).setInt32(0, 1, true);
      expect(await sys.setsockopt(fd, SOL_SOCKET, SO_LINGER, lg)).toBe(0);
      await sys.close(fd);
    });
    await h.run();
    expect(h.lines({ win: false }).slice(1)).toEqual(['0.200 > R. 1:1(0) ack 1 <nop,nop,TS val 200 ecr 200>']);
    expect(h.host.tcp.connections().length).toBe(0);
  });

  test('shutdown(SHUT_WR) sends FIN and keeps receiving; the peer\'s FIN then leads to TIME_WAIT for 60 s', async () => {
    const h = new Harness();
    let got = -1;
    passive(h, async (sys, fd) => {
      expect(await sys.shutdown(fd, SHUT_WR)).toBe(0);
      got = await sys.read(fd, new Uint8Array(100));
      expect(await sys.read(fd, new Uint8Array(100))).toBe(0);
      await sys.close(fd);
    });
    h.inject(0.3, 'P. 1:6(5) ack 2 win 257 <nop,nop,TS val 300 ecr 200>');
    h.inject(0.4, 'F. 6:6(0) ack 2 win 257 <nop,nop,TS val 400 ecr 200>');
    h.inject(30, 'F. 6:6(0) ack 2 win 257 <nop,nop,TS val 3000 ecr 200>');
    await h.run();
    expect(got).toBe(5);
    expect(h.lines({ win: false }).slice(1)).toEqual([
      '0.200 > F. 1:1(0) ack 1 <nop,nop,TS val 200 ecr 200>',
      '0.300 > . 2:2(0) ack 6 <nop,nop,TS val 300 ecr 300>',
      '0.400 > . 2:2(0) ack 7 <nop,nop,TS val 400 ecr 400>',
      // A retransmitted FIN in TIME_WAIT is ACKed again (echoing the TS.Recent of the last in-order segment) and
      // restarts the 60 s timer.
      '30.000 > . 2:2(0) ack 7 <nop,nop,TS val 30000 ecr 400>',
    ]);
    expect(h.sim.now / 1e9).toBe(90);
  });

  test('passive close: the peer\'s FIN makes read() return 0; close() then sends our FIN (LAST_ACK)', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      expect(await sys.read(fd, new Uint8Array(100))).toBe(0);
      await sys.close(fd);
    });
    h.inject(0.3, 'F. 1:1(0) ack 1 win 257 <nop,nop,TS val 300 ecr 200>');
    h.inject(0.4, '. 2:2(0) ack 2 win 257 <nop,nop,TS val 400 ecr 300>');
    await h.run();
    expect(h.lines({ win: false }).slice(1)).toEqual([
      '0.300 > F. 1:1(0) ack 2 <nop,nop,TS val 300 ecr 300>',
    ]);
    expect(h.host.tcp.connections().length).toBe(0);
  });

  test('simultaneous close: FIN crossing FIN is ACKed (CLOSING), then TIME_WAIT', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.sleep(90e6);
      await sys.close(fd);
      await sys.sleep(1e9);
    });
    h.inject(0.3, 'F. 1:1(0) ack 1 win 257 <nop,nop,TS val 300 ecr 200>');
    h.inject(0.31, '. 2:2(0) ack 2 win 257 <nop,nop,TS val 310 ecr 290>');
    await h.run();
    expect(h.lines({ win: false }).slice(1)).toEqual([
      '0.290 > F. 1:1(0) ack 1 <nop,nop,TS val 290 ecr 200>',
      '0.300 > . 2:2(0) ack 2 <nop,nop,TS val 300 ecr 300>',
    ]);
    // The final ACK at 0.31 moves CLOSING to TIME_WAIT, which lasts TCP_TIMEWAIT_LEN = 60 s.
    expect(h.sim.now).toBe(60.31e9);
  });
});

describe('resets', () => {
  test('a segment for no socket is answered with RST: SEQ=SEG.ACK, or ACK=SEG.SEQ+SEG.LEN without ACK (RFC 9293 §3.10.7.1)', async () => {
    const h = new Harness();
    h.inject(0.1, '. 100:200(100) ack 5000 win 257');
    h.inject(0.2, 'S 7:7(0) win 65535');
    await h.run();
    expect(h.lines({ win: false })).toEqual(['0.100 > R 5000:5000(0)', '0.200 > R. 0:0(0) ack 8']);
  });

  test('an RST inside the window but not at RCV.NXT draws a challenge ACK; one at RCV.NXT resets (RFC 5961 §3)', async () => {
    const h = new Harness();
    let err = 0;
    passive(h, async (sys, fd) => {
      if ((await sys.read(fd, new Uint8Array(10))) < 0) err = sys.errno;
    });
    h.inject(0.3, 'R. 100:100(0) ack 1 win 257');
    h.inject(0.4, 'R. 1:1(0) ack 1 win 257');
    await h.run();
    expect(h.lines({ win: false }).slice(1)).toEqual(['0.300 > . 1:1(0) ack 1 <nop,nop,TS val 300 ecr 200>']);
    expect(err).toBe(Errno.ECONNRESET);
  });

  test('a SYN on an established connection draws a challenge ACK (RFC 5961 §4)', async () => {
    const h = new Harness();
    passive(h, async (sys) => sys.sleep(1e9));
    h.inject(0.3, 'S 500:500(0) win 65535 <mss 1460>');
    await h.run();
    expect(h.lines({ win: false })[1]).toBe('0.300 > . 1:1(0) ack 1 <nop,nop,TS val 300 ecr 200>');
  });
});

describe('urgent data', () => {
  test('send(MSG_OOB) marks the last byte urgent: URG with the pointer past it (BSD semantics)', async () => {
    const h = new Harness();
    passive(h, async (sys, fd) => {
      await sys.send(fd, Uint8Array.of(1, 2, 3), MSG_OOB);
      await sys.sleep(1e9);
    });
    await h.run();
    expect(h.lines({ win: false })[1]).toBe('0.200 > P.U 1:4(3) ack 1 urg 3 <nop,nop,TS val 200 ecr 200>');
  });
});
