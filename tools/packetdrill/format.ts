/**
 * Pretty printer: turns syntax-tree nodes back into packetdrill text, so a runner can
 * report "expected `> S. 0:0(0) ack 1 <mss 1460>`, got `...`". The output re-parses to
 * the same tree (locations aside); a property test checks that.
 */

import type {
  Encapsulation,
  EventTime,
  IcmpBody,
  IpInfo,
  PacketEvent,
  Script,
  ScriptEvent,
  TcpBody,
  TcpOption,
  UdpBody,
} from './ast.js';
import type { Expr } from './expr.js';
import type { PyExpr, PyStmt } from './python.js';

/** Event time prefix: `0.100`, `+.1`, `*`, `0.1~0.2`, `+0~+0.1`. */
export function formatTime(t: EventTime): string {
  switch (t.kind) {
    case 'absolute':
      return t.at.text;
    case 'relative':
      return `+${t.at.text}`;
    case 'any':
      return '*';
    case 'absoluteRange':
      return `${t.start.text}~${t.end.text}`;
    case 'relativeRange':
      return `+${t.start.text}~+${t.end.text}`;
  }
}

/** A C string literal with the escapes packetdrill's lexer reads back. */
export function formatCString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || (code >= 0x7f && code <= 0xff)) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

/** A syscall argument / result expression. */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'int':
      return e.text;
    case 'word':
      return e.name;
    case 'string':
      return formatCString(e.value) + (e.prefix ? '...' : '');
    case 'ellipsis':
      return '...';
    case 'or':
      return e.operands.map(formatExpr).join('|');
    case 'list':
      return `[${e.items.map(formatExpr).join(', ')}]`;
    case 'struct':
      return `{${e.items.map(formatExpr).join(', ')}}`;
    case 'assign':
      return `${e.name}${e.arg === undefined ? '' : `(${formatExpr(e.arg)})`}=${formatExpr(e.value)}`;
    case 'call':
      return `${e.name}(${e.args.map(formatExpr).join(', ')})`;
  }
}

/** One TCP option as written inside `<...>`. */
export function formatTcpOption(o: TcpOption): string {
  switch (o.kind) {
    case 'nop':
    case 'eol':
    case 'sackOK':
      return o.kind;
    case 'mss':
    case 'wscale':
      return `${o.kind} ${o.value}`;
    case 'sack':
      return `sack ${o.blocks.map((b) => `${b.left}:${b.right}`).join(' ')}`;
    case 'timestamp':
      return `TS val ${o.val} ecr ${o.ecr}`;
    case 'md5':
      return `md5 ${o.hex}`;
    case 'fastOpen':
    case 'fastOpenExp': {
      const name = o.kind === 'fastOpen' ? 'FO' : 'FOEXP';
      return o.cookie === '' ? name : `${name} ${o.cookie}`;
    }
    case 'accEcn':
      return ['ECN', ...o.fields.map((f) => `${f.name} ${f.value}`)].join(' ');
  }
}

/** `[ect0]`, `(tos 0x10, flowlabel 0x1)`, in ECN, TOS, flow label, TTL order. */
export function formatIpInfo(i: IpInfo): string {
  const parts: string[] = [];
  if (i.ecn !== undefined) parts.push(i.ecn);
  if (i.tos !== undefined) parts.push(`tos 0x${i.tos.toString(16)}`);
  if (i.flowLabel !== undefined) parts.push(`flowlabel 0x${i.flowLabel.toString(16)}`);
  if (i.ttl !== undefined) parts.push(`ttl ${i.ttl}`);
  return i.bracket === '[' ? `[${parts.join(', ')}]` : `(${parts.join(', ')})`;
}

function formatEncapsulation(e: Encapsulation): string {
  switch (e.kind) {
    case 'ipv4':
    case 'ipv6':
      return `${e.kind} ${e.ipInfo === undefined ? '' : formatIpInfo(e.ipInfo) + ' '}${e.src} > ${e.dst}:`;
    case 'gre': {
      const fields = e.fields.map((f) =>
        f.kind === 'flags' ? `flags [${f.names.join(', ')}]` : f.kind === 'flagsValue' ? `flags ${f.value}` : `${f.kind} ${f.value}`,
      );
      return fields.length === 0 ? 'gre:' : `gre ${fields.join(', ')}:`;
    }
    case 'mpls':
      return `mpls ${e.labels.map((l) => `(label ${l.label}, tc ${l.tc}, ${l.bottom ? '[S], ' : ''}ttl ${l.ttl})`).join(' ')}:`;
  }
}

function formatBody(b: TcpBody | UdpBody | IcmpBody): string {
  const ports = b.protocol !== 'icmp' && b.ports !== undefined ? `${b.ports.src}>${b.ports.dst} ` : '';
  if (b.protocol === 'udp') return `udp ${ports}(${b.len})`;
  if (b.protocol === 'icmp') {
    const parts = ['icmp', b.type];
    if (b.code !== undefined) parts.push(b.code);
    if (b.mtu !== undefined) parts.push(`mtu ${b.mtu}`);
    if (b.id !== undefined) parts.push(`id ${b.id}`);
    if (b.echoed !== undefined) {
      const e = b.echoed;
      parts.push(e.protocol === 'tcp' ? `[${e.seq.start}:${e.seq.end}(${e.seq.len})]` : `[${e.protocol} (${e.len})]`);
    }
    return parts.join(' ');
  }
  const parts = [`${ports}${b.flags.text}`, `${b.seq.start}:${b.seq.end}(${b.seq.len})`];
  if (b.ack !== undefined) parts.push(`ack ${b.ack}`);
  if (b.win !== undefined) parts.push(`win ${b.win}`);
  if (b.urg !== undefined) parts.push(`urg ${b.urg}`);
  if (b.options === 'any') parts.push('<...>');
  else if (b.options.length > 0) parts.push(`<${b.options.map(formatTcpOption).join(',')}>`);
  if (b.fuzz !== undefined) parts.push(`{${b.fuzz}}`);
  return parts.join(' ');
}

/** A packet line without its time: `> [ect0] S. 0:0(0) ack 1 <mss 1460,nop,wscale 8>`. */
export function formatPacket(p: Pick<PacketEvent, 'direction' | 'encapsulation' | 'ipInfo' | 'body'>): string {
  const parts = [p.direction === 'inbound' ? '<' : '>'];
  for (const e of p.encapsulation) parts.push(formatEncapsulation(e));
  if (p.ipInfo !== undefined) parts.push(formatIpInfo(p.ipInfo));
  parts.push(formatBody(p.body));
  return parts.join(' ');
}

/** A whole event line (or lines, for multi-line commands and code blocks). */
export function formatEvent(e: ScriptEvent): string {
  const time = formatTime(e.time);
  switch (e.kind) {
    case 'packet':
      return `${time} ${formatPacket(e)}`;
    case 'syscall': {
      const end = e.end === undefined ? '' : `...${e.end.text}`;
      const errno = e.errno === undefined ? '' : ` ${e.errno.name}`;
      const note = e.note === undefined ? '' : ` (${e.note})`;
      return `${time}${end} ${e.name}(${e.args.map(formatExpr).join(', ')}) = ${formatExpr(e.result)}${errno}${note}`;
    }
    case 'command':
      return `${time} \`${e.command.text}\``;
    case 'code':
      return `${time} %{ ${e.text} }%`;
  }
}

/** Any event, expression or TCP option (their `kind` values do not overlap). */
export function formatNode(node: ScriptEvent | Expr | TcpOption): string {
  switch (node.kind) {
    case 'packet':
    case 'syscall':
    case 'command':
    case 'code':
      return formatEvent(node);
    case 'int':
    case 'word':
    case 'string':
    case 'ellipsis':
    case 'or':
    case 'list':
    case 'struct':
    case 'assign':
    case 'call':
      return formatExpr(node);
    default:
      return formatTcpOption(node);
  }
}

/** A whole script: options, init command, one line per event, cleanup command. */
export function formatScript(s: Script): string {
  const lines: string[] = s.options.map((o) => (o.value === undefined ? `--${o.name}` : `--${o.name}=${o.value}`));
  if (s.initCommand !== undefined) lines.push(`\`${s.initCommand.text}\``);
  for (const e of s.events) lines.push(formatEvent(e));
  if (s.cleanupCommand !== undefined) lines.push(`\`${s.cleanupCommand.text}\``);
  return lines.join('\n') + '\n';
}

/** A Python-subset expression, parenthesising every compound operand so it re-parses identically. */
export function formatPyExpr(e: PyExpr): string {
  const sub = (x: PyExpr): string =>
    x.kind === 'binary' || x.kind === 'compare' || x.kind === 'unary' || x.kind === 'tuple' ? `(${formatPyExpr(x)})` : formatPyExpr(x);
  switch (e.kind) {
    case 'num':
      return e.text;
    case 'str':
      return JSON.stringify(e.value);
    case 'name':
      return e.name;
    case 'unary':
      return e.op === 'not' ? `not ${sub(e.operand)}` : `${e.op}${sub(e.operand)}`;
    case 'binary':
      return `${sub(e.left)} ${e.op} ${sub(e.right)}`;
    case 'compare':
      return [sub(e.first), ...e.rest.map((r) => `${r.op} ${sub(r.right)}`)].join(' ');
    case 'call':
      return `${e.callee}(${e.args.map(formatPyExpr).join(', ')})`;
    case 'tuple':
      return e.items.length === 1 ? `${formatPyExpr(e.items[0] as PyExpr)},` : e.items.map(formatPyExpr).join(', ');
  }
}

/** A Python-subset statement. */
export function formatPyStmt(s: PyStmt): string {
  switch (s.kind) {
    case 'assert':
      return `assert ${formatPyExpr(s.test)}${s.message === undefined ? '' : `, ${formatPyExpr(s.message)}`}`;
    case 'assign':
      return `${s.target} ${s.op} ${formatPyExpr(s.value)}`;
    case 'expr':
      return formatPyExpr(s.expr);
  }
}
