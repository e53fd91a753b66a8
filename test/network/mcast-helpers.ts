/**
 * Helpers of the multicast tests: option structures (ip_mreq, ip_mreqn, ipv6_mreq) as C lays them out, a LAN of
 * hosts on one switch, and the frames a run put on the wire.
 */
import type { SimEvent } from '../../sim/events.js';
import type { Host } from '../../stack/host.js';
import { ipv4FromString, ipv6FromString } from '../../stack/wire/addr.js';
import { makeNet } from './helpers.js';

/** struct in_addr bytes (network order). */
export function inAddr(a: string): Uint8Array {
  const n = ipv4FromString(a)!;
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** struct ip_mreq { imr_multiaddr; imr_interface }. */
export function mreq(group: string, iface: string): Uint8Array {
  return Uint8Array.of(...inAddr(group), ...inAddr(iface));
}

/** struct ip_mreqn { imr_multiaddr; imr_address; imr_ifindex }. */
export function mreqn(group: string, addr: string, ifindex: number): Uint8Array {
  const b = new Uint8Array(12);
  b.set(mreq(group, addr));
  new DataView(b.buffer).setInt32(8, ifindex, true);
  return b;
}

/** struct ipv6_mreq { ipv6mr_multiaddr; ipv6mr_interface }. */
export function mreq6(group: string, ifindex: number): Uint8Array {
  const b = new Uint8Array(20);
  b.set(ipv6FromString(group)!);
  new DataView(b.buffer).setInt32(16, ifindex, true);
  return b;
}

/**
 * Hosts on one learning switch (10 µs cables): a 10.0.0.1 / 2001:db8::1, b …2, c …3. Host b also has eth1
 * (10.1.0.2/24) cabled to host d (10.1.0.4/24), so it has a second interface to join groups on.
 */
export function lan(seed = 1) {
  const { sim, net, sink } = makeNet(seed);
  const sw = net.addSwitch('sw');
  const hosts: Host[] = [];
  for (const [i, name] of ['a', 'b', 'c'].entries()) {
    const h = net.addHost(name);
    net.attach(h, sw, { latencyNs: 10_000 }, { ipv4: `10.0.0.${i + 1}/24`, ipv6: `2001:db8::${i + 1}/64` });
    hosts.push(h);
  }
  const [a, b, c] = hosts as [Host, Host, Host];
  const d = net.addHost('d');
  net.connect(b, d, { latencyNs: 10_000 }, { a: { ipv4: '10.1.0.2/24', ipv6: '2001:db8:1::2/64' }, b: { ipv4: '10.1.0.4/24', ipv6: '2001:db8:1::4/64' } });
  return { sim, net, sink, sw, a, b, c, d };
}

/** A frame put on a wire: when, on which link, by whom, and its bytes. */
export interface Tx {
  t: number;
  link: string;
  from: string;
  bytes: Uint8Array;
}

/** The frames sent (tx events) whose sender label starts with `from` (e.g. "a:eth0"), in order. */
export function sent(events: readonly SimEvent[], from: string): Tx[] {
  return events.filter((e) => e[0] === 'tx' && String(e[3]).startsWith(from))
    .map((e) => ({ t: e[1] as number, link: e[2] as string, from: e[3] as string, bytes: e[5] as Uint8Array }));
}

/** The destination MAC of a frame as 12 hex digits. */
export function dstMac(f: Uint8Array): string {
  return Buffer.from(f.subarray(0, 6)).toString('hex');
}

/** The frame's EtherType. */
export function etherType(f: Uint8Array): number {
  return (f[12]! << 8) | f[13]!;
}

/** Hex of bytes. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
