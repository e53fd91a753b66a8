/**
 * IPv6 neighbour discovery, address resolution part (RFC 4861 §7), as Linux's net/ipv6/ndisc.c:
 *   - a neighbour solicitation goes to the target's solicited-node multicast group (§7.2.2), hop limit 255, with our
 *     MAC in a source link-layer address option; its source is the waiting packet's source when that address is on
 *     the interface, else the interface's link-local address; PROBE-state solicitations are unicast (§7.3.3);
 *   - a solicitation for an address of the receiving interface is answered with a solicited, override
 *     advertisement carrying our MAC (§7.2.4), and the asker is cached as STALE (§7.2.3); a DAD probe (source ::) is
 *     answered to all-nodes with the solicited flag clear;
 *   - an advertisement only updates an existing entry: REACHABLE when solicited, else STALE, and a different MAC
 *     replaces the known one only with the override flag (§7.2.5);
 *   - messages with a hop limit other than 255, a code other than 0, or a multicast target are dropped (§7.1).
 * Resolution failures come back to the sender as ICMPv6 address unreachable (ndisc_error_report).
 * Router and prefix discovery (RS/RA, SLAAC beyond link-local) and redirects are not implemented.
 */
import { EV_DROP } from './events.js';
import type { Host } from './host.js';
import { IPV6_ALL_NODES, type Interface } from './iface.js';
import type { Ipv6Meta } from './ipv6.js';
import { NeighbourTable, type NeighbourEntry, type NeighbourProtocol } from './neighbour.js';
import { IPPROTO_ICMPV6 } from './constants.js';
import { ipv6Equal, ipv6SolicitedNode, ipv6ToString, isIpv6Multicast, IPV6_UNSPECIFIED } from './wire/addr.js';
import { ETHERNET_HEADER_LEN } from './wire/ethernet.js';
import {
  emitIcmpv6, ndpLinkAddr, ICMPV6_DEST_UNREACH, ICMPV6_NEIGHBOR_ADVERT, ICMPV6_NEIGHBOR_SOLICIT,
  type Icmpv6NeighborAdvert, type Icmpv6NeighborSolicit,
} from './wire/icmpv6.js';

/** ICMPv6 destination unreachable code "address unreachable" (RFC 4443 §3.1). */
const ADDR_UNREACH = 3;
/** Hop limit every ND message carries and requires (RFC 4861 §7.1). */
const ND_HOP_LIMIT = 255;

/** Neighbour discovery of one host. */
export class Ndisc implements NeighbourProtocol {
  readonly table: NeighbourTable;
  /** Solicitations and advertisements sent and received. */
  readonly stats = { nsSent: 0, naSent: 0, nsReceived: 0, naReceived: 0 };

  constructor(readonly host: Host) {
    this.table = new NeighbourTable(host, 'ndisc', this);
  }

  /** Sends a frame carrying an IPv6 packet to the neighbour nextHop on iface, resolving its MAC first if needed. */
  output(iface: Interface, nextHop: Uint8Array, frame: Uint8Array, inId: number | null = null): void {
    this.table.output(iface, nextHop.slice(), ipv6ToString(nextHop), frame, inId);
  }

  /** A neighbour solicitation or advertisement arrived (from icmpv6.ts, checksum already verified). */
  input(meta: Ipv6Meta, m: Icmpv6NeighborSolicit | Icmpv6NeighborAdvert): void {
    if (meta.hopLimit !== ND_HOP_LIMIT || m.code !== 0 || isIpv6Multicast(m.target)) return this.drop(meta.pktId, 'malformed');
    if (m.type === ICMPV6_NEIGHBOR_SOLICIT) return this.solicitation(meta, m as Icmpv6NeighborSolicit);
    this.advertisement(meta, m as Icmpv6NeighborAdvert);
  }

  /** ndisc_recv_ns. */
  private solicitation(meta: Ipv6Meta, m: Icmpv6NeighborSolicit): void {
    this.stats.nsReceived++;
    const iface = meta.iface;
    const lladdr = ndpLinkAddr(m.options, 'sourceLinkAddr');
    const dad = ipv6Equal(meta.src, IPV6_UNSPECIFIED);
    if (dad && (lladdr !== null || !ipv6Equal(meta.dst, ipv6SolicitedNode(m.target)))) return this.drop(meta.pktId, 'malformed');
    if (!iface.hasIpv6(m.target)) return; // not ours (no proxy ND)
    if (dad) return this.advertise(iface, IPV6_ALL_NODES, m.target, false);
    if (lladdr !== null) {
      const src = meta.src.slice();
      this.table.update(iface, src, ipv6ToString(src), lladdr, { state: 'stale', override: true, weakOverride: true, create: true });
    }
    this.advertise(iface, meta.src.slice(), m.target, true);
  }

  /** ndisc_recv_na. */
  private advertisement(meta: Ipv6Meta, m: Icmpv6NeighborAdvert): void {
    this.stats.naReceived++;
    if (isIpv6Multicast(meta.dst) && m.solicited) return this.drop(meta.pktId, 'malformed');
    const lladdr = ndpLinkAddr(m.options, 'targetLinkAddr');
    if (lladdr === null) return; // without the option there is nothing to learn for an Ethernet neighbour
    const target = m.target.slice();
    this.table.update(meta.iface, target, ipv6ToString(target), lladdr, {
      state: m.solicited ? 'reachable' : 'stale', override: m.override, weakOverride: true, create: false,
    });
  }

  /** ndisc_send_na: an advertisement for our `target` to `dst`, with our MAC. */
  private advertise(iface: Interface, dst: Uint8Array, target: Uint8Array, solicited: boolean): void {
    const src = target.slice();
    const msg = emitIcmpv6({
      type: ICMPV6_NEIGHBOR_ADVERT, code: 0, router: this.host.ipv6.forwarding, solicited, override: true,
      target: src, options: [{ kind: 'targetLinkAddr', mac: iface.mac }],
    }, src, dst);
    this.stats.naSent++;
    this.host.ipv6.output({ src, dst, nextHeader: IPPROTO_ICMPV6, payload: msg, hopLimit: ND_HOP_LIMIT, oif: iface.index });
  }

  /** ndisc_solicit: multicast to the solicited-node group, or unicast to `mac` when probing. */
  solicit(e: NeighbourEntry, mac: number | null, trigger: Uint8Array | undefined): void {
    const target = e.addr as Uint8Array;
    const iface = e.iface;
    let src: Uint8Array | undefined;
    if (trigger && trigger.length >= ETHERNET_HEADER_LEN + 40) {
      const s = trigger.subarray(ETHERNET_HEADER_LEN + 8, ETHERNET_HEADER_LEN + 24);
      if (iface.hasIpv6(s)) src = s.slice();
    }
    src ??= iface.linkLocal6();
    if (!src) return;
    const dst = mac !== null ? target : ipv6SolicitedNode(target);
    const msg = emitIcmpv6({
      type: ICMPV6_NEIGHBOR_SOLICIT, code: 0, target, options: [{ kind: 'sourceLinkAddr', mac: iface.mac }],
    }, src, dst);
    this.stats.nsSent++;
    this.host.ipv6.output({ src, dst, nextHeader: IPPROTO_ICMPV6, payload: msg, hopLimit: ND_HOP_LIMIT, oif: iface.index });
  }

  /** Resolution failed: each waiting packet is answered with ICMPv6 address unreachable. */
  failed(_e: NeighbourEntry, frames: Uint8Array[], ids: (number | null)[]): void {
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      this.host.countDrop('no-neighbour');
      this.host.sim.record(EV_DROP, `${this.host.name}:ndisc`, ids[i] ?? null, 'no-neighbour');
      this.host.icmp6.sendError(f.subarray(ETHERNET_HEADER_LEN), ICMPV6_DEST_UNREACH, ADDR_UNREACH, 0, { local: true });
    }
  }

  /** Forgets the cache (host crash). */
  reset(): void {
    this.table.reset();
  }

  private drop(pktId: number, reason: string): void {
    this.host.countDrop(reason);
    this.host.sim.record(EV_DROP, `${this.host.name}:ndisc`, pktId, reason);
  }
}

