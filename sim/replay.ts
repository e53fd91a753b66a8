/**
 * Replay: run a scenario again and compare its event stream with a recording, event by event. The first event that
 * differs (or is missing, or extra) is reported with its index and virtual time, expected beside actual.
 *
 * Against a recording's own cursor (`RecordingReader.events()`) each live event is encoded as the writer encodes it
 * and compared with the recorded bytes; only an event whose bytes differ is decoded and compared by value (equal
 * values with other bytes, such as an object's keys in another order, still match). Against any other iterator the
 * events are compared by value.
 */
import { EventPacker, HEADROOM } from './event-pack.js';
import { eventValueEqual, formatEvent, type EventSink, type SimEvent } from './events.js';
import { EventCursor, MATCHED, NO_MORE } from './recording-reader.js';
import { packr } from './recording.js';
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
  /** Set when reading the recording failed (a damaged batch): thrown again by finish(). */
  private damage: unknown = null;
  private readonly cursor: EventCursor | null;
  private readonly packer: EventPacker | null;

  constructor(
    private readonly expected: Iterator<SimEvent>,
    /** Called once, at the first difference (the replay driver stops the run there). */
    private readonly onDiverge: (d: Divergence) => void,
    /** Whether the recording stopped early (truncated): its end is then not a difference. */
    private readonly stoppedEarly: () => boolean = () => false,
  ) {
    this.cursor = expected instanceof EventCursor ? expected : null;
    this.packer = this.cursor ? new EventPacker(packr) : null;
  }

  push(actual: SimEvent): void {
    if (this.divergence || this.recordingExhausted || this.damage !== null) return;
    try {
      if (this.cursor !== null && this.packer !== null && Array.isArray(actual)) {
        const len = this.packer.only(actual);
        const r = this.cursor.match(this.packer.dataView, HEADROOM, len);
        if (r === MATCHED) {
          // The recording holds this event byte for byte; the reader would have refused it as malformed.
          if (typeof actual[0] !== 'string' || typeof actual[1] !== 'number') throw this.cursor.malformed();
          this.matched++;
          return;
        }
        if (r === NO_MORE) return this.ranOut(actual);
      }
      const n = this.expected.next();
      if (n.done) return this.ranOut(actual);
      if (!eventValueEqual(n.value, actual)) return this.diverge(n.value, actual);
      this.matched++;
    } catch (e) {
      // A damaged recording: the run stops here (the simulator sees the throw) and finish() reports it.
      this.damage = e;
      throw e;
    }
  }

  /** After the run: any recorded event the run never produced is a divergence too. Throws a damaged recording's error. */
  finish(): Divergence | null {
    if (this.damage !== null) throw this.damage;
    if (this.divergence || this.recordingExhausted) return this.divergence;
    const n = this.expected.next();
    if (!n.done) this.diverge(n.value, undefined);
    return this.divergence;
  }

  /** The recording has no event left for `actual`. */
  private ranOut(actual: SimEvent): void {
    if (this.stoppedEarly()) this.recordingExhausted = true;
    else this.diverge(undefined, actual);
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
