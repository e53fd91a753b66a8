/**
 * UDP (RFC 768) for one host: port bindings, demultiplexing and ephemeral ports.
 *
 * Binding conflicts follow Linux's udp_lib_get_port: two sockets on one port clash when their local addresses
 * overlap (equal, or either is the wildcard), unless both set SO_REUSEADDR, or both set SO_REUSEPORT. Delivery picks
 * the best-scoring socket (connected peer and specific local address score higher, as in udp4_lib_lookup); among
 * equals the most recently bound wins, since Linux inserts new sockets at the head of the hash chain.
 */
import { EPHEMERAL_PORT_HIGH, EPHEMERAL_PORT_LOW, IPPROTO_UDP } from './constants.js';
import { Errno } from './errno.js';
import { EV_DROP } from './events.js';
import type { Host } from './host.js';
import type { Ipv4Meta } from './ipv4.js';
import { WireError } from './wire/errors.js';
import { parseUdp } from './wire/udp.js';
import type { UdpSocket } from './udp-socket.js';

/** UDP state of one host. */
export class UdpLayer {
  /** Bound sockets by local port, in bind order. */
  readonly ports = new Map<number, UdpSocket[]>();
  /** Datagrams and errors, as `netstat -su` counts them. */
  readonly stats = { inDatagrams: 0, noPorts: 0, inErrors: 0, rcvbufErrors: 0, outDatagrams: 0 };

  constructor(readonly host: Host) {
    host.ipv4.handlers.set(IPPROTO_UDP, (meta, payload) => this.input(meta, payload));
  }

  /** Binds sock to (addr, port); port 0 picks an ephemeral port. Returns the port, or -EADDRINUSE/-EAGAIN. */
  bind(sock: UdpSocket, addr: number, port: number): number {
    if (port === 0) {
      const p = this.ephemeral(sock, addr);
      if (p < 0) return p;
      port = p;
    } else if (this.conflicts(sock, addr, port)) {
      return -Errno.EADDRINUSE;
    }
    let list = this.ports.get(port);
    if (!list) this.ports.set(port, (list = []));
    list.push(sock);
    return port;
  }

  /** Removes sock's binding. */
  unbind(sock: UdpSocket, port: number): void {
    const list = this.ports.get(port);
    if (!list) return;
    const i = list.indexOf(sock);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.ports.delete(port);
  }

  /** Forgets every binding (host crash). */
  reset(): void {
    this.ports.clear();
  }

  private conflicts(sock: UdpSocket, addr: number, port: number): boolean {
    const list = this.ports.get(port);
    if (!list) return false;
    if (this.host.profile.deviations.noPortConflict) return false; // deviation profile: no conflict detection
    for (const o of list) {
      if (o.boundAddr !== 0 && addr !== 0 && o.boundAddr !== addr) continue;
      if (sock.reuseAddr && o.reuseAddr) continue;
      if (sock.reusePort && o.reusePort) continue;
      return true;
    }
    return false;
  }

  /**
   * Picks a free port in ip_local_port_range from a random starting point (Linux starts its scan at a random
   * offset), records the choice, and binds nothing itself.
   */
  private ephemeral(sock: UdpSocket, addr: number): number {
    const span = EPHEMERAL_PORT_HIGH - EPHEMERAL_PORT_LOW + 1;
    const s = this.host.sim.random.stream(`host:${this.host.name}:udp-port`);
    const start = s.int(0, span - 1);
    for (let i = 0; i < span; i++) {
      const port = EPHEMERAL_PORT_LOW + ((start + i) % span);
      if (!this.conflicts(sock, addr, port)) {
        this.host.sim.decide(s.name, 'ephemeral-port', port);
        return port;
      }
    }
    return -Errno.EAGAIN; // udp(7): EAGAIN when no ephemeral port is free
  }

  /** A UDP datagram arrived for this host. */
  input(meta: Ipv4Meta, bytes: Uint8Array): void {
    let d;
    try {
      d = parseUdp(bytes, { v: 4, src: meta.src, dst: meta.dst });
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.stats.inErrors++;
      return this.drop(e.reason === 'bad-checksum' ? 'bad-checksum' : 'malformed');
    }
    // Deviation profile "udp-recv-unwired": the datagram never reaches any socket.
    const sock = this.host.profile.deviations.udpRecvUnwired ? undefined : this.lookup(meta.src, d.srcPort, meta.dst, d.dstPort);
    if (!sock) {
      this.stats.noPorts++;
      this.host.udpNoPort?.(meta, bytes);
      return this.drop('no-socket');
    }
    if (!sock.enqueue(d.payload, meta.src, d.srcPort)) {
      this.stats.rcvbufErrors++;
      return this.drop('rcvbuf-full');
    }
    this.stats.inDatagrams++;
  }

  /** The socket that gets a datagram, by Linux's scoring; undefined when none matches. */
  lookup(saddr: number, sport: number, daddr: number, dport: number): UdpSocket | undefined {
    const list = this.ports.get(dport);
    if (!list) return undefined;
    let best: UdpSocket | undefined;
    let bestScore = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      const s = list[i]!;
      let score = 0;
      if (s.boundAddr !== 0) {
        if (s.boundAddr !== daddr) continue;
        score += 4;
      }
      if (s.peer) {
        if (s.peer.addr !== saddr || s.peer.port !== sport) continue;
        score += 4;
      }
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }

  private drop(reason: string): void {
    this.host.countDrop(reason);
    this.host.sim.record(EV_DROP, `${this.host.name}:udp`, null, reason);
  }
}
