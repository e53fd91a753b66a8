/**
 * The neighbour cache shared by ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861 §7.3), with Linux's NUD state
 * machine (net/core/neighbour.c) and its default parameters (net.ipv4.neigh.default.*, net.ipv6.neigh.default.*):
 *
 *   - first use: INCOMPLETE; a broadcast/multicast solicitation now and every retrans_time (1 s), mcast_solicit (3)
 *     of them; no answer by then (3 s) is FAILED, and every packet queued meanwhile is reported back to its sender
 *     as "host unreachable" (arp_error_report → icmp_send, ndisc_error_report → icmpv6_send). The next packet starts
 *     over. While resolving, packets wait in a queue of unres_qlen_bytes (212992 bytes of truesize), oldest dropped.
 *   - an answer: REACHABLE for reachable_time, drawn uniformly from [base/2, 3·base/2) with base 30 s, redrawn
 *     every 300 s as neigh_periodic_work does. Past it the entry is STALE (still used).
 *   - use of a STALE entry: DELAY for delay_first_probe_time (5 s); without a confirmation by then PROBE: ucast_solicit
 *     (3) unicast solicitations 1 s apart, then FAILED.
 *
 * Simplification: the REACHABLE → STALE step happens lazily, on the next lookup, instead of by a timer (so idle
 * entries cost no events); Linux's timer would move an entry used in the last 5 s straight to DELAY instead.
 */
import type { Timer } from '../sim/queue.js';
import type { Host } from './host.js';
import type { Interface } from './iface.js';
import { EV_DROP } from './events.js';
import { writeMac } from './wire/bytes.js';
import { widenFieldsOnce } from '../sim/repr.js';

/** NUD states (include/uapi/linux/neighbour.h), as `ip neigh` names them. */
export type NudState = 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'permanent';

/** Tunables, with Linux's defaults. */
export interface NeighbourParams {
  mcastSolicit: number;
  ucastSolicit: number;
  retransNs: number;
  baseReachableNs: number;
  delayFirstProbeNs: number;
  /** unres_qlen_bytes: bytes (of truesize) queued per unresolved entry. */
  queueBytes: number;
}

/** Linux's defaults (same for ARP and ND). */
export const DEFAULT_NEIGH_PARAMS: NeighbourParams = {
  mcastSolicit: 3, ucastSolicit: 3, retransNs: 1e9, baseReachableNs: 30e9, delayFirstProbeNs: 5e9, queueBytes: 212992,
};

/** Truesize charged per queued frame besides its bytes (an skb's overhead, roughly). */
const SKB_TRUESIZE_OVERHEAD = 768;
/** How often Linux redraws reachable_time (neigh_periodic_work: every 300 s). */
const REDRAW_NS = 300e9;

/** One neighbour. */
export interface NeighbourEntry {
  readonly iface: Interface;
  /** The protocol address (IPv4 uint32 or 16-byte IPv6 address). */
  readonly addr: number | Uint8Array;
  /** The address as a map key. */
  readonly key: string;
  state: NudState;
  mac: number | null;
  probes: number;
  confirmed: number;
  updated: number;
  used: number;
  timer: Timer | null;
  /** Frames waiting for resolution; bytes 0–5 (the destination MAC) are filled in when it is known. */
  queue: Uint8Array[];
  /** Beside each queued frame: the id of the frame that brought a forwarded packet here, else null (drop records). */
  queueIds: (number | null)[];
  queuedBytes: number;
}

/** What a protocol (ARP or ND) supplies to the cache. */
export interface NeighbourProtocol {
  /** Sends a solicitation for e: unicast to `mac` when given (PROBE), else broadcast/multicast. */
  solicit(e: NeighbourEntry, mac: number | null, trigger: Uint8Array | undefined): void;
  /**
   * Resolution failed: `frames` are the queued frames (Ethernet header included), to report to their senders;
   * `ids` the arriving frame ids of forwarded ones (null for packets of this host), for the drop records.
   */
  failed(e: NeighbourEntry, frames: Uint8Array[], ids: (number | null)[]): void;
}

/** How an update arrives: the new state and Linux's neigh_update flags. */
export interface NeighbourUpdate {
  state: 'reachable' | 'stale';
  /** NEIGH_UPDATE_F_OVERRIDE: a different MAC replaces the known one. */
  override: boolean;
  /** NEIGH_UPDATE_F_WEAK_OVERRIDE: a different MAC without override makes a connected entry STALE. */
  weakOverride?: boolean;
  /** Create the entry if there is none (a solicitation addressed to us); else only existing entries change. */
  create: boolean;
}

const VALID: ReadonlySet<NudState> = new Set(['reachable', 'stale', 'delay', 'probe', 'permanent']);

/** A host's neighbour cache for one protocol. */
export class NeighbourTable {
  readonly entries = new Map<string, NeighbourEntry>();
  params: NeighbourParams = { ...DEFAULT_NEIGH_PARAMS };
  /**
   * The entry `outputTo` used last. Entries are only ever added under a key nobody had, or all dropped at once by
   * `reset`, so the entry found for an (interface, address) stays the one the map would give until a reset: every
   * packet of a flow to the same next hop skips building the key text and the map lookup.
   */
  private last: NeighbourEntry | null = null;
  private reachableNs = 0;
  private drawnAt = -Infinity;

  constructor(readonly host: Host, readonly name: 'arp' | 'ndisc', readonly proto: NeighbourProtocol) {}

  /** The entry for (iface, key), if any. */
  get(iface: Interface, key: string): NeighbourEntry | undefined {
    const e = this.entries.get(`${iface.index}|${key}`);
    if (e) this.age(e);
    return e;
  }

  /**
   * Sends `frame` (an Ethernet frame whose destination MAC is still to be written) to the neighbour `addr` on
   * iface: at once when its MAC is known, else after resolution.
   */
  output(iface: Interface, addr: number | Uint8Array, key: string, frame: Uint8Array, inId: number | null = null): void {
    this.outputVia(this.get(iface, key) ?? this.create(iface, addr, key), frame, inId);
  }

  /** `output` to an IPv4 neighbour, whose key is the address as decimal text (built only when the entry changes). */
  outputTo(iface: Interface, addr: number, frame: Uint8Array, inId: number | null = null): void {
    let e = this.last;
    if (e !== null && e.iface === iface && e.addr === addr) {
      this.age(e);
    } else {
      const key = String(addr);
      e = this.get(iface, key) ?? this.create(iface, addr, key);
      this.last = e;
    }
    this.outputVia(e, frame, inId);
  }

  private outputVia(e: NeighbourEntry, frame: Uint8Array, inId: number | null = null): void {
    const now = this.host.sim.now;
    e.used = now;
    switch (e.state) {
      case 'reachable':
      case 'delay':
      case 'probe':
      case 'permanent':
        return this.send(e, frame);
      case 'stale':
        // __neigh_event_send: a STALE entry still sends, and starts the delay before probing.
        this.setState(e, 'delay', now + this.params.delayFirstProbeNs);
        return this.send(e, frame);
      case 'incomplete':
        return this.enqueue(e, frame, inId);
      case 'failed':
        // NONE/FAILED: start resolving; probes start at ucast_solicit so only multicast solicitations go out.
        e.probes = this.params.ucastSolicit;
        this.setState(e, 'incomplete', now + this.params.retransNs);
        this.enqueue(e, frame, inId);
        this.probe(e, frame);
    }
  }

  /** A solicitation or advertisement told us `mac` for (iface, addr): neigh_update. */
  update(iface: Interface, addr: number | Uint8Array, key: string, mac: number, u: NeighbourUpdate): void {
    const now = this.host.sim.now;
    const e = this.get(iface, key) ?? (u.create ? this.create(iface, addr, key) : undefined);
    if (!e) return;
    if (e.state === 'permanent') return;
    const wasValid = VALID.has(e.state);
    let next: 'reachable' | 'stale' = u.state;
    if (wasValid) {
      if (mac !== e.mac && !u.override) {
        if (!(u.weakOverride && (e.state === 'reachable'))) return;
        mac = e.mac!;
        next = 'stale';
      } else if (mac === e.mac && next === 'stale') {
        return; // same address, weaker news: the state stays (neigh_update "new = old")
      }
    }
    e.mac = mac;
    e.updated = now;
    if (next === 'reachable') {
      e.confirmed = now;
      this.setState(e, 'reachable', null);
    } else {
      this.setState(e, 'stale', null);
    }
    if (!wasValid) this.flush(e);
  }

  /** An upper layer saw forward progress (TCP's dst_confirm_neigh): the entry is REACHABLE again. */
  confirm(iface: Interface, key: string): void {
    const e = this.get(iface, key);
    if (!e || !VALID.has(e.state) || e.state === 'permanent') return;
    e.confirmed = this.host.sim.now;
    if (e.state !== 'delay' && e.state !== 'probe') this.setState(e, 'reachable', null);
  }

  /** Adds a static entry (`ip neigh add … nud permanent`). */
  addPermanent(iface: Interface, addr: number | Uint8Array, key: string, mac: number): void {
    this.update(iface, addr, key, mac, { state: 'reachable', override: true, create: true });
    const e = this.get(iface, key)!;
    this.setState(e, 'permanent', null);
  }

  /** Forgets everything (the host crashed): timers stop, queued frames are dropped. */
  reset(): void {
    for (const e of this.entries.values()) e.timer?.cancel();
    this.entries.clear();
    this.last = null;
  }

  /** A new entry in state FAILED (Linux's NONE: nothing known yet). */
  private create(iface: Interface, addr: number | Uint8Array, key: string): NeighbourEntry {
    const e: NeighbourEntry = {
      iface, addr, key, state: 'failed', mac: null, probes: 0, confirmed: 0, updated: this.host.sim.now, used: 0,
      timer: null, queue: [], queueIds: [], queuedBytes: 0,
    };
    widenFieldsOnce('NeighbourEntry', e, ['confirmed', 'updated', 'used']); // virtual times (sim/repr.ts)
    this.entries.set(`${iface.index}|${key}`, e);
    return e;
  }

  /** reachable_time, redrawn every 300 s (neigh_rand_reach_time: uniform in [base/2, 3·base/2)). */
  private reachableTime(): number {
    const now = this.host.sim.now;
    if (now - this.drawnAt >= REDRAW_NS) {
      const base = this.params.baseReachableNs;
      const s = this.host.sim.random.stream(`host:${this.host.name}:${this.name}:reachable`);
      this.reachableNs = Math.floor(base / 2) + s.int(0, base - 1);
      this.drawnAt = now;
      this.host.sim.decide(s.name, 'reachable-time', this.reachableNs);
    }
    return this.reachableNs;
  }

  /** The lazy REACHABLE → STALE step (see the file comment). */
  private age(e: NeighbourEntry): void {
    if (e.state === 'reachable' && this.host.sim.now - e.confirmed > this.reachableTime()) e.state = 'stale';
  }

  private setState(e: NeighbourEntry, state: NudState, timerAt: number | null): void {
    e.state = state;
    e.timer?.cancel();
    e.timer = timerAt === null ? null : this.host.sim.at(timerAt, () => this.timer(e));
  }

  /** neigh_timer_handler for the states that run a timer. */
  private timer(e: NeighbourEntry): void {
    e.timer = null;
    const now = this.host.sim.now;
    if (e.state === 'delay') {
      if (now - e.confirmed <= this.params.delayFirstProbeNs) {
        this.setState(e, 'reachable', null);
        return;
      }
      e.probes = 0;
      this.setState(e, 'probe', now + this.params.retransNs);
      this.probe(e, undefined);
      return;
    }
    if (e.state !== 'incomplete' && e.state !== 'probe') return;
    const max = this.params.ucastSolicit + (e.state === 'probe' ? 0 : this.params.mcastSolicit);
    if (e.probes >= max) {
      // neigh_invalidate: report every queued packet, then forget them.
      const frames = e.queue;
      const ids = e.queueIds;
      e.queue = [];
      e.queueIds = [];
      e.queuedBytes = 0;
      this.setState(e, 'failed', null);
      this.proto.failed(e, frames, ids);
      return;
    }
    this.setState(e, e.state, now + this.params.retransNs);
    this.probe(e, e.queue[e.queue.length - 1]);
  }

  /** arp_solicit / ndisc_solicit: unicast while probes < ucast_solicit and a MAC is known, else multicast. */
  private probe(e: NeighbourEntry, trigger: Uint8Array | undefined): void {
    const unicast = e.probes < this.params.ucastSolicit && e.mac !== null ? e.mac : null;
    e.probes++;
    this.proto.solicit(e, unicast, trigger);
  }

  private send(e: NeighbourEntry, frame: Uint8Array): void {
    writeMac(frame, 0, e.mac!);
    e.iface.send(frame);
  }

  private enqueue(e: NeighbourEntry, frame: Uint8Array, inId: number | null): void {
    const size = frame.length + SKB_TRUESIZE_OVERHEAD;
    // neigh_queue: drop the oldest until the new one fits.
    while (e.queue.length > 0 && e.queuedBytes + size > this.params.queueBytes) {
      const old = e.queue.shift()!;
      const oldId = e.queueIds.shift() ?? null;
      e.queuedBytes -= old.length + SKB_TRUESIZE_OVERHEAD;
      this.host.countDrop('neigh-queue-full');
      this.host.sim.record(EV_DROP, `${this.host.name}:${this.name}`, oldId, 'neigh-queue-full');
    }
    e.queue.push(frame);
    e.queueIds.push(inId);
    e.queuedBytes += size;
  }

  /** Sends what waited for resolution (neigh_update's arp_queue flush). */
  private flush(e: NeighbourEntry): void {
    const q = e.queue;
    e.queue = [];
    e.queueIds = [];
    e.queuedBytes = 0;
    for (const f of q) this.output(e.iface, e.addr, e.key, f);
  }
}
