/** `socksim replay FILE`: re-runs a recording and compares it event by event. */
import { existsSync } from 'node:fs';
import { formatDivergence } from '../../sim/replay.js';
import { RecordingError } from '../../sim/recording-reader.js';
import { replayFile } from '../../scenarios/replay.js';
import { parse, UsageError } from '../args.js';
import { DATA_SCENARIO } from '../../scenarios/data/register.js';
import { validateScenario } from '../../scenarios/data/load.js';
import { safeCheck } from '../../scenarios/fuzz/campaign.js';
import { findProperty } from '../../scenarios/fuzz/properties.js';

export const REPLAY_HELP = `usage: socksim replay FILE

Re-runs the scenario a recording holds (same scenario, parameters and seed) and compares the new run with the
recording event by event.

exit status: 0 identical (or, for a file cut short, identical as far as it goes); 1 the run diverged (the first
differing event is printed with its index and virtual time); 2 the file is damaged, foreign or unreadable (the byte
offset is printed).`;

export async function replayCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    console.log(REPLAY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('replay takes exactly one recording file');
  const file = positionals[0]!;
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  let rep;
  try {
    rep = await replayFile(file);
  } catch (e) {
    if (e instanceof RecordingError) {
      console.error(`socksim replay: ${file}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const what = `${rep.header.scenario.name} (seed ${String(rep.header.seed)})`;
  if (rep.divergence) {
    console.log(`replay of ${what} DIVERGED after ${rep.matched} matching events`);
    console.log(formatDivergence(rep.divergence));
    return 1;
  }
  if (rep.endMismatch) {
    console.log(`replay of ${what} DIVERGED at the end: ${rep.endMismatch}`);
    return 1;
  }
  if (rep.truncated) {
    const t = rep.truncated;
    console.log(`recording is cut short at byte offset ${t.offset} of ${t.fileSize} (a partial batch was lost);`);
    console.log(`replay of ${what}: the ${t.eventsRead} events in its whole batches are identical`);
    return 0;
  }
  const crash = rep.end.status === 'crashed' ? `; the run ends as recorded, with the simulator throwing ${rep.end.message}` : '';
  console.log(`replay of ${what}: identical (${rep.matched} events)${crash}`);
  const prop = rep.header.meta?.property;
  if (typeof prop === 'string' && rep.header.scenario.name === DATA_SCENARIO && findProperty(prop)) {
    // A saved fuzz failure: check its property again on the same case, so the user sees the failure itself recur.
    console.log(`recorded as a failure of property ${prop}: ${String(rep.header.meta!.message)}`);
    const now = await safeCheck(findProperty(prop)!, validateScenario(rep.header.scenario.params));
    console.log(now === null ? `property ${prop} now HOLDS on this case (the failure is gone)` : `property ${prop} fails again: ${now}`);
  }
  return 0;
}
