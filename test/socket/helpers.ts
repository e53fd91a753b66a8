/** Helpers for socket-layer tests: one host on a fresh simulation, run a process body to completion. */
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import type { Host } from '../../stack/host.js';
import type { Sys } from '../../stack/sys.js';

/** A simulation with one host "h" (loopback only). */
export function oneHost(seed: string | number = 1): { sim: Sim; net: Network; h: Host } {
  const sim = new Sim({ seed });
  const net = new Network(sim);
  const h = net.addHost('h');
  return { sim, net, h };
}

/** Runs one process body on a fresh host and returns what it returned, with the run result. */
export async function runOne<T>(body: (sys: Sys) => Promise<T>, seed: string | number = 1): Promise<T> {
  const { sim, h } = oneHost(seed);
  let out: T | undefined;
  let err: unknown = null;
  h.spawn('p', async (sys) => {
    try {
      out = await body(sys);
    } catch (e) {
      err = e;
    }
  });
  await sim.run();
  if (err) throw err;
  return out as T;
}

/**
 * Describes an IP packet carrying UDP to `port` (or a fragment) as the kernel probes do: IPv4 [DF, MF, fragment
 * offset, total length], IPv6 [has a Fragment header, payload length]; null for anything else.
 */
export function describeUdpPacket(p: Uint8Array, port: number): (number | boolean)[] | null {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (p[0]! >> 4 === 4) {
    const flags = dv.getUint16(6);
    if (p[9] !== 17 || (!(flags & 0x1fff) && dv.getUint16(22) !== port)) return null;
    return [(flags & 0x4000) !== 0, (flags & 0x2000) !== 0, (flags & 0x1fff) * 8, dv.getUint16(2)];
  }
  const nh = p[6]!;
  if (nh === 44 || (nh === 17 && dv.getUint16(42) === port)) return [nh === 44, dv.getUint16(4)];
  return null;
}
