/**
 * The reports a host sends when its interfaces join or leave multicast groups, timed as Linux 6.x does with the
 * default sysctls (IGMPv3, net/ipv4/igmp.c; MLDv2, net/ipv6/mcast.c), no querier ever heard:
 *   - a change (first membership on the interface: CHANGE_TO_EXCLUDE_MODE {}; last one gone: CHANGE_TO_INCLUDE_MODE
 *     {}) is sent robustness-variable times (igmp_qrv / mld_qrv = 2) (RFC 3376 §8.1, RFC 3810 §9.1);
 *   - igmp_ifc_event / mld_ifc_event start the interface timer 2 jiffies out; each expiry sends one report with
 *     every pending record, then rearms at 2 jiffies plus a random part below the Unsolicited Report Interval
 *     (1 s for v3/v2), so the two copies go ~8 ms and then up to ~1 s apart (measured on Linux 6.18: 16/224 ms,
 *     11/119 ms);
 *   - 224.0.0.1 and ff02::1, and IPv6 groups of scope below link-local, are never reported (MAF_NOREPORT);
 *     224.0.0.x groups are (igmp_llm_reports = 1); nothing is sent on lo or on a down interface.
 * IGMPv3 reports go to 224.0.0.22 with TTL 1, TOS 0xc0, DF, IP id 0 and Router Alert (igmpv3_newpack); MLDv2 ones
 * to ff02::16 from the link-local address with hop limit 1 and a Hop-by-Hop Router Alert (mld_newpack).
 * Not modelled: queries (no querier), IGMPv1/v2 or MLDv1 compatibility, re-reporting when a link comes back up.
 */
import type { Timer } from '../sim/queue.js';
import type { Host } from './host.js';
import { ALL_SYSTEMS, IPV6_ALL_NODES, type Interface } from './iface.js';
import { HZ } from './sockopt.js';
import { ipv6Equal, ipv6ToString } from './wire/addr.js';
import {
  CHANGE_TO_EXCLUDE_MODE, CHANGE_TO_INCLUDE_MODE, emitIgmpv3Report, emitMldv2Report, hopByHopRouterAlert,
  IGMPV3_ALL_ROUTERS, IPV4_ROUTER_ALERT, MLDV2_ALL_ROUTERS, type GroupRecord,
} from './wire/igmp.js';

/** One jiffy in ns (CONFIG_HZ of the reference kernel). */
const JIFFY_NS = 1e9 / HZ;
/** igmp_qrv / mld_qrv: how many times a change is reported. */
const ROBUSTNESS = 2;
/** IGMP_V3_UNSOLICITED_REPORT_INTERVAL and MLD_V2_UNSOLICITED_REPORT_INTERVAL: 1 s, in jiffies. */
const UNSOLICITED_JIFFIES = HZ;
const IPPROTO_IGMP = 2, IPPROTO_ICMPV6 = 58, NH_HOPOPTS = 0;

/** A pending change record and how many more reports carry it (crcount). */
interface Pending<A> {
  group: A;
  join: boolean;
  count: number;
}

/** One family's report state of one interface (in_device mr_ifc_* / inet6_dev mc_ifc_*). */
class ReportState<A> {
  readonly pending = new Map<string, Pending<A>>();
  ifcCount = 0;
  timer: Timer | null = null;
}

const states = new WeakMap<Interface, { v4: ReportState<number>; v6: ReportState<Uint8Array> }>();

function stateOf(iface: Interface): { v4: ReportState<number>; v6: ReportState<Uint8Array> } {
  let s = states.get(iface);
  if (!s) states.set(iface, (s = { v4: new ReportState(), v6: new ReportState() }));
  return s;
}

/** Records of a report, as igmpv3_send_cr orders them: leaves (the tomb list) first, then joins, newest first. */
function records<A>(st: ReportState<A>): GroupRecord<A>[] {
  const all = [...st.pending.values()].filter((p) => p.count > 0).reverse();
  const out = [...all.filter((p) => !p.join), ...all.filter((p) => p.join)]
    .map((p) => ({ type: p.join ? CHANGE_TO_EXCLUDE_MODE : CHANGE_TO_INCLUDE_MODE, group: p.group }));
  for (const p of st.pending.values()) if (p.count > 0) p.count--;
  for (const [k, p] of [...st.pending]) if (p.count === 0) st.pending.delete(k);
  return out;
}

/** igmp_ifc_start_timer / mld_ifc_start_work: expiry 2 jiffies plus a random part below `delay` jiffies. */
function arm<A>(iface: Interface, st: ReportState<A>, delay: number, fam: string, send: (r: GroupRecord<A>[]) => void): void {
  const host = iface.host;
  let rnd = 0;
  if (delay > 1) {
    const s = host.sim.random.stream(`host:${host.name}:${fam}-report`);
    rnd = s.int(0, delay - 1);
    host.sim.decide(s.name, `${iface.name}-report-delay`, rnd);
  }
  st.timer?.cancel();
  const gen = host.generation;
  st.timer = host.sim.after((rnd + 2) * JIFFY_NS, () => {
    st.timer = null;
    if (!host.up || host.generation !== gen) return;
    const recs = records(st);
    if (recs.length > 0 && iface.up) send(recs);
    if (st.ifcCount > 0) {
      st.ifcCount--;
      arm(iface, st, UNSOLICITED_JIFFIES, fam, send);
    }
  });
}

/** igmp_ifc_event / mld_ifc_event: a record for `group` is (re)queued and the interface timer restarts. */
function change<A>(iface: Interface, st: ReportState<A>, key: string, group: A, join: boolean, fam: string, send: (r: GroupRecord<A>[]) => void): void {
  if (iface.loopback || !iface.host.up) return;
  st.pending.delete(key); // a join after a pending leave (or the reverse) replaces it (igmpv3_del_delrec)
  st.pending.set(key, { group, join, count: ROBUSTNESS });
  st.ifcCount = ROBUSTNESS;
  arm(iface, st, 1, fam, send);
}

/** Splits records so each report fits the interface MTU (igmpv3_send_cr starts a new packet when one is full). */
function chunks<A>(recs: GroupRecord<A>[], perPacket: number): GroupRecord<A>[][] {
  const out: GroupRecord<A>[][] = [];
  for (let i = 0; i < recs.length; i += perPacket) out.push(recs.slice(i, i + perPacket));
  return out;
}

function sendIgmp(iface: Interface, recs: GroupRecord<number>[]): void {
  const ipv4 = iface.host.ipv4;
  // IP header 24 bytes with Router Alert, report header 8, 8 per record.
  for (const part of chunks(recs, Math.floor((iface.mtu - 24 - 8) / 8))) {
    ipv4.emit(iface, IGMPV3_ALL_ROUTERS, {
      tos: 0xc0, id: 0, dontFragment: true, moreFragments: false, fragOffset: 0, ttl: 1, protocol: IPPROTO_IGMP,
      src: iface.primaryIpv4() ?? ipv4.anyAddress() ?? 0, dst: IGMPV3_ALL_ROUTERS, options: IPV4_ROUTER_ALERT,
      payload: emitIgmpv3Report(part),
    });
  }
}

function sendMld(iface: Interface, recs: GroupRecord<Uint8Array>[]): void {
  // RFC 3810 §5.2.13: the link-local source, or :: when the interface has none yet.
  const src = iface.linkLocal6() ?? new Uint8Array(16);
  for (const part of chunks(recs, Math.floor((iface.mtu - 40 - 8 - 8) / 20))) {
    const mld = emitMldv2Report(part, src, MLDV2_ALL_ROUTERS);
    const payload = new Uint8Array(8 + mld.length);
    payload.set(hopByHopRouterAlert(IPPROTO_ICMPV6), 0);
    payload.set(mld, 8);
    iface.host.ipv6.emit(iface, MLDV2_ALL_ROUTERS, {
      trafficClass: 0, flowLabel: 0, nextHeader: NH_HOPOPTS, hopLimit: 1, src, dst: MLDV2_ALL_ROUTERS, payload,
    });
  }
}

/** The interface joined (`join`) or left IPv4 group `group`: queue the IGMPv3 change report (not for 224.0.0.1). */
export function reportGroup4(iface: Interface, group: number, join: boolean): void {
  if (group === ALL_SYSTEMS) return;
  change(iface, stateOf(iface).v4, String(group), group, join, 'igmp', (r) => sendIgmp(iface, r));
}

/** The interface joined or left IPv6 group `group`: queue the MLDv2 change report (MAF_NOREPORT groups excepted). */
export function reportGroup6(iface: Interface, group: Uint8Array, join: boolean): void {
  if ((group[1]! & 0x0f) < 2 || ipv6Equal(group, IPV6_ALL_NODES)) return;
  change(iface, stateOf(iface).v6, ipv6ToString(group), group.slice(), join, 'mld', (r) => sendMld(iface, r));
}

/** Forgets pending reports of every interface of host (the host crashed). */
export function resetReports(host: Host): void {
  for (const i of host.interfaces) {
    const s = states.get(i);
    if (!s) continue;
    s.v4.timer?.cancel();
    s.v6.timer?.cancel();
    states.delete(i);
  }
}
