/**
 * stack/resolve/services.ts against glibc 2.36 nss_files on Debian netbase 6.4 (goldens from glibc/golden.c):
 * getservbyname(3), getservbyport(3), getprotobyname(3), getprotobynumber(3).
 */
import { describe, expect, test } from 'vitest';
import { fc, test as propTest } from '@fast-check/vitest';
import { htons } from '../../../stack/resolve/inet.js';
import { PROTOCOLS, SERVICES } from '../../../stack/resolve/netbase.js';
import { getprotobyname, getprotobynumber, getservbyname, getservbyport } from '../../../stack/resolve/services.js';
import { netdb, show } from './goldens.js';

// The cases written by hand in golden.c pin one behaviour each; the rest replay every table entry.
const isTableReplay = (c: { note: string }): boolean => c.note.startsWith('table entry');
const handWritten = <T extends { note: string }>(all: T[]): T[] => all.filter((c) => !isTableReplay(c));
const replayed = <T extends { note: string }>(all: T[]): T[] => all.filter(isTableReplay);

describe('the static tables are glibc\'s parse of /etc/services and /etc/protocols', () => {
  test(`all ${netdb.servent.length} getservent() entries, in file order, with s_port in network order`, () => {
    expect(SERVICES.map(([s_name, port, s_proto, aliases]) => ({ s_name, s_aliases: [...aliases], s_port: htons(port), s_proto })))
      .toEqual(netdb.servent);
  });

  test(`all ${netdb.protoent.length} getprotoent() entries, in file order`, () => {
    expect(PROTOCOLS.map(([p_name, p_proto, aliases]) => ({ p_name, p_aliases: [...aliases], p_proto }))).toEqual(netdb.protoent);
  });

  test.each([
    ['echo', 7], ['discard', 9], ['daytime', 13], ['ftp-data', 20], ['ftp', 21], ['ssh', 22], ['telnet', 23],
    ['smtp', 25], ['time', 37], ['domain', 53], ['tftp', 69], ['gopher', 70], ['finger', 79], ['www', 80],
    ['kerberos', 88], ['pop3', 110], ['sunrpc', 111], ['auth', 113], ['nntp', 119], ['ntp', 123],
    ['netbios-ns', 137], ['netbios-dgm', 138], ['netbios-ssn', 139], ['imap', 143], ['snmp', 161],
    ['snmp-trap', 162], ['ldap', 389], ['https', 443], ['microsoft-ds', 445], ['syslog', 514], ['printer', 515],
    ['submission', 587], ['ldaps', 636], ['domain-s', 853], ['imaps', 993], ['pop3s', 995], ['socks', 1080],
    ['openvpn', 1194], ['mysql', 3306], ['postgresql', 5432], ['x11', 6000],
  ] as const)('well-known service %s is on port %i', (name, port) => {
    expect(getservbyname(name)?.s_port).toBe(htons(port));
  });

  test.each([
    ['ip', 0], ['icmp', 1], ['igmp', 2], ['tcp', 6], ['udp', 17], ['ipv6', 41], ['ipv6-route', 43], ['ipv6-frag', 44],
    ['ipv6-icmp', 58], ['ipv6-nonxt', 59], ['ipv6-opts', 60], ['sctp', 132], ['udplite', 136],
  ] as const)('protocol %s is number %i', (name, number) => {
    expect(getprotobyname(name)?.p_proto).toBe(number);
  });
});

describe('getservbyname matches glibc', () => {
  test.each(handWritten(netdb.getservbyname).map((c) => [show(c.name), String(c.proto), c.note, c] as const))(
    'getservbyname(%s, %s): %s', (_n, _p, _note, c) => {
      expect(getservbyname(c.name, c.proto)).toEqual(c.result);
    });

  const all = replayed(netdb.getservbyname);
  test(`every name and alias, with and without a protocol (${all.length} lookups): first match in file order`, () => {
    const wrong = all.filter((c) => JSON.stringify(getservbyname(c.name, c.proto)) !== JSON.stringify(c.result));
    expect(wrong).toEqual([]);
  });

  test('undefined is the same as a NULL protocol', () => {
    expect(getservbyname('syslog')).toEqual(getservbyname('syslog', null));
  });

  test('a name is a C string: it ends at NUL', () => {
    expect(getservbyname('http\0junk', 'tcp\0x')).toEqual(getservbyname('http', 'tcp'));
  });
});

describe('getservbyport matches glibc', () => {
  test.each(handWritten(netdb.getservbyport).map((c) => [c.port, String(c.proto), c.note, c] as const))(
    'getservbyport(%i, %s): %s', (_port, _p, _note, c) => {
      expect(getservbyport(c.port, c.proto)).toEqual(c.result);
    });

  const all = replayed(netdb.getservbyport);
  test(`every port, with and without a protocol (${all.length} lookups): first match in file order`, () => {
    const wrong = all.filter((c) => JSON.stringify(getservbyport(c.port, c.proto)) !== JSON.stringify(c.result));
    expect(wrong).toEqual([]);
  });

  test('the port is a C int: a non-integer is a caller bug and throws', () => {
    expect(() => getservbyport(80.5)).toThrow(RangeError);
  });
});

describe('getprotobyname / getprotobynumber match glibc', () => {
  test.each(netdb.getprotobyname.map((c) => [show(c.name), c.note, c] as const))('getprotobyname(%s): %s', (_n, _note, c) => {
    expect(getprotobyname(c.name)).toEqual(c.result);
  });

  test.each(netdb.getprotobynumber.map((c) => [c.number, c.note, c] as const))('getprotobynumber(%i): %s', (_n, _note, c) => {
    expect(getprotobynumber(c.number)).toEqual(c.result);
  });
});

describe('results are copies and lookups are consistent', () => {
  test('changing a returned entry does not change the table (C hands out a static buffer instead)', () => {
    const e = getservbyname('http', 'tcp')!;
    e.s_aliases.push('mutated');
    e.s_port = 1;
    expect(getservbyname('http', 'tcp')).toEqual({ s_name: 'http', s_aliases: ['www'], s_port: htons(80), s_proto: 'tcp' });
    const p = getprotobyname('tcp')!;
    p.p_aliases.length = 0;
    expect(getprotobyname('tcp')?.p_aliases).toEqual(['TCP']);
  });

  const names = [...new Set(SERVICES.flatMap(([n, , , a]) => [n, ...a]))];
  propTest.prop([fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 16 })), fc.constantFrom(null, 'tcp', 'udp', 'ddp', 'sctp', '')],
    { numRuns: 1000 })('a found service has the name or alias asked for and the protocol asked for', (name, proto) => {
    const e = getservbyname(name, proto);
    if (e === null) return;
    expect([e.s_name, ...e.s_aliases]).toContain(name);
    if (proto !== null) expect(e.s_proto).toBe(proto);
    // Looking its port up with the same protocol finds an entry on the same port (maybe an earlier one).
    expect(getservbyport(e.s_port, e.s_proto)?.s_port).toBe(e.s_port);
  });

  propTest.prop([fc.integer({ min: -1000, max: 70000 })], { numRuns: 1000 })(
    'getprotobynumber finds only its own number', (n) => {
      const p = getprotobynumber(n);
      if (p !== null) expect(p.p_proto).toBe(n);
      else expect(PROTOCOLS.some(([, proto]) => proto === n)).toBe(false);
    });
});
