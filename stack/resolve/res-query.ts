/**
 * res_query(3) and res_search(3) as glibc 2.36 implements them (resolv/res_query.c): building the query or the A/AAAA
 * pair (T_QUERY_A_AND_AAAA), sending it with res_send, turning the replies' RCODEs into h_errno, and walking the
 * search list with glibc's stop rules. Every function sets the process's h_errno (ResState.hErrno).
 */
import type { Sys } from '../sys.js';
import { Errno } from '../errno.js';
import { FORMERR, HFIXEDSZ, NOERROR, NOTIMP, NXDOMAIN, RESOLV_EDNS_BUFFER_SIZE, SERVFAIL, mkquery, readHeader, T_A, T_AAAA } from './dns-wire.js';
import { resSend } from './res-send.js';
import { HOST_NOT_FOUND, NO_DATA, NO_RECOVERY, TRY_AGAIN, randomQueryId, resState, type ResState } from './res-state.js';

/** The A and AAAA pair getaddrinfo asks for with AF_UNSPEC (T_QUERY_A_AND_AAAA, resolv-internal.h). */
export const T_QUERY_A_AND_AAAA = 439963904;

/** MAXDNAME: the longest presentation-form name res_querydomain accepts (arpa/nameser.h). */
const MAXDNAME = 1025;

/** A lookup's outcome: the replies (arrival order; the first may be empty) or failure, and errno as C leaves it. */
export type QueryResult =
  | { ok: true; answers: Uint8Array[]; errno: number }
  | { ok: false; errno: number; lastRcode: number };

/**
 * __res_context_query: one name, one type (or the A/AAAA pair). Fails with h_errno TRY_AGAIN when res_send found no
 * answer, else by the RCODEs of the replies (HOST_NOT_FOUND, NO_DATA, TRY_AGAIN for SERVFAIL, NO_RECOVERY).
 * `anslen` is the caller's answer buffer size (glibc's answer buffers are 1024 or 2048 bytes; it does not change
 * what goes on the wire here).
 */
export async function resQuery(sys: Sys, st: ResState, name: string, type: number, _anslen: number): Promise<QueryResult> {
  const pair = type === T_QUERY_A_AND_AAAA;
  const opts = { trustAd: st.conf.trustAd === true, ednsPayload: st.conf.edns0 === true ? RESOLV_EDNS_BUFFER_SIZE : undefined };
  const queries: Uint8Array[] = [];
  for (const t of pair ? [T_A, T_AAAA] : [type]) {
    const q = mkquery(name, t, randomQueryId(sys), opts);
    if (q === null) {
      // res_nmkquery failed (a bad name): NO_RECOVERY, errno EMSGSIZE from ns_name_pton.
      st.hErrno = NO_RECOVERY;
      return { ok: false, errno: Errno.EMSGSIZE, lastRcode: NOERROR };
    }
    queries.push(q);
  }
  const sent = await resSend(sys, st, queries);
  if (!sent.ok) {
    st.hErrno = TRY_AGAIN;
    return { ok: false, errno: sent.errno, lastRcode: sent.lastRcode ?? NOERROR };
  }
  const [a1, a2] = sent.answers;
  // "We simplify the following tests by assigning HP to HP2 or vice versa."
  let hp = a1 !== undefined && a1.length >= HFIXEDSZ ? readHeader(a1) : undefined;
  let hp2 = a2 !== undefined && a2.length >= HFIXEDSZ ? readHeader(a2) : undefined;
  if (hp2 === undefined) hp2 = hp;
  else if (hp === undefined) hp = hp2;
  if (hp === undefined || hp2 === undefined) throw new Error('res_query: res_send succeeded without a reply');
  const data = (h: typeof hp): boolean => h.rcode === NOERROR && h.ancount !== 0;
  if (data(hp) || data(hp2)) return { ok: true, answers: sent.answers, errno: 0 };
  switch (hp.rcode === NOERROR ? hp2.rcode : hp.rcode) {
    case NXDOMAIN:
      st.hErrno = HOST_NOT_FOUND;
      break;
    case SERVFAIL:
      st.hErrno = TRY_AGAIN;
      break;
    case NOERROR:
      st.hErrno = NO_DATA;
      break;
    case FORMERR:
    case NOTIMP:
    default:
      st.hErrno = NO_RECOVERY;
  }
  return { ok: false, errno: 0, lastRcode: hp.rcode };
}

/** __res_context_querydomain: `name.domain`, or `name` alone when domain is null. */
async function resQuerydomain(sys: Sys, st: ResState, name: string, domain: string | null, type: number, anslen: number): Promise<QueryResult> {
  const full = domain === null ? name : `${name}.${domain}`;
  if (domain === null ? name.length - 1 >= MAXDNAME - 1 : name.length + domain.length + 1 >= MAXDNAME) {
    st.hErrno = NO_RECOVERY;
    return { ok: false, errno: 0, lastRcode: NOERROR };
  }
  return resQuery(sys, st, full, type, anslen);
}

/** A successful search: the replies and the name that produced them. */
export type SearchResult = (QueryResult & { ok: true; name: string }) | (QueryResult & { ok: false });

/**
 * __res_context_search: the name as-is first when it has at least ndots dots (or a trailing dot, then only that),
 * then each search domain, then the name as-is if not tried yet. The search stops at the first answer, on
 * ECONNREFUSED, and on any failure other than HOST_NOT_FOUND, NO_DATA or a SERVFAIL. A failed search reports the
 * as-is query's h_errno if there was one, else NO_DATA if any domain had it, else TRY_AGAIN after a SERVFAIL.
 */
export async function resSearch(sys: Sys, st: ResState, name: string, type: number, anslen: number): Promise<SearchResult> {
  const conf = st.conf;
  st.hErrno = HOST_NOT_FOUND; // "True if we never query."
  let errno = 0;
  const dots = [...name].filter((c) => c === '.').length;
  const trailingDot = name.endsWith('.');
  let savedHerrno: number | null = null;
  let triedAsIs = false;
  let searched = false;
  let rootOnList = false;
  let gotNodata = false;
  let gotServfail = false;
  const attempt = async (domain: string | null): Promise<QueryResult> => {
    const r = await resQuerydomain(sys, st, name, domain, type, anslen);
    errno = r.errno;
    return r;
  };

  if (name !== '' && (dots >= conf.ndots || trailingDot)) {
    const r = await attempt(null);
    if (r.ok) return { ...r, name };
    if (trailingDot) return r;
    savedHerrno = st.hErrno;
    triedAsIs = true;
  }
  // RES_DEFNAMES and RES_DNSRCH are on by default, so the list is searched for names with and without dots.
  if (!trailingDot) {
    for (const entry of conf.search) {
      searched = true;
      const domain = entry.startsWith('.') ? entry.slice(1) : entry;
      if (domain === '') rootOnList = true;
      const r = await attempt(domain);
      if (r.ok) return { ...r, name: `${name}.${domain}` };
      if (errno === Errno.ECONNREFUSED) {
        st.hErrno = TRY_AGAIN;
        return { ok: false, errno, lastRcode: r.lastRcode };
      }
      let done = false;
      switch (st.hErrno) {
        case NO_DATA:
          gotNodata = true;
          break;
        case HOST_NOT_FOUND:
          break;
        case TRY_AGAIN:
          if (r.lastRcode === SERVFAIL) {
            gotServfail = true;
            break;
          }
          done = true;
          break;
        default:
          done = true;
      }
      if (done) break;
    }
  }
  if ((dots > 0 || !searched || conf.noTldQuery !== true) && !(triedAsIs || rootOnList)) {
    const r = await attempt(null);
    if (r.ok) return { ...r, name };
  }
  if (savedHerrno !== null) st.hErrno = savedHerrno;
  else if (gotNodata) st.hErrno = NO_DATA;
  else if (gotServfail) st.hErrno = TRY_AGAIN;
  return { ok: false, errno, lastRcode: NOERROR };
}

/** res_query(3)/res_search(3)'s outcome: the reply's length (or -1, with h_errno set) and the reply itself. */
export interface ResResult {
  ret: number;
  answer: Uint8Array | null;
}

/**
 * res_query(dname, C_IN, type): one query for exactly `dname`, the first reply with data; -1 and h_errno on
 * failure (HOST_NOT_FOUND for NXDOMAIN, NO_DATA, TRY_AGAIN when no server answered or for SERVFAIL).
 */
export async function res_query(sys: Sys, dname: string, type: number): Promise<ResResult> {
  const r = await resQuery(sys, resState(sys), dname, type, 65536);
  return r.ok ? { ret: r.answers[0]!.length, answer: r.answers[0]! } : { ret: -1, answer: null };
}

/** res_search(dname, C_IN, type): res_query through the search list (resolv.conf "search", "ndots"). */
export async function res_search(sys: Sys, dname: string, type: number): Promise<ResResult> {
  const r = await resSearch(sys, resState(sys), dname, type, 65536);
  return r.ok ? { ret: r.answers[0]!.length, answer: r.answers[0]! } : { ret: -1, answer: null };
}
