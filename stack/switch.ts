/**
 * An Ethernet switch: a shared segment whose ports are each cabled to one host interface by a `Link` (so every
 * cable has its own latency, rate and faults). A learning switch (IEEE 802.1D §7.8, as a Linux bridge) remembers
 * which port each source MAC was seen on for `agingNs` (bridge ageing_time, 300 s) and sends unicast frames only
 * there; unknown unicast, broadcast and multicast frames are flooded to every other port. A non-learning switch
 * (a hub, or a bridge with ageing_time 0) floods everything.
 */
import { EV_DROP } from './events.js';
import type { Endpoint, Link, LinkContext } from './link.js';
import { readMac } from './wire/bytes.js';

/** Switch options. */
export interface SwitchOptions {
  /** Learn source MACs (default true); false floods every frame, like a hub. */
  learning: boolean;
  /** How long a learned MAC is kept without being seen again (default 300 s, Linux's bridge ageing_time). */
  agingNs: number;
  /** Store-and-forward processing delay per frame (default 0). */
  forwardDelayNs: number;
}

/** One port of a switch. */
export class SwitchPort implements Endpoint {
  /** The cable to the attached interface. */
  link: Link | null = null;

  constructor(readonly sw: Switch, readonly index: number) {}

  /** "switch:pN". */
  get label(): string {
    return `${this.sw.name}:p${this.index}`;
  }

  receive(frame: Uint8Array, pktId: number): void {
    this.sw.forward(this, frame, pktId);
  }

  /** Sends a frame out of this port. */
  send(frame: Uint8Array): void {
    this.link?.transmit(this, frame);
  }
}

/** A learning (or flooding) Ethernet switch. */
export class Switch {
  readonly ports: SwitchPort[] = [];
  readonly opts: SwitchOptions;
  /** Learned MAC → port and when it was last seen. */
  private readonly fdb = new Map<number, { port: SwitchPort; seen: number }>();
  /** Frames forwarded to one port, flooded, and filtered (destination on the ingress port). */
  readonly stats = { forwarded: 0, flooded: 0, filtered: 0 };

  constructor(readonly ctx: LinkContext, readonly name: string, opts: Partial<SwitchOptions> = {}) {
    this.opts = { learning: true, agingNs: 300e9, forwardDelayNs: 0, ...opts };
  }

  /** Adds a port (cable it with a Link). */
  addPort(): SwitchPort {
    const p = new SwitchPort(this, this.ports.length + 1);
    this.ports.push(p);
    return p;
  }

  /** The port a MAC was learned on, if it is still fresh. */
  lookup(mac: number): SwitchPort | undefined {
    const e = this.fdb.get(mac);
    if (!e || this.ctx.sim.now - e.seen > this.opts.agingNs) return undefined;
    return e.port;
  }

  /** Forgets every learned MAC (a switch reboot, or `bridge fdb flush`). */
  flush(): void {
    this.fdb.clear();
  }

  /** @internal A frame came in on `from`. */
  forward(from: SwitchPort, frame: Uint8Array, pktId: number): void {
    const sim = this.ctx.sim;
    if (frame.length < 14) {
      this.ctx.countDrop('malformed');
      if (sim.sink) sim.sink.push([EV_DROP, sim.now, this.name, pktId, 'malformed']);
      return;
    }
    const dst = readMac(frame, 0);
    const src = readMac(frame, 6);
    const srcGroup = frame[6]! & 1;
    if (this.opts.learning && !srcGroup) this.fdb.set(src, { port: from, seen: sim.now });
    const group = (frame[0]! & 1) !== 0;
    const out = this.opts.learning && !group ? this.lookup(dst) : undefined;
    const send = (): void => {
      if (out) {
        if (out === from) {
          this.stats.filtered++;
          this.ctx.countDrop('filtered');
          if (sim.sink) sim.sink.push([EV_DROP, sim.now, this.name, pktId, 'filtered']);
          return;
        }
        this.stats.forwarded++;
        out.send(frame);
        return;
      }
      this.stats.flooded++;
      for (const p of this.ports) if (p !== from) p.send(frame);
    };
    if (this.opts.forwardDelayNs > 0) sim.after(this.opts.forwardDelayNs, send);
    else send();
  }
}
