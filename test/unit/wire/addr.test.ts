/**
 * Address text forms. Expectations come from glibc on this machine (Python's socket.inet_pton/inet_ntop wrap
 * it) and from RFC 5952; where they differ (glibc's mixed notation for deprecated IPv4-compatible addresses) the
 * test says which rule it follows.
 */

import { execFileSync } from 'node:child_process';
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  IPV6_LOOPBACK, IPV6_UNSPECIFIED, ipv4FromMapped, ipv4FromString, ipv4Mapped, ipv4MulticastMac, ipv4ToString,
  ipv6Equal, ipv6FromString, ipv6MulticastMac, ipv6SolicitedNode, ipv6ToString, isIpv4Multicast, isIpv6Multicast,
  macFromString, macToString,
} from '../../../stack/wire/addr.js';
import { arbIpv4Addr, arbIpv6Addr, arbMac } from './arbitraries.js';

const hex = (a: Uint8Array): string => Buffer.from(a).toString('hex');
const v6 = (s: string): Uint8Array => {
  const a = ipv6FromString(s);
  if (a === null) throw new Error(`test setup: ${s} does not parse`);
  return a;
};

/** Whether python3 runs here; the cross-checks against glibc need it. */
const hasPython = ((): boolean => {
  try {
    execFileSync('python3', ['-c', 'pass'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs a Python snippet that reads JSON on stdin and prints JSON. */
function python(code: string, input: unknown): unknown {
  return JSON.parse(execFileSync('python3', ['-c', code], { input: JSON.stringify(input), encoding: 'utf8' }));
}

describe('IPv4 text (inet_pton(AF_INET) rules)', () => {
  test('accepts strict dotted quads', () => {
    expect(ipv4FromString('0.0.0.0')).toBe(0);
    expect(ipv4FromString('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4FromString('192.0.2.1')).toBe(0xc0000201);
    expect(ipv4FromString('10.0.0.10')).toBe(0x0a00000a);
  });
  test('rejects what glibc rejects: leading zeros, short/long forms, spaces, hex, out of range', () => {
    for (const s of ['01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.', '1..2.3', '256.0.0.0', ' 1.2.3.4', '1.2.3.4 ',
      '0x1.2.3.4', '', '1.2.3.4.5', '1234.1.1.1', '-1.2.3.4', '1.2.3.a']) {
      expect(ipv4FromString(s), s).toBeNull();
    }
  });
  test.prop([arbIpv4Addr], { numRuns: 300 })('round-trips through text', (n) => {
    expect(ipv4FromString(ipv4ToString(n))).toBe(n);
  });
  test('multicast is 224.0.0.0/4 (RFC 1112 §4) and maps to 01:00:5e + low 23 bits (RFC 1112 §6.4)', () => {
    expect(isIpv4Multicast(0xe0000001)).toBe(true);
    expect(isIpv4Multicast(0xefffffff)).toBe(true);
    expect(isIpv4Multicast(0xdfffffff)).toBe(false);
    expect(isIpv4Multicast(0xf0000000)).toBe(false);
    expect(macToString(ipv4MulticastMac(ipv4FromString('224.0.0.251')!))).toBe('01:00:5e:00:00:fb');
    // The 24th bit from the right is dropped: 239.128.1.2 and 224.0.1.2 share a MAC.
    expect(macToString(ipv4MulticastMac(ipv4FromString('239.128.1.2')!))).toBe('01:00:5e:00:01:02');
  });
});

describe('IPv6 text', () => {
  test('RFC 5952 canonical output (matches inet_ntop)', () => {
    const cases: [string, string][] = [
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // First of two equal runs (§4.2.3).
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // Longest run wins (§4.2.3).
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // One zero group is not shortened (§4.2.2).
      ['2001:DB8::ABCD', '2001:db8::abcd'], // Lowercase (§4.3).
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], // No leading zeros (§4.1).
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // IPv4-mapped in mixed notation (§5).
      ['::ffff:c000:0201', '::ffff:192.0.2.1'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
      ['::1:2:3:4:5:6:7', '0:1:2:3:4:5:6:7'],
      ['fe80::1:0:0:0', 'fe80::1:0:0:0'], // Equal runs of three: the first.
      ['fe80:0:0:1:0:0:0:0', 'fe80:0:0:1::'], // A longer later run wins.
    ];
    for (const [input, want] of cases) expect(ipv6ToString(v6(input)), input).toBe(want);
  });
  test('IPv4-compatible ::a.b.c.d is printed in hex per RFC 5952 §5 and Linux %pI6c, not mixed as glibc does', () => {
    expect(ipv6ToString(v6('::1.2.3.4'))).toBe('::102:304');
    expect(ipv6ToString(v6('::2'))).toBe('::2');
  });
  test('accepts the RFC 4291 §2.2 forms inet_pton accepts', () => {
    const cases: [string, string][] = [
      ['::', '00000000000000000000000000000000'],
      ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
      ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
      ['1:2:3:4:5::1.2.3.4', '00010002000300040005000001020304'],
      ['::0:1.2.3.4', '00000000000000000000000001020304'],
      ['ABCD::EF', 'abcd00000000000000000000000000ef'],
      ['1::', '00010000000000000000000000000000'],
      ['0001:02:003::', '00010002000300000000000000000000'],
    ];
    for (const [input, want] of cases) expect(hex(v6(input)), input).toBe(want);
  });
  test('rejects what inet_pton(AF_INET6) rejects', () => {
    for (const s of ['', ':', ':::', '1::2::3', '1:2:3:4::5:6:7:8', '1:2:3:4:5:6:7:1.2.3.4', '::ffff:01.2.3.4',
      '00000::1', '::1.2.3', ':1::', 'fe80::1%eth0', '1:2:3:4:5:6::1.2.3.4', '::1.2.3.4:5', '1.2.3.4',
      '1:2:3:4:5:6:7:8:9', '1:', ':1', '1::2:', '::256.1.1.1', '::g', '1:2:3:4:5:6:7', ' ::1', '::1 ']) {
      expect(ipv6FromString(s), s).toBeNull();
    }
  });
  test.prop([arbIpv6Addr], { numRuns: 500 })('round-trips through canonical text', (a) => {
    expect(hex(v6(ipv6ToString(a)))).toBe(hex(a));
  });
  test.skipIf(!hasPython)('agrees with glibc inet_ntop (outside ::/96) and Python ipaddress (outside ::ffff:0:0/96)', () => {
    const addrs = fc.sample(arbIpv6Addr, { numRuns: 400, seed: 1 }).map(hex);
    const theirs = python(`
import sys, json, socket, ipaddress
out = []
for h in json.load(sys.stdin):
    b = bytes.fromhex(h)
    out.append([socket.inet_ntop(socket.AF_INET6, b), str(ipaddress.IPv6Address(b))])
print(json.dumps(out))`, addrs) as [string, string][];
    addrs.forEach((h, i) => {
      const mine = ipv6ToString(Buffer.from(h, 'hex'));
      if (!h.startsWith('0'.repeat(24))) expect(mine, h).toBe(theirs[i][0]);
      if (!h.startsWith('0'.repeat(20) + 'ffff')) expect(mine, h).toBe(theirs[i][1]);
    });
  });
  test.skipIf(!hasPython)('parses every spelling exactly as glibc inet_pton does', () => {
    // Spellings of random addresses: canonical, uncompressed, zero-padded, uppercase, mixed v4 tail, and
    // damaged variants; glibc decides which are valid and what they mean.
    const spellings = fc.sample(fc.tuple(arbIpv6Addr, fc.nat(99), fc.nat(1000)).map(([a, form, pos]) => {
      const words = Array.from({ length: 8 }, (_, i) => ((a[2 * i] << 8) | a[2 * i + 1]).toString(16));
      const v4tail = `${a[12]}.${a[13]}.${a[14]}.${a[15]}`;
      let s: string;
      switch (form % 6) {
        case 0: s = ipv6ToString(a); break;
        case 1: s = words.join(':'); break;
        case 2: s = words.map((w) => w.padStart(4, '0')).join(':').toUpperCase(); break;
        case 3: s = words.slice(0, 6).join(':') + ':' + v4tail; break;
        case 4: s = words.slice(0, pos % 8).join(':') + '::' + words.slice((pos % 8) + 1).join(':'); break;
        default: s = '::' + v4tail; break;
      }
      if (form >= 60) {
        // Damage: drop, duplicate or replace one character.
        const i = pos % (s.length + 1);
        const junk = ':.0fg'[pos % 5];
        s = form < 75 ? s.slice(0, i) + s.slice(i + 1) : form < 90 ? s.slice(0, i) + junk + s.slice(i) : s.slice(0, i) + junk + s.slice(i + 1);
      }
      return s;
    }), { numRuns: 600, seed: 2 });
    const theirs = python(`
import sys, json, socket
out = []
for s in json.load(sys.stdin):
    try: out.append(socket.inet_pton(socket.AF_INET6, s).hex())
    except OSError: out.append(None)
print(json.dumps(out))`, spellings) as (string | null)[];
    let rejected = 0;
    spellings.forEach((s, i) => {
      const mine = ipv6FromString(s);
      expect(mine === null ? null : hex(mine), JSON.stringify(s)).toBe(theirs[i]);
      if (theirs[i] === null) rejected++;
    });
    expect(rejected).toBeGreaterThan(50); // The sample really exercises rejection.
  });
  test('constants, equality, multicast, solicited-node (RFC 4291 §2.7.1) and 33:33 mapping (RFC 2464 §7)', () => {
    expect(ipv6ToString(IPV6_UNSPECIFIED)).toBe('::');
    expect(ipv6ToString(IPV6_LOOPBACK)).toBe('::1');
    expect(ipv6Equal(v6('2001:db8::1'), v6('2001:db8:0::0:1'))).toBe(true);
    expect(ipv6Equal(v6('2001:db8::1'), v6('2001:db8::2'))).toBe(false);
    expect(isIpv6Multicast(v6('ff02::1'))).toBe(true);
    expect(isIpv6Multicast(v6('fe80::1'))).toBe(false);
    expect(ipv6ToString(ipv6SolicitedNode(v6('fe80::2aa:ff:fe28:9c5a')))).toBe('ff02::1:ff28:9c5a');
    expect(macToString(ipv6MulticastMac(v6('ff02::1:ff28:9c5a')))).toBe('33:33:ff:28:9c:5a');
    expect(macToString(ipv6MulticastMac(v6('ff02::1')))).toBe('33:33:00:00:00:01');
  });
  test.prop([arbIpv4Addr], { numRuns: 200 })('IPv4-mapped round trip (RFC 4291 §2.5.5.2)', (n) => {
    const m = ipv4Mapped(n);
    expect(ipv4FromMapped(m)).toBe(n);
    expect(ipv6ToString(m)).toBe('::ffff:' + ipv4ToString(n));
  });
  test('ipv4FromMapped rejects non-mapped addresses', () => {
    expect(ipv4FromMapped(v6('::1.2.3.4'))).toBeNull();
    expect(ipv4FromMapped(v6('1::ffff:1.2.3.4'))).toBeNull();
    expect(ipv4FromMapped(v6('::fffe:1.2.3.4'))).toBeNull();
  });
});

describe('MAC text', () => {
  test('prints lowercase, zero-padded, colon-separated', () => {
    expect(macToString(0x020000000001)).toBe('02:00:00:00:00:01');
    expect(macToString(0xffffffffffff)).toBe('ff:ff:ff:ff:ff:ff');
    expect(macToString(0)).toBe('00:00:00:00:00:00');
    expect(macToString(0xa1b2c3d4e5f6)).toBe('a1:b2:c3:d4:e5:f6');
  });
  test('parses what ether_aton(3) accepts and nothing else', () => {
    expect(macFromString('02:00:00:00:00:01')).toBe(0x020000000001);
    expect(macFromString('A1:B2:c3:D4:e5:F6')).toBe(0xa1b2c3d4e5f6);
    expect(macFromString('2:0:0:0:0:1')).toBe(0x020000000001);
    for (const s of ['', '02:00:00:00:00', '02:00:00:00:00:01:', '02:00:00:00:00:001', '02-00-00-00-00-01',
      '02:00:00:00:00:0g', ':02:00:00:00:00:01', '02::00:00:00:01']) {
      expect(macFromString(s), s).toBeNull();
    }
  });
  test.prop([arbMac], { numRuns: 300 })('round-trips through text', (m) => {
    expect(macFromString(macToString(m))).toBe(m);
  });
});
