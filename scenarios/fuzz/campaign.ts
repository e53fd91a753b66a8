/**
 * A fuzz campaign: runs numbered 0…N−1, each generating its scenario from a seed derived from (campaign seed, run
 * number) alone. So the same seed and run count give the same scenarios and results however the runs are spread
 * over workers or shards, and the reported failure is always the lowest-numbered one.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { ScenarioData } from '../data/schema.js';
import { findProperty, propertyArb, type Property } from './properties.js';
import { countOps } from './shrink.js';

/** The outcome of one run of a campaign. */
export interface RunOutcome {
  run: number;
  ok: boolean;
  message: string | null;
  ops: number;
  faults: number;
}

/** The generation seed of run r: the first 31 bits of sha256(seed/property/r). */
export function runSeed(seed: number, property: string, run: number): number {
  return createHash('sha256').update(`${seed}/${property}/${run}`).digest().readUInt32BE(0) >>> 1;
}

/** The scenario run r generates. */
export function scenarioFor(p: Property, seed: number, run: number, profile: string | null = null): ScenarioData {
  const [s] = fc.sample(propertyArb(p), { seed: runSeed(seed, p.name, run), numRuns: 1 });
  return profile ? { ...s!, profile } : s!;
}

/** The property, or an error naming the known ones. */
export function propertyOrThrow(name: string): Property {
  const p = findProperty(name);
  if (!p) throw new Error(`unknown property "${name}"`);
  return p;
}

/** Checks a property; an exception from the simulator (a broken invariant) is a failure too, not a crash. */
export async function safeCheck(p: Property, s: ScenarioData): Promise<string | null> {
  try {
    return await p.check(s);
  } catch (e) {
    return `the simulator threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Runs one numbered run of a campaign. */
export async function checkRun(property: string, seed: number, run: number, profile: string | null = null): Promise<RunOutcome> {
  const p = propertyOrThrow(property);
  const s = scenarioFor(p, seed, run, profile);
  const message = await safeCheck(p, s);
  return { run, ok: message === null, message, ops: countOps(s), faults: s.faults.length };
}

/** Run numbers of shard i (1-based) of n within [0, runs): every run lands in exactly one shard. */
export function shardRuns(runs: number, shard: { index: number; count: number }): number[] {
  const out: number[] = [];
  for (let r = shard.index - 1; r < runs; r += shard.count) out.push(r);
  return out;
}
