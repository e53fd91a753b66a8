/**
 * Receive-side queues: the in-order byte queue the application reads (views of received segments, never copied
 * until read) and the out-of-order queue (RFC 9293 §3.10.7.4 "segment text": segments beyond RCV.NXT are kept
 * for later). Insertion into the out-of-order queue follows tcp_data_queue_ofo(): fully duplicate data is dropped
 * and reported as D-SACK (RFC 2883), overlaps are trimmed, neighbours are coalesced.
 */
import { seqGeq, seqGt, seqLeq, seqLt } from './seq.js';
import { widenFieldsOnce } from '../../sim/repr.js';

const EMPTY = new Uint8Array(0);

/**
 * MAX_SKB_FRAGS: how many segments tcp_try_coalesce() merges into one receive-queue skb, each arriving segment's
 * payload becoming one page fragment of the tail skb (Linux 6.18 over loopback: 17 ten-byte writes, 10 ms apart,
 * read back with SO_TIMESTAMPNS as two skbs, stamped at the 17th and the 25th arrival).
 */
const COALESCE_SEGS = 17;

/** The receive timestamp of a group of coalesced segments (skb->tstamp), and how many segments it holds. */
interface RxStamp {
  t: number;
  segs: number;
}

const NO_STAMP: RxStamp = { t: -1, segs: COALESCE_SEGS };

/** In-order received data not yet read by the application. */
export class RecvQueue {
  private readonly chunks: Uint8Array[] = [];
  /** Per chunk, the coalesced group it belongs to (shared by the group's chunks). */
  private readonly stamps: RxStamp[] = [];
  private first = 0;
  /** Bytes already read from chunks[first]. */
  private firstOff = 0;
  /** Bytes held. */
  bytes = 0;

  /**
   * Appends a view (kept as is: the caller must not mutate it) that arrived at virtual time `stamp` (-1: not
   * stamped, no socket on the host wanted receive timestamps then). Like tcp_queue_rcv(), it joins the unread tail
   * skb while that holds fewer than MAX_SKB_FRAGS segments, and a stamped segment gives the whole skb its time
   * (tcp_try_coalesce copies from->tstamp into the tail).
   */
  push(data: Uint8Array, stamp = -1): void {
    if (data.length === 0) return;
    const n = this.chunks.length;
    const tail = n > this.first ? this.stamps[n - 1]! : NO_STAMP;
    if (tail.segs < COALESCE_SEGS) {
      tail.segs++;
      if (stamp >= 0) tail.t = stamp;
      this.stamps.push(tail);
    } else {
      this.stamps.push({ t: stamp, segs: 1 });
    }
    this.chunks.push(data);
    this.bytes += data.length;
  }

  /**
   * The receive timestamp of the skb holding byte k past the head (-1 if unstamped): what tcp_recvmsg() reports
   * with SO_TIMESTAMP when that byte is the last one read (tcp_update_recv_tstamps, last skb copied wins).
   */
  stampAt(k: number): number {
    let i = this.first;
    let off = this.firstOff + k;
    while (off >= this.chunks[i]!.length) off -= this.chunks[i++]!.length;
    return this.stamps[i]!.t;
  }

  /**
   * Reads (or with peek, copies without consuming) up to n bytes from `skip` bytes past the head. The bytes are
   * copied to the start of `into` when given (it must hold n bytes) and a view of it is returned; otherwise the
   * result is a view of the queue when one chunk holds them all, else a new buffer.
   */
  read(n: number, peek: boolean, skip = 0, into?: Uint8Array): Uint8Array {
    n = Math.min(n, this.bytes - skip);
    if (n <= 0) return EMPTY;
    let i = this.first;
    let off = this.firstOff + skip;
    while (off >= this.chunks[i]!.length) off -= this.chunks[i++]!.length;
    const c0 = this.chunks[i]!;
    let out: Uint8Array;
    if (!into && c0.length - off >= n) {
      out = c0.subarray(off, off + n);
    } else {
      out = into ? into.subarray(0, n) : new Uint8Array(n);
      let got = 0;
      let j = i;
      let o = off;
      while (got < n) {
        const c = this.chunks[j]!;
        const take = Math.min(n - got, c.length - o);
        out.set(o === 0 && take === c.length ? c : c.subarray(o, o + take), got);
        got += take;
        j++;
        o = 0;
      }
    }
    if (!peek) this.discard(skip + n);
    return out;
  }

  /** Drops n bytes from the head. */
  discard(n: number): void {
    this.bytes -= n;
    while (n > 0) {
      const c = this.chunks[this.first]!;
      const left = c.length - this.firstOff;
      if (n < left) {
        this.firstOff += n;
        break;
      }
      n -= left;
      this.chunks[this.first] = EMPTY;
      this.stamps[this.first] = NO_STAMP;
      this.first++;
      this.firstOff = 0;
    }
    if (this.first === this.chunks.length) {
      this.chunks.length = this.stamps.length = 0;
      this.first = 0;
    } else if (this.first > 256 && this.first * 2 > this.chunks.length) {
      this.chunks.splice(0, this.first);
      this.stamps.splice(0, this.first);
      this.first = 0;
    }
  }

  /** Empties the queue. */
  clear(): void {
    this.chunks.length = this.stamps.length = 0;
    this.first = 0;
    this.firstOff = 0;
    this.bytes = 0;
  }
}

/** One run of out-of-order bytes [seq, end), possibly ending with a FIN. */
export interface OooRun {
  seq: number;
  end: number;
  chunks: Uint8Array[];
  fin: boolean;
  /** Receive time of the segment merged into it last (tcp_ooo_try_coalesce keeps the newer skb's stamp), or -1. */
  stamp: number;
}

/** Where D-SACK ranges found during insertion go (tcp_dsack_set / tcp_dsack_extend). */
export interface DsackSink {
  dsackSet(start: number, end: number): void;
  dsackExtend(start: number, end: number): void;
}

/** The out-of-order queue: non-overlapping runs sorted by sequence number. */
export class OooQueue {
  readonly runs: OooRun[] = [];
  /** Payload bytes held. */
  bytes = 0;

  /** Whether it is empty. */
  get empty(): boolean {
    return this.runs.length === 0;
  }

  /** Empties the queue. */
  clear(): void {
    this.runs.length = 0;
    this.bytes = 0;
  }

  /**
   * Inserts data occupying [seq, seq + data.length (+1 for FIN)). Duplicate parts are dropped and reported to
   * `ds`. Returns the number of new payload bytes kept.
   */
  insert(seq: number, data: Uint8Array, fin: boolean, ds: DsackSink, stamp = -1): number {
    let end = (seq + data.length + (fin ? 1 : 0)) >>> 0;
    const runs = this.runs;
    // First run that ends after seq.
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqGt(runs[mid]!.end, seq)) hi = mid;
      else lo = mid + 1;
    }
    let i = lo;
    const r = runs[i];
    if (r && seqLeq(r.seq, seq)) {
      if (seqLeq(end, r.end)) {
        ds.dsackSet(seq, end); // all the bits are present
        return 0;
      }
      ds.dsackSet(seq, r.end); // partial overlap: keep the new tail
      data = data.subarray((r.end - seq) >>> 0);
      seq = r.end;
      i++;
    }
    // Runs wholly covered by the new data are replaced; a run it reaches into trims the new data's tail.
    while (i < runs.length && seqLt(runs[i]!.seq, end)) {
      const n = runs[i]!;
      if (seqLt(end, n.end) || (n.fin && !fin)) {
        ds.dsackExtend(n.seq, end);
        const keep = Math.max(0, (n.seq - seq) | 0);
        data = data.subarray(0, Math.min(keep, data.length));
        fin = false;
        end = n.seq;
        break;
      }
      ds.dsackExtend(n.seq, n.end);
      this.bytes -= n.end - n.seq - (n.fin ? 1 : 0);
      runs.splice(i, 1);
    }
    if (!seqLt(seq, end)) return 0;
    const kept = data.length;
    this.bytes += kept;
    const prev = i > 0 ? runs[i - 1]! : null;
    const next = i < runs.length ? runs[i]! : null;
    if (prev && prev.end === seq && !prev.fin) {
      if (data.length) prev.chunks.push(data);
      prev.end = end;
      prev.fin = fin;
      if (stamp >= 0) prev.stamp = stamp;
      if (next && next.seq === end && !fin) {
        for (const c of next.chunks) prev.chunks.push(c);
        prev.end = next.end;
        prev.fin = next.fin;
        runs.splice(i, 1);
      }
    } else if (next && next.seq === end && !fin) {
      if (data.length) next.chunks.unshift(data);
      next.seq = seq;
      if (stamp >= 0) next.stamp = stamp;
    } else {
      runs.splice(i, 0, widenFieldsOnce('OooRun', { seq, end, chunks: data.length ? [data] : [], fin, stamp }, ['seq', 'end', 'stamp']));
    }
    return kept;
  }

  /**
   * Takes the runs that now start at or before rcvNxt (tcp_ofo_queue), calling `deliver` with each new in-order
   * piece; returns the new RCV.NXT and whether a FIN was reached.
   */
  drain(rcvNxt: number, deliver: (data: Uint8Array, stamp: number) => void): { rcvNxt: number; fin: boolean } {
    let fin = false;
    const runs = this.runs;
    let k = 0;
    while (k < runs.length && seqLeq(runs[k]!.seq, rcvNxt)) {
      const r = runs[k++]!;
      this.bytes -= r.end - r.seq - (r.fin ? 1 : 0);
      if (seqLeq(r.end, rcvNxt)) continue;
      let skip = (rcvNxt - r.seq) >>> 0;
      for (const c of r.chunks) {
        if (skip >= c.length) {
          skip -= c.length;
          continue;
        }
        deliver(skip ? c.subarray(skip) : c, r.stamp);
        skip = 0;
      }
      rcvNxt = r.end;
      if (r.fin) {
        fin = true;
        break;
      }
    }
    if (k > 0) runs.splice(0, k);
    if (fin) this.clear(); // tcp_fin(): anything after the FIN is dropped
    return { rcvNxt, fin };
  }

  /** Sequence number just past the highest queued byte, or null when empty. */
  highEnd(): number | null {
    return this.runs.length ? this.runs[this.runs.length - 1]!.end : null;
  }

  /** Whether [seq, end) is entirely queued already. */
  covers(seq: number, end: number): boolean {
    for (const r of this.runs) if (seqLeq(r.seq, seq) && seqGeq(r.end, end)) return true;
    return false;
  }
}
