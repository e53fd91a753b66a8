// Textual IP addresses for zone data, resolv.conf and /etc/hosts, via the glibc-exact conversions in
// stack/resolve/inet.ts. Addresses come back as inet_ntop(3) text so that equal addresses compare
// equal as strings ("0:0::1" and "::1" both become "::1").

import { AF_INET, AF_INET6 } from '../constants.js';
import { inet_aton_exact, inet_ntoa, inet_ntop, inet_pton } from '../resolve/inet.js';

/** An address family tag, as in AF_INET / AF_INET6. */
export type IpFamily = 4 | 6;

/** A parsed address: its family and canonical inet_ntop(3) text. */
export interface ParsedAddress {
  readonly family: IpFamily;
  readonly address: string;
}

/**
 * Parses `text` with inet_pton(3): strict dotted quad for IPv4, RFC 4291 §2.2 forms for IPv6. With
 * `family`, only that family is accepted. Undefined when it is not an address.
 */
export function parseAddress(text: string, family?: IpFamily): ParsedAddress | undefined {
  for (const [fam, af] of [[4, AF_INET], [6, AF_INET6]] as const) {
    if (family !== undefined && family !== fam) continue;
    const parsed = inet_pton(af, text);
    if (parsed.ret !== 1) continue;
    const formatted = inet_ntop(af, parsed.addr, 64);
    if ('ok' in formatted) return { family: fam, address: formatted.ok };
  }
  return undefined;
}

/**
 * Parses `text` as glibc's __inet_aton_exact does for resolv.conf nameserver lines: inet_aton(3)
 * syntax ("127.1", octal and hex parts) with nothing after it. Returns dotted-quad text.
 */
export function parseAtonAddress(text: string): string | undefined {
  const sAddr = inet_aton_exact(text);
  return sAddr === null ? undefined : inet_ntoa(sAddr);
}
