/** Human-readable renderings of scenario data: an op list as C-like calls, for fuzz reports and shrunk cases. */
import type { AddrSpec, DataSpec, Flags, Op, ScenarioData } from './schema.js';

function flagsText(f: Flags | undefined): string {
  if (f === undefined) return '0';
  return Array.isArray(f) ? f.join('|') || '0' : String(f);
}

function addrText(a: AddrSpec): string {
  if ('host' in a) return `${a.host === '*' ? 'ANY' : a.host}:${a.port}`;
  if ('ip' in a) return `${a.ip}:${a.port}`;
  if ('path' in a) return `unix:${a.path}`;
  return `raw:${a.raw}`;
}

function dataText(d: DataSpec): string {
  return 'len' in d ? `<${d.len} bytes>` : JSON.stringify(d.text);
}

/** One operation as a call, e.g. `sendto(fd[0], <12 bytes>, 0, h1:5000)`. */
export function formatOp(op: Op): string {
  const fd = (k: number) => `fd[${k}]`;
  switch (op.op) {
    case 'socket':
    case 'socketpair':
      return `${op.op}(${op.domain}, ${flagsText(op.type)}, ${op.protocol ?? 0})`;
    case 'bind':
    case 'connect':
      return `${op.op}(${fd(op.fd)}, ${addrText(op.addr)})`;
    case 'listen':
      return `listen(${fd(op.fd)}, ${op.backlog})`;
    case 'accept':
      return `accept(${fd(op.fd)}${op.flags ? `, ${flagsText(op.flags)}` : ''})`;
    case 'send':
      return `send(${fd(op.fd)}, ${dataText(op.data)}, ${flagsText(op.flags)})`;
    case 'sendto':
      return `sendto(${fd(op.fd)}, ${dataText(op.data)}, ${flagsText(op.flags)}, ${op.addr ? addrText(op.addr) : 'NULL'})`;
    case 'recv':
    case 'recvfrom':
      return `${op.op}(${fd(op.fd)}, ${op.len}, ${flagsText(op.flags)})`;
    case 'shutdown':
      return `shutdown(${fd(op.fd)}, ${op.how})`;
    case 'close':
    case 'getsockname':
    case 'getpeername':
      return `${op.op}(${fd(op.fd)})`;
    case 'setsockopt':
      return `setsockopt(${fd(op.fd)}, ${op.level}, ${op.name}, ${JSON.stringify(op.value)})`;
    case 'getsockopt':
      return `getsockopt(${fd(op.fd)}, ${op.level}, ${op.name})`;
    case 'sleep':
      return `sleep(${op.ms} ms)`;
    case 'sendmsg': {
      const extra = [op.rights ? `SCM_RIGHTS[${op.rights.map(fd).join(', ')}]` : '', op.creds ? 'SCM_CREDENTIALS' : ''].filter(Boolean);
      return `sendmsg(${fd(op.fd)}, ${dataText(op.data)}${op.addr ? ` to ${addrText(op.addr)}` : ''}${extra.length ? `, ${extra.join(' ')}` : ''}, ${flagsText(op.flags)})`;
    }
    case 'recvmsg':
      return `recvmsg(${fd(op.fd)}, ${op.len}, control ${op.controlLen ?? 0}, ${flagsText(op.flags)})`;
    case 'read':
      return `read(${fd(op.fd)}, ${op.len})`;
    case 'write':
      return `write(${fd(op.fd)}, ${dataText(op.data)})`;
    case 'dup':
      return `dup(${fd(op.fd)})`;
    case 'fcntl':
      return `fcntl(${fd(op.fd)}, ${op.cmd}${op.arg !== undefined ? `, ${flagsText(op.arg)}` : ''})`;
    case 'poll':
      return `poll([${op.fds.map((p) => `${fd(p.fd)}:${flagsText(p.events)}`).join(', ')}], ${op.timeoutMs} ms)`;
    case 'select': {
      const set = (l?: number[]) => `{${(l ?? []).map(fd).join(', ')}}`;
      return `select(r${set(op.read)}, w${set(op.write)}, e${set(op.except)}, ${op.timeoutMs === null ? 'NULL' : `${op.timeoutMs} ms`})`;
    }
    case 'epoll_create':
      return `epoll_create1(${flagsText(op.flags)})`;
    case 'epoll_ctl':
      return `epoll_ctl(${fd(op.epfd)}, ${op.ctl}, ${fd(op.fd)}, ${flagsText(op.events)})`;
    case 'epoll_wait':
      return `epoll_wait(${fd(op.epfd)}, ${op.maxevents}, ${op.timeoutMs} ms)`;
    case 'signal':
      return `signal(${op.signo}, ${op.action === 'ignore' ? 'SIG_IGN' : 'SIG_DFL'})`;
    case 'unlink':
      return `unlink(${JSON.stringify(op.path)})`;
    case 'getaddrinfo':
      return `getaddrinfo(${JSON.stringify(op.node)}, ${JSON.stringify(op.service)}, family ${op.family ?? 0}, socktype ${op.socktype ?? 0}, protocol ${op.protocol ?? 0}, flags ${flagsText(op.flags)})`;
    case 'inet_pton':
      return `inet_pton(${op.af}, ${JSON.stringify(op.src)})`;
    case 'inet_ntop':
      return `inet_ntop(${op.af}, ${op.hex}, ${op.size ?? 46})`;
    case 'inet_aton':
    case 'inet_addr':
      return `${op.op}(${JSON.stringify(op.src)})`;
  }
}

/** The whole scenario as indented lines: topology, faults, then each process's operations. */
export function formatScenario(s: ScenarioData): string[] {
  const out: string[] = [];
  out.push(`hosts: ${s.hosts.join(', ')}; seed ${String(s.seed)}${s.profile ? `; profile ${s.profile}` : ''}`);
  s.links.forEach((l, i) => {
    const { a, b, ...rest } = l;
    out.push(`link ${i}: ${a} — ${b} ${Object.keys(rest).length ? JSON.stringify(rest) : ''}`.trimEnd());
  });
  for (const f of s.faults) {
    const { at, kind, ...rest } = f;
    out.push(`at ${at} ms: ${kind} ${Object.keys(rest).length ? JSON.stringify(rest) : ''}`.trimEnd());
  }
  s.processes.forEach((p, i) => {
    out.push(`process ${i} on ${p.host}${p.startMs ? ` (starts at ${p.startMs} ms)` : ''}:`);
    p.ops.forEach((op, j) => out.push(`  #${j} ${formatOp(op)}`));
  });
  return out;
}
