/**
 * What the runner reads from or does to the host under test through the syscall interface of its own process:
 * TCP_INFO snapshots for `%{ }%` blocks, /proc/net/tcp text for the `grep` the corpus runs, zero-filled files
 * for `dd`, and the host's TCP sysctls (when the stack has a TCP layer).
 */
import { AF_INET, AF_INET6, IPPROTO_TCP, O_CREAT, O_TRUNC, O_WRONLY, TCP_INFO } from '../../../stack/constants.js';
import type { Host } from '../../../stack/host.js';
import type { SockAddr } from '../../../stack/sockaddr.js';
import type { Sys } from '../../../stack/sys.js';
import type { TcpSysctl } from '../../../stack/tcp/sysctl.js';
import { ipv4FromString, ipv6FromString } from '../../../stack/wire/addr.js';
import type { ScriptSocket } from './sockets.js';
import { decodeTcpInfo, TCP_INFO_SIZE } from './tcpinfo.js';

/** The host's TCP sysctls (net.ipv4.tcp_* of its namespace), which its TCP layer reads. */
export function tcpSysctlOf(host: Host): TcpSysctl {
  return host.tcp.sysctl;
}

/** getsockopt(fd, IPPROTO_TCP, TCP_INFO) decoded, or null when the call fails. */
export async function tcpInfo(sys: Sys, fd: number): Promise<Map<string, number> | null> {
  const out = { len: TCP_INFO_SIZE } as { len: number; value?: Uint8Array };
  const r = await sys.getsockopt(fd, IPPROTO_TCP, TCP_INFO, out);
  if (r < 0 || !out.value) return null;
  return decodeTcpInfo(out.value);
}

function hexAddr(sa: SockAddr | null): string {
  if (!sa || !('addr' in sa)) return '00000000:0000';
  const port = sa.port.toString(16).toUpperCase().padStart(4, '0');
  if (sa.family === AF_INET) {
    // /proc/net/tcp prints the address as the host-order (little-endian) u32 of the network-order bytes.
    const n = ipv4FromString(sa.addr) ?? 0;
    const le = (((n & 0xff) << 24) | ((n >>> 8 & 0xff) << 16) | ((n >>> 16 & 0xff) << 8) | (n >>> 24)) >>> 0;
    return `${le.toString(16).toUpperCase().padStart(8, '0')}:${port}`;
  }
  const b = ipv6FromString(sa.addr) ?? new Uint8Array(16);
  let s = '';
  for (let i = 0; i < 16; i += 4) s += [b[i + 3]!, b[i + 2]!, b[i + 1]!, b[i]!].map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join('');
  return `${s}:${port}`;
}

/**
 * /proc/net/tcp (or tcp6) lines for the TCP sockets the script holds an fd to (tcp4_seq_show's columns; the
 * queue, timer, uid and inode columns are zero). Sockets without an fd (orphans, TIME_WAIT) are not listed.
 */
export async function procNetTcp(sys: Sys, sockets: readonly ScriptSocket[], v6: boolean): Promise<string> {
  let out = v6
    ? '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
    : '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  let sl = 0;
  for (const s of sockets) {
    if (s.protocol !== 'tcp' || s.liveFd < 0) continue;
    const local = { addr: null as SockAddr | null }, remote = { addr: null as SockAddr | null };
    if ((await sys.getsockname(s.liveFd, local)) < 0) continue;
    const fam = local.addr && 'addr' in local.addr ? local.addr.family : -1;
    if ((fam === AF_INET6) !== v6) continue;
    await sys.getpeername(s.liveFd, remote);
    const info = await tcpInfo(sys, s.liveFd);
    const st = (info?.get('tcpi_state') ?? 7).toString(16).toUpperCase().padStart(2, '0');
    const rem = remote.addr ?? (v6 ? { family: AF_INET6, addr: '::', port: 0 } : { family: AF_INET, addr: '0.0.0.0', port: 0 });
    out += `${String(sl++).padStart(4)}: ${hexAddr(local.addr)} ${hexAddr(rem as SockAddr)} ${st} 00000000:00000000 00:00000000 00000000     0        0 0 1\n`;
  }
  return out;
}

/** Writes n zero bytes to path (creating /tmp's parents as needed); an error message or null. */
export async function writeZeros(sys: Sys, path: string, n: number): Promise<string | null> {
  const parts = path.split('/').filter((p) => p);
  let dir = '';
  for (const p of parts.slice(0, -1)) {
    dir += `/${p}`;
    await sys.mkdir(dir);
  }
  const fd = await sys.open(path, O_WRONLY | O_CREAT | O_TRUNC);
  if (fd < 0) return `dd: ${path}: cannot open (errno ${sys.errno})`;
  const w = await sys.write(fd, new Uint8Array(n));
  await sys.close(fd);
  return w === n ? null : `dd: ${path}: short write`;
}
