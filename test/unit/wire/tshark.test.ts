/**
 * An independent decoder checks our bytes: frames of every kind go into a pcap, and Wireshark's tshark must
 * find no malformed packet, no error-level expert info, and every IPv4/UDP/TCP/ICMP/ICMPv6 checksum good.
 * Skipped, with a message, only where tshark is not installed (`apt-get install -y tshark`).
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { emitEthernet, ETHERTYPE_ARP, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../../../stack/wire/ethernet.js';
import { emitArp } from '../../../stack/wire/arp.js';
import { emitIpv4, type Ipv4Repr } from '../../../stack/wire/ipv4.js';
import { emitIpv6, emitIpv6FragmentHeader, type Ipv6Repr } from '../../../stack/wire/ipv6.js';
import { emitUdp } from '../../../stack/wire/udp.js';
import { emitTcp, linuxSynOptions, linuxTcpOptions, TCP_ACK, TCP_PSH, TCP_SYN } from '../../../stack/wire/tcp.js';
import { emitIcmpv4 } from '../../../stack/wire/icmpv4.js';
import { emitIcmpv6 } from '../../../stack/wire/icmpv6.js';
import { ipv4FromString, ipv6FromString, ipv6MulticastMac, ipv6SolicitedNode } from '../../../stack/wire/addr.js';
import { PcapWriter } from '../../../stack/wire/pcap.js';

const hasTshark = ((): boolean => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTshark) console.warn('tshark.test.ts: tshark not installed (apt-get install -y tshark); cross-check skipped');

const MAC_A = 0x020000000001, MAC_B = 0x020000000002;
const A4 = ipv4FromString('192.0.2.1')!, B4 = ipv4FromString('192.0.2.2')!;
const A6 = ipv6FromString('2001:db8::1')!, B6 = ipv6FromString('2001:db8::2')!;
const LL_A = ipv6FromString('fe80::ff:fe00:1')!, LL_B = ipv6FromString('fe80::ff:fe00:2')!;
const text = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s));

/** Ethernet + IPv4 around an upper-layer message. */
function v4(protocol: number, payload: Uint8Array, more: Partial<Ipv4Repr> = {}): Uint8Array {
  const ip: Ipv4Repr = {
    tos: 0, id: 0x1234, dontFragment: true, moreFragments: false, fragOffset: 0, ttl: 64, protocol, src: A4, dst: B4,
    options: new Uint8Array(0), payload, ...more,
  };
  return emitEthernet({ dst: MAC_B, src: MAC_A, etherType: ETHERTYPE_IPV4, payload: emitIpv4(ip) });
}

/** Ethernet + IPv6 around an upper-layer message. */
function v6(nextHeader: number, payload: Uint8Array, more: Partial<Ipv6Repr> = {}, dstMac = MAC_B): Uint8Array {
  const ip: Ipv6Repr = { trafficClass: 0, flowLabel: 0x12345, nextHeader, hopLimit: 64, src: A6, dst: B6, payload, ...more };
  return emitEthernet({ dst: dstMac, src: MAC_A, etherType: ETHERTYPE_IPV6, payload: emitIpv6(ip) });
}

/** A UDP/IPv4 datagram sent without a checksum (SO_NO_CHECK). */
const noChecksum = v4(17, emitUdp({ srcPort: 40000, dstPort: 9999, payload: text('no checksum') }, null));

/**
 * One frame of each kind the stack sends, with what tshark should call its protocol stack and, where not only
 * "good", the checksum statuses allowed (proto_checksum_enum_e: 0 bad, 1 good, 2 unverified, 3 not present).
 */
function frames(): [string, Uint8Array, string[]?][] {
  const ph4 = { v: 4 as const, src: A4, dst: B4 };
  const ph6 = { v: 6 as const, src: A6, dst: B6 };
  const ts = { tsval: 1000, tsecr: 0 };
  const syn = { srcPort: 45678, dstPort: 80, seq: 0xfffffff0, ack: 0, flags: TCP_SYN, window: 64240, urgent: 0 };
  const data = { ...syn, seq: 0xfffffff1, ack: 77, flags: TCP_PSH | TCP_ACK, window: 502 };
  const tsData = linuxTcpOptions({ timestamp: { tsval: 1001, tsecr: 5 }, sackBlocks: [[100, 200]] });
  const odd = text('odd-length payload');
  const echo = { code: 0, id: 0x77, seq: 3, data: text('abcdefgh') };
  const nsDst = ipv6SolicitedNode(LL_B);
  return [
    ['eth:ethertype:arp', emitEthernet({ dst: 0xffffffffffff, src: MAC_A, etherType: ETHERTYPE_ARP,
      payload: emitArp({ op: 1, senderMac: MAC_A, senderIp: A4, targetMac: 0, targetIp: B4 }) }, true)],
    ['eth:ethertype:arp', emitEthernet({ dst: MAC_A, src: MAC_B, etherType: ETHERTYPE_ARP,
      payload: emitArp({ op: 2, senderMac: MAC_B, senderIp: B4, targetMac: MAC_A, targetIp: A4 }) }, true)],
    ['eth:ethertype:ip:udp:data', v4(17, emitUdp({ srcPort: 40000, dstPort: 9999, payload: odd }, ph4))],
    // Sent without a checksum ("not computed", RFC 768): tshark reports it not present.
    ['eth:ethertype:ip:udp:data', noChecksum, ['1', '3']],
    ['eth:ethertype:ip:tcp', v4(6, emitTcp({ ...syn, options: linuxSynOptions(1460, true, ts, 7),
      payload: new Uint8Array(0) }, ph4))],
    ['eth:ethertype:ip:tcp', v4(6, emitTcp({ ...data, options: tsData, payload: odd }, ph4),
      { options: Uint8Array.of(0x94, 0x04, 0, 0) })],
    ['eth:ethertype:ip:icmp:data', v4(1, emitIcmpv4({ type: 8, ...echo }))],
    ['eth:ethertype:ip:icmp:data', v4(1, emitIcmpv4({ type: 0, ...echo }))],
    ['eth:ethertype:ip:icmp:ip:udp:data', v4(1, emitIcmpv4({ type: 3, code: 3, nextHopMtu: 0,
      original: v4(17, emitUdp({ srcPort: 1, dstPort: 2, payload: odd }, ph4)).subarray(14) }), { tos: 0xc0 })],
    ['eth:ethertype:ip:icmp:ip:tcp', v4(1, emitIcmpv4({ type: 3, code: 4, nextHopMtu: 1400,
      original: v4(6, emitTcp({ ...syn, options: [], payload: new Uint8Array(0) }, ph4)).subarray(14, 14 + 28) }))],
    ['eth:ethertype:ip:icmp:ip:udp', v4(1, emitIcmpv4({ type: 11, code: 0,
      original: v4(17, emitUdp({ srcPort: 1, dstPort: 2, payload: odd }, ph4)).subarray(14, 14 + 28) })), ['1', '2']],
    // ^ The quoted datagram is cut to IP header + 8 bytes (RFC 792), so its UDP checksum cannot be verified.
    ['eth:ethertype:ipv6:udp:data', v6(17, emitUdp({ srcPort: 40001, dstPort: 9999, payload: odd }, ph6))],
    ['eth:ethertype:ipv6:tcp', v6(6, emitTcp({ ...syn, options: linuxSynOptions(1440, true, ts, 7),
      payload: new Uint8Array(0) }, ph6))],
    ['eth:ethertype:ipv6:tcp', v6(6, emitTcp({ ...data, options: tsData, payload: odd }, ph6))],
    ['eth:ethertype:ipv6:icmpv6:data', v6(58, emitIcmpv6({ type: 128, ...echo }, A6, B6))],
    ['eth:ethertype:ipv6:icmpv6:ipv6:udp:data', v6(58, emitIcmpv6({ type: 2, code: 0, mtu: 1280,
      original: v6(17, emitUdp({ srcPort: 1, dstPort: 2, payload: odd }, ph6)).subarray(14) }, A6, B6))],
    ['eth:ethertype:ipv6:icmpv6', v6(58, emitIcmpv6({ type: 135, code: 0, target: LL_B,
      options: [{ kind: 'sourceLinkAddr', mac: MAC_A }] }, LL_A, nsDst),
    { src: LL_A, dst: nsDst, hopLimit: 255 }, ipv6MulticastMac(nsDst))],
    ['eth:ethertype:ipv6:icmpv6', v6(58, emitIcmpv6({ type: 136, code: 0, router: false, solicited: true,
      override: true, target: LL_B, options: [{ kind: 'targetLinkAddr', mac: MAC_B }] }, LL_B, LL_A),
    { src: LL_B, dst: LL_A, hopLimit: 255 })],
    ['eth:ethertype:ipv6:ipv6.fraghdr:data', v6(44, emitIpv6FragmentHeader({ nextHeader: 17, fragOffset: 1232,
      moreFragments: false, id: 0xabcdef01, payload: odd }))],
  ];
}

describe('tshark cross-check', () => {
  test.skipIf(!hasTshark)('tshark decodes every frame, finds nothing malformed and every checksum good', () => {
    const all = frames();
    const w = new PcapWriter();
    all.forEach(([, f], i) => w.addPacket(1_000_000_000 * (i + 1) + 123, f));
    const dir = mkdtempSync(join(tmpdir(), 'socksim-wire-'));
    try {
      const file = join(dir, 'frames.pcap');
      writeFileSync(file, w.toBytes());
      const out = execFileSync('tshark', ['-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
        '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number',
        '-e', 'frame.time_epoch', '-e', 'frame.protocols', '-e', '_ws.malformed', '-e', '_ws.expert.severity',
        '-e', 'ip.checksum.status', '-e', 'udp.checksum.status', '-e', 'tcp.checksum.status',
        '-e', 'icmp.checksum.status', '-e', 'icmpv6.checksum.status'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const rows = out.trim().split('\n').map((l) => l.split('|'));
      expect(rows.length).toBe(all.length);
      rows.forEach(([num, time, protocols, malformed, severity, ...statuses], i) => {
        const where = `frame ${num} (${all[i][0]})`;
        expect(time, where).toBe(`${i + 1}.000000123`); // Nanosecond timestamps survive exactly.
        expect(protocols, where).toBe(all[i][0]);
        expect(malformed, where).toBe('');
        // Expert severities: 8388608 is "error" (malformed, bad checksum); warnings and notes are allowed.
        expect(severity.split(',').filter((s) => Number(s) >= 8388608), where).toEqual([]);
        const allowed = all[i][2] ?? ['1'];
        for (const s of statuses.join(',').split(',').filter((x) => x !== '')) expect(allowed, where).toContain(s);
      });
      const statusCount = rows.flatMap((r) => r.slice(5).join(',').split(',').filter((x) => x === '1')).length;
      expect(statusCount).toBeGreaterThan(25); // Checksums really were verified, not merely absent.
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
