/**
 * Packet capture from an event stream: every frame handed to a link ('tx' events) becomes a pcap record stamped with
 * its virtual time, so a recording opens in Wireshark/tshark as if captured on all links at once.
 */
import type { SimEvent } from '../sim/events.js';
import { EV_TX } from './events.js';
import { PcapWriter } from './wire/pcap.js';

/** Which frames to keep. */
export interface CaptureFilter {
  /** Keep only frames sent on these links or media (names as recorded, e.g. "a:eth0-b:eth0", "a:lo"). */
  links?: readonly string[];
  /** Leave out loopback traffic (default: keep it). */
  noLoopback?: boolean;
}

/** Streams events into a pcap writer; returns how many frames were written. */
export function captureEvents(events: Iterable<SimEvent>, writer: PcapWriter, filter: CaptureFilter = {}): number {
  let n = 0;
  const links = filter.links ? new Set(filter.links) : null;
  for (const ev of events) {
    if (ev[0] !== EV_TX) continue;
    const link = ev[2] as string;
    if (links && !links.has(link)) continue;
    if (filter.noLoopback && link.endsWith(':lo')) continue;
    writer.addPacket(ev[1] as number, ev[5] as Uint8Array);
    n++;
  }
  return n;
}

/** An EventSink that captures as the run goes (for tests that do not record). */
export class CaptureSink {
  readonly writer = new PcapWriter();
  frames = 0;
  push(ev: SimEvent): void {
    if (ev[0] === EV_TX) {
      this.writer.addPacket(ev[1] as number, ev[5] as Uint8Array);
      this.frames++;
    }
  }
}
