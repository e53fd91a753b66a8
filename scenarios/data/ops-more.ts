/**
 * The scenario-data operations added for the conformance suite (sendmsg/recvmsg with ancillary data, read/write,
 * dup, fcntl, poll, select, epoll, signal, unlink, getaddrinfo and the inet_* conversions). Each is one C call; its
 * outputs are shown in outputs.ts's canonical text, which the exported C prints the same way.
 */
import { buildCmsgs, credsCmsg, parseCmsgs, parseUcred, rightsCmsg } from '../../stack/cmsg.js';
import { F_DUPFD, F_DUPFD_CLOEXEC, SCM_CREDENTIALS, SCM_RIGHTS, SOL_SOCKET } from '../../stack/constants.js';
import type { EpollEvent } from '../../stack/epoll.js';
import { errnoName } from '../../stack/errno.js';
import { EAI_SYSTEM } from '../../stack/resolve/gai-errors.js';
import { addrinfoList, type AddrInfoHints } from '../../stack/resolve/getaddrinfo.js';
import type { Host } from '../../stack/host.js';
import type { FdSet, PollFd } from '../../stack/poll.js';
import { inet_addr, inet_aton, inet_ntop, inet_pton } from '../../stack/resolve/inet.js';
import type { Cmsg } from '../../stack/socket.js';
import type { MsgHdr, Sys } from '../../stack/sys.js';
import { decodeSockaddr, sockaddrBytes } from '../../stack/sockaddr.js';
import { flags, sym } from './constants.js';
import { address } from './interpret.js';
import type { OpResult } from './interpret.js';
import { addrText, credText, dataText, maskText } from './outputs.js';
import type { DataSpec, Op } from './schema.js';

/** Operations whose -1 is not "failed with errno" (getaddrinfo's -1 is EAI_BADFLAGS): their errno is not recorded. */
export const NO_ERRNO_OPS: ReadonlySet<string> = new Set(['getaddrinfo']);

/** What an operation needs from the process running it. */
export interface OpContext {
  sys: Sys;
  /** Index of the process in the scenario. */
  pi: number;
  hosts: Map<string, Host>;
  /** The fds the process created, in creation order. */
  fds: number[];
  /** The fd an index names (modulo the list's length; -1 when the list is empty). */
  fdAt: (k: number) => number;
  /** The bytes of a send (the process's counting pattern, or literal text). */
  payload: (d: DataSpec) => Uint8Array;
  /** Pids of the scenario's processes, by index. */
  pids: readonly number[];
}

/** The canonical text of received control messages: "rights:2", "creds:pid=p0,uid=0,gid=0", "1/29:hex". */
function cmsgText(list: readonly Cmsg[], pids: readonly number[]): string {
  return list.map((c) => {
    if (c.level === SOL_SOCKET && c.type === SCM_RIGHTS) return `rights:${Math.floor(c.data.length / 4)}`;
    if (c.level === SOL_SOCKET && c.type === SCM_CREDENTIALS && c.data.length >= 12) {
      const u = parseUcred(c.data);
      return `creds:${credText(u.pid, u.uid, u.gid, pids)}`;
    }
    return `${c.level}/${c.type}:${Buffer.from(c.data).toString('hex')}`;
  }).join(',');
}

/** Runs one of the added operations, filling res (ret, errno is set by the caller, out, created). */
export async function runMoreOp(ctx: OpContext, op: Op, res: OpResult): Promise<void> {
  const { sys, fds, fdAt } = ctx;
  const created = (fd: number) => {
    res.created = [...(res.created ?? []), fds.push(fd) - 1];
  };
  switch (op.op) {
    case 'sendmsg': {
      const data = ctx.payload(op.data);
      const cmsgs: Cmsg[] = [];
      if (op.rights?.length) cmsgs.push(rightsCmsg(op.rights.map(fdAt)));
      if (op.creds) cmsgs.push(credsCmsg(sys.cred()));
      const msg: MsgHdr = { iov: [data], name: op.addr ? sockaddrBytes(address(op.addr, ctx.hosts)) : null };
      if (cmsgs.length) msg.control = buildCmsgs(cmsgs);
      res.ret = await sys.sendmsg(fdAt(op.fd), msg, flags(op.flags));
      if (res.ret >= 0) res.bytes = data.subarray(0, res.ret);
      break;
    }
    case 'recvmsg': {
      const buf = new Uint8Array(op.len);
      const control = new Uint8Array(op.controlLen ?? 0);
      const msg: MsgHdr = { iov: [buf], control: op.controlLen ? control : null, controllen: control.length };
      res.ret = await sys.recvmsg(fdAt(op.fd), msg, flags(op.flags));
      res.requested = op.len;
      if (res.ret >= 0) {
        const got = buf.subarray(0, Math.min(res.ret, buf.length));
        res.bytes = got;
        const list = parseCmsgs(control, msg.controllen ?? 0);
        for (const c of list) {
          if (c.level === SOL_SOCKET && c.type === SCM_RIGHTS) {
            const dv = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
            for (let k = 0; k + 4 <= c.data.length; k += 4) created(dv.getInt32(k, true));
          }
        }
        // An empty msg_name (msg_namelen 0, as for an unbound AF_UNIX sender) is not shown, as the C does not.
        const raw = msg.name instanceof Uint8Array ? decodeSockaddr(msg.name) : msg.name ?? null;
        const name = raw && !('bytes' in raw && raw.bytes.length === 0) ? raw : null;
        res.out = `d=${dataText(got)} flags=${maskText(msg.flags ?? 0)}${name ? ` from=${addrText(name)}` : ''}`
          + (list.length ? ` cmsg=${cmsgText(list, ctx.pids)}` : '');
      }
      break;
    }
    case 'read': {
      const buf = new Uint8Array(op.len);
      res.ret = await sys.read(fdAt(op.fd), buf);
      res.requested = op.len;
      if (res.ret >= 0) {
        res.bytes = buf.subarray(0, res.ret);
        res.out = `d=${dataText(res.bytes)}`;
      }
      break;
    }
    case 'write': {
      const data = ctx.payload(op.data);
      res.ret = await sys.write(fdAt(op.fd), data);
      if (res.ret >= 0) res.bytes = data.subarray(0, res.ret);
      break;
    }
    case 'dup':
      res.ret = await sys.dup(fdAt(op.fd));
      if (res.ret >= 0) created(res.ret);
      break;
    case 'fcntl': {
      const cmd = sym(op.cmd);
      res.ret = await sys.fcntl(fdAt(op.fd), cmd, flags(op.arg));
      if (res.ret >= 0 && (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC)) created(res.ret);
      break;
    }
    case 'poll': {
      const list: PollFd[] = op.fds.map((p) => ({ fd: fdAt(p.fd), events: flags(p.events), revents: 0 }));
      res.ret = await sys.poll(list, list.length, op.timeoutMs);
      if (res.ret >= 0) res.out = `revents=${list.map((p) => maskText(p.revents)).join(',')}`;
      break;
    }
    case 'select': {
      const lists = [op.read, op.write, op.except];
      const sets = lists.map((l) => (l ? new Set(l.map(fdAt)) : null)) as (FdSet | null)[];
      const all = lists.flatMap((l) => (l ?? []).map(fdAt));
      const nfds = all.length ? Math.max(...all) + 1 : 0;
      const tv = op.timeoutMs === null ? null : { sec: Math.floor(op.timeoutMs / 1000), usec: (op.timeoutMs % 1000) * 1000 };
      res.ret = await sys.select(nfds, sets[0]!, sets[1]!, sets[2]!, tv);
      if (res.ret >= 0) {
        const shown = lists.map((l, i) => (l ?? []).filter((k) => sets[i]!.has(fdAt(k))).join(','));
        res.out = `r=${shown[0]} w=${shown[1]} e=${shown[2]}`;
      }
      break;
    }
    case 'epoll_create':
      res.ret = await sys.epoll_create1(flags(op.flags));
      if (res.ret >= 0) created(res.ret);
      break;
    case 'epoll_ctl': {
      const ev: EpollEvent = { events: flags(op.events), data: op.fd };
      res.ret = await sys.epoll_ctl(fdAt(op.epfd), sym(op.ctl), fdAt(op.fd), ev);
      break;
    }
    case 'epoll_wait': {
      const events: EpollEvent[] = [];
      res.ret = await sys.epoll_wait(fdAt(op.epfd), events, op.maxevents, op.timeoutMs);
      if (res.ret >= 0) res.out = `ev=${events.map((e) => `${maskText(e.events)}:${e.data ?? '?'}`).join(',')}`;
      break;
    }
    case 'signal':
      res.ret = sys.signal(sym(op.signo), op.action);
      break;
    case 'unlink':
      res.ret = await sys.unlink(op.path);
      break;
    case 'getaddrinfo': {
      // Hints are always given (a zeroed struct plus the case's fields), as the exported C passes them.
      const hints: AddrInfoHints = { ai_family: sym(op.family), ai_socktype: sym(op.socktype), ai_protocol: sym(op.protocol), ai_flags: flags(op.flags) };
      const r = await sys.getaddrinfo(op.node, op.service, hints);
      res.ret = r.ret;
      if (r.ret === 0) {
        const list = addrinfoList(r.res);
        const canon = list[0]?.ai_canonname;
        res.out = `${canon ? `canon=${canon} ` : ''}ai=${list.map((a) => `${a.ai_family}/${a.ai_socktype}/${a.ai_protocol}/${addrText(a.ai_addr)}`).join(';')}`;
      } else if (r.ret === EAI_SYSTEM) res.out = `errno=${errnoName(sys.errno)}`;
      break;
    }
    case 'inet_pton': {
      const r = inet_pton(sym(op.af), op.src);
      res.ret = r.ret;
      if (r.ret === 1) res.out = `a=${Buffer.from(r.addr).toString('hex')}`;
      else if (r.ret === -1) sys.errno = r.errno;
      break;
    }
    case 'inet_ntop': {
      const r = inet_ntop(sym(op.af), Buffer.from(op.hex, 'hex'), op.size ?? 46);
      if ('ok' in r) {
        res.ret = 0;
        res.out = `s=${r.ok}`;
      } else {
        res.ret = -1;
        sys.errno = r.errno;
      }
      break;
    }
    case 'inet_aton': {
      const a = inet_aton(op.src);
      res.ret = a === null ? 0 : 1;
      if (a !== null) res.out = `a=${(a >>> 0).toString(16).padStart(8, '0').match(/../g)!.reverse().join('')}`;
      break;
    }
    case 'inet_addr':
      res.ret = inet_addr(op.src) >>> 0;
      break;
    default:
      throw new Error(`scenario data: no interpreter for operation "${op.op}"`);
  }
}
