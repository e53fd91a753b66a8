/**
 * Replaying a recording: build the recorded scenario with the recorded seed and parameters, run it, and compare the
 * new event stream with the file's, event by event, stopping at the first difference.
 */
import { readFileSync } from 'node:fs';
import { RecordingReader, type Truncation } from '../sim/recording-reader.js';
import type { RecordingHeader } from '../sim/recording.js';
import { ReplayComparator, type Divergence } from '../sim/replay.js';
import { crashMessage, runScenario } from './runner.js';
import './index.js';

/** What a replay found. */
export interface ReplayReport {
  header: RecordingHeader;
  /** True when every recorded event (and the end summary) matched. */
  identical: boolean;
  divergence: Divergence | null;
  /** Events that matched before the end or the first difference. */
  matched: number;
  /** Set when the file was cut short; events after `truncated.eventsRead` were not compared. */
  truncated: Truncation | null;
  /** How the replayed run ended ('crashed' with the error when the simulator threw). */
  end: { status: string; message: string | null; timeNs: number };
  /** A difference in how the run ended (status or final time) when every event matched. */
  endMismatch: string | null;
}

/** Replays recording bytes. Throws RecordingError for a damaged or foreign file. */
export async function replayBytes(bytes: Uint8Array): Promise<ReplayReport> {
  const reader = new RecordingReader(bytes);
  const header = reader.header;
  const events = reader.events();
  let stop: ((d: Divergence) => void) | null = null;
  let getNow = () => 0;
  const cmp = new ReplayComparator(events, (d) => stop?.(d), () => reader.truncated !== null);
  let end: { status: string; message: string | null; timeNs: number };
  try {
    const run = await runScenario(header.scenario.name, {
      seed: header.seed,
      params: header.scenario.params as Record<string, unknown>,
      sink: cmp,
      onSim: (sim) => {
        stop = () => sim.abortRun('diverged', 'replay diverged from the recording');
        getNow = () => sim.now;
      },
    });
    end = run.result;
  } catch (e) {
    // The simulator threw: that is the run's outcome, to compare with how the recorded run ended.
    end = { status: 'crashed', message: crashMessage(e), timeNs: getNow() };
  }
  const divergence = cmp.finish();
  let endMismatch: string | null = null;
  if (!divergence && reader.end && !reader.truncated) {
    const e = reader.end;
    if (e.status !== end.status || e.timeNs !== end.timeNs || e.events !== cmp.matched || (e.status === 'crashed' && e.message !== end.message)) {
      endMismatch = `recorded end: ${e.status} at ${e.timeNs} ns after ${e.events} events${e.status === 'crashed' ? ` (${e.message})` : ''}; replay: ${end.status} at ${end.timeNs} ns after ${cmp.matched} events${end.status === 'crashed' ? ` (${end.message})` : ''}`;
    }
  }

  return {
    end, header, identical: !divergence && !endMismatch && !reader.truncated, divergence, matched: cmp.matched,
    truncated: reader.truncated, endMismatch,
  };
}

/** Replays a recording file. */
export async function replayFile(path: string): Promise<ReplayReport> {
  return replayBytes(readFileSync(path));
}
