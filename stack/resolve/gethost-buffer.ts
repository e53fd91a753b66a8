/**
 * How many bytes of the caller's buffer glibc 2.36's gethostby*_r backends need, so the reentrant calls fail with
 * ERANGE exactly where glibc does (for a buffer as malloc returns it, 16-byte aligned):
 * - nss_files reads each /etc/hosts line into the buffer after a 32-byte header (struct hostent_data: a 16-byte
 *   address and two pointers) and needs room for the line, its NUL, and at least 2 bytes (internal_getent); the
 *   matching line's alias pointers follow it, 8-byte aligned, with room for two more (parse_list).
 * - nss_dns reserves 48 alias pointers, 48 16-byte addresses and 48 address pointers (1536 bytes, getanswer_r's
 *   alloc_buffer) before the names; gethostbyaddr's PTR answer needs the name and four pointers' worth.
 */
import type { Sys } from '../sys.js';
import { AF_INET6 } from '../constants.js';
import { resolverConfig } from './resolver-config.js';
import type { HostEnt } from './nss-types.js';

/** Which backend's layout to measure: a files lookup's line scan, or a finished files or dns answer. */
export type BufferSource = 'files-scan' | 'files' | 'dns';

/** sizeof (struct parser_data) for hosts: host_addr[16] and h_addr_ptrs[2]. */
const FILES_HEADER = 32;
/** getanswer_r's fixed arrays: 48 alias pointers, 48 × 16 address bytes, 48 address pointers. */
const DNS_FIXED = 48 * 8 + 48 * 16 + 48 * 8;

const align8 = (n: number): number => (n + 7) & ~7;

/** The lines of /etc/hosts as the file holds them (with their newlines). */
function hostsLines(sys: Sys): string[] {
  const text = resolverConfig(sys.host).hostsFileText;
  const lines = text.split(/(?<=\n)/);
  return lines.filter((l) => l !== '');
}

/** Whether a hosts line names `name` (or holds the address text `addr`), as parse_line plus the lookup test. */
function lineMatches(line: string, name: string | null, ent: HostEnt | null): boolean {
  const fields = (line.split('#')[0] as string).split(/[ \t\r\n\f\v]+/).filter((f) => f !== '');
  if (fields.length < 2) return false;
  if (name !== null) return fields.slice(1).some((f) => f.toLowerCase() === name.toLowerCase());
  return ent !== null && fields[1] === ent.h_name;
}

/**
 * The buffer size the lookup needs. For 'files-scan', the lines read before the match (or all of them); for
 * 'files', the matching line and its aliases; for 'dns', the fixed arrays and the names.
 */
export function bufferNeed(sys: Sys, source: BufferSource, ent: HostEnt | null, name: string | null): number {
  if (source === 'dns') {
    if (ent === null) return 0;
    if (name === null) return align8(ent.h_name.length + 1) + 8 + 16 + 16; // PTR: name, alias NULL, address, 2 pointers
    return DNS_FIXED + [ent.h_name, ...ent.h_aliases].reduce((n, s) => n + s.length + 1, 0);
  }
  const lines = hostsLines(sys);
  if (source === 'files-scan') {
    let need = FILES_HEADER + 2;
    for (const line of lines) {
      need = Math.max(need, FILES_HEADER + line.length + 1);
      if (name !== null && lineMatches(line, name, null)) break;
    }
    return need;
  }
  if (ent === null) return 0;
  const line = lines.find((l) => lineMatches(l, name, ent)) ?? '';
  const aliases = ent.h_addrtype === AF_INET6 ? ent.h_aliases.length : ent.h_aliases.length;
  return align8(FILES_HEADER + line.length + 1) + 8 * (aliases + 2);
}
