// A host's stub-resolver configuration: /etc/resolv.conf, /etc/hosts, and the search-list order.
//
// The parsers follow glibc 2.36 (resolv/res_init.c, nss_files) rather than an idealised grammar,
// quirks included: a keyword must start the line and be followed by a blank, trailing "# ..." on a
// search line becomes search domains, option values are read with atoi(3), and only ' ' and '\t'
// separate fields (a '\r' from a CRLF file stays part of the value). Expectations in the tests were
// measured against glibc 2.36 on this machine (res_init(3) state, and the names getaddrinfo(3) sent
// to a logging DNS server on loopback).

import { parseAddress, parseAtonAddress } from './address.js';
import type { IpFamily } from './address.js';

/** MAXNS: nameservers used (resolv.conf(5)). */
export const MAXNS = 3;
/** RES_MAXNDOTS: ndots is silently capped to this (resolv.conf(5)). */
export const RES_MAXNDOTS = 15;
/** RES_MAXRETRANS: timeout is silently capped to this many seconds (resolv.conf(5)). */
export const RES_MAXRETRANS = 30;
/** RES_MAXRETRY: attempts is silently capped to this (resolv.conf(5)). */
export const RES_MAXRETRY = 5;

/** The resolver settings of one host, as res_init(3) leaves them. */
export interface ResolvConf {
  /** Server addresses in canonical text, at most MAXNS; 127.0.0.1 when the file names none. */
  nameservers: string[];
  /** Search domains, verbatim. */
  search: string[];
  /** Dots a name needs to be tried as-is first (default 1). */
  ndots: number;
  /** Seconds to wait per try (RES_TIMEOUT, default 5); glibc's res_send treats values below 1 as 1. */
  timeout: number;
  /** Rounds over the nameservers (RES_DFLRETRY, default 2); 0 or less means no query is sent. */
  attempts: number;
  /** RES_ROTATE: spread queries round-robin over the nameservers. */
  rotate?: boolean;
  /** RES_USE_EDNS0. */
  edns0?: boolean;
  /** RES_SNGLKUP: send the A and AAAA queries one after the other. */
  singleRequest?: boolean;
  /** RES_SNGLKUPREOP: use a new socket for the second of the A/AAAA queries. */
  singleRequestReopen?: boolean;
  /** RES_NOTLDQUERY: never try a dotless name as-is. */
  noTldQuery?: boolean;
  /** RES_USEVC: query over TCP. */
  useVc?: boolean;
  /** RES_NORELOAD. */
  noReload?: boolean;
  /** RES_TRUSTAD: set and keep the AD bit. */
  trustAd?: boolean;
}

/** The process environment res_init(3) consults. */
export interface ResolvEnvironment {
  /** gethostname(2); without a search line, everything after its first '.' is the search domain. */
  readonly hostname?: string;
  /** LOCALDOMAIN: replaces the file's search list (resolv.conf(5)). */
  readonly LOCALDOMAIN?: string;
  /** RES_OPTIONS: options applied after the file's (resolv.conf(5)). */
  readonly RES_OPTIONS?: string;
}

/** Boolean options: name (matched as a prefix, like glibc's strncmp) and field. Order matters. */
const FLAG_OPTIONS: readonly (readonly [string, keyof ResolvConf])[] = [
  ['rotate', 'rotate'],
  ['edns0', 'edns0'],
  ['single-request-reopen', 'singleRequestReopen'],
  ['single-request', 'singleRequest'],
  ['no_tld_query', 'noTldQuery'],
  ['no-tld-query', 'noTldQuery'],
  ['no-reload', 'noReload'],
  ['use-vc', 'useVc'],
  ['trust-ad', 'trustAd'],
];

/** Parses resolv.conf text the way glibc's res_init(3) does (resolv.conf(5)). */
export function parseResolvConf(text: string, env: ResolvEnvironment = {}): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], ndots: 1, timeout: 5, attempts: 2 };
  let search: string[] | undefined;
  // LOCALDOMAIN overrides the file; its first field is kept even when empty (glibc res_vinit_1).
  if (env.LOCALDOMAIN !== undefined) search = glibcFields(env.LOCALDOMAIN.split('\n')[0] as string);

  for (const line of text.split('\n')) {
    if (line.startsWith(';') || line.startsWith('#')) continue;
    const domain = keywordValue(line, 'domain');
    const list = domain ?? keywordValue(line, 'search');
    if (list !== undefined) {
      // "domain" is a one-entry search list; whichever of domain/search comes last wins (resolv.conf(5)).
      const fields = glibcFields(list.replace(/^[ \t]+/, ''));
      if (env.LOCALDOMAIN === undefined && fields[0] !== '') search = domain === undefined ? fields : fields.slice(0, 1);
      continue;
    }
    const server = keywordValue(line, 'nameserver');
    if (server !== undefined) {
      const address = parseNameserver(glibcFields(server.replace(/^[ \t]+/, ''))[0] as string);
      if (address !== undefined) conf.nameservers.push(address);
      continue;
    }
    const options = keywordValue(line, 'options');
    if (options !== undefined) applyOptions(conf, options);
  }

  // Only the first MAXNS are used; with none, the local machine's server (resolv.conf(5)).
  conf.nameservers = conf.nameservers.length === 0 ? ['127.0.0.1'] : conf.nameservers.slice(0, MAXNS);
  if (search === undefined) {
    const dot = env.hostname?.indexOf('.') ?? -1;
    search = dot >= 0 ? [(env.hostname as string).slice(dot + 1)] : [];
  }
  conf.search = search;
  if (env.RES_OPTIONS !== undefined) applyOptions(conf, env.RES_OPTIONS);
  return conf;
}

/** The text after `keyword` when the line starts with it and a blank (glibc's MATCH), else undefined. */
function keywordValue(line: string, keyword: string): string | undefined {
  if (!line.startsWith(keyword)) return undefined;
  const next = line[keyword.length];
  return next === ' ' || next === '\t' ? line.slice(keyword.length + 1) : undefined;
}

/**
 * Blank-separated fields as glibc splits a search list in place: the first field runs to the first
 * ' ' or '\t' (empty if the text starts with one), later fields are the non-empty runs after it.
 */
function glibcFields(text: string): string[] {
  const [first, ...rest] = text.split(/[ \t]+/);
  return [first as string, ...rest.filter((f) => f !== '')];
}

/** A nameserver token: inet_aton(3) exactly, else inet_pton(3) AF_INET6 with any %scope dropped. */
function parseNameserver(token: string): string | undefined {
  if (token === '') return undefined;
  return parseAtonAddress(token) ?? parseAddress(token.split('%')[0] as string, 6)?.address;
}

/** glibc's res_setoptions: each blank-separated word is matched by prefix; unknown words are ignored. */
function applyOptions(conf: ResolvConf, text: string): void {
  for (const word of text.split(/[ \t]+/)) {
    if (word.startsWith('ndots:')) {
      const n = atoi(word.slice(6));
      // ndots is a 4-bit field in struct __res_state, so a negative value wraps (-1 becomes 15).
      conf.ndots = n <= RES_MAXNDOTS ? n & 0xf : RES_MAXNDOTS;
    } else if (word.startsWith('timeout:')) {
      conf.timeout = Math.min(atoi(word.slice(8)), RES_MAXRETRANS);
    } else if (word.startsWith('attempts:')) {
      conf.attempts = Math.min(atoi(word.slice(9)), RES_MAXRETRY);
    } else {
      const flag = FLAG_OPTIONS.find(([name]) => word.startsWith(name));
      if (flag !== undefined) (conf as unknown as Record<string, boolean>)[flag[1]] = true;
    }
  }
}

/** atoi(3) as glibc computes it: optional sign and digits, the long result truncated to int. */
function atoi(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(text) as RegExpExecArray;
  const digits = match[2] === '' ? '0' : (match[2] as string);
  const magnitude = BigInt(digits);
  const limit = 2n ** 63n; // strtol saturates at LONG_MIN / LONG_MAX
  const long = match[1] === '-' ? (magnitude > limit ? -limit : -magnitude) : magnitude >= limit ? limit - 1n : magnitude;
  return Number(BigInt.asIntN(32, long));
}

/**
 * The names glibc 2.36's res_search (__res_context_search in resolv/res_query.c) tries for `name`, in
 * order: a trailing dot means only the name itself; with at least ndots dots the name as-is comes
 * first, then `name.domain` for each search domain (one leading '.' of a domain is dropped, so a root
 * entry '.' or '' gives "name."); the as-is try comes last instead when the name has fewer dots, and
 * not at all when a root entry was searched or, for a dotless name, under no-tld-query. The strings are
 * exactly what res_query is handed. The caller stops at the first answer, and also stops searching on
 * errors other than NXDOMAIN, NODATA and SERVFAIL.
 */
export function searchCandidates(name: string, conf: ResolvConf): string[] {
  if (name === '') return [];
  const dots = [...name].filter((c) => c === '.').length;
  const trailingDot = name.endsWith('.');
  const out: string[] = [];
  let triedAsIs = false;
  if (dots >= conf.ndots || trailingDot) {
    out.push(name);
    if (trailingDot) return out;
    triedAsIs = true;
  }
  let rootOnList = false;
  for (const entry of conf.search) {
    const domain = entry.startsWith('.') ? entry.slice(1) : entry;
    if (domain === '') rootOnList = true;
    out.push(`${name}.${domain}`);
  }
  const searched = conf.search.length > 0;
  if ((dots > 0 || !searched || conf.noTldQuery !== true) && !(triedAsIs || rootOnList)) out.push(name);
  return out;
}

/** One /etc/hosts line (hosts(5)). */
export interface HostsEntry {
  readonly family: IpFamily;
  /** The address in canonical text. */
  readonly address: string;
  /** The canonical host name: the first name on the line. */
  readonly canonical: string;
  readonly aliases: readonly string[];
}

/**
 * /etc/hosts parsed per hosts(5): an address, a canonical name and aliases, separated by blanks;
 * '#' starts a comment. Lines with a bad address or no name are skipped, as glibc's nss_files does.
 */
export class HostsFile {
  /** The usable lines, in file order. */
  readonly entries: readonly HostsEntry[];

  /** Parses hosts file text. */
  constructor(text: string) {
    const entries: HostsEntry[] = [];
    for (const raw of text.split('\n')) {
      const fields = (raw.split('#')[0] as string).split(/\s+/).filter((f) => f !== '');
      const [addressText, canonical, ...aliases] = fields;
      if (addressText === undefined || canonical === undefined) continue;
      const parsed = parseAddress(addressText);
      if (parsed === undefined) continue;
      entries.push({ family: parsed.family, address: parsed.address, canonical, aliases });
    }
    this.entries = entries;
  }

  /**
   * Every line naming `name` as canonical name or alias, case-insensitively, in file order. glibc's
   * getaddrinfo uses them all; gethostbyname
   * only the first unless host.conf(5) says "multi on" (as Debian's does).
   */
  lookupName(name: string, family?: IpFamily): HostsEntry[] {
    const wanted = name.toLowerCase();
    return this.entries.filter(
      (e) => (family === undefined || e.family === family) && [e.canonical, ...e.aliases].some((n) => n.toLowerCase() === wanted),
    );
  }

  /** The first line for `address` (gethostbyaddr(3)); any textual form of the address matches. */
  lookupAddress(address: string): HostsEntry | undefined {
    const parsed = parseAddress(address);
    if (parsed === undefined) return undefined;
    return this.entries.find((e) => e.family === parsed.family && e.address === parsed.address);
  }
}
