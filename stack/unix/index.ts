/**
 * socket(AF_UNIX, …) (unix_create): protocol must be 0 or PF_UNIX (EPROTONOSUPPORT); SOCK_RAW is silently a
 * datagram socket; other types are ESOCKTNOSUPPORT.
 */
import { AF_UNIX, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM } from '../constants.js';
import { Errno } from '../errno.js';
import type { Host } from '../host.js';
import type { Socket } from '../socket.js';
import { UnixDgramSocket, UnixSeqpacketSocket } from './dgram.js';
import { UnixStreamSocket } from './stream.js';

/** The AF_UNIX socket factory host.ts registers. */
export function unixSocket(host: Host, type: number, protocol: number): Socket | number {
  if (protocol !== 0 && protocol !== AF_UNIX) return -Errno.EPROTONOSUPPORT;
  switch (type) {
    case SOCK_STREAM:
      return new UnixStreamSocket(host);
    case SOCK_DGRAM:
    case SOCK_RAW:
      return new UnixDgramSocket(host);
    case SOCK_SEQPACKET:
      return new UnixSeqpacketSocket(host);
    default:
      return -Errno.ESOCKTNOSUPPORT;
  }
}

export { UnixStreamSocket, UnixDgramSocket, UnixSeqpacketSocket };
