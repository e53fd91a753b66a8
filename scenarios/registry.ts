/**
 * The scenario registry. A scenario is a named builder that turns parameters into a topology and processes on a
 * fresh network; recordings store the name and parameters, so `socksim replay` can build the same run again.
 */
import type { Network } from '../stack/network.js';

/** Parameter values a scenario accepts (JSON-serialisable). */
export type Params = Record<string, unknown>;

/** What a scenario's builder may hand back: a summary to print after the run. */
export interface ScenarioHooks {
  /** Lines describing the outcome (called after the run). */
  summary?: () => string[];
  /** Whether the scenario's own expectations held (a failed check makes `socksim run` exit 1). */
  ok?: () => boolean;
  /** Whatever the scenario collected for programmatic callers (scenario data: its trace). */
  artifact?: unknown;
}

/** A runnable scenario. */
export interface ScenarioDef {
  /** Registry name (`socksim run NAME`). */
  name: string;
  /** One line for `socksim run --list`. */
  description: string;
  /** Default parameters; `socksim run` options override them. */
  defaults: Params;
  /** Bound on virtual time, ns (default 10 minutes). */
  maxTimeNs?: number;
  /** Bounds that depend on the parameters (scenario data carries its own); overrides maxTimeNs. */
  limits?: (params: Params) => { maxTimeNs?: number; maxEvents?: number };
  /** True when the parameters are a free-form document (scenario data), not a fixed set of keys. */
  freeParams?: boolean;
  /** Builds hosts, links and processes on an empty network. */
  build(net: Network, params: Params): ScenarioHooks | void;
}

const registry = new Map<string, ScenarioDef>();

/** Adds a scenario (names are unique). */
export function registerScenario(def: ScenarioDef): void {
  if (registry.has(def.name)) throw new Error(`scenario "${def.name}" is registered twice`);
  registry.set(def.name, def);
}

/** The scenario with this name, or undefined. */
export function findScenario(name: string): ScenarioDef | undefined {
  return registry.get(name);
}

/** All registered scenarios, in registration order. */
export function listScenarios(): ScenarioDef[] {
  return [...registry.values()];
}

/** Reads a numeric parameter, with a clear error for a wrong type. */
export function num(p: Params, key: string): number {
  const v = p[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`scenario parameter "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}
