/**
 * Hunting a deviation profile: run a property's campaign on the profile until the first failure, then shrink it.
 * This is how the fuzzer is measured against the documented deviations (the README's table comes from here).
 */
import { safeCheck, scenarioFor, checkRun } from './campaign.js';
import { findProperty } from './properties.js';
import { countOps, shrinkScenario } from './shrink.js';
import type { ScenarioData } from '../data/schema.js';

/** What a hunt found. */
export interface HuntResult {
  profile: string;
  property: string;
  /** Runs needed to find the first failure (run number + 1), or null when none failed within the budget. */
  runsNeeded: number | null;
  message: string | null;
  shrunk: ScenarioData | null;
  ops: number | null;
  faults: number | null;
}

/** Runs `property` on `profile` from run 0 until a failure or `maxRuns`, and shrinks what it finds. */
export async function hunt(profile: string, property: string, seed: number, maxRuns = 1000): Promise<HuntResult> {
  const p = findProperty(property);
  if (!p) throw new Error(`unknown property ${property}`);
  for (let r = 0; r < maxRuns; r++) {
    const o = await checkRun(property, seed, r, profile);
    if (o.ok) continue;
    const sh = await shrinkScenario(scenarioFor(p, seed, r, profile), o.message!, (s) => safeCheck(p, s));
    return { profile, property, runsNeeded: r + 1, message: sh.message, shrunk: sh.scenario, ops: countOps(sh.scenario), faults: sh.scenario.faults.length };
  }
  return { profile, property, runsNeeded: null, message: null, shrunk: null, ops: null, faults: null };
}
