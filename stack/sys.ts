/**
 * The syscall interface a simulated process gets: the BSD socket API, the fd table and the multiplexing calls with
 * Linux semantics. Every call returns a number like its C counterpart (-1 on failure with `errno` set) or a typed
 * result, never throws for bad arguments, and is recorded with its arguments and result. Blocking calls park the
 * process in virtual time. The calls are grouped by concern in stack/sys/ and stacked into one class here.
 */
import { SysNetdb } from './sys/netdb.js';

/** The syscall API of one process (see stack/sys/*.ts for each group of calls). */
export class Sys extends SysNetdb {}

export type { AddrOut, SocketFactory } from './sys/sockcalls.js';
export type { MsgHdr } from './sys/data.js';
export type { OptOut } from './sys/opts.js';
export type { Disposition } from './sys/base.js';
export type { Rlimit } from './sys/fdcalls.js';
