/** The terminal summary of `socksim inspect`: what the recording holds, in lines of at most 80 columns. */
import { formatTime } from '../../sim/time.js';
import type { Analysis, TcpConnection, TcpEndpoint, TcpStateChange } from './model.js';

/** Widest line the summary prints. */
export const SUMMARY_WIDTH = 80;

/** Seconds with microsecond precision: "0.010250s". */
export function shortTime(ns: number): string {
  return `${(ns / 1e9).toFixed(6)}s`;
}

/** Cuts a line to the summary width, marking the cut. */
function fit(s: string): string {
  return s.length <= SUMMARY_WIDTH ? s : `${s.slice(0, SUMMARY_WIDTH - 1)}…`;
}

/**
 * Joins `items` with `sep` into lines of at most the summary width: the first starts with `indent`, the others with
 * `cont` (spaces as wide as `indent` unless given).
 */
export function wrap(items: readonly string[], indent: string, sep = ', ', cont = ' '.repeat(indent.length)): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const item of items) {
    const next = cur === '' ? indent + item : cur + sep + item;
    if (cur !== '' && next.length > SUMMARY_WIDTH) {
      lines.push(cur + sep.trimEnd());
      cur = cont + item;
    } else {
      cur = next;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines.map(fit);
}

function states(label: string, list: readonly TcpStateChange[]): string[] {
  if (list.length === 0) return [fit(`     ${label}: (no state change seen)`)];
  return wrap(list.map((s) => `${s.state} ${shortTime(s.t)}`), `     ${label}: `, ' → ', '        ');
}

function options(ep: TcpEndpoint): string {
  if (!ep.synSeen) return 'no SYN seen';
  const o: string[] = [];
  if (ep.mss !== null) o.push(`mss ${ep.mss}`);
  if (ep.wscale !== null) o.push(`wscale ${ep.wscale}`);
  if (ep.sackOk) o.push('sackOK');
  if (ep.timestamps) o.push('TS');
  return o.join(' ') || 'no options';
}

function direction(label: string, ep: TcpEndpoint): string[] {
  const parts = [`${ep.segments} segments`, `${ep.dataSegments} with data (${ep.payloadBytes} bytes)`];
  if (ep.retransmissions > 0) parts.push(`${ep.retransmissions} retransmitted (${ep.retransmittedBytes} bytes)`);
  if (ep.dropped > 0) parts.push(`${ep.dropped} dropped`);
  if (ep.dupAcks > 0) parts.push(`${ep.dupAcks} dup ACKs`);
  if (ep.sackSegments > 0) parts.push(`${ep.sackSegments} with SACK`);
  if (ep.resets > 0) parts.push(`${ep.resets} RST`);
  return wrap(parts, `     ${label}: `, ', ', '        ');
}

function connection(c: TcpConnection): string[] {
  const who = (ep: TcpEndpoint): string => (ep.host ? ` (${ep.host})` : '');
  const out = [
    fit(`  #${c.id} ${c.a.addr}${who(c.a)} > ${c.b.addr}${who(c.b)}`),
    ...wrap([`${shortTime(c.firstNs)} – ${shortTime(c.lastNs)}`, `${c.segments.length} segments`, ...c.outcome.split('; ')], '     ', '; '),
    ...direction('a→b', c.a),
    ...direction('b→a', c.b),
    fit(`     options: a ${options(c.a)}; b ${options(c.b)}`),
    ...states('a', c.a.states),
    ...states('b', c.b.states),
  ];
  for (const r of c.recordedStates) {
    out.push(...wrap(r.states.map((s) => `${s.to} ${shortTime(s.t)}`), `     recorded ${r.connId}: `, ' → '));
    if (r.retransmits > 0) out.push(fit(`     recorded retransmissions: ${r.retransmits}`));
  }
  return out;
}

/** The summary as lines. */
export function summaryLines(a: Analysis): string[] {
  const h = a.header;
  const out: string[] = [];
  out.push(fit(`recording of ${h.scenario}, seed ${String(h.seed)}, socksim ${h.socksimVersion} (format ${h.format})`));
  out.push(fit(`  params: ${JSON.stringify(h.params)}`));
  if (a.end) {
    out.push(...wrap([`run: ${a.end.status}${a.end.message ? ` — ${a.end.message}` : ''}`, `at ${formatTime(a.end.timeNs)} virtual`, `${a.end.events} events`], '', '; ', '     '));
  } else if (a.truncated) {
    out.push(fit(`run: CUT SHORT at byte offset ${a.truncated.offset} of ${a.truncated.fileSize}; ${a.events} events read, last at ${formatTime(a.lastNs)}`));
  } else {
    out.push(fit(`run: no end frame (the writer stopped); ${a.events} events, last at ${formatTime(a.lastNs)}`));
  }
  const kinds = Object.entries(a.eventsByKind).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`);
  out.push(...wrap(kinds, 'events: '));

  out.push('', `hosts and processes (${a.hosts.length} hosts, ${a.processes.length} processes)`);
  for (const host of a.hosts) {
    const ifs = host.ifaces.length ? ` ifaces ${host.ifaces.join(',')}` : '';
    out.push(fit(`  ${host.name}${ifs}${host.addrs.length ? ` addrs ${host.addrs.join(',')}` : ''}`));
    for (const e of host.events) out.push(fit(`    ${e.what} at ${shortTime(e.t)}`));
    for (const pid of host.pids) {
      const p = a.processes.find((q) => q.pid === pid)!;
      const end = p.exitNs === null ? 'still running' : p.code === null ? `killed at ${shortTime(p.exitNs)}: ${p.error ?? ''}`
        : `exit ${p.code} at ${shortTime(p.exitNs)}${p.error ? `: ${p.error}` : ''}`;
      out.push(fit(`    pid ${p.pid} ${p.name}: ${end}; ${p.syscalls} syscalls, ${p.failedSyscalls} failed`));
    }
  }

  out.push('', `links (${a.links.length})`);
  if (a.links.length > 0) out.push('  frames delivered dropped      bytes  name');
  for (const l of a.links) {
    out.push(fit(`  ${String(l.frames).padStart(6)} ${String(l.delivered).padStart(9)} ${String(l.dropped).padStart(7)} ${String(l.bytes).padStart(10)}  ${l.name}`));
    for (const c of l.control) out.push(fit(`    ${c.what}${c.detail ? ` ${c.detail}` : ''} at ${shortTime(c.t)}`));
  }
  const protos = Object.entries(a.frames.byProtocol).sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`);
  out.push(...wrap(protos, `  frames ${a.frames.total}: `));
  out.push(`  forwarded copies ${a.frames.forwardedCopies}, undecodable ${a.frames.undecodable}`);

  out.push('', `drops: ${a.drops.total}`);
  if (a.drops.total > 0) {
    out.push(...wrap(a.drops.byReason.map((d) => `${d.key} ${d.count}`), '  by reason: '));
    out.push(...wrap(a.drops.byWhere.map((d) => `${d.key} ${d.count}`), '  by place:  '));
  }

  const failedTotal = a.failedSyscalls.reduce((n, f) => n + f.count, 0);
  out.push('', `failed syscalls (-1 with errno): ${failedTotal}`);
  if (a.failedSyscalls.length > 0) out.push('   count  call           errno            first at      pid');
  for (const f of a.failedSyscalls) {
    out.push(fit(`  ${String(f.count).padStart(6)}  ${f.call.padEnd(13)}  ${f.errnoName.padEnd(15)}  ${shortTime(f.firstNs).padStart(12)}  ${f.firstPid}`));
  }

  const retrans = a.tcp.reduce((n, c) => n + c.a.retransmissions + c.b.retransmissions, 0);
  out.push('', `TCP connections: ${a.tcp.length}${a.tcp.length ? `, ${retrans} retransmissions` : ''}`);
  for (const c of a.tcp) out.push(...connection(c));
  for (const r of a.tcpUnmatched) {
    out.push(...wrap(r.states.map((s) => `${s.to} ${shortTime(s.t)}`), `  recorded socket ${r.connId} (no frames matched): `, ' → '));
  }

  out.push('', `UDP flows: ${a.udp.length}`);
  for (const f of a.udp) {
    const d = (i: 0 | 1): string => `${f.datagrams[i]}${f.dropped[i] ? ` (${f.dropped[i]} dropped)` : ''}`;
    out.push(fit(`  ${f.a} <> ${f.b}`));
    out.push(...wrap([`a→b ${d(0)}, b→a ${d(1)} datagrams`, `${f.bytes[0] + f.bytes[1]} bytes`, `${shortTime(f.firstNs)} – ${shortTime(f.lastNs)}`], '     ', '; '));
  }

  out.push('', `ICMP messages: ${a.icmp.total}`);
  for (const m of a.icmp.messages.slice(0, 20)) out.push(...wrap([`${shortTime(m.t)} ${m.src} > ${m.dst}`, ...m.text.split(/ (?=\()/)], '  ', ' ', '     '));
  if (a.icmp.total > 20) out.push(`  … ${a.icmp.total - 20} more (see --json or --html)`);

  if (a.notes.length > 0) {
    out.push('', 'notes:');
    for (const n of a.notes) out.push(...wrap(n.split(' '), '  ', ' '));
  }
  return out;
}

/** The summary as one string. */
export function formatSummary(a: Analysis): string {
  return summaryLines(a).join('\n');
}
