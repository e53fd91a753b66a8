/**
 * The "files" hosts backend over the host's /etc/hosts, as glibc 2.36 nss/nss_files/files-hosts.c reads it:
 * - each line is parsed for the family asked: for AF_INET an IPv4-mapped IPv6 address counts as its IPv4 address
 *   and ::1 as 127.0.0.1, other IPv6 lines are skipped; for AF_INET6 only IPv6 lines count; gethostbyname4_r
 *   (AF_UNSPEC) takes every line in its own family. A name matches the canonical name or an alias, ignoring case.
 * - gethostbyname3_r stops at the first match; with host.conf "multi on" it then appends the addresses and aliases
 *   of every later match (the later line's name too when it differs, by strcmp), without removing repeats.
 * - gethostbyaddr2_r takes the first line whose address (in the family asked) is the one given.
 *
 * Each answer also says how many bytes of the caller's buffer the lookup used (`need`): a 32-byte header, each
 * line read with its NUL (__libc_readline_unlocked), a parsed line's alias pointers 8-byte aligned after it with
 * room for two more (parse_list), and for "multi" the merged data placed from the first line's alias array on
 * (gethostbyname3_multi's alloc_buffer).
 */
import { AF_INET, AF_INET6, AF_UNSPEC } from '../constants.js';
import { Errno } from '../errno.js';
import { inet_pton } from './inet.js';
import { HOST_NOT_FOUND, NETDB_SUCCESS } from './res-state.js';
import type { ResolverConfig } from './resolver-config.js';
import type { AddrTuple, HostEnt, NssResult } from './nss-types.js';

/** sizeof (struct parser_data) for hosts: host_addr[16] and h_addr_ptrs[2]. */
const HEADER = 32;

const align = (n: number, a: number): number => Math.ceil(n / a) * a;
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/** One /etc/hosts line parsed for a family: the entry, or null for a comment, blank or unusable line. */
interface Line {
  /** Bytes of the caller's buffer reading (and parsing) this line takes. */
  need: number;
  /** Where the alias pointer array starts (8-byte aligned), for the "multi" merge. */
  aliasesAt: number;
  entry: { family: typeof AF_INET | typeof AF_INET6; addr: Uint8Array; name: string; aliases: string[] } | null;
}

/** internal_getent + parse_line for every line of the file, for family `af` (AF_UNSPEC: each in its own). */
function readLines(cfg: ResolverConfig, af: number): Line[] {
  const text = cfg.hostsFileText;
  const out: Line[] = [];
  for (const raw of text.split(/(?<=\n)/)) {
    if (raw === '') continue;
    const readNeed = Math.max(HEADER + 2, HEADER + raw.length + 1);
    let i = 0;
    while (i < raw.length && isSpace(raw[i]!)) i++;
    if (i >= raw.length || raw[i] === '#') {
      out.push({ need: readNeed, aliasesAt: 0, entry: null });
      continue;
    }
    const body = raw.slice(i).split('#')[0] as string;
    const fields = body.split(/[ \t\n\v\f\r]+/).filter((f) => f !== '');
    const parsed = parseAddress(fields[0] ?? '', af);
    if (parsed === null) {
      out.push({ need: readNeed, aliasesAt: 0, entry: null });
      continue;
    }
    // BUFFER_PREPARE: the pointer vector goes after the line's NUL; parse_list wants room for two more pointers.
    const aliasesAt = align(HEADER + raw.length + 1, 8);
    const aliases = fields.slice(2);
    out.push({ need: Math.max(readNeed, aliasesAt + 8 * (aliases.length + 2)), aliasesAt,
      entry: { family: parsed.family, addr: parsed.addr, name: fields[1] ?? '', aliases } });
  }
  return out;
}

/** The address of a hosts line for `af`, with files-hosts.c's conversions, or null to skip the line. */
function parseAddress(text: string, af: number): { family: typeof AF_INET | typeof AF_INET6; addr: Uint8Array } | null {
  const direct = inet_pton(af === AF_UNSPEC ? AF_INET : af, text);
  if (direct.ret === 1) return { family: af === AF_INET6 ? AF_INET6 : AF_INET, addr: direct.addr };
  const six = inet_pton(AF_INET6, text);
  if (six.ret !== 1) return null;
  if (af === AF_UNSPEC) return { family: AF_INET6, addr: six.addr };
  if (af !== AF_INET) return null;
  const a = six.addr;
  if (a.subarray(0, 10).every((b) => b === 0) && a[10] === 0xff && a[11] === 0xff) return { family: AF_INET, addr: a.slice(12) };
  if (a.subarray(0, 15).every((b) => b === 0) && a[15] === 1) return { family: AF_INET, addr: Uint8Array.of(127, 0, 0, 1) };
  return null;
}

/** LOOKUP_NAME_CASE: the canonical name or an alias equals `name`, ignoring ASCII case. */
function names(e: NonNullable<Line['entry']>, name: string): boolean {
  const lower = name.toLowerCase();
  return e.name.toLowerCase() === lower || e.aliases.some((a) => a.toLowerCase() === lower);
}

/** NOTFOUND at the end of the file: HOST_NOT_FOUND, errno unchanged. */
function notFound<T>(need: number): NssResult<T> {
  return { status: 'NOTFOUND', hErrno: HOST_NOT_FOUND, errno: 0, need };
}

/** _nss_files_gethostbyname4_r: every line naming `name`, in file order; the first tuple carries its name. */
export function filesGethostbyname4(cfg: ResolverConfig, name: string): NssResult<AddrTuple[]> {
  const tuples: AddrTuple[] = [];
  for (const { entry } of readLines(cfg, AF_UNSPEC)) {
    if (entry === null || !names(entry, name)) continue;
    tuples.push({ name: tuples.length === 0 ? entry.name : null, family: entry.family, addr: entry.addr, scopeid: 0 });
    if (!cfg.multi) break;
  }
  if (tuples.length === 0) return notFound(0);
  return { status: 'SUCCESS', hErrno: NETDB_SUCCESS, errno: 0, value: tuples };
}

/** _nss_files_gethostbyname3_r (and gethostbyname3_multi) for AF_INET or AF_INET6. */
export function filesGethostbyname3(cfg: ResolverConfig, name: string, af: number): NssResult<HostEnt> {
  const lines = readLines(cfg, af);
  let need = HEADER + 2;
  const first = lines.findIndex((l) => {
    need = Math.max(need, l.need);
    return l.entry !== null && names(l.entry, name);
  });
  if (first < 0) return notFound(need);
  const head = lines[first]!;
  const e = head.entry!;
  const ent: HostEnt = { h_name: e.name, h_aliases: [...e.aliases], h_addrtype: af === AF_INET6 ? AF_INET6 : AF_INET,
    h_length: af === AF_INET6 ? 16 : 4, h_addr_list: [e.addr] };
  if (cfg.multi) {
    // The merged data reuses the buffer from the first line's alias array on (later lines are read elsewhere).
    let at = head.aliasesAt;
    for (const l of lines.slice(first + 1)) {
      if (l.entry === null || !names(l.entry, name)) continue;
      at = align(at, 4) + ent.h_length;
      ent.h_addr_list.push(l.entry.addr);
      for (const a of l.entry.aliases) {
        ent.h_aliases.push(a);
        at += a.length + 1;
      }
      if (l.entry.name !== ent.h_name) {
        ent.h_aliases.push(l.entry.name);
        at += l.entry.name.length + 1;
      }
    }
    need = Math.max(need, align(at, 8) + 8 * (ent.h_addr_list.length + 1) + 8 * (ent.h_aliases.length + 1));
  }
  return { status: 'SUCCESS', hErrno: NETDB_SUCCESS, errno: 0, value: ent, need };
}

/** _nss_files_gethostbyaddr2_r: the first line whose address, read for family `af`, is `addr`. */
export function filesGethostbyaddr(cfg: ResolverConfig, addr: Uint8Array, af: number): NssResult<HostEnt> {
  let need = HEADER + 2;
  for (const l of readLines(cfg, af)) {
    need = Math.max(need, l.need);
    const e = l.entry;
    if (e === null || e.addr.length !== addr.length || !e.addr.every((b, i) => b === addr[i])) continue;
    return {
      status: 'SUCCESS', hErrno: NETDB_SUCCESS, errno: 0, need,
      value: { h_name: e.name, h_aliases: [...e.aliases], h_addrtype: af === AF_INET6 ? AF_INET6 : AF_INET, h_length: af === AF_INET6 ? 16 : 4, h_addr_list: [e.addr] },
    };
  }
  return { ...notFound<HostEnt>(need), errno: Errno.ENOENT };
}
