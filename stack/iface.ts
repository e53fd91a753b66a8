/**
 * Network interfaces: a name and index (lo is 1, as on Linux), a MAC, an MTU, flags, IPv4/IPv6 addresses, and the
 * medium it is attached to. Frames received go to the host's input path.
 */
import type { Host } from './host.js';
import type { Medium } from './link.js';
import { IFF_BROADCAST, IFF_LOOPBACK, IFF_LOWER_UP, IFF_MULTICAST, IFF_RUNNING, IFF_UP } from './constants.js';

/** An IPv4 address on an interface. */
export interface Ipv4Assignment {
  addr: number;
  prefixLen: number;
}

/** An IPv6 address on an interface. */
export interface Ipv6Assignment {
  addr: Uint8Array;
  prefixLen: number;
}

/** The netmask of a prefix length, as a uint32. */
export function prefixMask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** A host's interface. */
export class Interface {
  readonly ipv4: Ipv4Assignment[] = [];
  readonly ipv6: Ipv6Assignment[] = [];
  flags: number;
  medium: Medium | null = null;
  /** Frames and bytes counted as ifconfig does. */
  readonly stats = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, rxDropped: 0 };

  constructor(
    readonly host: Host,
    readonly name: string,
    readonly index: number,
    readonly mac: number,
    public mtu: number,
    readonly loopback: boolean,
  ) {
    this.flags = loopback
      ? IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP
      : IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP;
  }

  /** Whether the interface is administratively up. */
  get up(): boolean {
    return (this.flags & IFF_UP) !== 0;
  }

  /** Hands a frame to the medium (for lo: back to this interface). */
  send(frame: Uint8Array): void {
    this.stats.txPackets++;
    this.stats.txBytes += frame.length;
    if (this.medium) this.medium.transmit(this, frame);
    else this.host.countDrop('link-down');
  }

  /** A frame arrived from the medium. */
  receive(frame: Uint8Array, pktId: number): void {
    if (!this.up || !this.host.up) {
      this.stats.rxDropped++;
      this.host.countDrop(this.host.up ? 'link-down' : 'host-down');
      return;
    }
    this.stats.rxPackets++;
    this.stats.rxBytes += frame.length;
    this.host.receiveFrame(this, frame, pktId);
  }

  /** Whether `addr` is one of this interface's IPv4 addresses. */
  hasIpv4(addr: number): boolean {
    for (const a of this.ipv4) if (a.addr === addr) return true;
    return false;
  }

  /** The first IPv4 address, or undefined. */
  primaryIpv4(): number | undefined {
    return this.ipv4[0]?.addr;
  }
}
