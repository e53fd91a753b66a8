/**
 * Runtime interface and route configuration, as `ip addr`, `ip link` and `ip route` do it on Linux:
 *   - adding an IPv4 address adds its connected route (proto kernel, scope link, src = the address), removing it
 *     removes that route (fib_add_ifaddr / fib_del_ifaddr);
 *   - adding an IPv6 address adds its prefix route with metric 256 (addrconf_prefix_route), except for /128;
 *   - a default gateway is a 0/0 route via an address reachable on a connected subnet (else ENETUNREACH, as
 *     `ip route add default via` answers "Nexthop has invalid gateway").
 * Each function returns 0 or a negative errno, like the netlink request it stands for, and a change is announced to
 * rtnetlink listeners (stack/rtnl-events.ts) as Linux announces it: RTM_NEWADDR / RTM_DELADDR per address (a
 * primary's secondaries first, as __inet_del_ifa deletes them), RTM_NEWLINK when the MTU or IFF_UP really changes.
 */
import { Errno } from './errno.js';
import { IFF_LOWER_UP, IFF_RUNNING, IFF_UP } from './constants.js';
import type { Host } from './host.js';
import { ipv6PrefixMatch, ipv6Scope, prefixMask, type Interface, type Ipv4Assignment } from './iface.js';
import { rtnlEvent } from './rtnl-events.js';
import { ipv4FromString, ipv6Equal, ipv6FromString } from './wire/addr.js';

/** Parses "a.b.c.d/len" (len defaults to 32); null when malformed. */
export function parseCidr4(s: string): { addr: number; prefixLen: number } | null {
  const [a, l, extra] = s.split('/');
  const addr = ipv4FromString(a ?? '');
  const prefixLen = l === undefined ? 32 : Number(l);
  if (extra !== undefined || addr === null || !Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) return null;
  return { addr, prefixLen };
}

/** Parses "x::y/len" (len defaults to 128); null when malformed. */
export function parseCidr6(s: string): { addr: Uint8Array; prefixLen: number } | null {
  const [a, l, extra] = s.split('/');
  const addr = ipv6FromString(a ?? '');
  const prefixLen = l === undefined ? 128 : Number(l);
  if (extra !== undefined || addr === null || !Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 128) return null;
  return { addr, prefixLen };
}

/** RT_SCOPE_HOST (254) for 127/8, else RT_SCOPE_UNIVERSE (0): the scope `ip addr add` gives an IPv4 address. */
export function ipv4ScopeOf(addr: number): number {
  return addr >>> 24 === 127 ? 254 : 0;
}

/**
 * `ip addr add A/len [brd B] dev iface`: EEXIST when the interface has it already. As __inet_insert_ifa, an address
 * on the subnet of an existing one becomes secondary and goes last; a primary goes after the primaries of equal or
 * wider scope. The connected route appears with a primary address (fib_add_ifaddr).
 */
export function addIpv4Address(iface: Interface, addr: number, prefixLen: number, broadcast?: number): number {
  if (iface.hasIpv4(addr)) return -Errno.EEXIST;
  const mask = prefixMask(prefixLen);
  const secondary = iface.ipv4.some((a) => a.prefixLen === prefixLen && (((a.addr ^ addr) & mask) >>> 0) === 0);
  const entry = { addr, prefixLen, ...(broadcast !== undefined ? { broadcast } : {}), ...(secondary ? { secondary } : {}) };
  if (secondary) {
    iface.ipv4.push(entry);
  } else {
    let at = 0;
    iface.ipv4.forEach((a, i) => {
      if (!a.secondary && ipv4ScopeOf(addr) <= ipv4ScopeOf(a.addr)) at = i + 1;
    });
    iface.ipv4.splice(at, 0, entry);
  }
  if (!iface.loopback && !secondary) {
    iface.host.ipv4.routes.add({ dest: addr, prefixLen, gateway: 0, iface, prefSrc: addr });
  }
  rtnlEvent(iface.host, { kind: 'addr4', iface, addr: entry, add: true });
  return 0;
}

/** `ip addr del A dev iface`: the address and its connected route go; EADDRNOTAVAIL when absent. */
export function removeIpv4Address(iface: Interface, addr: number): number {
  const i = iface.ipv4.findIndex((a) => a.addr === addr);
  if (i < 0) return -Errno.EADDRNOTAVAIL;
  const [gone] = iface.ipv4.splice(i, 1);
  const m = prefixMask(gone!.prefixLen);
  if (!gone!.secondary) {
    // promote_secondaries is 0 by default: the secondaries of a deleted primary go with it, announced first.
    const same = (a: Ipv4Assignment) => a.secondary === true && a.prefixLen === gone!.prefixLen && (((a.addr ^ addr) & m) >>> 0) === 0;
    for (const a of iface.ipv4.filter(same)) rtnlEvent(iface.host, { kind: 'addr4', iface, addr: a, add: false });
    for (let j = iface.ipv4.length - 1; j >= 0; j--) if (same(iface.ipv4[j]!)) iface.ipv4.splice(j, 1);
  }
  rtnlEvent(iface.host, { kind: 'addr4', iface, addr: gone!, add: false });
  iface.host.ipv4.routes.remove((r) => r.iface === iface && r.gateway === 0 && r.prefSrc === addr && r.dest === ((addr & m) >>> 0));
  // Routes through a gateway no longer on a connected subnet die with it (fib_sync_down_addr).
  iface.host.ipv4.routes.remove((r) => r.iface === iface && r.gateway !== 0 && !onLink4(iface, r.gateway));
  return 0;
}

/** Replaces the interface's IPv4 addresses with one (`ip addr flush dev X; ip addr add`). */
export function setIpv4Address(iface: Interface, addr: number, prefixLen: number): number {
  for (const a of [...iface.ipv4]) removeIpv4Address(iface, a.addr);
  return addIpv4Address(iface, addr, prefixLen);
}

/** Rank of an IPv6 scope in a device's address list (ipv6_addr_src_scope): global 14, link 2, host 1. */
function scopeRank(s: 'global' | 'link' | 'host'): number {
  return s === 'global' ? 14 : s === 'link' ? 2 : 1;
}

/**
 * `ip -6 addr add A/len dev iface`. The device's list stays sorted by scope, global first, and a new address goes
 * before the others of its scope (ipv6_link_dev_addr), which is the order getifaddrs and netlink report.
 */
export function addIpv6Address(iface: Interface, addr: Uint8Array, prefixLen: number): number {
  if (iface.hasIpv6(addr)) return -Errno.EEXIST;
  const scope = ipv6Scope(addr);
  let at = iface.ipv6.findIndex((a) => scopeRank(scope) >= scopeRank(a.scope));
  if (at < 0) at = iface.ipv6.length;
  const entry = { addr: addr.slice(), prefixLen, scope };
  iface.ipv6.splice(at, 0, entry);
  if (!iface.loopback && prefixLen < 128 && ipv6Scope(addr) === 'global') {
    iface.host.ipv6.routes.add({ dest: addr, prefixLen, gateway: null, iface, metric: 256 });
  }
  rtnlEvent(iface.host, { kind: 'addr6', iface, addr: entry, add: true });
  return 0;
}

/** `ip -6 addr del A dev iface`. */
export function removeIpv6Address(iface: Interface, addr: Uint8Array): number {
  const i = iface.ipv6.findIndex((a) => ipv6Equal(a.addr, addr));
  if (i < 0) return -Errno.EADDRNOTAVAIL;
  const [gone] = iface.ipv6.splice(i, 1);
  rtnlEvent(iface.host, { kind: 'addr6', iface, addr: gone!, add: false });
  const stillCovered = iface.ipv6.some((a) => a.prefixLen === gone!.prefixLen && ipv6PrefixMatch(a.addr, gone!.addr, gone!.prefixLen));
  if (!stillCovered) {
    iface.host.ipv6.routes.remove((r) => r.iface === iface && r.gateway === null && r.prefixLen === gone!.prefixLen && ipv6PrefixMatch(r.dest, gone!.addr, gone!.prefixLen));
  }
  return 0;
}

/** Whether gw lies on one of iface's IPv4 subnets. */
function onLink4(iface: Interface, gw: number): boolean {
  return iface.ipv4.some((a) => (((a.addr ^ gw) & prefixMask(a.prefixLen)) >>> 0) === 0);
}

/**
 * `ip route add DEST via GW [dev IF]` (IPv4 or IPv6 by the text of dest); `via` omitted makes the route on-link and
 * needs `dev`. Returns 0, -EINVAL (bad text), -ENODEV (no such interface), -ENETUNREACH (gateway not on a link).
 */
export function addRoute(host: Host, dest: string, via?: string, dev?: string, metric?: number): number {
  const iface = dev !== undefined ? host.iface(dev) : undefined;
  if (dev !== undefined && !iface) return -Errno.ENODEV;
  const d4 = parseCidr4(dest === 'default' ? '0.0.0.0/0' : dest);
  const v6 = dest.includes(':') || (dest === 'default' && via?.includes(':') === true);
  if (!v6 && d4) {
    let gateway = 0;
    let out = iface;
    if (via !== undefined) {
      const g = ipv4FromString(via);
      if (g === null) return -Errno.EINVAL;
      gateway = g;
      out ??= host.interfaces.find((i) => !i.loopback && onLink4(i, g));
      if (!out || !onLink4(out, g)) return -Errno.ENETUNREACH;
    }
    if (!out) return -Errno.EINVAL;
    host.ipv4.routes.add({ dest: d4.addr, prefixLen: d4.prefixLen, gateway, iface: out, ...(metric !== undefined ? { metric } : {}) });
    return 0;
  }
  const d6 = parseCidr6(dest === 'default' ? '::/0' : dest);
  if (!d6) return -Errno.EINVAL;
  let gateway: Uint8Array | null = null;
  let out = iface;
  if (via !== undefined) {
    gateway = ipv6FromString(via);
    if (!gateway) return -Errno.EINVAL;
    const g = gateway;
    // A link-local gateway names no link by itself: it needs the device (as `ip -6 route` insists).
    if (!out && ipv6Scope(g) === 'link') return -Errno.EINVAL;
    out ??= host.interfaces.find((i) => !i.loopback && i.ipv6.some((a) => a.scope === 'global' && ipv6PrefixMatch(a.addr, g, a.prefixLen)));
    if (!out) return -Errno.ENETUNREACH;
  }
  if (!out) return -Errno.EINVAL;
  host.ipv6.routes.add({ dest: d6.addr, prefixLen: d6.prefixLen, gateway, iface: out, ...(metric !== undefined ? { metric } : {}) });
  return 0;
}

/** Replaces the default route of gw's family (`ip route replace default via GW`). */
export function setDefaultGateway(host: Host, gw: string, dev?: string): number {
  if (gw.includes(':')) host.ipv6.routes.remove((r) => r.prefixLen === 0);
  else host.ipv4.routes.remove((r) => r.prefixLen === 0);
  return addRoute(host, 'default', gw, dev);
}

/** `ip link set dev X mtu N`: at least 68 for IPv4 (ETH_MIN_MTU), at most 65535 here; EINVAL otherwise. */
export function setMtu(iface: Interface, mtu: number): number {
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) return -Errno.EINVAL;
  if (iface.mtu === mtu) return 0; // dev_set_mtu: nothing to announce
  iface.mtu = mtu;
  rtnlEvent(iface.host, { kind: 'link', iface, change: 0 });
  return 0;
}

/**
 * `ip link set dev X up|down`: IFF_UP (routes over a down interface are not used, its frames are dropped). A down
 * interface also loses IFF_RUNNING and IFF_LOWER_UP, as dev_get_flags reports them only while the device runs.
 */
export function setLinkUp(iface: Interface, up: boolean): void {
  const bits = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;
  const old = iface.flags;
  iface.flags = up ? old | bits : old & ~bits;
  if (iface.flags !== old) rtnlEvent(iface.host, { kind: 'link', iface, change: IFF_UP });
}

/** Sets the name servers the resolver will use (/etc/resolv.conf "nameserver" lines; glibc uses the first 3). */
export function setDnsServers(host: Host, servers: string[]): number {
  for (const s of servers) if (ipv4FromString(s) === null && ipv6FromString(s) === null) return -Errno.EINVAL;
  host.dnsServers = [...servers];
  return 0;
}
