/**
 * TCP connections from the frames alone, as tcptrace or Wireshark would build them: segments grouped by 4-tuple,
 * sequence and acknowledgment numbers made relative to each side's ISN (so the SYN is seq 0 and data starts at 1),
 * retransmissions found where a sequence range is sent again, duplicate ACKs counted (RFC 5681 §2), and each
 * endpoint's state history inferred from what it sent and received (RFC 9293 §3.3.2, with Linux's state names).
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type TcpRepr } from '../../stack/wire/index.js';
import type { Ns, TcpConnection, TcpEndpoint, TcpRecordedSocket, TcpSegmentRow, TcpStateChange } from './model.js';

const TWO32 = 2 ** 32;
const TWO31 = 2 ** 31;

/** The value ≡ `rel32` (mod 2^32) nearest to `ref`: sequence numbers past 4 GiB, or just below the ISN, stay ordered. */
export function unwrapSeq(rel32: number, ref: number): number {
  let v = rel32 + Math.floor(ref / TWO32) * TWO32;
  if (v - ref > TWO31) v -= TWO32;
  else if (ref - v > TWO31) v += TWO32;
  return v;
}

/** One direction of a connection while it is being built. */
interface Side {
  ep: TcpEndpoint;
  /** Raw ISN (or first seq seen), null until this side sent something or was acknowledged. */
  base: number | null;
  /** Highest relative sequence end sent so far (-1 before anything). */
  highestEnd: number;
  lastAck: number | null;
  lastWin: number;
}

/** A connection being built. */
interface Builder {
  conn: TcpConnection;
  sides: [Side, Side];
}

function newEndpoint(addr: string): TcpEndpoint {
  return {
    addr, host: null, isn: 0, synSeen: false, mss: null, wscale: null, sackOk: false, timestamps: false, segments: 0,
    dataSegments: 0, highestSeq: 0, payloadBytes: 0, retransmissions: 0, retransmittedBytes: 0, dupAcks: 0, dropped: 0,
    sackSegments: 0, resets: 0, states: [],
  };
}

function newSide(addr: string): Side {
  return { ep: newEndpoint(addr), base: null, highestEnd: -1, lastAck: null, lastWin: -1 };
}

/** Builds TCP connections from segments fed in send order. */
export class TcpTracker {
  private readonly builders: Builder[] = [];
  private readonly byTuple = new Map<string, Builder>();

  /**
   * Takes one segment as its sender sent it (forwarded copies must not be fed) and returns its row, which the caller
   * completes with arrival time and drop reason once known.
   */
  segment(t: Ns, src: string, dst: string, tcp: TcpRepr): TcpSegmentRow {
    const key = src < dst ? `${src}|${dst}` : `${dst}|${src}`;
    const syn = (tcp.flags & TCP_SYN) !== 0, ack = (tcp.flags & TCP_ACK) !== 0;
    let b = this.byTuple.get(key);
    if (b) {
      const s = b.conn.a.addr === src ? b.sides[0] : b.sides[1];
      // A SYN with another ISN from a side already seen is a new connection on the same 4-tuple (port reuse).
      if (syn && !ack && s.base !== null && (!s.ep.synSeen || tcp.seq !== s.base)) b = undefined;
    }
    if (!b) {
      // The active opener (first SYN without ACK) is side a; otherwise the first sender is.
      const first = syn && ack ? dst : src;
      const aAddr = first, bAddr = first === src ? dst : src;
      const sides: [Side, Side] = [newSide(aAddr), newSide(bAddr)];
      b = {
        sides,
        conn: { id: this.builders.length + 1, a: sides[0].ep, b: sides[1].ep, firstNs: t, lastNs: t, outcome: '', segments: [], recordedStates: [] },
      };
      this.builders.push(b);
      this.byTuple.set(key, b);
    }
    return this.add(b, t, src, tcp);
  }

  private add(b: Builder, t: Ns, src: string, tcp: TcpRepr): TcpSegmentRow {
    const dir: 0 | 1 = b.conn.a.addr === src ? 0 : 1;
    const me = b.sides[dir], peer = b.sides[1 - dir]!;
    const f = tcp.flags;
    const syn = (f & TCP_SYN) !== 0, fin = (f & TCP_FIN) !== 0, rst = (f & TCP_RST) !== 0, hasAck = (f & TCP_ACK) !== 0;
    const ep = me.ep;
    if (me.base === null) {
      me.base = tcp.seq;
      ep.isn = tcp.seq;
    }
    if (syn) {
      ep.synSeen = true;
      for (const o of tcp.options) {
        if (o.kind === 'mss') ep.mss = o.mss;
        else if (o.kind === 'wscale') ep.wscale = o.shift;
        else if (o.kind === 'sackOk') ep.sackOk = true;
        else if (o.kind === 'timestamp') ep.timestamps = true;
      }
    }
    // An ACK before the peer sent anything (a capture that starts mid-connection) fixes the peer's base.
    if (hasAck && peer.base === null) {
      peer.base = tcp.ack;
      peer.ep.isn = tcp.ack;
    }
    const seq = unwrapSeq((tcp.seq - me.base) >>> 0, Math.max(me.highestEnd, 0));
    const len = tcp.payload.length;
    const space = len + (syn ? 1 : 0) + (fin ? 1 : 0);
    const ackRel = hasAck ? unwrapSeq((tcp.ack - peer.base!) >>> 0, Math.max(peer.highestEnd, 0)) : -1;
    // RFC 7323 §2.2: the window of a SYN is never scaled; others are when both SYNs offered a scale.
    const scaled = !syn && ep.wscale !== null && peer.ep.wscale !== null;
    const win = scaled ? tcp.window * 2 ** ep.wscale! : tcp.window;
    const sack: number[] = [];
    for (const o of tcp.options) {
      if (o.kind !== 'sack' || peer.base === null) continue;
      for (const [l, r] of o.blocks) {
        sack.push(unwrapSeq((l - peer.base) >>> 0, Math.max(peer.highestEnd, 0)), unwrapSeq((r - peer.base) >>> 0, Math.max(peer.highestEnd, 0)));
      }
    }
    // A retransmission sends again sequence space already sent (tcptrace's definition); a keepalive's or window
    // probe's old byte counts too, as it does there.
    const retrans = space > 0 && seq < me.highestEnd;
    ep.segments++;
    if (len > 0) ep.dataSegments++;
    ep.payloadBytes += len;
    if (retrans) {
      ep.retransmissions++;
      ep.retransmittedBytes += Math.max(0, Math.min(seq + len, me.highestEnd) - seq);
    }
    if (rst) ep.resets++;
    if (sack.length > 0) ep.sackSegments++;
    // RFC 5681 §2 duplicate ACK: outstanding data, no data, no SYN/FIN, same ACK number and same window.
    if (hasAck && !syn && !fin && !rst && len === 0 && me.lastAck === ackRel && me.lastWin === win && peer.highestEnd > ackRel) {
      ep.dupAcks++;
    }
    if (hasAck) {
      me.lastAck = ackRel;
      me.lastWin = win;
    }
    if (space > 0) me.highestEnd = Math.max(me.highestEnd, seq + space);
    ep.highestSeq = Math.max(ep.highestSeq, me.highestEnd);
    b.conn.lastNs = t;
    const row: TcpSegmentRow = [t, -1, dir, f, seq, len, ackRel, win, retrans ? 1 : 0, '', sack];
    b.conn.segments.push(row);
    return row;
  }

  /**
   * Completes the connections once every arrival and drop is known: drop counts, inferred state histories, the
   * outcome, and the stack's own recorded histories matched by 4-tuple. Returns them in order of first segment.
   */
  finish(hostOf: (addr: string) => string | null, recorded: TcpRecordedSocket[]): TcpConnection[] {
    const out: TcpConnection[] = [];
    for (const b of this.builders) {
      const c = b.conn;
      c.a.host = hostOf(c.a.addr);
      c.b.host = hostOf(c.b.addr);
      for (const r of c.segments) if (r[9] !== '') (r[2] === 0 ? c.a : c.b).dropped++;
      const [sa, sb] = inferStates(c.segments);
      c.a.states = sa;
      c.b.states = sb;
      c.outcome = outcomeOf(c);
      out.push(c);
    }
    for (const r of recorded) {
      const addrs = addrsIn(r.connId);
      let match: TcpConnection | null = null;
      const t0 = r.states[0]?.t ?? 0;
      for (const c of out) {
        if (addrs.includes(c.a.addr) && addrs.includes(c.b.addr) && (match === null || c.firstNs <= t0)) match = c;
      }
      r.connection = match?.id ?? null;
      match?.recordedStates.push(r);
    }
    return out;
  }
}

/** "ip:port" and "[v6]:port" strings inside a recorded socket id. */
function addrsIn(s: string): string[] {
  return [...s.matchAll(/\[[0-9a-fA-F:.]+\]:\d+|\d+\.\d+\.\d+\.\d+:\d+/g)].map((m) => m[0]);
}

/** One endpoint's inferred state machine (RFC 9293 §3.3.2), fed what it sent and received in time order. */
class StateMachine {
  state = 'CLOSE';
  /** Relative seq of our FIN, once sent. */
  finSeq: number | null = null;
  readonly changes: TcpStateChange[] = [];

  private go(t: Ns, state: string, why: string): void {
    if (state === this.state) return;
    this.state = state;
    this.changes.push({ t, state, why });
  }

  sent(t: Ns, r: TcpSegmentRow): void {
    const f = r[3];
    if (f & TCP_RST) return this.go(t, 'CLOSE', 'sent RST');
    if (f & TCP_SYN) {
      if (!(f & TCP_ACK)) {
        if (this.state === 'CLOSE') this.go(t, 'SYN_SENT', 'sent SYN');
      } else if (this.state === 'CLOSE' || this.state === 'SYN_SENT') {
        this.go(t, 'SYN_RECV', 'sent SYN-ACK');
      }
    }
    if (f & TCP_FIN) {
      this.finSeq ??= r[4] + r[5] + (f & TCP_SYN ? 1 : 0);
      if (this.state === 'ESTABLISHED' || this.state === 'SYN_RECV') this.go(t, 'FIN_WAIT1', 'sent FIN');
      else if (this.state === 'CLOSE_WAIT') this.go(t, 'LAST_ACK', 'sent FIN');
    }
  }

  received(t: Ns, r: TcpSegmentRow): void {
    const f = r[3];
    if (f & TCP_RST) {
      if (this.state !== 'CLOSE') this.go(t, 'CLOSE', 'received RST');
      return;
    }
    if (f & TCP_SYN) {
      if (f & TCP_ACK && this.state === 'SYN_SENT') this.go(t, 'ESTABLISHED', 'received SYN-ACK');
      else if (!(f & TCP_ACK) && this.state === 'SYN_SENT') this.go(t, 'SYN_RECV', 'received SYN (simultaneous open)');
    }
    // RFC 9293 §3.10.7.4: the ACK field is processed before the FIN bit.
    if (f & TCP_ACK) {
      const ack = r[6];
      if (this.state === 'SYN_RECV' && ack >= 1) this.go(t, 'ESTABLISHED', 'received ACK of SYN');
      const finAcked = this.finSeq !== null && ack >= this.finSeq + 1;
      if (finAcked) {
        if (this.state === 'FIN_WAIT1') this.go(t, 'FIN_WAIT2', 'received ACK of FIN');
        else if (this.state === 'CLOSING') this.go(t, 'TIME_WAIT', 'received ACK of FIN');
        else if (this.state === 'LAST_ACK') this.go(t, 'CLOSE', 'received ACK of FIN');
      }
    }
    if (f & TCP_FIN) {
      if (this.state === 'ESTABLISHED') this.go(t, 'CLOSE_WAIT', 'received FIN');
      else if (this.state === 'FIN_WAIT1') this.go(t, 'CLOSING', 'received FIN');
      else if (this.state === 'FIN_WAIT2') this.go(t, 'TIME_WAIT', 'received FIN');
    }
  }
}

/**
 * Both endpoints' state histories from the segments: a segment moves its sender when sent and its receiver when it
 * arrives (never, when dropped). At the same instant a receipt comes before the send it provoked.
 */
export function inferStates(rows: readonly TcpSegmentRow[]): [TcpStateChange[], TcpStateChange[]] {
  const m: [StateMachine, StateMachine] = [new StateMachine(), new StateMachine()];
  const evs: { t: Ns; recv: boolean; r: TcpSegmentRow; i: number }[] = [];
  rows.forEach((r, i) => {
    evs.push({ t: r[0], recv: false, r, i });
    if (r[1] >= 0 && r[9] === '') evs.push({ t: r[1], recv: true, r, i });
  });
  evs.sort((x, y) => x.t - y.t || Number(y.recv) - Number(x.recv) || x.i - y.i);
  for (const e of evs) {
    if (e.recv) m[1 - e.r[2]]!.received(e.t, e.r);
    else m[e.r[2]].sent(e.t, e.r);
  }
  return [m[0].changes, m[1].changes];
}

/** A short description of how a connection ended. */
function outcomeOf(c: TcpConnection): string {
  const fa = c.a.states.at(-1)?.state ?? 'CLOSE', fb = c.b.states.at(-1)?.state ?? 'CLOSE';
  const parts: string[] = [];
  if (c.b.segments === 0 && c.a.synSeen) parts.push('SYN unanswered');
  else if (c.b.resets > 0 && !c.b.synSeen && c.a.synSeen) parts.push('refused (RST answered the SYN)');
  else if (c.a.resets > 0 || c.b.resets > 0) parts.push(`reset by ${c.a.resets > 0 ? 'a' : ''}${c.a.resets > 0 && c.b.resets > 0 ? ' and ' : ''}${c.b.resets > 0 ? 'b' : ''}`);
  else if (c.a.states.some((s) => s.why === 'sent FIN') && c.b.states.some((s) => s.why === 'sent FIN')) parts.push('closed (FIN both ways)');
  parts.push(`a ${fa}, b ${fb} at the end`);
  return parts.join('; ');
}
