/**
 * Frames captured from the real Linux kernel on this machine: `unshare -n` with only `lo` up (MTU 1500, Linux's
 * default tcp_rmem 4096 131072 6291456 restored in the namespace), read with an AF_PACKET socket. Loopback
 * frames carry all-zero MACs.
 *
 * Loopback offloads checksums (NETIF_F_HW_CSUM, fixed on lo), so UDP and TCP segments sent from sockets leave the
 * kernel with only the pseudo-header sum in the checksum field (CHECKSUM_PARTIAL). In the three frames marked
 * PATCHED that field was replaced with the value Wireshark 4.0 computes (`tcp.checksum_calculated` /
 * `udp.checksum_calculated`); every other byte is the kernel's. Kernel-built RSTs (ip_send_unicast_reply())
 * and all ICMP/ICMPv6 are checksummed in software and are untouched.
 */

/** Bytes of a hex string. */
export function fromHex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
}

/** Hex of bytes. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** UDP 127.0.0.1:40000 → 127.0.0.1:9, "hello, world\n"; PATCHED udp checksum 0x1b2c. */
export const FRAME_UDP4_HELLO = fromHex(
  '000000000000 000000000000 0800' +
  '4500 0029 9db1 4000 4011 9f10 7f000001 7f000001' +
  '9c40 0009 0015 1b2c 68656c6c6f2c20776f726c640a');

/** A Linux SYN 127.0.0.1:45678 → :8080, `mss 1460,sackOK,TS val 2445590155 ecr 0,nop,wscale 7`; PATCHED 0xcbf3. */
export const FRAME_TCP_SYN = fromHex(
  '000000000000 000000000000 0800' +
  '4500 003c 6fd9 4000 4006 cce0 7f000001 7f000001' +
  'b26e 1f90 5bf304d7 00000000 a002 faf0 cbf3 0000' +
  '020405b4 0402 080a 91c4be8b 00000000 01 030307');

/** The kernel's RST/ACK for a SYN to closed port 8081 (tcp_v4_send_reset(): software checksum 0x35ee). */
export const FRAME_TCP_RST = fromHex(
  '000000000000 000000000000 0800' +
  '4500 0028 0000 4000 4006 3cce 7f000001 7f000001' +
  '1f91 b26f 00000000 b598f446 5014 0000 35ee 0000');

/** ICMP echo request from a ping socket (id 0xb464 is the socket's port, seq 1, data "ping"). */
export const FRAME_ICMP4_ECHO_REQUEST = fromHex(
  '000000000000 000000000000 0800' +
  '4500 0020 b6e0 4000 4001 85fa 7f000001 7f000001' +
  '08 00 64c9 b464 0001 70696e67');

/** The kernel's echo reply to it (icmp_echo(): no DF, same id/seq/data). */
export const FRAME_ICMP4_ECHO_REPLY = fromHex(
  '000000000000 000000000000 0800' +
  '4500 0020 b6e1 0000 4001 c5f9 7f000001 7f000001' +
  '00 00 6cc9 b464 0001 70696e67');

/** The kernel's port unreachable (type 3 code 3, TOS 0xc0) for a UDP datagram to closed port 7. */
export const FRAME_ICMP4_PORT_UNREACH = fromHex(
  '000000000000 000000000000 0800' +
  '45c0 0039 b606 0000 4001 c5fb 7f000001 7f000001' +
  '03 03 ea8e 00000000' +
  '4500001d9dd2400040119efb7f0000017f0000019c4000070009fe1c78');

/** UDP [::1]:40001 → [::1]:9, "hi6", flow label 0x02807; PATCHED udp checksum 0xc522. */
export const FRAME_UDP6_HI = fromHex(
  '000000000000 000000000000 86dd' +
  '6000 2807 000b 11 40 00000000000000000000000000000001 00000000000000000000000000000001' +
  '9c41 0009 000b c522 686936');

/** ICMPv6 echo request from a ping socket to ::1 (id 0xb465, seq 1, data "ping6"). */
export const FRAME_ICMP6_ECHO_REQUEST = fromHex(
  '000000000000 000000000000 86dd' +
  '6000 559d 000d 3a 40 00000000000000000000000000000001 00000000000000000000000000000001' +
  '80 00 b67e b465 0001 70696e6736');

/** The kernel's echo reply to it. */
export const FRAME_ICMP6_ECHO_REPLY = fromHex(
  '000000000000 000000000000 86dd' +
  '6000 85cb 000d 3a 40 00000000000000000000000000000001 00000000000000000000000000000001' +
  '81 00 b57e b465 0001 70696e6736');

/** The kernel's ICMPv6 port unreachable (type 1 code 4) for a UDP datagram to [::1]:7. */
export const FRAME_ICMP6_PORT_UNREACH = fromHex(
  '000000000000 000000000000 86dd' +
  '6007 97bb 0039 3a 40 00000000000000000000000000000001 00000000000000000000000000000001' +
  '01 04 4ca6 00000000' +
  '60002b270009114000000000000000000000000000000001000000000000000000000000000000019c4100070009001c79');
