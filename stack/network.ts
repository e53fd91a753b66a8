/**
 * A simulated network: the hosts, the links and switches between them, and the network-wide counters. This is the
 * entry point a scenario uses to build a topology and to disturb it at run time: partitions, crashes, link changes.
 *
 * A partition works like the iptables rules Jepsen installs on each node: every host on one side drops IP packets
 * whose source address belongs to a host on the other side (ARP still flows, as it does under iptables). Hosts in
 * neither side, such as routers in between, keep forwarding; the drop happens at the far end.
 */
import type { Sim } from '../sim/sim.js';
import { DropCounters, EV_LINK } from './events.js';
import { Host, type HostContext } from './host.js';
import { prefixMask, type Interface } from './iface.js';
import { Link } from './link.js';
import type { LinkParams } from './faults.js';
import { Switch, type SwitchOptions } from './switch.js';
import { addIpv4Address, addIpv6Address, addRoute, parseCidr4, parseCidr6, setDefaultGateway } from './ifconfig.js';
import { ipv6Equal } from './wire/addr.js';

/** Parses "a.b.c.d/len" (re-exported from ifconfig.ts for scenario code). */
export { parseCidr4 };

/** One end of a cable: the interface name, its MTU and its addresses in CIDR form ("10.0.0.1/24", "2001:db8::1/64"). */
export interface EndSpec {
  iface?: string;
  ipv4?: string | string[];
  ipv6?: string | string[];
}

/** A partition in force. */
interface Partition {
  a: Set<Host>;
  b: Set<Host>;
}

function list(x: string | string[] | undefined): string[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
}

/** The network of a run. */
export class Network implements HostContext {
  readonly hosts = new Map<string, Host>();
  readonly links: Link[] = [];
  readonly switches = new Map<string, Switch>();
  readonly drops = new DropCounters();
  private readonly partitions = new Map<number, Partition>();
  private partitionSeq = 0;
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
    if (this.hosts.has(name) || this.switches.has(name)) throw new Error(`duplicate host name "${name}"`);
    const h = new Host(this, name);
    this.hosts.set(name, h);
    return h;
  }

  /** Adds a router: a host that forwards IPv4 and IPv6 (net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=1). */
  addRouter(name: string): Host {
    const h = this.addHost(name);
    h.ipv4.forwarding = true;
    h.ipv6.forwarding = true;
    return h;
  }

  /** The host with this name (throws when there is none: a scenario bug). */
  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host named "${name}"`);
    return h;
  }

  /**
   * Assigns an IPv4 address to an interface and adds its connected route, as `ip addr add A/len brd + dev X` (or a
   * DHCP client) does: the subnet broadcast address is recorded for prefixes shorter than /31.
   */
  addIpv4(iface: Interface, cidr: string): void {
    const c = parseCidr4(cidr);
    if (!c) throw new Error(`bad IPv4 CIDR "${cidr}" (expected a.b.c.d/len)`);
    const m = prefixMask(c.prefixLen);
    const brd = c.prefixLen < 31 ? ((c.addr & m) | ~m) >>> 0 : undefined;
    if (addIpv4Address(iface, c.addr, c.prefixLen, brd) < 0) throw new Error(`${iface.label} already has ${cidr}`);
  }

  /** Assigns an IPv6 address to an interface and adds its prefix route, as `ip -6 addr add` does. */
  addIpv6(iface: Interface, cidr: string): void {
    const c = parseCidr6(cidr);
    if (!c) throw new Error(`bad IPv6 CIDR "${cidr}" (expected x::y/len)`);
    if (addIpv6Address(iface, c.addr, c.prefixLen) < 0) throw new Error(`${iface.label} already has ${cidr}`);
  }

  /** `ip route add dest [via gw] [dev iface]` on host; throws on a bad route (a scenario bug). */
  addRoute(host: Host, dest: string, via?: string, dev?: string): void {
    const r = addRoute(host, dest, via, dev);
    if (r < 0) throw new Error(`cannot add route ${dest} via ${via ?? '-'} dev ${dev ?? '-'} on ${host.name} (errno ${-r})`);
  }

  /** Sets host's default gateway (IPv4 or IPv6, by the address's text). */
  setDefaultGateway(host: Host, gw: string, dev?: string): void {
    const r = setDefaultGateway(host, gw, dev);
    if (r < 0) throw new Error(`cannot set default gateway ${gw} on ${host.name} (errno ${-r})`);
  }

  private configure(iface: Interface, end: EndSpec | undefined): void {
    for (const c of list(end?.ipv4)) this.addIpv4(iface, c);
    for (const c of list(end?.ipv6)) this.addIpv6(iface, c);
  }

  /** Connects two hosts with a new point-to-point link, creating an interface on each. */
  connect(a: Host, b: Host, params: Partial<LinkParams> = {}, ends: { a?: EndSpec; b?: EndSpec } = {}): Link {
    const mtu = params.mtu ?? 1500;
    const ia = a.addInterface(ends.a?.iface, mtu);
    const ib = b.addInterface(ends.b?.iface, mtu);
    const link = new Link(this, `${ia.label}-${ib.label}`, ia, ib, params);
    ia.medium = link;
    ib.medium = link;
    this.configure(ia, ends.a);
    this.configure(ib, ends.b);
    this.links.push(link);
    return link;
  }

  /** Adds an Ethernet switch (learning unless told otherwise). */
  addSwitch(name: string, opts: Partial<SwitchOptions> = {}): Switch {
    if (this.hosts.has(name) || this.switches.has(name)) throw new Error(`duplicate switch name "${name}"`);
    const sw = new Switch(this, name, opts);
    this.switches.set(name, sw);
    return sw;
  }

  /** Cables a new interface of host to a new port of sw; `params` describe the cable. */
  attach(host: Host, sw: Switch, params: Partial<LinkParams> = {}, end: EndSpec = {}): { iface: Interface; link: Link } {
    const iface = host.addInterface(end.iface, params.mtu ?? 1500);
    const port = sw.addPort();
    const link = new Link(this, `${iface.label}-${port.label}`, iface, port, params);
    iface.medium = link;
    port.link = link;
    this.configure(iface, end);
    this.links.push(link);
    return { iface, link };
  }

  /** The links between two hosts' interfaces (direct cables only). */
  linksBetween(a: Host, b: Host): Link[] {
    return this.links.filter((l) => {
      const ends = l.attached();
      return ends.some((e) => (e as Partial<Interface>).host === a) && ends.some((e) => (e as Partial<Interface>).host === b);
    });
  }

  /** Cuts IP traffic between every host of `a` and every host of `b` (both ways); returns a handle for `heal`. */
  partition(a: readonly Host[], b: readonly Host[]): number {
    const id = ++this.partitionSeq;
    this.partitions.set(id, { a: new Set(a), b: new Set(b) });
    this.sim.record(EV_LINK, 'network', 'partition', `${id}:${a.map((h) => h.name).join(',')}|${b.map((h) => h.name).join(',')}`);
    this.updateFilters();
    return id;
  }

  /** Heals one partition, or all of them. */
  heal(id?: number): void {
    if (id === undefined) this.partitions.clear();
    else this.partitions.delete(id);
    this.sim.record(EV_LINK, 'network', 'heal', id ?? null);
    this.updateFilters();
  }

  /** Crashes a host (see Host.crash). */
  crash(host: Host): void {
    host.crash();
  }

  /** Restarts a crashed host. */
  restart(host: Host): void {
    host.restart();
  }

  /** Installs on each host the filter its partitions imply (the hosts on the other sides). */
  private updateFilters(): void {
    for (const h of this.hosts.values()) {
      const blocked = new Set<Host>();
      for (const p of this.partitions.values()) {
        if (p.a.has(h)) for (const o of p.b) blocked.add(o);
        if (p.b.has(h)) for (const o of p.a) blocked.add(o);
      }
      blocked.delete(h);
      if (blocked.size === 0) {
        h.ipv4.filter = null;
        h.ipv6.filter = null;
        continue;
      }
      const others = [...blocked];
      h.ipv4.filter = (src) => others.some((o) => o.interfaces.some((i) => !i.loopback && i.hasIpv4(src)));
      h.ipv6.filter = (src) => others.some((o) => o.interfaces.some((i) => !i.loopback && i.ipv6.some((x) => ipv6Equal(x.addr, src))));
    }
  }
}
