/**
 * The one error type wire parsers throw. Linux drops a malformed frame and bumps a counter; the layer that calls
 * a parser does the same, keyed by `proto` and `reason`, so parsers must never throw anything else.
 */

/** A packet that cannot be decoded: which protocol, why (short kebab-case), and the byte offset of the fault. */
export class WireError extends Error {
  constructor(readonly proto: string, readonly reason: string, readonly offset: number) {
    super(`${proto}: ${reason} at offset ${offset}`);
    this.name = 'WireError';
  }
}
