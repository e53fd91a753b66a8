/** UDP size limits and truncation (RFC 1035 §4.2.1, RFC 2181 §9, RFC 6891, RFC 9471), TCP framing (RFC 1035 §4.2.2). */

import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { decode, encode } from 'dns-packet';
import type { Answer, OptAnswer, Packet, StringAnswer } from 'dns-packet';
import { answerAuthoritative } from '../../../stack/dns/authority.js';
import { TcpFramer, encodeForTcp, encodeForUdp, renderMessage, udpPayloadLimit } from '../../../stack/dns/truncate.js';
import { compressMessage } from '../../../stack/dns/compress.js';
import { buildZone } from '../../../stack/dns/zone.js';
import { query } from './fixtures.js';

/** A response with `n` A records for big.example.com, plus optional authority and additional. */
function bigResponse(n: number, extra: Partial<Packet> = {}): Packet {
  const answers: Answer[] = Array.from({ length: n }, (_, i) => ({ name: 'big.example.com', type: 'A', ttl: 300, data: `192.0.2.${i}` }));
  return { type: 'response', id: 7, flags: 0, questions: [{ name: 'big.example.com', type: 'A' }], answers, authorities: [], additionals: [], ...extra };
}

const TC = 1 << 9;
const opt: OptAnswer = { name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };

describe('encodeForUdp', () => {
  test('a message within 512 octets is sent whole with names compressed, TC clear', () => {
    const p = bigResponse(5);
    const bytes = encodeForUdp(p);
    expect(bytes).toEqual(compressMessage(encode(bigResponse(5))));
    // 12 header + 21 question + 5 × (2-octet pointer + 10 + 4): 113 octets (dns-packet alone writes 188).
    expect(bytes.length).toBe(113);
    expect(decode(Buffer.from(bytes))).toEqual(decode(encode(bigResponse(5))));
  });

  test('too many answers: TC set, the result decodes with dns-packet and is at most 512 octets (RFC 1035 §4.2.1)', () => {
    const p = bigResponse(40); // 12 + 21 + 40 × 16 octets compressed
    expect(renderMessage(p).length).toBe(673);
    const bytes = encodeForUdp(p);
    expect(bytes.length).toBeLessThanOrEqual(512);
    const d = decode(Buffer.from(bytes));
    expect(d.flag_tc).toBe(true);
    expect(d.id).toBe(7);
    expect(d.questions).toEqual([{ name: 'big.example.com', type: 'A', class: 'IN' }]);
    // One RRset cannot be split without TC; the records that fit are kept, from the front.
    expect(d.answers?.length).toBe(0);
  });

  test('whole RRsets go from the end: additional first, then authority, then answer', () => {
    const a = (name: string, i: number): Answer => ({ name, type: 'A', ttl: 1, data: `192.0.2.${i}` });
    const section = (prefix: string) => Array.from({ length: 20 }, (_, i) => a(`${prefix}${i}.example.com`, i));
    const p = bigResponse(0, { answers: section('ans'), authorities: section('aut'), additionals: section('add') });
    const full = renderMessage(p).length;
    // A record is "ansN" (or "ansNN") + a pointer to example.com, then 10 + 4: 21 or 22 octets compressed.
    const perSection = 10 * 21 + 10 * 22;
    expect(full).toBe(12 + 21 + 3 * perSection);

    const onlyAdditional = decode(Buffer.from(encodeForUdp(p, full - 1)));
    expect(onlyAdditional.additionals?.map((r) => r.name)).toEqual(section('add').slice(0, 19).map((r) => r.name));
    expect(onlyAdditional.authorities).toHaveLength(20);
    // RFC 2181 §9: leaving out extra information alone does not set TC.
    expect(onlyAdditional.flag_tc).toBe(false);

    const intoAuthority = decode(Buffer.from(encodeForUdp(p, full - perSection - 1)));
    expect(intoAuthority.additionals).toEqual([]);
    expect(intoAuthority.authorities?.map((r) => r.name)).toEqual(section('aut').slice(0, 19).map((r) => r.name));
    expect(intoAuthority.answers).toHaveLength(20);
    expect(intoAuthority.flag_tc).toBe(true);
  });

  test('a referral that loses in-domain glue sets TC (RFC 9471 §3.1)', () => {
    // 20 NS records fit in 512 octets compressed; their 20 glue A records do not all fit.
    const ns = Array.from({ length: 20 }, (_, i): StringAnswer => ({ name: 'sub.example.com', type: 'NS', ttl: 1, data: `ns${i}.sub.example.com` }));
    const glue = ns.map((r, i): StringAnswer => ({ name: r.data, type: 'A', ttl: 1, data: `192.0.2.${i}` }));
    const p = bigResponse(0, { authorities: ns, additionals: glue });
    const d = decode(Buffer.from(encodeForUdp(p)));
    expect(d.authorities).toHaveLength(20);
    expect(d.additionals!.length).toBeGreaterThan(0);
    expect(d.additionals!.length).toBeLessThan(20);
    expect(d.flag_tc).toBe(true);
    // The same shortfall with out-of-domain servers (no in-domain glue lost) leaves TC clear.
    const outside = ns.map((r) => ({ ...r, data: r.data.replace('sub.example.com', 'example.net') }));
    const outsideGlue = glue.map((g, i) => ({ ...g, name: outside[i]!.data }));
    const o = decode(Buffer.from(encodeForUdp(bigResponse(0, { authorities: outside, additionals: outsideGlue }))));
    expect(o.authorities).toHaveLength(20);
    expect(o.additionals!.length).toBeLessThan(20);
    expect(o.flag_tc).toBe(false);
  });

  test('the OPT record always stays (RFC 6891 §7), and EDNS raises the limit', () => {
    const p = bigResponse(30, { additionals: [{ name: 'x.example.com', type: 'A', ttl: 1, data: '192.0.2.1' }, opt] });
    const small = decode(Buffer.from(encodeForUdp(p)));
    expect(small.flag_tc).toBe(true);
    expect(small.additionals?.map((r) => r.type)).toEqual(['OPT']);
    const big = decode(Buffer.from(encodeForUdp(p, 1232)));
    expect(big.flag_tc).toBe(false);
    expect(big.answers).toHaveLength(30);
  });

  test('limits below 512 count as 512 (RFC 6891 §6.2.5)', () => {
    expect(encodeForUdp(bigResponse(40), 100).length).toBe(encodeForUdp(bigResponse(40), 512).length);
  });

  test('the input packet is not modified', () => {
    const p = bigResponse(40, { additionals: [{ name: 't.example.com', type: 'TXT', ttl: 1, data: ['a', 'b'] }] });
    const before = JSON.stringify(p);
    encodeForUdp(p);
    encodeForTcp(p);
    expect(JSON.stringify(p)).toBe(before);
  });

  test.prop([fc.integer({ min: 0, max: 120 }), fc.integer({ min: 512, max: 4096 })], { numRuns: 200 })(
    'any response fits the limit and still decodes; TC is set exactly when answers were dropped',
    (n, limit) => {
      const bytes = encodeForUdp(bigResponse(n), limit);
      expect(bytes.length).toBeLessThanOrEqual(limit);
      const d = decode(Buffer.from(bytes));
      expect(d.flag_tc).toBe(d.answers!.length < n);
    },
  );
});

describe('udpPayloadLimit (RFC 6891 §6.2.3-§6.2.5)', () => {
  test('512 without OPT; the requester\'s size capped by the server\'s; never below 512', () => {
    const q = query('www.example.com', 'A');
    expect(udpPayloadLimit(q, 1232)).toBe(512);
    expect(udpPayloadLimit({ ...q, additionals: [{ ...opt, udpPayloadSize: 4096 }] }, 1232)).toBe(1232);
    expect(udpPayloadLimit({ ...q, additionals: [{ ...opt, udpPayloadSize: 1000 }] }, 1232)).toBe(1000);
    expect(udpPayloadLimit({ ...q, additionals: [{ ...opt, udpPayloadSize: 100 }] }, 1232)).toBe(512);
  });

  test('a large authoritative answer goes out whole under EDNS and truncated without it', () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ name: 'many', type: 'A' as const, data: `192.0.2.${i}` }));
    const zones = [buildZone({ origin: 'example.com.', records })];
    const plain = query('many.example.com', 'A');
    const edns = { ...plain, additionals: [opt] };
    expect(decode(Buffer.from(encodeForUdp(answerAuthoritative(zones, plain), udpPayloadLimit(plain, 1232)))).flag_tc).toBe(true);
    const whole = decode(Buffer.from(encodeForUdp(answerAuthoritative(zones, edns), udpPayloadLimit(edns, 1232))));
    expect(whole.flag_tc).toBe(false);
    expect(whole.answers).toHaveLength(30);
  });
});

describe('TCP framing (RFC 1035 §4.2.2)', () => {
  test('encodeForTcp prefixes the 2-octet big-endian length', () => {
    const framed = encodeForTcp(bigResponse(3));
    const body = Buffer.from(renderMessage(bigResponse(3)));
    expect(framed[0]! * 256 + framed[1]!).toBe(body.length);
    expect(Buffer.from(framed.subarray(2))).toEqual(body);
  });

  test('over 65535 octets, TCP truncates too', () => {
    const framed = encodeForTcp(bigResponse(4200)); // 12 + 21 + 4200 × 16 = 67,233 octets compressed
    const length = framed[0]! * 256 + framed[1]!;
    expect(length).toBe(framed.length - 2);
    expect(decode(Buffer.from(framed.subarray(2))).flag_tc).toBe(true);
  });

  test('a message split across every byte boundary comes out once, whole', () => {
    const framed = encodeForTcp(bigResponse(4));
    for (let cut = 0; cut <= framed.length; cut++) {
      const framer = new TcpFramer();
      const out = [...framer.push(framed.subarray(0, cut)), ...framer.push(framed.subarray(cut))];
      expect(out).toHaveLength(1);
      expect(Buffer.from(out[0]!)).toEqual(Buffer.from(framed.subarray(2)));
      expect(framer.bufferedBytes).toBe(0);
    }
  });

  test('a zero-length message is a message', () => {
    expect(new TcpFramer().push(new Uint8Array([0, 0, 0]))).toEqual([new Uint8Array(0)]);
  });

  test.prop(
    [
      fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 40 }),
    ],
    { numRuns: 300 },
  )('messages cut into arbitrary chunks are reassembled in order, nothing left over', (sizes, chunkSizes) => {
    const messages = sizes.map((n) => encodeForTcp(bigResponse(n)));
    const stream = Buffer.concat(messages.map((m) => Buffer.from(m)));
    const framer = new TcpFramer();
    const out: Uint8Array[] = [];
    let offset = 0;
    for (let i = 0; offset < stream.length; i++) {
      const size = chunkSizes[i % chunkSizes.length]!;
      out.push(...framer.push(stream.subarray(offset, offset + size)));
      offset += size;
    }
    expect(out.map((m) => decode(Buffer.from(m)).answers!.length)).toEqual(sizes);
    expect(framer.bufferedBytes).toBe(0);
  });
});
