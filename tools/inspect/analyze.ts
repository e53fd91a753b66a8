/**
 * The analysis behind `socksim inspect`: one pass over a recording's events building hosts and processes, links,
 * frames, drops, failed syscalls, TCP connections, UDP flows and ICMP messages (see model.ts for the result).
 * Frames are decoded from the recorded bytes, so everything about packets holds whatever the stack recorded besides.
 */
import type { SimEvent } from '../../sim/events.js';
import type { RecordingHeader } from '../../sim/recording.js';
import type { RecordingReader } from '../../sim/recording-reader.js';
import { Errno, errnoName } from '../../stack/errno.js';
import { decodeFrame, describeIcmp, endpointText } from './frames.js';
import type {
  Analysis, DropCount, FailedSyscalls, HostInfo, IcmpMessage, LinkInfo, Ns, ProcessInfo, TcpRecordedSocket,
  TcpSegmentRow, TimelineEntry, UdpFlow,
} from './model.js';
import { PacketTracker, hostOfLabel, type PacketRecord } from './packets.js';
import { TcpTracker } from './tcp.js';

/** Limits that keep the result (and the page) a sensible size on huge recordings. */
export interface AnalyzeOptions {
  /** Timeline entries kept per kind (default 5000). */
  timelinePerKind?: number;
  /** ICMP messages listed (default 2000; all are counted). */
  icmpCap?: number;
}

/** What a packet record carries until its arrival and drop are known. */
type Tag =
  | { kind: 'tcp'; row: TcpSegmentRow; dstAddr: string }
  | { kind: 'udp'; flow: UdpFlow; dir: 0 | 1 };

/** Counts `key` in a DropCount table. */
function countInto(m: Map<string, DropCount>, key: string, t: Ns): void {
  const c = m.get(key);
  if (c) c.count++;
  else m.set(key, { key, count: 1, firstNs: t });
}

/** The pass; `finish` yields the Analysis once the events are consumed. */
class Analyzer {
  private events = 0;
  private lastNs = 0;
  private readonly byKind = new Map<string, number>();
  private readonly hosts = new Map<string, HostInfo>();
  private readonly procs = new Map<number, ProcessInfo>();
  private readonly links = new Map<string, LinkInfo>();
  private readonly frameProtos = new Map<string, number>();
  private frames = 0;
  private undecodable = 0;
  private readonly dropReasons = new Map<string, DropCount>();
  private readonly dropWhere = new Map<string, DropCount>();
  private readonly failed = new Map<string, FailedSyscalls>();
  private readonly packets = new PacketTracker<Tag>();
  private readonly tcp = new TcpTracker();
  private readonly recordedTcp = new Map<string, TcpRecordedSocket>();
  private readonly udp = new Map<string, UdpFlow>();
  private readonly tagged: PacketRecord<Tag>[] = [];
  private readonly icmp: IcmpMessage[] = [];
  private icmpTotal = 0;
  /** Address → host that sent from it. */
  private readonly addrHost = new Map<string, string>();
  private readonly timeline: TimelineEntry[] = [];
  private readonly timelineCounts = new Map<string, number>();
  private readonly perKind: number;
  private readonly icmpCap: number;

  constructor(opts: AnalyzeOptions) {
    this.perKind = opts.timelinePerKind ?? 5000;
    this.icmpCap = opts.icmpCap ?? 2000;
  }

  private host(name: string): HostInfo {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, pids: [], ifaces: [], addrs: [], events: [] };
      this.hosts.set(name, h);
    }
    return h;
  }

  private link(name: string): LinkInfo {
    let l = this.links.get(name);
    if (!l) {
      l = { name, frames: 0, bytes: 0, delivered: 0, dropped: 0, bySender: {}, control: [] };
      this.links.set(name, l);
    }
    return l;
  }

  private note(t: Ns, kind: TimelineEntry['kind'], lane: string, text: string): void {
    const n = (this.timelineCounts.get(kind) ?? 0) + 1;
    this.timelineCounts.set(kind, n);
    if (n <= this.perKind) this.timeline.push({ t, kind, lane, text });
  }

  private laneOfPid(pid: number): string {
    return this.procs.get(pid)?.host ?? `pid ${pid}`;
  }

  /** Takes one event. */
  push(ev: SimEvent): void {
    const kind = ev[0] as string, t = ev[1] as number;
    this.events++;
    this.lastNs = Math.max(this.lastNs, t);
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    switch (kind) {
      case 'start': return this.start(t, ev[2] as number, String(ev[3]), String(ev[4]));
      case 'exit': return this.exit(t, ev[2] as number, ev[3] as number | null, ev[4] as string | null);
      case 'sys': return this.syscall(t, ev[2] as number, String(ev[3]), ev[5], ev[6]);
      case 'tx': return this.tx(t, String(ev[2]), String(ev[3]), ev[4] as number, ev[5] as Uint8Array);
      case 'rx': return this.rx(t, String(ev[2]), String(ev[3]), ev[4] as number);
      case 'drop': return this.drop(t, String(ev[2]), ev[3] as number | null, String(ev[4]));
      case 'host': {
        const h = String(ev[2]), what = String(ev[3]);
        this.host(h).events.push({ t, what });
        return this.note(t, 'host', h, `host ${h}: ${what}`);
      }
      case 'link': {
        const name = String(ev[2]), what = String(ev[3]), detail = ev[4] === null || ev[4] === undefined ? null : String(ev[4]);
        this.link(name).control.push({ t, what, detail });
        return this.note(t, 'link', name, `link ${what}${detail ? ` ${detail}` : ''}`);
      }
      case 'sig': return this.note(t, 'proc', this.laneOfPid(ev[2] as number), `pid ${String(ev[2])} got signal ${String(ev[3])}`);
      case 'tcp': return this.tcpEvent(t, ev);
      case 'note': return this.note(t, 'note', 'notes', String(ev[2]));
      default:
    }
  }

  private start(t: Ns, pid: number, host: string, name: string): void {
    this.procs.set(pid, { pid, host, name, startNs: t, exitNs: null, code: null, error: null, syscalls: 0, failedSyscalls: 0 });
    this.host(host).pids.push(pid);
    this.note(t, 'proc', host, `${name} (pid ${pid}) started`);
  }

  private exit(t: Ns, pid: number, code: number | null, error: string | null): void {
    const p = this.procs.get(pid);
    if (p) {
      p.exitNs = t;
      p.code = code;
      p.error = error;
    }
    const how = code === null ? `killed: ${error ?? ''}` : `exited ${code}${error ? `: ${error}` : ''}`;
    this.note(t, 'proc', this.laneOfPid(pid), `${p?.name ?? 'pid'} (pid ${pid}) ${how}`);
  }

  private syscall(t: Ns, pid: number, call: string, ret: unknown, errno: unknown): void {
    const p = this.procs.get(pid);
    if (p) p.syscalls++;
    // Failure at the socket boundary is -1 with errno set (DEVELOPERS.md "Errors are values").
    if (typeof ret !== 'number' || ret >= 0 || typeof errno !== 'number' || errno === 0) return;
    if (p) p.failedSyscalls++;
    const key = `${call}\0${errno}`;
    const f = this.failed.get(key);
    if (f) {
      f.count++;
      if (f.pids.length < 20 && !f.pids.includes(pid)) f.pids.push(pid);
    } else {
      this.failed.set(key, { call, errno, errnoName: errnoName(errno), count: 1, firstNs: t, firstPid: pid, pids: [pid] });
    }
    // read(2)/connect(2): EAGAIN (= EWOULDBLOCK) and EINPROGRESS are how non-blocking calls say "not yet".
    const kind = errno === Errno.EAGAIN || errno === Errno.EINPROGRESS ? 'wouldblock' : 'sys';
    this.note(t, kind, this.laneOfPid(pid), `${p?.name ?? 'pid'} (pid ${pid}) ${call}() = -1 ${errnoName(errno)}`);
  }

  private tx(t: Ns, linkName: string, from: string, pktId: number, bytes: Uint8Array): void {
    const l = this.link(linkName);
    l.frames++;
    l.bytes += bytes.length;
    l.bySender[from] = (l.bySender[from] ?? 0) + 1;
    this.frames++;
    const f = decodeFrame(bytes);
    this.frameProtos.set(f.proto, (this.frameProtos.get(f.proto) ?? 0) + 1);
    if (f.error) this.undecodable++;
    const { rec, copy } = this.packets.sent(t, linkName, from, pktId, f.identity);
    if (copy || f.error) return;
    const host = hostOfLabel(from);
    const h = this.host(host);
    const ifname = from.slice(host.length + 1);
    if (ifname && !h.ifaces.includes(ifname)) h.ifaces.push(ifname);
    if (f.src && !this.addrHost.has(f.src)) {
      this.addrHost.set(f.src, host);
      h.addrs.push(f.src);
    }
    const v = f.ipVersion;
    if (f.tcp) {
      const src = endpointText(v, f.src, f.tcp.srcPort), dst = endpointText(v, f.dst, f.tcp.dstPort);
      rec.data = { kind: 'tcp', row: this.tcp.segment(t, src, dst, f.tcp), dstAddr: f.dst };
      this.tagged.push(rec);
    } else if (f.udp) {
      const src = endpointText(v, f.src, f.udp.srcPort), dst = endpointText(v, f.dst, f.udp.dstPort);
      const key = src < dst ? `${src}|${dst}` : `${dst}|${src}`;
      let flow = this.udp.get(key);
      if (!flow) {
        flow = { a: src, b: dst, datagrams: [0, 0], bytes: [0, 0], dropped: [0, 0], firstNs: t, lastNs: t };
        this.udp.set(key, flow);
      }
      const dir = flow.a === src ? 0 : 1;
      flow.datagrams[dir]++;
      flow.bytes[dir] += f.udp.payloadLen;
      flow.lastNs = t;
      rec.data = { kind: 'udp', flow, dir };
      this.tagged.push(rec);
    } else if (f.icmp && v !== 0) {
      this.icmpTotal++;
      if (this.icmp.length < this.icmpCap) {
        this.icmp.push({ t, src: f.src, dst: f.dst, v, type: f.icmp.type, code: f.icmp.code, text: describeIcmp(f.icmp, v) });
      }
    }
  }

  private rx(t: Ns, linkName: string, at: string, pktId: number): void {
    this.link(linkName).delivered++;
    this.packets.delivered(t, at, pktId);
  }

  private drop(t: Ns, where: string, pktId: number | null, reason: string): void {
    countInto(this.dropReasons, reason, t);
    countInto(this.dropWhere, where, t);
    const isLink = this.links.has(where);
    if (isLink) this.link(where).dropped++;
    if (pktId !== null) this.packets.dropped(t, where, pktId, reason);
    this.note(t, 'drop', isLink ? where : hostOfLabel(where), `drop (${reason}) at ${where}${pktId !== null ? ` packet ${pktId}` : ''}`);
  }

  private tcpEvent(t: Ns, ev: SimEvent): void {
    const connId = String(ev[2]), what = String(ev[3]);
    let s = this.recordedTcp.get(connId);
    if (!s) {
      s = { connId, states: [], retransmits: 0, connection: null };
      this.recordedTcp.set(connId, s);
    }
    if (what === 'state') {
      s.states.push({ t, from: String(ev[4]), to: String(ev[5]) });
      this.note(t, 'tcp', 'tcp (recorded)', `${connId}: ${String(ev[4])} → ${String(ev[5])}`);
    } else if (what === 'retransmit') {
      s.retransmits++;
    }
  }

  /** Completes the analysis. */
  finish(header: RecordingHeader, reader: Pick<RecordingReader, 'end' | 'truncated'> | null): Analysis {
    const hostOfAddr = (a: string): string | null => this.addrHost.get(a) ?? null;
    for (const rec of this.tagged) {
      const d = rec.data!;
      if (d.kind === 'tcp') {
        d.row[1] = this.packets.arrival(rec, hostOfAddr(d.dstAddr)) ?? -1;
        d.row[9] = rec.drop?.reason ?? '';
      } else if (rec.drop) {
        d.flow.dropped[d.dir]++;
      }
    }
    const addrOnly = (ep: string): string => (ep.startsWith('[') ? ep.slice(1, ep.lastIndexOf(']')) : ep.slice(0, ep.lastIndexOf(':')));
    const recorded = [...this.recordedTcp.values()];
    const tcp = this.tcp.finish((ep) => hostOfAddr(addrOnly(ep)), recorded);
    for (const c of tcp) {
      for (const [side, ep] of [['a', c.a], ['b', c.b]] as const) {
        for (const s of ep.states) this.note(s.t, 'tcp', ep.host ?? ep.addr, `conn ${c.id} ${side} ${ep.addr}: ${s.state} (${s.why})`);
      }
    }
    const notes: string[] = [];
    for (const [kind, n] of this.timelineCounts) {
      if (n > this.perKind) notes.push(`timeline: ${kind} events capped at ${this.perKind} of ${n}`);
    }
    if (this.icmpTotal > this.icmp.length) notes.push(`ICMP: ${this.icmp.length} of ${this.icmpTotal} messages listed`);
    if (reader?.truncated) notes.push(`the recording is cut short at byte offset ${reader.truncated.offset}: events after it are lost`);
    else if (reader && !reader.end) notes.push('the recording has no end frame: the run did not finish writing it');
    if (this.undecodable > 0) notes.push(`${this.undecodable} frames did not decode (corrupted on a link, or malformed); they are left out of the flows`);
    this.timeline.sort((x, y) => x.t - y.t);
    const sortedCounts = (m: Map<string, DropCount>): DropCount[] => [...m.values()].sort((x, y) => y.count - x.count || (x.key < y.key ? -1 : 1));
    return {
      header: {
        scenario: header.scenario.name, params: header.scenario.params, seed: header.seed,
        socksimVersion: header.socksimVersion, format: header.format,
      },
      end: reader?.end ?? null,
      truncated: reader?.truncated ?? null,
      events: this.events,
      eventsByKind: Object.fromEntries(this.byKind),
      lastNs: this.lastNs,
      hosts: [...this.hosts.values()],
      processes: [...this.procs.values()],
      links: [...this.links.values()],
      frames: {
        total: this.frames, byProtocol: Object.fromEntries(this.frameProtos), forwardedCopies: this.packets.copies,
        undecodable: this.undecodable,
      },
      drops: { total: [...this.dropReasons.values()].reduce((n, d) => n + d.count, 0), byReason: sortedCounts(this.dropReasons), byWhere: sortedCounts(this.dropWhere) },
      failedSyscalls: [...this.failed.values()].sort((x, y) => y.count - x.count || x.firstNs - y.firstNs),
      tcp,
      tcpUnmatched: recorded.filter((r) => r.connection === null),
      udp: [...this.udp.values()],
      icmp: { total: this.icmpTotal, messages: this.icmp },
      timeline: { total: [...this.timelineCounts.values()].reduce((a, b) => a + b, 0), entries: this.timeline },
      notes,
    };
  }
}

/** Analyses a stream of events under a header (for runs that were not written to a file). */
export function analyzeEvents(header: RecordingHeader, events: Iterable<SimEvent>, opts: AnalyzeOptions = {}): Analysis {
  const a = new Analyzer(opts);
  for (const ev of events) a.push(ev);
  return a.finish(header, null);
}

/** Analyses an opened recording (reads all its events). Throws RecordingError on a damaged file. */
export function analyzeRecording(reader: RecordingReader, opts: AnalyzeOptions = {}): Analysis {
  const a = new Analyzer(opts);
  for (const ev of reader.events()) a.push(ev);
  return a.finish(reader.header, reader);
}
