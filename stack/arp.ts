/**
 * ARP (RFC 826) for one host, as Linux's net/ipv4/arp.c does it with default sysctls (arp_ignore 0, arp_announce 0,
 * arp_accept 0, arp_filter 0):
 *   - a request for any of the host's addresses, on any interface (the weak host model), is answered, and the
 *     asker is entered in the cache as STALE;
 *   - a reply, or a request not for us, only updates an entry that already exists (unsolicited ARP is not
 *     believed); a unicast reply makes it REACHABLE, anything else STALE; within locktime (1 s) of the last change a
 *     different MAC is ignored, so the first of several answers wins;
 *   - a request's sender address is the source of the packet waiting for resolution when that address is ours,
 *     else the interface's address on the target's subnet.
 * Resolution failures (3 s, see neighbour.ts) come back to the sender as ICMP host unreachable, as
 * arp_error_report → icmp_send does, so connect() and ping see EHOSTUNREACH.
 */
import { EV_DROP } from './events.js';
import type { Host } from './host.js';
import { prefixMask, type Interface } from './iface.js';
import { NeighbourTable, type NeighbourEntry, type NeighbourProtocol } from './neighbour.js';
import { WireError } from './wire/errors.js';
import { ARP_LEN, ARP_REPLY, ARP_REQUEST, emitArpInto, parseArp, type ArpRepr } from './wire/arp.js';
import { emitEthernetHeaderInto, ETHERNET_HEADER_LEN, ETHERTYPE_ARP, MAC_BROADCAST } from './wire/ethernet.js';
import { readU32 } from './wire/bytes.js';
import { ICMPV4_DEST_UNREACH } from './wire/icmpv4.js';

/** ICMP destination unreachable code "host unreachable" (RFC 792). */
const ICMP_HOST_UNREACH = 1;
/** neigh/default/locktime: 1 s. */
const LOCKTIME_NS = 1e9;

/** ARP of one host. */
export class Arp implements NeighbourProtocol {
  readonly table: NeighbourTable;
  /** Requests and replies sent and received. */
  readonly stats = { requestsSent: 0, repliesSent: 0, requestsReceived: 0, repliesReceived: 0 };

  constructor(readonly host: Host) {
    this.table = new NeighbourTable(host, 'arp', this);
  }

  /** Sends an Ethernet frame carrying an IPv4 packet to nextHop on iface, resolving its MAC first if needed. */
  output(iface: Interface, nextHop: number, frame: Uint8Array, inId: number | null = null): void {
    this.table.outputTo(iface, nextHop, frame, inId);
  }

  /** An ARP packet arrived on iface (arp_process). */
  input(iface: Interface, payload: Uint8Array, pktId: number, toUs: boolean): void {
    let arp: ArpRepr;
    try {
      arp = parseArp(payload);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      return this.drop(pktId, 'malformed');
    }
    if (iface.loopback) return this.drop(pktId, 'not-for-us'); // IFF_NOARP
    const { senderIp: sip, targetIp: tip } = arp;
    if (isMulticast(tip) || isMulticast(sip) || (tip >>> 24) === 127) return this.drop(pktId, 'martian');
    if (arp.op === ARP_REQUEST) this.stats.requestsReceived++;
    else this.stats.repliesReceived++;
    const ipv4 = this.host.ipv4;
    if (sip === 0) {
      // Duplicate address detection probe (RFC 5227): answer if it asks for one of ours, learn nothing.
      if (arp.op === ARP_REQUEST && ipv4.isLocal(tip)) this.send(iface, ARP_REPLY, arp.senderMac, tip, arp.senderMac, 0);
      return;
    }
    if (arp.op === ARP_REQUEST && ipv4.isLocal(tip)) {
      this.table.update(iface, sip, String(sip), arp.senderMac, { state: 'stale', override: true, create: true });
      this.send(iface, ARP_REPLY, arp.senderMac, tip, arp.senderMac, sip);
      return;
    }
    const e = this.table.get(iface, String(sip));
    if (!e) return;
    const isGarp = sip === tip;
    const override = this.host.sim.now > e.updated + LOCKTIME_NS || isGarp;
    // Broadcast replies and requests do not prove reachability.
    const state = arp.op === ARP_REPLY && toUs ? 'reachable' : 'stale';
    this.table.update(iface, sip, String(sip), arp.senderMac, { state, override, create: false });
  }

  /** arp_solicit: a request for e's address, broadcast (or unicast to `mac` when probing). */
  solicit(e: NeighbourEntry, mac: number | null, trigger: Uint8Array | undefined): void {
    const target = e.addr as number;
    let saddr = 0;
    if (trigger && trigger.length >= ETHERNET_HEADER_LEN + 20) {
      const src = readU32(trigger, ETHERNET_HEADER_LEN + 12);
      if (e.iface.hasIpv4(src) || this.host.ipv4.isLocal(src)) saddr = src;
    }
    if (!saddr) saddr = selectAddrOnLink(e.iface, target) ?? this.host.ipv4.anyAddress() ?? 0;
    this.send(e.iface, ARP_REQUEST, mac ?? MAC_BROADCAST, saddr, 0, target);
  }

  /** Resolution failed: each waiting packet is answered with ICMP host unreachable from ourselves. */
  failed(_e: NeighbourEntry, frames: Uint8Array[], ids: (number | null)[]): void {
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      this.host.countDrop('no-neighbour');
      this.host.sim.record(EV_DROP, `${this.host.name}:arp`, ids[i] ?? null, 'no-neighbour');
      this.host.icmp.sendError(f.subarray(ETHERNET_HEADER_LEN), ICMPV4_DEST_UNREACH, ICMP_HOST_UNREACH, 0, true);
    }
  }

  /** Forgets the cache (host crash). */
  reset(): void {
    this.table.reset();
  }

  private send(iface: Interface, op: 1 | 2, dstMac: number, senderIp: number, targetMac: number, targetIp: number): void {
    const frame = new Uint8Array(ETHERNET_HEADER_LEN + ARP_LEN);
    emitEthernetHeaderInto(dstMac, iface.mac, ETHERTYPE_ARP, frame, 0);
    emitArpInto({ op, senderMac: iface.mac, senderIp, targetMac, targetIp }, frame, ETHERNET_HEADER_LEN);
    if (op === ARP_REQUEST) this.stats.requestsSent++;
    else this.stats.repliesSent++;
    iface.send(frame);
  }

  private drop(pktId: number, reason: string): void {
    this.host.countDrop(reason);
    this.host.sim.record(EV_DROP, `${this.host.name}:arp`, pktId, reason);
  }
}

function isMulticast(a: number): boolean {
  return a >>> 28 === 0xe;
}

/** inet_select_addr(dev, dst, RT_SCOPE_LINK): the interface's address on dst's subnet, else its first. */
export function selectAddrOnLink(iface: Interface, dst: number): number | undefined {
  for (const a of iface.ipv4) {
    if (a.secondary) continue; // inet_select_addr only considers primary addresses
    const m = prefixMask(a.prefixLen);
    if (((a.addr ^ dst) & m) >>> 0 === 0) return a.addr;
  }
  return iface.primaryIpv4();
}
