/**
 * A small Ethernet LAN for gallery scenarios: hosts on one learning switch, each with one address in 10.0.0.0/24
 * (the number given is the last octet), every cable with the same link parameters.
 */
import type { LinkParams } from '../../stack/faults.js';
import type { Host } from '../../stack/host.js';
import type { Network } from '../../stack/network.js';

/** A host on the LAN and its address. */
export interface LanHost {
  host: Host;
  addr: string;
}

/** Puts hosts named by `octets`' keys on a new switch `sw`, host `name` at 10.0.0.<octets[name]>. */
export function buildLan<K extends string>(net: Network, octets: Record<K, number>, cable: Partial<LinkParams> = {}, sw = 'sw'): Record<K, LanHost> {
  const s = net.addSwitch(sw);
  const out = {} as Record<K, LanHost>;
  for (const name of Object.keys(octets) as K[]) {
    const host = net.addHost(name);
    const addr = `10.0.0.${octets[name]}`;
    net.attach(host, s, cable, { ipv4: `${addr}/24` });
    out[name] = { host, addr };
  }
  return out;
}
