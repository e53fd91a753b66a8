/** Name helpers (RFC 1035 §2.3.4, §5.1; RFC 4343 §3) and message helpers (RFC 1035 §4.1.1, RFC 6891 §6.1.3). */

import { describe, expect, test } from 'vitest';
import { encode } from 'dns-packet';
import { RCODE, rcodeOf, responseTo, tryDecode } from '../../../stack/dns/message.js';
import { absoluteName, canonicalName, isSubdomain, nameProblem, namesBelow, sameName, selfAndAncestors } from '../../../stack/dns/names.js';
import { query } from './fixtures.js';

describe('names', () => {
  test('comparison ignores ASCII case and a trailing dot only (RFC 4343 §3)', () => {
    expect(canonicalName('WWW.Example.COM.')).toBe('www.example.com');
    expect(canonicalName('.')).toBe('.');
    expect(canonicalName('')).toBe('.');
    expect(sameName('a.EXAMPLE', 'A.example.')).toBe(true);
    expect(sameName('\u00c9.example', '\u00e9.example')).toBe(false); // non-ASCII letters are not folded
  });

  test('subdomains are whole-label suffixes; everything is under the root', () => {
    expect(isSubdomain('www.example.com', 'example.com')).toBe(true);
    expect(isSubdomain('example.com', 'example.com')).toBe(true);
    expect(isSubdomain('badexample.com', 'example.com')).toBe(false);
    expect(isSubdomain('com', '.')).toBe(true);
  });

  test('the descent path and the ancestor list', () => {
    expect(namesBelow('a.b.example.com', 'example.com')).toEqual(['b.example.com', 'a.b.example.com']);
    expect(namesBelow('com', '.')).toEqual(['com']);
    expect(namesBelow('example.com', 'example.com')).toEqual([]);
    expect(selfAndAncestors('a.b.c')).toEqual(['a.b.c', 'b.c', 'c', '.']);
  });

  test('length limits: 63-octet labels, 255-octet names on the wire (RFC 1035 §2.3.4)', () => {
    expect(nameProblem('a'.repeat(63) + '.com')).toBeUndefined();
    expect(nameProblem('a'.repeat(64) + '.com')).toMatch(/64 octets/);
    const name253 = Array(4).fill('x'.repeat(62)).join('.') + '.x'; // 4*63 + 2 + 1 = 255 on the wire
    expect(nameProblem(name253)).toBeUndefined();
    expect(nameProblem(name253 + 'y')).toMatch(/256 octets/);
    expect(nameProblem('a..b')).toMatch(/empty label/);
  });

  test('master-file names (RFC 1035 §5.1): "@", relative, absolute', () => {
    expect(absoluteName('@', 'example.com')).toBe('example.com');
    expect(absoluteName('www', 'example.com')).toBe('www.example.com');
    expect(absoluteName('www.example.net.', 'example.com')).toBe('www.example.net');
    expect(absoluteName('com', '.')).toBe('com');
  });
});

describe('message helpers', () => {
  test('responseTo copies ID, OPCODE and RD and sets the RCODE bits (RFC 1035 §4.1.1)', () => {
    const q = { ...query('x.example', 'A', 77), flags: (1 << 11) | (1 << 8) };
    const r = responseTo(q, { rcode: RCODE.NXDOMAIN, authoritative: true });
    expect(r.id).toBe(77);
    expect(r.flags).toBe((1 << 11) | (1 << 10) | (1 << 8) | 3);
    expect(rcodeOf(r)).toBe(RCODE.NXDOMAIN);
  });

  test('the extended RCODE combines the OPT record\'s upper bits with the header (RFC 6891 §6.1.3)', () => {
    const p = { flags: 0, additionals: [{ name: '.', type: 'OPT' as const, udpPayloadSize: 512, extendedRcode: 1, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] };
    expect(rcodeOf(p)).toBe(RCODE.BADVERS);
  });

  test('tryDecode gives undefined for bytes dns-packet cannot parse, the message otherwise', () => {
    expect(tryDecode(new Uint8Array([1, 2, 3]))).toBeUndefined();
    const bytes = encode(query('www.example.com', 'A', 5));
    expect(tryDecode(new Uint8Array(bytes))?.questions).toEqual([{ name: 'www.example.com', type: 'A', class: 'IN' }]);
    expect(tryDecode(bytes.subarray(0, bytes.length - 2))).toBeUndefined();
  });
});
