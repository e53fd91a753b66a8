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
