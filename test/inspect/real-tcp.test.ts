/**
 * inspect on the stack's own TCP: a bulk transfer over a lossy link, recorded and analysed. Checked against what
 * must hold of any reliable TCP (RFC 9293 §3.8.1: a lost segment is sent again until acknowledged), so it does not
 * depend on how the stack's recovery works: every data segment lost on the link has its range sent again later and
 * marked as a retransmission; the handshake and close states follow RFC 9293 §3.3.2; when the stack records its own
 * ['tcp', t, id, 'state', from, to] events, the states it records and those inferred from the frames agree on
 * reaching ESTABLISHED. Skipped, saying so, while socket(AF_INET, SOCK_STREAM) is not supported yet.
 */
import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { MemoryOutput, RecordingWriter } from '../../sim/recording.js';
import { RecordingReader } from '../../sim/recording-reader.js';
import { ms } from '../../sim/time.js';
import { AF_INET, SOCK_STREAM } from '../../stack/constants.js';
import { Network } from '../../stack/network.js';
import { inet } from '../../stack/sockaddr.js';
import { analyzeRecording } from '../../tools/inspect/analyze.js';

const TOTAL = 300_000;

/** Runs a client sending TOTAL bytes to a server over a link with `loss`; returns the recording bytes. */
async function transfer(seed: number, loss: number): Promise<{ bytes: Uint8Array; received: number; status: string }> {
  const out = new MemoryOutput();
  const writer = new RecordingWriter(out, { socksimVersion: 'test', scenario: { name: 'inspect-real-tcp', params: { loss } }, seed });
  const sim = new Sim({ seed, sink: writer, maxTimeNs: 600e9 });
  const net = new Network(sim);
  const a = net.addHost('a'), b = net.addHost('b');
  net.connect(a, b, { latencyNs: ms(10), loss, rateBps: 10e6 }, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
  let received = 0;
  b.spawn('server', async (sys) => {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(fd, inet('0.0.0.0', 5001));
    await sys.listen(fd, 8);
    const c = await sys.accept(fd);
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await sys.recv(c, buf, 0);
      if (n <= 0) break;
      received += n;
    }
    await sys.close(c);
    await sys.close(fd);
  });
  a.spawn('client', async (sys) => {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    if (await sys.connect(fd, inet('10.0.0.2', 5001)) !== 0) return 1;
    const chunk = new Uint8Array(16384).fill(0x5a);
    let sent = 0;
    while (sent < TOTAL) {
      const n = await sys.send(fd, chunk.subarray(0, Math.min(chunk.length, TOTAL - sent)), 0);
      if (n <= 0) return 1;
      sent += n;
    }
    await sys.close(fd);
    return 0;
  });
  const r = await sim.run();
  writer.finish({ status: r.status, message: r.message, timeNs: r.timeNs });
  return { bytes: out.bytes(), received, status: r.status };
}

/** Whether this build of the stack has TCP sockets: socket(AF_INET, SOCK_STREAM, 0) succeeds. */
async function hasTcp(): Promise<boolean> {
  const sim = new Sim({ seed: 1 });
  const net = new Network(sim);
  let fd = -1;
  net.addHost('probe').spawn('probe', async (sys) => {
    fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
  });
  await sim.run();
  return fd >= 0;
}

const tcp = await hasTcp();

describe.skipIf(!tcp)('inspect on the stack\'s TCP (5 % loss, 300 kB)', () => {
  test.each([1, 2, 3])('seed %i: every lost data segment is sent again and marked; handshake and close states', async (seed) => {
    const run = await transfer(seed, 0.05);
    expect(run.received).toBe(TOTAL);
    const a = analyzeRecording(new RecordingReader(run.bytes));
    expect(a.tcp).toHaveLength(1);
    const c = a.tcp[0]!;
    expect(c.a.addr.startsWith('10.0.0.1:')).toBe(true);
    expect(c.b.addr).toBe('10.0.0.2:5001');
    expect(c.a.payloadBytes - c.a.retransmittedBytes).toBeLessThanOrEqual(TOTAL);
    expect(c.a.highestSeq).toBe(TOTAL + 2); // SYN + data + FIN
    const rows = c.segments.filter((r) => r[2] === 0);
    const lost = rows.filter((r) => r[9] !== '' && r[5] > 0);
    for (const l of lost) {
      // RFC 9293 §3.8.1: the lost range is covered again by a later retransmission.
      const again = rows.some((r) => r[0] > l[0] && r[8] === 1 && r[4] <= l[4] && l[4] < r[4] + r[5]);
      expect(again, `segment seq ${l[4]} lost at ${l[0]} ns is never retransmitted`).toBe(true);
    }
    if (lost.length > 0) expect(c.a.retransmissions).toBeGreaterThan(0);
    const st = (list: { state: string }[]): string[] => list.map((x) => x.state);
    expect(st(c.a.states).slice(0, 2)).toEqual(['SYN_SENT', 'ESTABLISHED']);
    expect(st(c.b.states).slice(0, 2)).toEqual(['SYN_RECV', 'ESTABLISHED']);
    // The client closed first (after its last send): FIN_WAIT1 then FIN_WAIT2/TIME_WAIT; the server CLOSE_WAIT, LAST_ACK.
    expect(st(c.a.states)).toContain('FIN_WAIT1');
    expect(st(c.b.states)).toContain('CLOSE_WAIT');
    for (const r of c.recordedStates) expect(r.states.some((s) => /ESTABLISHED/.test(s.to))).toBe(true);
  }, 120_000);
});

test.runIf(!tcp)('the stack has no TCP sockets yet: socket(AF_INET, SOCK_STREAM) fails, so the real-TCP checks wait', () => {
  console.warn('skipping inspect on real TCP: socket(AF_INET, SOCK_STREAM, 0) returned -1 in this build (synthetic TCP recordings cover the analysis meanwhile)');
  expect(tcp).toBe(false);
});
