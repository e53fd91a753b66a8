/** Running scenario data programmatically: the run and its trace. */
import type { EventSink } from '../../sim/events.js';
import type { ByteOutput } from '../../sim/recording.js';
import { runScenario, type ScenarioRun } from '../runner.js';
import type { DataTrace } from './interpret.js';
import { DATA_SCENARIO } from './register.js';
import type { ScenarioData } from './schema.js';

/** A finished scenario-data run. */
export interface DataRun {
  run: ScenarioRun;
  trace: DataTrace;
}

/** Runs a scenario document (seed from the document unless overridden). */
export async function runData(s: ScenarioData, opts: { seed?: string | number; record?: string | ByteOutput | null; sink?: EventSink | null; meta?: Record<string, unknown> } = {}): Promise<DataRun> {
  const run = await runScenario(DATA_SCENARIO, {
    seed: opts.seed ?? s.seed, params: s as unknown as Record<string, unknown>, record: opts.record ?? null, sink: opts.sink ?? null, meta: opts.meta,
  });
  return { run, trace: run.hooks.artifact as DataTrace };
}
