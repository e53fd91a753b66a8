// Domain-name helpers shared by the DNS modules.
//
// Names are kept in one canonical form throughout stack/dns: ASCII-lowercased (DNS compares names
// case-insensitively, ASCII only: RFC 4343 §3), without the trailing dot, and the root spelled '.'.
// That is the form dns-packet's decoder yields, so decoded messages and zone data compare directly.
// Backslash escapes (RFC 1035 §5.1) are not supported: a '.' always separates labels.

/** Longest label, in octets (RFC 1035 §2.3.4). */
export const MAX_LABEL_OCTETS = 63;
/** Longest name on the wire, in octets, counting length bytes and the root label (RFC 1035 §2.3.4). */
export const MAX_NAME_OCTETS = 255;

/** The canonical form of `name`: ASCII-lowercased, no trailing dot, root as '.'. */
export function canonicalName(name: string): string {
  const lower = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const bare = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  return bare === '' ? '.' : bare;
}

/** True when two names are equal ignoring ASCII case and a trailing dot (RFC 4343 §3). */
export function sameName(a: string, b: string): boolean {
  return canonicalName(a) === canonicalName(b);
}

/** The labels of a canonical name, leftmost first; the root has none. */
export function nameLabels(name: string): string[] {
  return name === '.' ? [] : name.split('.');
}

/** True when canonical `name` is `ancestor` or lies below it (RFC 1034 §3.1 "subdomain"). */
export function isSubdomain(name: string, ancestor: string): boolean {
  if (ancestor === '.') return true;
  return name === ancestor || name.endsWith('.' + ancestor);
}

/** The parent of a canonical name; the root has no parent and throws. */
export function parentName(name: string): string {
  if (name === '.') throw new Error('the root name has no parent');
  const dot = name.indexOf('.');
  return dot < 0 ? '.' : name.slice(dot + 1);
}

/** The canonical name `label.parent`. */
export function childName(label: string, parent: string): string {
  return parent === '.' ? label : `${label}.${parent}`;
}

/**
 * The names from `ancestor` (exclusive) down to `name` (inclusive), top first: the path the RFC 1034
 * §4.3.2 step 3 descent walks. `name` must be a subdomain of `ancestor`.
 */
export function namesBelow(name: string, ancestor: string): string[] {
  const labels = nameLabels(name);
  const depth = labels.length - nameLabels(ancestor).length;
  const out: string[] = [];
  for (let i = depth - 1; i >= 0; i--) out.push(labels.slice(i).join('.'));
  return out;
}

/** The ancestors of canonical `name`, itself first and the root last. */
export function selfAndAncestors(name: string): string[] {
  const out = [name];
  let n = name;
  while (n !== '.') {
    n = parentName(n);
    out.push(n);
  }
  return out;
}

/** Why `name` is not a valid domain name (RFC 1035 §2.3.4 length limits), or undefined when it is. */
export function nameProblem(name: string): string | undefined {
  if (name === '.' || name === '') return undefined;
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  let wire = 1;
  for (const label of bare.split('.')) {
    const octets = Buffer.byteLength(label, 'utf8');
    if (octets === 0) return `empty label in "${name}"`;
    if (octets > MAX_LABEL_OCTETS) return `label "${label}" is ${octets} octets (max ${MAX_LABEL_OCTETS})`;
    wire += octets + 1;
  }
  return wire > MAX_NAME_OCTETS ? `"${name}" is ${wire} octets on the wire (max ${MAX_NAME_OCTETS})` : undefined;
}

/**
 * Resolves a master-file style name against `origin` (RFC 1035 §5.1): '@' is the origin, a name ending
 * in '.' is absolute, anything else is relative to the origin. Returns the canonical form.
 */
export function absoluteName(name: string, origin: string): string {
  if (name === '@') return origin;
  if (name.endsWith('.')) return canonicalName(name);
  return canonicalName(origin === '.' ? name : `${name}.${origin}`);
}
