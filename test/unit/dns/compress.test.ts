/** DNS name compression (RFC 1035 §4.1.4) as BIND's renderer applies it to the messages a server sends. */

import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { decode, encode } from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { compressMessage } from '../../../stack/dns/compress.js';

const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,12}$/);
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));

/** Follows a name's labels and pointers from `at`, checking every pointer goes backwards; returns the labels. */
function walk(b: Uint8Array, at: number): string[] {
  const out: string[] = [];
  for (let p = at; ;) {
    const n = b[p]!;
    if (n === 0) return out;
    if (n >= 0xc0) {
      const to = ((n & 0x3f) << 8) | b[p + 1]!;
      expect(to).toBeLessThan(p);
      p = to;
      continue;
    }
    out.push(String.fromCharCode(...b.subarray(p + 1, p + 1 + n)));
    p += 1 + n;
  }
}

describe('compressMessage', () => {
  test('the RFC 1035 §4.1.4 example: F.ISI.ARPA, then FOO.F.ISI.ARPA and ARPA point into it', () => {
    const p: Packet = {
      type: 'response', id: 1, flags: 0, questions: [{ name: 'F.ISI.ARPA', type: 'A' }],
      answers: [
        { name: 'FOO.F.ISI.ARPA', type: 'A', ttl: 0, data: '1.2.3.4' },
        { name: 'arpa', type: 'A', ttl: 0, data: '1.2.3.4' },
      ],
    };
    const b = compressMessage(encode(p));
    // Question name at 12; FOO then a pointer to 12; "arpa" matches ARPA (offset 18) case-insensitively.
    expect(Buffer.from(b.subarray(12, 24)).toString('hex')).toBe('014603495349044152504100');
    expect(Buffer.from(b.subarray(28, 34)).toString('hex')).toBe('03464f4fc00c');
    expect(Buffer.from(b.subarray(48, 50)).toString('hex')).toBe('c012');
    expect(b.length).toBe(64);
  });

  test('names inside NS, CNAME, PTR, MX and SOA data are compressed; SRV targets and TXT are not (RFC 2782, RFC 3597 §4)', () => {
    const zone = 'example.com';
    const answers: Answer[] = [
      { name: zone, type: 'NS', ttl: 1, data: `ns1.${zone}` },
      { name: `www.${zone}`, type: 'CNAME', ttl: 1, data: `web.${zone}` },
      { name: `4.2.0.192.in-addr.arpa`, type: 'PTR', ttl: 1, data: `web.${zone}` },
      { name: zone, type: 'MX', ttl: 1, data: { preference: 10, exchange: `mail.${zone}` } },
      { name: zone, type: 'SOA', ttl: 1, data: { mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } },
      { name: `_sip._udp.${zone}`, type: 'SRV', ttl: 1, data: { priority: 1, weight: 2, port: 5060, target: `sip.${zone}` } },
    ];
    const p: Packet = { type: 'response', id: 2, flags: 0, questions: [{ name: zone, type: 'SOA' }], answers };
    const plain = encode(p);
    const b = compressMessage(plain);
    expect(decode(Buffer.from(b))).toEqual(decode(plain));
    // The SRV target is written whole: its labels appear literally at the end of the message.
    const tail = Buffer.from(b).toString('latin1');
    expect(tail.endsWith('\x03sip\x07example\x03com\x00')).toBe(true);
    expect(b.length).toBeLessThan(plain.length);
  });

  test.prop([
    fc.array(fc.record({ name, type: fc.constantFrom('A', 'CNAME', 'NS', 'TXT', 'MX'), target: name }), { minLength: 0, maxLength: 25 }),
    name,
  ], { numRuns: 300 })('decodes to the same message, never grows, every pointer points backwards', (recs, qname) => {
    const answers: Answer[] = recs.map((r, i): Answer => {
      if (r.type === 'A') return { name: r.name, type: 'A', ttl: i, data: `192.0.2.${i}` };
      if (r.type === 'TXT') return { name: r.name, type: 'TXT', ttl: i, data: [r.target] };
      if (r.type === 'MX') return { name: r.name, type: 'MX', ttl: i, data: { preference: i, exchange: r.target } };
      return { name: r.name, type: r.type as 'CNAME' | 'NS', ttl: i, data: r.target };
    });
    const p: Packet = { type: 'response', id: 3, flags: 0, questions: [{ name: qname, type: 'A' }], answers };
    const plain = encode(p);
    const b = compressMessage(plain);
    expect(b.length).toBeLessThanOrEqual(plain.length);
    const lower = (d: Packet) => JSON.parse(JSON.stringify(d).toLowerCase()) as unknown;
    // Names compare case-insensitively (RFC 4343): a pointer may reuse an earlier spelling of the same suffix.
    expect(lower(decode(Buffer.from(b)))).toEqual(lower(decode(plain)));
    expect(walk(b, 12).join('.').toLowerCase()).toBe(qname.toLowerCase());
  });

  test('a message that is not uncompressed DNS is an internal error naming the problem', () => {
    expect(() => compressMessage(new Uint8Array(5))).toThrow(/12-octet header/);
    const p = encode({ type: 'response', id: 1, questions: [{ name: 'a.b', type: 'A' }] });
    expect(() => compressMessage(p.subarray(0, p.length - 2))).toThrow(/compressMessage/);
  });
});
