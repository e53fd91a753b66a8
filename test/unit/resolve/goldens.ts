/**
 * Typed access to the glibc goldens in ./glibc/ (produced by glibc/regen.sh from golden.c on Debian glibc 2.36,
 * x86-64), so the suites compare socksim with the real library without needing gcc.
 */
import { readFileSync } from 'node:fs';

/** inet_aton/inet_addr/getaddrinfo(AI_NUMERICHOST) on one input; s_addr values as an x86-64 program reads them. */
export interface AtonCase { in: string; ret: 0 | 1; s_addr: number | null; inet_addr: number; numeric_host: number | null; note: string }
/** inet_pton on one input; addr is hex. */
export interface PtonCase { af: number; in: string; ret: 1 | 0 | -1; addr?: string; errno?: number; note: string }
/** inet_ntop on hex bytes with a buffer size. */
export interface NtopCase { af: number; bytes: string; size: number; ok?: string; errno?: number; note: string }
/** inet_ntoa on an s_addr. */
export interface NtoaCase { s_addr: number; out: string }
/** hton and ntoh of one C argument. */
export interface OrderCase { in: number; htons: number; ntohs: number; htonl: number; ntohl: number }
/** gai_strerror of one code. */
export interface GaiCase { code: number; str: string }
/** struct servent as JSON. */
export interface ServEntJson { s_name: string; s_aliases: string[]; s_port: number; s_proto: string }
/** struct protoent as JSON. */
export interface ProtoEntJson { p_name: string; p_aliases: string[]; p_proto: number }

/** cases.json: hand-written edge cases, each with the glibc behaviour it pins. */
export interface Cases {
  aton: AtonCase[]; pton: PtonCase[]; ntop: NtopCase[]; ntoa: NtoaCase[]; byteorder: OrderCase[];
  gai_strerror: GaiCase[]; constants: [Record<string, number>];
}
/** fuzz.json: generated inputs from a fixed-seed generator. */
export interface Fuzz { aton: AtonCase[]; pton: PtonCase[]; ntop: NtopCase[] }
/** netdb.json: the getservent/getprotoent dump and lookups. */
export interface Netdb {
  servent: ServEntJson[]; protoent: ProtoEntJson[];
  getservbyname: { name: string; proto: string | null; result: ServEntJson | null; note: string }[];
  getservbyport: { port: number; proto: string | null; result: ServEntJson | null; note: string }[];
  getprotobyname: { name: string; result: ProtoEntJson | null; note: string }[];
  getprotobynumber: { number: number; result: ProtoEntJson | null; note: string }[];
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./glibc/${name}`, import.meta.url), 'utf8')) as T;
}

/** The hand-written cases. */
export const cases = load<Cases>('cases.json');
/** The generated cases. */
export const fuzz = load<Fuzz>('fuzz.json');
/** The netdb dump and lookups. */
export const netdb = load<Netdb>('netdb.json');
/** glibc's header constants (AF_*, errno, EAI_*, INET*_ADDRSTRLEN). */
export const constants = cases.constants[0];

/** Hex text of bytes, as the goldens write addresses. */
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** Bytes from the goldens' hex text. */
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** A readable test label for a string input with control characters and NULs visible. */
export const show = (s: string): string => JSON.stringify(s);
