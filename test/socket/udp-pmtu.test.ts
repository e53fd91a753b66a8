/**
 * IP_MTU_DISCOVER, IPV6_MTU_DISCOVER, IPV6_DONTFRAG, IP_MTU and IPV6_MTU on UDP sockets against the kernel:
 * linux-probe/udp-pmtu.expected.json is what Linux 6.18 did over a loopback of MTU 1500 (linux-probe/udp-pmtu.sh):
 * for each mode, a datagram that just fits and one a byte too big — the send's result, what crossed the wire (DF,
 * fragments) and what arrived. socksim runs the same sends over its own loopback, set to MTU 1500, and must match.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { setMtu } from '../../stack/ifconfig.js';
import { AF_INET, AF_INET6, SOCK_DGRAM } from '../../stack/constants.js';
import { EV_TX } from '../../stack/events.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import type { Sys } from '../../stack/sys.js';
import { describeUdpPacket } from './helpers.js';
import type { EventSink, SimEvent } from '../../sim/events.js';

interface Send { ret: number; wire: (number | boolean)[][]; got: number[] }
const golden = JSON.parse(readFileSync(new URL('./linux-probe/udp-pmtu.expected.json', import.meta.url), 'utf8')) as {
  kernel: string; v4: Record<string, Send[]>; v6: Record<string, Send[]>; opts: Record<string, unknown>;
};

/** The IP packets of the transmitted frames (after a 14-byte Ethernet header when there is one). */
class WireSink implements EventSink {
  readonly packets: Uint8Array[] = [];
  push(ev: SimEvent): void {
    if (ev[0] !== EV_TX) return;
    const f = ev[5] as Uint8Array;
    const ethertype = (f[12]! << 8) | f[13]!;
    this.packets.push(ethertype === 0x0800 || ethertype === 0x86dd ? f.subarray(14) : f);
  }
}

async function run(fam: number, mode: number | null, sizes: number[], dontfrag = false): Promise<Send[]> {
  const wire = new WireSink();
  const sim = new Sim({ seed: 1, sink: wire });
  const net = new Network(sim);
  const h = net.addHost('h');
  setMtu(h.iface('lo')!, 1500);
  const out: Send[] = [];
  h.spawn('probe', async (sys: Sys) => {
    const addr = fam === AF_INET ? inet('127.0.0.1', 7100) : inet6('::1', 7100);
    const r = await sys.socket(fam, SOCK_DGRAM, 0);
    await sys.bind(r, addr);
    const s = await sys.socket(fam, SOCK_DGRAM, 0);
    if (mode !== null) expect(await sys.setsockopt(s, fam === AF_INET ? 0 : 41, fam === AF_INET ? 10 : 23, mode)).toBe(0);
    if (dontfrag) expect(await sys.setsockopt(s, 41, 62, 1)).toBe(0);
    await sys.connect(s, addr);
    for (const n of sizes) {
      wire.packets.length = 0;
      const ret = await sys.send(s, new Uint8Array(n));
      const sent = ret < 0 ? -sys.errno : ret;
      await sys.sleep(1e6);
      const got: number[] = [];
      for (;;) {
        const k = await sys.recv(r, new Uint8Array(70000), 0x40);
        if (k < 0) break;
        got.push(k);
      }
      out.push({ ret: sent, wire: wire.packets.map((p) => describeUdpPacket(p, 7100)).filter((x) => x !== null), got });
    }
  });
  await sim.run();
  return out;
}

describe(`UDP path-MTU discovery modes against Linux ${golden.kernel} (loopback MTU 1500)`, () => {
  for (const mode of ['None', '0', '1', '2', '3', '4', '5']) {
    const m = mode === 'None' ? null : Number(mode);
    test(`IPv4, IP_MTU_DISCOVER ${mode}: 1472 and 1473 bytes`, async () => {
      expect(await run(AF_INET, m, [1472, 1473])).toEqual(golden.v4[mode]);
    });
    test(`IPv6, IPV6_MTU_DISCOVER ${mode}: 1452 and 1453 bytes`, async () => {
      expect(await run(AF_INET6, m, [1452, 1453])).toEqual(golden.v6[mode]);
    });
  }
  test('IPv6, IPV6_DONTFRAG: a datagram over the MTU is EMSGSIZE', async () => {
    expect(await run(AF_INET6, null, [1452, 1453], true)).toEqual(golden.v6.dontfrag);
  });

  test('option values, defaults and IP_MTU / IPV6_MTU', async () => {
    const sim = new Sim({ seed: 1 });
    const net = new Network(sim);
    const h = net.addHost('h');
    setMtu(h.iface('lo')!, 1500);
    const o: Record<string, unknown> = {};
    h.spawn('probe', async (sys) => {
      for (const [fam, lvl, name, key] of [[AF_INET, 0, 10, 'IP_MTU_DISCOVER'], [AF_INET6, 41, 23, 'IPV6_MTU_DISCOVER'], [AF_INET6, 41, 62, 'IPV6_DONTFRAG']] as const) {
        const s = await sys.socket(fam, SOCK_DGRAM, 0);
        o[`${key} default`] = await sys.getsockoptInt(s, lvl, name);
        for (const v of [-1, 5, 6]) {
          o[`${key} ${v}`] = (await sys.setsockopt(s, lvl, name, v)) < 0 ? ['err', sys.errno] : ['ok', await sys.getsockoptInt(s, lvl, name)];
        }
      }
      for (const [fam, lvl, name, key, addr] of [[AF_INET, 0, 14, 'IP_MTU', inet('127.0.0.1', 9)], [AF_INET6, 41, 24, 'IPV6_MTU', inet6('::1', 9)]] as const) {
        const s = await sys.socket(fam, SOCK_DGRAM, 0);
        const u = await sys.getsockoptInt(s, lvl, name);
        o[`${key} unconnected`] = u < 0 ? ['err', sys.errno] : u;
        await sys.connect(s, addr);
        o[`${key} connected`] = await sys.getsockoptInt(s, lvl, name);
      }
    });
    await sim.run();
    expect(o).toEqual(golden.opts);
  });
});
