/**
 * getservbyname(3), getservbyport(3), getprotobyname(3), getprotobynumber(3) over static copies of Debian netbase's
 * /etc/services and /etc/protocols (stack/resolve/netbase.ts), with glibc nss_files semantics:
 * - entries are searched in file order and the first match wins ("syslog" with no protocol finds the alias on
 *   shell/tcp before the syslog/udp entry);
 * - a name matches the entry's name or any alias, with strcmp, so case-sensitively;
 * - a protocol, when given, must equal the entry's protocol exactly ("" matches nothing); null/undefined is C NULL;
 * - ports are compared as C ints in network byte order: getservbyport(80) looks for port 20480.
 * Results are fresh objects, so callers cannot alter the tables (C returns a static buffer instead).
 */
import { cString, requireInteger } from './cstring.js';
import { htons } from './inet.js';
import { PROTOCOLS, SERVICES } from './netbase.js';

/** struct servent: s_port is in network byte order, as in C (htons(80) === 0x5000 on the x86-64 model). */
export interface ServEnt {
  s_name: string;
  s_aliases: string[];
  s_port: number;
  s_proto: string;
}

/** struct protoent. */
export interface ProtoEnt {
  p_name: string;
  p_aliases: string[];
  p_proto: number;
}

/** Row indices (in file order) under every name and alias, so a lookup need not scan the whole table. */
function indexByName(rows: readonly { readonly names: readonly string[] }[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  rows.forEach((row, i) => {
    for (const name of row.names) {
      const at = index.get(name);
      if (at === undefined) index.set(name, [i]);
      else if (at[at.length - 1] !== i) at.push(i);
    }
  });
  return index;
}

/** Row indices (in file order) under every number. */
function indexByNumber(numbers: readonly number[]): Map<number, number[]> {
  const index = new Map<number, number[]>();
  numbers.forEach((n, i) => {
    const at = index.get(n);
    if (at === undefined) index.set(n, [i]);
    else at.push(i);
  });
  return index;
}

const servNames = indexByName(SERVICES.map(([name, , , aliases]) => ({ names: [name, ...aliases] })));
const servPorts = indexByNumber(SERVICES.map(([, port]) => htons(port)));
const protoNames = indexByName(PROTOCOLS.map(([name, , aliases]) => ({ names: [name, ...aliases] })));
const protoNumbers = indexByNumber(PROTOCOLS.map(([, proto]) => proto));

function servEnt(i: number): ServEnt {
  const [s_name, port, s_proto, aliases] = SERVICES[i]!;
  return { s_name, s_aliases: [...aliases], s_port: htons(port), s_proto };
}

function protoEnt(i: number): ProtoEnt {
  const [p_name, p_proto, aliases] = PROTOCOLS[i]!;
  return { p_name, p_aliases: [...aliases], p_proto };
}

/** The first service row among `candidates` whose protocol matches `proto` (any protocol when C NULL). */
function firstWithProto(candidates: number[] | undefined, proto: string | null | undefined): ServEnt | null {
  const want = proto === null || proto === undefined ? null : cString(proto);
  const i = candidates?.find((row) => want === null || SERVICES[row]![2] === want);
  return i === undefined ? null : servEnt(i);
}

/** getservbyname(3): the first service whose name or alias is `name` and, if given, whose protocol is `proto`. */
export function getservbyname(name: string, proto?: string | null): ServEnt | null {
  return firstWithProto(servNames.get(cString(name)), proto);
}

/**
 * getservbyport(3): the first service on `port`, which is in network byte order (pass htons(80)) and compared as
 * a C int, so a value with bits above 16 set, or a negative one, finds nothing.
 */
export function getservbyport(port: number, proto?: string | null): ServEnt | null {
  requireInteger(port, 'getservbyport');
  return firstWithProto(servPorts.get(port | 0), proto);
}

/** getprotobyname(3): the first protocol whose name or alias is `name` ("TCP" is an alias of tcp in netbase). */
export function getprotobyname(name: string): ProtoEnt | null {
  const i = protoNames.get(cString(name))?.[0];
  return i === undefined ? null : protoEnt(i);
}

/** getprotobynumber(3): the first protocol with number `proto` (a C int); 0 is "ip", listed before "hopopt". */
export function getprotobynumber(proto: number): ProtoEnt | null {
  requireInteger(proto, 'getprotobynumber');
  const i = protoNumbers.get(proto | 0)?.[0];
  return i === undefined ? null : protoEnt(i);
}
