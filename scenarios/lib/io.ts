/**
 * Blocking stream I/O loops every client writes the same way in C: send until everything went (send(2) may take
 * less than asked; on a non-blocking socket it may say EAGAIN, and poll(2) for POLLOUT waits for room), read until
 * n bytes or EOF (recv(2) returns what is there).
 */
import { POLLOUT } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import type { Sys } from '../../stack/sys.js';

/** Text as bytes. */
export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Bytes as text. */
export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/** Sends all of data, waiting for room when the socket is non-blocking; returns data.length, or -1 (errno set). */
export async function sendAll(sys: Sys, fd: number, data: Uint8Array, flags = 0): Promise<number> {
  let off = 0;
  while (off < data.length) {
    const n = await sys.send(fd, data.subarray(off), flags);
    if (n < 0 && sys.errno === Errno.EAGAIN) {
      await sys.poll([{ fd, events: POLLOUT, revents: 0 }], 1, -1);
      continue;
    }
    if (n < 0) return -1;
    off += n;
  }
  return data.length;
}

/** Reads until `n` bytes came or EOF; returns what came (shorter at EOF), or null if a recv failed. */
export async function recvFull(sys: Sys, fd: number, n: number): Promise<Uint8Array | null> {
  const out = new Uint8Array(n);
  let off = 0;
  while (off < n) {
    const r = await sys.recv(fd, out.subarray(off));
    if (r < 0) return null;
    if (r === 0) break;
    off += r;
  }
  return out.subarray(0, off);
}

/** Reads until EOF (read(2): a socket, a pipe or a file); returns everything, or null if a read failed. */
export async function readToEof(sys: Sys, fd: number, chunk = 4096): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(chunk);
  for (;;) {
    const r = await sys.read(fd, buf);
    if (r < 0) return null;
    if (r === 0) break;
    parts.push(buf.slice(0, r));
    total += r;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
