/** Prints the README's table: for each deviation profile, the property that caught it, runs needed, shrunk size. */
import { hunt } from '../scenarios/fuzz/hunt.js';
import { PROFILES } from '../stack/profiles.js';
import '../scenarios/index.js';

/** Hunts every deviation profile with seed 1 and prints a Markdown table. */
export async function printProfileTable(seed = 1): Promise<void> {
  console.log(`profiles: fuzz campaign "expectations", seed ${seed}, up to 1000 runs each`);
  console.log('| profile | property that caught it | runs needed | shrunk case | failure |');
  console.log('|---|---|---|---|---|');
  for (const p of PROFILES.filter((x) => x.name !== 'linux')) {
    const r = await hunt(p.name, 'expectations', seed, 1000);
    const size = r.ops === null ? '—' : `${r.ops} operations, ${r.faults} faults`;
    console.log(`| ${p.name} | ${r.runsNeeded === null ? '(not caught)' : r.property} | ${r.runsNeeded ?? '> 1000'} | ${size} | ${r.message ?? ''} |`);
  }
}
