/**
 * Network interfaces: a name and index (lo is 1, as on Linux), a MAC, an MTU, flags, IPv4/IPv6 addresses, and the
 * medium it is attached to. Frames received go to the host's input path.
 *
 * Every non-loopback interface gets an EUI-64 link-local address at creation, as Linux's addrconf does with
 * addr_gen_mode 0 (RFC 4291 §2.5.1, RFC 4862 §5.3). Duplicate address detection is not run: addresses are usable at
 * once, as with `nodad` (or accept_dad=0).
 */
import type { Host } from './host.js';
import type { Endpoint, Medium } from './link.js';
import { IFF_BROADCAST, IFF_LOOPBACK, IFF_LOWER_UP, IFF_MULTICAST, IFF_RUNNING, IFF_UP } from './constants.js';
import { ipv4MulticastMac, ipv6Equal, ipv6SolicitedNode, ipv6MulticastMac } from './wire/addr.js';
import { MAC_BROADCAST } from './wire/ethernet.js';

/** An IPv4 address on an interface. */
export interface Ipv4Assignment {
  addr: number;
  prefixLen: number;
  /** IFA_BROADCAST: set by `ip addr add … brd +` (and DHCP clients); absent for a plain `ip addr add`. */
  broadcast?: number;
  /** IFA_F_SECONDARY: another address of the same subnet was there first. */
  secondary?: boolean;
}

/** RFC 4291 scopes as Linux reports them (rtnetlink ifa_scope: RT_SCOPE_UNIVERSE 0, LINK 253, HOST 254). */
export type Ipv6Scope = 'global' | 'link' | 'host';

/** An IPv6 address on an interface. */
export interface Ipv6Assignment {
  addr: Uint8Array;
  prefixLen: number;
  scope: Ipv6Scope;
}

/** The netmask of a prefix length, as a uint32. */
export function prefixMask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** The scope of an IPv6 unicast address: ::1 host, fe80::/10 link, everything else global (RFC 4291 §2.5). */
export function ipv6Scope(a: Uint8Array): Ipv6Scope {
  if (a[0] === 0xfe && (a[1]! & 0xc0) === 0x80) return 'link';
  let loop = a[15] === 1;
  for (let i = 0; i < 15 && loop; i++) if (a[i] !== 0) loop = false;
  return loop ? 'host' : 'global';
}

/** Whether the first `len` bits of a and b agree. */
export function ipv6PrefixMatch(a: Uint8Array, b: Uint8Array, len: number): boolean {
  const whole = len >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = len & 7;
  if (rest === 0) return true;
  const m = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & m) === (b[whole]! & m);
}

/** The EUI-64 link-local address of a MAC: fe80::, then the MAC with U/L bit flipped and ff:fe inserted (RFC 4291 App. A). */
export function linkLocalFromMac(mac: number): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0xfe;
  a[1] = 0x80;
  const hi = Math.floor(mac / 0x1000000);
  const lo = mac % 0x1000000;
  a[8] = ((hi >>> 16) & 0xff) ^ 0x02;
  a[9] = (hi >>> 8) & 0xff;
  a[10] = hi & 0xff;
  a[11] = 0xff;
  a[12] = 0xfe;
  a[13] = (lo >>> 16) & 0xff;
  a[14] = (lo >>> 8) & 0xff;
  a[15] = lo & 0xff;
  return a;
}

/** 224.0.0.1, the all-systems group every multicast-capable interface is in (RFC 1112 §4). */
export const ALL_SYSTEMS = 0xe0000001;
/** ff02::1, the all-nodes group every IPv6 interface joins (RFC 4291 §2.7.1). */
export const IPV6_ALL_NODES = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
/** ff02::2, the all-routers group a forwarding interface joins (RFC 4291 §2.7.1). */
export const IPV6_ALL_ROUTERS = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);

/** A host's interface. */
export class Interface implements Endpoint {
  readonly ipv4: Ipv4Assignment[] = [];
  readonly ipv6: Ipv6Assignment[] = [];
  /**
   * IPv4 groups sockets joined on this interface, with how many memberships hold each (ip_mc_inc_group /
   * ip_mc_dec_group); 224.0.0.1 is always joined besides these (RFC 1112 §4). stack/multicast.ts keeps them.
   */
  readonly groups4 = new Map<number, number>();
  /** IPv6 groups sockets joined (IPV6_JOIN_GROUP), by text, with their user counts (__ipv6_dev_mc_inc). */
  readonly joined6 = new Map<string, { addr: Uint8Array; users: number }>();
  flags: number;
  medium: Medium | null = null;
  /** Frames and bytes counted as ifconfig does. */
  readonly stats = { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, rxDropped: 0, txDropped: 0 };

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
    if (!loopback) this.ipv6.push({ addr: linkLocalFromMac(mac), prefixLen: 64, scope: 'link' });
  }

  /** "host:iface", as recordings name it. */
  get label(): string {
    // Built once: every transmitted and received frame's event names it.
    return (this.labelText ??= `${this.host.name}:${this.name}`);
  }

  private labelText: string | undefined;

  /** Whether the interface is administratively up. */
  get up(): boolean {
    return (this.flags & IFF_UP) !== 0;
  }

  /** Hands a frame to the medium (for lo: back to this interface). */
  send(frame: Uint8Array): void {
    if (!this.up || !this.medium) {
      this.stats.txDropped++;
      this.host.countDrop('link-down');
      return;
    }
    this.stats.txPackets++;
    this.stats.txBytes += frame.length;
    this.medium.transmit(this, frame);
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

  /**
   * Whether the NIC takes a frame sent to `mac`: its own address, broadcast, or the MAC of a group it is in (the
   * device's multicast filter that dev_mc_add programs; groups sharing a MAC all pass, IP then tells them apart).
   */
  acceptsMac(mac: number): boolean {
    if (mac === this.mac || mac === MAC_BROADCAST || this.loopback) return true;
    if (Math.floor(mac / 0x10000000000) % 2 === 0) return false; // I/G bit clear: someone else's unicast
    if (mac === ipv4MulticastMac(ALL_SYSTEMS)) return true; // joined by every multicast interface (RFC 1112 §4)
    for (const g of this.groups4.keys()) if (ipv4MulticastMac(g) === mac) return true;
    for (const g of this.groups6()) if (ipv6MulticastMac(g) === mac) return true;
    return false;
  }

  /** Whether this interface is in IPv4 group g: 224.0.0.1 always, others while a socket holds them (ip_check_mc_rcu). */
  inGroup4(g: number): boolean {
    return g === ALL_SYSTEMS || this.groups4.has(g);
  }

  /**
   * The IPv6 groups this interface is in: all-nodes, all-routers when forwarding, solicited-node of each address
   * (lo takes every multicast packet here, so only the groups sockets joined are listed for it), then joined ones.
   */
  groups6(): Uint8Array[] {
    const out: Uint8Array[] = this.loopback ? [] : [IPV6_ALL_NODES];
    if (this.host.ipv6.forwarding && !this.loopback) out.push(IPV6_ALL_ROUTERS);
    for (const a of this.loopback ? [] : this.ipv6) {
      const sn = ipv6SolicitedNode(a.addr);
      if (!out.some((g) => ipv6Equal(g, sn))) out.push(sn);
    }
    for (const g of this.joined6.values()) if (!out.some((x) => ipv6Equal(x, g.addr))) out.push(g.addr);
    return out;
  }

  /** Whether this interface is in IPv6 multicast group g. */
  inGroup6(g: Uint8Array): boolean {
    for (const x of this.groups6()) if (ipv6Equal(x, g)) return true;
    return false;
  }

  /** Whether `addr` is one of this interface's IPv4 addresses. */
  hasIpv4(addr: number): boolean {
    for (const a of this.ipv4) if (a.addr === addr) return true;
    return false;
  }

  /** Whether `addr` is one of this interface's IPv6 addresses. */
  hasIpv6(addr: Uint8Array): boolean {
    for (const a of this.ipv6) if (ipv6Equal(a.addr, addr)) return true;
    return false;
  }

  /** The first primary IPv4 address, or undefined. */
  primaryIpv4(): number | undefined {
    return this.ipv4.find((a) => !a.secondary)?.addr;
  }

  /** The link-local IPv6 address, or undefined (lo has none). */
  linkLocal6(): Uint8Array | undefined {
    return this.ipv6.find((a) => a.scope === 'link')?.addr;
  }
}
