/** Symbolic constants in scenario data: every name in stack/constants.ts and every errno name. */
import * as C from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import * as G from '../../stack/resolve/gai-errors.js';
import type { Flags, Sym } from './schema.js';

/** getaddrinfo(3) hint flags (glibc <netdb.h>), for the getaddrinfo operation. */
const AI_FLAGS = {
  AI_PASSIVE: 0x1, AI_CANONNAME: 0x2, AI_NUMERICHOST: 0x4, AI_V4MAPPED: 0x8, AI_ALL: 0x10, AI_ADDRCONFIG: 0x20,
  AI_NUMERICSERV: 0x400,
};

const table = new Map<string, number>();
for (const [k, v] of Object.entries(C)) if (typeof v === 'number') table.set(k, v);
for (const [k, v] of Object.entries(Errno)) table.set(k, v);
for (const [k, v] of Object.entries(AI_FLAGS)) table.set(k, v);
for (const [k, v] of Object.entries(G)) if (typeof v === 'number') table.set(k, v);

/** The value of a constant name, or undefined. */
export function constantValue(name: string): number | undefined {
  return table.get(name);
}

/** A symbol's numeric value (names were checked by the loader). */
export function sym(s: Sym | undefined, dflt = 0): number {
  if (s === undefined) return dflt;
  if (typeof s === 'number') return s;
  const v = table.get(s);
  if (v === undefined) throw new Error(`unknown constant ${s}`);
  return v;
}

/** Flags OR-ed together. */
export function flags(f: Flags | undefined): number {
  if (f === undefined) return 0;
  if (Array.isArray(f)) return f.reduce<number>((acc, x) => acc | sym(x), 0);
  return sym(f);
}
