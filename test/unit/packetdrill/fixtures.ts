/**
 * Representative packetdrill lines, written for this project (not copied from any
 * corpus), one per construct the upstream and kernel scripts use. Each is a complete
 * one-event script.
 */

/** One fixture line and the event kind it must parse to. */
export interface FixtureLine {
  readonly line: string;
  readonly kind: 'packet' | 'syscall' | 'command' | 'code';
}

/** The fixture list. */
export const FIXTURE_LINES: readonly FixtureLine[] = [
  { kind: 'syscall', line: '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3' },
  { kind: 'syscall', line: '+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0' },
  { kind: 'syscall', line: '+0.050...0.250 accept(3, ..., ...) = 4' },
  { kind: 'syscall', line: '+0 fcntl(5, F_SETFL, O_RDWR|O_NONBLOCK) = 0' },
  { kind: 'syscall', line: '+0 connect(5, ..., ...) = -1 EINPROGRESS (Operation now in progress)' },
  { kind: 'syscall', line: '+0 getsockopt(5, SOL_SOCKET, SO_ERROR, [0], [4]) = 0' },
  { kind: 'syscall', line: '+0 setsockopt(5, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0' },
  { kind: 'syscall', line: '+0 poll([{fd=5, events=POLLIN|POLLRDHUP, revents=POLLIN}], 1, 50) = 1' },
  { kind: 'syscall', line: '+0 epoll_ctl(6, EPOLL_CTL_MOD, 5, {events=EPOLLIN|EPOLLONESHOT, fd=5}) = 0' },
  { kind: 'syscall', line: '+0 sendmsg(5, {msg_name(...)=..., msg_iov(2)=[{..., 300}, {..., 700}], msg_flags=0}, MSG_MORE) = 1000' },
  {
    kind: 'syscall',
    line: '+0 recvmsg(5, {msg_name(...)=..., msg_iov(1)=[{..., 500}], msg_flags=0, msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=0}]}, 0) = 500',
  },
  { kind: 'syscall', line: '+0 bind(7, {sa_family=AF_INET, sin_port=htons(9090), sin_addr=inet_addr("198.51.100.7")}, 16) = 0' },
  { kind: 'syscall', line: '+0 write(5, "hello\\n", 6) = 6' },
  { kind: 'syscall', line: '+0 read(5, ..., 4096) = -1 EAGAIN (Resource temporarily unavailable)' },
  { kind: 'packet', line: '+.02 < S 0:0(0) win 65535 <mss 1400,sackOK,TS val 5000 ecr 0,nop,wscale 6>' },
  { kind: 'packet', line: '+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 100 ecr 5000,nop,wscale 8>' },
  { kind: 'packet', line: '+0 > P. 1:1461(1460) ack 1 win 502 <nop,nop,TS val 200 ecr 5010>' },
  { kind: 'packet', line: '+0 < . 1:1(0) ack 2921 win 500 <nop,nop,sack 4381:5841 7301:8761>' },
  { kind: 'packet', line: '+0 < F. 1:1(0) ack 1461 win 500' },
  { kind: 'packet', line: '+0 > R. 1461:1461(0) ack 2' },
  { kind: 'packet', line: '0.300~0.500 > . 1461:1461(0) ack 2' },
  { kind: 'packet', line: '* > P. 1:101(100) ack 1 <...>' },
  { kind: 'packet', line: '+0 < [ce] P. 1:101(100) ack 1 win 500' },
  { kind: 'packet', line: '+0 > (tos 0x2) . 1:1(0) ack 101' },
  { kind: 'packet', line: '+0 < SEWA 0:0(0) win 1000 <mss 1400,nop,nop,sackOK>' },
  { kind: 'packet', line: '+0 > [ect0] WA. 1:1(0) ack 1001 <ECN e1b 1 ceb 500 e0b 1,nop>' },
  { kind: 'packet', line: '+0 > S 0:0(0) <mss 1460,nop,nop,sackOK,nop,wscale 8,FO 0011223344556677,nop,nop>' },
  { kind: 'packet', line: '+0 < . 1:1(0) ack 1 win 100 <md5 ffeeddccbbaa99887766554433221100,nop,nop>' },
  { kind: 'packet', line: '+0 < icmp unreachable frag_needed mtu 1100 [1:1461(1460)]' },
  { kind: 'packet', line: '+0 < udp 5353>53 (64)' },
  { kind: 'packet', line: '+0 < ipv4 203.0.113.9 > 192.168.0.1: S 0:0(0) win 1000' },
  { kind: 'command', line: '+0 `sysctl -q net.ipv4.tcp_timestamps=0`' },
  { kind: 'code', line: '+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%' },
  { kind: 'code', line: '+0 %{ assert (tcpi_options & TCPI_OPT_SYN_DATA) != 0; cwnd = tcpi_snd_cwnd }%' },
];
