/** Small helpers shared by the sim/ test suites. */
import type { EventSink, SimEvent } from '../../../sim/events.js';
import type { Process, WakeReason } from '../../../sim/process.js';
import type { Sim } from '../../../sim/sim.js';

/** An EventSink that keeps every event in memory, in order. */
export class MemorySink implements EventSink {
  /** The events pushed so far. */
  readonly events: SimEvent[] = [];
  push(ev: SimEvent): void {
    this.events.push(ev);
  }
}

/** Parks p for ns of virtual time: a block on no queue with a deadline, as nanosleep(2) would be built. */
export function sleep(sim: Sim, p: Process, ns: number): Promise<WakeReason> {
  return p.block([], sim.now + ns, 'sleep');
}
