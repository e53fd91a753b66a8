/**
 * Interface configuration changes that rtnetlink announces to its multicast groups (rtmsg_ifinfo, rtmsg_ifa,
 * inet6_ifa_notify): stack/ifconfig.ts reports each change here, and stack/netlink.ts, once a socket of the host has
 * subscribed, turns them into RTM_NEWLINK / RTM_NEWADDR / RTM_DELADDR messages. Keeping the hook here lets the
 * configuration code tell netlink without importing it.
 */
import type { Host } from './host.js';
import type { Interface, Ipv4Assignment, Ipv6Assignment } from './iface.js';

/** One announced change. `change` is ifi_change: the IFF_* flags an administrative change flipped (0 for MTU). */
export type RtnlEvent =
  | { readonly kind: 'link'; readonly iface: Interface; readonly change: number }
  | { readonly kind: 'addr4'; readonly iface: Interface; readonly addr: Ipv4Assignment; readonly add: boolean }
  | { readonly kind: 'addr6'; readonly iface: Interface; readonly addr: Ipv6Assignment; readonly add: boolean };

/** The listener of each host (looked up, never iterated). */
const listeners = new WeakMap<Host, (ev: RtnlEvent) => void>();

/** Installs host's listener (netlink does, when a socket first joins a group). */
export function onRtnlEvent(host: Host, fn: (ev: RtnlEvent) => void): void {
  listeners.set(host, fn);
}

/** Announces a change on host; nothing happens until someone listens. */
export function rtnlEvent(host: Host, ev: RtnlEvent): void {
  listeners.get(host)?.(ev);
}
