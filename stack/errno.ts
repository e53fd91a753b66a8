/**
 * Linux errno values (x86-64, asm-generic/errno-base.h and errno.h), with their names and strerror texts.
 * socksim reports errors at the socket boundary with these numbers so a scenario's expectations read like Linux.
 */

/** errno name → number, as on Linux x86-64. */
export const Errno = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10,
  EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, ENOTBLK: 15, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19,
  ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27, ENOSPC: 28,
  ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34, EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37,
  ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40, ENOMSG: 42, EIDRM: 43, ENOSTR: 60, ENODATA: 61, ETIME: 62, ENONET: 64, EPROTO: 71,
  EBADMSG: 74, EOVERFLOW: 75, EILSEQ: 84, EUSERS: 87, ENOTSOCK: 88, EDESTADDRREQ: 89, EMSGSIZE: 90,
  EPROTOTYPE: 91, ENOPROTOOPT: 92, EPROTONOSUPPORT: 93, ESOCKTNOSUPPORT: 94, EOPNOTSUPP: 95, EPFNOSUPPORT: 96,
  EAFNOSUPPORT: 97, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100, ENETUNREACH: 101, ENETRESET: 102,
  ECONNABORTED: 103, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ESHUTDOWN: 108,
  ETOOMANYREFS: 109, ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTDOWN: 112, EHOSTUNREACH: 113, EALREADY: 114,
  EINPROGRESS: 115, ESTALE: 116, EDQUOT: 122, ECANCELED: 125, EOWNERDEAD: 130, ENOTRECOVERABLE: 131,
} as const;

/** A Linux errno name. */
export type ErrnoName = keyof typeof Errno;

/** EWOULDBLOCK and ENOTSUP are aliases on Linux. */
export const EWOULDBLOCK = Errno.EAGAIN;
/** ENOTSUP is EOPNOTSUPP on Linux. */
export const ENOTSUP = Errno.EOPNOTSUPP;

const names = new Map<number, ErrnoName>();
for (const [name, value] of Object.entries(Errno)) names.set(value, name as ErrnoName);

/** The name of an errno value ("ECONNREFUSED"), or "E<n>" for one socksim does not know. */
export function errnoName(n: number): string {
  return names.get(n) ?? `E${n}`;
}

/** An errno value from its name, or undefined. */
export function errnoFromName(name: string): number | undefined {
  return (Errno as Record<string, number>)[name];
}

/** glibc's strerror() texts for the errnos a socket layer returns. */
const texts: Partial<Record<ErrnoName, string>> = {
  EPERM: 'Operation not permitted', ENOENT: 'No such file or directory', EINTR: 'Interrupted system call',
  EIO: 'Input/output error', EBADF: 'Bad file descriptor', EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory', EACCES: 'Permission denied', EFAULT: 'Bad address',
  EEXIST: 'File exists', ENOTDIR: 'Not a directory', EISDIR: 'Is a directory', EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system', EMFILE: 'Too many open files', ENOSPC: 'No space left on device',
  ESPIPE: 'Illegal seek', EPIPE: 'Broken pipe', ENAMETOOLONG: 'File name too long',
  ENOSYS: 'Function not implemented', ELOOP: 'Too many levels of symbolic links', ENOTSOCK: 'Socket operation on non-socket',
  EDESTADDRREQ: 'Destination address required', EMSGSIZE: 'Message too long',
  EPROTOTYPE: 'Protocol wrong type for socket', ENOPROTOOPT: 'Protocol not available',
  EPROTONOSUPPORT: 'Protocol not supported', ESOCKTNOSUPPORT: 'Socket type not supported',
  EOPNOTSUPP: 'Operation not supported', EPFNOSUPPORT: 'Protocol family not supported',
  EAFNOSUPPORT: 'Address family not supported by protocol', EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address', ENETDOWN: 'Network is down',
  ENETUNREACH: 'Network is unreachable', ENETRESET: 'Network dropped connection on reset',
  ECONNABORTED: 'Software caused connection abort', ECONNRESET: 'Connection reset by peer',
  ENOBUFS: 'No buffer space available', EISCONN: 'Transport endpoint is already connected',
  ENOTCONN: 'Transport endpoint is not connected', ESHUTDOWN: 'Cannot send after transport endpoint shutdown',
  ETIMEDOUT: 'Connection timed out', ECONNREFUSED: 'Connection refused', EHOSTDOWN: 'Host is down',
  EHOSTUNREACH: 'No route to host', ENONET: 'Machine is not on the network', EALREADY: 'Operation already in progress',
  EINPROGRESS: 'Operation now in progress', EOVERFLOW: 'Value too large for defined data type',
};

/** strerror(n) as glibc prints it. */
export function strerror(n: number): string {
  const name = names.get(n);
  return (name && texts[name]) ?? `Unknown error ${n}`;
}
