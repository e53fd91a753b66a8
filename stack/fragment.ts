/**
 * IP fragmentation and reassembly.
 *
 * Fragmenting (RFC 791 §3.2, RFC 8200 §4.5): every fragment but the last carries a multiple of 8 data bytes; an
 * IPv4 fragment after the first keeps only the options with the "copied" flag, the others being overwritten with
 * NOPs so the header length stays the same (Linux's ip_options_fragment).
 *
 * Reassembly follows Linux's inet_frag_queue_insert / ip_frag_queue / ip6_frag_queue:
 *   - a queue lives for its timeout from its first fragment (ipfrag_time 30 s, ip6frag_time 60 s); when it expires
 *     with the first fragment in, the host sends "fragment reassembly time exceeded" (RFC 792, RFC 8200 §4.5);
 *   - a fragment that lies wholly inside data already received is a duplicate: it is dropped, the queue kept;
 *   - any other overlap discards the whole queue (RFC 5722, and for IPv4 since Linux 4.19), counted in ReasmOverlaps;
 *   - a last fragment ending before data already seen, or a second last fragment with another end, or data past
 *     the end, discards the queue as corrupt; an empty fragment likewise.
 * Not modelled: ipfrag_max_dist (reordering distance check) and memory pressure eviction beyond a byte cap.
 */
import type { Timer } from '../sim/queue.js';
import type { Host } from './host.js';

/** A fragment's place: [offset, end) in the original payload, whether more follow, and its data. */
export interface FragmentPiece {
  offset: number;
  more: boolean;
  data: Uint8Array;
}

/** What inserting a fragment did. */
export type ReassemblyResult<T> =
  | { kind: 'complete'; payload: Uint8Array; first: T }
  | { kind: 'queued' }
  | { kind: 'duplicate' }
  | { kind: 'overlap' }
  | { kind: 'corrupt' }
  | { kind: 'no-memory' };

interface Frag {
  offset: number;
  end: number;
  data: Uint8Array;
}

interface FragQueue<T> {
  frags: Frag[];
  /** Runs of fragments that arrived in order, as Linux's frag runs: [start, end). */
  runs: { start: number; end: number }[];
  /** The fragment reaching furthest (Linux's fragments_tail). */
  tailEnd: number;
  len: number;
  lastIn: boolean;
  first: T | null;
  meat: number;
  timer: Timer;
}

/** Counters as /proc/net/snmp names them. */
export interface ReassemblyStats {
  reasmReqds: number;
  reasmOKs: number;
  reasmFails: number;
  reasmTimeout: number;
  reasmOverlaps: number;
}

/** A host's reassembly queues for one IP version; T is what the caller keeps of the first fragment. */
export class Reassembler<T> {
  private readonly queues = new Map<string, FragQueue<T>>();
  private memBytes = 0;
  /** ipfrag_high_thresh: bytes of fragments held at most (4 MiB); past it new fragments are dropped. */
  highThresh = 4 * 1024 * 1024;
  readonly stats: ReassemblyStats = { reasmReqds: 0, reasmOKs: 0, reasmFails: 0, reasmTimeout: 0, reasmOverlaps: 0 };

  constructor(
    readonly host: Host,
    /** The queue lifetime (ipfrag_time). */
    public timeoutNs: number,
    /** Called when a queue expires: `first` is set when the first fragment had arrived (then an ICMP is due). */
    readonly onExpire: (first: T | null) => void,
  ) {}

  /** Number of queues in progress. */
  get size(): number {
    return this.queues.size;
  }

  /** Adds a fragment of the datagram `key`; `first` is kept when the fragment is the one at offset 0. */
  add(key: string, piece: FragmentPiece, first: T): ReassemblyResult<T> {
    this.stats.reasmReqds++;
    let q = this.queues.get(key);
    if (!q) {
      if (this.memBytes + piece.data.length > this.highThresh) {
        this.stats.reasmFails++;
        return { kind: 'no-memory' };
      }
      const timer = this.host.sim.after(this.timeoutNs, () => this.expire(key));
      q = { frags: [], runs: [], tailEnd: 0, len: 0, lastIn: false, first: null, meat: 0, timer };
      this.queues.set(key, q);
    }
    const offset = piece.offset;
    let end = offset + piece.data.length;
    if (!piece.more) {
      if (end < q.len || (q.lastIn && end !== q.len)) return this.kill(key, q, 'corrupt');
      q.lastIn = true;
      q.len = end;
    } else {
      end &= ~7; // a non-final fragment's data is trimmed to whole 8-byte units
      if (end > q.len) {
        if (q.lastIn) return this.kill(key, q, 'corrupt');
        q.len = end;
      }
    }
    if (end === offset) return this.kill(key, q, 'corrupt');
    const verdict = this.insert(q, offset, end);
    if (verdict === 'duplicate') return { kind: 'duplicate' };
    if (verdict === 'overlap') {
      this.stats.reasmOverlaps++;
      return this.kill(key, q, 'overlap');
    }
    q.frags.push({ offset, end, data: piece.data.subarray(0, end - offset) });
    q.meat += end - offset;
    this.memBytes += end - offset;
    if (offset === 0) q.first = first;
    if (q.first !== null && q.lastIn && q.meat === q.len) {
      this.remove(key, q);
      this.stats.reasmOKs++;
      const payload = new Uint8Array(q.len);
      for (const f of q.frags) payload.set(f.data, f.offset);
      return { kind: 'complete', payload, first: q.first };
    }
    return { kind: 'queued' };
  }

  /** Drops every queue (the host crashed). */
  reset(): void {
    for (const q of this.queues.values()) q.timer.cancel();
    this.queues.clear();
    this.memBytes = 0;
  }

  /** inet_frag_queue_insert's placement test. */
  private insert(q: FragQueue<T>, offset: number, end: number): 'ok' | 'duplicate' | 'overlap' {
    if (q.runs.length === 0) {
      q.runs.push({ start: offset, end });
      q.tailEnd = end;
      return 'ok';
    }
    if (q.tailEnd < end) {
      // The common case: the fragment goes after everything so far.
      if (offset < q.tailEnd) return 'overlap';
      const last = q.runs.find((r) => r.end === q.tailEnd);
      if (offset === q.tailEnd && last) last.end = end;
      else q.runs.push({ start: offset, end });
      q.tailEnd = end;
      return 'ok';
    }
    for (const r of q.runs) {
      if (end <= r.start || offset >= r.end) continue;
      return offset >= r.start && end <= r.end ? 'duplicate' : 'overlap';
    }
    q.runs.push({ start: offset, end });
    return 'ok';
  }

  private kill(key: string, q: FragQueue<T>, kind: 'corrupt' | 'overlap'): ReassemblyResult<T> {
    this.remove(key, q);
    this.stats.reasmFails++;
    return { kind };
  }

  private remove(key: string, q: FragQueue<T>): void {
    q.timer.cancel();
    this.queues.delete(key);
    this.memBytes -= q.meat;
  }

  private expire(key: string): void {
    const q = this.queues.get(key);
    if (!q) return;
    this.remove(key, q);
    this.stats.reasmFails++;
    this.stats.reasmTimeout++;
    this.onExpire(q.first);
  }
}

/**
 * Splits `payload` into pieces whose data fit `room` bytes each (room is rounded down to a multiple of 8 for all
 * but the last piece), in offset order, as ip_do_fragment and ip6_fragment send them.
 */
export function splitPayload(payload: Uint8Array, room: number): FragmentPiece[] {
  const unit = room & ~7;
  if (unit <= 0) throw new RangeError(`no room for fragment data (${room} bytes)`);
  const out: FragmentPiece[] = [];
  for (let off = 0; off < payload.length; off += unit) {
    const end = Math.min(off + unit, payload.length);
    out.push({ offset: off, more: end < payload.length, data: payload.subarray(off, end) });
  }
  return out;
}

/** IPv4 options of a non-first fragment: options without the copied flag become NOPs (ip_options_fragment). */
export function optionsForLaterFragments(options: Uint8Array): Uint8Array {
  const out = options.slice();
  let i = 0;
  while (i < out.length) {
    const t = out[i]!;
    if (t === 0) break; // End of options list
    if (t === 1) {
      i++;
      continue;
    }
    const len = out[i + 1] ?? 0;
    if (len < 2 || i + len > out.length) break;
    if ((t & 0x80) === 0) out.fill(1, i, i + len);
    i += len;
  }
  return out;
}
