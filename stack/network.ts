/**
 * A simulated network: the hosts, the links between them, and the network-wide counters. This is the entry point a
 * scenario uses to build a topology.
 */
import type { Sim } from '../sim/sim.js';
import { DropCounters } from './events.js';
import { Host, type HostContext } from './host.js';
import type { Interface } from './iface.js';
import { Link } from './link.js';
import type { LinkParams } from './faults.js';
import { ipv4FromString } from './wire/addr.js';

/** One side of a `connect` call: the interface name and its address in CIDR form ("10.0.0.1/24"). */
export interface EndSpec {
  iface?: string;
  ipv4?: string;
}

/** Parses "a.b.c.d/len"; throws on bad input (topology building is programmer input, not a syscall). */
export function parseCidr4(s: string): { addr: number; prefixLen: number } {
  const [a, l] = s.split('/');
  const addr = ipv4FromString(a ?? '');
  const prefixLen = l === undefined ? 32 : Number(l);
  if (addr === null || !Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) {
    throw new Error(`bad IPv4 CIDR "${s}" (expected a.b.c.d/len)`);
  }
  return { addr, prefixLen };
}

/** The network of a run. */
export class Network implements HostContext {
  readonly hosts = new Map<string, Host>();
  readonly links: Link[] = [];
  readonly drops = new DropCounters();
  private macCounter = 0;
  private packetCounter = 0;

  constructor(readonly sim: Sim) {}

  nextMac(): number {
    // Locally administered unicast (02:…): 02:00:00:00:00:01, 02:00:00:00:00:02, …
    return 0x020000000000 + ++this.macCounter;
  }

  nextPacketId(): number {
    return ++this.packetCounter;
  }

  countDrop(reason: string): void {
    this.drops.add(reason);
  }

  /** Frames handed to media so far. */
  get packetsSent(): number {
    return this.packetCounter;
  }

  /** Adds a host. */
  addHost(name: string): Host {
    if (this.hosts.has(name)) throw new Error(`duplicate host name "${name}"`);
    const h = new Host(this, name);
    this.hosts.set(name, h);
    return h;
  }

  /** The host with this name (throws when there is none: a scenario bug). */
  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host named "${name}"`);
    return h;
  }

  /** Assigns an IPv4 address to an interface and adds its connected route, as `ip addr add` does. */
  addIpv4(iface: Interface, cidr: string): void {
    const { addr, prefixLen } = parseCidr4(cidr);
    iface.ipv4.push({ addr, prefixLen });
    iface.host.ipv4.routes.add({ dest: addr, prefixLen, gateway: 0, iface, prefSrc: addr });
  }

  /** Connects two hosts with a new point-to-point link, creating an interface on each. */
  connect(a: Host, b: Host, params: Partial<LinkParams> = {}, ends: { a?: EndSpec; b?: EndSpec } = {}): Link {
    const mtu = params.mtu ?? 1500;
    const ia = a.addInterface(ends.a?.iface, mtu);
    const ib = b.addInterface(ends.b?.iface, mtu);
    const link = new Link(this, `${a.name}:${ia.name}-${b.name}:${ib.name}`, ia, ib, params);
    ia.medium = link;
    ib.medium = link;
    if (ends.a?.ipv4) this.addIpv4(ia, ends.a.ipv4);
    if (ends.b?.ipv4) this.addIpv4(ib, ends.b.ipv4);
    this.links.push(link);
    return link;
  }
}
