/**
 * Interface enumeration as glibc gives it (getifaddrs(3), if_nameindex(3)), checked against Linux 6.18 + glibc:
 *   - getifaddrs lists one AF_PACKET entry per interface (ifindex order, from RTM_GETLINK), then every AF_INET
 *     address, then every AF_INET6 address (RTM_GETADDR dumps IPv4 before IPv6), each carrying its interface's flags;
 *   - AF_PACKET: a sockaddr_ll with the hardware type (ARPHRD_ETHER 1, ARPHRD_LOOPBACK 772) and MAC, the broadcast
 *     MAC as ifa_broadaddr, and the link statistics (struct rtnl_link_stats) as ifa_data;
 *   - AF_INET: the netmask from the prefix, and in ifa_broadaddr the IFA_BROADCAST address, or — glibc's reading of
 *     IFA_ADDRESS followed by IFA_LOCAL — the address itself when the address has none (as 127.0.0.1 on lo shows);
 *   - AF_INET6: the netmask from the prefix, sin6_scope_id = the interface index for link-local addresses, no
 *     broadcast; addresses in the device list's order (global before link-local, newest first);
 *   - if_nametoindex of an unknown name fails with ENODEV, if_indextoname of an unknown index with ENXIO.
 */
import { AF_PACKET } from './constants.js';
import { Errno } from './errno.js';
import type { Host } from './host.js';
import { prefixMask, type Interface } from './iface.js';
import { inet4Bytes } from './sockaddr.js';
import { inet6Bytes } from './sockaddr6.js';
import { writeMac } from './wire/bytes.js';

/** ARPHRD_ETHER and ARPHRD_LOOPBACK (if_arp.h). */
export const ARPHRD_ETHER = 1, ARPHRD_LOOPBACK = 772;

/** struct rtnl_link_stats, as getifaddrs hands it in ifa_data for AF_PACKET entries (the counters socksim keeps). */
export interface LinkStats {
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
  multicast: number;
  collisions: number;
}

/** One struct ifaddrs; addresses are sockaddr bytes as the kernel lays them out. */
export interface IfAddr {
  name: string;
  flags: number;
  addr: Uint8Array | null;
  netmask: Uint8Array | null;
  /** ifa_broadaddr (ifa_dstaddr on a point-to-point interface: the same union). */
  broadaddr: Uint8Array | null;
  /** ifa_data: link statistics for AF_PACKET entries, else null. */
  data: LinkStats | null;
}

/** The link statistics of an interface. */
export function linkStats(i: Interface): LinkStats {
  const s = i.stats;
  return {
    rxPackets: s.rxPackets, txPackets: s.txPackets, rxBytes: s.rxBytes, txBytes: s.txBytes, rxErrors: 0, txErrors: 0,
    rxDropped: s.rxDropped, txDropped: s.txDropped, multicast: 0, collisions: 0,
  };
}

/** A sockaddr_ll (20 bytes) for an interface's hardware address `mac`. */
export function sockaddrLl(i: Interface, mac: number): Uint8Array {
  const b = new Uint8Array(20);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_PACKET, true);
  dv.setUint16(2, 0, false); // sll_protocol
  dv.setInt32(4, i.index, true);
  dv.setUint16(8, i.loopback ? ARPHRD_LOOPBACK : ARPHRD_ETHER, true);
  b[10] = 0; // sll_pkttype
  b[11] = 6; // sll_halen
  writeMac(b, 12, mac);
  return b;
}

/** The broadcast hardware address of an interface (dev->broadcast): ff:ff:… on Ethernet, zeros on lo. */
export function linkBroadcast(i: Interface): number {
  return i.loopback ? 0 : 0xffffffffffff;
}

/** An IPv6 netmask of prefixLen bits. */
export function ipv6Mask(prefixLen: number): Uint8Array {
  const m = new Uint8Array(16);
  for (let i = 0; i < 16; i++) m[i] = (0xff << (8 - Math.max(0, Math.min(8, prefixLen - i * 8)))) & 0xff;
  return m;
}

/** getifaddrs(3). */
export function getifaddrs(host: Host): IfAddr[] {
  const out: IfAddr[] = [];
  const ifs = [...host.interfaces].sort((x, y) => x.index - y.index);
  for (const i of ifs) {
    out.push({
      name: i.name, flags: i.flags, addr: sockaddrLl(i, i.loopback ? 0 : i.mac), netmask: null,
      broadaddr: sockaddrLl(i, linkBroadcast(i)), data: linkStats(i),
    });
  }
  for (const i of ifs) {
    for (const a of i.ipv4) {
      out.push({
        name: i.name, flags: i.flags, addr: inet4Bytes(a.addr, 0), netmask: inet4Bytes(prefixMask(a.prefixLen), 0),
        broadaddr: inet4Bytes(a.broadcast ?? a.addr, 0), data: null,
      });
    }
  }
  for (const i of ifs) {
    for (const a of i.ipv6) {
      const scope = a.scope === 'link' ? i.index : 0;
      out.push({
        name: i.name, flags: i.flags, addr: inet6Bytes(a.addr, 0, scope), netmask: inet6Bytes(ipv6Mask(a.prefixLen), 0),
        broadaddr: null, data: null,
      });
    }
  }
  return out;
}

/** if_nameindex(3): every interface, in index order. */
export function ifNameIndex(host: Host): { index: number; name: string }[] {
  return [...host.interfaces].sort((x, y) => x.index - y.index).map((i) => ({ index: i.index, name: i.name }));
}

/** if_nametoindex(3): the index, or -ENODEV (the SIOCGIFINDEX ioctl's answer) for an unknown name. */
export function ifNameToIndex(host: Host, name: string): number {
  return host.iface(name)?.index ?? -Errno.ENODEV;
}

/** if_indextoname(3): the name, or -ENXIO for an unknown index (glibc turns the ioctl's ENODEV into ENXIO). */
export function ifIndexToName(host: Host, index: number): string | number {
  return host.interfaces.find((i) => i.index === index)?.name ?? -Errno.ENXIO;
}
