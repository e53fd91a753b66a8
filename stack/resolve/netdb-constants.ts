/**
 * <netdb.h> flag values for getaddrinfo(3) and getnameinfo(3) as glibc 2.36 defines them on x86-64, and the protocol
 * numbers getaddrinfo's socket-type table uses that stack/constants.ts does not define.
 */

/** getaddrinfo(3) ai_flags. */
export const AI_PASSIVE = 0x0001, AI_CANONNAME = 0x0002, AI_NUMERICHOST = 0x0004, AI_V4MAPPED = 0x0008, AI_ALL = 0x0010,
  AI_ADDRCONFIG = 0x0020, AI_IDN = 0x0040, AI_CANONIDN = 0x0080, AI_NUMERICSERV = 0x0400;

/** The former AI_IDN_ALLOW_UNASSIGNED and AI_IDN_USE_STD3_ASCII_RULES bits, still accepted and ignored. */
export const DEPRECATED_AI_IDN = 0x0300;

/** getnameinfo(3) flags. */
export const NI_NUMERICHOST = 1, NI_NUMERICSERV = 2, NI_NOFQDN = 4, NI_NAMEREQD = 8, NI_DGRAM = 16, NI_IDN = 32;

/** The former NI_IDN_ALLOW_UNASSIGNED and NI_IDN_USE_STD3_ASCII_RULES bits. */
export const DEPRECATED_NI_IDN = 192;

/** Buffer sizes glibc suggests for getnameinfo (NI_MAXHOST, NI_MAXSERV). */
export const NI_MAXHOST = 1025, NI_MAXSERV = 32;

/** SOCK_DCCP and IPPROTO_DCCP (linux/net.h, linux/in.h), which getaddrinfo knows. */
export const SOCK_DCCP = 6, IPPROTO_DCCP = 33;
