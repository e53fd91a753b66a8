/** `socksim shrink RECORDING`: shrinks the scenario-data case a recording holds against its property again. */
import { readFileSync } from 'node:fs';
import { RecordingError, RecordingReader } from '../../sim/recording-reader.js';
import { formatScenario } from '../../scenarios/data/format.js';
import { validateScenario } from '../../scenarios/data/load.js';
import { DATA_SCENARIO } from '../../scenarios/data/register.js';
import { runData } from '../../scenarios/data/run.js';
import { propertyOrThrow, safeCheck } from '../../scenarios/fuzz/campaign.js';
import { PROPERTIES } from '../../scenarios/fuzz/properties.js';
import { countOps, shrinkScenario } from '../../scenarios/fuzz/shrink.js';
import { parse, UsageError } from '../args.js';

export const SHRINK_HELP = `usage: socksim shrink RECORDING [--property NAME] [-o OUT]

Takes a recording of a scenario-data case (one saved by socksim fuzz, or any run of a .json scenario), checks its
property again, shrinks the case further if it still fails, and saves the result as a new recording.

options:
  --property NAME   the property to shrink against (default: the one the recording names)
  -o, --output OUT  where to save (default: RECORDING with .shrunk before the extension)`;

export async function shrinkCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { property: { type: 'string' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    console.log(SHRINK_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('shrink takes exactly one recording');
  const file = positionals[0]!;
  let reader: RecordingReader;
  try {
    reader = new RecordingReader(readFileSync(file));
  } catch (e) {
    if (e instanceof RecordingError) {
      console.error(`socksim shrink: ${file}: ${e.message}`);
      return 2;
    }
    throw new UsageError(`cannot read ${file}`);
  }
  const h = reader.header;
  if (h.scenario.name !== DATA_SCENARIO) throw new UsageError(`${file} holds the built-in scenario "${h.scenario.name}", not scenario data; only scenario data can be shrunk`);
  const propName = values.property ?? (typeof h.meta?.property === 'string' ? h.meta.property : undefined);
  if (!propName) throw new UsageError(`${file} names no property; pass --property (one of ${PROPERTIES.map((p) => p.name).join(', ')})`);
  if (!PROPERTIES.some((p) => p.name === propName)) throw new UsageError(`unknown property "${propName}"`);
  const prop = propertyOrThrow(propName);
  const scenario = validateScenario(h.scenario.params);
  const message = await safeCheck(prop, scenario);
  if (message === null) {
    console.log(`property ${propName} holds on this case: nothing to shrink`);
    return 0;
  }
  const sh = await shrinkScenario(scenario, message, (s) => safeCheck(prop, s));
  const out = values.output ?? file.replace(/(\.socksim)?$/, '.shrunk.socksim');
  try {
    await runData(sh.scenario, { record: out, meta: { ...(h.meta ?? {}), property: propName, message: sh.message } });
  } catch {
    // A crashing case is recorded with the crash as its outcome.
  }
  console.log(`${propName} fails: ${sh.message}`);
  console.log(`shrunk from ${countOps(scenario)} operations and ${scenario.faults.length} faults to ${countOps(sh.scenario)} operations and ${sh.scenario.faults.length} faults (${sh.attempts} attempts)`);
  for (const line of formatScenario(sh.scenario)) console.log(`  ${line}`);
  console.log(`saved: ${out}`);
  console.log(`replay it: npx socksim replay ${out}`);
  return 1;
}
