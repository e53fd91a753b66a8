/**
 * IP_MTU_DISCOVER on TCP sockets against the kernel (../socket/linux-probe/tcp-df.expected.json, from tcp-df.sh on
 * Linux 6.18): DF is set on a connection's segments only for IP_PMTUDISC_WANT (the default) and IP_PMTUDISC_DO
 * (ip_dont_fragment); DONT, PROBE, INTERFACE and OMIT send without it. (The MSS still follows the route's path
 * MTU in every mode, as tcp_current_mss does; socksim learns a path MTU at the IP layer whichever socket's ICMP
 * message taught it, where Linux's tcp_v4_err skips the update for an IP_PMTUDISC_DONT socket.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { AF_INET, IPPROTO_IP, IP_MTU_DISCOVER, SOCK_STREAM } from '../../stack/constants.js';
import { EV_TX } from '../../stack/events.js';
import { inet } from '../../stack/sockaddr.js';
import type { EventSink, SimEvent } from '../../sim/events.js';

const golden = JSON.parse(readFileSync(new URL('../socket/linux-probe/tcp-df.expected.json', import.meta.url), 'utf8')) as Record<string, [boolean[], number]>;

/** DF of the TCP segments sent from `port`, in order. */
class DfSink implements EventSink {
  port = -1;
  readonly dfs: boolean[] = [];
  push(ev: SimEvent): void {
    if (ev[0] !== EV_TX) return;
    let p = ev[5] as Uint8Array;
    if (((p[12]! << 8) | p[13]!) === 0x0800) p = p.subarray(14);
    if (p[0]! >> 4 !== 4 || p[9] !== 6) return;
    if (((p[20]! << 8) | p[21]!) === this.port) this.dfs.push((p[6]! & 0x40) !== 0);
  }
}

describe('IP_MTU_DISCOVER on TCP, against Linux', () => {
  for (const mode of Object.keys(golden)) {
    test(`mode ${mode}: DF ${JSON.stringify(golden[mode]![0])}`, async () => {
      const sink = new DfSink();
      const sim = new Sim({ seed: 1, sink });
      const net = new Network(sim);
      const h = net.addHost('h');
      let readBack = -1;
      h.spawn('probe', async (sys) => {
        const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
        await sys.bind(l, inet('127.0.0.1', 5000));
        await sys.listen(l, 1);
        const s = await sys.socket(AF_INET, SOCK_STREAM, 0);
        if (mode !== 'None') expect(await sys.setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, Number(mode))).toBe(0);
        await sys.bind(s, inet('127.0.0.1', 40000));
        sink.port = 40000;
        await sys.connect(s, inet('127.0.0.1', 5000));
        await sys.accept(l, null);
        await sys.send(s, new Uint8Array(100));
        await sys.sleep(50e6);
        readBack = await sys.getsockoptInt(s, IPPROTO_IP, IP_MTU_DISCOVER);
      });
      await sim.run();
      expect([sink.dfs.slice(0, 3), readBack]).toEqual(golden[mode]);
    });
  }

  test('values outside IP_PMTUDISC_DONT..IP_PMTUDISC_OMIT are EINVAL', async () => {
    const sim = new Sim({ seed: 1 });
    const net = new Network(sim);
    const h = net.addHost('h');
    const errs: number[] = [];
    h.spawn('probe', async (sys) => {
      const s = await sys.socket(AF_INET, SOCK_STREAM, 0);
      for (const v of [-1, 6]) errs.push((await sys.setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, v)) < 0 ? sys.errno : 0);
    });
    await sim.run();
    expect(errs).toEqual([22, 22]);
  });
});
