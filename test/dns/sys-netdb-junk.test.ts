import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { Errno } from '../../stack/errno.js';

// The netdb calls on Sys never throw for junk arguments: a wrong type is what C would see as a bad pointer, so the
// call records EFAULT and returns its failure value (EAI_SYSTEM, NETDB_INTERNAL, or NULL).
const CALLS = ['getaddrinfo', 'getnameinfo', 'gethostbyname', 'gethostbyname_r', 'gethostbyaddr', 'gethostbyaddr_r'] as const;
const junk = fc.oneof(fc.integer(), fc.double(), fc.constant(null), fc.constant(undefined), fc.boolean(), fc.string({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 20 }), fc.object({ maxDepth: 1 }), fc.array(fc.integer(), { maxLength: 3 }));

test.prop([fc.constantFrom(...CALLS), fc.array(junk, { maxLength: 5 })], { numRuns: 300 })('junk arguments to netdb calls never throw', async (call, args) => {
  const sim = new Sim({ seed: 1 });
  const net = new Network(sim);
  const h = net.addHost('h');
  let done = false;
  h.spawn('p', async (sys) => {
    const fn = (sys as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[call]!;
    const r = await fn.apply(sys, args);
    expect(r === null || typeof r === 'object').toBe(true);
    done = true;
  });
  await sim.run();
  const p = sim.processes()[0]!;
  expect(p.error, `${call}(${args.map((a) => typeof a).join(', ')}) threw`).toBeNull();
  expect(done).toBe(true);
  void Errno;
});
