/**
 * Group membership against a reference model of Linux's rules (net/ipv4/igmp.c): under any sequence of
 * IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP / close over several sockets, groups and interfaces,
 *   - a join answers 0, or EADDRINUSE when the socket already holds (group, interface); a leave 0, or
 *     EADDRNOTAVAIL when it holds no such membership;
 *   - an interface is in a group exactly while some socket holds a membership there, counted per membership;
 *   - once the reports have gone out, the last IGMPv3 record the link heard for each group is the interface's state
 *     (CHANGE_TO_EXCLUDE while joined, CHANGE_TO_INCLUDE after the last leave), and a group never joined is never
 *     reported.
 */
import { expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { AF_INET, AF_INET6, IPPROTO_IP, IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP, SOCK_DGRAM } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import { ms, sec } from '../../sim/time.js';
import { ipv4FromString } from '../../stack/wire/addr.js';
import { parseIgmpv3Report } from '../../stack/wire/igmp.js';
import { dstMac, lan, mreq, mreqn, sent } from './mcast-helpers.js';

const GROUPS = ['239.0.0.1', '239.0.0.2', '224.0.0.9', '239.128.0.1'];
/** Host b's interfaces: eth0 (index 2, 10.0.0.2) and eth1 (index 3, 10.1.0.2). */
const IFACES = [{ index: 2, addr: '10.0.0.2', name: 'eth0' }, { index: 3, addr: '10.1.0.2', name: 'eth1' }];

const op = fc.record({
  kind: fc.constantFrom('join', 'leave', 'close'),
  sock: fc.nat({ max: 2 }),
  group: fc.nat({ max: GROUPS.length - 1 }),
  iface: fc.nat({ max: 1 }),
  byIndex: fc.boolean(),
  waitMs: fc.constantFrom(0, 0, 5, 300, 1200),
});

test.prop([fc.array(op, { maxLength: 40 })], { numRuns: 60 })('memberships, interface state and reports follow the model', async (ops) => {
  const { sim, sink, b } = lan();
  const model: Set<string>[] = [new Set(), new Set(), new Set()];
  const ever = new Set<string>();
  let checked = false;
  b.spawn('p', async (sys) => {
    // Sockets 0 and 1 are AF_INET, socket 2 AF_INET6 (IPPROTO_IP options reach ip_setsockopt there too).
    const fams = [AF_INET, AF_INET, AF_INET6];
    const fds = await Promise.all(fams.map((f) => sys.socket(f, SOCK_DGRAM, 0)));
    for (const o of ops) {
      const ifc = IFACES[o.iface]!, g = GROUPS[o.group]!, key = `${g}@${ifc.index}`;
      const arg = o.byIndex ? mreqn(g, '0.0.0.0', ifc.index) : mreq(g, ifc.addr);
      if (o.kind === 'close') {
        await sys.close(fds[o.sock]!);
        fds[o.sock] = await sys.socket(fams[o.sock]!, SOCK_DGRAM, 0);
        model[o.sock]!.clear();
      } else {
        const join = o.kind === 'join';
        const r = (await sys.setsockopt(fds[o.sock]!, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, arg)) === -1 ? -sys.errno : 0;
        const held = model[o.sock]!.has(key);
        expect(r).toBe(join ? (held ? -Errno.EADDRINUSE : 0) : (held ? 0 : -Errno.EADDRNOTAVAIL));
        if (join) {
          model[o.sock]!.add(key);
          ever.add(key);
        } else {
          model[o.sock]!.delete(key);
        }
      }
      for (const i of IFACES) {
        const want = new Map<number, number>();
        for (const m of model) for (const k of m) {
          const [grp, idx] = k.split('@');
          if (Number(idx) !== i.index) continue;
          const addr = ipv4FromString(grp!)!;
          want.set(addr, (want.get(addr) ?? 0) + 1);
        }
        expect(new Map(b.iface(i.name)!.groups4)).toEqual(want);
      }
      if (o.waitMs) await sys.sleep(ms(o.waitMs));
    }
    await sys.sleep(sec(3)); // every pending report has gone out
    for (const i of IFACES) {
      const last = new Map<number, number>();
      for (const f of sent(sink.events, `b:${i.name}`)) {
        if (dstMac(f.bytes) !== '01005e000016') continue;
        for (const rec of parseIgmpv3Report(f.bytes.subarray(14 + 24))) last.set(rec.group, rec.type);
      }
      const joinedEver = new Set([...ever].filter((k) => k.endsWith(`@${i.index}`)).map((k) => k.split('@')[0]));
      const groups4 = b.iface(i.name)!.groups4;
      for (const g of GROUPS) {
        const addr = ipv4FromString(g)!;
        if (!joinedEver.has(g)) expect(last.has(addr)).toBe(false);
        else expect(last.get(addr)).toBe(groups4.has(addr) ? 4 : 3);
      }
    }
    checked = true;
  });
  await sim.run();
  expect(checked).toBe(true);
});
