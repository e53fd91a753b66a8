/**
 * The host under test and its "tun0": a socksim host whose only real interface is attached to a medium the
 * runner owns, standing in for packetdrill's tun device. Frames the host transmits are decoded and queued with
 * their virtual send time for the sniffer; the runner injects frames as if the gateway had sent them. The
 * gateway's MAC is a permanent neighbour entry (`ip neigh add … nud permanent`), so no ARP or ND is needed,
 * just as a tun device (layer 3) has none.
 */
import { Sim } from '../../../sim/sim.js';
import { WaitQueue } from '../../../sim/process.js';
import { Network } from '../../../stack/network.js';
import type { Host } from '../../../stack/host.js';
import type { Interface } from '../../../stack/iface.js';
import type { Endpoint, LinkContext, Medium } from '../../../stack/link.js';
import { ipv4FromString, ipv6FromString, ipv6ToString, ipv4Mapped } from '../../../stack/wire/addr.js';
import { emitEthernetHeaderInto, ETHERNET_HEADER_LEN, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../../../stack/wire/ethernet.js';
import { readU16 } from '../../../stack/wire/bytes.js';
import { ConfigError, type RunConfig } from './config.js';
import { decodeLive, type LivePacket } from './packets.js';

/** The MAC the injected frames come from (the gateway's, locally administered). */
export const PEER_MAC = 0x02aaaaaaaaaa;

/** The far side of the tun device: the runner, which takes the host's frames from transmit() directly. */
class PeerEnd implements Endpoint {
  readonly label = 'packetdrill:tun';
  receive(): void {
    // Nothing is ever sent to the peer through the medium: transmit() queues the host's frames for the sniffer.
  }
}

/** The medium between the host under test and the runner. */
export class TunMedium implements Medium {
  readonly up = true;
  /** Packets the host sent and the sniffer has not taken yet, in send order. */
  readonly queue: LivePacket[] = [];
  /** Woken whenever a packet is queued. */
  readonly wq = new WaitQueue();
  /** `tc qdisc add dev tun0 root pfifo limit 0`: every outbound packet is dropped. */
  dropAll = false;
  /** Outbound packets dropped by that qdisc. */
  dropped = 0;
  private readonly peer = new PeerEnd();

  constructor(private readonly ctx: LinkContext, readonly name: string, readonly iface: Interface) {}

  attached(): readonly Endpoint[] {
    return [this.iface, this.peer];
  }

  transmit(from: Endpoint, frame: Uint8Array): void {
    if (from !== this.iface || frame.length < ETHERNET_HEADER_LEN) return;
    const type = readU16(frame, 12);
    // Only IP reaches a tun device; ARP and neighbour discovery have no meaning there.
    if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return;
    if (this.dropAll) {
      this.dropped++;
      return;
    }
    const p = decodeLive(frame.slice(ETHERNET_HEADER_LEN), this.ctx.sim.now);
    if (!p) return;
    this.queue.push(p);
    this.wq.wakeAll();
  }

  /** Delivers an IP packet to the host as if the gateway sent it. */
  inject(ip: Uint8Array): void {
    const frame = new Uint8Array(ETHERNET_HEADER_LEN + ip.length);
    emitEthernetHeaderInto(this.iface.mac, PEER_MAC, (ip[0]! >>> 4) === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, frame, 0);
    frame.set(ip, ETHERNET_HEADER_LEN);
    this.iface.receive(frame, this.ctx.nextPacketId());
  }
}

/** A simulator with the host under test wired to a TunMedium and addressed as the config says. */
export interface Harness {
  sim: Sim;
  net: Network;
  host: Host;
  tun: TunMedium;
  /** The IP version on the wire (IPv4 for ipv4-mapped-ipv6 runs). */
  v: 4 | 6;
  /** Address texts as packets carry them. */
  localWire: string;
  remoteWire: string;
  /** Address texts as the sockets see them (::ffff:a.b.c.d in ipv4-mapped-ipv6 runs). */
  localSock: string;
  remoteSock: string;
}

/** Canonical text of an address (so `2001:DB8::1` and the decoder's `2001:db8::1` compare equal). */
function canonical(text: string, v: 4 | 6): string {
  if (v === 4) return text;
  const a = ipv6FromString(text);
  if (!a) throw new Error(`bad IPv6 address ${text}`);
  return ipv6ToString(a);
}

/** Builds the simulator, the host under test and its tun0 for one run. */
export function buildHarness(cfg: RunConfig, seed: string | number, maxTimeNs: number): Harness {
  const sim = new Sim({ seed, maxTimeNs });
  const net = new Network(sim);
  const host = net.addHost('socksim');
  const iface = host.addInterface('tun0', cfg.mtu);
  const tun = new TunMedium(net, 'tun0', iface);
  iface.medium = tun;
  const v: 4 | 6 = cfg.ipMode === 'ipv6' ? 6 : 4;
  const bad = (what: string, text: string): never => {
    throw new ConfigError(`bad ${what} address "${text}" for ${cfg.ipMode}`);
  };
  const [local, gw, remote] = [cfg.localIp, cfg.gatewayIp, cfg.remoteIp].map((t, i) =>
    (v === 4 ? ipv4FromString(t) : ipv6FromString(t)) ?? bad(['local', 'gateway', 'remote'][i]!, t));
  const key = (a: number | Uint8Array): string => (typeof a === 'number' ? String(a) : ipv6ToString(a));
  const same = key(gw!) === key(local!);
  if (v === 4) net.addIpv4(iface, `${cfg.localIp}/${cfg.prefixLen}`);
  else net.addIpv6(iface, `${cfg.localIp}/${cfg.prefixLen}`);
  // The kernel selftests' ksft_runner.sh gives the local address as the gateway: the peer is then on-link.
  if (same) net.addRoute(host, `${cfg.remoteIp}/${v === 4 ? 32 : 128}`, undefined, 'tun0');
  else net.setDefaultGateway(host, cfg.gatewayIp, 'tun0');
  // Whatever the next hop is (gateway, or the peer itself when on-link), its MAC is known: a tun has no ARP/ND.
  for (const a of same ? [remote!] : [gw!, remote!]) {
    if (typeof a === 'number') host.ipv4.arp.table.addPermanent(iface, a, key(a), PEER_MAC);
    else host.ipv6.nd.table.addPermanent(iface, a, key(a), PEER_MAC);
  }
  const localWire = canonical(cfg.localIp, v), remoteWire = canonical(cfg.remoteIp, v);
  const mapped = (t: string): string => ipv6ToString(ipv4Mapped(ipv4FromString(t) ?? 0));
  const localSock = cfg.ipMode === 'ipv4-mapped-ipv6' ? mapped(localWire) : localWire;
  const remoteSock = cfg.ipMode === 'ipv4-mapped-ipv6' ? mapped(remoteWire) : remoteWire;
  return { sim, net, host, tun, v, localWire, remoteWire, localSock, remoteSock };
}
