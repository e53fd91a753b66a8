// DNS name compression (RFC 1035 §4.1.4) for messages a server sends.
//
// dns-packet writes every name in full. Real servers (BIND's dns_compress, Unbound, Knot) replace a name's
// longest suffix already present in the message with a 2-octet pointer, so answers are far smaller and truncate
// much later over UDP. This rewrites an encoded message the way BIND does: owner names of questions and records,
// and the names inside the RDATA of the RFC 1035 types (NS, CNAME, PTR, MX, SOA, and the obsolete MB/MD/MF/MG/MR/
// MINFO). RFC 3597 §4 forbids compressing names in other types' RDATA, and RFC 2782 forbids it for SRV targets,
// so those are copied as they are. Matching is case-insensitive (RFC 4343 §3); the copy a pointer refers to
// keeps its own spelling. Pointers only reach offsets below 0x4000 (14 bits).

const POINTER_LIMIT = 0x4000;

/** RDATA layouts with compressible names: a list of fields, 'name' or a fixed octet count. */
const COMPRESSIBLE: ReadonlyMap<number, readonly ('name' | number)[]> = new Map<number, readonly ('name' | number)[]>([
  [2, ['name']], // NS
  [3, ['name']], // MD
  [4, ['name']], // MF
  [5, ['name']], // CNAME
  [6, ['name', 'name', 20]], // SOA: mname, rname, serial refresh retry expire minimum
  [7, ['name']], // MB
  [8, ['name']], // MG
  [9, ['name']], // MR
  [12, ['name']], // PTR
  [14, ['name', 'name']], // MINFO
  [15, [2, 'name']], // MX: preference, exchange
]);

/** Thrown for bytes that are not a well-formed uncompressed message (a bug in the caller, not bad input). */
class MalformedMessage extends Error {}

/** Writes a compressed copy of a message into a growing buffer, remembering where each name suffix begins. */
class Compressor {
  private out: Uint8Array;
  private len = 0;
  /** Lowercased suffix ("example.com") → offset of its first occurrence. */
  private readonly suffixes = new Map<string, number>();

  constructor(size: number) {
    this.out = new Uint8Array(size);
  }

  bytes(): Uint8Array {
    return this.out.slice(0, this.len);
  }

  get offset(): number {
    return this.len;
  }

  copy(src: Uint8Array, from: number, to: number): void {
    this.ensure(to - from);
    this.out.set(src.subarray(from, to), this.len);
    this.len += to - from;
  }

  patchU16(at: number, value: number): void {
    this.out[at] = value >> 8;
    this.out[at + 1] = value & 0xff;
  }

  /** Reads the uncompressed name at `src[pos]` and writes it compressed; returns the position after it. */
  name(src: Uint8Array, pos: number, compress: boolean): number {
    const labels: Uint8Array[] = [];
    let p = pos;
    for (;;) {
      if (p >= src.length) throw new MalformedMessage('name runs past the end');
      const n = src[p]!;
      if (n === 0) break;
      if (n >= 0x40) throw new MalformedMessage(`label length ${n} at ${p} (input must be uncompressed)`);
      labels.push(src.subarray(p + 1, p + 1 + n));
      p += 1 + n;
    }
    const keys = labels.map((_, i) => suffixKey(labels, i));
    for (let i = 0; i < labels.length; i++) {
      const at = compress ? this.suffixes.get(keys[i]!) : undefined;
      if (at !== undefined) {
        this.ensure(2);
        this.out[this.len++] = 0xc0 | (at >> 8);
        this.out[this.len++] = at & 0xff;
        return p + 1;
      }
      if (this.len < POINTER_LIMIT && !this.suffixes.has(keys[i]!)) this.suffixes.set(keys[i]!, this.len);
      const label = labels[i]!;
      this.ensure(1 + label.length);
      this.out[this.len++] = label.length;
      this.out.set(label, this.len);
      this.len += label.length;
    }
    this.ensure(1);
    this.out[this.len++] = 0;
    return p + 1;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.out.length) return;
    const grown = new Uint8Array(Math.max(this.out.length * 2, this.len + n));
    grown.set(this.out.subarray(0, this.len));
    this.out = grown;
  }
}

/** The case-folded suffix of `labels` starting at label `i`, as a map key. */
function suffixKey(labels: readonly Uint8Array[], i: number): string {
  let key = '';
  for (let j = i; j < labels.length; j++) {
    const l = labels[j]!;
    let s = '';
    for (const c of l) s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
    key += (j > i ? '.' : '') + s.replace(/[\\.]/g, (m) => `\\${m}`);
  }
  return key;
}

function u16(src: Uint8Array, at: number): number {
  if (at + 2 > src.length) throw new MalformedMessage(`message ends inside a field at ${at}`);
  return (src[at]! << 8) | src[at + 1]!;
}

/**
 * The message `wire` (as dns-packet encodes it, names uncompressed) with names compressed as BIND's renderer
 * does. The header, counts, order and all other octets stay the same; each RDLENGTH is recomputed.
 */
export function compressMessage(wire: Uint8Array): Uint8Array {
  try {
    return compressOrThrow(wire);
  } catch (e) {
    if (e instanceof MalformedMessage) throw new Error(`compressMessage: ${e.message}`);
    throw e;
  }
}

function compressOrThrow(src: Uint8Array): Uint8Array {
  if (src.length < 12) throw new MalformedMessage('shorter than the 12-octet header');
  const c = new Compressor(src.length);
  c.copy(src, 0, 12);
  const qd = u16(src, 4);
  const rrs = u16(src, 6) + u16(src, 8) + u16(src, 10);
  let p = 12;
  for (let i = 0; i < qd; i++) {
    p = c.name(src, p, true);
    if (p + 4 > src.length) throw new MalformedMessage('question ends early');
    c.copy(src, p, p + 4);
    p += 4;
  }
  for (let i = 0; i < rrs; i++) {
    p = c.name(src, p, true);
    if (p + 10 > src.length) throw new MalformedMessage('record header ends early');
    const type = u16(src, p);
    const rdlength = u16(src, p + 8);
    c.copy(src, p, p + 8);
    const rdlenAt = c.offset;
    c.copy(src, p + 8, p + 10);
    p += 10;
    const end = p + rdlength;
    if (end > src.length) throw new MalformedMessage(`RDATA of ${rdlength} octets runs past the end at ${p}`);
    const layout = COMPRESSIBLE.get(type);
    const start = c.offset;
    if (layout === undefined) {
      c.copy(src, p, end);
    } else {
      let q = p;
      for (const field of layout) {
        if (field === 'name') q = c.name(src, q, true);
        else {
          c.copy(src, q, q + field);
          q += field;
        }
      }
      if (q !== end) throw new MalformedMessage(`RDATA of type ${type} is ${rdlength} octets, its fields ${q - p}`);
    }
    c.patchU16(rdlenAt, c.offset - start);
    p = end;
  }
  if (p !== src.length) throw new MalformedMessage(`${src.length - p} octets after the last record`);
  return c.bytes();
}
