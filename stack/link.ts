/**
 * Point-to-point links. Each direction is a transmitter with an optional rate and a bounded drop-tail queue,
 * followed by the fault rules (in install order, first drop wins) and the propagation delay.
 *
 * Every random fault draws from its own named stream ("link:<name>:<fault>"), so turning one fault on does not
 * change the decisions of another, and every decision that changes a packet's fate is recorded.
 */
import type { Sim } from '../sim/sim.js';
import type { Backlog } from './backlog.js';
import { EV_DROP, EV_LINK, EV_RX, EV_TX, type DropReason } from './events.js';
import { faultRules, type FaultRule, type LinkParams, type Verdict } from './faults.js';
import { widenFieldsOnce } from '../sim/repr.js';

const EMPTY = new Uint8Array(0);

/** Something a medium delivers frames to: a host's interface or a switch port. */
export interface Endpoint {
  /** "host:iface" or "switch:port", as recordings name it. */
  readonly label: string;
  /** A frame arrived from the medium. */
  receive(frame: Uint8Array, pktId: number): void;
}

/** A frame on its way across a link. */
export interface FrameInFlight {
  /** Run-wide packet id. */
  readonly id: number;
  /** The frame's bytes (rules may replace them, e.g. corruption). */
  bytes: Uint8Array;
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** Set by the corruption fault. */
  corrupt: boolean;
}

/** Something that carries frames between endpoints (a point-to-point link, a loopback). */
export interface Medium {
  readonly name: string;
  /** Takes a frame from an attached endpoint. */
  transmit(from: Endpoint, frame: Uint8Array): void;
  /** Whether the medium carries frames now. */
  readonly up: boolean;
  /** The endpoints attached to it. */
  attached(): readonly Endpoint[];
}

/** The network-wide services a link needs. */
export interface LinkContext {
  readonly sim: Sim;
  /** Allocates a packet id. */
  nextPacketId(): number;
  /** Counts a drop network-wide. */
  countDrop(reason: string): void;
}

/** Which way a frame travels on a link: from end a to end b, or back. */
export type LinkDirection = 'a>b' | 'b>a';

class Direction {
  /** When the transmitter finishes the frame it is sending now. */
  busyUntil = 0;
  /**
   * The drop-tail queue (including the frame being serialised), as the departure times and event sequence numbers
   * of the frames accepted, oldest from `depHead`. A departure changes nothing but the queue's length, so it is not
   * queued as an event: the next transmit retires the departures that have passed (`Sim.hasPassed`, ties in
   * scheduling order, exactly as the events would have run). That halves the events of a rate-limited link.
   */
  readonly depTimes: number[] = [];
  readonly depSeqs: number[] = [];
  depHead = 0;
  /** Latest scheduled arrival, to keep jitter from reordering unless asked. */
  lastArrival = 0;
  /** Frames parked at the far end by `hold()`, released in arrival order by `release()`; null when not holding. */
  held: FrameInFlight[] | null = null;
  /** Frames delivered and bytes delivered (duplicates included). */
  delivered = 0;
  deliveredBytes = 0;
  /**
   * Frames propagating in FIFO order (neither reordered nor duplicated), oldest from `wireHead`. Their arrival
   * times never decrease and equal times run in scheduling order, so each arrival event takes the oldest one: the
   * events need no closure per frame. A frame no fault rule saw travels as its bytes and id alone (`wireF` null):
   * no object is built for it, and none is read back, cold, when it arrives.
   */
  readonly wireF: (FrameInFlight | null)[] = [];
  readonly wireBytes: Uint8Array[] = [];
  readonly wireIds: number[] = [];
  wireHead = 0;
  /** The oldest FIFO frame reaches the far end; set by the link. */
  onArrival: () => void = () => {};
  constructor(readonly key: LinkDirection, readonly from: Endpoint, readonly to: Endpoint) {
    widenFieldsOnce('Direction', this, ['busyUntil', 'lastArrival']); // virtual times (sim/repr.ts)
  }

  /** Frames in the drop-tail queue now: the departures that have not passed (retired from the head as they pass). */
  queued(sim: Sim): number {
    const ts = this.depTimes, ss = this.depSeqs;
    let h = this.depHead;
    const n = ts.length;
    while (h < n && sim.hasPassed(ts[h]!, ss[h]!)) h++;
    if (h === n) {
      ts.length = ss.length = 0;
      h = 0;
    } else if (h > 1024 && h * 2 > n) {
      ts.splice(0, h);
      ss.splice(0, h);
      h = 0;
    }
    this.depHead = h;
    return ts.length - h;
  }

  /** A frame joins the drop-tail queue; it leaves when serialised, at `departure`. */
  enqueue(sim: Sim, departure: number): void {
    this.depTimes.push(departure);
    this.depSeqs.push(sim.reserveSeq());
  }

  /** Puts a frame on the FIFO wire. */
  pushWire(f: FrameInFlight | null, bytes: Uint8Array, id: number): void {
    this.wireF.push(f);
    this.wireBytes.push(bytes);
    this.wireIds.push(id);
  }

  /** Drops the oldest FIFO frame (after reading it at `wireHead`). */
  shiftWire(): void {
    const h = this.wireHead;
    this.wireF[h] = null;
    this.wireBytes[h] = EMPTY;
    this.wireHead = h + 1;
    const n = this.wireF.length;
    if (this.wireHead === n) {
      this.wireF.length = this.wireBytes.length = this.wireIds.length = 0;
      this.wireHead = 0;
    } else if (this.wireHead > 1024 && this.wireHead * 2 > n) {
      this.wireF.splice(0, this.wireHead);
      this.wireBytes.splice(0, this.wireHead);
      this.wireIds.splice(0, this.wireHead);
      this.wireHead = 0;
    }
  }
}

/** A full-duplex point-to-point link between two endpoints. */
export class Link implements Medium {
  params: LinkParams;
  /** The rules in force: those the parameters imply, then the ones installed with `addRule`, in install order. */
  rules: FaultRule[];
  private readonly extraRules: FaultRule[] = [];
  up = true;
  private readonly dirs: [Direction, Direction];

  constructor(
    readonly ctx: LinkContext,
    readonly name: string,
    readonly a: Endpoint,
    readonly b: Endpoint,
    params: Partial<LinkParams> = {},
  ) {
    this.params = { ...DEFAULT_LINK_PARAMS, ...params };
    this.rules = faultRules(ctx.sim, name, this.params);
    this.dirs = [new Direction('a>b', a, b), new Direction('b>a', b, a)];
    for (const d of this.dirs) {
      d.onArrival = () => {
        const h = d.wireHead;
        const f = d.wireF[h]!, bytes = d.wireBytes[h]!, id = d.wireIds[h]!;
        d.shiftWire();
        if (f) this.arrive(d, f);
        else this.arriveBare(d, bytes, id);
      };
    }
  }

  attached(): readonly Endpoint[] {
    return [this.a, this.b];
  }

  /** Frames delivered per direction ("a>b", "b>a"). */
  delivered(dir: LinkDirection): { frames: number; bytes: number } {
    const d = this.dir(dir);
    return { frames: d.delivered, bytes: d.deliveredBytes };
  }

  /** Changes parameters at runtime; the fault rules are rebuilt (their streams continue where they were). */
  setParams(p: Partial<LinkParams>): void {
    this.params = { ...this.params, ...p };
    this.rules = [...faultRules(this.ctx.sim, this.name, this.params), ...this.extraRules];
    this.ctx.sim.record(EV_LINK, this.name, 'params', JSON.stringify(p));
  }

  /** Installs a custom rule after the existing ones. */
  addRule(rule: FaultRule): void {
    this.extraRules.push(rule);
    this.rules.push(rule);
  }

  /** Takes the link down (frames in flight are lost, new ones dropped) or up again. */
  setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.ctx.sim.record(EV_LINK, this.name, up ? 'up' : 'down', null);
  }

  /**
   * Holds frames in flight: from now on, frames reaching the far end (in one direction, or both) are parked there
   * instead of delivered, until `release()`. Frames keep their order.
   */
  hold(dir?: LinkDirection): void {
    for (const d of this.dirs) if (!dir || d.key === dir) d.held ??= [];
    this.ctx.sim.record(EV_LINK, this.name, 'hold', dir ?? null);
  }

  /** Delivers the parked frames now, in the order they arrived, and stops holding. */
  release(dir?: LinkDirection): void {
    this.ctx.sim.record(EV_LINK, this.name, 'release', dir ?? null);
    for (const d of this.dirs) {
      if (dir && d.key !== dir) continue;
      const held = d.held;
      d.held = null;
      if (held) for (const f of held) this.deliver(d, f.to, f.bytes, f.id, f.corrupt);
    }
  }

  /** Frames parked by `hold()` in a direction. */
  heldCount(dir: LinkDirection): number {
    return this.dir(dir).held?.length ?? 0;
  }

  private dir(key: LinkDirection): Direction {
    return key === 'a>b' ? this.dirs[0] : this.dirs[1];
  }

  transmit(from: Endpoint, frame: Uint8Array): void {
    const d = from === this.a ? this.dirs[0] : from === this.b ? this.dirs[1] : null;
    if (!d) throw new Error(`${from.label} is not attached to link ${this.name}`);
    const sim = this.ctx.sim;
    const id = this.ctx.nextPacketId();
    if (sim.sink) sim.sink.push([EV_TX, sim.now, this.name, from.label, id, frame]);
    if (!this.up) return this.drop(id, 'link-down');
    // Transmitter: serialisation at the configured rate behind a drop-tail queue (a queue of `queueLimit` frames).
    let departure = sim.now;
    const rate = this.params.rateBps;
    if (rate > 0) {
      if (d.queued(sim) >= this.params.queueLimit) return this.drop(id, 'queue-full');
      const start = Math.max(sim.now, d.busyUntil);
      departure = start + Math.ceil((frame.length + this.params.overheadBytes) * 8 * 1e9 / rate);
      d.busyUntil = departure;
      d.enqueue(sim, departure);
    }
    if (this.rules.length > 0) {
      this.propagate(d, { id, bytes: frame, from, to: d.to, corrupt: false }, departure - sim.now);
      return;
    }
    // No rule to apply: the FIFO wire, as propagate would send it with no delay added.
    const arrival = Math.max(departure + this.params.latencyNs, d.lastArrival);
    d.lastArrival = arrival;
    d.pushWire(null, frame, id);
    sim.post(arrival, d.onArrival);
  }

  private propagate(d: Direction, f: FrameInFlight, txDelay: number): void {
    const sim = this.ctx.sim;
    let extra = 0;
    let allowReorder = false;
    for (const rule of this.rules) {
      const v: Verdict = rule.apply(f);
      if (v.kind === 'pass') continue;
      if (v.kind === 'drop') return this.drop(f.id, v.reason);
      if (v.kind === 'delay') {
        extra += v.ns;
        allowReorder ||= v.reorder === true;
      } else {
        this.arriveAt(d, { ...f, bytes: f.bytes.slice() }, sim.now + txDelay + this.params.latencyNs + v.ns, true);
      }
    }
    let arrival = sim.now + txDelay + this.params.latencyNs + extra;
    if (!allowReorder) arrival = Math.max(arrival, d.lastArrival); // jitter alone never reorders (FIFO wire)
    this.arriveAt(d, f, arrival, allowReorder);
  }

  private arriveAt(d: Direction, f: FrameInFlight, arrival: number, reordering: boolean): void {
    if (reordering) {
      this.ctx.sim.post(arrival, () => this.arrive(d, f));
      return;
    }
    d.lastArrival = arrival;
    d.pushWire(f, f.bytes, f.id);
    this.ctx.sim.post(arrival, d.onArrival);
  }

  /** A frame reached the far end of d. */
  private arrive(d: Direction, f: FrameInFlight): void {
    if (!this.up) return this.drop(f.id, 'link-down');
    if (d.held) d.held.push(f);
    else this.deliver(d, f.to, f.bytes, f.id, f.corrupt);
  }

  /** `arrive` for a frame that travelled without a FrameInFlight (no rule saw it). */
  private arriveBare(d: Direction, bytes: Uint8Array, id: number): void {
    if (!this.up) return this.drop(id, 'link-down');
    if (d.held) d.held.push({ id, bytes, from: d.from, to: d.to, corrupt: false });
    else this.deliver(d, d.to, bytes, id, false);
  }

  private deliver(d: Direction, to: Endpoint, bytes: Uint8Array, id: number, corrupt: boolean): void {
    const sim = this.ctx.sim;
    // A corrupted frame fails the FCS check (CRC-32 catches every single-bit error) when the NIC checks it.
    if (corrupt && this.params.fcs) return this.drop(id, 'bad-fcs');
    d.delivered++;
    d.deliveredBytes += bytes.length;
    if (sim.sink) sim.sink.push([EV_RX, sim.now, this.name, to.label, id]);
    to.receive(bytes, id);
  }

  private drop(id: number, reason: DropReason | string): void {
    const sim = this.ctx.sim;
    this.ctx.countDrop(reason);
    if (sim.sink) sim.sink.push([EV_DROP, sim.now, this.name, id, reason]);
  }
}

/** Defaults: an ideal 1 µs wire with no rate limit and no faults. */
export const DEFAULT_LINK_PARAMS: LinkParams = {
  latencyNs: 1_000, jitterNs: 0, loss: 0, burst: null, duplicate: 0, reorder: 0, reorderDelayNs: 0, corrupt: 0,
  fcs: false, rateBps: 0, queueLimit: 1000, overheadBytes: 0, mtu: 1500,
};

/** Loopback: frames come back to the same endpoint after a near-zero delay, in order, never lost. */
export class LoopbackMedium implements Medium {
  readonly up = true;

  /** `backlog`: the host's loopback backlog, which delivers before the sending call returns (stack/backlog.ts). */
  constructor(readonly ctx: LinkContext, readonly name: string, readonly end: Endpoint, private readonly backlog: Backlog) {}

  attached(): readonly Endpoint[] {
    return [this.end];
  }

  transmit(from: Endpoint, frame: Uint8Array): void {
    const sim = this.ctx.sim;
    const id = this.ctx.nextPacketId();
    if (sim.sink) sim.sink.push([EV_TX, sim.now, this.name, from.label, id, frame]);
    this.backlog.add(() => {
      if (sim.sink) sim.sink.push([EV_RX, sim.now, this.name, from.label, id]);
      this.end.receive(frame, id);
    });
  }
}
