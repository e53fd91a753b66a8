/**
 * Runs a registered scenario: a fresh simulator and network, the scenario's topology and processes, and optionally
 * a recorder. Replaying uses the same path with a comparator instead of the recorder.
 */
import { Sim, type RunResult } from '../sim/sim.js';
import type { EventSink } from '../sim/events.js';
import { RecordingWriter, fileOutput, type ByteOutput } from '../sim/recording.js';
import { Network } from '../stack/network.js';
import { findScenario, type Params, type ScenarioDef, type ScenarioHooks } from './registry.js';
import { SOCKSIM_VERSION } from './version.js';

/** How to run. */
export interface RunOptions {
  seed: string | number;
  /** Parameter overrides (merged over the scenario's defaults). */
  params?: Params;
  /** Record to this file path or byte output. */
  record?: string | ByteOutput | null;
  /** Extra header facts for the recording (fuzz failures store their property and message). */
  meta?: Record<string, unknown>;
  /** Another sink to receive events (used by replay); exclusive with `record`. */
  sink?: EventSink | null;
  /** Overrides the scenario's bound on virtual time. */
  maxTimeNs?: number;
  maxEvents?: number;
  /** Called with the simulator before the run starts (the replay driver uses it to stop at a divergence). */
  onSim?: (sim: Sim) => void;
}

/** The outcome of a scenario run. */
export interface ScenarioRun {
  def: ScenarioDef;
  params: Params;
  result: RunResult;
  net: Network;
  hooks: ScenarioHooks;
  /** Events recorded (0 without a recorder). */
  recordedEvents: number;
}

/** The parameters a run uses: defaults overlaid with overrides; unknown keys are an error. */
export function resolveParams(def: ScenarioDef, overrides: Params = {}): Params {
  if (def.freeParams) return overrides;
  for (const k of Object.keys(overrides)) {
    if (!(k in def.defaults)) throw new Error(`scenario "${def.name}" has no parameter "${k}" (it has: ${Object.keys(def.defaults).join(', ')})`);
  }
  return { ...def.defaults, ...overrides };
}

/** Runs the scenario `name`. */
export async function runScenario(name: string, opts: RunOptions): Promise<ScenarioRun> {
  const def = findScenario(name);
  if (!def) throw new Error(`unknown scenario "${name}"`);
  const params = resolveParams(def, opts.params);
  let writer: RecordingWriter | null = null;
  if (opts.record) {
    const out = typeof opts.record === 'string' ? fileOutput(opts.record) : opts.record;
    writer = new RecordingWriter(out, { socksimVersion: SOCKSIM_VERSION, scenario: { name, params }, seed: opts.seed, ...(opts.meta ? { meta: opts.meta } : {}) });
  }
  const lim = def.limits?.(params) ?? {};
  const sim = new Sim({
    seed: opts.seed, sink: writer ?? opts.sink ?? null,
    maxTimeNs: opts.maxTimeNs ?? lim.maxTimeNs ?? def.maxTimeNs ?? 600e9, maxEvents: opts.maxEvents ?? lim.maxEvents,
  });
  const net = new Network(sim);
  const hooks = def.build(net, params) ?? {};
  opts.onSim?.(sim);
  let result: RunResult;
  try {
    result = await sim.run();
  } catch (e) {
    // A broken invariant inside the simulator: the recording still ends cleanly, with the error as its outcome, so
    // a replay can show that the same run fails the same way.
    writer?.finish({ status: 'crashed', message: crashMessage(e), timeNs: sim.now });
    throw e;
  }
  if (writer) writer.finish({ status: result.status, message: result.message, timeNs: result.timeNs });
  return { def, params, result, net, hooks, recordedEvents: writer?.events ?? 0 };
}

/** The one-line message a crash is recorded with. */
export function crashMessage(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
