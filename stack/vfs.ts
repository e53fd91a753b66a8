/**
 * A small per-host filesystem: directories, regular files and socket nodes (what bind(2) on an AF_UNIX path
 * creates). Path resolution gives path_resolution(7)'s errors: ENOENT for a missing component or an empty path,
 * ENOTDIR when a non-directory is walked through, ENAMETOOLONG past NAME_MAX (255) per component or PATH_MAX (4096)
 * in all. Relative paths resolve from "/" (a process's cwd is the root). There are no permissions: processes run as
 * root, as the probes do.
 */
import { Errno } from './errno.js';
import type { Host } from './host.js';

/** Limits from linux/limits.h. */
export const NAME_MAX = 255, PATH_MAX = 4096;

/** A directory. */
export class DirNode {
  readonly kind = 'dir' as const;
  readonly entries = new Map<string, VNode>();
  constructor(readonly parent: DirNode | null) {}
}

/** A regular file: its bytes live in `buf[0, size)`. */
export class RegNode {
  readonly kind = 'file' as const;
  buf = new Uint8Array(0);
  size = 0;
  /** Directory entries naming it (unlink drops one; open files keep the data alive as on Linux). */
  nlink = 1;

  /** The file's current content. */
  content(): Uint8Array {
    return this.buf.subarray(0, this.size);
  }

  /** Writes data at pos, growing the file (holes read as zeros). */
  writeAt(pos: number, data: Uint8Array): void {
    const end = pos + data.length;
    if (end > this.buf.length) {
      const nb = new Uint8Array(Math.max(end, this.buf.length * 2, 64));
      nb.set(this.buf.subarray(0, this.size));
      this.buf = nb;
    }
    this.buf.set(data, pos);
    if (end > this.size) this.size = end;
  }

  /** Truncates or extends to n bytes. */
  truncate(n: number): void {
    if (n < this.size) this.buf.fill(0, n, this.size);
    else if (n > this.buf.length) this.writeAt(this.size, new Uint8Array(n - this.size));
    this.size = n;
  }
}

/** A socket node: the AF_UNIX socket bound to this path, or null once that socket is gone (connect: ECONNREFUSED). */
export class SockNode {
  readonly kind = 'socket' as const;
  constructor(public sock: object | null) {}
}

/** Any node. */
export type VNode = DirNode | RegNode | SockNode;

/** The directory and last component a path names (for create and unlink). */
export interface ParentRef {
  dir: DirNode;
  name: string;
}

/** One host's filesystem. */
export class Vfs {
  readonly root = new DirNode(null);

  constructor() {
    // A fresh system has /tmp, where programs put their sockets.
    this.root.entries.set('tmp', new DirNode(this.root));
  }

  /** Splits a path into components, or -errno for an empty or over-long one. */
  private split(path: string): string[] | number {
    if (path.length === 0) return -Errno.ENOENT;
    if (path.length >= PATH_MAX) return -Errno.ENAMETOOLONG;
    const parts = path.split('/').filter((c) => c !== '' && c !== '.');
    for (const c of parts) if (Buffer.byteLength(c, 'latin1') > NAME_MAX) return -Errno.ENAMETOOLONG;
    return parts;
  }

  /** Walks components from the root; ".." goes up (and stays at the root). */
  private walk(parts: readonly string[]): VNode | number {
    let n: VNode = this.root;
    for (const c of parts) {
      if (n.kind !== 'dir') return -Errno.ENOTDIR;
      if (c === '..') {
        n = n.parent ?? n;
        continue;
      }
      const next: VNode | undefined = n.entries.get(c);
      if (!next) return -Errno.ENOENT;
      n = next;
    }
    return n;
  }

  /** The node a path names, or -errno. A trailing slash requires a directory. */
  lookup(path: string): VNode | number {
    const parts = this.split(path);
    if (typeof parts === 'number') return parts;
    const n = this.walk(parts);
    if (typeof n !== 'number' && path.endsWith('/') && n.kind !== 'dir') return -Errno.ENOTDIR;
    return n;
  }

  /** The parent directory and final name of a path that is to be created or removed, or -errno. */
  parentOf(path: string): ParentRef | number {
    const parts = this.split(path);
    if (typeof parts === 'number') return parts;
    const name = parts.pop();
    if (name === undefined) return -Errno.EEXIST; // "/" itself
    const dir = this.walk(parts);
    if (typeof dir === 'number') return dir;
    if (dir.kind !== 'dir') return -Errno.ENOTDIR;
    return { dir, name };
  }

  /** Creates a socket node (unix_bind's mknod): -EADDRINUSE when the name exists (bind(2) turns EEXIST into it). */
  mknodSocket(path: string, sock: object): SockNode | number {
    const p = this.parentOf(path);
    if (typeof p === 'number') return p;
    if (p.name === '..' || p.dir.entries.has(p.name)) return -Errno.EADDRINUSE;
    const node = new SockNode(sock);
    p.dir.entries.set(p.name, node);
    return node;
  }

  /** mkdir(2). */
  mkdir(path: string): number {
    const p = this.parentOf(path);
    if (typeof p === 'number') return p;
    if (p.name === '..' || p.dir.entries.has(p.name)) return -Errno.EEXIST;
    p.dir.entries.set(p.name, new DirNode(p.dir));
    return 0;
  }

  /** unlink(2): EISDIR for a directory (Linux's answer), ENOENT when missing. */
  unlink(path: string): number {
    const p = this.parentOf(path);
    if (typeof p === 'number') return p === -Errno.EEXIST ? -Errno.EISDIR : p;
    const n = p.dir.entries.get(p.name);
    if (!n) return -Errno.ENOENT;
    if (n.kind === 'dir') return -Errno.EISDIR;
    if (path.endsWith('/')) return -Errno.ENOTDIR;
    p.dir.entries.delete(p.name);
    if (n.kind === 'file') n.nlink--;
    return 0;
  }

  /** rmdir(2): ENOTDIR, ENOTEMPTY, EBUSY for the root. */
  rmdir(path: string): number {
    const p = this.parentOf(path);
    if (typeof p === 'number') return p === -Errno.EEXIST ? -Errno.EBUSY : p;
    if (p.name === '..') return -Errno.ENOTEMPTY;
    const n = p.dir.entries.get(p.name);
    if (!n) return -Errno.ENOENT;
    if (n.kind !== 'dir') return -Errno.ENOTDIR;
    if (n.entries.size > 0) return -Errno.ENOTEMPTY;
    p.dir.entries.delete(p.name);
    return 0;
  }

  /** Creates (or finds) a regular file for open(2) with O_CREAT; EEXIST with O_EXCL when it exists. */
  create(path: string, excl: boolean): VNode | number {
    const p = this.parentOf(path);
    if (typeof p === 'number') return p === -Errno.EEXIST ? -Errno.EISDIR : p;
    const n = p.name === '..' ? this.lookup(path) : p.dir.entries.get(p.name);
    if (typeof n === 'number') return n;
    if (n) return excl ? -Errno.EEXIST : n;
    if (path.endsWith('/')) return -Errno.EISDIR;
    const f = new RegNode();
    p.dir.entries.set(p.name, f);
    return f;
  }
}

const perHost = new WeakMap<Host, Vfs>();

/** The filesystem of a host (created on first use). */
export function vfsOf(host: Host): Vfs {
  let v = perHost.get(host);
  if (!v) perHost.set(host, (v = new Vfs()));
  return v;
}
