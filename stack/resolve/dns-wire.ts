/**
 * The DNS message handling of glibc's stub resolver, on raw bytes: res_mkquery(3) (building a query), dn_expand and
 * ns_name_ntop (names in text form), the header fields res_send and res_query look at, and a record cursor in the
 * spirit of glibc 2.36's ns_rr_cursor (resolv/ns_rr_cursor_*.c). The stub works on bytes rather than on decoded
 * objects because glibc does: a reply that dns-packet could not decode may still be one glibc accepts or rejects in
 * its own way, and the checks here say which.
 */

/** The fixed header size (HFIXEDSZ, RFC 1035 §4.1.1). */
export const HFIXEDSZ = 12;
/** Longest name on the wire (NS_MAXCDNAME, RFC 1035 §2.3.4). */
export const NS_MAXCDNAME = 255;
/**
 * The EDNS buffer size glibc advertises with "options edns0" (RESOLV_EDNS_BUFFER_SIZE, resolv-internal.h); measured:
 * glibc 2.36 sends 1200 even for gethostbyname's 1024-byte answer buffer.
 */
export const RESOLV_EDNS_BUFFER_SIZE = 1200;

/** Record types and classes the stub uses (arpa/nameser.h). */
export const T_A = 1, T_NS = 2, T_CNAME = 5, T_SOA = 6, T_PTR = 12, T_AAAA = 28, T_OPT = 41, C_IN = 1;
/** RCODE values (arpa/nameser.h). */
export const NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4, REFUSED = 5;

/** The header fields res_send and res_query read (RFC 1035 §4.1.1). */
export interface Header {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

/** The header of a message of at least HFIXEDSZ bytes. */
export function readHeader(b: Uint8Array): Header {
  if (b.length < HFIXEDSZ) throw new RangeError('DNS message shorter than its header');
  const u16 = (o: number): number => (b[o]! << 8) | b[o + 1]!;
  const f = u16(2);
  return {
    id: u16(0), qr: (f & 0x8000) !== 0, opcode: (f >> 11) & 0xf, aa: (f & 0x400) !== 0, tc: (f & 0x200) !== 0,
    rd: (f & 0x100) !== 0, ra: (f & 0x80) !== 0, rcode: f & 0xf, qdcount: u16(4), ancount: u16(6), nscount: u16(8), arcount: u16(10),
  };
}

/** A name read from a message: its labels (raw bytes as latin1 strings) and the offset after it. */
interface WireName {
  labels: string[];
  next: number;
}

/**
 * dn_expand's walk (ns_name_unpack): labels with compression pointers (RFC 1035 §4.1.4), which must point backwards
 * and may not loop; null for a malformed name (a reserved label type, a name past 255 octets, or the end of data).
 */
function readName(b: Uint8Array, offset: number): WireName | null {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let total = 1;
  let jumps = 0;
  for (;;) {
    if (pos >= b.length) return null;
    const len = b[pos]!;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= b.length) return null;
      const target = ((len & 0x3f) << 8) | b[pos + 1]!;
      if (next < 0) next = pos + 2;
      // glibc gives up when the pointers would visit more bytes than the message has (a loop).
      if (++jumps > b.length / 2 || target >= b.length) return null;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return null; // 0x40/0x80: extended label types glibc rejects
    if (len === 0) return { labels, next: next < 0 ? pos + 1 : next };
    total += len + 1;
    if (total > NS_MAXCDNAME || pos + 1 + len > b.length) return null;
    labels.push(String.fromCharCode(...b.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
}

/** ns_name_ntop: the text form of labels, with '.', '\\' and specials escaped and non-printables as \DDD. */
export function labelsToText(labels: readonly string[]): string {
  if (labels.length === 0) return '.';
  return labels
    .map((l) =>
      [...l]
        .map((c) => {
          const code = c.charCodeAt(0);
          if ('."$;@()\\'.includes(c)) return `\\${c}`;
          if (code <= 0x20 || code >= 0x7f) return `\\${String(code).padStart(3, '0')}`;
          return c;
        })
        .join(''),
    )
    .join('.');
}

/** ns_samename on text names: equal ignoring ASCII case and one trailing dot. */
export function sameNameText(a: string, b: string): boolean {
  const norm = (s: string): string => (s.endsWith('.') && !s.endsWith('\\.') ? s.slice(0, -1) : s).replace(/[A-Z]/g, (c) => c.toLowerCase());
  return norm(a) === norm(b);
}

/** A question entry (RFC 1035 §4.1.2). */
export interface WireQuestion {
  name: string;
  type: number;
  cls: number;
}

/** The question section, or null when it is malformed (res_queriesmatch's -1). */
export function readQuestions(b: Uint8Array): { questions: WireQuestion[]; next: number } | null {
  if (b.length < HFIXEDSZ) return null;
  const count = readHeader(b).qdcount;
  const questions: WireQuestion[] = [];
  let pos = HFIXEDSZ;
  for (let i = 0; i < count; i++) {
    const n = readName(b, pos);
    if (n === null || n.next + 4 > b.length) return null;
    questions.push({ name: labelsToText(n.labels), type: (b[n.next]! << 8) | b[n.next + 1]!, cls: (b[n.next + 2]! << 8) | b[n.next + 3]! });
    pos = n.next + 4;
  }
  return { questions, next: pos };
}

/**
 * res_queriesmatch(buf1, buf2): 1 when both have the same QDCOUNT and every question of the query appears in the
 * reply (res_nameinquery); 0 when not; -1 when either is malformed. Note that glibc tests the result for truth,
 * so a malformed reply counts as matching.
 */
export function queriesMatch(query: Uint8Array, reply: Uint8Array): -1 | 0 | 1 {
  if (query.length < HFIXEDSZ || reply.length < HFIXEDSZ) return -1;
  const qh = readHeader(query), rh = readHeader(reply);
  // Only header section present in replies to dynamic update packets (opcode 5).
  if (qh.opcode === 5 && rh.opcode === 5) return 1;
  if (qh.qdcount !== rh.qdcount) return 0;
  const q = readQuestions(query);
  if (q === null) return -1;
  const r = readQuestions(reply);
  if (r === null) return -1;
  for (const x of q.questions) {
    if (!r.questions.some((y) => y.type === x.type && y.cls === x.cls && sameNameText(y.name, x.name))) return 0;
  }
  return 1;
}

/**
 * ns_name_pton then dn_comp for a query name: the wire labels, or null where glibc fails with EMSGSIZE (an empty
 * label such as "a..b", a label over 63 octets, more than 255 octets in all). One trailing dot is the root.
 */
export function nameToWire(name: string): Uint8Array | null {
  if (name === '.' ) return Uint8Array.of(0);
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === '' || bare.startsWith('.')) return null;
  const out: number[] = [];
  for (const label of bare.split('.')) {
    const bytes = Buffer.from(label, 'latin1');
    if (bytes.length === 0 || bytes.length > 63) return null;
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return out.length > NS_MAXCDNAME ? null : Uint8Array.from(out);
}

/** Options res_mkquery takes from the resolver state. */
export interface MkqueryOptions {
  /** RES_RECURSE (default on): set RD. */
  recurse?: boolean;
  /** RES_TRUSTAD: set AD in the query (resolv.conf(5) "trust-ad"). */
  trustAd?: boolean;
  /** RES_USE_EDNS0: append an OPT record (RFC 6891 §6.1.2) advertising this UDP payload size; undefined: none. */
  ednsPayload?: number;
}

/** res_mkquery(QUERY, name, C_IN, type): the query bytes with the given ID, or null (EMSGSIZE) for a bad name. */
export function mkquery(name: string, type: number, id: number, opts: MkqueryOptions = {}): Uint8Array | null {
  const wire = nameToWire(name);
  if (wire === null) return null;
  const flags = (opts.recurse === false ? 0 : 0x100) | (opts.trustAd === true ? 0x20 : 0);
  const size = opts.ednsPayload;
  const opt = size === undefined ? [] : [0, 0, T_OPT, size >> 8, size & 0xff, 0, 0, 0, 0, 0, 0];
  const head = [id >> 8, id & 0xff, flags >> 8, flags & 0xff, 0, 1, 0, 0, 0, 0, 0, opt.length > 0 ? 1 : 0];
  return Uint8Array.from([...head, ...wire, type >> 8, type & 0xff, 0, C_IN, ...opt]);
}

/** One resource record as the cursor yields it: owner name (text), type, class, TTL and raw RDATA. */
export interface WireRR {
  name: string;
  type: number;
  cls: number;
  ttl: number;
  rdata: Uint8Array;
  /** Offset of the RDATA in the message, for names inside it (CNAME, PTR targets). */
  rdataOffset: number;
}

/** A parsed message: header, question and answer records; null where ns_rr_cursor would fail. */
export interface WireMessage {
  header: Header;
  question: WireQuestion;
  answers: WireRR[];
  /** The records of the authority section (the SOA of a negative answer). */
  authorities: WireRR[];
}

/**
 * Reads a reply the way __ns_rr_cursor_init and __ns_rr_cursor_next do: exactly one question, then records until
 * ANCOUNT + NSCOUNT are read; null when the message is malformed (NO_RECOVERY in nss_dns).
 */
export function readMessage(b: Uint8Array): WireMessage | null {
  if (b.length < HFIXEDSZ) return null;
  const header = readHeader(b);
  if (header.qdcount !== 1) return null;
  const q = readQuestions(b);
  if (q === null) return null;
  let pos = q.next;
  const records: WireRR[] = [];
  for (let i = 0; i < header.ancount + header.nscount; i++) {
    const n = readName(b, pos);
    if (n === null || n.next + 10 > b.length) return null;
    const at = n.next;
    const rdlength = (b[at + 8]! << 8) | b[at + 9]!;
    if (at + 10 + rdlength > b.length) return null;
    const ttl = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
    records.push({
      name: labelsToText(n.labels), type: (b[at]! << 8) | b[at + 1]!, cls: (b[at + 2]! << 8) | b[at + 3]!, ttl,
      rdata: b.subarray(at + 10, at + 10 + rdlength), rdataOffset: at + 10,
    });
    pos = at + 10 + rdlength;
  }
  return { header, question: q.questions[0]!, answers: records.slice(0, header.ancount), authorities: records.slice(header.ancount) };
}

/** The domain name inside a record's RDATA (CNAME, PTR), or null when it does not expand. */
export function rdataName(message: Uint8Array, rr: WireRR): string | null {
  const n = readName(message, rr.rdataOffset);
  return n === null ? null : labelsToText(n.labels);
}

/**
 * res_hnok's character rule as glibc 2.36 applies it (resolv/res-name-checking.c): every label is letters, digits,
 * '-' and '_', and the name does not start with '-'. Names failing it are skipped in answers.
 */
export function hostnameOk(name: string): boolean {
  if (name.startsWith('-')) return false;
  return name.split('.').every((l) => /^[A-Za-z0-9_-]*$/.test(l));
}
