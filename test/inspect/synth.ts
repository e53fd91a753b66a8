/**
 * Synthetic recordings for the inspect tests: real Ethernet/IPv4/TCP frames built with the wire codecs, exchanged
 * by a deliberately small model of a TCP bulk transfer (fixed window, receiver ACKs every segment with SACK blocks,
 * fast retransmit on the third duplicate ACK as RFC 5681 §3.2, retransmission timeout otherwise, FIN close both
 * ways) over a link with a fixed latency that loses the transmissions named in the options. The model counts what
 * it did, so the analysis can be checked against ground truth independent of the analysis code. It stands in for
 * the stack's own TCP until that exists; test/inspect/real-tcp.test.ts covers the real one when it does.
 */
import { MemoryOutput, RecordingWriter } from '../../sim/recording.js';
import type { SimEvent } from '../../sim/events.js';
import {
  ETHERTYPE_IPV4, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, emitEthernet, emitIpv4, emitTcp, ipv4FromString,
  linuxTcpOptions, type TcpOption,
} from '../../stack/wire/index.js';

/** How the model transfer goes. */
export interface SynthOptions {
  /** Payload bytes a sends to b. */
  bytes: number;
  mss: number;
  /** Segments in flight at most. */
  window: number;
  /** One-way latency of each link. */
  latencyNs: number;
  /** Indices (0-based, over all of a's data transmissions, retransmissions included) lost on the link. */
  lose: readonly number[];
  /** Indices over all of b's pure ACKs that are lost. */
  loseAcks: readonly number[];
  /** a's and b's ISNs. */
  isnA: number;
  isnB: number;
  /** Retransmission timeout. */
  rtoNs: number;
  /** Route the frames through a switch (a second link whose frames are copies). */
  viaSwitch: boolean;
  /** b answers the SYN with RST-ACK (nothing listens), and the transfer never happens. */
  refuse: boolean;
  /** Name of the client process (tests put markup in it). */
  clientName: string;
}

/** What the model did: ground truth for the tests. */
export interface SynthTruth {
  /** a's data transmissions that repeated sequence space, and how. */
  retransmissions: number;
  fastRetransmits: number;
  timeouts: number;
  /** Transmissions lost on the link, data and ACKs. */
  lostData: number;
  lostAcks: number;
  /** Duplicate ACKs b sent (RFC 5681 §2: the same ACK again while a has data outstanding). */
  dupAcks: number;
  /** b's ACKs that carried SACK blocks. */
  sackAcks: number;
  /** Frames a and b sent (each once, not counting switch copies). */
  segmentsA: number;
  segmentsB: number;
  /** Copies the switch sent on. */
  switchCopies: number;
  endNs: number;
}

const MAC_A = 0x020000000001, MAC_B = 0x020000000002;
const IP_A = ipv4FromString('10.0.0.1')!, IP_B = ipv4FromString('10.0.0.2')!;
/** Port numbers: a's ephemeral port and the server's. */
export const PORT_A = 40000, PORT_B = 80;

/** The defaults: 20 kB in 1000-byte segments, window 6, 5 ms each way, nothing lost. */
export const SYNTH_DEFAULTS: SynthOptions = {
  bytes: 20_000, mss: 1000, window: 6, latencyNs: 5_000_000, lose: [], loseAcks: [], isnA: 1_000_000, isnB: 5_000_000,
  rtoNs: 200_000_000, viaSwitch: false, refuse: false, clientName: 'client',
};

/** One TCP segment for the wire. */
interface Seg {
  fromA: boolean;
  seq: number;
  ack: number;
  flags: number;
  win: number;
  payload: number;
  options: TcpOption[];
}

function frameOf(s: Seg, ipId: number): Uint8Array {
  const [src, dst, sp, dp, smac, dmac] = s.fromA ? [IP_A, IP_B, PORT_A, PORT_B, MAC_A, MAC_B] : [IP_B, IP_A, PORT_B, PORT_A, MAC_B, MAC_A];
  const tcp = emitTcp({
    srcPort: sp, dstPort: dp, seq: s.seq >>> 0, ack: s.ack >>> 0, flags: s.flags, window: s.win, urgent: 0, options: s.options,
    payload: new Uint8Array(s.payload).fill(0x61),
  }, { v: 4, src, dst });
  const ip = emitIpv4({
    tos: 0, id: ipId, dontFragment: true, moreFragments: false, fragOffset: 0, ttl: 64, protocol: 6, src, dst,
    options: new Uint8Array(0), payload: tcp,
  });
  return emitEthernet({ dst: dmac, src: smac, etherType: ETHERTYPE_IPV4, payload: ip });
}

/** Runs the model and returns the recording bytes, its events and the ground truth. */
export function synthTransfer(opts: Partial<SynthOptions> = {}): { bytes: Uint8Array; events: SimEvent[]; truth: SynthTruth } {
  const o: SynthOptions = { ...SYNTH_DEFAULTS, ...opts };
  const events: SimEvent[] = [];
  const truth: SynthTruth = {
    retransmissions: 0, fastRetransmits: 0, timeouts: 0, lostData: 0, lostAcks: 0, dupAcks: 0, sackAcks: 0, segmentsA: 0,
    segmentsB: 0, switchCopies: 0, endNs: 0,
  };
  // A tiny event queue ordered by (time, insertion), like sim/queue.ts.
  const queue: { t: number; n: number; fn: () => void }[] = [];
  let qn = 0, now = 0, pktId = 0, ipId = 0, dataTx = 0, ackTx = 0;
  const at = (t: number, fn: () => void): void => {
    queue.push({ t, n: qn++, fn });
  };
  const LINK_A = o.viaSwitch ? 'a:eth0-sw:p1' : 'a:eth0-b:eth0', LINK_B = o.viaSwitch ? 'sw:p2-b:eth0' : LINK_A;

  // Receiver b: the next byte expected and the out-of-order ranges it holds (relative to a's ISN).
  let rcvNxt = 1;
  const ooo: [number, number][] = [];
  let lastAckSent = -1;
  // Sender a.
  const total = o.bytes;
  let sndUna = 1, sndNxt = 1, dupAcks = 0, finSent = false, rtoAt = -1, rtoGen = 0, bFinSent = false;

  // The highest sequence end a has sent, relative: what "outstanding data" means for RFC 5681's duplicate ACK.
  let aHigh = 0;
  function send(s: Seg, lose: boolean): void {
    const id = ++pktId;
    if (s.fromA) aHigh = Math.max(aHigh, s.seq - o.isnA + s.payload + (s.flags & TCP_SYN ? 1 : 0) + (s.flags & TCP_FIN ? 1 : 0));
    const bytes = frameOf(s, ++ipId & 0xffff);
    if (s.fromA) truth.segmentsA++;
    else truth.segmentsB++;
    const from = s.fromA ? 'a:eth0' : 'b:eth0';
    const first = s.fromA ? LINK_A : LINK_B;
    events.push(['tx', now, first, from, id, bytes]);
    if (lose) {
      events.push(['drop', now, first, id, 'loss']);
      return;
    }
    const deliver = (): void => (s.fromA ? bReceives(s) : aReceives(s));
    if (!o.viaSwitch) {
      at(now + o.latencyNs, () => {
        events.push(['rx', now, LINK_A, s.fromA ? 'b:eth0' : 'a:eth0', id]);
        deliver();
      });
      return;
    }
    // Through the switch: the first cable delivers to a switch port, which sends the same bytes on the other cable.
    const [inPort, outPort, second] = s.fromA ? ['sw:p1', 'sw:p2', LINK_B] : ['sw:p2', 'sw:p1', LINK_A];
    at(now + o.latencyNs, () => {
      events.push(['rx', now, first, inPort, id]);
      const copy = ++pktId;
      truth.switchCopies++;
      events.push(['tx', now, second, outPort, copy, bytes]);
      at(now + o.latencyNs, () => {
        events.push(['rx', now, second, s.fromA ? 'b:eth0' : 'a:eth0', copy]);
        deliver();
      });
    });
  }

  const segA = (seq: number, flags: number, len: number, options: TcpOption[] = []): Seg =>
    ({ fromA: true, seq: o.isnA + seq, ack: o.isnB + 1, flags, win: 502, payload: len, options });

  function armRto(): void {
    const gen = ++rtoGen;
    rtoAt = now + o.rtoNs;
    at(rtoAt, () => {
      if (gen !== rtoGen || sndUna > total + (finSent ? 1 : 0)) return;
      truth.timeouts++;
      retransmitUna();
      armRto();
    });
  }

  function transmitData(seq: number): void {
    const len = Math.min(o.mss, total + 1 - seq);
    const lose = o.lose.includes(dataTx++);
    if (lose) truth.lostData++;
    send(segA(seq, TCP_ACK | TCP_PSH, len), lose);
  }

  function retransmitUna(): void {
    truth.retransmissions++;
    if (sndUna <= total) transmitData(sndUna);
    else send(segA(total + 1, TCP_FIN | TCP_ACK, 0), false);
  }

  function pump(): void {
    while (sndNxt <= total && sndNxt < sndUna + o.window * o.mss) {
      transmitData(sndNxt);
      sndNxt += Math.min(o.mss, total + 1 - sndNxt);
      if (rtoAt < now) armRto();
    }
    if (sndNxt > total && sndUna > total && !finSent) {
      finSent = true;
      send(segA(total + 1, TCP_FIN | TCP_ACK, 0), false);
      armRto();
    }
  }

  function aReceives(s: Seg): void {
    if (s.flags & TCP_RST) return;
    if (s.flags & TCP_SYN) {
      // SYN-ACK: ACK it and start sending.
      send(segA(1, TCP_ACK, 0), false);
      pump();
      return;
    }
    const ack = s.ack - o.isnA;
    if (s.flags & TCP_FIN) {
      send({ ...segA(total + 2, TCP_ACK, 0), ack: o.isnB + 2 }, false);
      truth.endNs = now;
      return;
    }
    if (ack > sndUna) {
      sndUna = ack;
      dupAcks = 0;
      if (sndUna > total + (finSent ? 1 : 0)) rtoGen++;
      else armRto();
      pump();
    } else if (ack === sndUna && sndNxt > sndUna) {
      // RFC 5681 §3.2: the third duplicate ACK triggers a fast retransmit of the first unacknowledged segment.
      if (++dupAcks === 3) {
        truth.fastRetransmits++;
        retransmitUna();
      }
    }
  }

  function bAck(flags = TCP_ACK): void {
    const blocks = ooo.slice(0, 3).map(([l, r]) => [(o.isnA + l) >>> 0, (o.isnA + r) >>> 0] as [number, number]);
    const ack = rcvNxt;
    const isDup = ack === lastAckSent;
    lastAckSent = ack;
    const lose = !(flags & TCP_FIN) && o.loseAcks.includes(ackTx++);
    if (lose) truth.lostAcks++;
    // RFC 5681 §2: a duplicate ACK repeats the last ACK while the data sender has data outstanding.
    if (isDup && !(flags & TCP_FIN) && aHigh > ack) truth.dupAcks++;
    if (blocks.length > 0) truth.sackAcks++;
    send({ fromA: false, seq: o.isnB + 1 + (bFinSent ? 1 : 0), ack: o.isnA + ack, flags, win: 1000, payload: 0,
      options: blocks.length ? linuxTcpOptions({ sackBlocks: blocks }) : [] }, lose);
  }

  function bReceives(s: Seg): void {
    const seq = s.seq - o.isnA;
    if (s.flags & TCP_SYN) {
      if (o.refuse) {
        send({ fromA: false, seq: 0, ack: o.isnA + 1, flags: TCP_RST | TCP_ACK, win: 0, payload: 0, options: [] }, false);
        truth.endNs = now;
        return;
      }
      send({ fromA: false, seq: o.isnB, ack: o.isnA + 1, flags: TCP_SYN | TCP_ACK, win: 65535, payload: 0,
        options: linuxTcpOptions({ mss: o.mss, sackOk: true, wscale: 7 }) }, false);
      return;
    }
    if (s.payload > 0) {
      const end = seq + s.payload;
      if (seq <= rcvNxt && end > rcvNxt) rcvNxt = end;
      else if (seq > rcvNxt && !ooo.some(([l]) => l === seq)) ooo.push([seq, end]);
      ooo.sort((x, y) => x[0] - y[0]);
      // Adjacent out-of-order ranges form one SACK block (RFC 2018 §3: a block is a contiguous received range).
      for (let i = ooo.length - 1; i > 0; i--) {
        if (ooo[i]![0] <= ooo[i - 1]![1]) ooo.splice(i - 1, 2, [ooo[i - 1]![0], Math.max(ooo[i - 1]![1], ooo[i]![1])]);
      }
      // Merge what became in order.
      while (ooo.length && ooo[0]![0] <= rcvNxt) rcvNxt = Math.max(rcvNxt, ooo.shift()![1]);
      bAck();
      return;
    }
    if (s.flags & TCP_FIN) {
      rcvNxt = seq + 1;
      lastAckSent = -1;
      bAck();
      bFinSent = true;
      // b closes too: its FIN (seq isnB+1) goes out right after the ACK.
      send({ fromA: false, seq: o.isnB + 1, ack: o.isnA + rcvNxt, flags: TCP_FIN | TCP_ACK, win: 1000, payload: 0, options: [] }, false);
    }
  }

  events.push(['start', 0, 1, 'a', o.clientName], ['start', 0, 2, 'b', 'server'], ['note', 0, 'transfer starts']);
  events.push(['sys', 0, 2, 'bind', [3, '10.0.0.2:80'], 0, 0], ['sys', 0, 2, 'listen', [3, 128], 0, 0]);
  events.push(['sys', 0, 1, 'bind', [3, '10.0.0.2:80'], -1, 99], ['sys', 0, 1, 'connect', [3, '10.0.0.2:80'], -1, 115]);
  send(segA(0, TCP_SYN, 0, linuxTcpOptions({ mss: o.mss, sackOk: true, wscale: 7 })), false);
  while (queue.length > 0) {
    queue.sort((x, y) => x.t - y.t || x.n - y.n);
    const e = queue.shift()!;
    now = e.t;
    e.fn();
  }
  events.push(['exit', now, 1, 0, null], ['exit', now, 2, 0, null]);
  const out = new MemoryOutput();
  const w = new RecordingWriter(out, { socksimVersion: 'test', scenario: { name: 'synthetic-tcp', params: o }, seed: 0 }, 64);
  for (const ev of events) w.push(ev);
  w.finish({ status: 'completed', message: null, timeNs: now });
  return { bytes: out.bytes(), events, truth };
}
