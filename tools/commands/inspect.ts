/** `socksim inspect RECORDING`: what a recording holds, as a terminal summary, JSON, or one self-contained HTML page. */
import { readFileSync, writeFileSync } from 'node:fs';
import { RecordingError, RecordingReader } from '../../sim/recording-reader.js';
import { tcpFlagsToString } from '../../stack/wire/index.js';
import { analyzeRecording } from '../inspect/analyze.js';
import { renderHtml } from '../inspect/html.js';
import type { Analysis, TcpConnection } from '../inspect/model.js';
import { formatSummary, shortTime } from '../inspect/summary.js';
import { numberOpt, parse, UsageError } from '../args.js';

/** `socksim inspect --help`. */
export const INSPECT_HELP = `usage: socksim inspect RECORDING [--html OUT.html] [--json [--segments]] [--conn ID]

Reads a recording and reports what happened: the run's end, hosts and processes with their exit status, links and
frames, drops by reason and place, failed syscalls by errno, TCP connections (found from the frames: state history,
retransmissions, duplicate ACKs, SACK), UDP flows and ICMP messages.

options:
  --html FILE    also write one self-contained page (no network fetches): a timeline of the run and, for each TCP
                 connection, a sequence diagram and a time-sequence plot
  --json         print the analysis as JSON instead of the summary (per-segment rows left out unless --segments)
  --segments     with --json, include every TCP segment row
  --conn ID      print every segment of TCP connection ID, one line each (tcpdump style, relative numbers)
  -h, --help     this help

exit status: 0 read (a recording cut short is still read up to its last whole batch), 2 damaged, foreign or
unreadable file (the byte offset is printed).`;

/** One segment as a tcpdump-like line with relative numbers. */
function segmentLine(c: TcpConnection, i: number): string {
  const [t, arrival, dir, flags, seq, len, ack, win, retrans, dropped, sack] = c.segments[i]!;
  const [from, to] = dir === 0 ? [c.a.addr, c.b.addr] : [c.b.addr, c.a.addr];
  const parts = [`${shortTime(t)} ${from} > ${to} [${tcpFlagsToString(flags) || 'none'}]`];
  parts.push(len > 0 ? `seq ${seq}:${seq + len}` : `seq ${seq}`);
  if (ack >= 0) parts.push(`ack ${ack}`);
  parts.push(`win ${win}`);
  if (sack.length > 0) parts.push(`sack ${sack.map((v, k) => (k % 2 ? `-${v}` : ` ${v}`)).join('').trim().replace(/ /g, ',')}`);
  parts.push(`len ${len}`);
  if (retrans) parts.push('RETRANSMISSION');
  if (dropped) parts.push(`DROPPED (${dropped})`);
  else if (arrival >= 0) parts.push(`arrived ${shortTime(arrival)}`);
  return parts.join(' ');
}

/** The analysis as JSON text; segment rows are replaced by their count unless asked for. */
export function analysisJson(a: Analysis, withSegments: boolean): string {
  const tcp = withSegments ? a.tcp : a.tcp.map((c) => ({ ...c, segments: c.segments.length }));
  return JSON.stringify({ ...a, tcp }, null, 2);
}

/** Runs `socksim inspect` with argv (after the command name); returns the exit status. */
export async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    html: { type: 'string' }, json: { type: 'boolean' }, segments: { type: 'boolean' }, conn: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(INSPECT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('inspect takes exactly one recording file');
  if (values.segments && !values.json) throw new UsageError('--segments goes with --json');
  const connId = numberOpt(values.conn, 'conn', (n) => Number.isInteger(n) && n >= 1);
  const file = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  let a: Analysis;
  try {
    a = analyzeRecording(new RecordingReader(bytes));
  } catch (e) {
    if (e instanceof RecordingError) {
      console.error(`socksim inspect: ${file}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (connId !== undefined) {
    const c = a.tcp.find((x) => x.id === connId);
    if (!c) throw new UsageError(`--conn ${connId}: the recording has ${a.tcp.length} TCP connections`);
    for (let i = 0; i < c.segments.length; i++) console.log(segmentLine(c, i));
  } else if (values.json) {
    console.log(analysisJson(a, values.segments === true));
  } else {
    console.log(formatSummary(a));
  }
  if (values.html) {
    writeFileSync(values.html, renderHtml(a));
    // Keep stdout pure JSON when --json is given: the note goes to stderr.
    (values.json ? console.error : console.log)(`wrote ${values.html}`);
  }
  return 0;
}
