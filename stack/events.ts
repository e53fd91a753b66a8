/**
 * Event kinds the stack records (see sim/events.ts for the shape). Packets are identified by a run-wide id so a
 * frame's transmission, delivery and drop line up in reports and pcaps.
 *
 *   ['tx',   t, link, from-iface, pktId, frameBytes]   a frame handed to a link or segment
 *   ['rx',   t, link, to-iface, pktId]                 the frame delivered to an interface
 *   ['drop', t, where, pktId, reason]                  a frame or packet dropped, with why
 *   ['sys',  t, pid, call, args, ret, errno]           a syscall returned
 *   ['sig',  t, pid, signo]                            a signal delivered to a process
 *   ['host', t, host, what]                            host crash / restart
 *   ['link', t, link, what, detail]                    runtime link control (partition, heal, params)
 */
export const EV_TX = 'tx', EV_RX = 'rx', EV_DROP = 'drop', EV_SYSCALL = 'sys', EV_SIGNAL = 'sig', EV_HOST = 'host',
  EV_LINK = 'link';

/** Why packets are dropped; the strings appear in recordings and reports. */
export type DropReason =
  | 'loss' | 'burst-loss' | 'partition' | 'queue-full' | 'link-down' | 'corrupt' | 'bad-checksum' | 'malformed'
  | 'no-route' | 'no-neighbour' | 'ttl-exceeded' | 'no-socket' | 'rcvbuf-full' | 'host-down' | 'not-for-us'
  | 'frag-timeout' | 'mtu' | 'held' | 'filtered' | 'unknown-protocol' | 'rule';

/** Per-reason counters. */
export class DropCounters {
  readonly byReason = new Map<string, number>();
  /** Counts one drop. */
  add(reason: string): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
  }
  /** The count for one reason. */
  get(reason: string): number {
    return this.byReason.get(reason) ?? 0;
  }
  /** Total of all reasons. */
  total(): number {
    let n = 0;
    for (const v of this.byReason.values()) n += v;
    return n;
  }
}
