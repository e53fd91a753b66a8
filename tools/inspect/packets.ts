/**
 * Following packets through a recording. Each 'tx' event has its own packet id, so a packet that a switch floods or
 * a router forwards shows up again under new ids on other links. The tracker recognises such copies by the
 * packet's hop-invariant identity (see frames.ts) sent from another endpoint, and ties their deliveries and drops
 * to the original, so a connection is analysed once, at its sender, as tcpdump on the sending host would see it.
 */
import type { Ns } from './model.js';

/** How long a packet's identity is remembered for matching copies (a forward takes far less). */
const COPY_WINDOW_NS = 10e9;

/** One packet as first sent, with the deliveries and drop of it and its forwarded copies. */
export interface PacketRecord<T> {
  t: Ns;
  link: string;
  /** The sending endpoint's label ("client1:eth0"). */
  sender: string;
  /** rx events of the packet and its copies: [time, receiving endpoint label]. */
  arrivals: [Ns, string][];
  /** The first drop of it or of a copy. */
  drop: { t: Ns; where: string; reason: string } | null;
  copies: number;
  /** What the analysis hangs on it (a TCP segment row, a UDP flow…). */
  data: T | null;
}

/** The host part of an endpoint label: "client1:eth0" → "client1", "sw:p2" → "sw". */
export function hostOfLabel(label: string): string {
  const i = label.lastIndexOf(':');
  return i < 0 ? label : label.slice(0, i);
}

/** Tracks packets, their forwarded copies, deliveries and drops. */
export class PacketTracker<T> {
  private readonly byPktId = new Map<number, PacketRecord<T>>();
  private readonly byIdentity = new Map<string, PacketRecord<T>>();
  /** Hosts (switches, routers) that sent a copy of someone else's packet. */
  readonly forwarders = new Set<string>();
  copies = 0;

  /**
   * A frame was handed to a link. Returns its record and whether it is a copy of an earlier packet: the same
   * identity sent from another endpoint shortly after. The same identity from the same endpoint is a new packet
   * (a retransmission that happens to be byte-identical).
   */
  sent(t: Ns, link: string, sender: string, pktId: number, identity: string): { rec: PacketRecord<T>; copy: boolean } {
    if (identity !== '') {
      const prev = this.byIdentity.get(identity);
      if (prev && prev.sender !== sender && t - prev.t <= COPY_WINDOW_NS) {
        prev.copies++;
        this.copies++;
        this.forwarders.add(hostOfLabel(sender));
        this.byPktId.set(pktId, prev);
        return { rec: prev, copy: true };
      }
    }
    const rec: PacketRecord<T> = { t, link, sender, arrivals: [], drop: null, copies: 0, data: null };
    this.byPktId.set(pktId, rec);
    if (identity !== '') this.byIdentity.set(identity, rec);
    return { rec, copy: false };
  }

  /** A frame was delivered to an endpoint. */
  delivered(t: Ns, at: string, pktId: number): PacketRecord<T> | undefined {
    const rec = this.byPktId.get(pktId);
    rec?.arrivals.push([t, at]);
    return rec;
  }

  /** A frame (or the packet it carried) was dropped. */
  dropped(t: Ns, where: string, pktId: number, reason: string): PacketRecord<T> | undefined {
    const rec = this.byPktId.get(pktId);
    if (rec && !rec.drop) rec.drop = { t, where, reason };
    return rec;
  }

  /**
   * When the packet reached its destination host: the first delivery there when that host is known, else the first
   * delivery to a host that does not forward. Null when it never arrived.
   */
  arrival(rec: PacketRecord<T>, dstHost: string | null): Ns | null {
    for (const [t, at] of rec.arrivals) {
      const h = hostOfLabel(at);
      if (dstHost !== null ? h === dstHost : !this.forwarders.has(h)) return t;
    }
    return null;
  }
}
