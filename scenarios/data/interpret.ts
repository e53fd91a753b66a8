/**
 * Runs scenario data: builds the topology, schedules the faults, and starts one simulated process per process spec
 * that performs its operations in order. Each operation's outcome goes into a trace that properties, expectations,
 * conformance goldens and the C exporter all read.
 */
import { ms } from '../../sim/time.js';
import { MSG_PEEK, SOL_SOCKET, SO_RCVTIMEO, SO_SNDTIMEO } from '../../stack/constants.js';
import { errnoName } from '../../stack/errno.js';
import type { Host } from '../../stack/host.js';
import type { Link } from '../../stack/link.js';
import type { Network } from '../../stack/network.js';
import { findProfile } from '../../stack/profiles.js';
import { inet, inet6, unix, type SockAddrArg } from '../../stack/sockaddr.js';
import { Socket } from '../../stack/socket.js';
import type { AddrOut, OptOut, Sys } from '../../stack/sys.js';
import { resolverConfig } from '../../stack/resolve/resolver-config.js';
import { ipv4ToString } from '../../stack/wire/addr.js';
import { flags, sym } from './constants.js';
import { startDns } from './dns.js';
import { NO_ERRNO_OPS, runMoreOp, type OpContext } from './ops-more.js';
import { addrText, dataText, defaultOptlen, optText } from './outputs.js';
import type { AddrSpec, DataSpec, LinkSpec, Op, ScenarioData } from './schema.js';

/** The outcome of one operation. */
export interface OpResult {
  process: number;
  index: number;
  op: string;
  /** Virtual time when the call returned (ns). */
  timeNs: number;
  ret: number;
  /** errno name when ret is -1, else null. */
  errno: string | null;
  /** The fd index the op created (socket/accept/socketpair), into the process's fd list. */
  created?: number[];
  /** Extra outputs: option values, addresses. */
  value?: number | number[] | string;
  /** For sends, the bytes the call accepted; for receives, the bytes it returned (datagram properties read them). */
  bytes?: Uint8Array;
  /** For receives, the requested length (a datagram longer than it is truncated). */
  requested?: number;
  /** What the call handed back besides ret, in the canonical text conformance goldens use (outputs.ts). */
  out?: string;
}

/** Bytes one fd moved, with the socket's addresses, for stream-integrity checks. */
export interface FdTraffic {
  process: number;
  fd: number;
  local: string;
  peer: string;
  sent: number[];
  received: number[];
}

/** A violated `expect`. */
export interface ExpectFailure {
  process: number;
  index: number;
  op: string;
  expected: string;
  actual: string;
}

/** Everything a run of scenario data produced. */
export interface DataTrace {
  results: OpResult[];
  traffic: FdTraffic[];
  failures: ExpectFailure[];
  /** Per process: whether it got through all its ops. */
  finished: boolean[];
  /** Per process: its pid, so credentials can be shown as the process they name ("p1"). */
  pids: number[];
}

/** Default address of a link end: 10.<k/250>.<k%250+1>.<1|2>/24 for the k-th link. */
export function defaultAddr(k: number, end: 1 | 2): string {
  return `10.${Math.floor(k / 250)}.${(k % 250) + 1}.${end}/24`;
}

function linkParams(l: Omit<LinkSpec, 'a' | 'b' | 'aAddr' | 'bAddr'>) {
  const p: Record<string, number> = {};
  if (l.latencyMs !== undefined) p.latencyNs = ms(l.latencyMs);
  if (l.jitterMs !== undefined) p.jitterNs = ms(l.jitterMs);
  if (l.loss !== undefined) p.loss = l.loss;
  if (l.duplicate !== undefined) p.duplicate = l.duplicate;
  if (l.reorder !== undefined) p.reorder = l.reorder;
  if (l.reorderDelayMs !== undefined) p.reorderDelayNs = ms(l.reorderDelayMs);
  if (l.corrupt !== undefined) p.corrupt = l.corrupt;
  if (l.rateMbps !== undefined) p.rateBps = l.rateMbps * 1e6;
  if (l.queueLimit !== undefined) p.queueLimit = l.queueLimit;
  if (l.mtu !== undefined) p.mtu = l.mtu;
  return p;
}

/** The bytes of a send: literal text, or a counting pattern unique to the process. */
function payload(d: DataSpec, proc: number, counter: { n: number }): Uint8Array {
  if ('text' in d) return new TextEncoder().encode(d.text);
  const b = new Uint8Array(d.len);
  for (let i = 0; i < b.length; i++) b[i] = (proc * 37 + counter.n++) & 0xff;
  return b;
}

/** Builds the network and processes of a scenario; returns the trace that fills in as the run goes. */
export function buildScenarioData(net: Network, s: ScenarioData): DataTrace {
  const trace: DataTrace = { results: [], traffic: [], failures: [], finished: s.processes.map(() => false), pids: s.processes.map(() => 0) };
  const hosts = new Map<string, Host>();
  const profile = findProfile(s.profile ?? 'linux');
  if (!profile) throw new Error(`unknown stack profile "${s.profile}"`);
  for (const h of s.hosts) {
    const host = net.addHost(h);
    host.profile = profile;
    hosts.set(h, host);
    if (s.etc) writeEtcFiles(host, s.etc);
  }
  const links: Link[] = s.links.map((l, k) =>
    net.connect(hosts.get(l.a)!, hosts.get(l.b)!, linkParams(l), { a: { ipv4: l.aAddr ?? defaultAddr(k, 1) }, b: { ipv4: l.bAddr ?? defaultAddr(k, 2) } }));
  const sim = net.sim;
  for (const f of s.faults) {
    sim.at(ms(f.at), () => {
      switch (f.kind) {
        case 'link':
          links[f.link]!.setParams(linkParams(f.set));
          break;
        case 'partition': {
          // Every link with one end on each side of the cut goes down (scenario data topologies are point-to-point).
          const side = new Set(f.hosts);
          s.links.forEach((l, k) => links[k]!.setUp(side.has(l.a) === side.has(l.b)));
          break;
        }
        case 'heal':
          for (const l of links) l.setUp(true);
          break;
        case 'crash':
          hosts.get(f.host)!.crash();
          break;
        case 'restart':
          hosts.get(f.host)!.restart();
          break;
      }
    });
  }
  s.processes.forEach((p, pi) => {
    const host = hosts.get(p.host)!;
    trace.pids[pi] = host.spawn(p.name ?? `p${pi}`, (sys) => runOps(sys, net, hosts, p.ops, pi, trace), ms(p.startMs ?? 0)).pid;
  });
  // After the faults (a restart at t comes before the daemons' boot at t) and the processes (whose exit ends the run).
  if (s.dns) startDns(sim, hosts, s.dns, s.faults);
  return trace;
}

/** Gives a host the scenario's /etc/hosts and /etc/resolv.conf, where its resolver reads them. */
function writeEtcFiles(host: Host, etc: NonNullable<ScenarioData['etc']>): void {
  const conf = resolverConfig(host);
  if (etc.hosts !== undefined) conf.setHosts(etc.hosts);
  if (etc.resolvConf !== undefined) conf.setResolvConf(etc.resolvConf);
}

/** Resolves an address spec to a sockaddr argument. */
export function address(a: AddrSpec, hosts: Map<string, Host>): SockAddrArg {
  if ('raw' in a) return Buffer.from(a.raw, 'hex');
  if ('path' in a) return unix(a.path.startsWith('@') ? `\0${a.path.slice(1)}` : a.path);
  if ('ip' in a) return a.ip.includes(':') ? inet6(a.ip, a.port) : inet(a.ip, a.port);
  if (a.host === '*') return a.v6 ? inet6('::', a.port) : inet('0.0.0.0', a.port);
  const h = hosts.get(a.host)!;
  const eth = h.interfaces.find((i) => !i.loopback && i.ipv4.length > 0);
  return inet(eth ? ipv4ToString(eth.ipv4[0]!.addr) : '127.0.0.1', a.port);
}

function sockOf(sys: Sys, fd: number): Socket | null {
  const e = sys.fds.get(fd);
  return e && e.file.obj instanceof Socket ? e.file.obj : null;
}

function nameOf(b: Uint8Array | number): string {
  if (typeof b === 'number') return '-';
  return Buffer.from(b).toString('hex');
}

/** Option value bytes as the C caller would pass them. */
function optBytes(level: number, name: number, v: Extract<Op, { op: 'setsockopt' }>['value']): Uint8Array {
  const b = Buffer.alloc(typeof v === 'number' ? 4 : level === SOL_SOCKET && (name === SO_RCVTIMEO || name === SO_SNDTIMEO) ? 16 : 8);
  if (typeof v === 'number') b.writeInt32LE(v, 0);
  else if ('onoff' in v) {
    b.writeInt32LE(v.onoff, 0);
    b.writeInt32LE(v.linger, 4);
  } else {
    b.writeBigInt64LE(BigInt(v.sec), 0);
    b.writeBigInt64LE(BigInt(v.usec), 8);
  }
  return b;
}

type SysCalls = Record<string, ((...args: unknown[]) => Promise<number>) | undefined>;

async function runOps(sys: Sys, net: Network, hosts: Map<string, Host>, ops: Op[], pi: number, trace: DataTrace): Promise<number> {
  const fds: number[] = [];
  const traffic = new Map<number, FdTraffic>();
  const counter = { n: 0 };
  const fdAt = (k: number) => (fds.length === 0 ? -1 : fds[k % fds.length]!);
  const track = (fd: number): FdTraffic => {
    let t = traffic.get(fd);
    const s = sockOf(sys, fd);
    const local = s ? nameOf(s.localName()) : '-';
    const peer = s ? nameOf(s.peerName()) : '-';
    if (!t || t.local !== local || t.peer !== peer) {
      t = { process: pi, fd, local, peer, sent: [], received: [] };
      traffic.set(fd, t);
      trace.traffic.push(t);
    }
    return t;
  };
  const calls = sys as unknown as SysCalls;
  const ctx: OpContext = { sys, pi, hosts, fds, fdAt, payload: (d) => payload(d, pi, counter), pids: trace.pids };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const res: OpResult = { process: pi, index: i, op: op.op, timeNs: 0, ret: 0, errno: null };
    switch (op.op) {
      case 'socket': {
        res.ret = await sys.socket(sym(op.domain), flags(op.type), sym(op.protocol));
        if (res.ret >= 0) res.created = [fds.push(res.ret) - 1];
        break;
      }
      case 'socketpair': {
        const sv: number[] = [];
        const f = calls.socketpair;
        if (!f) throw new Error('socketpair is not available in this build');
        res.ret = await f.call(sys, sym(op.domain), flags(op.type), sym(op.protocol), sv);
        if (res.ret === 0) res.created = [fds.push(sv[0]!) - 1, fds.push(sv[1]!) - 1];
        break;
      }
      case 'bind':
        res.ret = await sys.bind(fdAt(op.fd), address(op.addr, hosts));
        break;
      case 'connect':
        res.ret = await sys.connect(fdAt(op.fd), address(op.addr, hosts));
        break;
      case 'listen':
      case 'accept':
      case 'shutdown':
      case 'setsockopt':
      case 'getsockopt': {
        const f = calls[op.op];
        if (!f) throw new Error(`${op.op} is not available in this build`);
        if (op.op === 'listen') res.ret = await f.call(sys, fdAt(op.fd), op.backlog);
        else if (op.op === 'accept') {
          // accept(2) without flags, accept4(2) with them, as the exported C calls.
          const from: AddrOut = { addr: null };
          res.ret = op.flags === undefined ? await sys.accept(fdAt(op.fd), from) : await sys.accept4(fdAt(op.fd), from, flags(op.flags));
          if (res.ret >= 0) res.created = [fds.push(res.ret) - 1];
          if (res.ret >= 0 && from.len) res.out = `peer=${addrText(from.addr)}`;
        } else if (op.op === 'shutdown') res.ret = await f.call(sys, fdAt(op.fd), sym(op.how));
        else if (op.op === 'setsockopt') {
          const level = sym(op.level), name = sym(op.name);
          res.ret = await f.call(sys, fdAt(op.fd), level, name, optBytes(level, name, op.value));
        } else {
          const level = sym(op.level), name = sym(op.name);
          const out: OptOut = { len: op.optlen ?? defaultOptlen(level, name), value: new Uint8Array(0) };
          res.ret = await f.call(sys, fdAt(op.fd), level, name, out);
          if (res.ret === 0 && out.value) {
            res.value = [...out.value];
            res.out = optText(level, name, out.value, trace.pids);
          }
        }
        break;
      }
      case 'send':
      case 'sendto': {
        const fd = fdAt(op.fd);
        const data = payload(op.data, pi, counter);
        res.ret = op.op === 'send' ? await sys.send(fd, data, flags(op.flags))
          : await sys.sendto(fd, data, flags(op.flags), op.addr ? address(op.addr, hosts) : null);
        if (res.ret >= 0) res.bytes = data.subarray(0, res.ret);
        if (res.ret > 0) track(fd).sent.push(...data.subarray(0, res.ret));
        break;
      }
      case 'recv':
      case 'recvfrom': {
        const fd = fdAt(op.fd);
        const buf = new Uint8Array(op.len);
        const from: AddrOut = { addr: null };
        res.ret = op.op === 'recv' ? await sys.recv(fd, buf, flags(op.flags)) : await sys.recvfrom(fd, buf, flags(op.flags), from);
        res.requested = op.len;
        if (res.ret >= 0) {
          const got = buf.subarray(0, Math.min(res.ret, buf.length));
          res.bytes = got;
          res.out = `d=${dataText(got)}${from.len ? ` from=${addrText(from.addr)}` : ''}`;
          if (got.length > 0 && (flags(op.flags) & MSG_PEEK) === 0) track(fd).received.push(...got);
        }
        break;
      }
      case 'close':
        res.ret = await sys.close(fdAt(op.fd));
        break;
      case 'getsockname':
      case 'getpeername': {
        const out: AddrOut = { addr: null };
        res.ret = await (op.op === 'getsockname' ? sys.getsockname(fdAt(op.fd), out) : sys.getpeername(fdAt(op.fd), out));
        if (res.ret === 0 && out.addr) {
          res.value = JSON.stringify(out.addr);
          res.out = `addr=${addrText(out.addr)}`;
        }
        break;
      }
      case 'sleep':
        await sys.sleep(ms(op.ms));
        break;
      default:
        await runMoreOp(ctx, op, res);
    }
    res.timeNs = sys.now;
    if (res.ret === -1 && !NO_ERRNO_OPS.has(op.op)) res.errno = errnoName(sys.errno);
    trace.results.push(res);
    checkExpect(op, res, trace);
  }
  trace.finished[pi] = true;
  void net;
  return 0;
}

function checkExpect(op: Op, r: OpResult, trace: DataTrace): void {
  const e = op.expect;
  if (!e) return;
  const actual = r.ret === -1 ? `-1 ${r.errno}` : String(r.ret);
  let ok = true;
  if (e.errno !== undefined) ok = r.ret === -1 && r.errno === e.errno;
  if (e.ret !== undefined) ok &&= e.ret === '>=0' ? r.ret >= 0 : r.ret === e.ret;
  if (!ok) {
    const expected = e.errno !== undefined ? `-1 ${e.errno}` : String(e.ret);
    trace.failures.push({ process: r.process, index: r.index, op: r.op, expected, actual });
  }
}
