/**
 * Captures read cleanly in tshark: a run with ARP, neighbour discovery, ICMP and ICMPv6 echo and errors (port
 * unreachable, fragmentation needed, packet too big), and fragmented IPv4 and IPv6 UDP is exported per link, as a
 * capture on each wire would be, from the recorded 'tx' events. tshark must parse every frame without a
 * malformed-packet mark and without expert warnings or errors with IP and UDP checksum validation switched on, and
 * must dissect and reassemble what the run sent.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { AF_INET, AF_INET6, IPPROTO_ICMP, IPPROTO_ICMPV6, SOCK_DGRAM } from '../../stack/constants.js';
import { inet, inet6 } from '../../stack/sockaddr.js';
import { ms } from '../../sim/time.js';
import { haveTshark, makeNet, pcapOf, tshark, type MemorySink } from './helpers.js';

const CHECKS = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];

/** a —(1500)— r —(1280)— b, both families; b runs a UDP sink on port 7000 of both families. */
async function run(): Promise<{ sink: MemorySink; links: string[] }> {
  const { sim, net, sink } = makeNet(11);
  const a = net.addHost('a'), r = net.addRouter('r'), b = net.addHost('b');
  const l1 = net.connect(a, r, { latencyNs: ms(1) }, { a: { ipv4: '10.0.1.2/24', ipv6: '2001:db8:1::2/64' }, b: { ipv4: '10.0.1.1/24', ipv6: '2001:db8:1::1/64' } });
  const l2 = net.connect(r, b, { latencyNs: ms(1), mtu: 1280 }, { a: { ipv4: '10.0.2.1/24', ipv6: '2001:db8:2::1/64' }, b: { ipv4: '10.0.2.2/24', ipv6: '2001:db8:2::2/64' } });
  net.setDefaultGateway(a, '10.0.1.1');
  net.setDefaultGateway(a, '2001:db8:1::1');
  net.setDefaultGateway(b, '10.0.2.1');
  net.setDefaultGateway(b, '2001:db8:2::1');
  a.ping.groupRange = [0, 2147483647];
  b.spawn('sink', async (sys) => {
    const fd = await sys.socket(AF_INET6, SOCK_DGRAM, 0); // dual-stack: takes IPv4 too
    await sys.bind(fd, inet6('::', 7000));
    const buf = new Uint8Array(65536);
    for (;;) await sys.recv(fd, buf);
  });
  a.spawn('traffic', async (sys) => {
    const p4 = await sys.socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    const p6 = await sys.socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
    await sys.sendto(p4, Uint8Array.of(8, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3), 0, inet('10.0.2.2', 0));
    await sys.sendto(p6, Uint8Array.of(128, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3), 0, inet6('2001:db8:2::2', 0));
    const u4 = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    const u6 = await sys.socket(AF_INET6, SOCK_DGRAM, 0);
    await sys.sleep(ms(20));
    await sys.sendto(u4, new Uint8Array(4000).fill(4), 0, inet('10.0.2.2', 7000)); // fragmented at a and at r
    await sys.sendto(u4, new Uint8Array(1400).fill(5), 0, inet('10.0.2.2', 7000)); // DF: frag-needed from r
    await sys.sendto(u6, new Uint8Array(1400).fill(6), 0, inet6('2001:db8:2::2', 7000)); // packet too big from r
    await sys.sleep(ms(20));
    await sys.sendto(u6, new Uint8Array(3000).fill(7), 0, inet6('2001:db8:2::2', 7000)); // source-fragmented
    await sys.sendto(u4, new Uint8Array(10), 0, inet('10.0.2.2', 9)); // port unreachable
    await sys.sendto(u6, new Uint8Array(10), 0, inet6('2001:db8:2::2', 9)); // ICMPv6 port unreachable
  });
  await sim.run();
  return { sink, links: [l1.name, l2.name] };
}

describe.skipIf(!haveTshark())('pcap export read by tshark', () => {
  let sink: MemorySink;
  let links: string[];
  beforeAll(async () => {
    ({ sink, links } = await run());
  });

  test('every link capture parses without malformed frames, warnings or errors', () => {
    for (const l of links) {
      const pcap = pcapOf(sink.events, (x) => x === l);
      const expert = tshark(pcap, [...CHECKS, '-q', '-z', 'expert,warn']).out;
      expect(expert, l).not.toMatch(/Warns|Errors|Malformed/);
      const malformed = tshark(pcap, [...CHECKS, '-Y', '_ws.malformed || _ws.expert.severity >= 6291456']).out;
      expect(malformed.trim(), l).toBe('');
    }
  });

  test('tshark sees ARP, ND, ICMP/ICMPv6 echo and errors, and reassembles the fragmented datagrams', () => {
    const [l1, l2] = links as [string, string];
    const first = pcapOf(sink.events, (x) => x === l1);
    const second = pcapOf(sink.events, (x) => x === l2);
    const count = (pcap: Uint8Array, filter: string) => tshark(pcap, [...CHECKS, '-Y', filter]).out.trim().split('\n').filter(Boolean).length;
    expect(count(first, 'arp.opcode == 1')).toBeGreaterThanOrEqual(1);
    expect(count(first, 'arp.opcode == 2')).toBeGreaterThanOrEqual(1);
    expect(count(first, 'icmpv6.type == 135')).toBeGreaterThanOrEqual(1);
    expect(count(first, 'icmpv6.type == 136')).toBeGreaterThanOrEqual(1);
    expect(count(first, 'icmp.type == 8')).toBe(1);
    expect(count(first, 'icmp.type == 0')).toBe(1);
    expect(count(first, 'icmpv6.type == 128')).toBe(1);
    expect(count(first, 'icmpv6.type == 129')).toBe(1);
    expect(count(first, 'icmp.type == 3 && icmp.code == 4 && icmp.mtu == 1280')).toBe(1);
    expect(count(first, 'icmpv6.type == 2 && icmpv6.mtu == 1280')).toBe(1);
    expect(count(first, 'icmp.type == 3 && icmp.code == 3')).toBe(1);
    expect(count(first, 'icmpv6.type == 1 && icmpv6.code == 4')).toBe(1);
    // Reassembly: the 4000-byte IPv4 datagram on both hops, the 3000-byte IPv6 one.
    expect(count(first, 'udp.length == 4008')).toBe(1);
    expect(count(second, 'udp.length == 4008')).toBe(1);
    expect(count(first, 'udp.length == 3008 && ipv6.fragment')).toBe(1);
    expect(count(second, 'ip.flags.mf == 1')).toBeGreaterThanOrEqual(3);
  });
});
