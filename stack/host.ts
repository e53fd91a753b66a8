/**
 * One simulated host: its interfaces (lo first, index 1), IPv4 and IPv6 layers (with ARP, neighbour discovery,
 * ICMP and ICMPv6), transport protocols, processes and their fd tables. A host can crash (processes and sockets
 * vanish, frames to it are dropped, caches are forgotten) and restart.
 */
import type { Sim } from '../sim/sim.js';
import type { Process } from '../sim/process.js';
import { EV_DROP, EV_HOST, DropCounters } from './events.js';
import { LINUX_PROFILE, type StackProfile } from './profiles.js';
import { Interface } from './iface.js';
import { Ipv4Layer } from './ipv4.js';
import { Ipv6Layer } from './ipv6.js';
import { Icmp4 } from './icmp.js';
import { Icmp6 } from './icmpv6.js';
import { PingTable, type PingSocket } from './ping-socket.js';
import { Udp6Socket } from './udp6-socket.js';
import { netlinkSocket } from './netlink.js';
import { LoopbackMedium, type Link, type LinkContext } from './link.js';
import { Backlog } from './backlog.js';
import { UdpLayer } from './udp.js';
import { TcpLayer } from './tcp/layer.js';
import { TcpSocket } from './tcp/tcp-socket.js';
import { FdTable } from './fd.js';
import { Sys, type SocketFactory } from './sys.js';
import { AF_INET, AF_INET6, AF_NETLINK, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_TCP, IPPROTO_UDP, SOCK_DGRAM, SOCK_STREAM } from './constants.js';
import { Errno } from './errno.js';
import { UdpSocket } from './udp-socket.js';
import { unixSocket } from './unix/index.js';
import type { Ipv4Meta } from './ipv4.js';
import { ETHERNET_HEADER_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './wire/ethernet.js';
import { readMac, readU16 } from './wire/bytes.js';
import { IPV6_LOOPBACK } from './wire/addr.js';

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
  readonly ipv6: Ipv6Layer;
  readonly icmp: Icmp4;
  readonly icmp6: Icmp6;
  /** ICMP echo sockets of both families (one identifier space). */
  readonly ping: PingTable;
  readonly udp: UdpLayer;
  readonly tcp: TcpLayer;
  /** Name servers, as /etc/resolv.conf lists them (the resolver reads this). */
  dnsServers: string[] = [];
  /** Called when ICMP teaches a smaller path MTU towards dst (TCP lowers its MSS). */
  onPathMtu: ((v: 4 | 6, dst: number | Uint8Array, mtu: number) => void) | null = null;
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
  /** Packets this host sent to itself, delivered before the sending call returns (stack/backlog.ts). */
  readonly backlog: Backlog;
  /**
   * Sockets that turned SO_TIMESTAMP or SO_TIMESTAMPNS on and are still open (net_enable_timestamp, undone when the
   * socket is destroyed): while there is one, arriving packets are stamped with their receive time; TCP reports
   * only such stamps. Linux flips this switch from a work item a moment later; here it takes effect at once.
   */
  readonly netstampSockets = new Set<object>();

  constructor(readonly ctx: HostContext, readonly name: string) {
    this.loopback = new Interface(this, 'lo', 1, 0, 65536, true);
    this.loopback.ipv4.push({ addr: 0x7f000001, prefixLen: 8 });
    this.loopback.ipv6.push({ addr: IPV6_LOOPBACK.slice(), prefixLen: 128, scope: 'host' });
    this.backlog = new Backlog(ctx.sim);
    this.loopback.medium = new LoopbackMedium(ctx, `${name}:lo`, this.loopback, this.backlog);
    this.interfaces.push(this.loopback);
    this.ipv4 = new Ipv4Layer(this);
    this.ipv6 = new Ipv6Layer(this);
    this.icmp = new Icmp4(this);
    this.icmp6 = new Icmp6(this);
    this.ping = new PingTable(this);
    this.udp = new UdpLayer(this);
    this.tcp = new TcpLayer(this);
    this.socketFactories.set(AF_INET, inetSocket);
    this.socketFactories.set(AF_INET6, inet6Socket);
    this.socketFactories.set(AF_NETLINK, netlinkSocket);
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
    this.tcp.reset();
    this.ping.reset();
    this.ipv4.reset();
    this.ipv6.reset();
    this.icmp.reset();
    this.icmp6.reset();
    this.backlog.clear();
    this.netstampSockets.clear();
  }

  /** How many sockets want receive timestamps now (netstamp_needed_key). */
  get netstampUsers(): number {
    return this.netstampSockets.size;
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

  /** A frame arrived on iface. */
  receiveFrame(iface: Interface, frame: Uint8Array, pktId: number): void {
    // The two header fields the NIC looks at, read in place (what parseEthernet returns, without an object per
    // frame); a frame shorter than the header is malformed as parseEthernet would say.
    if (frame.length < ETHERNET_HEADER_LEN) return this.dropFrame(pktId, 'malformed');
    const dst = readMac(frame, 0);
    // The NIC takes its own address, broadcast, and the multicast groups it is in (PACKET_OTHERHOST is dropped).
    if (!iface.acceptsMac(dst)) return this.dropFrame(pktId, 'not-for-us');
    const group = !iface.loopback && dst !== iface.mac;
    const payload = frame.subarray(ETHERNET_HEADER_LEN);
    switch (readU16(frame, 12)) {
      case ETHERTYPE_IPV4:
        return this.ipv4.input(iface, payload, pktId, group);
      case ETHERTYPE_IPV6:
        return this.ipv6.input(iface, payload, pktId, group);
      case ETHERTYPE_ARP:
        return this.ipv4.arp.input(iface, payload, pktId, !group);
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
function inetSocket(host: Host, type: number, protocol: number): UdpSocket | PingSocket | TcpSocket | number {
  if (type === SOCK_STREAM) {
    if (protocol !== 0 && protocol !== IPPROTO_TCP) return -Errno.EPROTONOSUPPORT;
    return new TcpSocket(host, AF_INET, protocol);
  }
  if (type === SOCK_DGRAM) {
    if (protocol === IPPROTO_ICMP) return host.ping.create(4);
    if (protocol !== 0 && protocol !== IPPROTO_UDP) return -Errno.EPROTONOSUPPORT;
    return new UdpSocket(host, protocol);
  }
  return -Errno.ESOCKTNOSUPPORT;
}

/** socket(AF_INET6, type, protocol): inet6_create's lookup of (type, protocol). */
function inet6Socket(host: Host, type: number, protocol: number): Udp6Socket | PingSocket | TcpSocket | number {
  if (type === SOCK_STREAM) {
    if (protocol !== 0 && protocol !== IPPROTO_TCP) return -Errno.EPROTONOSUPPORT;
    return new TcpSocket(host, AF_INET6, protocol);
  }
  if (type === SOCK_DGRAM) {
    if (protocol === IPPROTO_ICMPV6) return host.ping.create(6);
    if (protocol !== 0 && protocol !== IPPROTO_UDP) return -Errno.EPROTONOSUPPORT;
    return new Udp6Socket(host);
  }
  return -Errno.ESOCKTNOSUPPORT;
}
