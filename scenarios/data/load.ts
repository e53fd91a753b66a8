/**
 * Loading scenario data: checks every field and reports the first bad one by its path
 * ("processes[0].ops[3].fd: expected a non-negative integer"), so a hand-written or edited file fails clearly.
 */
import { readFileSync } from 'node:fs';
import { constantValue } from './constants.js';
import { findProfile, PROFILES } from '../../stack/profiles.js';
import { buildZone, ZoneDataError, type ZoneData } from '../../stack/dns/zone.js';
import type { AddrSpec, DataSpec, DnsClientSpec, DnsSpec, Fault, LinkSpec, Op, ProcessSpec, ScenarioData } from './schema.js';

/** A scenario file that does not fit the schema; `path` names the bad field. */
export class ScenarioDataError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${path || '(top)'}: ${reason}`);
  }
}

type Obj = Record<string, unknown>;

function fail(path: string, reason: string): never {
  throw new ScenarioDataError(path, reason);
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
  return v as Obj;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'expected a list');
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'expected a string');
  return v;
}

function int(v: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(path, `expected an integer in [${min}, ${max}]`);
  return v;
}

function real(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(path, `expected a number in [${min}, ${max}]`);
  return v;
}

function onlyKeys(o: Obj, path: string, allowed: readonly string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${path}.${k}`, `unknown field (allowed: ${allowed.join(', ')})`);
}

function sym(v: unknown, path: string): string | number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    if (constantValue(v) === undefined) fail(path, `unknown constant "${v}"`);
    return v;
  }
  fail(path, 'expected a constant name or an integer');
}

function flags(v: unknown, path: string): string | number | (string | number)[] {
  if (Array.isArray(v)) return v.map((x, i) => sym(x, `${path}[${i}]`));
  return sym(v, path);
}

function addr(v: unknown, path: string, hosts: Set<string>): AddrSpec {
  const o = obj(v, path);
  if ('host' in o) {
    onlyKeys(o, path, ['host', 'port', 'v6']);
    const h = str(o.host, `${path}.host`);
    if (h !== '*' && !hosts.has(h)) fail(`${path}.host`, `no host named "${h}"`);
    return { host: h, port: int(o.port, `${path}.port`, 0, 65535), ...(o.v6 !== undefined ? { v6: o.v6 === true } : {}) };
  }
  if ('ip' in o) {
    onlyKeys(o, path, ['ip', 'port']);
    return { ip: str(o.ip, `${path}.ip`), port: int(o.port, `${path}.port`, 0, 65535) };
  }
  if ('path' in o) {
    onlyKeys(o, path, ['path']);
    return { path: str(o.path, `${path}.path`) };
  }
  if ('raw' in o) {
    onlyKeys(o, path, ['raw']);
    const r = str(o.raw, `${path}.raw`);
    if (!/^([0-9a-fA-F]{2})*$/.test(r)) fail(`${path}.raw`, 'expected hex bytes');
    return { raw: r };
  }
  fail(path, 'expected one of {host, port}, {ip, port}, {path}, {raw}');
}

function data(v: unknown, path: string): DataSpec {
  const o = obj(v, path);
  if ('len' in o) {
    onlyKeys(o, path, ['len']);
    return { len: int(o.len, `${path}.len`, 0, 64 << 20) };
  }
  if ('text' in o) {
    onlyKeys(o, path, ['text']);
    return { text: str(o.text, `${path}.text`) };
  }
  fail(path, 'expected {len} or {text}');
}

/** For each op: its required and optional fields and how to check them. */
type FieldCheck = (v: unknown, path: string) => unknown;
const fd = (v: unknown, p: string) => int(v, p, 0, 1 << 20);

function opFields(hosts: Set<string>): Record<string, { req: Record<string, FieldCheck>; opt?: Record<string, FieldCheck> }> {
  const a = (v: unknown, p: string) => addr(v, p, hosts);
  const value = (v: unknown, p: string) => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    const o = obj(v, p);
    if ('onoff' in o) {
      onlyKeys(o, p, ['onoff', 'linger']);
      return { onoff: int(o.onoff, `${p}.onoff`, -(2 ** 31), 2 ** 31 - 1), linger: int(o.linger, `${p}.linger`, -(2 ** 31), 2 ** 31 - 1) };
    }
    onlyKeys(o, p, ['sec', 'usec']);
    return { sec: int(o.sec, `${p}.sec`, -(2 ** 31), 2 ** 31), usec: int(o.usec, `${p}.usec`, -(2 ** 31), 2 ** 31) };
  };
  return {
    socket: { req: { domain: sym, type: flags }, opt: { protocol: sym } },
    socketpair: { req: { domain: sym, type: flags }, opt: { protocol: sym } },
    bind: { req: { fd, addr: a } },
    listen: { req: { fd, backlog: (v, p) => int(v, p, -(2 ** 31), 2 ** 31 - 1) } },
    accept: { req: { fd }, opt: { flags } },
    connect: { req: { fd, addr: a } },
    send: { req: { fd, data }, opt: { flags } },
    sendto: { req: { fd, data }, opt: { flags, addr: a } },
    recv: { req: { fd, len: (v, p) => int(v, p, 0, 64 << 20) }, opt: { flags } },
    recvfrom: { req: { fd, len: (v, p) => int(v, p, 0, 64 << 20) }, opt: { flags } },
    shutdown: { req: { fd, how: sym } },
    close: { req: { fd } },
    setsockopt: { req: { fd, level: sym, name: sym, value } },
    getsockopt: { req: { fd, level: sym, name: sym }, opt: { optlen: (v, p) => int(v, p, -(2 ** 31), 2 ** 31 - 1) } },
    getsockname: { req: { fd } },
    getpeername: { req: { fd } },
    sleep: { req: { ms: (v, p) => real(v, p, 0, 86_400_000) } },
    ...moreOpFields(a),
  };
}

const len = (v: unknown, p: string) => int(v, p, 0, 64 << 20);
const ms = (v: unknown, p: string) => int(v, p, -1, 86_400_000);
const fdList = (v: unknown, p: string) => arr(v, p).map((x, i) => fd(x, `${p}[${i}]`));
const text = (v: unknown, p: string) => str(v, p);
const nullableText = (v: unknown, p: string) => (v === null ? null : str(v, p));

/** Fields of the operations added for the conformance suite (schema.ts lists them). */
function moreOpFields(a: FieldCheck): Record<string, { req: Record<string, FieldCheck>; opt?: Record<string, FieldCheck> }> {
  const pollFds = (v: unknown, p: string) => arr(v, p).map((x, i) => {
    const o = obj(x, `${p}[${i}]`);
    onlyKeys(o, `${p}[${i}]`, ['fd', 'events']);
    return { fd: fd(o.fd, `${p}[${i}].fd`), events: flags(o.events, `${p}[${i}].events`) };
  });
  const bool = (v: unknown, p: string) => {
    if (typeof v !== 'boolean') fail(p, 'expected true or false');
    return v;
  };
  const action = (v: unknown, p: string) => {
    if (v !== 'ignore' && v !== 'default') fail(p, 'expected "ignore" or "default"');
    return v;
  };
  const hex = (v: unknown, p: string) => {
    const h = str(v, p);
    if (!/^([0-9a-fA-F]{2})*$/.test(h)) fail(p, 'expected hex bytes');
    return h;
  };
  return {
    sendmsg: { req: { fd, data }, opt: { flags, addr: a, rights: fdList, creds: bool } },
    recvmsg: { req: { fd, len }, opt: { flags, controlLen: len } },
    read: { req: { fd, len } },
    write: { req: { fd, data } },
    dup: { req: { fd } },
    fcntl: { req: { fd, cmd: sym }, opt: { arg: flags } },
    poll: { req: { fds: pollFds, timeoutMs: ms } },
    select: { req: { timeoutMs: (v, p) => (v === null ? null : ms(v, p)) }, opt: { read: fdList, write: fdList, except: fdList } },
    epoll_create: { req: {}, opt: { flags } },
    epoll_ctl: { req: { epfd: fd, ctl: sym, fd }, opt: { events: flags } },
    epoll_wait: { req: { epfd: fd, maxevents: (v, p) => int(v, p, -(2 ** 31), 2 ** 31 - 1), timeoutMs: ms } },
    signal: { req: { signo: sym, action } },
    unlink: { req: { path: text } },
    getaddrinfo: { req: { node: nullableText, service: nullableText }, opt: { family: sym, socktype: sym, protocol: sym, flags } },
    inet_pton: { req: { af: sym, src: text } },
    inet_ntop: { req: { af: sym, hex }, opt: { size: (v, p) => int(v, p, 0, 4096) } },
    inet_aton: { req: { src: text } },
    inet_addr: { req: { src: text } },
  };
}

function expectSpec(v: unknown, path: string): Op['expect'] {
  const o = obj(v, path);
  onlyKeys(o, path, ['ret', 'errno']);
  const out: NonNullable<Op['expect']> = {};
  // Below -1 only for calls with their own error codes (getaddrinfo's EAI_* values are negative).
  if (o.ret !== undefined) out.ret = o.ret === '>=0' ? '>=0' : int(o.ret, `${path}.ret`, -(2 ** 31));
  if (o.errno !== undefined) {
    const e = str(o.errno, `${path}.errno`);
    if (constantValue(e) === undefined) fail(`${path}.errno`, `unknown errno "${e}"`);
    out.errno = e;
  }
  return out;
}

function op(v: unknown, path: string, table: ReturnType<typeof opFields>): Op {
  const o = obj(v, path);
  const name = str(o.op, `${path}.op`);
  const spec = table[name];
  if (!spec) fail(`${path}.op`, `unknown operation "${name}" (known: ${Object.keys(table).join(', ')})`);
  onlyKeys(o, path, ['op', 'expect', ...Object.keys(spec.req), ...Object.keys(spec.opt ?? {})]);
  const out: Obj = { op: name };
  for (const [k, check] of Object.entries(spec.req)) {
    if (o[k] === undefined) fail(`${path}.${k}`, 'missing');
    out[k] = check(o[k], `${path}.${k}`);
  }
  for (const [k, check] of Object.entries(spec.opt ?? {})) if (o[k] !== undefined) out[k] = check(o[k], `${path}.${k}`);
  if (o.expect !== undefined) out.expect = expectSpec(o.expect, `${path}.expect`);
  return out as unknown as Op;
}

const LINK_NUMS: Record<string, [number, number]> = {
  latencyMs: [0, 60_000], jitterMs: [0, 60_000], loss: [0, 1], duplicate: [0, 1], reorder: [0, 1],
  reorderDelayMs: [0, 60_000], corrupt: [0, 1], rateMbps: [0, 1e6], queueLimit: [1, 1e6], mtu: [68, 65535],
};

function linkParams(o: Obj, path: string, extra: string[]): Record<string, number> {
  onlyKeys(o, path, [...extra, ...Object.keys(LINK_NUMS)]);
  const out: Record<string, number> = {};
  for (const [k, [lo, hi]] of Object.entries(LINK_NUMS)) if (o[k] !== undefined) out[k] = real(o[k], `${path}.${k}`, lo, hi);
  return out;
}

function link(v: unknown, path: string, hosts: Set<string>): LinkSpec {
  const o = obj(v, path);
  const a = str(o.a, `${path}.a`), b = str(o.b, `${path}.b`);
  if (!hosts.has(a)) fail(`${path}.a`, `no host named "${a}"`);
  if (!hosts.has(b)) fail(`${path}.b`, `no host named "${b}"`);
  if (a === b) fail(`${path}.b`, 'a link joins two different hosts');
  const out: LinkSpec = { a, b, ...linkParams(o, path, ['a', 'b', 'aAddr', 'bAddr']) };
  if (o.aAddr !== undefined) out.aAddr = str(o.aAddr, `${path}.aAddr`);
  if (o.bAddr !== undefined) out.bAddr = str(o.bAddr, `${path}.bAddr`);
  return out;
}

function fault(v: unknown, path: string, hosts: Set<string>, links: number): Fault {
  const o = obj(v, path);
  const at = real(o.at, `${path}.at`, 0, 86_400_000);
  const kind = str(o.kind, `${path}.kind`);
  const host = (k: string) => {
    const h = str(o[k], `${path}.${k}`);
    if (!hosts.has(h)) fail(`${path}.${k}`, `no host named "${h}"`);
    return h;
  };
  switch (kind) {
    case 'link':
      onlyKeys(o, path, ['at', 'kind', 'link', 'set']);
      return { at, kind, link: int(o.link, `${path}.link`, 0, Math.max(0, links - 1)), set: linkParams(obj(o.set, `${path}.set`), `${path}.set`, []) };
    case 'partition': {
      onlyKeys(o, path, ['at', 'kind', 'hosts']);
      const hs = arr(o.hosts, `${path}.hosts`).map((h, i) => {
        const s = str(h, `${path}.hosts[${i}]`);
        if (!hosts.has(s)) fail(`${path}.hosts[${i}]`, `no host named "${s}"`);
        return s;
      });
      return { at, kind, hosts: hs };
    }
    case 'heal':
      onlyKeys(o, path, ['at', 'kind']);
      return { at, kind };
    case 'crash':
    case 'restart':
      onlyKeys(o, path, ['at', 'kind', 'host']);
      return { at, kind, host: host('host') };
    default:
      fail(`${path}.kind`, `unknown fault kind "${kind}" (link, partition, heal, crash, restart)`);
  }
}

/** A zone of the dns block, checked by the zone builder; its errors keep their field path under `path`. */
function dnsZone(v: unknown, path: string): ZoneData {
  try {
    buildZone(v as ZoneData);
  } catch (e) {
    if (!(e instanceof ZoneDataError)) throw e;
    fail(e.path === '(zone)' ? path : `${path}.${e.path}`, e.message.slice(e.path.length + 2));
  }
  return v as ZoneData;
}

/** The options of one DNS client (resolv.conf(5) caps: timeout 30, attempts 5, ndots 15). */
function dnsClient(v: unknown, path: string): DnsClientSpec {
  const o = obj(v, path);
  onlyKeys(o, path, ['timeout', 'attempts', 'search', 'ndots']);
  const out: DnsClientSpec = {};
  if (o.timeout !== undefined) out.timeout = int(o.timeout, `${path}.timeout`, 1, 30);
  if (o.attempts !== undefined) out.attempts = int(o.attempts, `${path}.attempts`, 1, 5);
  if (o.ndots !== undefined) out.ndots = int(o.ndots, `${path}.ndots`, 0, 15);
  if (o.search !== undefined) {
    out.search = arr(o.search, `${path}.search`).map((d, i) => {
      const s = str(d, `${path}.search[${i}]`);
      if (!/^[^\s]{1,253}$/.test(s)) fail(`${path}.search[${i}]`, 'expected a domain name without blanks');
      return s;
    });
  }
  return out;
}

/** The dns block: a resolver host, its zones (distinct origins), and clients that can reach it. */
function dnsSpec(v: unknown, hosts: Set<string>, links: readonly LinkSpec[]): DnsSpec {
  const o = obj(v, 'dns');
  onlyKeys(o, 'dns', ['resolver', 'zones', 'clients']);
  const resolver = str(o.resolver, 'dns.resolver');
  if (!hosts.has(resolver)) fail('dns.resolver', `no host named "${resolver}"`);
  const origins = new Set<string>();
  const zones = arr(o.zones, 'dns.zones').map((z, i) => {
    const zone = dnsZone(z, `dns.zones[${i}]`);
    const origin = buildZone(zone).origin;
    if (origins.has(origin)) fail(`dns.zones[${i}].origin`, `zone "${origin}" is given twice`);
    origins.add(origin);
    return zone;
  });
  const out: DnsSpec = { resolver, zones };
  if (o.clients !== undefined) {
    const c = obj(o.clients, 'dns.clients');
    out.clients = {};
    for (const [name, spec] of Object.entries(c)) {
      if (!hosts.has(name)) fail(`dns.clients.${name}`, `no host named "${name}"`);
      if (name !== resolver && !links.some((l) => l.a === resolver || l.b === resolver)) {
        fail(`dns.clients.${name}`, `the resolver host "${resolver}" has no link to be reached on`);
      }
      out.clients[name] = dnsClient(spec, `dns.clients.${name}`);
    }
  }
  return out;
}

/** Validates a parsed JSON value as scenario data. */
export function validateScenario(v: unknown): ScenarioData {
  const o = obj(v, '');
  onlyKeys(o, '', ['version', 'seed', 'hosts', 'links', 'processes', 'faults', 'limits', 'profile', 'description', 'etc', 'dns']);
  if (o.version !== 1) fail('version', 'expected 1');
  if (typeof o.seed !== 'number' && typeof o.seed !== 'string') fail('seed', 'expected a number or a string');
  const hostList = arr(o.hosts, 'hosts').map((h, i) => str(h, `hosts[${i}]`));
  const hosts = new Set(hostList);
  if (hosts.size !== hostList.length) fail('hosts', 'host names must be unique');
  hostList.forEach((h, i) => {
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,30}$/.test(h)) fail(`hosts[${i}]`, 'a host name is a letter then letters, digits, _ or -');
  });
  const links = arr(o.links ?? [], 'links').map((l, i) => link(l, `links[${i}]`, hosts));
  const table = opFields(hosts);
  const processes: ProcessSpec[] = arr(o.processes ?? [], 'processes').map((pv, i) => {
    const p = obj(pv, `processes[${i}]`);
    onlyKeys(p, `processes[${i}]`, ['host', 'name', 'startMs', 'ops']);
    const host = str(p.host, `processes[${i}].host`);
    if (!hosts.has(host)) fail(`processes[${i}].host`, `no host named "${host}"`);
    const out: ProcessSpec = { host, ops: arr(p.ops, `processes[${i}].ops`).map((x, j) => op(x, `processes[${i}].ops[${j}]`, table)) };
    if (p.name !== undefined) out.name = str(p.name, `processes[${i}].name`);
    if (p.startMs !== undefined) out.startMs = real(p.startMs, `processes[${i}].startMs`, 0, 86_400_000);
    return out;
  });
  const faults = arr(o.faults ?? [], 'faults').map((f, i) => fault(f, `faults[${i}]`, hosts, links.length));
  const out: ScenarioData = { version: 1, seed: o.seed as number | string, hosts: hostList, links, processes, faults };
  if (o.limits !== undefined) {
    const l = obj(o.limits, 'limits');
    onlyKeys(l, 'limits', ['maxTimeMs', 'maxEvents']);
    out.limits = {};
    if (l.maxTimeMs !== undefined) out.limits.maxTimeMs = real(l.maxTimeMs, 'limits.maxTimeMs', 0, 86_400_000);
    if (l.maxEvents !== undefined) out.limits.maxEvents = int(l.maxEvents, 'limits.maxEvents', 1);
  }
  if (o.profile !== undefined) {
    out.profile = str(o.profile, 'profile');
    if (!findProfile(out.profile)) fail('profile', `unknown stack profile "${out.profile}" (${PROFILES.map((p) => p.name).join(', ')})`);
  }
  if (o.description !== undefined) out.description = str(o.description, 'description');
  if (o.etc !== undefined) {
    const e = obj(o.etc, 'etc');
    onlyKeys(e, 'etc', ['hosts', 'resolvConf']);
    out.etc = {};
    if (e.hosts !== undefined) out.etc.hosts = str(e.hosts, 'etc.hosts');
    if (e.resolvConf !== undefined) out.etc.resolvConf = str(e.resolvConf, 'etc.resolvConf');
  }
  if (o.dns !== undefined) out.dns = dnsSpec(o.dns, hosts, links);
  return out;
}

/** Reads and validates a scenario file; JSON syntax errors and schema errors both say where. */
export function loadScenarioFile(path: string): ScenarioData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioDataError('', `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioDataError('', `${path} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return validateScenario(json);
}
