/**
 * Where a case comes from: a scenario-data file (JSON), or a recording whose header holds scenario data (the
 * "data" scenario records its whole document as its parameters, so a fuzz failure's recording exports directly).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { RecordingError, RecordingReader } from '../../sim/recording-reader.js';
import { RECORDING_MAGIC } from '../../sim/recording.js';
import { loadScenarioFile, ScenarioDataError, validateScenario } from '../../scenarios/data/load.js';
import { DATA_SCENARIO } from '../../scenarios/data/register.js';
import type { ScenarioData } from '../../scenarios/data/schema.js';

/** A case that cannot be loaded: unreadable, not scenario data, or a recording of another scenario. */
export class CaseSourceError extends Error {}

/** A loaded case. */
export interface CaseSource {
  data: ScenarioData;
  /** A name for it: the file name without extension. */
  name: string;
  kind: 'scenario' | 'recording';
}

/** A C-identifier-safe, file-name-safe case name from a path. */
export function caseName(path: string): string {
  return basename(path).replace(/\.(json|socksim)$/, '').replace(/[^A-Za-z0-9_.-]/g, '_') || 'case';
}

/** Loads a scenario-data file or a recording of the "data" scenario. */
export function loadCase(path: string): CaseSource {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CaseSourceError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const isRecording = bytes.length >= RECORDING_MAGIC.length && RECORDING_MAGIC.every((b, i) => bytes[i] === b);
  try {
    if (!isRecording) return { data: loadScenarioFile(path), name: caseName(path), kind: 'scenario' };
    const header = new RecordingReader(bytes).header;
    if (header.scenario.name !== DATA_SCENARIO) {
      throw new CaseSourceError(`${path} records the scenario "${header.scenario.name}", not scenario data; only "data" recordings hold a case export-c can write`);
    }
    return { data: validateScenario(header.scenario.params), name: caseName(path), kind: 'recording' };
  } catch (e) {
    if (e instanceof ScenarioDataError || e instanceof RecordingError) throw new CaseSourceError(`${path}: ${e.message}`);
    throw e;
  }
}
