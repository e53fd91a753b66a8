/**
 * Runs one packetdrill script against a simulated Linux host, the script acting as the remote peer (packetdrill
 * run.c run_script): a "packetdrill" process walks the events in virtual time, injecting inbound packets at their
 * time, sniffing and checking outbound ones, running system calls (each in a helper process sharing the fd table,
 * so a call that blocks is seen blocking, as packetdrill's syscall thread is), emulating shell commands and
 * evaluating `%{ }%` blocks on TCP_INFO. The first mismatch ends the run with the line, the expected and actual
 * values and the timing; code-block assertions, which packetdrill runs after the script, are reported last.
 */
import type { Process } from '../../../sim/process.js';
import { WaitQueue } from '../../../sim/process.js';
import { SIGPIPE } from '../../../stack/constants.js';
import { FdTable } from '../../../stack/fd.js';
import { Sys } from '../../../stack/sys.js';
import type { CodeEvent, CommandEvent, PacketEvent, Script, ScriptEvent, SyscallEvent } from '../ast.js';
import type { RunConfig } from './config.js';
import { procNetTcp, tcpInfo, tcpSysctlOf, writeZeros } from './hostio.js';
import { buildInboundIcmp, buildInboundTcp, buildInboundUdp, payloadOf, type LivePacket } from './packets.js';
import { PyError, PyInterpreter } from './pyeval.js';
import { runShell, ShellError, type ShellContext } from './shell.js';
import { SocketTable, type ScriptSocket } from './sockets.js';
import { invokeSyscall, type CallResult, type SyscallEnv } from './syscalls.js';
import { SysctlTable } from './sysctl.js';
import { symbolValue } from './symbols.js';
import { buildHarness, type Harness } from './tun.js';
import { aggregate, flowLabelMismatch, formatActual, formatScriptPacket, fragmentMismatch, mapOutboundTcp, secs, verifyOutbound, verifyTime } from './verify.js';

/** Why a run failed: the script line, packetdrill's message and the packets or values involved. */
export interface Failure {
  line: number;
  message: string;
  details: string[];
}

/** The result of one run of a script in one IP mode. */
export interface RunOutcome {
  failure: Failure | null;
  /** Approximations and settings the stack did not honour, for the report. */
  notes: string[];
  /** Virtual time the script took, ns. */
  durationNs: number;
  /** Lines `print()` wrote in code blocks. */
  printed: string[];
  /** What happened, event by event (script time, line, what was injected, sniffed or returned). */
  trace: string[];
}

/** Run-wide knobs. */
export interface RunOptions {
  seed?: string | number;
  /** How long to keep sniffing after an expected packet's time before calling it missing (default 1 s). */
  graceNs?: number;
}

const SEC = 1e9;

/** An event's times after packetdrill's adjust_relative_event_times, in ns since the script started. */
interface Times {
  start: number;
  end: number;
  offset: number;
}

/** A call running in a helper process. */
interface Call {
  ev: SyscallEvent;
  times: Times;
  done: boolean;
  result: CallResult | null;
}

class Run {
  readonly sockets = new SocketTable();
  readonly fds = new FdTable();
  readonly fdMap = new Map<number, number>();
  readonly sysctl: SysctlTable;
  readonly notes: string[] = [];
  readonly failWq = new WaitQueue();
  readonly callWq = new WaitQueue();
  readonly py: PyInterpreter;
  failure: Failure | null = null;
  codeFailure: Failure | null = null;
  readonly trace: string[] = [];
  t0 = 0;
  last: { ev: ScriptEvent; start: number } | null = null;
  blocking: Call | null = null;
  proc!: Process;
  sys!: Sys;
  private readonly saved = new Map<string, string | undefined>();

  constructor(readonly script: Script, readonly cfg: RunConfig, readonly h: Harness, readonly scriptDir: string, readonly graceNs: number) {
    this.sysctl = new SysctlTable(tcpSysctlOf(h.host));
    const consts = new Map<string, number>();
    for (const n of ['TCP_CA_Open', 'TCP_CA_Disorder', 'TCP_CA_CWR', 'TCP_CA_Recovery', 'TCP_CA_Loss', 'TCPI_OPT_TIMESTAMPS',
      'TCPI_OPT_SACK', 'TCPI_OPT_WSCALE', 'TCPI_OPT_ECN', 'TCPI_OPT_ECN_SEEN', 'TCPI_OPT_SYN_DATA', 'TCPI_OPT_USEC_TS',
      'TCP_ESTABLISHED', 'TCP_SYN_SENT', 'TCP_SYN_RECV', 'TCP_FIN_WAIT1', 'TCP_FIN_WAIT2', 'TCP_TIME_WAIT', 'TCP_CLOSE',
      'TCP_CLOSE_WAIT', 'TCP_LAST_ACK', 'TCP_LISTEN', 'TCP_CLOSING']) {
      consts.set(n, symbolValue(n, cfg.defines) ?? 0);
    }
    this.py = new PyInterpreter(consts);
  }

  /** Virtual ns since the script started. */
  now(): number {
    return this.h.sim.now - this.t0;
  }

  fail(line: number, message: string, details: string[] = []): void {
    if (this.failure) return;
    this.failure = { line, message, details };
    this.failWq.wakeAll();
  }

  env(): SyscallEnv {
    return {
      cfg: this.cfg, localSock: this.h.localSock, remoteSock: this.h.remoteSock, fdMap: this.fdMap,
      sockets: this.sockets, localWire: this.h.localWire, remoteWire: this.h.remoteWire,
    };
  }

  shell(): ShellContext {
    return {
      cwd: this.scriptDir, sysctl: this.sysctl, tun: this.h.tun, notes: this.notes, saved: this.saved,
      writeZeros: (path, n) => writeZeros(this.sys, path, n),
      remove: async (path) => {
        await this.sys.unlink(path);
      },
      procNetTcp: (v6) => procNetTcp(this.sys, this.sockets.all, v6),
    };
  }

  /** Blocks the packetdrill process until abs (virtual ns) or until woken by one of queues or a failure. */
  async sleepUntil(abs: number, queues: WaitQueue[] = []): Promise<void> {
    if (this.failure) return;
    await this.proc.block([this.failWq, ...queues], Math.max(abs, this.h.sim.now), 'packetdrill');
  }

  async main(p: Process): Promise<void> {
    this.proc = p;
    this.sys = new Sys(this.h.host, p, this.fds);
    this.sys.signal(SIGPIPE, 'ignore');
    // stdin, stdout and stderr are open in a real packetdrill, so the script's first socket is fd 3.
    const fd: number[] = [];
    await this.sys.pipe(fd);
    await this.sys.pipe(fd);
    await this.sys.close(fd[1]!);
    const init = this.script.initCommand;
    if (init) await this.command(init.text, init.loc.line, true);
    this.t0 = this.h.sim.now;
    for (const ev of this.script.events) {
      if (this.failure) break;
      const t = this.adjust(ev);
      if (!t) break;
      switch (ev.kind) {
        case 'packet':
          await this.packet(ev, t);
          break;
        case 'syscall':
          await this.syscall(ev, t);
          break;
        case 'command':
          await this.waitFor(ev, t);
          if (!this.failure) await this.command(ev.command.text, ev.loc.line, false);
          break;
        case 'code':
          await this.code(ev, t);
          break;
      }
      this.last = { ev, start: t.start };
    }
    await this.finish();
  }

  /** adjust_relative_event_times plus get_next_event's checks. */
  adjust(ev: ScriptEvent): Times | null {
    const t = ev.time;
    const anchored = (e: ScriptEvent): boolean => e.kind === 'packet' && e.direction === 'inbound';
    if (!this.last && !(t.kind === 'absolute' && t.at.usecs === 0) && !(t.kind === 'relative' && t.at.usecs === 0)) {
      this.fail(ev.loc.line, 'first event should be at time 0');
      return null;
    }
    if (t.kind === 'absolute' || t.kind === 'absoluteRange') {
      const start = (t.kind === 'absolute' ? t.at.usecs : t.start.usecs) * 1000;
      const lt = this.last?.ev.time.kind;
      if (this.last && (lt === 'absolute' || lt === 'absoluteRange') && start < this.last.start) {
        this.fail(ev.loc.line, `time goes backward in script from ${this.last.start / 1000} usec to ${start / 1000} usec`);
        return null;
      }
      const end = t.kind === 'absoluteRange' ? t.end.usecs * 1000 : start;
      return { start, end: ev.kind === 'syscall' && ev.end ? ev.end.usecs * 1000 : end, offset: 0 };
    }
    const offset = this.last && anchored(this.last.ev) && anchored(ev) ? this.last.start : this.now();
    if (t.kind === 'any') return { start: offset, end: offset, offset };
    const start = (t.kind === 'relative' ? t.at.usecs : t.start.usecs) * 1000 + offset;
    if (t.kind === 'relativeRange') return { start, end: t.end.usecs * 1000 + offset, offset };
    return { start, end: ev.kind === 'syscall' && ev.end ? ev.end.usecs * 1000 + offset : start, offset };
  }

  /** wait_for_event: sleeps until the event's time, then checks it happens on time. */
  async waitFor(ev: ScriptEvent, t: Times): Promise<void> {
    if (t.start > this.now()) await this.sleepUntil(this.t0 + t.start);
    if (this.failure || !this.last) return;
    const desc = ev.kind === 'packet' ? `${ev.direction} packet` : ev.kind === 'syscall' ? 'system call start' : ev.kind === 'command' ? 'command' : 'data collection for code';
    const err = verifyTime(this.cfg, ev.time.kind, t.start, t.end, this.now(), this.last.start, desc, t.offset);
    if (err) this.fail(ev.loc.line, err);
  }

  async packet(ev: PacketEvent, t: Times): Promise<void> {
    if (ev.body.protocol === 'tcp' && ev.body.fuzz !== undefined) return this.fail(ev.loc.line, 'error handling packet: packet-mutation (fuzz) annotations are not supported');
    const sock = this.sockets.forScriptPacket(ev, this.h.remoteWire);
    if (typeof sock === 'string') return this.fail(ev.loc.line, `error handling packet: ${sock}`);
    if (ev.direction === 'inbound') return this.inbound(ev, t, sock);
    return this.outbound(ev, t, sock);
  }

  async inbound(ev: PacketEvent, t: Times, sock: ScriptSocket): Promise<void> {
    await this.waitFor(ev, t);
    if (this.failure) return;
    const b = ev.body;
    if (b.protocol === 'tcp') {
      if (sock.state === 'passive-synack-sent' && b.flags.ack) sock.state = 'passive-synack-acked';
      else if (sock.state === 'syn-sent' && b.flags.syn && b.flags.ack) {
        sock.state = 'syn-acked';
        sock.scriptRemoteIsn = b.seq.start >>> 0;
        sock.liveRemoteIsn = b.seq.start >>> 0;
      }
    }
    if (sock.remote.ip === '') sock.remote.ip = this.h.remoteWire;
    if (sock.remote.port === 0) sock.remote.port = this.cfg.connectPort;
    if (sock.local.ip === '') sock.local.ip = this.h.localWire;
    const pkt = b.protocol === 'tcp' ? buildInboundTcp(ev, b, sock, this.h.v, this.cfg.defines)
      : b.protocol === 'udp' ? buildInboundUdp(ev, b, sock, this.h.v) : buildInboundIcmp(ev, b, sock, this.h.v);
    if (typeof pkt === 'string') return this.fail(ev.loc.line, `error handling packet: ${pkt}`);
    if (ev.encapsulation.length > 0) return this.fail(ev.loc.line, 'error handling packet: encapsulated (ipv4/gre/mpls) packets are not supported');
    this.note(ev.loc.line, `inject ${formatScriptPacket(ev)}`);
    this.h.tun.inject(pkt);
  }

  /** Adds a trace line stamped with the script time. */
  note(line: number, text: string): void {
    this.trace.push(`${secs(this.now())} line ${line}: ${text}`);
  }

  /** The next packet the stack sent for sock, skipping packets of unknown flows; a string when none came. */
  async sniffOne(sock: ScriptSocket, deadline: number, icmp: boolean): Promise<LivePacket | string> {
    const q = this.h.tun.queue;
    for (;;) {
      while (q.length === 0) {
        if (this.failure) return 'stopped';
        if (this.h.sim.now >= deadline) return 'none';
        await this.sleepUntil(deadline, [this.h.tun.wq]);
      }
      const p = q.shift()!;
      // An expected ICMP message belongs to the socket under test when it goes to the peer (is_icmp_match).
      if (icmp && p.icmp && p.dst === sock.remote.ip) return p;
      const proto = p.tcp ? 'tcp' : p.udp ? 'udp' : null;
      if (!proto) continue;
      const sp = p.tcp?.srcPort ?? p.udp!.srcPort, dp = p.tcp?.dstPort ?? p.udp!.dstPort;
      const flags = p.tcp?.flags ?? 0;
      const owner = this.sockets.forLivePacket({ ip: p.src, port: sp }, { ip: p.dst, port: dp }, proto, (flags & 2) !== 0, (flags & 16) !== 0, p.tcp?.seq ?? 0);
      if (!owner) continue;
      if (owner !== sock) return `packet is not for expected socket: ${formatActual(p, null)} from port ${sp}`;
      return p;
    }
  }

  async outbound(ev: PacketEvent, t: Times, sock: ScriptSocket): Promise<void> {
    const b = ev.body;
    const expected = b.protocol === 'tcp' ? b.seq.len : b.protocol === 'udp' ? b.len : 0;
    if (sock.state === 'passive-syn-received' && b.protocol === 'tcp' && b.flags.syn) sock.scriptLocalIsn = b.seq.start >>> 0;
    const tol = Math.max(this.cfg.toleranceUsecs * 1000, (this.cfg.tolerancePercent / 100) * (t.end - (this.last?.start ?? 0)));
    const deadline = this.t0 + (ev.time.kind === 'any' ? this.now() + 120 * SEC : Math.max(t.end + tol, this.now()) + this.graceNs);
    const parts: LivePacket[] = [];
    let total = 0;
    do {
      const p = await this.sniffOne(sock, deadline, b.protocol === 'icmp');
      if (p === 'stopped') return;
      if (p === 'none' && parts.length > 0) break; // fewer bytes than expected: reported as a payload mismatch below
      if (typeof p === 'string') {
        const when = ev.time.kind === 'any' ? 'at any time' : `at ${secs(t.start)} sec`;
        const what = p === 'none' ? `expected outbound packet ${when} but none was sent by ${secs(deadline - this.t0)} sec` : p;
        return this.fail(ev.loc.line, `error handling packet: ${what}`, [`script packet: ${secs(t.start)} ${formatScriptPacket(ev)}`]);
      }
      // The server's ISN comes from the first SYN-ACK it sends (even when the script expected other flags,
      // so a mismatch still prints sequence numbers in script space).
      if (sock.state === 'passive-syn-received' && p.tcp && (p.tcp.flags & 0x12) === 0x12) {
        sock.state = 'passive-synack-sent';
        sock.liveLocalIsn = p.tcp.seq;
      }
      const prev = parts[parts.length - 1];
      if (prev) {
        const mismatch = fragmentMismatch(prev, p);
        if (mismatch) {
          const lines = [...parts, p].map((x, i) => `actual #${i}: ${secs(x.timeNs - this.t0)} ${formatActual(x, x.tcp ? mapOutboundTcp(sock, x, undefined) : null)}`);
          return this.fail(ev.loc.line, `error handling packet: ${mismatch}`, [`script packet: ${secs(t.start)} ${formatScriptPacket(ev)}`, ...lines]);
        }
      }
      parts.push(p);
      total += payloadOf(p).length;
    } while (total < expected && !this.cfg.strictSegments);
    const live = aggregate(parts);
    const actual = live.tcp ? mapOutboundTcp(sock, live, b.protocol === 'tcp' ? b : undefined) : null;
    const liveNs = live.timeNs - this.t0;
    this.note(ev.loc.line, `sniffed ${formatActual(live, actual)} (sent at ${secs(liveNs)})`);
    const details = [`script packet: ${secs(t.start)} ${formatScriptPacket(ev)}`, `actual packet: ${secs(liveNs)} ${formatActual(live, actual)}`];
    if (total !== expected && b.protocol !== 'icmp') {
      return this.fail(ev.loc.line, `error handling packet: live packet payload: expected ${expected} bytes vs actual ${total} bytes`, details);
    }
    const err = verifyOutbound(ev, live, actual, { cfg: this.cfg, eventNs: t.start, v: this.h.v }) ?? flowLabelMismatch(sock, ev, live)
      ?? verifyTime(this.cfg, ev.time.kind, t.start, t.end, liveNs, this.last?.start ?? null, 'outbound packet', t.offset);
    if (err) this.fail(ev.loc.line, `error handling packet: ${err}`, details);
  }

  /** Waits (at most 1 s, like await_idle_thread) for a blocking call in progress to finish; true when idle. */
  async awaitIdle(): Promise<boolean> {
    const until = this.h.sim.now + SEC;
    while (this.blocking && !this.failure && this.h.sim.now < until) await this.sleepUntil(until, [this.callWq]);
    return this.blocking === null;
  }

  async syscall(ev: SyscallEvent, t: Times): Promise<void> {
    await this.waitFor(ev, t);
    if (this.failure) return;
    const isBlocking = ev.end !== undefined;
    if (!(await this.awaitIdle()) && isBlocking) {
      return this.fail(ev.loc.line, `runtime error in ${ev.name} call: blocking system call while another blocking system call is already in progress`);
    }
    if (this.failure) return;
    const call: Call = { ev, times: t, done: false, result: null };
    if (isBlocking) this.blocking = call;
    const env = this.env();
    this.h.sim.spawn(`syscall:${ev.name}`, this.h.host.name, async (p) => {
      const sys = new Sys(this.h.host, p, this.fds);
      sys.signal(SIGPIPE, 'ignore');
      try {
        call.result = await invokeSyscall(ev, sys, env);
      } catch (e) {
        // A throw inside the stack is a socksim bug: report it at this line rather than as a hang.
        call.result = { ret: 0, errno: 0, failure: `internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}` };
      }
      call.done = true;
      const r = call.result;
      this.note(ev.loc.line, `${ev.name}() = ${r.ret}${r.ret < 0 ? ` (errno ${r.errno})` : ''}`);
      if (isBlocking) this.endBlocking(call);
      this.callWq.wakeAll();
    });
    // Let the call run until it returns or parks (packetdrill waits for its syscall thread to sleep or finish).
    await this.proc.block([this.callWq, this.failWq], this.h.sim.now, 'packetdrill');
    if (isBlocking || this.failure) return;
    if (!call.done) {
      return this.fail(ev.loc.line, `runtime error in ${ev.name} call: the call blocked, but the script expects it to return at once (write the time as START...END for a blocking call)`);
    }
    if (call.result?.failure) this.fail(ev.loc.line, `runtime error in ${ev.name} call: ${call.result.failure}`);
  }

  /** A blocking call returned: check its result and its end time (syscall thread's verify_time). */
  endBlocking(call: Call): void {
    this.blocking = null;
    const line = call.ev.loc.line;
    if (call.result?.failure) return this.fail(line, `runtime error in ${call.ev.name} call: ${call.result.failure}`);
    const err = verifyTime(this.cfg, 'absolute', call.times.end, 0, this.now(), call.times.start, 'system call return', call.times.offset);
    if (err) this.fail(line, err);
  }

  async command(text: string, line: number, init: boolean): Promise<void> {
    try {
      const err = await runShell(text, this.shell());
      if (err) this.fail(line, `error executing ${init ? 'init ' : ''}command: ${err}`);
    } catch (e) {
      if (!(e instanceof ShellError)) throw e;
      this.fail(line, `error executing ${init ? 'init ' : ''}command: ${e.message}`);
    }
  }

  async code(ev: CodeEvent, t: Times): Promise<void> {
    await this.waitFor(ev, t);
    if (this.failure) return;
    if (!ev.python.ok) return this.fail(ev.python.error.line, `code block outside the supported Python subset: ${ev.python.error.message}`);
    const sock = this.sockets.underTest;
    if (!sock || sock.liveFd < 0) return this.fail(ev.loc.line, 'no socket to use for code');
    const info = await tcpInfo(this.sys, sock.liveFd);
    if (!info) return this.fail(ev.loc.line, `can't find getsockopt to get TCP info (errno ${this.sys.errno})`);
    try {
      this.py.run(ev.python.statements, info);
    } catch (e) {
      if (!(e instanceof PyError)) throw e;
      // packetdrill runs code blocks after the script: report this only if nothing else fails.
      this.codeFailure ??= { line: e.line, message: `error executing code: ${e.message}`, details: [] };
    }
  }

  async finish(): Promise<void> {
    if (!this.failure && this.blocking && !(await this.awaitIdle())) {
      this.fail(this.blocking.ev.loc.line, 'runtime error: exiting while a blocking system call is in progress');
    }
    const cleanup = this.script.cleanupCommand;
    if (cleanup && !this.failure) await this.command(cleanup.text, cleanup.loc.line, false);
    if (!this.failure && this.codeFailure) this.failure = this.codeFailure;
    this.h.sim.stop('script finished');
  }
}

/** Runs a parsed script in one configuration. */
export async function runScript(script: Script, cfg: RunConfig, scriptDir: string, opts: RunOptions = {}): Promise<RunOutcome> {
  const h = buildHarness(cfg, opts.seed ?? 1, 3600 * SEC);
  const run = new Run(script, cfg, h, scriptDir, opts.graceNs ?? SEC);
  let crashed: string | null = null;
  h.sim.spawn('packetdrill', h.host.name, async (p) => {
    try {
      await run.main(p);
    } catch (e) {
      crashed = e instanceof Error ? e.stack ?? e.message : String(e);
      h.sim.stop('runner error');
    }
  });
  const res = await h.sim.run();
  if (crashed !== null && !run.failure) run.failure = { line: run.last?.ev.loc.line ?? 0, message: `internal error: ${crashed}`, details: [] };
  if (!run.failure && res.status !== 'stopped') {
    run.failure = { line: run.last?.ev.loc.line ?? 0, message: `run ended early: ${res.status} ${res.message ?? ''}`, details: [] };
  }
  const notes = [...run.notes];
  if (cfg.ignoredOptions.length > 0) notes.push(`options not interpreted: ${cfg.ignoredOptions.join(' ')}`);
  if (run.sysctl.notHonoured.size > 0) notes.push(`sysctls set but not read by socksim's TCP: ${[...run.sysctl.notHonoured].join(', ')}`);
  return { failure: run.failure, notes, durationNs: h.sim.now - run.t0, printed: run.py.output, trace: run.trace };
}
