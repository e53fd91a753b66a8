/**
 * One scenario-data operation as plain C: the call itself, written as a person would (the case's constant names,
 * `FD(k)` for the k-th fd the process created), then `result()` to print it and `expect()` where the case has an
 * expectation. Outputs go through the prelude's printers so they read exactly like socksim's (outputs.ts).
 */
import { formatOp } from '../../scenarios/data/format.js';
import type { AddrSpec, DataSpec, Flags, Op, Sym } from '../../scenarios/data/schema.js';
import { inetOf } from './topology.js';

/** What emitting needs besides the op: host addresses, and a sink for the constant names used. */
export interface EmitContext {
  addrs: Map<string, string[]>;
  /** Every constant name the program uses (each gets a fallback #define). */
  names: Set<string>;
  /** Set when an op needs <sys/epoll.h>. */
  epoll: boolean;
}

/** A C string literal for arbitrary bytes (octal escapes outside printable ASCII). */
export function cString(bytes: Uint8Array | string): string {
  const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let s = '"';
  for (const c of b) {
    if (c === 0x22 || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f && c !== 0x3f) s += String.fromCharCode(c); // '?' escaped: no trigraphs
    else s += `\\${c.toString(8).padStart(3, '0')}`;
  }
  return `${s}"`;
}

function symC(s: Sym | undefined, ctx: EmitContext, dflt = '0'): string {
  if (s === undefined) return dflt;
  if (typeof s === 'number') return String(s);
  ctx.names.add(s);
  return s;
}

function flagsC(f: Flags | undefined, ctx: EmitContext): string {
  if (f === undefined) return '0';
  if (!Array.isArray(f)) return symC(f, ctx);
  return f.length ? f.map((x) => symC(x, ctx)).join(' | ') : '0';
}

/** Statement that fills A with the address and sets alen. */
function addrC(a: AddrSpec, ctx: EmitContext): string {
  if ('raw' in a) return `alen = rawaddr("${a.raw}");`;
  if ('path' in a) return `alen = un(${cString(a.path)});`;
  const ip = inetOf(a, ctx.addrs)!;
  return `alen = ${ip.v6 ? 'in6' : 'in4'}("${ip.ip}", ${ip.port});`;
}

/** Statements that set b and n to the payload of a send. */
function dataC(d: DataSpec): string {
  if ('len' in d) return `n = ${d.len}; b = pattern(n);`;
  const bytes = new TextEncoder().encode(d.text);
  return `n = ${bytes.length}; b = (unsigned char *)${cString(bytes)};`;
}

function expectC(op: Op, i: number): string[] {
  const e = op.expect;
  if (!e) return [];
  const ret = e.ret === undefined ? 'NULL' : `"${String(e.ret)}"`;
  const err = e.errno === undefined ? 'NULL' : `"${e.errno}"`;
  return [`expect(${i}, "${op.op}", r, e, ${ret}, ${err});`];
}

/** The call and its output printing, as lines (without the result/expect lines). */
function callC(op: Op, ctx: EmitContext): string[] {
  const fd = (k: number) => `FD(${k})`;
  switch (op.op) {
    case 'socket':
      return [`r = socket(${symC(op.domain, ctx)}, ${flagsC(op.type, ctx)}, ${symC(op.protocol, ctx)}); e = errno;`, 'if (r >= 0) add_fd((int)r);'];
    case 'socketpair':
      return [`r = socketpair(${symC(op.domain, ctx)}, ${flagsC(op.type, ctx)}, ${symC(op.protocol, ctx)}, sv); e = errno;`,
        'if (r == 0) { add_fd(sv[0]); add_fd(sv[1]); }'];
    case 'bind':
    case 'connect':
      return [addrC(op.addr, ctx), `r = ${op.op}(${fd(op.fd)}, &A.sa, alen); e = errno;`];
    case 'listen':
      return [`r = listen(${fd(op.fd)}, ${op.backlog}); e = errno;`];
    case 'accept':
      return ['plen = sizeof peer;',
        op.flags === undefined ? `r = accept(${fd(op.fd)}, (struct sockaddr *)&peer, &plen); e = errno;`
          : `r = accept4(${fd(op.fd)}, (struct sockaddr *)&peer, &plen, ${flagsC(op.flags, ctx)}); e = errno;`,
        'if (r >= 0) add_fd((int)r);',
        'if (r >= 0 && plen > 0) { outf("peer="); out_addr(&peer, plen); }'];
    case 'send':
      return [dataC(op.data), `r = send(${fd(op.fd)}, b, n, ${flagsC(op.flags, ctx)}); e = errno;`];
    case 'sendto':
      return op.addr ? [dataC(op.data), addrC(op.addr, ctx), `r = sendto(${fd(op.fd)}, b, n, ${flagsC(op.flags, ctx)}, &A.sa, alen); e = errno;`]
        : [dataC(op.data), `r = sendto(${fd(op.fd)}, b, n, ${flagsC(op.flags, ctx)}, NULL, 0); e = errno;`];
    case 'recv':
    case 'read':
      return [`n = ${op.len}; b = rbuf(n);`,
        op.op === 'recv' ? `r = recv(${fd(op.fd)}, b, n, ${flagsC(op.flags, ctx)}); e = errno;` : `r = read(${fd(op.fd)}, b, n); e = errno;`,
        'if (r >= 0) { outf("d="); out_data(b, (size_t)r < n ? (size_t)r : n); }'];
    case 'recvfrom':
      return [`n = ${op.len}; b = rbuf(n); plen = sizeof peer;`,
        `r = recvfrom(${fd(op.fd)}, b, n, ${flagsC(op.flags, ctx)}, (struct sockaddr *)&peer, &plen); e = errno;`,
        'if (r >= 0) { outf("d="); out_data(b, (size_t)r < n ? (size_t)r : n); }',
        'if (r >= 0 && plen > 0) { outf(" from="); out_addr(&peer, plen); }'];
    case 'write':
      return [dataC(op.data), `r = write(${fd(op.fd)}, b, n); e = errno;`];
    case 'shutdown':
      return [`r = shutdown(${fd(op.fd)}, ${symC(op.how, ctx)}); e = errno;`];
    case 'close':
      return [`r = close(${fd(op.fd)}); e = errno;`];
    case 'setsockopt': {
      const call = (decl: string) => [`{ ${decl}`, `  r = setsockopt(${fd(op.fd)}, ${symC(op.level, ctx)}, ${symC(op.name, ctx)}, &v, sizeof v); e = errno; }`];
      const v = op.value;
      if (typeof v === 'number') return call(`int v = ${v};`);
      if ('onoff' in v) return call(`struct linger v; v.l_onoff = ${v.onoff}; v.l_linger = ${v.linger};`);
      return call(`struct timeval v; v.tv_sec = ${v.sec}; v.tv_usec = ${v.usec};`);
    }
    case 'getsockopt': {
      const lvl = symC(op.level, ctx), name = symC(op.name, ctx);
      const len = op.optlen === undefined ? `optlen_for(${lvl}, ${name})` : `(socklen_t)${op.optlen}`;
      return [`vlen = ${len};`, `r = getsockopt(${fd(op.fd)}, ${lvl}, ${name}, v, &vlen); e = errno;`,
        `if (r == 0) out_opt(${lvl}, ${name}, v, vlen);`];
    }
    case 'getsockname':
    case 'getpeername':
      return ['plen = sizeof peer;', `r = ${op.op}(${fd(op.fd)}, (struct sockaddr *)&peer, &plen); e = errno;`,
        'if (r == 0) { outf("addr="); out_addr(&peer, plen); }'];
    case 'sleep':
      return [`msleep(${op.ms}); r = 0; e = 0;`];
    case 'sendmsg': {
      const lines = [dataC(op.data), 'memset(&m, 0, sizeof m);', 'iov.iov_base = b; iov.iov_len = n; m.msg_iov = &iov; m.msg_iovlen = 1;'];
      if (op.addr) lines.push(addrC(op.addr, ctx), 'm.msg_name = &A; m.msg_namelen = alen;');
      const rights = op.rights ?? [];
      if (rights.length || op.creds) {
        rights.forEach((k, j) => lines.push(`pass[${j}] = ${fd(k)};`));
        lines.push(`m.msg_control = CTL.buf; m.msg_controllen = ctl_build(pass, ${rights.length}, ${op.creds ? 1 : 0});`);
      }
      lines.push(`r = sendmsg(${fd(op.fd)}, &m, ${flagsC(op.flags, ctx)}); e = errno;`);
      return lines;
    }
    case 'recvmsg': {
      const cl = op.controlLen ?? 0;
      return [`n = ${op.len}; b = rbuf(n);`, 'memset(&m, 0, sizeof m);',
        'iov.iov_base = b; iov.iov_len = n; m.msg_iov = &iov; m.msg_iovlen = 1;',
        'm.msg_name = &peer; m.msg_namelen = sizeof peer;',
        cl ? `memset(&CTL, 0, sizeof CTL); m.msg_control = CTL.buf; m.msg_controllen = ${cl};` : 'm.msg_control = NULL; m.msg_controllen = 0;',
        `r = recvmsg(${fd(op.fd)}, &m, ${flagsC(op.flags, ctx)}); e = errno;`,
        'if (r >= 0) {',
        '  outf("d="); out_data(b, (size_t)r < n ? (size_t)r : n);',
        '  outf(" flags=0x%x", (unsigned)m.msg_flags);',
        '  if (m.msg_namelen > 0) { outf(" from="); out_addr(&peer, m.msg_namelen); }',
        '  out_cmsgs(&m);',
        '}'];
    }
    case 'dup':
      return [`r = dup(${fd(op.fd)}); e = errno;`, 'if (r >= 0) add_fd((int)r);'];
    case 'fcntl': {
      const cmd = symC(op.cmd, ctx);
      const lines = [`r = fcntl(${fd(op.fd)}, ${cmd}, ${flagsC(op.arg, ctx)}); e = errno;`];
      if (cmd === 'F_DUPFD' || cmd === 'F_DUPFD_CLOEXEC' || op.cmd === 0 || op.cmd === 1030) lines.push('if (r >= 0) add_fd((int)r);');
      return lines;
    }
    case 'poll': {
      if (op.fds.length > 64) throw new Error('poll: the exported C handles at most 64 entries');
      const lines = op.fds.map((p, j) => `pf[${j}].fd = ${fd(p.fd)}; pf[${j}].events = ${flagsC(p.events, ctx)}; pf[${j}].revents = 0;`);
      lines.push(`r = poll(pf, ${op.fds.length}, ${op.timeoutMs}); e = errno;`);
      const fmt = op.fds.map(() => '0x%x').join(',');
      const args = op.fds.map((_, j) => `, (unsigned)(unsigned short)pf[${j}].revents`).join('');
      lines.push(`if (r >= 0) outf("revents=${fmt}"${args});`);
      return lines;
    }
    case 'select': {
      const sets = [['rs', op.read], ['ws', op.write], ['es', op.except]] as const;
      const lines = ['FD_ZERO(&rs); FD_ZERO(&ws); FD_ZERO(&es); maxfd = -1;'];
      for (const [name, l] of sets) for (const k of l ?? []) lines.push(`add_set(&${name}, ${fd(k)}, &maxfd);`);
      const arg = (name: string, l: readonly number[] | undefined) => (l ? `&${name}` : 'NULL');
      const tv = op.timeoutMs === null ? 'NULL' : '&tv';
      if (op.timeoutMs !== null) lines.push(`tv.tv_sec = ${Math.floor(op.timeoutMs / 1000)}; tv.tv_usec = ${(op.timeoutMs % 1000) * 1000};`);
      lines.push(`r = select(maxfd + 1, ${arg('rs', op.read)}, ${arg('ws', op.write)}, ${arg('es', op.except)}, ${tv}); e = errno;`);
      lines.push('if (r >= 0) {');
      sets.forEach(([name, l], j) => {
        lines.push(`  outf("${j ? ' ' : ''}${name[0]}="); sep = 0;`);
        (l ?? []).forEach((k) => lines.push(`  if (in_set(&${name}, ${fd(k)})) outf("%s${k}", comma(&sep));`));
      });
      lines.push('}');
      return lines;
    }
    case 'epoll_create':
      ctx.epoll = true;
      return [`r = epoll_create1(${flagsC(op.flags, ctx)}); e = errno;`, 'if (r >= 0) add_fd((int)r);'];
    case 'epoll_ctl':
      ctx.epoll = true;
      return ['memset(&ev, 0, sizeof ev);', `ev.events = ${flagsC(op.events, ctx)}; ev.data.u64 = ${op.fd};`,
        `r = epoll_ctl(${fd(op.epfd)}, ${symC(op.ctl, ctx)}, ${fd(op.fd)}, &ev); e = errno;`];
    case 'epoll_wait':
      ctx.epoll = true;
      return [`r = epoll_wait(${fd(op.epfd)}, evs, ${op.maxevents}, ${op.timeoutMs}); e = errno;`,
        'if (r >= 0) { outf("ev="); for (j = 0; j < r; j++) outf("%s0x%x:%llu", j ? "," : "", (unsigned)evs[j].events, (unsigned long long)evs[j].data.u64); }'];
    case 'signal':
      return [`r = signal(${symC(op.signo, ctx)}, ${op.action === 'ignore' ? 'SIG_IGN' : 'SIG_DFL'}) == SIG_ERR ? -1 : 0; e = errno;`];
    case 'unlink':
      return [`r = unlink(${cString(op.path)}); e = errno;`];
    case 'getaddrinfo':
      return ['memset(&hints, 0, sizeof hints);',
        `hints.ai_family = ${symC(op.family, ctx)}; hints.ai_socktype = ${symC(op.socktype, ctx)}; hints.ai_protocol = ${symC(op.protocol, ctx)}; hints.ai_flags = ${flagsC(op.flags, ctx)};`,
        `r = getaddrinfo(${op.node === null ? 'NULL' : cString(op.node)}, ${op.service === null ? 'NULL' : cString(op.service)}, &hints, &res); e = errno;`,
        'if (r == 0) { out_addrinfo(res); freeaddrinfo(res); }',
        'else if (r == EAI_SYSTEM) outf("errno=%s", errname(e));',
        'e = -1; /* getaddrinfo reports through its return value, not errno */'];
    case 'inet_pton':
      return [`r = inet_pton(${symC(op.af, ctx)}, ${cString(op.src)}, a16); e = errno;`,
        `if (r == 1) { outf("a="); out_hex(a16, ${symC(op.af, ctx)} == AF_INET6 ? 16 : 4); }`];
    case 'inet_ntop':
      return [`memset(a16, 0, sizeof a16); unhex(a16, sizeof a16, "${op.hex}");`,
        `r = inet_ntop(${symC(op.af, ctx)}, a16, text, ${op.size ?? 46}) ? 0 : -1; e = errno;`,
        'if (r == 0) outf("s=%s", text);'];
    case 'inet_aton':
      return [`r = inet_aton(${cString(op.src)}, &ia); e = errno;`, 'if (r) { outf("a="); out_hex(&ia, 4); }'];
    case 'inet_addr':
      return [`r = (long long)(unsigned)inet_addr(${cString(op.src)}); e = errno;`];
  }
}

/** The C lines of op #i: a comment with the call as socksim shows it, the call, result(), expect(). */
export function emitOp(op: Op, i: number, ctx: EmitContext): string[] {
  return [`/* #${i} ${formatOp(op).replace(/\*\//g, '* /')} */`, ...callC(op, ctx), `result(${i}, "${op.op}", r, e);`, ...expectC(op, i)];
}

/** Scratch variables a process body may use, each declared only when the body mentions it. */
const LOCALS: [RegExp, string][] = [
  [/\br\b/, 'long long r;                      /* the call\'s return value */'],
  [/\be\b/, 'int e;                            /* errno right after the call */'],
  [/\balen\b/, 'socklen_t alen;                   /* length of the address in A */'],
  [/\bplen\b/, 'socklen_t plen;'],
  [/\bpeer\b/, 'struct sockaddr_storage peer;     /* an address the kernel returns */'],
  [/\bvlen\b/, 'socklen_t vlen;'],
  [/[(,] v, &vlen/, 'unsigned char v[256];             /* a getsockopt value */'],
  [/\bb\b/, 'unsigned char *b;                 /* the data of a send or receive */'],
  [/\bn\b/, 'size_t n;'],
  [/\ba16\b/, 'unsigned char a16[16];'],
  [/\bsv\b/, 'int sv[2];'],
  [/\bpass\b/, 'int pass[256];                    /* fds to pass with SCM_RIGHTS */'],
  [/\bmaxfd\b/, 'int maxfd;'],
  [/\bsep\b/, 'int sep;'],
  [/\bj\b/, 'int j;'],
  [/&m\b|\bm\.msg/, 'struct msghdr m;'],
  [/\biov\b/, 'struct iovec iov;'],
  [/\bpf\b/, 'struct pollfd pf[64];'],
  [/&rs\b/, 'fd_set rs, ws, es;'],
  [/\btv\b/, 'struct timeval tv;'],
  [/\bhints\b/, 'struct addrinfo hints, *res = NULL;'],
  [/\bia\b/, 'struct in_addr ia;'],
  [/\btext\b/, 'char text[4096];'],
  [/\bev\b/, 'struct epoll_event ev;'],
  [/\bevs\b/, 'struct epoll_event evs[1024];'],
];

/** The declarations a process body needs: the scratch variables its lines mention, once each. */
export function processLocals(body: readonly string[]): string[] {
  const code = body.filter((l) => !l.startsWith('/*')).join('\n');
  return LOCALS.filter(([re]) => re.test(code)).map(([, decl]) => decl);
}
