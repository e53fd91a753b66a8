/**
 * Shared helpers of the network tests: small topologies, an in-memory event sink, pcap export of recorded frames
 * and a tshark runner.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventSink, SimEvent } from '../../sim/events.js';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import type { LinkParams } from '../../stack/faults.js';
import { PcapWriter } from '../../stack/wire/pcap.js';

/** Collects every event in memory. */
export class MemorySink implements EventSink {
  readonly events: SimEvent[] = [];
  push(ev: SimEvent): void {
    this.events.push(ev);
  }
  /** Events of one kind. */
  of(kind: string): SimEvent[] {
    return this.events.filter((e) => e[0] === kind);
  }
}

/** A simulator and network, recording into a MemorySink. */
export function makeNet(seed: string | number = 1): { sim: Sim; net: Network; sink: MemorySink } {
  const sink = new MemorySink();
  const sim = new Sim({ seed, sink });
  return { sim, net: new Network(sim), sink };
}

/** Two hosts a (10.0.0.1, 2001:db8::1) and b (10.0.0.2, 2001:db8::2) on one link. */
export function pair(params: Partial<LinkParams> = {}, seed: string | number = 1) {
  const { sim, net, sink } = makeNet(seed);
  const a = net.addHost('a');
  const b = net.addHost('b');
  const link = net.connect(a, b, params, {
    a: { ipv4: '10.0.0.1/24', ipv6: '2001:db8::1/64' }, b: { ipv4: '10.0.0.2/24', ipv6: '2001:db8::2/64' },
  });
  return { sim, net, sink, a, b, link };
}

/** A pcap file of the frames in the recorded 'tx' events (optionally only those on links `filter` accepts). */
export function pcapOf(events: readonly SimEvent[], filter: (link: string) => boolean = () => true): Uint8Array {
  const w = new PcapWriter();
  for (const e of events) {
    if (e[0] !== 'tx' || !filter(e[2] as string)) continue;
    w.addPacket(e[1] as number, e[5] as Uint8Array);
  }
  return w.toBytes();
}

/** Runs tshark on a pcap and returns its stdout; `args` are extra tshark arguments. Throws on a non-zero exit. */
export function tshark(pcap: Uint8Array, args: string[] = []): { out: string; err: string } {
  const dir = mkdtempSync(join(tmpdir(), 'socksim-net-'));
  const file = join(dir, 'capture.pcap');
  writeFileSync(file, pcap);
  const r = execFileSync('tshark', ['-n', '-r', file, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { out: r, err: '' };
}

/** Whether tshark is installed. */
export function haveTshark(): boolean {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
