/**
 * UDP's IP_MTU_DISCOVER modes once the route has learned a path MTU below the interface's, against the kernel:
 * linux-probe/udp-pmtu-learned.expected.json is Linux 6.18 with a router whose far link has MTU 1400
 * (udp-pmtu-learned.sh). What it shows, and socksim must do:
 * - DONT and WANT fragment at the path MTU (WANT sets DF only on what fits); DO refuses more than the path MTU with
 *   EMSGSIZE; PROBE sends up to the interface MTU with DF, INTERFACE up to it without DF, OMIT fragments at it
 *   (ip_sk_use_pmtu, ip_dont_fragment);
 * - the router's "fragmentation needed" for a DF datagram comes back to a connected socket in a mode other than
 *   DONT as a hard error: the next send fails with EMSGSIZE and sends nothing (__udp4_lib_err).
 * socksim builds the same path (client — router — server, the last link MTU 1400, 1 ms each) and makes the same sends
 * 20 ms apart, as the probe does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { AF_INET, IPPROTO_IP, IP_MTU, IP_MTU_DISCOVER, SOCK_DGRAM } from '../../stack/constants.js';
import { EV_TX } from '../../stack/events.js';
import { inet } from '../../stack/sockaddr.js';
import { ms } from '../../sim/time.js';
import type { EventSink, SimEvent } from '../../sim/events.js';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';

interface Send { len: number; ret: number; wire: (number | boolean)[][] }
const golden = JSON.parse(readFileSync(new URL('./linux-probe/udp-pmtu-learned.expected.json', import.meta.url), 'utf8')) as {
  kernel: string; learn: { IP_MTU: number; resend: string }; modes: Record<string, { sends: Send[]; IP_MTU: number }>;
};

/** The IPv4 UDP packets (and fragments) host a puts on its link towards the router, as the probe describes them. */
class WireSink implements EventSink {
  packets: (number | boolean)[][] = [];
  push(ev: SimEvent): void {
    if (ev[0] !== EV_TX || ev[3] !== 'a:eth0') return;
    const f = ev[5] as Uint8Array;
    if (((f[12]! << 8) | f[13]!) !== 0x0800) return;
    const p = f.subarray(14);
    const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const flags = dv.getUint16(6);
    if (p[9] !== 17 || (!(flags & 0x1fff) && dv.getUint16(22) !== 9)) return;
    this.packets.push([(flags & 0x4000) !== 0, (flags & 0x2000) !== 0, (flags & 0x1fff) * 8, dv.getUint16(2)]);
  }
  take(): (number | boolean)[][] {
    const out = this.packets;
    this.packets = [];
    return out;
  }
}

async function simulate() {
  const wire = new WireSink();
  const sim = new Sim({ seed: 1, sink: wire });
  const net = new Network(sim);
  const a = net.addHost('a'), r = net.addRouter('r'), b = net.addHost('b');
  net.connect(a, r, { latencyNs: ms(1) }, { a: { ipv4: '10.0.1.2/24' }, b: { ipv4: '10.0.1.1/24' } });
  net.connect(r, b, { latencyNs: ms(1), mtu: 1400 }, { a: { ipv4: '10.0.2.1/24' }, b: { ipv4: '10.0.2.2/24' } });
  net.setDefaultGateway(a, '10.0.1.1');
  net.setDefaultGateway(b, '10.0.2.1');
  b.spawn('sink', async (sys) => {
    const u = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.bind(u, inet('0.0.0.0', 9));
    const buf = new Uint8Array(70000);
    for (;;) if ((await sys.recv(u, buf, 0)) < 0) break;
  });
  const learn: Record<string, unknown> = {};
  const modes: Record<string, { sends: Send[]; IP_MTU: number }> = {};
  a.spawn('client', async (sys) => {
    const l = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.setsockopt(l, IPPROTO_IP, IP_MTU_DISCOVER, 2);
    await sys.connect(l, inet('10.0.2.2', 9));
    await sys.send(l, new Uint8Array(1472), 0);
    await sys.sleep(ms(100));
    learn.IP_MTU = await sys.getsockoptInt(l, IPPROTO_IP, IP_MTU);
    learn.resend = (await sys.send(l, new Uint8Array(1472), 0)) < 0 ? (sys.errno === 90 ? 'EMSGSIZE' : String(sys.errno)) : 'ok';
    wire.take();
    for (let mode = 0; mode < 6; mode++) {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, mode);
      await sys.connect(s, inet('10.0.2.2', 9));
      const sends: Send[] = [];
      for (const len of [1372, 1373, 1472, 1473]) {
        const n = await sys.send(s, new Uint8Array(len), 0);
        await sys.sleep(ms(20));
        sends.push({ len, ret: n < 0 ? -sys.errno : n, wire: wire.take() });
      }
      modes[String(mode)] = { sends, IP_MTU: await sys.getsockoptInt(s, IPPROTO_IP, IP_MTU) };
    }
    sim.stop('done');
  });
  await sim.run();
  return { learn, modes };
}

describe(`UDP path-MTU modes over a learned path MTU (kernel ${golden.kernel})`, () => {
  test('the learning socket, then each mode: send results and packets on the wire as Linux', async () => {
    const got = await simulate();
    expect(got.learn).toEqual(golden.learn);
    for (const [mode, want] of Object.entries(golden.modes)) expect(got.modes[mode], `IP_MTU_DISCOVER ${mode}`).toEqual(want);
  });
});
