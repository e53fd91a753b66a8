/**
 * getaddrinfo(3) error codes as glibc defines them in <netdb.h> (x86-64), and gai_strerror(3) with glibc 2.36's
 * exact English texts (sysdeps/posix/gai_strerror-strs.h). Values checked against the real headers and library
 * by test/unit/resolve/gai-errors.test.ts.
 */

/** Invalid value for ai_flags. */
export const EAI_BADFLAGS = -1;
/** NAME or SERVICE is unknown. */
export const EAI_NONAME = -2;
/** Temporary failure in name resolution. */
export const EAI_AGAIN = -3;
/** Non-recoverable failure in name resolution. */
export const EAI_FAIL = -4;
/** No address associated with NAME (a GNU extension in <netdb.h>). */
export const EAI_NODATA = -5;
/** ai_family not supported. */
export const EAI_FAMILY = -6;
/** ai_socktype not supported. */
export const EAI_SOCKTYPE = -7;
/** SERVICE not supported for ai_socktype. */
export const EAI_SERVICE = -8;
/** Address family for NAME not supported (GNU extension). */
export const EAI_ADDRFAMILY = -9;
/** Memory allocation failure. */
export const EAI_MEMORY = -10;
/** System error returned in errno. */
export const EAI_SYSTEM = -11;
/** Argument buffer overflow (getnameinfo); glibc 2.36's gai_strerror has no text for it. */
export const EAI_OVERFLOW = -12;
/** getaddrinfo_a: processing request in progress (GNU extension). */
export const EAI_INPROGRESS = -100;
/** getaddrinfo_a: request canceled (GNU extension). */
export const EAI_CANCELED = -101;
/** getaddrinfo_a: request not canceled (GNU extension). */
export const EAI_NOTCANCELED = -102;
/** getaddrinfo_a: all requests done (GNU extension). */
export const EAI_ALLDONE = -103;
/** Interrupted by a signal (GNU extension). */
export const EAI_INTR = -104;
/** IDN encoding failed (GNU extension). */
export const EAI_IDN_ENCODE = -105;

/** The text glibc returns for a code it has no entry for. */
export const GAI_UNKNOWN_ERROR = 'Unknown error';

// glibc's table; EAI_OVERFLOW is absent from it, so it falls through to "Unknown error" like any unknown code.
const texts = new Map<number, string>([
  [EAI_ADDRFAMILY, 'Address family for hostname not supported'],
  [EAI_AGAIN, 'Temporary failure in name resolution'],
  [EAI_BADFLAGS, 'Bad value for ai_flags'],
  [EAI_FAIL, 'Non-recoverable failure in name resolution'],
  [EAI_FAMILY, 'ai_family not supported'],
  [EAI_MEMORY, 'Memory allocation failure'],
  [EAI_NODATA, 'No address associated with hostname'],
  [EAI_NONAME, 'Name or service not known'],
  [EAI_SERVICE, 'Servname not supported for ai_socktype'],
  [EAI_SOCKTYPE, 'ai_socktype not supported'],
  [EAI_SYSTEM, 'System error'],
  [EAI_INPROGRESS, 'Processing request in progress'],
  [EAI_CANCELED, 'Request canceled'],
  [EAI_NOTCANCELED, 'Request not canceled'],
  [EAI_ALLDONE, 'All requests done'],
  [EAI_INTR, 'Interrupted by a signal'],
  [EAI_IDN_ENCODE, 'Parameter string not correctly encoded'],
]);

/** gai_strerror(3): glibc's English text for an EAI_* code, "Unknown error" for any other value. */
export function gai_strerror(code: number): string {
  return texts.get(code) ?? GAI_UNKNOWN_ERROR;
}
