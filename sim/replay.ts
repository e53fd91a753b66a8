/**
 * Replay: run a scenario again and compare its event stream with a recording, event by event. The first event that
 * differs (or is missing, or extra) is reported with its index and virtual time, expected beside actual.
 *
 * Against a recording's own cursor (`RecordingReader.events()`) each live event is encoded as the writer encodes it
 * when it arrives, and each recorded batch is compared with what the run produced for it in one compare once the run
 * has produced that many events (or has ended). Only where those bytes differ are events compared one by one, and
 * only an event whose bytes differ is decoded and compared by value (equal values with other bytes, such as an
 * object's keys in another order, still match). So a divergence is found at the end of its batch: the run goes on
 * for at most a batch (512 events) before it is stopped, and the report names the first differing event all the
 * same, with the actual event as it was when it arrived (decoded from its bytes). Against any other iterator each
 * event is compared by value as it arrives.
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
  /** Events compared and equal so far (during a replay against a recording, up to the last batch compared). */
  matched = 0;
  divergence: Divergence | null = null;
  /** True when the recording ran out because it was cut short; later events are not compared. */
  recordingExhausted = false;
  /** Set when reading the recording failed (a damaged batch): thrown again by finish(). */
  private damage: unknown = null;
  private readonly cursor: EventCursor | null;
  /**
   * Live events not yet compared (a recording's cursor only), encoded in `packer` as they arrived, the i-th ending
   * at `ends[i]`. Their bytes are what is compared and reported: an event's fields (a syscall's buffer) may change
   * after it is pushed.
   */
  private readonly packer = new EventPacker(packr);
  private readonly ends: number[] = [];
  /** Events the recording's current batch holds beyond those compared; pending events are compared at this many. */
  private batchLeft = 0;

  constructor(
    private readonly expected: Iterator<SimEvent>,
    /** Called once, at the first difference (the replay driver stops the run there). */
    private readonly onDiverge: (d: Divergence) => void,
    /** Whether the recording stopped early (truncated): its end is then not a difference. */
    private readonly stoppedEarly: () => boolean = () => false,
  ) {
    this.cursor = expected instanceof EventCursor ? expected : null;
  }

  push(actual: SimEvent): void {
    if (this.divergence || this.recordingExhausted || this.damage !== null) return;
    try {
      if (this.cursor !== null && Array.isArray(actual) && typeof actual[0] === 'string' && typeof actual[1] === 'number') {
        if (this.ends.length === 0) {
          this.batchLeft = this.cursor.batchLeft();
          if (this.batchLeft === 0) return this.ranOut(actual);
        }
        this.packer.add(actual);
        this.ends.push(this.packer.end);
        if (this.ends.length === this.batchLeft) this.comparePending();
        return;
      }
      // Not an event a recording could hold as it is: compared by value, after those before it.
      this.comparePending();
      if (this.divergence) return;
      this.compareOne(actual);
    } catch (e) {
      // A damaged recording: the run stops here (the simulator sees the throw) and finish() reports it.
      this.damage = e;
      throw e;
    }
  }

  /** After the run: any recorded event the run never produced is a divergence too. Throws a damaged recording's error. */
  finish(): Divergence | null {
    if (this.damage === null && !this.divergence) {
      try {
        this.comparePending();
      } catch (e) {
        this.damage = e;
      }
    }
    if (this.damage !== null) throw this.damage;
    if (this.divergence || this.recordingExhausted) return this.divergence;
    const n = this.expected.next();
    if (!n.done) this.diverge(n.value, undefined);
    return this.divergence;
  }

  /**
   * Compares the pending live events with the recording's next ones: all their bytes at once, and one by one only
   * when those differ, by value (decoded from the bytes they had when pushed) where their bytes differ.
   */
  private comparePending(): void {
    const n = this.ends.length;
    if (n === 0) return;
    const cursor = this.cursor!, view = this.packer.dataView;
    if (cursor.match(view, HEADROOM, this.packer.end - HEADROOM, n) === MATCHED) this.matched += n;
    else {
      for (let i = 0, start = HEADROOM; i < n && !this.divergence; start = this.ends[i]!, i++) {
        const end = this.ends[i]!;
        if (cursor.match(view, start, end - start) === MATCHED) this.matched++;
        // A copy: msgpackr's byte strings are views of what it decodes, and the packer's buffer is reused.
        else this.compareOne(packr.unpack(this.packer.buffer.slice(start, end)) as SimEvent);
      }
    }
    this.ends.length = 0;
    this.packer.clear();
  }

  /** Compares one live event with the next recorded one by value. */
  private compareOne(actual: SimEvent): void {
    const n = this.expected.next();
    if (n.done) return this.ranOut(actual);
    if (!eventValueEqual(n.value, actual)) return this.diverge(n.value, actual);
    this.matched++;
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
