/**
 * One simulated host: its interfaces (lo first, index 1), IPv4 layer, transport protocols, processes and their fd
 * tables. A host can crash (processes and sockets vanish, frames to it are dropped) and restart.
 */
import type { Sim } from '../sim/sim.js';
import type { Process } from '../sim/process.js';
import { EV_DROP, EV_HOST, DropCounters } from './events.js';
import { LINUX_PROFILE, type StackProfile } from './profiles.js';
import { Interface } from './iface.js';
import { Ipv4Layer } from './ipv4.js';
import { LoopbackMedium, type Link, type LinkContext } from './link.js';
import { UdpLayer } from './udp.js';
import { FdTable } from './fd.js';
import { Sys, type SocketFactory } from './sys.js';
import { AF_INET, IPPROTO_UDP, SOCK_DGRAM } from './constants.js';
import { Errno } from './errno.js';
import { UdpSocket } from './udp-socket.js';
import { unixSocket } from './unix/index.js';
import type { Ipv4Meta } from './ipv4.js';
import { WireError } from './wire/errors.js';
import { parseEthernet, ETHERTYPE_IPV4, MAC_BROADCAST, type EthernetRepr } from './wire/ethernet.js';

/** What a host needs from the network it lives in. */
export interface HostContext extends LinkContext {
  /** Allocates a MAC address (locally administered, unique in the network). */
  nextMac(): number;
}

/** A simulated process body: gets the syscall interface bound to itself. */
export type ProcessBody = (sys: Sys) => Promise<unknown>;

/** A simulated host. */
export class Host {
  readonly interfaces: Interface[] = [];
  readonly loopback: Interface;
  readonly ipv4: Ipv4Layer;
  readonly udp: UdpLayer;
  readonly drops = new DropCounters();
  /** Fd tables of live processes, by pid. */
  readonly fdTables = new Map<number, FdTable>();
  /** socket(2) constructors by address family; protocols register themselves here. */
  readonly socketFactories = new Map<number, SocketFactory>();
  /** Called for a UDP datagram no socket wants (ICMP port unreachable goes here). */
  udpNoPort: ((meta: Ipv4Meta, udp: Uint8Array) => void) | null = null;
  /** Linux, or a deviation profile a scenario chose (stack/profiles.ts). */
  profile: StackProfile = LINUX_PROFILE;
  up = true;
  /** Bumped at every restart, so state from before a crash can tell it is stale. */
  generation = 0;

  constructor(readonly ctx: HostContext, readonly name: string) {
    this.loopback = new Interface(this, 'lo', 1, 0, 65536, true);
    this.loopback.ipv4.push({ addr: 0x7f000001, prefixLen: 8 });
    this.loopback.medium = new LoopbackMedium(ctx, `${name}:lo`, this.loopback);
    this.interfaces.push(this.loopback);
    this.ipv4 = new Ipv4Layer(this);
    this.udp = new UdpLayer(this);
    this.socketFactories.set(AF_INET, inetSocket);
    this.socketFactories.set(1 /* AF_UNIX */, unixSocket);
  }

  /** The simulator. */
  get sim(): Sim {
    return this.ctx.sim;
  }

  /** Adds an Ethernet interface (eth0, eth1, … unless named). */
  addInterface(name?: string, mtu = 1500): Interface {
    const n = name ?? `eth${this.interfaces.filter((i) => !i.loopback).length}`;
    if (this.interfaces.some((i) => i.name === n)) throw new Error(`host ${this.name} already has an interface ${n}`);
    const iface = new Interface(this, n, this.interfaces.length + 1, this.ctx.nextMac(), mtu, false);
    this.interfaces.push(iface);
    return iface;
  }

  /** The interface with this name, or undefined. */
  iface(name: string): Interface | undefined {
    return this.interfaces.find((i) => i.name === name);
  }

  /** Starts a process on this host at virtual time `at` (default now). */
  spawn(name: string, body: ProcessBody, at?: number): Process {
    const gen = this.generation;
    return this.sim.spawn(name, this.name, async (p) => {
      if (!this.up || this.generation !== gen) return 0;
      const fds = new FdTable();
      this.fdTables.set(p.pid, fds);
      p.exitHooks.push(() => {
        fds.closeAll();
        this.fdTables.delete(p.pid);
      });
      return body(new Sys(this, p, fds));
    }, at);
  }

  /** Crashes the host: processes die without closing anything gracefully, sockets vanish, frames are dropped. */
  crash(): void {
    if (!this.up) return;
    this.up = false;
    this.sim.record(EV_HOST, this.name, 'crash');
    for (const p of this.sim.processes()) {
      if (p.owner === this.name && p.alive) this.sim.kill(p, 'host crashed');
    }
    this.udp.reset();
  }

  /** Restarts a crashed host with empty socket tables (like a reboot); interfaces and routes are kept. */
  restart(): void {
    if (this.up) return;
    this.up = true;
    this.generation++;
    this.sim.record(EV_HOST, this.name, 'restart');
  }

  /** Counts a drop on this host. */
  countDrop(reason: string): void {
    this.drops.add(reason);
    this.ctx.countDrop(reason);
  }

  /**
   * The MAC of nextHop on iface. socksim resolves neighbours from the topology (a static neighbour table, as
   * `ip neigh add … nud permanent` would): the answer is what ARP would learn, and frames carry the right MACs.
   */
  resolveNeighbour(iface: Interface, nextHop: number): number | null {
    if (nextHop === 0xffffffff || this.ipv4.isBroadcast(nextHop, iface)) return MAC_BROADCAST;
    const m = iface.medium;
    if (!m) return null;
    for (const peer of m.attached()) {
      if (peer !== iface && peer.host.up && peer.hasIpv4(nextHop)) return peer.mac;
    }
    return null;
  }

  /** A frame arrived on iface. */
  receiveFrame(iface: Interface, frame: Uint8Array, pktId: number): void {
    let eth: EthernetRepr;
    try {
      eth = parseEthernet(frame);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      return this.dropFrame(pktId, 'malformed');
    }
    const bcast = eth.dst === MAC_BROADCAST;
    if (!iface.loopback && eth.dst !== iface.mac && !bcast) return this.dropFrame(pktId, 'not-for-us');
    switch (eth.etherType) {
      case ETHERTYPE_IPV4:
        return this.ipv4.input(iface, eth.payload, pktId, bcast);
      default:
        return this.dropFrame(pktId, 'unknown-protocol');
    }
  }

  private dropFrame(pktId: number, reason: string): void {
    this.countDrop(reason);
    this.sim.record(EV_DROP, this.name, pktId, reason);
  }
}

export type { Link };

/** socket(AF_INET, type, protocol): inet_create's lookup of (type, protocol). */
function inetSocket(host: Host, type: number, protocol: number): UdpSocket | number {
  if (type === SOCK_DGRAM) {
    if (protocol !== 0 && protocol !== IPPROTO_UDP) return -Errno.EPROTONOSUPPORT;
    return new UdpSocket(host, protocol);
  }
  return -Errno.ESOCKTNOSUPPORT;
}
