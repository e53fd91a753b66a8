/**
 * Replay: run a scenario again and compare its event stream with a recording, event by event. The first event that
 * differs (or is missing, or extra) is reported with its index and virtual time, expected beside actual.
 */
import { eventValueEqual, formatEvent, type EventSink, type SimEvent } from './events.js';
import { formatTime } from './time.js';

/** The first point where the run left the recording. */
export interface Divergence {
  /** Index of the event in the recording (0-based). */
  index: number;
  /** Virtual time of the actual event, else of the expected one. */
  timeNs: number;
  expected: SimEvent | undefined;
  actual: SimEvent | undefined;
}

/** Compares a live event stream with the recorded one. */
export class ReplayComparator implements EventSink {
  /** Events compared and equal so far. */
  matched = 0;
  divergence: Divergence | null = null;
  /** True when the recording ran out because it was cut short; later events are not compared. */
  recordingExhausted = false;
  private pending: SimEvent | undefined;

  constructor(
    private readonly expected: Iterator<SimEvent>,
    /** Called once, at the first difference (the replay driver stops the run there). */
    private readonly onDiverge: (d: Divergence) => void,
    /** Whether the recording stopped early (truncated): its end is then not a difference. */
    private readonly stoppedEarly: () => boolean = () => false,
  ) {}

  push(actual: SimEvent): void {
    if (this.divergence || this.recordingExhausted) return;
    const n = this.expected.next();
    if (n.done) {
      if (this.stoppedEarly()) {
        this.recordingExhausted = true;
        return;
      }
      this.diverge(undefined, actual);
      return;
    }
    if (!eventValueEqual(n.value, actual)) {
      this.diverge(n.value, actual);
      return;
    }
    this.matched++;
  }

  /** After the run: any recorded event the run never produced is a divergence too. */
  finish(): Divergence | null {
    if (this.divergence || this.recordingExhausted) return this.divergence;
    const n = this.expected.next();
    if (!n.done) this.diverge(n.value, undefined);
    return this.divergence;
  }

  private diverge(expected: SimEvent | undefined, actual: SimEvent | undefined): void {
    const t = (actual?.[1] ?? expected?.[1] ?? 0) as number;
    this.divergence = { index: this.matched, timeNs: t, expected, actual };
    this.onDiverge(this.divergence);
  }
}

/** A multi-line report of a divergence: index, time, expected and actual side by side. */
export function formatDivergence(d: Divergence): string {
  return [
    `first difference at event #${d.index}, virtual time ${formatTime(d.timeNs)}`,
    `  expected: ${formatEvent(d.expected)}`,
    `  actual:   ${formatEvent(d.actual)}`,
  ].join('\n');
}
