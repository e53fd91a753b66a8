/**
 * glibc 2.36's res_send (resolv/res_send.c) over simulated sockets: __res_context_send, send_dg and send_vc, with
 * the same system calls in the same order, so a lookup is ordinary recorded traffic.
 *
 * - Servers are tried in order (RES_ROTATE starts at a rotating offset), `attempts` rounds over all of them.
 * - The wait for server `ns` is (timeout << ns) / nscount seconds for ns > 0, at least 1 (send_dg), counted on the
 *   virtual clock with poll(2).
 * - Two queries (A and AAAA) go out back to back on one connected UDP socket; replies are taken in arrival order and
 *   matched by ID and question (res_queriesmatch). After a timeout with one reply in, the process switches to
 *   single-request mode for good (RES_SNGLKUP, then RES_SNGLKUPREOP).
 * - SERVFAIL, NOTIMP, REFUSED, and an empty non-authoritative NOERROR move on to the next server; TC switches to TCP
 *   with the same server (send_vc: length-prefixed queries, blocking reads, no timeout).
 * - Sockets stay open across servers and rounds and are closed when the call ends (__res_iclose), so a late reply
 *   to an earlier round can still answer a later one, as on Linux.
 */
import { AF_INET, AF_INET6, IPPROTO_IP, IPPROTO_IPV6, IP_RECVERR, IPV6_RECVERR, MSG_NOSIGNAL, POLLERR, POLLHUP, POLLIN, POLLNVAL,
  POLLOUT, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, SOCK_STREAM } from '../constants.js';
import { Errno } from '../errno.js';
import { inet, inet6, type SockAddr } from '../sockaddr.js';
import type { Sys } from '../sys.js';
import type { PollFd } from '../poll.js';
import { parseAddress } from '../dns/address.js';
import { HFIXEDSZ, NOERROR, NOTIMP, REFUSED, SERVFAIL, queriesMatch, readHeader } from './dns-wire.js';
import type { ResState } from './res-state.js';

/** MAXPACKET: the largest reply buffer glibc reallocates to (res_send.c). */
const MAXPACKET = 65536;
const NS_PER_S = 1_000_000_000;

/**
 * What res_send returns: the replies in arrival order (the first may be empty after a SERVFAIL), or -1 and errno.
 * `lastRcode` is the RCODE of the last datagram written into the caller's first answer buffer, which res_search
 * reads after a failure (its "hp->rcode == SERVFAIL" test); null when nothing was received.
 */
export type ResSendResult = { ok: true; answers: Uint8Array[] } | { ok: false; errno: number; lastRcode: number | null };

/** The state of one __res_context_send call. */
interface Ctx {
  readonly sys: Sys;
  readonly st: ResState;
  readonly queries: readonly Uint8Array[];
  readonly servers: readonly SockAddr[];
  /** EXT(statp).nssocks: the UDP socket per server, -1 when closed. */
  readonly socks: number[];
  /** statp->_vcsock and RES_F_VC: the TCP socket and the server it is connected to. */
  vc: { fd: number; ns: number } | null;
  terrno: number;
  /** RCODE of the last datagram read into the first answer buffer. */
  buf1Rcode: number | null;
  gotSomewhere: boolean;
  vCircuit: boolean;
}

/** How one send_dg or send_vc call ended. */
type Outcome = { kind: 'fatal' } | { kind: 'next' } | { kind: 'tcp' } | { kind: 'done'; answers: Uint8Array[] };

/**
 * __res_context_send(queries): sends one query (or two, the A/AAAA pair) to the configured servers and returns the
 * replies. Errors are ECONNREFUSED (no server was reachable), ETIMEDOUT (no usable reply), or the errno of a failed
 * TCP attempt, as glibc sets them.
 */
export async function resSend(sys: Sys, st: ResState, queries: readonly Uint8Array[]): Promise<ResSendResult> {
  const servers = st.conf.nameservers.map((a) => (parseAddress(a)?.family === 6 ? inet6(a, 53) : inet(a, 53)));
  if (servers.length === 0) return { ok: false, errno: Errno.ESRCH, lastRcode: null };
  const ctx: Ctx = {
    sys, st, queries, servers, socks: servers.map(() => -1), vc: null, terrno: Errno.ETIMEDOUT, buf1Rcode: null, gotSomewhere: false,
    // A query too long for a datagram, or "options use-vc", goes over TCP from the start.
    vCircuit: st.conf.useVc === true || queries.some((q) => q.length > 512),
  };
  const offset = nameserverOffset(sys, st, servers.length);
  for (let attempt = 0; attempt < st.conf.attempts; attempt++) {
    for (let shift = 0; shift < servers.length; shift++) {
      const ns = (shift + offset) % servers.length;
      for (;;) {
        let out: Outcome;
        if (ctx.vCircuit) {
          attempt = st.conf.attempts; // "Use VC; at most one attempt per server."
          out = await sendVc(ctx, ns);
        } else {
          out = await sendDg(ctx, ns);
        }
        if (out.kind === 'fatal') return { ok: false, errno: ctx.terrno, lastRcode: ctx.buf1Rcode };
        if (out.kind === 'tcp') continue; // same_ns
        if (out.kind === 'next') break;
        // "if (n == 0 && (buf2 == NULL || *resplen2 == 0)) goto next_ns": SERVFAIL to both queries.
        if (out.answers.every((a) => a.length === 0)) break;
        await iclose(ctx);
        return { ok: true, answers: out.answers };
      }
    }
  }
  await iclose(ctx);
  const lastRcode = ctx.buf1Rcode;
  if (!ctx.vCircuit) return { ok: false, errno: ctx.gotSomewhere ? Errno.ETIMEDOUT : Errno.ECONNREFUSED, lastRcode };
  return { ok: false, errno: ctx.terrno, lastRcode };
}

/** nameserver_offset: 0 without RES_ROTATE, else a per-process counter started at a random value. */
function nameserverOffset(sys: Sys, st: ResState, nscount: number): number {
  if (nscount <= 1 || st.conf.rotate !== true) return 0;
  if (st.rotateOffset === null) {
    const stream = sys.host.sim.random.stream(`host:${sys.host.name}:res-rotate`);
    st.rotateOffset = stream.int(0, 0x7fffffff);
    sys.host.sim.decide(stream.name, 'res-rotate-offset', st.rotateOffset);
  }
  return st.rotateOffset++ % nscount;
}

/** __res_iclose: closes every server socket and the TCP socket. */
async function iclose(ctx: Ctx): Promise<void> {
  for (let i = 0; i < ctx.socks.length; i++) {
    if (ctx.socks[i]! >= 0) await ctx.sys.close(ctx.socks[i]!);
    ctx.socks[i] = -1;
  }
  if (ctx.vc !== null) await ctx.sys.close(ctx.vc.fd);
  ctx.vc = null;
}

/** close_and_return_error. */
async function closeAndNext(ctx: Ctx): Promise<Outcome> {
  await iclose(ctx);
  return { kind: 'next' };
}

/**
 * reopen: the server's UDP socket, made non-blocking and connected so ICMP errors reach it. 1 when ready, 0 to try
 * the next server (connect failed), -1 to give up (the socket could not be made).
 */
async function reopen(ctx: Ctx, ns: number): Promise<-1 | 0 | 1> {
  if (ctx.socks[ns]! >= 0) return 1;
  const { sys } = ctx;
  const server = ctx.servers[ns]!;
  let fd = -1;
  if (server.family === AF_INET6 && !ctx.st.ipv6Unavail) {
    fd = await sys.socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) ctx.st.ipv6Unavail = sys.errno === Errno.EAFNOSUPPORT;
  } else if (server.family === AF_INET) {
    fd = await sys.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  if (fd < 0) {
    ctx.terrno = sys.errno;
    return -1;
  }
  ctx.socks[ns] = fd;
  // __res_enable_icmp: IP_RECVERR / IPV6_RECVERR, so ICMP errors — soft ones like a host unreachable after ARP
  // fails included — end a try early through POLLERR. Any failure ends the call as in glibc (ENOPROTOOPT is kept
  // as a tolerated answer for hosts built with a profile that refuses the option).
  const v6 = server.family === AF_INET6;
  if ((await sys.setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVERR : IP_RECVERR, 1)) < 0 && sys.errno !== Errno.ENOPROTOOPT) {
    ctx.terrno = sys.errno;
    await iclose(ctx);
    return -1;
  }
  if ((await sys.connect(fd, server)) < 0) {
    await iclose(ctx);
    return 0;
  }
  return 1;
}

/** send_dg for server `ns` (see the file comment). */
async function sendDg(ctx: Ctx, ns: number): Promise<Outcome> {
  const { sys, st, queries } = ctx;
  const conf = st.conf;
  let seconds = conf.timeout << ns;
  if (ns > 0) seconds = Math.trunc(seconds / ctx.servers.length);
  if (seconds <= 0) seconds = 1;
  let singleRequestReopen = conf.singleRequestReopen === true || st.singleRequestReopen;
  let singleRequest = conf.singleRequest === true || st.singleRequest || singleRequestReopen;
  const saveGotSomewhere = ctx.gotSomewhere;
  const two = queries.length === 2;

  let reopenFirst = true;
  for (;;) {
    // retry_reopen / retry
    if (reopenFirst) {
      const r = await reopen(ctx, ns);
      if (r < 0) return { kind: 'fatal' };
      if (r === 0) return { kind: 'next' };
    }
    reopenFirst = false;
    let fd = ctx.socks[ns]!;
    const finish = sys.now + seconds * NS_PER_S;
    let timeoutNs = seconds * NS_PER_S;
    let needRecompute = false;
    let nwritten = 0;
    let recv1 = false;
    let recv2 = !two;
    let events = POLLOUT;
    let resplen = 0;
    const answers: Uint8Array[] = [];
    let restart: 'retry' | 'reopen' | null = null;

    while (restart === null) {
      if (needRecompute) {
        if (finish - sys.now <= 0) return closeAndNext(ctx);
        timeoutNs = finish - sys.now;
        needRecompute = false;
      }
      const pfd: PollFd[] = [{ fd, events, revents: 0 }];
      let n = 0;
      if (nwritten === 0) n = await sys.poll(pfd, 1, 0);
      if (n === 0) {
        n = await sys.poll(pfd, 1, Math.floor(timeoutNs / 1_000_000));
        needRecompute = true;
      }
      if (n === 0) {
        if (resplen > 1 && (recv1 || (two && recv2))) {
          // "There are quite a few broken name servers out there which don't handle two outstanding requests":
          // switch to sending the second query only after the first reply, for the rest of the process's life.
          if (!singleRequest) {
            st.singleRequest = singleRequest = true;
            ctx.gotSomewhere = saveGotSomewhere;
            restart = 'retry';
            continue;
          }
          if (!singleRequestReopen) {
            st.singleRequestReopen = singleRequestReopen = true;
            ctx.gotSomewhere = saveGotSomewhere;
            await iclose(ctx);
            restart = 'reopen';
            continue;
          }
          return { kind: 'done', answers: answers.slice(0, 1) };
        }
        ctx.gotSomewhere = true;
        return { kind: 'next' };
      }
      if (n < 0) return closeAndNext(ctx);
      const revents = pfd[0]!.revents;
      if (revents & POLLOUT) {
        if (nwritten === 0 && two && !singleRequest) {
          // sendmmsg of both queries; socksim has no sendmmsg, so two sends carry them.
          for (const q of queries) {
            if ((await sys.send(fd, q, MSG_NOSIGNAL)) !== q.length) {
              if (sys.errno === Errno.EINTR || sys.errno === Errno.EAGAIN) break;
              return closeAndNext(ctx);
            }
            nwritten++;
          }
          if (nwritten < 2) {
            // Only the first went ("just_one"): wait for a reply or room to send the second.
            if (nwritten === 1) events = POLLIN | POLLOUT;
            needRecompute = true;
            continue;
          }
          events = POLLIN;
        } else {
          const q = queries[nwritten !== 0 ? 1 : 0]!;
          if ((await sys.send(fd, q, MSG_NOSIGNAL)) !== q.length) {
            if (sys.errno === Errno.EINTR || sys.errno === Errno.EAGAIN) {
              needRecompute = true;
              continue;
            }
            return closeAndNext(ctx);
          }
          events = nwritten !== 0 || !two || singleRequest ? POLLIN : POLLIN | POLLOUT;
          nwritten++;
        }
        continue;
      }
      if (revents & POLLIN) {
        const buf = new Uint8Array(MAXPACKET);
        const got = await sys.recvfrom(fd, buf, 0, null);
        if (got <= 0) {
          if (got < 0 && (sys.errno === Errno.EINTR || sys.errno === Errno.EAGAIN)) {
            needRecompute = true;
            continue;
          }
          return closeAndNext(ctx);
        }
        ctx.gotSomewhere = true;
        const reply = buf.slice(0, got);
        // The first reply in goes to the first buffer, whichever query it answers.
        const first = (!recv1 && !recv2) || !two;
        if (first) {
          resplen = got;
          if (got >= HFIXEDSZ) ctx.buf1Rcode = readHeader(reply).rcode;
        }
        if (got < HFIXEDSZ) {
          ctx.terrno = Errno.EMSGSIZE;
          return closeAndNext(ctx);
        }
        const h = readHeader(reply);
        let matching = 0;
        if (!recv1 && h.id === readHeader(queries[0]!).id && queriesMatch(queries[0]!, reply) !== 0) matching = 1;
        if (two && !recv2 && h.id === readHeader(queries[1]!).id && queriesMatch(queries[1]!, reply) !== 0) matching = 2;
        if (matching === 0) {
          needRecompute = true; // a spurious datagram: drop it and keep waiting
          continue;
        }
        const empty = h.rcode === NOERROR && h.ancount === 0 && !h.aa && !h.ra && h.arcount === 0;
        if (h.rcode === SERVFAIL || h.rcode === NOTIMP || h.rcode === REFUSED || empty) {
          // next_ns
          if (recv1 || (two && recv2)) return { kind: 'done', answers: answers.slice(0, 1) };
          if (two) {
            resplen = 0;
            answers.push(new Uint8Array(0));
            if (matching === 1) recv1 = true;
            else recv2 = true;
            needRecompute = true;
            continue;
          }
          return closeAndNext(ctx);
        }
        if (h.tc) {
          // "To get the rest of answer, use TCP with same server."
          ctx.vCircuit = true;
          await iclose(ctx);
          return { kind: 'tcp' };
        }
        answers.push(reply);
        if (matching === 1) recv1 = true;
        else recv2 = true;
        if (!(recv1 && recv2)) {
          if (singleRequest) {
            events = POLLOUT;
            if (singleRequestReopen) {
              await iclose(ctx);
              const r = await reopen(ctx, ns);
              if (r < 0) return { kind: 'fatal' };
              if (r === 0) return { kind: 'next' };
              fd = ctx.socks[ns]!;
            }
          }
          needRecompute = true;
          continue;
        }
        return { kind: 'done', answers };
      }
      if (revents & (POLLERR | POLLHUP | POLLNVAL)) return closeAndNext(ctx);
      throw new Error('send_dg: poll returned without a requested event');
    }
    if (restart === 'reopen') reopenFirst = true;
  }
}

/** Reads exactly `n` bytes from a stream socket (send_vc's read loops); short on EOF or error. */
async function readFull(sys: Sys, fd: number, n: number): Promise<Uint8Array | number> {
  const out = new Uint8Array(n);
  let have = 0;
  while (have < n) {
    const chunk = new Uint8Array(n - have);
    const r = await sys.read(fd, chunk);
    if (r <= 0) return r;
    out.set(chunk.subarray(0, r), have);
    have += r;
  }
  return out;
}

/** send_vc for server `ns`: the queries over one TCP connection, replies taken in any order. */
async function sendVc(ctx: Ctx, ns: number): Promise<Outcome> {
  const { sys, queries } = ctx;
  let connreset = false;
  for (;;) {
    // same_ns
    if (ctx.vc !== null && ctx.vc.ns !== ns) await iclose(ctx);
    if (ctx.vc === null) {
      const server = ctx.servers[ns]!;
      const fd = await sys.socket(server.family === AF_INET6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        ctx.terrno = sys.errno;
        return { kind: 'fatal' };
      }
      ctx.vc = { fd, ns };
      if ((await sys.connect(fd, server)) < 0) {
        ctx.terrno = sys.errno;
        return closeAndNext(ctx);
      }
    }
    const fd = ctx.vc.fd;
    const iov: Uint8Array[] = [];
    for (const q of queries) iov.push(Uint8Array.of(q.length >> 8, q.length & 0xff), q);
    const explen = iov.reduce((s, b) => s + b.length, 0);
    if ((await sys.writev(fd, iov)) !== explen) {
      ctx.terrno = sys.errno;
      return closeAndNext(ctx);
    }
    let recv1 = false;
    let recv2 = queries.length === 1;
    const answers: Uint8Array[] = [];
    for (;;) {
      // read_len
      const lenBytes = await readFull(sys, fd, 2);
      if (typeof lenBytes === 'number') {
        ctx.terrno = sys.errno;
        // "A long running process might get its TCP connection reset if the remote server was restarted."
        if (lenBytes < 0 && sys.errno === Errno.ECONNRESET && !connreset) {
          await iclose(ctx);
          connreset = true;
          break;
        }
        return closeAndNext(ctx);
      }
      const rlen = (lenBytes[0]! << 8) | lenBytes[1]!;
      if (rlen < HFIXEDSZ) {
        ctx.terrno = Errno.EMSGSIZE;
        return closeAndNext(ctx);
      }
      const reply = await readFull(sys, fd, rlen);
      if (typeof reply === 'number') {
        ctx.terrno = sys.errno;
        return closeAndNext(ctx);
      }
      const id = readHeader(reply).id;
      const id1 = readHeader(queries[0]!).id;
      const id2 = queries.length === 2 ? readHeader(queries[1]!).id : -1;
      // A reply to a query of an earlier, abandoned call: drop it and wait for the right one.
      if ((recv1 || id !== id1) && (recv2 || id !== id2)) continue;
      if (!recv1 && id === id1) recv1 = true;
      else recv2 = true;
      answers.push(reply);
      if (recv1 && recv2) return { kind: 'done', answers };
    }
  }
}
