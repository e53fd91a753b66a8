/**
 * resolv.conf(5), hosts(5) and the glibc search order. Unless a test says otherwise, each expectation was
 * measured on glibc 2.36 (Debian 12) on this machine: the file bind-mounted over /etc/resolv.conf in a
 * private mount+net namespace, then res_init(3)'s _res fields printed, or the names getaddrinfo(3) sent
 * to a logging DNS server on 127.0.0.1 recorded.
 */

import { describe, expect, test } from 'vitest';
import { HostsFile, parseResolvConf, searchCandidates } from '../../../stack/dns/resolv-conf.js';
import type { ResolvConf } from '../../../stack/dns/resolv-conf.js';

const conf = (text: string, env = {}) => parseResolvConf(text, env);

describe('parseResolvConf: defaults and basics', () => {
  test('an empty file: 127.0.0.1, no search list, ndots 1, timeout 5, attempts 2 (resolv.conf(5) defaults)', () => {
    expect(conf('')).toEqual({ nameservers: ['127.0.0.1'], search: [], ndots: 1, timeout: 5, attempts: 2 });
  });

  test('the options line of the brief: ndots:2 timeout:1 attempts:3 rotate', () => {
    const c = conf('nameserver 10.0.0.1\nsearch a.example b.example\noptions ndots:2 timeout:1 attempts:3 rotate\n');
    expect(c).toEqual({ nameservers: ['10.0.0.1'], search: ['a.example', 'b.example'], ndots: 2, timeout: 1, attempts: 3, rotate: true });
  });

  test('without search or domain, the search list is the hostname after its first dot', () => {
    expect(conf('', { hostname: 'host.sub.example.org' }).search).toEqual(['sub.example.org']);
    expect(conf('', { hostname: 'testhost' }).search).toEqual([]);
  });

  test('only the first MAXNS = 3 nameservers are used', () => {
    const c = conf('nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\nnameserver 4.4.4.4\n');
    expect(c.nameservers).toEqual(['1.1.1.1', '2.2.2.2', '3.3.3.3']);
  });

  test('nameserver addresses: inet_aton forms, trailing text ignored, bad ones skipped, IPv6 with scope', () => {
    const c = conf('nameserver 127.1\nnameserver 0x7f.0.0.2 # comment\nnameserver bogus\nnameserver ::1\nnameserver fe80::1%eth0\n');
    expect(c.nameservers).toEqual(['127.0.0.1', '127.0.0.2', '::1']);
    expect(conf('nameserver 1.2.3.4x\nnameserver fe80::1%eth0\n').nameservers).toEqual(['fe80::1']);
  });

  test('keywords must start the line and be followed by a blank; ";" and "#" lines are comments', () => {
    const c = conf(' nameserver 9.9.9.9\n#nameserver 8.8.8.8\n;search bad\nnameserver\t10.1.2.3\nNAMESERVER 10.9.9.9\nnameserver\n');
    expect(c.nameservers).toEqual(['10.1.2.3']);
    expect(c.search).toEqual([]);
  });
});

describe('parseResolvConf: search and domain', () => {
  test('domain and search: the last one wins (resolv.conf(5))', () => {
    expect(conf('search a b c\ndomain d.example\n').search).toEqual(['d.example']);
    expect(conf('domain d.example extra\nsearch  x.example \t y.example  \n').search).toEqual(['x.example', 'y.example']);
  });

  test('an empty search or domain line is ignored', () => {
    expect(conf('search a\nsearch\nsearch   \ndomain\ndomain   \n').search).toEqual(['a']);
  });

  test('there is no inline comment syntax: "# comment" after the domains becomes two domains', () => {
    expect(conf('search a.example # comment\n').search).toEqual(['a.example', '#', 'comment']);
  });

  test('the search list is not limited to six domains since glibc 2.26 (resolv.conf(5))', () => {
    // _res.dnsrch shows 6, but getaddrinfo tried all eight (see searchCandidates below).
    expect(conf('search s1 s2 s3 s4 s5 s6 s7 s8\n').search).toHaveLength(8);
  });

  test('entries are kept verbatim, odd ones included', () => {
    expect(conf('search a..b .\n').search).toEqual(['a..b', '.']);
  });

  test('LOCALDOMAIN replaces the file\'s list, RES_OPTIONS applies after the file\'s options', () => {
    const c = conf('search file.example\noptions ndots:2 timeout:3\n', { LOCALDOMAIN: 'env.example env2.example', RES_OPTIONS: 'ndots:7 rotate' });
    expect(c).toMatchObject({ search: ['env.example', 'env2.example'], ndots: 7, timeout: 3, rotate: true });
    expect(conf('search x\n', { LOCALDOMAIN: '' }).search).toEqual(['']);
  });
});

describe('parseResolvConf: options', () => {
  test.each([
    ['caps: ndots 15, timeout 30, attempts 5 (resolv.conf(5))', 'options ndots:20 timeout:60 attempts:9', { ndots: 15, timeout: 30, attempts: 5 }],
    ['negatives: ndots wraps in its 4-bit field, timeout/attempts stay negative', 'options ndots:-1 timeout:-3 attempts:-1', { ndots: 15, timeout: -3, attempts: -1 }],
    ['ndots:-2 wraps to 14', 'options ndots:-2', { ndots: 14 }],
    ['atoi of junk is 0', 'options ndots:abc timeout:0 attempts:0', { ndots: 0, timeout: 0, attempts: 0 }],
    ['atoi stops at the first non-digit', 'options ndots:3x', { ndots: 3 }],
    ['a huge value is capped', 'options ndots:-2 ndots:99999999999', { ndots: 15 }],
    ['the later of two settings wins', 'options ndots:2 ndots:3\noptions timeout:2 timeout:x', { ndots: 3, timeout: 0 }],
    ['tab after "options" matches; a leading blank does not', 'options\tndots:4\n options ndots:5', { ndots: 4 }],
  ])('%s', (_what, text, expected) => {
    expect(conf(text)).toMatchObject(expected);
  });

  test('flags match by prefix, like glibc\'s strncmp: rotatefoo is rotate, no_tld_query an alias', () => {
    const c = conf('options ndots:3x rotatefoo edns0 no_tld_query single-request-reopen use-vc trust-ad\n');
    expect(c).toEqual({
      nameservers: ['127.0.0.1'],
      search: [],
      ndots: 3,
      timeout: 5,
      attempts: 2,
      rotate: true,
      edns0: true,
      noTldQuery: true,
      singleRequestReopen: true,
      useVc: true,
      trustAd: true,
    });
    // single-request-reopen is checked before single-request, so it does not also set RES_SNGLKUP.
    expect(conf('options single-request').singleRequest).toBe(true);
  });

  test('a CRLF file keeps the "\\r" in the last field (only " " and "\\t" separate)', () => {
    const c = conf('nameserver 1.2.3.4\r\nnameserver 5.6.7.8\nsearch a.example b.example\r\n');
    expect(c.nameservers).toEqual(['5.6.7.8']); // "1.2.3.4\r" is not an address
    expect(c.search).toEqual(['a.example', 'b.example\r']);
  });
});

describe('searchCandidates (glibc res_search order)', () => {
  const base: ResolvConf = { nameservers: ['127.0.0.1'], search: ['a.example', 'b.example'], ndots: 1, timeout: 5, attempts: 2 };
  const order = (name: string, over: Partial<ResolvConf> = {}) => searchCandidates(name, { ...base, ...over });

  test('fewer dots than ndots: search domains first, the name as-is last', () => {
    expect(order('host')).toEqual(['host.a.example', 'host.b.example', 'host']);
    expect(order('www.example', { ndots: 2 })).toEqual(['www.example.a.example', 'www.example.b.example', 'www.example']);
  });

  test('at least ndots dots: as-is first, then the search domains', () => {
    expect(order('www.example')).toEqual(['www.example', 'www.example.a.example', 'www.example.b.example']);
    expect(order('x.y.z', { ndots: 2 })).toEqual(['x.y.z', 'x.y.z.a.example', 'x.y.z.b.example']);
    expect(order('host', { ndots: 0 })).toEqual(['host', 'host.a.example', 'host.b.example']);
  });

  test('a trailing dot means the name alone', () => {
    expect(order('www.example.com.')).toEqual(['www.example.com.']);
    expect(order('host.', { search: ['a.example'] })).toEqual(['host.']);
  });

  test('no-tld-query drops the as-is try for a dotless name only', () => {
    expect(order('host', { noTldQuery: true })).toEqual(['host.a.example', 'host.b.example']);
    expect(order('a.b', { search: ['a.example'], ndots: 3, noTldQuery: true })).toEqual(['a.b.a.example', 'a.b']);
  });

  test('a root entry is tried in place as "name." and replaces the final as-is try', () => {
    expect(order('host', { search: ['a.example', '.', 'b.example'] })).toEqual(['host.a.example', 'host.', 'host.b.example']);
    // With enough dots the as-is name is tried twice: first, and again for the root entry.
    expect(order('www.example', { search: ['a.example', '.', 'b.example'] })).toEqual([
      'www.example',
      'www.example.a.example',
      'www.example.',
      'www.example.b.example',
    ]);
    expect(order('a.b.c', { search: ['a.example', '.'], ndots: 2 })).toEqual(['a.b.c', 'a.b.c.a.example', 'a.b.c.']);
  });

  test('one leading dot of a search domain is dropped; a trailing one kept', () => {
    expect(order('host', { search: ['.a.example', 'b.example.'] })).toEqual(['host.a.example', 'host.b.example.', 'host']);
  });

  test('no search list: just the name; all of a long list is searched', () => {
    expect(order('host', { search: [] })).toEqual(['host']);
    const eight = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
    expect(order('host', { search: eight })).toEqual([...eight.map((d) => `host.${d}`), 'host']);
  });
});

describe('HostsFile (hosts(5))', () => {
  const hosts = new HostsFile(
    [
      '127.0.0.1\tlocalhost',
      '127.1 shortform',
      '10.0.0.9\tTabHost  alias1 ALIAS2 # comment',
      '::ffff:1.2.3.4 mapped',
      '0:0:0:0:0:0:0:1 longv6 ip6-localhost',
      '# 10.0.0.8 commented',
      '10.0.0.7 dup',
      '10.0.0.6 dup',
      'bogus name',
      '10.0.0.5',
      '10.0.0.4 trailing. ',
      '',
    ].join('\n'),
  );

  test('lines with an address and at least one name are kept; comments, bad addresses and bare addresses are not', () => {
    expect(hosts.entries.map((e) => e.canonical)).toEqual(['localhost', 'TabHost', 'mapped', 'longv6', 'dup', 'dup', 'trailing.']);
  });

  test('lookup by canonical name or alias, case-insensitively; addresses in inet_ntop form', () => {
    expect(hosts.lookupName('tabhost')).toEqual([{ family: 4, address: '10.0.0.9', canonical: 'TabHost', aliases: ['alias1', 'ALIAS2'] }]);
    expect(hosts.lookupName('Alias2').map((e) => e.address)).toEqual(['10.0.0.9']);
    expect(hosts.lookupName('longv6').map((e) => e.address)).toEqual(['::1']);
    expect(hosts.lookupName('mapped').map((e) => e.address)).toEqual(['::ffff:1.2.3.4']);
  });

  test('short inet_aton forms are not addresses in /etc/hosts; names match exactly, trailing dot included', () => {
    expect(hosts.lookupName('shortform')).toEqual([]);
    expect(hosts.lookupName('trailing')).toEqual([]);
    expect(hosts.lookupName('trailing.').map((e) => e.address)).toEqual(['10.0.0.4']);
  });

  test('a name on several lines gives every line in file order; a family filter applies', () => {
    expect(hosts.lookupName('dup').map((e) => e.address)).toEqual(['10.0.0.7', '10.0.0.6']);
    expect(hosts.lookupName('longv6', 4)).toEqual([]);
  });

  test('lookup by address takes the first line for it, whatever its text form', () => {
    expect(hosts.lookupAddress('10.0.0.6')?.canonical).toBe('dup');
    expect(hosts.lookupAddress('0::1')?.canonical).toBe('longv6');
    expect(hosts.lookupAddress('10.0.0.99')).toBeUndefined();
    expect(hosts.lookupAddress('not-an-address')).toBeUndefined();
  });
});
