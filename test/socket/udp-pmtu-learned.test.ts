/**
 * UDP's IP_MTU_DISCOVER / IPV6_MTU_DISCOVER modes once the route has learned a path MTU below the interface's,
 * against the kernel:
 * linux-probe/udp-pmtu-learned.expected.json is Linux 6.18 with a router whose far link has MTU 1400
 * (udp-pmtu-learned.sh). What it shows, and socksim must do:
 * - DONT and WANT fragment at the path MTU (WANT sets DF only on what fits); DO refuses more than the path MTU with
 *   EMSGSIZE; PROBE sends up to the interface MTU with DF, INTERFACE up to it without DF, OMIT fragments at it
 *   (ip_sk_use_pmtu, ip_dont_fragment);
 * - IPv6 alike (ip6_skb_dst_mtu), with fragments instead of DF;
 * - the router's "fragmentation needed" for a DF datagram comes back to a connected socket in a mode other than
 *   DONT as a hard error: the next send fails with EMSGSIZE and sends nothing (__udp4_lib_err).
 * socksim builds the same path (client — router — server, the last link MTU 1400, 1 ms each) and makes the same sends
 * 20 ms apart, as the probe does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, IPPROTO_IP, IPPROTO_IPV6, IPV6_MTU, IPV6_MTU_DISCOVER, IP_MTU, IP_MTU_DISCOVER, SOCK_DGRAM } from '../../stack/constants.js';
import { errnoName } from '../../stack/errno.js';
import { EV_TX } from '../../stack/events.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import { ms } from '../../sim/time.js';
import type { EventSink, SimEvent } from '../../sim/events.js';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { describeUdpPacket } from './helpers.js';

interface Send { len: number; ret: number; wire: (number | boolean)[][] }
interface Family { learn: Record<string, unknown>; modes: Record<string, Record<string, unknown>> }
const golden = JSON.parse(readFileSync(new URL('./linux-probe/udp-pmtu-learned.expected.json', import.meta.url), 'utf8')) as
  Family & { kernel: string; v6: Family };

/**
 * The UDP packets (and fragments) host a puts on its link towards the router, as the probe describes them: IPv4
 * [DF, MF, fragment offset, total length], IPv6 [has a Fragment header, payload length].
 */
class WireSink implements EventSink {
  packets: (number | boolean)[][] = [];
  push(ev: SimEvent): void {
    if (ev[0] !== EV_TX || ev[3] !== 'a:eth0') return;
    const f = ev[5] as Uint8Array;
    const type = (f[12]! << 8) | f[13]!;
    if (type !== 0x0800 && type !== 0x86dd) return;
    const d = describeUdpPacket(f.subarray(14), 9);
    if (d) this.packets.push(d);
  }
  take(): (number | boolean)[][] {
    const out = this.packets;
    this.packets = [];
    return out;
  }
}

async function simulate(v6: boolean): Promise<Family> {
  const wire = new WireSink();
  const sim = new Sim({ seed: 1, sink: wire });
  const net = new Network(sim);
  const a = net.addHost('a'), r = net.addRouter('r'), b = net.addHost('b');
  net.connect(a, r, { latencyNs: ms(1) }, { a: { ipv4: '10.0.1.2/24', ipv6: '2001:db8:1::2/64' }, b: { ipv4: '10.0.1.1/24', ipv6: '2001:db8:1::1/64' } });
  net.connect(r, b, { latencyNs: ms(1), mtu: 1400 }, { a: { ipv4: '10.0.2.1/24', ipv6: '2001:db8:2::1/64' }, b: { ipv4: '10.0.2.2/24', ipv6: '2001:db8:2::2/64' } });
  for (const [h, gw4, gw6] of [[a, '10.0.1.1', '2001:db8:1::1'], [b, '10.0.2.1', '2001:db8:2::1']] as const) {
    net.setDefaultGateway(h, gw4);
    net.setDefaultGateway(h, gw6);
  }
  const fam = v6 ? AF_INET6 : AF_INET;
  const [lvl, mtuDisc, mtuOpt] = v6 ? [IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_MTU] : [IPPROTO_IP, IP_MTU_DISCOVER, IP_MTU];
  const server = v6 ? inet6('2001:db8:2::2', 9) : inet('10.0.2.2', 9);
  const [fits, fitsDev] = v6 ? [1352, 1452] : [1372, 1472];
  b.spawn('sink', async (sys) => {
    const u = await sys.socket(fam, SOCK_DGRAM, 0);
    await sys.bind(u, v6 ? inet6('::', 9) : inet('0.0.0.0', 9));
    const buf = new Uint8Array(70000);
    for (;;) if ((await sys.recv(u, buf, 0)) < 0) break;
  });
  const mtuKey = v6 ? 'IPV6_MTU' : 'IP_MTU';
  const learn: Record<string, unknown> = {};
  const modes: Record<string, Record<string, unknown>> = {};
  a.spawn('client', async (sys) => {
    const l = await sys.socket(fam, SOCK_DGRAM, 0);
    await sys.setsockopt(l, lvl, mtuDisc, 2);
    await sys.connect(l, server);
    await sys.send(l, new Uint8Array(fitsDev), 0);
    await sys.sleep(ms(100));
    learn[mtuKey] = await sys.getsockoptInt(l, lvl, mtuOpt);
    learn.resend = (await sys.send(l, new Uint8Array(fitsDev), 0)) < 0 ? errnoName(sys.errno) : 'ok';
    wire.take();
    for (let mode = 0; mode < 6; mode++) {
      const s = await sys.socket(fam, SOCK_DGRAM, 0);
      await sys.setsockopt(s, lvl, mtuDisc, mode);
      await sys.connect(s, server);
      const sends: Send[] = [];
      for (const len of [fits, fits + 1, fitsDev, fitsDev + 1]) {
        const n = await sys.send(s, new Uint8Array(len), 0);
        await sys.sleep(ms(20));
        sends.push({ len, ret: n < 0 ? -sys.errno : n, wire: wire.take() });
      }
      modes[String(mode)] = { sends, [mtuKey]: await sys.getsockoptInt(s, lvl, mtuOpt) };
    }
    sim.stop('done');
  });
  await sim.run();
  return { learn, modes };
}

describe(`UDP path-MTU modes over a learned path MTU (kernel ${golden.kernel})`, () => {
  for (const v6 of [false, true]) {
    test(`${v6 ? 'IPv6' : 'IPv4'}: the learning socket, then each mode: send results and packets on the wire as Linux`, async () => {
      const want = v6 ? golden.v6 : golden;
      const got = await simulate(v6);
      expect(got.learn).toEqual(want.learn);
      for (const [mode, w] of Object.entries(want.modes)) expect(got.modes[mode], `${v6 ? 'IPV6' : 'IP'}_MTU_DISCOVER ${mode}`).toEqual(w);
    });
  }
});
