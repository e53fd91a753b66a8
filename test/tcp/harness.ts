/**
 * A packet-level test harness in the spirit of packetdrill: one host under test (192.168.0.1, eth0) whose wire
 * is a capture medium. Tests inject segments from a fake remote (192.0.2.1) at exact virtual times, written in
 * packetdrill's notation ("S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>"), run system
 * calls in a process, and read back what the host sent, rendered in the same notation with the local ISN mapped
 * to 0 and TS values relative (the first outbound TSval shows as 100). Inbound ACK numbers and TS echoes are
 * translated the other way, as packetdrill does.
 */
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import type { Host } from '../../stack/host.js';
import type { Interface } from '../../stack/iface.js';
import type { Endpoint, Medium } from '../../stack/link.js';
import type { Sys } from '../../stack/sys.js';
import { IPPROTO_TCP } from '../../stack/constants.js';
import { emitEthernet, parseEthernet, ETHERTYPE_IPV4 } from '../../stack/wire/ethernet.js';
import { emitIpv4, parseIpv4 } from '../../stack/wire/ipv4.js';
import { emitTcp, parseTcp, tcpFlagsToString, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, type TcpOption } from '../../stack/wire/tcp.js';
import { ipv4FromString } from '../../stack/wire/addr.js';
import { addIpv4Address, addRoute } from '../../stack/ifconfig.js';
import type { TcpSysctl } from '../../stack/tcp/sysctl.js';
import { packetdrillTcpSysctl } from '../../stack/tcp/sysctl.js';

/** Local and remote addresses (packetdrill's defaults: a 192.168/16 host, remote 192.0.2.1). */
export const LOCAL = '192.168.0.1', REMOTE = '192.0.2.1';
const REMOTE_MAC = 0x02aabbccddee;

/** One captured outbound segment. */
export interface Captured {
  t: number;
  flags: number;
  seq: number;
  ack: number;
  win: number;
  len: number;
  urg: number;
  options: TcpOption[];
  sport: number;
  dport: number;
  ttl: number;
  df: boolean;
}

class CaptureMedium implements Medium {
  readonly name = 'harness';
  readonly up = true;
  constructor(private readonly iface: Interface, private readonly onFrame: (f: Uint8Array) => void) {}
  attached(): readonly Endpoint[] {
    return [this.iface];
  }
  transmit(_from: Endpoint, frame: Uint8Array): void {
    this.onFrame(frame);
  }
}

/** A packet-level TCP test bench. */
export class Harness {
  readonly sim: Sim;
  readonly host: Host;
  readonly iface: Interface;
  readonly out: Captured[] = [];
  /** Local ISN (learned from the first SYN or SYN-ACK the host sends). */
  localIsn: number | null = null;
  /** Remote port of the fake peer. */
  remotePort = 40000;
  /** Local port the scripts use. */
  localPort = 8080;
  private tsBase: number | null = null;
  private pktId = 1_000_000;

  constructor(opts: { sysctl?: Partial<TcpSysctl>; packetdrill?: boolean; mtu?: number; seed?: number } = {}) {
    this.sim = new Sim({ seed: opts.seed ?? 1, maxTimeNs: 4 * 3600e9 });
    const net = new Network(this.sim);
    this.host = net.addHost('local');
    this.iface = this.host.addInterface('eth0', opts.mtu ?? 1500);
    addIpv4Address(this.iface, ipv4FromString(LOCAL)!, 16);
    addRoute(this.host, '192.0.2.0/24', undefined, 'eth0');
    this.iface.medium = new CaptureMedium(this.iface, (f) => this.capture(f));
    this.host.ipv4.arp.table.addPermanent(this.iface, ipv4FromString(REMOTE)!, String(ipv4FromString(REMOTE)!), REMOTE_MAC);
    const base = opts.packetdrill ? packetdrillTcpSysctl() : this.host.tcp.sysctl;
    this.host.tcp.sysctl = { ...base, ...(opts.sysctl ?? {}) };
  }

  private capture(frame: Uint8Array): void {
    const eth = parseEthernet(frame);
    if (eth.etherType !== ETHERTYPE_IPV4) return;
    const ip = parseIpv4(eth.payload);
    if (ip.protocol !== IPPROTO_TCP) return;
    const tcp = parseTcp(ip.payload, { v: 4, src: ip.src, dst: ip.dst }); // also verifies the checksum
    if (this.localIsn === null && tcp.flags & TCP_SYN) {
      this.localIsn = tcp.seq;
      if (!(tcp.flags & TCP_ACK)) {
        // An active open: the script's remote is the connect() target, the local port the ephemeral one.
        this.localPort = tcp.srcPort;
        this.remotePort = tcp.dstPort;
      }
    }
    const ts = tcp.options.find((o) => o.kind === 'timestamp');
    if (ts && ts.kind === 'timestamp' && this.tsBase === null) this.tsBase = (ts.tsval - 100) >>> 0;
    this.out.push({
      t: this.sim.now, flags: tcp.flags, seq: tcp.seq, ack: tcp.ack, win: tcp.window, len: tcp.payload.length,
      urg: tcp.urgent, options: tcp.options, sport: tcp.srcPort, dport: tcp.dstPort, ttl: ip.ttl, df: ip.dontFragment,
    });
  }

  /**
   * Switches the fake peer to another client port (several connections to one listener). The local ISN used to
   * translate ACK numbers becomes that of the SYN-ACK already sent to the port, if any.
   */
  as(atSec: number, port: number): void {
    this.at(atSec, () => {
      this.remotePort = port;
      const synack = this.out.find((c) => c.dport === port && c.flags & TCP_SYN);
      this.localIsn = synack ? synack.seq : null;
    });
  }

  /** Runs a process on the host under test. */
  proc(body: (sys: Sys) => Promise<unknown>, atSec = 0): void {
    this.host.spawn('app', body, Math.round(atSec * 1e9));
  }

  /** Runs fn at `atSec` seconds. */
  at(atSec: number, fn: () => void): void {
    this.sim.at(Math.round(atSec * 1e9), fn);
  }

  /** Injects a segment (packetdrill notation, remote → local) at `atSec` seconds. */
  inject(atSec: number, line: string, data?: Uint8Array): void {
    this.sim.at(Math.round(atSec * 1e9), () => this.iface.receive(this.build(line, data), ++this.pktId));
  }

  /** Builds the frame for an inbound line now (ack and TS ecr translated from script space). */
  build(line: string, data?: Uint8Array): Uint8Array {
    const p = parseLine(line);
    const lisn = this.localIsn ?? 0;
    const options = p.options.map((o): TcpOption => {
      if (o.kind === 'timestamp' && o.tsecr !== 0) return { ...o, tsecr: (o.tsecr + (this.tsBase ?? 0)) >>> 0 };
      // SACK blocks name our sequence numbers: script space → live, like ACK numbers.
      if (o.kind === 'sack') return { kind: 'sack', blocks: o.blocks.map(([a, b]) => [(a + lisn) >>> 0, (b + lisn) >>> 0]) };
      return o;
    });
    const payload = data ?? new Uint8Array(p.len);
    const src = ipv4FromString(REMOTE)!, dst = ipv4FromString(LOCAL)!;
    const tcp = emitTcp({
      srcPort: this.remotePort, dstPort: this.localPort, seq: p.seq >>> 0, ack: p.flags & TCP_ACK ? (p.ack + lisn) >>> 0 : 0,
      flags: p.flags, window: p.win, urgent: p.urg, options, payload,
    }, { v: 4, src, dst });
    const ip = emitIpv4({ tos: 0, id: 0, dontFragment: true, moreFragments: false, fragOffset: 0, ttl: 64, protocol: IPPROTO_TCP,
      src, dst, options: new Uint8Array(0), payload: tcp });
    return emitEthernet({ dst: this.iface.mac, src: REMOTE_MAC, etherType: ETHERTYPE_IPV4, payload: ip });
  }

  /** Runs the simulation to its end. */
  async run(): Promise<void> {
    const r = await this.sim.run();
    if (r.status !== 'completed' && r.status !== 'idle') throw new Error(`run ended ${r.status}: ${r.message}`);
    for (const p of r.processes) if (p.error) throw new Error(`process ${p.name} failed: ${p.error}`);
  }

  /** The outbound segments rendered as "time > flags seq:end(len) ack N win W <options>". */
  lines(opts: { win?: boolean } = {}): string[] {
    return this.out.map((c) => this.format(c, opts.win ?? true));
  }

  private format(c: Captured, win: boolean): string {
    const lisn = this.localIsn ?? 0;
    const seq = (c.seq - lisn) >>> 0;
    const end = (seq + c.len) >>> 0;
    let s = `${(c.t / 1e9).toFixed(3)} > ${tcpFlagsToString(c.flags) || '-'} ${seq}:${end}(${c.len})`;
    if (c.flags & TCP_ACK) s += ` ack ${c.ack}`;
    if (win) s += ` win ${c.win}`;
    if (c.flags & TCP_URG) s += ` urg ${c.urg}`;
    if (c.options.length) s += ` <${c.options.map((o) => this.formatOpt(o)).join(',')}>`;
    return s;
  }

  private formatOpt(o: TcpOption): string {
    switch (o.kind) {
      case 'mss': return `mss ${o.mss}`;
      case 'wscale': return `wscale ${o.shift}`;
      case 'sackOk': return 'sackOK';
      case 'nop': return 'nop';
      case 'eol': return 'eol';
      case 'timestamp': return `TS val ${(o.tsval - (this.tsBase ?? 0)) >>> 0} ecr ${o.tsecr}`;
      case 'sack': return `sack ${o.blocks.map(([a, b]) => `${a}:${b}`).join(' ')}`; // the peer's sequence space: literal
      case 'unknown': return `opt${o.type}`;
    }
  }
}

/** A parsed packetdrill packet line (without time and direction). */
interface Line {
  flags: number;
  seq: number;
  len: number;
  ack: number;
  win: number;
  urg: number;
  options: TcpOption[];
}

const FLAG_CHARS: Record<string, number> = { F: TCP_FIN, S: TCP_SYN, R: TCP_RST, P: TCP_PSH, '.': TCP_ACK, U: TCP_URG };

/** Parses "flags start:end(len) [ack N] [win N] [urg N] [<options>]". */
export function parseLine(line: string): Line {
  const m = /^\s*([FSRPU.-]+)\s+(\d+):(\d+)\((\d+)\)(.*)$/.exec(line);
  if (!m) throw new Error(`bad packet line: ${line}`);
  let flags = 0;
  for (const ch of m[1]!) if (ch !== '-') flags |= FLAG_CHARS[ch]!;
  const rest = m[5]!;
  const num = (k: string): number | null => {
    const r = new RegExp(`\\b${k}\\s+(\\d+)`).exec(rest.replace(/<.*>/, ''));
    return r ? Number(r[1]) : null;
  };
  const optText = /<(.*)>/.exec(rest)?.[1];
  const options: TcpOption[] = [];
  if (optText) {
    for (const part of optText.split(',').map((x) => x.trim())) {
      let r: RegExpExecArray | null;
      if ((r = /^mss (\d+)$/.exec(part))) options.push({ kind: 'mss', mss: Number(r[1]) });
      else if ((r = /^wscale (\d+)$/.exec(part))) options.push({ kind: 'wscale', shift: Number(r[1]) });
      else if (part === 'sackOK') options.push({ kind: 'sackOk' });
      else if (part === 'nop') options.push({ kind: 'nop' });
      else if (part === 'eol') options.push({ kind: 'eol' });
      else if ((r = /^TS val (\d+) ecr (\d+)$/.exec(part))) options.push({ kind: 'timestamp', tsval: Number(r[1]), tsecr: Number(r[2]) });
      else if ((r = /^sack (.*)$/.exec(part))) {
        options.push({ kind: 'sack', blocks: r[1]!.trim().split(/\s+/).map((b) => b.split(':').map(Number) as [number, number]) });
      } else throw new Error(`bad option "${part}"`);
    }
  }
  return {
    flags, seq: Number(m[2]), len: Number(m[4]), ack: num('ack') ?? 0, win: num('win') ?? 0, urg: num('urg') ?? 0, options,
  };
}
