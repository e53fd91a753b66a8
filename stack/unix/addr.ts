/**
 * AF_UNIX names (unix(7)): sockaddr_un checks, filesystem paths and the abstract namespace. A path is the C string
 * in sun_path (cut at addrlen and at the first NUL) and its address length counts the terminating NUL, as
 * unix_mkname_bsd makes it; an abstract name is every byte after the leading NUL, compared exactly. Abstract names
 * are looked up per socket type, because Linux hashes the type into the name's bucket. Autobind picks "\0%05x"
 * from a random start, as unix_autobind does.
 */
import { AF_UNIX, UNIX_PATH_MAX } from '../constants.js';
import { Errno } from '../errno.js';
import type { Host } from '../host.js';

/** offsetof(struct sockaddr_un, sun_path). */
export const SUN_PATH_OFFSET = 2;

/** A parsed sockaddr_un. */
export type UnixName =
  | { kind: 'autobind' }
  | { kind: 'path'; path: string; bytes: Uint8Array }
  | { kind: 'abstract'; key: string; bytes: Uint8Array };

/** The name bytes a socket reports (family + sun_path as getsockname gives them). */
function nameBytes(path: Uint8Array): Uint8Array {
  const b = new Uint8Array(SUN_PATH_OFFSET + path.length);
  b[0] = AF_UNIX;
  b.set(path, SUN_PATH_OFFSET);
  return b;
}

/**
 * unix_validate_addr + unix_mkname: EINVAL when addrlen is at most the family field or past sizeof(sockaddr_un), or
 * the family is not AF_UNIX. `allowAutobind`: bind(2) with exactly the family field asks for an autobind name.
 */
export function parseUnixName(b: Uint8Array, allowAutobind: boolean, abstractAsPath = false): UnixName | number {
  const fam = b.length >= 2 ? b[0]! | (b[1]! << 8) : -1;
  if (allowAutobind && b.length === SUN_PATH_OFFSET && fam === AF_UNIX) return { kind: 'autobind' };
  if (b.length <= SUN_PATH_OFFSET || b.length > SUN_PATH_OFFSET + UNIX_PATH_MAX) return -Errno.EINVAL;
  if (fam !== AF_UNIX) return -Errno.EINVAL;
  const sun = b.subarray(SUN_PATH_OFFSET);
  if (sun[0] === 0 && !abstractAsPath) return { kind: 'abstract', key: Buffer.from(sun).toString('latin1'), bytes: nameBytes(sun) };
  if (sun[0] === 0) {
    // Deviation profile "abstract-as-path": the abstract name becomes a filesystem path beneath the root.
    const rest = sun.subarray(1);
    const end = rest.indexOf(0);
    const name = Buffer.from(end >= 0 ? rest.subarray(0, end) : rest).toString('latin1');
    const withNul = new Uint8Array(name.length + 2);
    withNul.set(Buffer.from(`/${name}`, 'latin1'));
    return { kind: 'path', path: `/${name}`, bytes: nameBytes(withNul) };
  }
  const nul = sun.indexOf(0);
  const p = nul >= 0 ? sun.subarray(0, nul) : sun;
  const withNul = new Uint8Array(p.length + 1);
  withNul.set(p);
  return { kind: 'path', path: Buffer.from(p).toString('latin1'), bytes: nameBytes(withNul) };
}

/** The abstract namespace of one host: names by "type:name". */
export class AbstractNamespace {
  readonly names = new Map<string, object>();

  /** The socket bound to an abstract name for a socket type, if any. */
  get(type: number, key: string): object | undefined {
    return this.names.get(`${type}:${key}`);
  }

  /** Binds; false when taken. */
  add(type: number, key: string, sock: object): boolean {
    const k = `${type}:${key}`;
    if (this.names.has(k)) return false;
    this.names.set(k, sock);
    return true;
  }

  /** Unbinds (the socket was released). */
  remove(type: number, key: string, sock: object): void {
    const k = `${type}:${key}`;
    if (this.names.get(k) === sock) this.names.delete(k);
  }

  /** unix_autobind: the first free "\0%05x" after a random start; null when all 2^20 are taken (EAGAIN…). */
  autobindName(host: Host, type: number): { key: string; bytes: Uint8Array } | null {
    const s = host.sim.random.stream(`host:${host.name}:unix-autobind`);
    const start = s.int(0, 0xfffff);
    for (let i = 1; i <= 0x100000; i++) {
      const n = (start + i) & 0xfffff;
      const key = `\0${n.toString(16).padStart(5, '0')}`;
      if (!this.get(type, key)) {
        host.sim.decide(s.name, 'unix-autobind', n);
        return { key, bytes: nameBytes(Buffer.from(key, 'latin1')) };
      }
    }
    return null;
  }
}

const perHost = new WeakMap<Host, AbstractNamespace>();

/** The abstract namespace of a host. */
export function abstractNamespaceOf(host: Host): AbstractNamespace {
  let ns = perHost.get(host);
  if (!ns) perHost.set(host, (ns = new AbstractNamespace()));
  return ns;
}
