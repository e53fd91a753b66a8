/**
 * Runs the cases of linux-probe/cases.json in socksim, step by step, recording what probe.py records on Linux:
 * return value, errno and the same outputs (addresses, option values, revents, cmsgs…), normalised the same way.
 */
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import type { Sys } from '../../stack/sys.js';
import type { AddrOut, MsgHdr, OptOut } from '../../stack/sys.js';
import { AF_INET, AF_INET6, AF_UNIX, O_CREAT, O_RDWR, SIGPIPE } from '../../stack/constants.js';
import { buildCmsgs, credsCmsg, parseCmsgs, parseUcred, rightsCmsg } from '../../stack/cmsg.js';
import type { Cmsg } from '../../stack/socket.js';
import type { SockAddr } from '../../stack/sockaddr.js';
import { coreSysctlOf } from '../../stack/sockopt.js';
import type { EpollEvent } from '../../stack/epoll.js';
import type { PollFd } from '../../stack/poll.js';
import { ipv6FromString } from '../../stack/wire/addr.js';

/** One case of the table. */
export interface ProbeCase {
  id: string;
  cite: string;
  tags: string[];
  steps: unknown[][];
}

/** The table file. */
export interface CaseFile {
  consts: Record<string, number>;
  cases: ProbeCase[];
}

/** One step's outcome. */
export type StepResult = Record<string, unknown>;

const BASE = '/tmp/socksim-probe';

function payload(spec: unknown): Uint8Array {
  if (typeof spec === 'string' && spec.startsWith('hex:')) return new Uint8Array(Buffer.from(spec.slice(4), 'hex'));
  const n = spec as number;
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i % 251;
  return b;
}

function addrSpec(spec: string | null, dir: string, id: string): Uint8Array | null {
  if (spec === null) return null;
  const i = spec.indexOf(':');
  const kind = i < 0 ? spec : spec.slice(0, i);
  const rest = i < 0 ? '' : spec.slice(i + 1);
  const fam = (f: number): number[] => [f & 0xff, f >> 8];
  switch (kind) {
    case 'unix':
      return Uint8Array.from([...fam(AF_UNIX), ...Buffer.from(rest.replace('@D', dir), 'latin1'), 0]);
    case 'unixn':
      return Uint8Array.from([...fam(AF_UNIX), ...Buffer.from(rest.replace('@D', dir), 'latin1')]);
    case 'abs':
      return Uint8Array.from([...fam(AF_UNIX), 0, ...Buffer.from(`${id}-${rest}`, 'latin1')]);
    case 'in': {
      const j = rest.lastIndexOf(':');
      const port = Number(rest.slice(j + 1));
      return Uint8Array.from([...fam(AF_INET), port >> 8, port & 0xff, ...rest.slice(0, j).split('.').map(Number), 0, 0, 0, 0, 0, 0, 0, 0]);
    }
    case 'in6': {
      const [a, port] = rest.slice(1).split(']:') as [string, string];
      const b = new Uint8Array(28);
      const dv = new DataView(b.buffer);
      dv.setUint16(0, AF_INET6, true);
      dv.setUint16(2, Number(port), false);
      b.set(ipv6FromString(a)!, 8);
      return b;
    }
    case 'hex':
      return new Uint8Array(Buffer.from(rest, 'hex'));
    case 'unspec':
      return new Uint8Array(16);
    default:
      throw new Error(`bad address spec ${spec}`);
  }
}

function fmtAddr(a: AddrOut, dir: string, id: string): string | null {
  const n = a.len ?? 0;
  const sa = a.addr as SockAddr | null;
  if (!sa) return n === 0 ? null : `len${n}`;
  if (n < 2) return `len${n}`;
  if (sa.family === AF_UNIX && 'path' in sa) {
    if (n === 2) return 'unix:';
    if (sa.path.startsWith('\0')) {
      const name = sa.path.slice(1);
      return name.startsWith(`${id}-`) ? `abs:${name.slice(id.length + 1)}` : `abs-auto:${n - 3}`;
    }
    return `unix:${sa.path.replace(dir, '@D')}`;
  }
  if (sa.family === AF_INET && 'addr' in sa) return `in:${sa.addr}`;
  if (sa.family === AF_INET6 && 'addr' in sa) return `in6:${sa.addr}`;
  return `af${sa.family}`;
}

/** Runs one case on a fresh host; returns each step's result. */
export async function runCase(file: CaseFile, c: ProbeCase, sysctl?: Record<string, number>): Promise<StepResult[]> {
  const sim = new Sim({ seed: c.id });
  const net = new Network(sim);
  const h = net.addHost('h');
  if (sysctl) {
    const s = coreSysctlOf(h);
    s.rmemMax = sysctl['net.core.rmem_max'] ?? s.rmemMax;
    s.wmemMax = sysctl['net.core.wmem_max'] ?? s.wmemMax;
  }
  let out: StepResult[] = [];
  let failure: unknown = null;
  h.spawn('probe', async (sys) => {
    try {
      out = await steps(file, c, sys);
    } catch (e) {
      failure = e;
    }
  });
  const r = await sim.run();
  if (failure) throw failure;
  if (r.status !== 'completed') throw new Error(`case ${c.id}: run ${r.status}: ${r.message}`);
  return out;
}

async function steps(file: CaseFile, c: ProbeCase, sys: Sys): Promise<StepResult[]> {
  const dir = `${BASE}/${c.id}`;
  for (let i = 0; i < 3; i++) await sys.open(`/tmp/.std${i}`, O_CREAT | O_RDWR); // fds 0-2, as a process starts
  await sys.mkdir(BASE);
  await sys.mkdir(dir);
  sys.signal(SIGPIPE, 'catch');
  const v = new Map<string, number>();
  const K = file.consts;
  const cst = (x: unknown): number => {
    if (typeof x === 'number') return x;
    if (typeof x === 'string' && x.startsWith('$')) {
      const val = v.get(x.slice(1));
      if (val === undefined) throw new Error(`case ${c.id}: unset variable ${x}`);
      return val;
    }
    let r = 0;
    for (const p of String(x).split('|')) {
      const t = p.trim();
      const n = /^-?\d/.test(t) ? Number(t) : K[t];
      if (n === undefined) throw new Error(`case ${c.id}: unknown constant ${t}`);
      r |= n;
    }
    return r >>> 0 === r || r >= 0 ? r : r >>> 0;
  };
  const self = (pid: number): number | string => (pid === sys.pid ? 'self' : pid);
  const results: StepResult[] = [];
  for (const step of c.steps) {
    let head = step[0] as string;
    const args = step.slice(1);
    let varName: string | null = null;
    if (head.includes('=')) [varName, head] = head.split('=') as [string, string];
    const res: StepResult = {};
    let r: number;
    const sigBefore = sys.proc.signals.get(SIGPIPE) ?? 0;
    switch (head) {
      case 'socket': r = await sys.socket(cst(args[0]), cst(args[1]), cst(args[2])); break;
      case 'socketpair': case 'pipe2': {
        const sv: number[] = [];
        r = head === 'socketpair' ? await sys.socketpair(cst(args[0]), cst(args[1]), cst(args[2]), sv) : await sys.pipe2(sv, cst(args[0]));
        if (varName && r === 0) {
          v.set(`${varName}0`, sv[0]!);
          v.set(`${varName}1`, sv[1]!);
          res.fds = [sv[0], sv[1]];
        }
        varName = null;
        break;
      }
      case 'bind': r = await sys.bind(cst(args[0]), addrSpec(args[1] as string, dir, c.id)!); break;
      case 'connect': r = await sys.connect(cst(args[0]), addrSpec(args[1] as string, dir, c.id)!); break;
      case 'listen': r = await sys.listen(cst(args[0]), cst(args[1])); break;
      case 'accept': case 'accept4': {
        const a: AddrOut = { addr: null };
        r = head === 'accept' ? await sys.accept(cst(args[0]), a) : await sys.accept4(cst(args[0]), a, cst(args[1]));
        if (r >= 0) res.from = fmtAddr(a, dir, c.id);
        break;
      }
      case 'send': r = await sys.send(cst(args[0]), payload(args[1]), cst(args[2])); break;
      case 'write': r = await sys.write(cst(args[0]), payload(args[1])); break;
      case 'sendto': r = await sys.sendto(cst(args[0]), payload(args[1]), cst(args[2]), addrSpec(args[3] as string, dir, c.id)); break;
      case 'recv': case 'recvfrom': case 'read': {
        const n = args[1] as number;
        const buf = new Uint8Array(n);
        if (head === 'recv') r = await sys.recv(cst(args[0]), buf, cst(args[2]));
        else if (head === 'read') r = await sys.read(cst(args[0]), buf);
        else {
          const a: AddrOut = { addr: null };
          r = await sys.recvfrom(cst(args[0]), buf, cst(args[2]), a);
          if (r >= 0) res.from = fmtAddr(a, dir, c.id);
        }
        if (r > 0) res.data = Buffer.from(buf.subarray(0, Math.min(r, n, 16))).toString('hex');
        break;
      }
      case 'sendmsg': {
        const list: Cmsg[] = [];
        const fds = ((args[3] as unknown[] | null) ?? []).map(cst);
        if (fds.length) list.push(rightsCmsg(fds));
        const cr = args[4] as unknown;
        if (cr !== undefined && cr !== null) {
          const [pid, uid, gid] = cr === 'self' ? [sys.pid, 0, 0] : (cr as number[]);
          list.push(credsCmsg({ pid: pid!, uid: uid!, gid: gid! }));
        }
        for (const [lvl, typ, hex] of (args[5] as [unknown, unknown, string][] | undefined) ?? []) {
          list.push({ level: cst(lvl), type: cst(typ), data: new Uint8Array(Buffer.from(hex, 'hex')) });
        }
        const msg: MsgHdr = { iov: [payload(args[1])], control: list.length ? buildCmsgs(list) : null };
        r = await sys.sendmsg(cst(args[0]), msg, cst(args[2]));
        break;
      }
      case 'recvmsg': {
        const n = args[1] as number, cl = args[2] as number;
        const buf = new Uint8Array(n);
        const msg: MsgHdr = { iov: [buf], control: cl ? new Uint8Array(cl) : null };
        r = await sys.recvmsg(cst(args[0]), msg, cst(args[3]));
        if (r >= 0) {
          res.flags = msg.flags;
          res.clen = msg.controllen;
          const cms = msg.control ? parseCmsgsRaw(msg.control, msg.controllen ?? 0) : [];
          let nfds = 0;
          for (const m of cms) {
            if (m.level === 1 && m.type === 1) nfds += Math.floor((Math.min(m.len, m.room) - 16) / 4);
            if (m.level === 1 && m.type === 2 && m.len >= 28) {
              const u = parseUcred(m.data);
              res.cred = [self(u.pid), u.uid, u.gid];
            }
          }
          res.cmsgs = cms.map((m) => [m.level, m.type, m.len]);
          res.nfds = nfds;
          if (r > 0) res.data = Buffer.from(buf.subarray(0, Math.min(r, n, 16))).toString('hex');
        }
        break;
      }
      case 'shutdown': r = await sys.shutdown(cst(args[0]), cst(args[1])); break;
      case 'close': r = await sys.close(cst(args[0])); break;
      case 'setsockopt': {
        const val = args[3];
        const b = typeof val === 'string' && val.startsWith('hex:') ? payload(val) : intBytes(cst(val));
        const n = args.length > 4 ? (args[4] as number) : b.length;
        const buf = new Uint8Array(Math.max(b.length, n));
        buf.set(b);
        r = await sys.setsockopt(cst(args[0]), cst(args[1]), cst(args[2]), buf, n);
        break;
      }
      case 'getsockopt': {
        const o: OptOut = { len: args[3] as number };
        const name = cst(args[2]);
        r = await sys.getsockopt(cst(args[0]), cst(args[1]), name, o);
        if (r === 0) {
          const raw = o.value ?? new Uint8Array(0);
          res.len = o.len;
          res.v = o.len === 4 ? new DataView(raw.buffer, raw.byteOffset).getInt32(0, true) : Buffer.from(raw).toString('hex');
          if (name === K.SO_PEERCRED && o.len >= 4) {
            const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
            const vals: (number | string)[] = [self(dv.getInt32(0, true))];
            for (let i = 4; i + 4 <= o.len; i += 4) vals.push(dv.getUint32(i, true));
            res.v = vals;
          }
        }
        break;
      }
      case 'getsockname': case 'getpeername': {
        const a: AddrOut = { addr: null };
        r = head === 'getsockname' ? await sys.getsockname(cst(args[0]), a) : await sys.getpeername(cst(args[0]), a);
        if (r === 0) {
          res.len = a.len;
          res.addr = fmtAddr(a, dir, c.id);
        }
        break;
      }
      case 'poll': case 'ppoll': {
        const list: PollFd[] = (args[0] as unknown[][]).map(([f, e]) => ({ fd: cst(f), events: cst(e), revents: 0 }));
        const t = args[1] as number;
        r = head === 'poll' ? await sys.poll(list, list.length, t) : await sys.ppoll(list, list.length, { sec: Math.floor(t / 1000), nsec: (t % 1000) * 1e6 });
        res.rev = list.map((p) => p.revents & 0xffff);
        break;
      }
      case 'epoll_create': r = await sys.epoll_create(cst(args[0])); break;
      case 'epoll_create1': r = await sys.epoll_create1(cst(args[0])); break;
      case 'epoll_ctl': {
        const ev: EpollEvent | null = args[3] === null ? null : { events: cst(args[3]), data: args.length > 4 ? (args[4] as number) : cst(args[2]) };
        r = await sys.epoll_ctl(cst(args[0]), cst(args[1]), cst(args[2]), ev);
        break;
      }
      case 'epoll_wait': {
        const evs: EpollEvent[] = [];
        r = await sys.epoll_wait(cst(args[0]), evs, args[1] as number, args[2] as number);
        res.ev = evs.map((e) => [e.events >>> 0, e.data]);
        break;
      }
      case 'select': case 'pselect': {
        const sets = (args.slice(1, 4) as (unknown[] | null)[]).map((l) => (l === null ? null : new Set(l.map(cst))));
        const t = args[4] as number | null;
        r = head === 'select'
          ? await sys.select(cst(args[0]), sets[0]!, sets[1]!, sets[2]!, t === null ? null : { sec: Math.floor(t / 1e6), usec: t % 1e6 })
          : await sys.pselect(cst(args[0]), sets[0]!, sets[1]!, sets[2]!, t === null ? null : { sec: Math.floor(t / 1e6), nsec: (t % 1e6) * 1000 });
        (['rd', 'wr', 'ex'] as const).forEach((k, i) => {
          if (sets[i]) res[k] = [...sets[i]!].sort((a, b) => a - b);
        });
        break;
      }
      case 'dup': r = await sys.dup(cst(args[0])); break;
      case 'dup2': r = await sys.dup2(cst(args[0]), cst(args[1])); break;
      case 'dup3': r = await sys.dup3(cst(args[0]), cst(args[1]), cst(args[2])); break;
      case 'fcntl': r = await sys.fcntl(cst(args[0]), cst(args[1]), args.length > 2 ? cst(args[2]) : 0); break;
      case 'setrlimit': r = await sys.setrlimit(7, { cur: args[0] as number, max: args[1] as number }); break;
      case 'getrlimit': {
        const lim = { cur: 0, max: 0 };
        r = await sys.getrlimit(7, lim);
        res.lim = [lim.cur, lim.max];
        break;
      }
      case 'open': r = await sys.open((args[0] as string).replace('@D', dir), cst(args[1])); break;
      case 'unlink': r = await sys.unlink((args[0] as string).replace('@D', dir)); break;
      case 'mkdir': r = await sys.mkdir((args[0] as string).replace('@D', dir)); break;
      case 'lseek': r = await sys.lseek(cst(args[0]), args[1] as number, args[2] as number); break;
      case 'sendfile': {
        const off = args[2] === null ? null : { value: args[2] as number };
        r = await sys.sendfile(cst(args[0]), cst(args[1]), off, args[3] as number);
        if (off) res.off = off.value;
        break;
      }
      case 'readv': case 'writev': {
        const sizes = args[1] as number[];
        const bufs = sizes.map((n) => (head === 'writev' ? payload(n) : new Uint8Array(n)));
        r = head === 'writev' ? await sys.writev(cst(args[0]), bufs) : await sys.readv(cst(args[0]), bufs);
        if (head === 'readv' && r > 0) res.data = bufs.map((b) => Buffer.from(b).toString('hex'));
        break;
      }
      case 'ioctl': {
        const has = args.length > 2 && args[2] !== null;
        const iv = has ? { value: args[2] as number } : null;
        r = await sys.ioctl(cst(args[0]), cst(args[1]), iv);
        if (iv && r === 0) res.v = iv.value;
        break;
      }
      case 'fill': {
        const data = payload(args[1]);
        let n = 0, total = 0;
        const fd = cst(args[0]);
        while (n < 200000) {
          let x = await sys.send(fd, data, cst(args[2]) | (K.MSG_DONTWAIT ?? 0x40));
          if (x < 0 && sys.errno === 88) x = await sys.write(fd, data);
          if (x < 0) break;
          n++;
          total += x;
        }
        r = -1;
        res.n = n;
        res.bytes = total;
        break;
      }
      default:
        throw new Error(`case ${c.id}: unknown op ${head}`);
    }
    const full: StepResult = { r, e: r < 0 ? sys.errno : 0, ...res };
    if ((sys.proc.signals.get(SIGPIPE) ?? 0) > sigBefore) full.sig = 1;
    if (varName && r >= 0) v.set(varName, r);
    results.push(full);
  }
  return results;
}

function intBytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v | 0, true);
  return b;
}

/** Walks msg_control like probe.py: headers while 16 bytes remain, lengths as written, the room each had. */
function parseCmsgsRaw(control: Uint8Array, controllen: number): { level: number; type: number; len: number; room: number; data: Uint8Array }[] {
  const out = [];
  const dv = new DataView(control.buffer, control.byteOffset, control.byteLength);
  let off = 0;
  while (off + 16 <= controllen) {
    const len = dv.getUint32(off, true);
    out.push({ level: dv.getInt32(off + 8, true), type: dv.getInt32(off + 12, true), len, room: controllen - off, data: control.slice(off + 16, off + Math.min(len, controllen - off)) });
    off += (len + 7) & ~7;
  }
  void parseCmsgs;
  return out;
}
