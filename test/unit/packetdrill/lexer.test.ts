/**
 * The tokenizer follows packetdrill's lexer.l: longest match wins, ties go to the
 * earlier rule (integer before word, hex before word), IPv6 literals need `::` or
 * eight groups so `1:1001` stays a sequence range, comments vanish, and back-quoted
 * commands / `%{ }%` blocks are single tokens.
 */
import { describe, expect, it } from 'vitest';
import { decodeCString, isIpv6Literal, tokenize } from '../../../tools/packetdrill/lexer.js';

/** `kind:text` for every token but the final eof. */
function kinds(text: string): string[] {
  const r = tokenize(text);
  expect(r.errors).toEqual([]);
  return r.tokens.slice(0, -1).map((t) => `${t.kind}:${t.text}`);
}

describe('tokenize', () => {
  it('splits a sequence range into integers and punctuation, not an IPv6 address', () => {
    expect(kinds('1:1001(1000)')).toEqual(['int:1', 'punct::', 'int:1001', 'punct:(', 'int:1000', 'punct:)']);
  });

  it('reads times: floats with and without a leading digit, and the +/... around them', () => {
    expect(kinds('+.1')).toEqual(['punct:+', 'float:.1']);
    expect(kinds('+0...0.200')).toEqual(['punct:+', 'int:0', 'ellipsis:...', 'float:0.200']);
    expect(kinds('+.01...0.020')).toEqual(['punct:+', 'float:.01', 'ellipsis:...', 'float:0.020']);
    expect(kinds('0.100~0.200')).toEqual(['float:0.100', 'punct:~', 'float:0.200']);
  });

  it('gives negative integers one token, as lexer.l does ([-]?[0-9]+)', () => {
    expect(kinds('= -1 EAGAIN')).toEqual(['punct:=', 'int:-1', 'word:EAGAIN']);
  });

  it('prefers hex over word on equal length, and word over integer when longer (cookies)', () => {
    expect(kinds('0xffffffff')).toEqual(['hex:0xffffffff']);
    expect(kinds('FO 00abaaabe8e954c2')).toEqual(['word:FO', 'word:00abaaabe8e954c2']);
    expect(kinds('FO 12345678')).toEqual(['word:FO', 'int:12345678']);
  });

  it('lexes flags with an AccECN ACE digit as word + float, like packetdrill (".5" is a FLOAT)', () => {
    expect(kinds('S. .5 EAP.')).toEqual(['word:S', 'punct:.', 'float:.5', 'word:EAP', 'punct:.']);
  });

  it('recognises IPv4 and IPv6 literals, the latter only with :: or eight groups', () => {
    expect(kinds('192.0.2.1 > 192.168.0.1:')).toEqual(['ipv4:192.0.2.1', 'punct:>', 'ipv4:192.168.0.1', 'punct::']);
    expect(kinds('fd::1')).toEqual(['ipv6:fd::1']);
    expect(kinds('2001:DB8::1 > fd3d:fa7b:d17d::1:')).toEqual(['ipv6:2001:DB8::1', 'punct:>', 'ipv6:fd3d:fa7b:d17d::1', 'punct::']);
    expect(kinds('::ffff:192.0.2.1')).toEqual(['ipv6:::ffff:192.0.2.1']);
    expect(kinds('1:2:3:4:5:6:7:8')).toEqual(['ipv6:1:2:3:4:5:6:7:8']);
  });

  it('drops // and /* */ comments, keeping positions of what follows', () => {
    const r = tokenize('// c1\n/* a\n b */ +0 // trailing\n');
    expect(r.tokens.map((t) => t.text)).toEqual(['+', '0', '']);
    expect(r.tokens[0]).toMatchObject({ line: 3, column: 7 });
  });

  it('keeps a multi-line shell command verbatim and a code block trimmed of spaces/tabs', () => {
    const r = tokenize('`a\n b`\n%{ \tassert x == 1 }%');
    expect(r.tokens[0]).toMatchObject({ kind: 'command', value: 'a\n b', line: 1, column: 1, endLine: 2 });
    expect(r.tokens[1]).toMatchObject({ kind: 'code', value: 'assert x == 1', line: 3 });
  });

  it('reads --option[=value] with the value running to whitespace or a comment', () => {
    const r = tokenize('--tolerance_usecs=6000\n--strict_segments\t// c\n--local_ip=fd::1\n--define=X="a b"\n--cc="reno"');
    const opts = r.tokens.filter((t) => t.kind === 'option').map((t) => [t.value, t.optionValue]);
    expect(opts).toEqual([
      ['tolerance_usecs', '6000'],
      ['strict_segments', undefined],
      ['local_ip', 'fd::1'],
      ['define', 'X="a b"'],
      ['cc', 'reno'],
    ]);
  });

  it('decodes C escapes in strings, one char per byte for \\xNN', () => {
    const r = tokenize('"\\xf7\\x63a\\n\\"q\\\\"');
    expect(r.tokens[0]?.value).toBe('\xf7\x63a\n"q\\');
    expect(decodeCString('\\101\\0')).toBe('A\0');
  });

  it('counts columns from 1 with a tab as one column', () => {
    const r = tokenize('   +0\tread(3)');
    expect(r.tokens.map((t) => [t.text, t.line, t.column])).toEqual([
      ['+', 1, 4],
      ['0', 1, 5],
      ['read', 1, 7],
      ['(', 1, 11],
      ['3', 1, 12],
      [')', 1, 13],
      ['', 1, 14],
    ]);
  });

  it('reports unterminated strings, commands, code blocks and comments with their position', () => {
    expect(tokenize('+0 write(3, "abc').errors).toEqual([{ line: 1, column: 13, message: `unterminated string (missing closing '"')` }]);
    expect(tokenize('\n `ls').errors[0]).toMatchObject({ line: 2, column: 2 });
    expect(tokenize('%{ x').errors[0]?.message).toMatch(/code block/);
    expect(tokenize('/* x').errors[0]?.message).toMatch(/comment/);
  });
});

describe('isIpv6Literal', () => {
  it('accepts RFC 4291 text forms and rejects malformed ones', () => {
    for (const ok of ['::', '::1', 'fd3d:fa7b:d17d::1', '2001:db8:0:0:0:0:0:1', '::ffff:1.2.3.4', '64:ff9b::192.0.2.33']) {
      expect(isIpv6Literal(ok), ok).toBe(true);
    }
    for (const bad of ['1:1001', '1::2::3', '12345::1', '1:2:3:4:5:6:7:8:9', '::ffff:1.2.3', 'g::1']) {
      expect(isIpv6Literal(bad), bad).toBe(false);
    }
  });
});
