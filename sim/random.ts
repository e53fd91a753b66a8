/**
 * Named, seeded random streams. Each stream's generator is seeded from (master seed, stream name) alone, so adding a
 * stream, or drawing more from one, never changes the values another stream produces: a loss decision on one link
 * stays the same when a scenario adds a second link. The generator is seedrandom's Alea, one of its fastest.
 */
import seedrandom from 'seedrandom';

/** Opaque generator state, JSON-serialisable, for save and restore. */
export type StreamState = { readonly alea: object; readonly draws: number };

/** One named stream of pseudo-random numbers. */
export class RandomStream {
  private prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  /** How many values were drawn so far (handy in divergence reports). */
  draws = 0;

  constructor(
    /** The stream's name, e.g. "link:a-b:loss". */
    readonly name: string,
    masterSeed: string | number,
    state?: StreamState,
  ) {
    this.prng = state
      ? seedrandom.alea('', { state: state.alea as seedrandom.State.Alea })
      : seedrandom.alea(JSON.stringify([masterSeed, name]), { state: true }); // unambiguous: seed 1 ≠ "1"
    if (state) this.draws = state.draws;
  }

  /** A float in [0, 1). */
  next(): number {
    this.draws++;
    return this.prng();
  }

  /** An unsigned 32-bit integer. */
  uint32(): number {
    this.draws++;
    return this.prng.int32() >>> 0;
  }

  /** An integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    if (!(hi >= lo)) throw new RangeError(`int(${lo}, ${hi}): empty range`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p (p ≤ 0 never, p ≥ 1 always; neither case draws, so a disabled fault costs nothing). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** The generator state, to resume this stream exactly later. */
  state(): StreamState {
    return { alea: this.prng.state(), draws: this.draws };
  }
}

/** The set of streams of one run, all derived from one master seed. */
export class RandomStreams {
  private streams = new Map<string, RandomStream>();

  constructor(/** The run's master seed. */ readonly seed: string | number) {}

  /** The stream with this name, created on first use. */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(name, this.seed);
      this.streams.set(name, s);
    }
    return s;
  }

  /** Names of the streams used so far, in first-use order. */
  names(): string[] {
    return [...this.streams.keys()];
  }
}
