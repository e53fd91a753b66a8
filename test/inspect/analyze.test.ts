/**
 * The inspect analysis (tools/inspect/analyze.ts) against ground truth: synthetic TCP transfers whose model counts
 * what it lost and retransmitted (synth.ts), and real udp-echo runs whose network keeps its own drop counters.
 * Expectations: retransmissions are sequence space sent again (tcptrace's definition); duplicate ACKs as RFC 5681 §2
 * defines them; states follow RFC 9293 §3.3.2 with Linux's names (include/net/tcp_states.h); a forwarded copy of a
 * packet is not a second packet.
 */
import { describe, expect, test as vtest } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { RecordingReader } from '../../sim/recording-reader.js';
import { MemoryOutput } from '../../sim/recording.js';
import { runScenario } from '../../scenarios/index.js';
import { analyzeEvents, analyzeRecording } from '../../tools/inspect/analyze.js';
import { inferStates, unwrapSeq } from '../../tools/inspect/tcp.js';
import { sampleRows } from '../../tools/inspect/html.js';
import type { Analysis, TcpSegmentRow } from '../../tools/inspect/model.js';
import { synthTransfer, type SynthOptions } from './synth.js';

function analyse(opts: Partial<SynthOptions> = {}): { a: Analysis; truth: ReturnType<typeof synthTransfer>['truth'] } {
  const { bytes, truth } = synthTransfer(opts);
  return { a: analyzeRecording(new RecordingReader(bytes)), truth };
}

const states = (list: { state: string }[]): string[] => list.map((s) => s.state);

describe('TCP from the frames', () => {
  vtest('a clean transfer: one connection, no retransmission, the full close of RFC 9293 §3.6', () => {
    const { a, truth } = analyse();
    expect(a.tcp).toHaveLength(1);
    const c = a.tcp[0]!;
    expect(c.a.addr).toBe('10.0.0.1:40000');
    expect(c.b.addr).toBe('10.0.0.2:80');
    expect(c.a.host).toBe('a');
    expect(c.b.host).toBe('b');
    expect(c.a.retransmissions + c.b.retransmissions).toBe(0);
    expect(c.a.segments).toBe(truth.segmentsA);
    expect(c.b.segments).toBe(truth.segmentsB);
    // 20000 bytes of data plus SYN and FIN, each one sequence number (RFC 9293 §3.4).
    expect(c.a.highestSeq).toBe(20_002);
    expect(c.a.payloadBytes).toBe(20_000);
    expect(c.a.synSeen && c.b.synSeen).toBe(true);
    expect(c.a.mss).toBe(1000);
    expect(c.a.wscale).toBe(7);
    expect(c.a.sackOk).toBe(true);
    // The active closer goes through FIN_WAIT1/2 to TIME_WAIT; the passive one through CLOSE_WAIT and LAST_ACK.
    expect(states(c.a.states)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT']);
    expect(states(c.b.states)).toEqual(['SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSE']);
    expect(c.outcome).toContain('closed (FIN both ways)');
    // Relative numbers: the SYN is 0, data starts at 1; ACKs relative to the peer's ISN.
    const first = c.segments[0]!;
    expect(first[4]).toBe(0);
    const firstData = c.segments.find((r) => r[5] > 0)!;
    expect(firstData[4]).toBe(1);
    expect(firstData[6]).toBe(1);
    // The window of a SYN is never scaled; later ones are, by the sender's shift (RFC 7323 §2.2).
    const synAck = c.segments.find((r) => r[2] === 1)!;
    expect(synAck[7]).toBe(65535);
    expect(c.segments.find((r) => r[2] === 1 && r[5] === 0 && r[6] > 1)![7]).toBe(1000 * 128);
    expect(a.drops.total).toBe(0);
  });

  vtest('losses: retransmissions, drops, duplicate ACKs and SACK blocks match what the model did', () => {
    const { a, truth } = analyse({ lose: [3, 7, 8], loseAcks: [2] });
    expect(truth.retransmissions).toBeGreaterThan(0);
    expect(truth.fastRetransmits).toBeGreaterThan(0);
    const c = a.tcp[0]!;
    expect(c.a.retransmissions).toBe(truth.retransmissions);
    expect(c.b.retransmissions).toBe(0);
    expect(c.a.dropped).toBe(truth.lostData);
    expect(c.b.dropped).toBe(truth.lostAcks);
    expect(c.b.dupAcks).toBe(truth.dupAcks);
    expect(c.b.sackSegments).toBe(truth.sackAcks);
    expect(a.drops.byReason).toEqual([{ key: 'loss', count: truth.lostData + truth.lostAcks, firstNs: expect.any(Number) }]);
    expect(a.drops.total).toBe(truth.lostData + truth.lostAcks);
    // Every retransmitted row repeats sequence space sent before it.
    const space = (r: TcpSegmentRow): number => r[5] + (r[3] & 2 ? 1 : 0) + (r[3] & 1 ? 1 : 0);
    const rows = c.segments.filter((r) => r[2] === 0);
    rows.forEach((r, i) => {
      const before = rows.slice(0, i).some((p) => space(p) > 0 && p[4] <= r[4] && r[4] < p[4] + space(p));
      expect(r[8] === 1).toBe(before && space(r) > 0);
    });
    // SACK blocks are relative to a's ISN and lie above the cumulative ACK.
    for (const r of c.segments.filter((x) => x[10].length > 0)) {
      for (let i = 0; i < r[10].length; i += 2) {
        expect(r[10][i]!).toBeGreaterThan(r[6]);
        expect(r[10][i + 1]!).toBeGreaterThan(r[10][i]!);
      }
    }
    // A dropped segment never arrives; a delivered one arrives one latency later.
    for (const r of c.segments) {
      if (r[9] !== '') expect(r[1]).toBe(-1);
      else expect(r[1] - r[0]).toBe(5_000_000);
    }
  });

  vtest('a lost tail segment is recovered by the retransmission timeout and still counted', () => {
    // 20 segments: transmission 19 is the last one; nothing after it can draw three duplicate ACKs.
    const { a, truth } = analyse({ lose: [19] });
    expect(truth.timeouts).toBeGreaterThanOrEqual(1);
    expect(a.tcp[0]!.a.retransmissions).toBe(truth.retransmissions);
    expect(states(a.tcp[0]!.a.states).at(-1)).toBe('TIME_WAIT');
  });

  vtest('through a switch: copies on the second cable are recognised, not counted as packets again', () => {
    const direct = analyse({ lose: [3, 7] });
    const sw = analyse({ lose: [3, 7], viaSwitch: true });
    expect(sw.truth.switchCopies).toBeGreaterThan(0);
    expect(sw.a.frames.forwardedCopies).toBe(sw.truth.switchCopies);
    expect(sw.a.frames.total).toBe(sw.truth.segmentsA + sw.truth.segmentsB + sw.truth.switchCopies);
    const c = sw.a.tcp[0]!, d = direct.a.tcp[0]!;
    expect(sw.a.tcp).toHaveLength(1);
    expect(c.segments).toHaveLength(d.segments.length);
    expect(c.a.retransmissions).toBe(d.a.retransmissions);
    expect(states(c.a.states)).toEqual(states(d.a.states));
    // Arrival is at the destination host, two cables later.
    const delivered = c.segments.find((r) => r[9] === '')!;
    expect(delivered[1] - delivered[0]).toBe(10_000_000);
  });

  vtest('sequence numbers that wrap past 2^32 stay ordered (no false retransmissions)', () => {
    const { a } = analyse({ isnA: 2 ** 32 - 5000, isnB: 2 ** 32 - 1 });
    const c = a.tcp[0]!;
    expect(c.a.retransmissions).toBe(0);
    expect(c.a.highestSeq).toBe(20_002);
    expect(states(c.a.states)).toEqual(['SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT']);
  });

  vtest('a SYN answered by RST-ACK: connection refused, the opener goes SYN_SENT → CLOSE', () => {
    const { a } = analyse({ refuse: true });
    const c = a.tcp[0]!;
    expect(c.outcome).toContain('refused');
    expect(states(c.a.states)).toEqual(['SYN_SENT', 'CLOSE']);
    expect(c.a.states[1]!.why).toBe('received RST');
    expect(c.b.resets).toBe(1);
  });

  vtest('the same 4-tuple reused with a new ISN is a second connection', () => {
    const one = synthTransfer({ bytes: 3000 }).events;
    const two = synthTransfer({ bytes: 3000, isnA: 77_777 }).events;
    const end = one.at(-1)![1] as number;
    // The second run's frames shifted after the first and given fresh packet ids.
    const shifted = two.filter((e) => e[0] === 'tx' || e[0] === 'rx' || e[0] === 'drop').map((e) => {
      const c = [...e];
      c[1] = (c[1] as number) + end + 1e9;
      const idAt = e[0] === 'drop' ? 3 : 4;
      c[idAt] = (c[idAt] as number) + 100_000;
      return c;
    });
    const header = new RecordingReader(synthTransfer().bytes).header;
    const a = analyzeEvents(header, [...one, ...shifted]);
    expect(a.tcp).toHaveLength(2);
    expect(a.tcp[1]!.a.isn).toBe(77_777);
    expect(a.tcp.every((c) => c.a.retransmissions === 0)).toBe(true);
  });

  vtest('failed syscalls are grouped by call and errno name, with the first time and pid', () => {
    const { a } = analyse();
    expect(a.failedSyscalls.map((f) => [f.call, f.errnoName, f.count, f.firstPid])).toEqual([
      ['bind', 'EADDRNOTAVAIL', 1, 1], ['connect', 'EINPROGRESS', 1, 1],
    ]);
    expect(a.processes.map((p) => [p.pid, p.host, p.failedSyscalls])).toEqual([[1, 'a', 2], [2, 'b', 0]]);
  });

  vtest('the timeline holds process, syscall, drop, TCP state and note entries in time order', () => {
    const { a } = analyse({ lose: [2] });
    const kinds = new Set(a.timeline.entries.map((e) => e.kind));
    for (const k of ['proc', 'sys', 'wouldblock', 'drop', 'tcp', 'note']) expect(kinds.has(k as never), k).toBe(true);
    expect(a.timeline.entries.find((e) => e.kind === 'note')).toEqual({ t: 0, kind: 'note', lane: 'notes', text: 'transfer starts' });
    // connect() = -1 EINPROGRESS is the normal start of a non-blocking connect (connect(2)): not a failure entry.
    expect(a.timeline.entries.find((e) => e.kind === 'wouldblock')!.text).toContain('connect() = -1 EINPROGRESS');
    for (let i = 1; i < a.timeline.entries.length; i++) expect(a.timeline.entries[i]!.t).toBeGreaterThanOrEqual(a.timeline.entries[i - 1]!.t);
    expect(a.timeline.total).toBe(a.timeline.entries.length);
  });

  vtest('timeline caps per kind are applied and reported', () => {
    const { bytes } = synthTransfer({ lose: [1, 2, 3, 4, 5] });
    const a = analyzeRecording(new RecordingReader(bytes), { timelinePerKind: 2 });
    expect(a.timeline.entries.filter((e) => e.kind === 'drop')).toHaveLength(2);
    expect(a.notes).toContain('timeline: drop events capped at 2 of 5');
  });
});

describe('unwrapSeq', () => {
  test.prop([fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 })], { numRuns: 500 })(
    'recovers any value within 2^31 of the reference from its low 32 bits',
    (ref, delta) => {
      const v = ref + delta;
      expect(unwrapSeq(((v % 2 ** 32) + 2 ** 32) % 2 ** 32, ref)).toBe(v);
    },
  );
});

describe('sampleRows', () => {
  const row = (i: number, special: boolean): TcpSegmentRow => [i, -1, 0, special ? 2 : 16, i, 100, 1, 1000, 0, '', []];
  test.prop([fc.array(fc.boolean(), { maxLength: 400 }), fc.integer({ min: 1, max: 300 })], { numRuns: 200 })(
    'keeps every SYN/FIN/RST, retransmission and drop, keeps order, and stays within the cap when it can',
    (specials, max) => {
      const rows = specials.map((sp, i) => row(i, sp));
      const out = sampleRows(rows, max);
      const nSpecial = specials.filter(Boolean).length;
      expect(out.filter((r) => r[3] === 2)).toHaveLength(nSpecial);
      expect(out.length).toBeLessThanOrEqual(Math.max(max, nSpecial));
      if (rows.length <= max) expect(out).toEqual(rows);
      for (let i = 1; i < out.length; i++) expect(out[i]![0]).toBeGreaterThan(out[i - 1]![0]);
    },
  );
});

describe('inferStates', () => {
  vtest('simultaneous open: both ends go SYN_SENT → SYN_RECV → ESTABLISHED (RFC 9293 §3.5, figure 8)', () => {
    const SYN = 2, ACK = 16;
    // [t, arrival, dir, flags, seq, len, ack, win, retrans, dropped, sack]
    const rows: TcpSegmentRow[] = [
      [0, 10, 0, SYN, 0, 0, -1, 100, 0, '', []],
      [1, 11, 1, SYN, 0, 0, -1, 100, 0, '', []],
      [10, 20, 1, SYN | ACK, 0, 0, 1, 100, 1, '', []],
      [11, 21, 0, SYN | ACK, 0, 0, 1, 100, 1, '', []],
    ];
    const [a, b] = inferStates(rows);
    expect(states(a)).toEqual(['SYN_SENT', 'SYN_RECV', 'ESTABLISHED']);
    expect(states(b)).toEqual(['SYN_SENT', 'SYN_RECV', 'ESTABLISHED']);
  });
});

describe('a real run (udp-echo with 10 % loss)', () => {
  vtest.each([1, 3, 7])('seed %i: drops by reason equal the network\'s drop counters; processes and flows add up', async (seed) => {
    const out = new MemoryOutput();
    const run = await runScenario('udp-echo', { seed, record: out });
    const reader = new RecordingReader(out.bytes());
    const a = analyzeRecording(reader);
    expect(Object.fromEntries(a.drops.byReason.map((d) => [d.key, d.count]))).toEqual(Object.fromEntries(run.net.drops.byReason));
    expect(a.drops.total).toBe(run.net.drops.total());
    expect(a.frames.total).toBe(run.net.packetsSent);
    expect(a.frames.undecodable).toBe(0);
    expect(a.end?.status).toBe(run.result.status);
    expect(a.processes.map((p) => [p.pid, p.code, p.error])).toEqual(run.result.processes.map((p) => [p.pid, p.exitCode ?? null, p.error ?? null]));
    // Each UDP frame is one datagram of one flow (no forwarding here); the link's losses fall on datagrams and ARP.
    expect(a.udp.reduce((n, f) => n + f.datagrams[0] + f.datagrams[1], 0)).toBe(a.frames.byProtocol.udp);
    // Independently: drop events whose packet id belongs to a frame with EtherType IPv4 and protocol 17.
    const udpIds = new Set<number>();
    let udpDrops = 0;
    for (const ev of new RecordingReader(out.bytes()).events()) {
      const f = ev[5] as Uint8Array;
      if (ev[0] === 'tx' && f[12] === 0x08 && f[13] === 0x00 && f[14 + 9] === 17) udpIds.add(ev[4] as number);
      if (ev[0] === 'drop' && udpIds.has(ev[3] as number)) udpDrops++;
    }
    expect(udpDrops).toBeGreaterThan(0);
    expect(a.udp.reduce((n, f) => n + f.dropped[0] + f.dropped[1], 0)).toBe(udpDrops);
    expect(a.tcp).toHaveLength(0);
  });
});
