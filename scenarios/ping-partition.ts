/**
 * Ping across a partition and its healing: hosts a and b on two subnets joined by router r (IPv4 and IPv6), a
 * pinging b once a second over ICMP echo sockets of both families. At 3.5 s the network partitions {a} from {b}; at
 * 6.5 s it heals. Echoes sent inside the partition go unanswered (the requests reach b's side and are dropped
 * there); those before and after are answered. Each probe's outcome is a note in the recording:
 * "ping4 seq=N reply rtt=…ms" or "ping4 seq=N timeout" (and "ping6 …").
 */
import { AF_INET, AF_INET6, IPPROTO_ICMP, IPPROTO_ICMPV6, MSG_DONTWAIT, SOCK_DGRAM } from '../stack/constants.js';
import type { Network } from '../stack/network.js';
import { inet, inet6 } from '../stack/sockaddr.js';
import type { Sys } from '../stack/sys.js';
import { ms, sec } from '../sim/time.js';
import { registerScenario } from './registry.js';

/** Echo requests each pinger sends, one a second. */
export const PING_COUNT = 10;
/** When the partition starts and when it heals. */
export const PARTITION_AT = sec(3.5), HEAL_AT = sec(6.5);

/** Sends PING_COUNT echoes to dst, one a second, noting each reply or timeout (1 s, as ping -W 1). */
async function pinger(sys: Sys, v: 4 | 6, dst: string): Promise<void> {
  const fd = v === 4 ? await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) : await sys.socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
  const to = v === 4 ? inet(dst, 0) : inet6(dst, 0);
  const buf = new Uint8Array(128);
  for (let seq = 1; seq <= PING_COUNT; seq++) {
    const start = sys.now;
    const req = Uint8Array.of(v === 4 ? 8 : 128, 0, 0, 0, 0, 0, seq >> 8, seq & 0xff, ...new TextEncoder().encode('socksim ping'));
    await sys.sendto(fd, req, 0, to);
    let answered = false;
    while (sys.now - start < sec(1)) {
      const n = await sys.recv(fd, buf, MSG_DONTWAIT);
      if (n >= 8 && ((buf[6]! << 8) | buf[7]!) === seq) {
        sys.host.sim.note(`ping${v} seq=${seq} reply rtt=${(sys.now - start) / 1e6}ms`);
        answered = true;
        break;
      }
      if (n < 0) await sys.sleep(ms(1));
    }
    if (!answered) sys.host.sim.note(`ping${v} seq=${seq} timeout`);
    const next = start + sec(1);
    if (sys.now < next) await sys.sleep(next - sys.now);
  }
  await sys.close(fd);
}

/** Builds the topology, the pingers, and the partition/heal schedule on an empty network. */
export function pingPartition(net: Network): void {
  const a = net.addHost('a');
  const r = net.addRouter('r');
  const b = net.addHost('b');
  const wire = { latencyNs: ms(5) };
  net.connect(a, r, wire, { a: { ipv4: '10.0.1.2/24', ipv6: '2001:db8:1::2/64' }, b: { ipv4: '10.0.1.1/24', ipv6: '2001:db8:1::1/64' } });
  net.connect(r, b, wire, { a: { ipv4: '10.0.2.1/24', ipv6: '2001:db8:2::1/64' }, b: { ipv4: '10.0.2.2/24', ipv6: '2001:db8:2::2/64' } });
  net.setDefaultGateway(a, '10.0.1.1');
  net.setDefaultGateway(a, '2001:db8:1::1');
  net.setDefaultGateway(b, '10.0.2.1');
  net.setDefaultGateway(b, '2001:db8:2::1');
  // ICMP echo sockets need the caller's group in ping_group_range (systemd's setting admits everyone).
  a.ping.groupRange = [0, 2147483647];
  a.spawn('ping4', (sys) => pinger(sys, 4, '10.0.2.2'));
  a.spawn('ping6', (sys) => pinger(sys, 6, '2001:db8:2::2'));
  const sim = net.sim;
  sim.at(PARTITION_AT, () => {
    sim.note('partition {a} | {b}');
    net.partition([a], [b]);
  });
  sim.at(HEAL_AT, () => {
    sim.note('heal');
    net.heal();
  });
}

registerScenario({
  name: 'ping-partition',
  description: 'ICMP echo (IPv4 and IPv6) across a router while the network partitions and heals',
  defaults: {},
  maxTimeNs: sec(120),
  build: (net) => pingPartition(net),
});
