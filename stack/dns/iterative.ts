// The decision logic of an iterative (recursive-service) resolver, as a pure step machine.
//
// RFC 1034 §5.3.3: look in the cache, else find the best servers known for the name (deepest cached
// delegation, or the root hints), ask one, and act on the response — an answer ends the search, a
// referral moves one zone cut down, a CNAME restarts the search at its target, a negative answer is
// cached (RFC 2308 §5) and returned, and a failed or silent server is dropped for the next one.
// The machine never touches a socket or a clock: `nextStep(nowNs)` says which server to ask (or gives
// the result), and the driver reports back with `onResponse` or `onTimeout`. Server addresses for NS
// names without glue are found by nested sub-resolutions that share the cache and the query budget.

import { AUTHORITATIVE_ANSWER, RECURSION_AVAILABLE, RECURSION_DESIRED, TRUNCATED_RESPONSE } from 'dns-packet';
import type { Answer, Packet, Question, SoaAnswer } from 'dns-packet';
import { TRUST } from './cache.js';
import type { CacheHit, DnsCache, Trust } from './cache.js';
import { RCODE, classOf, groupRRsets, hasFlag, rcodeOf, stringData } from './message.js';
import { canonicalName, isSubdomain, sameName, selfAndAncestors } from './names.js';

/** A root server from the hints file: its name and addresses (RFC 1034 §5.3.2 "SBELT"). */
export interface RootHint {
  readonly name: string;
  readonly addresses: readonly string[];
}

/** Resolver limits and inputs. */
export interface IterativeOptions {
  readonly rootHints: readonly RootHint[];
  readonly cache: DnsCache;
  /** The ID of the answer message (the client's query ID); 0 when omitted. */
  readonly id?: number;
  /** Queries sent in all, sub-resolutions included (Unbound's MAX_SENT_COUNT is 32); default 30. */
  readonly maxQueries?: number;
  /** Referrals followed in all; default 30. */
  readonly maxReferrals?: number;
  /** CNAMEs followed for one question (Unbound's MAX_RESTART_COUNT is 8); default 8. */
  readonly maxCnameChain?: number;
  /** Nesting of sub-resolutions for server addresses (BIND's max-recursion-depth); default 7. */
  readonly maxDepth?: number;
  /** Times each server address is tried before the zone is given up; default 2. */
  readonly attemptsPerServer?: number;
  /** Address types usable to reach servers, in preference order; default ['A'] (IPv4 only). */
  readonly addressTypes?: readonly ('A' | 'AAAA')[];
}

/** What the driver should do next. */
export type IterativeStep =
  | { readonly kind: 'query'; readonly server: string; readonly question: Question; readonly tcp: boolean }
  | { readonly kind: 'answer'; readonly packet: Packet }
  | { readonly kind: 'fail'; readonly rcode: 'SERVFAIL'; readonly reason: string };

type Outcome = Extract<IterativeStep, { kind: 'answer' | 'fail' }>;

/** A server of the zone being asked: its NS name, known addresses, and address types still to look up. */
interface ServerEntry {
  readonly name: string;
  readonly addresses: string[];
  readonly toResolve: ('A' | 'AAAA')[];
}

/** One question being resolved: the client's, or a sub-question for a server's address. */
interface Frame {
  readonly question: Question;
  readonly qtype: Question['type'];
  readonly qclass: string;
  /** Filled with addresses when this frame is a sub-resolution. */
  readonly forServer: ServerEntry | undefined;
  qname: string;
  readonly chain: Answer[];
  readonly seen: Set<string>;
  started: boolean;
  zone: string;
  servers: ServerEntry[];
  attempts: Map<string, number>;
  dead: Set<string>;
  outstanding: { server: string; tcp: boolean } | undefined;
  result: Outcome | undefined;
}

/** The resolver for one client question. */
export class IterativeResolver {
  private readonly stack: Frame[] = [];
  private final: Outcome | undefined;
  private queries = 0;
  private referrals = 0;
  private readonly cache: DnsCache;
  private readonly limits: Required<Omit<IterativeOptions, 'cache' | 'rootHints' | 'id'>>;

  /** Starts resolving `question`; nothing happens until the first nextStep. */
  constructor(
    question: Question,
    private readonly options: IterativeOptions,
  ) {
    this.cache = options.cache;
    this.limits = {
      maxQueries: options.maxQueries ?? 30,
      maxReferrals: options.maxReferrals ?? 30,
      maxCnameChain: options.maxCnameChain ?? 8,
      maxDepth: options.maxDepth ?? 7,
      attemptsPerServer: options.attemptsPerServer ?? 2,
      addressTypes: options.addressTypes ?? ['A'],
    };
    this.stack.push(newFrame(question, undefined));
  }

  /** Queries issued so far, including TCP retries and sub-resolutions. */
  get queriesSent(): number {
    return this.queries;
  }

  /** Referrals followed so far. */
  get referralsFollowed(): number {
    return this.referrals;
  }

  /** The next action; repeated calls without a report return the same outstanding query. */
  nextStep(nowNs: number): IterativeStep {
    for (;;) {
      if (this.final !== undefined) return this.final;
      const frame = this.top();
      if (frame.result !== undefined) {
        this.stack.pop();
        if (this.stack.length === 0) this.final = frame.result;
        else if (frame.forServer !== undefined) deliverAddresses(frame.result, frame.forServer);
        continue;
      }
      if (frame.outstanding !== undefined) {
        const { server, tcp } = frame.outstanding;
        return { kind: 'query', server, question: { name: frame.qname, type: frame.qtype, class: frame.qclass as 'IN' }, tcp };
      }
      if (!frame.started) this.start(frame, nowNs);
      else this.chooseServer(frame);
    }
  }

  /** Reports the response to the outstanding query (already matched to it by ID and address). */
  onResponse(packet: Packet, nowNs: number): void {
    const frame = this.top();
    const sent = frame.outstanding;
    if (sent === undefined || this.final !== undefined) throw new Error('onResponse without an outstanding query');
    frame.outstanding = undefined;
    const question = packet.questions?.[0];
    const matches =
      packet.type === 'response' &&
      packet.questions?.length === 1 &&
      question !== undefined &&
      sameName(question.name, frame.qname) &&
      question.type === frame.qtype &&
      classOf(question) === frame.qclass;
    // RFC 5452 §4.1: a reply for another question is not an answer; treat the server as failed.
    if (!matches) return void frame.dead.add(sent.server);
    // RFC 1035 §4.2.1 / RFC 7766 §5: a truncated UDP reply is retried over TCP with the same server.
    if (hasFlag(packet, TRUNCATED_RESPONSE) && !sent.tcp) return this.issue(frame, sent.server, true);
    const rcode = rcodeOf(packet);
    // RFC 1034 §5.3.3 step 4d: server failure or bizarre contents → drop the server, try the next.
    if (rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN) return void frame.dead.add(sent.server);
    this.interpret(frame, sent.server, packet, nowNs);
  }

  /** Reports that the outstanding query got no answer in time; the server is retried later in rotation. */
  onTimeout(_nowNs: number): void {
    const frame = this.top();
    if (frame.outstanding === undefined || this.final !== undefined) throw new Error('onTimeout without an outstanding query');
    frame.outstanding = undefined;
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1] as Frame;
  }

  /** Step 1 (the cache) then step 2 (best servers) for the frame's current name. */
  private start(frame: Frame, nowNs: number): void {
    const found = this.cache.lookup(frame.qname, frame.qtype, nowNs, frame.qclass);
    for (const cname of found.chain) if (!this.extendChain(frame, cname)) return;
    if (found.hit !== undefined) return void (frame.result = this.fromCache(frame, found.hit));
    frame.started = true;
    frame.attempts = new Map();
    frame.dead = new Set();
    // The deepest cached delegation with a reachable server, else the root hints (RFC 1034 §5.3.3 step 2).
    for (const zone of selfAndAncestors(frame.qname)) {
      if (zone === '.') break;
      const ns = this.cache.get(zone, 'NS', nowNs, frame.qclass);
      if (ns?.kind !== 'rrset') continue;
      const servers = ns.records.map((r) => this.serverEntry(r, [], nowNs));
      if (servers.some((s) => s.addresses.length > 0)) return void Object.assign(frame, { zone, servers });
    }
    frame.zone = '.';
    frame.servers = this.options.rootHints.map((h) => ({ name: canonicalName(h.name), addresses: [...h.addresses], toResolve: [] }));
  }

  /** Step 3: the next address to ask, a sub-resolution for a server's address, or failure. */
  private chooseServer(frame: Frame): void {
    const untried = (round: number): string | undefined => {
      for (const server of frame.servers) {
        for (const address of server.addresses) {
          if (!frame.dead.has(address) && (frame.attempts.get(address) ?? 0) === round) return address;
        }
      }
      return undefined;
    };
    const first = untried(0);
    if (first !== undefined) return this.issue(frame, first, false);
    for (const server of frame.servers) {
      const type = server.addresses.length === 0 ? server.toResolve.shift() : undefined;
      if (type === undefined) continue;
      const cyclic = this.stack.some((f) => f.qname === server.name && f.qtype === type);
      if (cyclic || this.stack.length > this.limits.maxDepth) continue;
      this.stack.push(newFrame({ name: server.name, type, class: frame.qclass as 'IN' }, server));
      return;
    }
    for (let round = 1; round < this.limits.attemptsPerServer; round++) {
      const again = untried(round);
      if (again !== undefined) return this.issue(frame, again, false);
    }
    frame.result = fail(`no server of "${frame.zone}" answered for ${frame.qname}/${frame.qtype}`);
  }

  /** Sends (or re-sends over TCP) the frame's question to `server`, within the query budget. */
  private issue(frame: Frame, server: string, tcp: boolean): void {
    if (this.queries >= this.limits.maxQueries) {
      this.final = fail(`query limit of ${this.limits.maxQueries} reached`);
      return;
    }
    this.queries++;
    frame.attempts.set(server, (frame.attempts.get(server) ?? 0) + 1);
    frame.outstanding = { server, tcp };
  }

  /** Step 4: classify a NOERROR/NXDOMAIN response (RFC 1034 §5.3.3, RFC 2308 §2). */
  private interpret(frame: Frame, server: string, packet: Packet, nowNs: number): void {
    const answers = packet.answers ?? [];
    const authorities = packet.authorities ?? [];
    const trust: Trust = hasFlag(packet, AUTHORITATIVE_ANSWER) ? TRUST.authoritative : TRUST.answer;
    const bailiwick = frame.zone;

    // Walk the answer section from the query name through CNAMEs the server may vouch for.
    let name = frame.qname;
    let moved = false;
    for (;;) {
      const owned = answers.filter((r) => sameName(r.name, name) && classOf(r) === frame.qclass);
      const final = owned.filter((r) => r.type === frame.qtype || (frame.qtype as string) === 'ANY');
      if (final.length > 0) {
        for (const rrset of groupRRsets(final)) this.cache.putRRset(rrset, nowNs, trust);
        return void (frame.result = this.answer(frame, final, RCODE.NOERROR, undefined));
      }
      const cname = owned.find((r) => r.type === 'CNAME');
      if (cname === undefined || cname.type !== 'CNAME') break;
      this.cache.putRRset([cname], nowNs, trust);
      if (!this.extendChain(frame, cname)) return;
      name = frame.qname;
      moved = true;
      // What the server says about a target outside its zone is not its to say (RFC 2181 §5.4.1):
      // start over at the target (RFC 1034 §5.3.3 step 4c).
      if (!isSubdomain(name, bailiwick)) return void (frame.started = false);
    }

    const soa = authorities.find(
      (r): r is SoaAnswer => r.type === 'SOA' && isSubdomain(name, canonicalName(r.name)) && isSubdomain(canonicalName(r.name), bailiwick),
    );
    const rcode = rcodeOf(packet);
    if (rcode === RCODE.NXDOMAIN || soa !== undefined) {
      // RFC 2308 §2.1 (NXDOMAIN) and §2.2 (NODATA), after any CNAMEs: about the last name in the chain.
      const kind = rcode === RCODE.NXDOMAIN ? 'nxdomain' : 'nodata';
      if (soa !== undefined) this.cache.putNegative(name, frame.qtype, kind, soa, nowNs, frame.qclass);
      return void (frame.result = this.answer(frame, [], rcode, soa));
    }
    const cut = authorities.find((r) => {
      const owner = canonicalName(r.name);
      return r.type === 'NS' && isSubdomain(name, owner) && owner !== bailiwick && isSubdomain(owner, bailiwick);
    });
    if (cut !== undefined) return this.followReferral(frame, packet, canonicalName(cut.name), nowNs);
    // A CNAME whose target the server did not resolve: start over at the target (step 4c).
    if (moved) return void (frame.started = false);
    if (authorities.some((r) => r.type === 'NS') || !hasFlag(packet, AUTHORITATIVE_ANSWER)) {
      // An upward or sideways referral, or an empty non-authoritative reply: a lame server.
      return void frame.dead.add(server);
    }
    // RFC 2308 §2.2 NODATA without SOA: answer it, but it cannot be cached (RFC 2308 §5).
    frame.result = this.answer(frame, [], RCODE.NOERROR, undefined);
  }

  /** Step 4b: cache the delegation and its in-bailiwick glue, and move the frame to the child zone. */
  private followReferral(frame: Frame, packet: Packet, zone: string, nowNs: number): void {
    if (++this.referrals > this.limits.maxReferrals) {
      this.final = fail(`referral limit of ${this.limits.maxReferrals} reached`);
      return;
    }
    const ns = (packet.authorities ?? []).filter((r) => r.type === 'NS' && canonicalName(r.name) === zone);
    this.cache.putRRset(ns, nowNs, TRUST.referral);
    const targets = new Set(ns.map((r) => canonicalName(stringData(r))));
    // Glue only for the NS targets, and only within the referring server's zone (RFC 2181 §5.4.1).
    const glue = (packet.additionals ?? []).filter(
      (r) => (r.type === 'A' || r.type === 'AAAA') && targets.has(canonicalName(r.name)) && isSubdomain(canonicalName(r.name), frame.zone),
    );
    for (const rrset of groupRRsets(glue)) this.cache.putRRset(rrset, nowNs, TRUST.glue);
    frame.zone = zone;
    frame.servers = ns.map((r) => this.serverEntry(r, glue, nowNs));
    frame.attempts = new Map();
    frame.dead = new Set();
  }

  /** A server entry for an NS record: addresses from the glue given, else from the cache. */
  private serverEntry(ns: Answer, glue: readonly Answer[], nowNs: number): ServerEntry {
    const name = canonicalName(stringData(ns));
    const addresses: string[] = [];
    const toResolve: ('A' | 'AAAA')[] = [];
    for (const type of this.limits.addressTypes) {
      const fromGlue = glue.filter((r) => r.type === type && canonicalName(r.name) === name).map((r) => stringData(r));
      const cached = fromGlue.length > 0 ? undefined : this.cache.get(name, type, nowNs);
      const found = cached?.kind === 'rrset' ? cached.records.map((r) => stringData(r)) : fromGlue;
      addresses.push(...found);
      if (found.length === 0 && cached?.kind === undefined) toResolve.push(type);
    }
    return { name, addresses, toResolve };
  }

  /** Adds a CNAME to the frame's chain; fails the frame on a loop or past the chain limit. */
  private extendChain(frame: Frame, cname: Answer): boolean {
    const target = canonicalName(stringData(cname));
    if (frame.seen.has(target)) {
      frame.result = fail(`CNAME loop at ${target}`);
      return false;
    }
    if (frame.chain.length >= this.limits.maxCnameChain) {
      frame.result = fail(`CNAME chain longer than ${this.limits.maxCnameChain}`);
      return false;
    }
    frame.chain.push(cname);
    frame.seen.add(target);
    frame.qname = target;
    return true;
  }

  /** The result for a cache hit at the frame's current name. */
  private fromCache(frame: Frame, hit: CacheHit): Outcome {
    if (hit.kind === 'rrset') return this.answer(frame, hit.records, RCODE.NOERROR, undefined);
    return this.answer(frame, [], hit.kind === 'nxdomain' ? RCODE.NXDOMAIN : RCODE.NOERROR, hit.soa);
  }

  /** The answer message: the CNAME chain, the final records, and the SOA of a negative answer. */
  private answer(frame: Frame, records: readonly Answer[], rcode: number, soa: SoaAnswer | undefined): Outcome {
    const packet: Packet = {
      type: 'response',
      id: this.options.id ?? 0,
      flags: RECURSION_DESIRED | RECURSION_AVAILABLE | rcode,
      questions: [{ ...frame.question }],
      answers: [...frame.chain, ...records],
      authorities: soa === undefined ? [] : [soa],
      additionals: [],
    };
    return { kind: 'answer', packet };
  }
}

/** A fresh frame for `question`. */
function newFrame(question: Question, forServer: ServerEntry | undefined): Frame {
  const qname = canonicalName(question.name);
  return {
    question,
    qtype: question.type,
    qclass: classOf(question),
    forServer,
    qname,
    chain: [],
    seen: new Set([qname]),
    started: false,
    zone: '.',
    servers: [],
    attempts: new Map(),
    dead: new Set(),
    outstanding: undefined,
    result: undefined,
  };
}

/** Hands a finished sub-resolution's addresses to the server entry that needed them. */
function deliverAddresses(outcome: Outcome, server: ServerEntry): void {
  if (outcome.kind !== 'answer') return;
  for (const record of outcome.packet.answers ?? []) {
    if ((record.type === 'A' || record.type === 'AAAA') && !server.addresses.includes(record.data)) server.addresses.push(record.data);
  }
}

/** A SERVFAIL outcome with the reason, for the driver's logs. */
function fail(reason: string): Outcome {
  return { kind: 'fail', rcode: 'SERVFAIL', reason };
}
