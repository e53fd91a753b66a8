// Textual IP address parsing as glibc does it, for zone data, resolv.conf and /etc/hosts.
//
// Three parsers because glibc uses three: inet_pton(3) for AF_INET (strict dotted quad), inet_aton(3)
// (also "10.1", hex and octal parts) for resolv.conf nameserver lines, and inet_pton(3) for AF_INET6.
// Addresses come back in one canonical text form so they compare as strings.

/** An address family tag, as in AF_INET / AF_INET6. */
export type IpFamily = 4 | 6;

/** A parsed address: its family and canonical text (dotted quad, or RFC 5952 form for IPv6). */
export interface ParsedAddress {
  readonly family: IpFamily;
  readonly address: string;
}

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** The 4 bytes of a strict dotted quad (inet_pton(3) AF_INET: no leading zeros), or undefined. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes.push(value);
  }
  return bytes;
}

/**
 * The 4 bytes of an inet_aton(3) address with nothing after it (glibc's __inet_aton_exact): 1 to 4
 * parts, each decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes, so
 * "127.1" is 127.0.0.1.
 */
export function parseInetAton(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    const value = parseCNumber(part);
    if (value === undefined) return undefined;
    values.push(value);
  }
  const last = values.pop() as number;
  // Each leading part is one byte; the last covers what is left (inet_aton(3) "a.b.c", "a.b", "a").
  const lastBytes = 4 - values.length;
  if (values.some((v) => v > 0xff) || last >= 2 ** (8 * lastBytes)) return undefined;
  const bytes = [...values];
  for (let i = lastBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes;
}

/** A C integer literal as inet_aton reads one part: 0x hex, leading-0 octal, else decimal. */
function parseCNumber(part: string): number | undefined {
  // glibc reads each part with strtoul(base 0), so "0x" without digits is rejected.
  if (/^0[xX][0-9a-fA-F]+$/.test(part)) return parseInt(part.slice(2), 16);
  if (/^0[0-7]*$/.test(part)) return parseInt(part, 8);
  if (/^[1-9][0-9]*$/.test(part)) return Number(part);
  return undefined;
}

/** The 16 bytes of an IPv6 address in inet_pton(3) AF_INET6 syntax (RFC 4291 §2.2), or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] as string, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] as string, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Colon-separated hex groups; the last may be a dotted quad when `mayEndInV4` (RFC 4291 §2.2 form 3). */
function parseGroups(text: string, mayEndInV4: boolean): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (i === parts.length - 1 && mayEndInV4 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      groups.push(parseInt(part, 16));
    }
  }
  return groups;
}

/** Dotted-quad text of 4 bytes. */
export function formatIPv4(bytes: readonly number[]): string {
  return bytes.join('.');
}

/** RFC 5952 §4 text of 16 bytes: lowercase, no leading zeros, the longest (first) zero run as '::'. */
export function formatIPv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted-quad tail.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${formatIPv4(bytes.slice(12))}`;
  }
  let bestStart = -1;
  let bestLen = 1; // RFC 5952 §4.2.2: a single zero group is not shortened.
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** A strict IPv4 or IPv6 address in canonical text, or undefined when `text` is neither. */
export function parseAddress(text: string): ParsedAddress | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, address: formatIPv4(v4) };
  const v6 = parseIPv6(text);
  if (v6 !== undefined) return { family: 6, address: formatIPv6(v6) };
  return undefined;
}
