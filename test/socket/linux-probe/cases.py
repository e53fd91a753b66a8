#!/usr/bin/env python3
"""The socket-layer expectation table, as data: every case is a list of steps run both on Linux (probe.py) and in
socksim (table.test.ts), and every step's return value, errno and outputs must agree. `cite` says where the
expectation comes from (the man page, or the kernel function that decides it); the values themselves come from
running probe.py on the real kernel. Writes cases.json."""
import json

K = {
    "AF_UNSPEC": 0, "AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10, "SOCK_STREAM": 1, "SOCK_DGRAM": 2, "SOCK_RAW": 3,
    "SOCK_RDM": 4, "SOCK_SEQPACKET": 5, "SOCK_NONBLOCK": 0o4000, "SOCK_CLOEXEC": 0o2000000, "IPPROTO_IP": 0,
    "IPPROTO_TCP": 6, "IPPROTO_UDP": 17, "IPPROTO_IPV6": 41, "SOL_SOCKET": 1, "SO_DEBUG": 1, "SO_REUSEADDR": 2,
    "SO_TYPE": 3, "SO_ERROR": 4, "SO_DONTROUTE": 5, "SO_BROADCAST": 6, "SO_SNDBUF": 7, "SO_RCVBUF": 8,
    "SO_KEEPALIVE": 9, "SO_OOBINLINE": 10, "SO_PRIORITY": 12, "SO_LINGER": 13, "SO_REUSEPORT": 15,
    "SO_PASSCRED": 16, "SO_PEERCRED": 17, "SO_RCVLOWAT": 18, "SO_SNDLOWAT": 19, "SO_RCVTIMEO": 20,
    "SO_SNDTIMEO": 21, "SO_BINDTODEVICE": 25, "SO_ACCEPTCONN": 30, "SO_SNDBUFFORCE": 32, "SO_RCVBUFFORCE": 33,
    "SO_MARK": 36, "SO_PROTOCOL": 38, "SO_DOMAIN": 39, "SO_PEEK_OFF": 42, "SO_PEERGROUPS": 59, "SO_ZEROCOPY": 60,
    "IP_TOS": 1, "IP_TTL": 2, "IP_HDRINCL": 3, "IP_OPTIONS": 4, "IP_MULTICAST_TTL": 33, "IP_MULTICAST_LOOP": 34, "IP_MULTICAST_IF": 32, "IP_ADD_MEMBERSHIP": 35, "IP_DROP_MEMBERSHIP": 36, "IP_MULTICAST_ALL": 49, "IPV6_MULTICAST_IF": 17, "IPV6_MULTICAST_HOPS": 18, "IPV6_MULTICAST_LOOP": 19, "IPV6_JOIN_GROUP": 20, "IPV6_LEAVE_GROUP": 21, "IPV6_MULTICAST_ALL": 29, "UDP_SEGMENT": 103, "UDP_GRO": 104, "IP_FREEBIND": 15, "IP_RECVERR": 11, "IPV6_RECVERR": 25, "IPV6_MTU_DISCOVER": 23, "IPV6_DONTFRAG": 62, "IPV6_FREEBIND": 78, "IPV6_V6ONLY": 26, "IPV6_UNICAST_HOPS": 16, "UDP_CORK": 1, "TCP_NODELAY": 1, "TCP_KEEPIDLE": 4, "TCP_KEEPINTVL": 5, "TCP_KEEPCNT": 6, "TCP_SYNCNT": 7, "TCP_USER_TIMEOUT": 18,
    "MSG_OOB": 1, "MSG_PEEK": 2, "MSG_CTRUNC": 8, "MSG_TRUNC": 0x20, "MSG_DONTWAIT": 0x40, "MSG_EOR": 0x80,
    "MSG_WAITALL": 0x100, "MSG_NOSIGNAL": 0x4000, "MSG_CMSG_CLOEXEC": 0x40000000, "SHUT_RD": 0, "SHUT_WR": 1,
    "SHUT_RDWR": 2, "F_DUPFD": 0, "F_GETFD": 1, "F_SETFD": 2, "F_GETFL": 3, "F_SETFL": 4, "F_DUPFD_CLOEXEC": 1030,
    "F_GETPIPE_SZ": 1032, "O_RDONLY": 0, "O_WRONLY": 1, "O_RDWR": 2, "O_CREAT": 0o100, "O_EXCL": 0o200,
    "O_TRUNC": 0o1000, "O_APPEND": 0o2000, "O_NONBLOCK": 0o4000, "O_CLOEXEC": 0o2000000, "POLLIN": 1,
    "POLLPRI": 2, "POLLOUT": 4, "POLLERR": 8, "POLLHUP": 16, "POLLNVAL": 32, "POLLRDNORM": 0x40,
    "POLLRDBAND": 0x80, "POLLWRNORM": 0x100, "POLLWRBAND": 0x200, "POLLRDHUP": 0x2000, "EPOLLIN": 1,
    "EPOLLPRI": 2, "EPOLLOUT": 4, "EPOLLERR": 8, "EPOLLHUP": 16, "EPOLLRDHUP": 0x2000, "EPOLLEXCLUSIVE": 1 << 28,
    "EPOLLONESHOT": 1 << 30, "EPOLLET": 1 << 31, "EPOLL_CTL_ADD": 1, "EPOLL_CTL_DEL": 2, "EPOLL_CTL_MOD": 3,
    "EPOLL_CLOEXEC": 0o2000000, "FIONREAD": 0x541B, "FIONBIO": 0x5421, "FIOCLEX": 0x5451, "FIONCLEX": 0x5450,
}
ALLPOLL = "POLLIN|POLLPRI|POLLOUT|POLLRDHUP|POLLRDNORM|POLLRDBAND|POLLWRNORM|POLLWRBAND"
cases = []


def case(cid, cite, *steps, tags=()):
    cases.append({"id": cid, "cite": cite, "tags": list(tags), "steps": [list(s) for s in steps]})


def pair(t="SOCK_STREAM", name="p"):
    return (name + "=socketpair", "AF_UNIX", t, 0)


def listener(path="unix:@D/s", t="SOCK_STREAM", backlog=5):
    return [("l=socket", "AF_UNIX", t, 0), ("bind", "$l", path), ("listen", "$l", backlog)]


def client(path="unix:@D/s", t="SOCK_STREAM", var="c"):
    return [(var + "=socket", "AF_UNIX", t, 0), ("connect", "$" + var, path)]


# --- socket(2) -------------------------------------------------------------------------------------------------
case("socket-unix-stream", "socket(2), unix(7): AF_UNIX SOCK_STREAM; fds 0-2 are open so it is 3", ("socket", "AF_UNIX", "SOCK_STREAM", 0))
case("socket-unix-dgram", "unix(7)", ("socket", "AF_UNIX", "SOCK_DGRAM", 0))
case("socket-unix-seqpacket", "unix(7)", ("socket", "AF_UNIX", "SOCK_SEQPACKET", 0))
case("socket-unix-raw-is-dgram", "unix_create: SOCK_RAW is silently converted to SOCK_DGRAM", ("s=socket", "AF_UNIX", "SOCK_RAW", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_TYPE", 4))
case("socket-unix-bad-protocol", "unix_create: protocol other than 0/PF_UNIX is EPROTONOSUPPORT", ("socket", "AF_UNIX", "SOCK_STREAM", 5))
case("socket-unix-rdm", "unix_create: other types are ESOCKTNOSUPPORT", ("socket", "AF_UNIX", "SOCK_RDM", 0))
case("socket-bad-type-flags", "socket(2) EINVAL: unknown flags in type", ("socket", "AF_UNIX", 0x10001, 0))
case("socket-bad-family", "socket(2) EAFNOSUPPORT: family >= NPROTO", ("socket", 46, "SOCK_STREAM", 0))
case("socket-negative-family", "socket(2) EAFNOSUPPORT", ("socket", -1, "SOCK_STREAM", 0))
case("socket-inet-dgram-tcp-proto", "inet_create: no (SOCK_DGRAM, IPPROTO_TCP) entry: EPROTONOSUPPORT", ("socket", "AF_INET", "SOCK_DGRAM", "IPPROTO_TCP"))
case("socket-inet-udp", "udp(7)", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_PROTOCOL", 4))
case("socket-nonblock-flag", "socket(2) SOCK_NONBLOCK sets O_NONBLOCK on the description", ("s=socket", "AF_UNIX", "SOCK_STREAM|SOCK_NONBLOCK", 0), ("fcntl", "$s", "F_GETFL"))
case("socket-cloexec-flag", "socket(2) SOCK_CLOEXEC sets FD_CLOEXEC", ("s=socket", "AF_UNIX", "SOCK_DGRAM|SOCK_CLOEXEC", 0), ("fcntl", "$s", "F_GETFD"))
case("socket-inet-stream", "tcp(7)", ("s=socket", "AF_INET", "SOCK_STREAM", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_PROTOCOL", 4), tags=["tcp"])
case("socket-inet-stream-udp-proto", "inet_create: EPROTONOSUPPORT", ("socket", "AF_INET", "SOCK_STREAM", "IPPROTO_UDP"), tags=["tcp"])
case("socket-inet6-udp", "ipv6(7)", ("s=socket", "AF_INET6", "SOCK_DGRAM", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_DOMAIN", 4), tags=["ipv6"])
case("socketpair-inet", "socketpair(2): AF_INET has no socketpair op (EOPNOTSUPP)", ("socketpair", "AF_INET", "SOCK_DGRAM", 0))
case("socketpair-unix-fds", "socketpair(2): two connected fds, lowest free", pair(), ("getsockopt", "$p0", "SOL_SOCKET", "SO_ACCEPTCONN", 4))

# --- bind(2) on AF_UNIX -----------------------------------------------------------------------------------------
case("bind-path", "unix(7): a path name's address length counts the NUL (unix_mkname_bsd)", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "unix:@D/s"), ("getsockname", "$s"))
case("bind-path-exact-len", "unix(7): sun_path need not be NUL-terminated", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$s", "unixn:@D/s"), ("getsockname", "$s"))
case("bind-path-exists", "bind(2) EADDRINUSE: the socket node exists", ("a=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$a", "unix:@D/s"), ("b=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$b", "unix:@D/s"))
case("bind-path-exists-after-close", "unix(7): the node outlives the socket; bind gives EADDRINUSE until unlink", ("a=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$a", "unix:@D/s"), ("close", "$a"), ("b=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$b", "unix:@D/s"), ("unlink", "@D/s"), ("bind", "$b", "unix:@D/s"))
case("bind-no-dir", "bind(2) ENOENT: a directory component is missing", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "unix:@D/nodir/s"))
case("bind-through-file", "path_resolution(7) ENOTDIR", ("f=open", "@D/f", "O_CREAT|O_RDWR"), ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "unix:@D/f/s"))
case("bind-twice", "unix_bind_bsd: a named socket cannot be renamed (EINVAL)", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "unix:@D/a"), ("bind", "$s", "unix:@D/b"), ("connect", "$s", "unix:@D/b"))
case("bind-twice-existing", "unix_bind_bsd: the path is created before the name check, so EEXIST wins (EADDRINUSE)", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "unix:@D/a"), ("bind", "$s", "unix:@D/a"))
case("bind-abstract", "unix(7): abstract names start with a NUL byte", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "abs:x"), ("getsockname", "$s"))
case("bind-abstract-inuse", "unix_bind_abstract: EADDRINUSE", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$a", "abs:x"), ("b=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$b", "abs:x"))
case("bind-abstract-other-type", "unix_bind_abstract: the name's hash includes the socket type", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$a", "abs:x"), ("b=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$b", "abs:x"))
case("bind-abstract-freed-on-close", "unix(7): an abstract name disappears with its socket", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$a", "abs:x"), ("close", "$a"), ("b=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$b", "abs:x"))
case("bind-autobind", "unix(7) Autobind: addrlen == sizeof(sa_family_t) gives \\0 + 5 hex digits", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$s", "hex:0100"), ("getsockname", "$s"))
case("bind-autobind-when-bound", "unix_autobind returns 0 when already named", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$s", "abs:y"), ("bind", "$s", "hex:0100"), ("getsockname", "$s"))
case("bind-wrong-family", "unix_validate_addr: sun_family != AF_UNIX is EINVAL", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "in:127.0.0.1:1"))
case("bind-len-1", "unix_validate_addr: addrlen <= offsetof(sun_path) is EINVAL", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "hex:01"))
case("bind-len-111", "unix_validate_addr: addrlen > sizeof(sockaddr_un) is EINVAL", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "hex:0100" + "61" * 109))
case("getsockname-unnamed", "unix(7): an unnamed socket's address is just the family", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("getsockname", "$s"))
case("unlink-bound-path", "unix(7): after unlink the name no longer reaches the socket", *listener(), ("unlink", "@D/s"), ("c=socket", "AF_UNIX", "SOCK_STREAM", 0), ("connect", "$c", "unix:@D/s"))
case("connect-closed-path", "unix_find_bsd: a node with no socket behind it is ECONNREFUSED", *listener(), ("close", "$l"), ("c=socket", "AF_UNIX", "SOCK_STREAM", 0), ("connect", "$c", "unix:@D/s"))

# --- listen / connect / accept ------------------------------------------------------------------------------------
case("listen-unbound", "unix_listen: no listen on an unbound socket (EINVAL)", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("listen", "$s", 5))
case("listen-dgram", "unix_listen: EOPNOTSUPP for SOCK_DGRAM", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$s", "abs:d"), ("listen", "$s", 5))
case("listen-again", "listen(2) on a listening socket updates the backlog", *listener(), ("listen", "$l", 1), ("getsockopt", "$l", "SOL_SOCKET", "SO_ACCEPTCONN", 4))
case("listen-connected", "unix_listen: a connected socket cannot listen (EINVAL)", pair(), ("listen", "$p0", 5))
case("connect-enoent", "connect(2) ENOENT: no such path", ("c=socket", "AF_UNIX", "SOCK_STREAM", 0), ("connect", "$c", "unix:@D/none"))
case("connect-prototype", "unix_find_bsd: a socket of another type is EPROTOTYPE", ("d=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$d", "unix:@D/s"), ("c=socket", "AF_UNIX", "SOCK_STREAM", 0), ("connect", "$c", "unix:@D/s"))
case("connect-not-listening", "unix_stream_connect: ECONNREFUSED unless TCP_LISTEN", ("d=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$d", "unix:@D/s"), ("c=socket", "AF_UNIX", "SOCK_STREAM", 0), ("connect", "$c", "unix:@D/s"))
case("connect-regular-file", "unix_find_bsd: not a socket inode: ECONNREFUSED", ("f=open", "@D/f", "O_CREAT|O_RDWR"), ("c=socket", "AF_UNIX", "SOCK_STREAM", 0), ("connect", "$c", "unix:@D/f"))
case("connect-abstract-missing", "unix_find_abstract: ECONNREFUSED", ("c=socket", "AF_UNIX", "SOCK_STREAM", 0), ("connect", "$c", "abs:none"))
case("connect-eisconn", "connect(2) EISCONN", *listener(), *client(), ("connect", "$c", "unix:@D/s"))
case("connect-connected-missing-path", "unix_stream_connect looks the name up before checking its own state", *listener(), *client(), ("connect", "$c", "unix:@D/none"))
case("connect-from-listener", "unix_stream_connect: a listening socket is neither closed nor established: EINVAL", *listener(), ("m=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$m", "unix:@D/m"), ("listen", "$m", 1), ("connect", "$m", "unix:@D/s"))
case("connect-bad-len", "unix_validate_addr: EINVAL", ("c=socket", "AF_UNIX", "SOCK_STREAM", 0), ("connect", "$c", "hex:0100"))
case("connect-backlog-0", "unix_recvq_full: a backlog of n admits n+1 pending connections; non-blocking gets EAGAIN", *listener(backlog=0), ("a=socket", "AF_UNIX", "SOCK_STREAM|SOCK_NONBLOCK", 0), ("connect", "$a", "unix:@D/s"), ("b=socket", "AF_UNIX", "SOCK_STREAM|SOCK_NONBLOCK", 0), ("connect", "$b", "unix:@D/s"))
case("connect-backlog-1", "unix_recvq_full", *listener(backlog=1), *[s for i in range(3) for s in [("c%d=socket" % i, "AF_UNIX", "SOCK_STREAM|SOCK_NONBLOCK", 0), ("connect", "$c%d" % i, "unix:@D/s")]])
case("accept-not-listening", "unix_accept: EINVAL unless listening", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("accept", "$s"))
case("accept-dgram", "unix_accept: EOPNOTSUPP for SOCK_DGRAM", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("accept", "$s"))
case("accept-empty-nonblock", "accept(2) EAGAIN on a non-blocking listener", ("l=socket", "AF_UNIX", "SOCK_STREAM|SOCK_NONBLOCK", 0), ("bind", "$l", "unix:@D/s"), ("listen", "$l", 5), ("accept", "$l"))
case("accept4-bad-flags", "accept4(2) EINVAL: flags", *listener(), ("accept4", "$l", 1))
case("accept4-nonblock", "accept4(2) SOCK_NONBLOCK", *listener(), *client(), ("a=accept4", "$l", "SOCK_NONBLOCK|SOCK_CLOEXEC"), ("fcntl", "$a", "F_GETFL"), ("fcntl", "$a", "F_GETFD"))
case("accept-names", "unix(7): the accepted socket has the listener's name; the client is unnamed", *listener(), *client(), ("a=accept", "$l"), ("getsockname", "$a"), ("getpeername", "$a"), ("getpeername", "$c"), ("getsockname", "$c"))
case("accept-named-client", "accept(2) returns the client's bound name", *listener(), ("c=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$c", "abs:cl"), ("connect", "$c", "unix:@D/s"), ("accept", "$l"))
case("getpeername-listener", "getpeername(2) ENOTCONN", *listener(), ("getpeername", "$l"))
case("accept-data-before-accept", "unix_stream_connect: the client is connected at once and can send before accept", *listener(), *client(), ("send", "$c", 5, 0), ("a=accept", "$l"), ("recv", "$a", 10, "MSG_DONTWAIT"))
case("poll-listener-pending", "unix_poll: pending connections make a listener readable; listeners are never writable", *listener(), ("poll", [["$l", ALLPOLL]], 0), *client(), ("poll", [["$l", ALLPOLL]], 0))
case("listener-close-pending-client", "unix_release_sock: pending connections are reset", *listener(), *client(), ("close", "$l"), ("poll", [["$c", ALLPOLL]], 0), ("recv", "$c", 10, "MSG_DONTWAIT"), ("send", "$c", 1, "MSG_NOSIGNAL"))
case("peercred-listener", "unix(7) SO_PEERCRED: the listen() caller's pid, uid and gid", *listener(), *client(), ("getsockopt", "$c", "SOL_SOCKET", "SO_PEERCRED", 12), ("getsockopt", "$c", "SOL_SOCKET", "SO_PEERCRED", 4))

# --- stream data --------------------------------------------------------------------------------------------------
case("stream-send-unconnected", "unix_stream_sendmsg: ENOTCONN", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("send", "$s", 3, 0))
case("stream-sendto-connected", "unix_stream_sendmsg: an address on a connected stream is EISCONN", pair(), ("sendto", "$p0", 3, 0, "unix:@D/x"))
case("stream-sendto-unconnected", "unix_stream_sendmsg: an address on an unconnected stream is EOPNOTSUPP", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("sendto", "$s", 3, 0, "unix:@D/x"))
case("stream-recv-unconnected", "unix_stream_read_generic: EINVAL unless established", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("recv", "$s", 3, "MSG_DONTWAIT"))
case("stream-recv-empty", "recv(2) EAGAIN with MSG_DONTWAIT", pair(), ("recv", "$p0", 3, "MSG_DONTWAIT"))
case("stream-peek", "recv(2) MSG_PEEK leaves the data queued", pair(), ("send", "$p0", 5, 0), ("recv", "$p1", 3, "MSG_PEEK"), ("recv", "$p1", 10, 0))
case("stream-glue", "unix_stream_read_generic joins skbs from one sender", pair(), ("send", "$p0", 3, 0), ("send", "$p0", 4, 0), ("recv", "$p1", 100, 0))
case("stream-eof", "recv(2) returns 0 after the peer closed", pair(), ("close", "$p0"), ("recv", "$p1", 10, 0), ("read", "$p1", 10))
case("stream-epipe-sigpipe", "send(2) EPIPE and SIGPIPE when the peer closed", pair(), ("close", "$p0"), ("send", "$p1", 3, 0))
case("stream-epipe-nosignal", "send(2) MSG_NOSIGNAL: EPIPE without SIGPIPE", pair(), ("close", "$p0"), ("send", "$p1", 3, "MSG_NOSIGNAL"))
case("stream-write-epipe", "write(2) on a broken stream socket raises SIGPIPE", pair(), ("close", "$p0"), ("write", "$p1", 3))
case("stream-shut-wr-epipe", "shutdown(2) SHUT_WR then send: EPIPE and SIGPIPE", pair(), ("shutdown", "$p0", "SHUT_WR"), ("send", "$p0", 3, 0), ("recv", "$p1", 3, 0))
case("stream-shut-rd-self", "shutdown(2) SHUT_RD: reads return 0", pair(), ("send", "$p1", 3, 0), ("shutdown", "$p0", "SHUT_RD"), ("recv", "$p0", 10, "MSG_DONTWAIT"), ("recv", "$p0", 10, "MSG_DONTWAIT"))
case("stream-peer-shut-rd", "unix_shutdown propagates: the peer's SHUT_RD makes our send EPIPE", pair(), ("shutdown", "$p1", "SHUT_RD"), ("send", "$p0", 3, "MSG_NOSIGNAL"))
case("stream-shutdown-bad-how", "shutdown(2) EINVAL", pair(), ("shutdown", "$p0", 3))
case("stream-shutdown-unconnected", "unix_shutdown succeeds without a peer", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("shutdown", "$s", "SHUT_RDWR"), ("poll", [["$s", ALLPOLL]], 0))
case("stream-econnreset", "unix_release_sock: closing with unread data sets ECONNRESET on the peer", pair(), ("send", "$p1", 3, 0), ("close", "$p0"), ("poll", [["$p1", ALLPOLL]], 0), ("recv", "$p1", 10, 0), ("recv", "$p1", 10, 0))
case("stream-econnreset-data-first", "queued data is read before the pending error", pair(), ("send", "$p0", 2, 0), ("send", "$p1", 3, 0), ("close", "$p0"), ("recv", "$p1", 10, 0), ("recv", "$p1", 10, 0))
case("poll-pair-fresh", "unix_poll: a fresh pair is writable only", pair(), ("poll", [["$p0", ALLPOLL]], 0))
case("poll-pair-data", "unix_poll: queued data is POLLIN|POLLRDNORM", pair(), ("send", "$p0", 1, 0), ("poll", [["$p1", ALLPOLL]], 0))
case("poll-pair-peer-closed", "unix_poll: SHUTDOWN_MASK gives POLLHUP, RCV_SHUTDOWN gives POLLRDHUP|POLLIN", pair(), ("close", "$p0"), ("poll", [["$p1", ALLPOLL]], 0))
case("poll-pair-peer-shut-wr", "unix_poll after the peer's SHUT_WR", pair(), ("shutdown", "$p0", "SHUT_WR"), ("poll", [["$p1", ALLPOLL], ["$p0", ALLPOLL]], 0))
case("poll-unconnected-stream", "unix_poll: TCP_CLOSE stream sockets report POLLHUP", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("poll", [["$s", ALLPOLL]], 0))
case("poll-only-err-hup", "poll(2): POLLERR/POLLHUP are reported even when not requested", pair(), ("close", "$p0"), ("poll", [["$p1", 0]], 0))
case("stream-trunc-flag", "unix_stream_read_generic ignores MSG_TRUNC", pair(), ("send", "$p0", 8, 0), ("recv", "$p1", 3, "MSG_TRUNC"), ("recv", "$p1", 10, 0))
case("stream-waitall-dontwait", "recv(2) MSG_WAITALL with MSG_DONTWAIT returns what there is", pair(), ("send", "$p0", 3, 0), ("recv", "$p1", 10, "MSG_WAITALL|MSG_DONTWAIT"))
case("stream-waitall-eof", "MSG_WAITALL stops at end of stream", pair(), ("send", "$p0", 3, 0), ("close", "$p0"), ("recv", "$p1", 10, "MSG_WAITALL"))
case("stream-rcvlowat-nonblock", "unix_stream_read_generic: below SO_RCVLOWAT a non-blocking read still returns what it copied; poll ignores the mark", pair(), ("setsockopt", "$p1", "SOL_SOCKET", "SO_RCVLOWAT", 5), ("send", "$p0", 3, 0), ("poll", [["$p1", "POLLIN"]], 0), ("recv", "$p1", 10, "MSG_DONTWAIT"), ("send", "$p0", 7, 0), ("recv", "$p1", 4, 0))
case("stream-read-zero", "read(2) of 0 bytes from a socket returns 0", pair(), ("read", "$p0", 0))
case("stream-recvfrom-peer", "unix_copy_addr: the sender's name (none for an unnamed peer)", *listener(), *client(), ("a=accept", "$l"), ("send", "$a", 2, 0), ("recvfrom", "$c", 10, 0), ("send", "$c", 2, 0), ("recvfrom", "$a", 10, 0))
case("stream-fill-1", "unix_stream_sendmsg blocks when the sender's wmem reaches SO_SNDBUF: 1-byte sends", pair(), ("fill", "$p0", 1, 0))
case("stream-fill-4096", "the same with 4096-byte sends", pair(), ("fill", "$p0", 4096, 0))
case("stream-fill-small-sndbuf", "SO_SNDBUF 4096 (8192 stored)", pair(), ("setsockopt", "$p0", "SOL_SOCKET", "SO_SNDBUF", 4096), ("fill", "$p0", 1000, 0))
case("stream-oob", "CONFIG_AF_UNIX_OOB: the last byte of a MSG_OOB send is urgent (POLLPRI)", pair(), ("send", "$p0", 3, "MSG_OOB"), ("poll", [["$p1", ALLPOLL]], 0), ("recv", "$p1", 1, "MSG_OOB"), ("recv", "$p1", 10, 0), ("recv", "$p1", 10, "MSG_DONTWAIT"))
case("stream-oob-mark", "a normal read stops at the urgent byte", pair(), ("send", "$p0", 2, 0), ("send", "$p0", 2, "MSG_OOB"), ("send", "$p0", 2, 0), ("recv", "$p1", 10, 0), ("recv", "$p1", 10, 0))
case("stream-oob-none", "unix_stream_recv_urg: EINVAL with no urgent byte", pair(), ("recv", "$p0", 1, "MSG_OOB"))
case("stream-oob-empty", "unix_stream_sendmsg: a zero-length MSG_OOB send is EOPNOTSUPP", pair(), ("send", "$p0", 0, "MSG_OOB"))
case("stream-zero-send", "a zero-length send on a connected stream returns 0", pair(), ("send", "$p0", 0, 0), ("recv", "$p1", 10, "MSG_DONTWAIT"))

# --- datagrams ----------------------------------------------------------------------------------------------------
case("dgram-send-unconnected", "unix_dgram_sendmsg: ENOTCONN", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("send", "$s", 3, 0))
case("dgram-sendto-missing", "sendto(2) ENOENT", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendto", "$s", 3, 0, "unix:@D/none"))
case("dgram-sendto-closed", "unix_find_bsd: ECONNREFUSED for a dead name", ("r=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$r", "unix:@D/r"), ("close", "$r"), ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendto", "$s", 3, 0, "unix:@D/r"))
case("dgram-sendto-bad-addr", "unix_validate_addr: EINVAL", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendto", "$s", 3, 0, "hex:0200"))
case("dgram-boundaries", "unix(7): datagrams keep boundaries; a short buffer truncates (MSG_TRUNC)", ("r=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$r", "unix:@D/r"), ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$s", "unix:@D/s"), ("sendto", "$s", 7, 0, "unix:@D/r"), ("sendto", "$s", 4, 0, "unix:@D/r"), ("recvmsg", "$r", 3, 0, 0), ("recvfrom", "$r", 100, 0))
case("dgram-trunc-flag", "recv(2) MSG_TRUNC returns the real length", pair("SOCK_DGRAM"), ("send", "$p0", 9, 0), ("recv", "$p1", 4, "MSG_TRUNC"))
case("dgram-recvfrom-unnamed", "unix_copy_addr leaves msg_namelen 0 for an unnamed sender", ("r=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$r", "unix:@D/r"), ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendto", "$s", 2, 0, "unix:@D/r"), ("recvfrom", "$r", 10, 0))
case("dgram-connect-eperm", "unix_may_send: a socket connected elsewhere refuses (EPERM)", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$a", "abs:a"), ("b=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$b", "abs:b"), ("connect", "$a", "abs:b"), ("c=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("connect", "$c", "abs:a"), ("sendto", "$c", 1, 0, "abs:a"), ("sendto", "$c", 1, 0, "abs:b"))
case("dgram-peer-closed", "unix_dgram_sendmsg: a dead connected peer is ECONNREFUSED, then the socket is disconnected", ("r=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$r", "abs:r"), ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("connect", "$s", "abs:r"), ("close", "$r"), ("send", "$s", 1, 0), ("send", "$s", 1, 0), ("getpeername", "$s"))
case("dgram-unspec-disconnect", "connect(2) AF_UNSPEC dissolves the association", ("r=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$r", "abs:r"), ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("connect", "$s", "abs:r"), ("getpeername", "$s"), ("connect", "$s", "unspec"), ("send", "$s", 1, 0))
case("dgram-emsgsize", "unix_dgram_sendmsg: len > sk_sndbuf - 32 is EMSGSIZE", pair("SOCK_DGRAM"), ("send", "$p0", 212961, 0), ("send", "$p0", 212960, "MSG_DONTWAIT"))
case("dgram-qlen", "unix_recvq_full: max_dgram_qlen (10) bounds an unconnected receiver's queue", ("r=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$r", "abs:r"), ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("connect", "$s", "abs:r"), ("fill", "$s", 1, 0), ("poll", [["$s", ALLPOLL]], 0))
case("dgram-pair-fill", "socketpair: the receiver is connected back, so only SO_SNDBUF bounds the queue", pair("SOCK_DGRAM"), ("fill", "$p0", 1, 0))
case("dgram-shut-rd", "__unix_dgram_recvmsg: SHUT_RD makes a non-blocking datagram recv EAGAIN; poll shows POLLRDHUP", pair("SOCK_DGRAM"), ("shutdown", "$p0", "SHUT_RD"), ("recv", "$p0", 10, "MSG_DONTWAIT"), ("poll", [["$p0", ALLPOLL]], 0))
case("dgram-shut-wr", "datagram shutdown(SHUT_WR) then send", pair("SOCK_DGRAM"), ("shutdown", "$p0", "SHUT_WR"), ("send", "$p0", 1, "MSG_NOSIGNAL"), ("poll", [["$p0", ALLPOLL], ["$p1", ALLPOLL]], 0))
case("dgram-shutdown-unconnected", "unix_shutdown: 0 without a peer", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("shutdown", "$s", "SHUT_RD"))
case("dgram-oob", "unix_dgram_sendmsg/recvmsg: MSG_OOB is EOPNOTSUPP", pair("SOCK_DGRAM"), ("send", "$p0", 1, "MSG_OOB"), ("recv", "$p0", 1, "MSG_OOB|MSG_DONTWAIT"))
case("dgram-poll-fresh", "unix_dgram_poll on a fresh socket", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("poll", [["$s", ALLPOLL]], 0))
case("dgram-peek-then-read", "MSG_PEEK on a datagram leaves it queued", pair("SOCK_DGRAM"), ("send", "$p0", 4, 0), ("recv", "$p1", 10, "MSG_PEEK"), ("recv", "$p1", 2, 0), ("recv", "$p1", 10, "MSG_DONTWAIT"))
case("dgram-autobind-passcred", "unix(7): SO_PASSCRED autobinds the sender before a send", ("r=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("bind", "$r", "abs:r"), ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_PASSCRED", 1), ("sendto", "$s", 1, 0, "abs:r"), ("recvfrom", "$r", 10, 0))
case("dgram-peek-off", "SO_PEEK_OFF on a datagram socket skips whole messages when peeking", pair("SOCK_DGRAM"), ("setsockopt", "$p1", "SOL_SOCKET", "SO_PEEK_OFF", 0), ("send", "$p0", 3, 0), ("send", "$p0", 5, 0), ("recv", "$p1", 10, "MSG_PEEK"), ("recv", "$p1", 10, "MSG_PEEK"), ("getsockopt", "$p1", "SOL_SOCKET", "SO_PEEK_OFF", 4))

# --- seqpacket ----------------------------------------------------------------------------------------------------
case("seqpacket-boundaries", "unix(7) SOCK_SEQPACKET: records; the rest of a short read is discarded", pair("SOCK_SEQPACKET"), ("send", "$p0", 3, 0), ("send", "$p0", 5, 0), ("recv", "$p1", 100, 0), ("recvmsg", "$p1", 2, 0, 0), ("recv", "$p1", 100, "MSG_DONTWAIT"))
case("seqpacket-send-unconnected", "unix_seqpacket_sendmsg: ENOTCONN", ("s=socket", "AF_UNIX", "SOCK_SEQPACKET", 0), ("send", "$s", 1, 0))
case("seqpacket-recv-unconnected", "unix_seqpacket_recvmsg: ENOTCONN", ("s=socket", "AF_UNIX", "SOCK_SEQPACKET", 0), ("recv", "$s", 1, "MSG_DONTWAIT"))
case("seqpacket-peer-closed", "a closed seqpacket peer: recv 0, send EPIPE", pair("SOCK_SEQPACKET"), ("close", "$p0"), ("recv", "$p1", 10, "MSG_DONTWAIT"), ("send", "$p1", 1, 0))
case("seqpacket-sendto-ignored", "unix_seqpacket_sendmsg ignores msg_name", pair("SOCK_SEQPACKET"), ("sendto", "$p0", 2, 0, "unix:@D/none"), ("recv", "$p1", 10, 0))
case("seqpacket-poll-unconnected", "unix_dgram_poll: a closed seqpacket socket is POLLHUP", ("s=socket", "AF_UNIX", "SOCK_SEQPACKET", 0), ("poll", [["$s", ALLPOLL]], 0))
case("seqpacket-listen-accept", "seqpacket connections work like streams", *listener(t="SOCK_SEQPACKET"), *client(t="SOCK_SEQPACKET"), ("a=accept", "$l"), ("send", "$c", 4, 0), ("recv", "$a", 2, 0), ("poll", [["$l", ALLPOLL]], 0))
case("seqpacket-oob", "unix_dgram_sendmsg: MSG_OOB is EOPNOTSUPP", pair("SOCK_SEQPACKET"), ("send", "$p0", 1, "MSG_OOB"))

# --- SCM_RIGHTS and credentials -----------------------------------------------------------------------------------
case("scm-one-fd", "cmsg(3): one fd in CMSG_SPACE(4) = 24 bytes", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x"]), ("recvmsg", "$p1", 10, 24, 0))
case("scm-ctrunc-20", "scm_detach_fds: (20 - 16) / 4 = 1 of 3 fds fits; MSG_CTRUNC", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x", "$x", "$x"]), ("recvmsg", "$p1", 10, 20, 0))
case("scm-ctrunc-16", "scm_max_fds: a controllen of just a header holds no fd", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x"]), ("recvmsg", "$p1", 10, 16, 0))
case("scm-ctrunc-0", "__scm_recv_common: no control buffer: MSG_CTRUNC, fds dropped", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x"]), ("recvmsg", "$p1", 10, 0, 0))
case("scm-two-fds", "two fds: cmsg_len CMSG_LEN(8) = 24, controllen CMSG_SPACE(8) = 24", pair("SOCK_DGRAM"), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x", "$x"]), ("recvmsg", "$p1", 10, 100, 0), ("fcntl", 5, "F_GETFD"), ("fcntl", 6, "F_GETFD"))
case("scm-cloexec", "MSG_CMSG_CLOEXEC sets FD_CLOEXEC on received fds", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x"]), ("recvmsg", "$p1", 10, 24, "MSG_CMSG_CLOEXEC"), ("fcntl", 6, "F_GETFD"))
case("scm-bad-fd", "__scm_send: a bad fd in SCM_RIGHTS is EBADF", pair(), ("sendmsg", "$p0", 1, 0, [77]))
case("scm-barrier", "unix_stream_read_generic: a read stops after an skb that carried fds", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 3, 0, ["$x"]), ("send", "$p0", 4, 0), ("recvmsg", "$p1", 100, 24, 0), ("recv", "$p1", 100, 0))
case("scm-glue-before", "data before the fd-carrying skb is glued to it", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("send", "$p0", 3, 0), ("sendmsg", "$p0", 4, 0, ["$x"]), ("send", "$p0", 5, 0), ("recvmsg", "$p1", 100, 24, 0), ("recv", "$p1", 100, 0))
case("scm-peek", "unix_peek_fds: a peek installs duplicates; the real read installs them again", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x"]), ("recvmsg", "$p1", 10, 24, "MSG_PEEK"), ("recvmsg", "$p1", 10, 24, 0))
case("scm-on-udp", "__sock_cmsg_send skips SCM_RIGHTS on non-AF_UNIX sockets", ("u=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$u", "in:127.0.0.1:40001"), ("sendmsg", "$u", 1, 0, [77]))
case("cmsg-udp-levels", "__sock_cmsg_send: an unknown SOL_SOCKET type is EINVAL; ip_cmsg_send skips other levels", ("u=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$u", "in:127.0.0.1:40410"), ("connect", "$u", "in:127.0.0.1:40410"), ("sendmsg", "$u", 1, 0, None, None, [["SOL_SOCKET", 99, "01000000"]]), ("sendmsg", "$u", 1, 0, None, None, [["IPPROTO_TCP", 1, "01000000"]]), ("recv", "$u", 10, 0))
case("cmsg-unix-other-level", "__scm_send skips levels other than SOL_SOCKET; an unknown SOL_SOCKET type is EINVAL", pair("SOCK_DGRAM"), ("sendmsg", "$p0", 1, 0, None, None, [["IPPROTO_IP", 2, "05000000"]]), ("sendmsg", "$p0", 1, 0, None, None, [["SOL_SOCKET", 99, "01000000"]]), ("recv", "$p1", 10, "MSG_DONTWAIT"))
case("cmsg-empty-rights", "scm_fp_copy: an SCM_RIGHTS message with no fds (cmsg_len 16) is accepted and passes nothing", pair("SOCK_DGRAM"), ("sendmsg", "$p0", 1, 0, None, None, [["SOL_SOCKET", 1, ""]]), ("recvmsg", "$p1", 10, 64, 0))
case("scm-too-many", "scm_fp_copy: more than SCM_MAX_FD (253) fds is EINVAL", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x"] * 254), ("sendmsg", "$p0", 1, 0, ["$x"] * 253), ("recvmsg", "$p1", 10, 2000, 0))
case("scm-emfile", "scm_detach_fds: no free fd ends the list with MSG_CTRUNC", pair(), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x", "$x"]), ("setrlimit", 7, 4096), ("recvmsg", "$p1", 10, 100, 0))
case("scm-creds-passcred", "unix(7) SO_PASSCRED: SCM_CREDENTIALS in CMSG_SPACE(12) = 32 bytes", pair("SOCK_DGRAM"), ("setsockopt", "$p1", "SOL_SOCKET", "SO_PASSCRED", 1), ("send", "$p0", 1, 0), ("recvmsg", "$p1", 10, 100, 0))
case("scm-creds-no-passcred", "without SO_PASSCRED no credentials are received", pair("SOCK_DGRAM"), ("sendmsg", "$p0", 1, 0, None, "self"), ("recvmsg", "$p1", 10, 100, 0))
case("scm-creds-explicit", "SCM_CREDENTIALS with our own pid passes scm_check_creds", pair("SOCK_DGRAM"), ("setsockopt", "$p1", "SOL_SOCKET", "SO_PASSCRED", 1), ("sendmsg", "$p0", 1, 0, None, "self"), ("recvmsg", "$p1", 10, 100, 0))
case("scm-creds-wrong-pid", "scm_check_creds: another pid is EPERM", pair("SOCK_DGRAM"), ("sendmsg", "$p0", 1, 0, None, [1, 0, 0]))
case("scm-creds-and-fds", "scm_recv: credentials first, then SCM_RIGHTS", pair("SOCK_DGRAM"), ("setsockopt", "$p1", "SOL_SOCKET", "SO_PASSCRED", 1), ("x=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("sendmsg", "$p0", 1, 0, ["$x"]), ("recvmsg", "$p1", 10, 100, 0))
case("scm-creds-truncated", "put_cmsg: a control buffer too small for the credentials truncates (MSG_CTRUNC)", pair("SOCK_DGRAM"), ("setsockopt", "$p1", "SOL_SOCKET", "SO_PASSCRED", 1), ("send", "$p0", 1, 0), ("recvmsg", "$p1", 10, 20, 0))
case("scm-stream-passcred", "SO_PASSCRED on a stream", pair(), ("setsockopt", "$p1", "SOL_SOCKET", "SO_PASSCRED", 1), ("send", "$p0", 2, 0), ("send", "$p0", 2, 0), ("recvmsg", "$p1", 10, 100, 0))
case("peercred-pair", "socketpair: SO_PEERCRED is the creator", pair(), ("getsockopt", "$p0", "SOL_SOCKET", "SO_PEERCRED", 12))
case("peercred-unconnected", "cred_to_ucred with no peer: pid 0, uid and gid -1", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_PEERCRED", 12))
case("peergroups-pair", "SO_PEERGROUPS: the peer's supplementary groups (none for the probe and for socksim processes)", pair(), ("getsockopt", "$p0", "SOL_SOCKET", "SO_PEERGROUPS", 64))
case("peergroups-unconnected", "SO_PEERGROUPS without a peer is ENODATA", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_PEERGROUPS", 64))

# --- SOL_SOCKET options -------------------------------------------------------------------------------------------
for t, name in (("SOCK_STREAM", "stream"), ("SOCK_DGRAM", "dgram"), ("SOCK_SEQPACKET", "seqpacket")):
    case("opt-ids-unix-" + name, "socket(7) SO_TYPE, SO_DOMAIN, SO_PROTOCOL", ("s=socket", "AF_UNIX", t, 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_TYPE", 4), ("getsockopt", "$s", "SOL_SOCKET", "SO_DOMAIN", 4), ("getsockopt", "$s", "SOL_SOCKET", "SO_PROTOCOL", 4))
case("opt-ids-udp", "socket(7) on UDP", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_TYPE", 4), ("getsockopt", "$s", "SOL_SOCKET", "SO_DOMAIN", 4), ("getsockopt", "$s", "SOL_SOCKET", "SO_PROTOCOL", 4))
case("opt-defaults", "socket(7) defaults: buffers from net.core.[rw]mem_default, SO_RCVLOWAT 1, SO_SNDLOWAT 1", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), *[("getsockopt", "$s", "SOL_SOCKET", o, 4) for o in ("SO_SNDBUF", "SO_RCVBUF", "SO_RCVLOWAT", "SO_SNDLOWAT", "SO_ERROR", "SO_REUSEADDR", "SO_KEEPALIVE", "SO_ACCEPTCONN", "SO_PASSCRED", "SO_PRIORITY", "SO_DEBUG", "SO_OOBINLINE", "SO_DONTROUTE", "SO_BROADCAST", "SO_PEEK_OFF")])
for v in (0, 1000, 1152, 100000, 212992, 1000000, -1):
    case("opt-rcvbuf-%d" % v, "socket(7) SO_RCVBUF: doubled, at least SOCK_MIN_RCVBUF, at most 2 x rmem_max", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_RCVBUF", v), ("getsockopt", "$s", "SOL_SOCKET", "SO_RCVBUF", 4))
    case("opt-sndbuf-%d" % v, "socket(7) SO_SNDBUF: doubled, at least SOCK_MIN_SNDBUF, at most 2 x wmem_max", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_SNDBUF", v), ("getsockopt", "$s", "SOL_SOCKET", "SO_SNDBUF", 4))
case("opt-force-bufs", "SO_RCVBUFFORCE/SO_SNDBUFFORCE (CAP_NET_ADMIN) ignore the maxima", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_RCVBUFFORCE", 1000000), ("getsockopt", "$s", "SOL_SOCKET", "SO_RCVBUF", 4), ("setsockopt", "$s", "SOL_SOCKET", "SO_SNDBUFFORCE", -5), ("getsockopt", "$s", "SOL_SOCKET", "SO_SNDBUF", 4))
case("opt-short-optlen", "sk_setsockopt: optlen < sizeof(int) is EINVAL", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_RCVBUF", 1000, 3), ("setsockopt", "$s", "SOL_SOCKET", "SO_REUSEADDR", 1, 0))
case("opt-get-truncate", "sk_getsockopt: the value is cut to optlen; optlen 0 is fine; negative is EINVAL", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_TYPE", 2), ("getsockopt", "$s", "SOL_SOCKET", "SO_TYPE", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_TYPE", 8), ("getsockopt", "$s", "SOL_SOCKET", "SO_TYPE", -1))
case("opt-linger", "socket(7) SO_LINGER reads back l_onoff and seconds; l_onoff 0 keeps the time", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_LINGER", 8), ("setsockopt", "$s", "SOL_SOCKET", "SO_LINGER", "hex:0100000005000000"), ("getsockopt", "$s", "SOL_SOCKET", "SO_LINGER", 8), ("setsockopt", "$s", "SOL_SOCKET", "SO_LINGER", "hex:0000000007000000"), ("getsockopt", "$s", "SOL_SOCKET", "SO_LINGER", 8), ("getsockopt", "$s", "SOL_SOCKET", "SO_LINGER", 4))
case("opt-linger-short", "sk_setsockopt: SO_LINGER needs sizeof(struct linger)", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_LINGER", 1))
case("opt-linger-negative", "SO_LINGER with a negative l_linger: MAX_SCHEDULE_TIMEOUT", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_LINGER", "hex:01000000ffffffff"), ("getsockopt", "$s", "SOL_SOCKET", "SO_LINGER", 8))
case("opt-readonly", "sk_setsockopt: SO_TYPE, SO_PROTOCOL, SO_DOMAIN, SO_ERROR are ENOPROTOOPT; SO_PEERCRED, SO_ACCEPTCONN, SO_SNDLOWAT too", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), *[("setsockopt", "$s", "SOL_SOCKET", o, 1) for o in ("SO_TYPE", "SO_PROTOCOL", "SO_DOMAIN", "SO_ERROR", "SO_PEERCRED", "SO_ACCEPTCONN", "SO_SNDLOWAT", "SO_PEERGROUPS")])
case("opt-unknown", "an unknown SOL_SOCKET option is ENOPROTOOPT", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", 9999, 1), ("getsockopt", "$s", "SOL_SOCKET", 9999, 4))
case("opt-unix-other-level", "AF_UNIX has no protocol-level setsockopt/getsockopt: EOPNOTSUPP", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "IPPROTO_IP", "IP_TTL", 5), ("getsockopt", "$s", "IPPROTO_TCP", "TCP_NODELAY", 4))
case("opt-rcvlowat", "sk_setsockopt: SO_RCVLOWAT 0 is 1, negative is INT_MAX", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_RCVLOWAT", 0), ("getsockopt", "$s", "SOL_SOCKET", "SO_RCVLOWAT", 4), ("setsockopt", "$s", "SOL_SOCKET", "SO_RCVLOWAT", -1), ("getsockopt", "$s", "SOL_SOCKET", "SO_RCVLOWAT", 4))
case("opt-timeo-rounding", "sock_set_timeout: whole jiffies (CONFIG_HZ=250), read back as a timeval", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_RCVTIMEO", "hex:00000000000000000100000000000000"), ("getsockopt", "$s", "SOL_SOCKET", "SO_RCVTIMEO", 16), ("setsockopt", "$s", "SOL_SOCKET", "SO_SNDTIMEO", "hex:0100000000000000" + "20a1070000000000"), ("getsockopt", "$s", "SOL_SOCKET", "SO_SNDTIMEO", 16))
case("opt-timeo-edom", "sock_set_timeout: tv_usec out of range is EDOM; a short optlen EINVAL", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_RCVTIMEO", "hex:000000000000000040420f0000000000"), ("setsockopt", "$s", "SOL_SOCKET", "SO_RCVTIMEO", "hex:0000000000000000", 8))
case("opt-timeo-negative", "sock_set_timeout: a negative tv_sec means no wait", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_RCVTIMEO", "hex:ffffffffffffffff0000000000000000"), ("getsockopt", "$s", "SOL_SOCKET", "SO_RCVTIMEO", 16))
case("opt-rcvtimeo-expires", "socket(7) SO_RCVTIMEO: a blocking recv times out with EAGAIN", pair(), ("setsockopt", "$p0", "SOL_SOCKET", "SO_RCVTIMEO", "hex:0000000000000000" + "204e000000000000"), ("recv", "$p0", 10, 0))
case("opt-sndtimeo-expires", "socket(7) SO_SNDTIMEO: a blocked send returns what it sent", pair(), ("setsockopt", "$p0", "SOL_SOCKET", "SO_SNDTIMEO", "hex:0000000000000000" + "204e000000000000"), ("setsockopt", "$p0", "SOL_SOCKET", "SO_SNDBUF", 4096), ("send", "$p0", 100000, 0), ("send", "$p0", 100, 0))
case("opt-reuseport-unix", "sk_setsockopt: SO_REUSEPORT is EOPNOTSUPP off inet", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_REUSEPORT", 1), ("setsockopt", "$s", "SOL_SOCKET", "SO_REUSEPORT", 0))
case("opt-flags-unix", "socket(7) boolean options read back 0/1", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), *[st for o in ("SO_REUSEADDR", "SO_KEEPALIVE", "SO_OOBINLINE", "SO_DONTROUTE", "SO_PASSCRED", "SO_DEBUG", "SO_BROADCAST") for st in (("setsockopt", "$s", "SOL_SOCKET", o, 5), ("getsockopt", "$s", "SOL_SOCKET", o, 4))])
case("opt-priority", "socket(7) SO_PRIORITY: 0-6 for all, more with CAP_NET_ADMIN", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_PRIORITY", 7), ("getsockopt", "$s", "SOL_SOCKET", "SO_PRIORITY", 4))
case("opt-mark", "socket(7) SO_MARK (CAP_NET_ADMIN)", ("s=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_MARK", 42), ("getsockopt", "$s", "SOL_SOCKET", "SO_MARK", 4))
case("opt-zerocopy-unix", "sk_setsockopt: SO_ZEROCOPY is EOPNOTSUPP on AF_UNIX", ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_ZEROCOPY", 1))
case("opt-udp-flags", "socket(7) options on UDP", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), *[st for o in ("SO_REUSEADDR", "SO_REUSEPORT", "SO_BROADCAST", "SO_KEEPALIVE", "SO_PASSCRED", "SO_ZEROCOPY") for st in (("setsockopt", "$s", "SOL_SOCKET", o, 1), ("getsockopt", "$s", "SOL_SOCKET", o, 4))], ("getsockopt", "$s", "SOL_SOCKET", "SO_PEEK_OFF", 4))
case("opt-bindtodevice", "socket(7) SO_BINDTODEVICE: an interface name; unknown names are ENODEV", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$s", "SOL_SOCKET", "SO_BINDTODEVICE", "hex:6c6f00"), ("getsockopt", "$s", "SOL_SOCKET", "SO_BINDTODEVICE", 16), ("setsockopt", "$s", "SOL_SOCKET", "SO_BINDTODEVICE", "hex:657468393900"), ("setsockopt", "$s", "SOL_SOCKET", "SO_BINDTODEVICE", "hex:"), ("getsockopt", "$s", "SOL_SOCKET", "SO_BINDTODEVICE", 16))
case("opt-peek-off-stream", "SO_PEEK_OFF on a stream: peeks advance it, reads pull it back", pair(), ("setsockopt", "$p1", "SOL_SOCKET", "SO_PEEK_OFF", 0), ("send", "$p0", 6, 0), ("recv", "$p1", 2, "MSG_PEEK"), ("recv", "$p1", 2, "MSG_PEEK"), ("recv", "$p1", 3, 0), ("getsockopt", "$p1", "SOL_SOCKET", "SO_PEEK_OFF", 4), ("recv", "$p1", 10, "MSG_PEEK"))

# --- IP / UDP level on UDP sockets ----------------------------------------------------------------------------------
case("ip-ttl", "ip(7) IP_TTL: 1..255, -1 restores the default, 0 is EINVAL", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("getsockopt", "$s", "IPPROTO_IP", "IP_TTL", 4), ("setsockopt", "$s", "IPPROTO_IP", "IP_TTL", 5), ("getsockopt", "$s", "IPPROTO_IP", "IP_TTL", 4), ("setsockopt", "$s", "IPPROTO_IP", "IP_TTL", 0), ("setsockopt", "$s", "IPPROTO_IP", "IP_TTL", 256), ("setsockopt", "$s", "IPPROTO_IP", "IP_TTL", -1), ("getsockopt", "$s", "IPPROTO_IP", "IP_TTL", 4), ("getsockopt", "$s", "IPPROTO_IP", "IP_TTL", 1))
case("ip-tos", "ip(7) IP_TOS", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$s", "IPPROTO_IP", "IP_TOS", 0x10), ("getsockopt", "$s", "IPPROTO_IP", "IP_TOS", 4), ("setsockopt", "$s", "IPPROTO_IP", "IP_TOS", "hex:20", 1), ("getsockopt", "$s", "IPPROTO_IP", "IP_TOS", 4))
case("ip-multicast-opts", "ip(7) IP_MULTICAST_TTL (1 by default, -1 restores it, 0..255) and IP_MULTICAST_LOOP (1 by default)", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_TTL", 4), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_LOOP", 4), ("setsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_TTL", 300), ("setsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_TTL", 7), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_TTL", 4), ("setsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_TTL", -1), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_TTL", 4), ("setsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_LOOP", 0), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_LOOP", 4))
MREQ = "hex:e0010203" + "00000000"
MREQ6 = "hex:ff020000000000000000000000010002" + "01000000"
case("tcp-mcast-v4", "do_ip_setsockopt on a stream socket: joining is EPROTO, IP_MULTICAST_TTL/IF EINVAL, IP_MULTICAST_ALL 0 or 1", ("s=socket", "AF_INET", "SOCK_STREAM", 0), ("setsockopt", "$s", "IPPROTO_IP", "IP_ADD_MEMBERSHIP", MREQ), ("setsockopt", "$s", "IPPROTO_IP", "IP_DROP_MEMBERSHIP", MREQ), ("setsockopt", "$s", "IPPROTO_IP", "IP_ADD_MEMBERSHIP", 1), ("setsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_TTL", 1), ("setsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_IF", "hex:7f000001"), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_IF", 4), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_TTL", 4), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_ALL", 4), ("setsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_ALL", 2), ("setsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_ALL", 0), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_ALL", 4), ("setsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_LOOP", 0), ("getsockopt", "$s", "IPPROTO_IP", "IP_MULTICAST_LOOP", 4))
case("tcp-mcast-v6", "do_ipv6_setsockopt on a stream socket: joining is EPROTO after the length check, HOPS/IF ENOPROTOOPT, LOOP 0 or 1, ALL taken", ("s=socket", "AF_INET6", "SOCK_STREAM", 0), ("setsockopt", "$s", "IPPROTO_IPV6", "IPV6_JOIN_GROUP", MREQ6), ("setsockopt", "$s", "IPPROTO_IPV6", "IPV6_LEAVE_GROUP", MREQ6), ("setsockopt", "$s", "IPPROTO_IPV6", "IPV6_JOIN_GROUP", 1), ("setsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_HOPS", 1), ("setsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_IF", 1), ("getsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_IF", 4), ("getsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_HOPS", 4), ("getsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_LOOP", 4), ("setsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_LOOP", 2), ("setsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_LOOP", 0), ("getsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_LOOP", 4), ("setsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_ALL", 0), ("getsockopt", "$s", "IPPROTO_IPV6", "IPV6_MULTICAST_ALL", 4))
case("tcp-recverr", "do_ip_setsockopt / do_ipv6_setsockopt on a stream socket: IP_RECVERR (int or byte) and IPV6_RECVERR, IPV6_MTU_DISCOVER (0..5), IPV6_DONTFRAG are taken as on any socket", ("s=socket", "AF_INET", "SOCK_STREAM", 0), ("setsockopt", "$s", "IPPROTO_IP", "IP_RECVERR", 1), ("getsockopt", "$s", "IPPROTO_IP", "IP_RECVERR", 4), ("setsockopt", "$s", "IPPROTO_IP", "IP_RECVERR", "hex:00"), ("getsockopt", "$s", "IPPROTO_IP", "IP_RECVERR", 4), ("t=socket", "AF_INET6", "SOCK_STREAM", 0), ("setsockopt", "$t", "IPPROTO_IPV6", "IPV6_RECVERR", 1), ("getsockopt", "$t", "IPPROTO_IPV6", "IPV6_RECVERR", 4), ("setsockopt", "$t", "IPPROTO_IP", "IP_RECVERR", 1), ("getsockopt", "$t", "IPPROTO_IP", "IP_RECVERR", 4), ("getsockopt", "$t", "IPPROTO_IPV6", "IPV6_MTU_DISCOVER", 4), ("setsockopt", "$t", "IPPROTO_IPV6", "IPV6_MTU_DISCOVER", 2), ("getsockopt", "$t", "IPPROTO_IPV6", "IPV6_MTU_DISCOVER", 4), ("setsockopt", "$t", "IPPROTO_IPV6", "IPV6_MTU_DISCOVER", 9), ("setsockopt", "$t", "IPPROTO_IPV6", "IPV6_DONTFRAG", 1), ("getsockopt", "$t", "IPPROTO_IPV6", "IPV6_DONTFRAG", 4))
case("udp-segment-gro-opts", "udp(7) UDP_SEGMENT (0..65535) and UDP_GRO on both families", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("getsockopt", "$s", "IPPROTO_UDP", "UDP_SEGMENT", 4), ("setsockopt", "$s", "IPPROTO_UDP", "UDP_SEGMENT", 1400), ("getsockopt", "$s", "IPPROTO_UDP", "UDP_SEGMENT", 4), ("setsockopt", "$s", "IPPROTO_UDP", "UDP_SEGMENT", 65536), ("setsockopt", "$s", "IPPROTO_UDP", "UDP_GRO", 5), ("getsockopt", "$s", "IPPROTO_UDP", "UDP_GRO", 4), ("t=socket", "AF_INET6", "SOCK_DGRAM", 0), ("setsockopt", "$t", "IPPROTO_UDP", "UDP_CORK", 1), ("getsockopt", "$t", "IPPROTO_UDP", "UDP_CORK", 4), ("setsockopt", "$t", "IPPROTO_UDP", "UDP_GRO", 1), ("getsockopt", "$t", "IPPROTO_UDP", "UDP_GRO", 4))
for _t in ("SOCK_DGRAM", "SOCK_STREAM"):
    _n = "udp" if _t == "SOCK_DGRAM" else "tcp"
    case("freebind-v4-" + _n, "ip(7) IP_FREEBIND: bind() to an address the host does not have (EADDRNOTAVAIL without it)", ("a=socket", "AF_INET", _t, 0), ("bind", "$a", "in:10.9.9.9:0"), ("b=socket", "AF_INET", _t, 0), ("setsockopt", "$b", "IPPROTO_IP", "IP_FREEBIND", 7), ("getsockopt", "$b", "IPPROTO_IP", "IP_FREEBIND", 4), ("bind", "$b", "in:10.9.9.9:0"), ("getsockname", "$b"), ("c=socket", "AF_INET", _t, 0), ("setsockopt", "$c", "IPPROTO_IP", "IP_FREEBIND", "hex:01"), ("getsockopt", "$c", "IPPROTO_IP", "IP_FREEBIND", 4))
    case("freebind-v6-" + _n, "ipv6(7) IPV6_FREEBIND shares IP_FREEBIND's flag; an int is needed", ("a=socket", "AF_INET6", _t, 0), ("bind", "$a", "in6:[2001:db8::9]:0"), ("b=socket", "AF_INET6", _t, 0), ("setsockopt", "$b", "IPPROTO_IPV6", "IPV6_FREEBIND", 1), ("getsockopt", "$b", "IPPROTO_IP", "IP_FREEBIND", 4), ("getsockopt", "$b", "IPPROTO_IPV6", "IPV6_FREEBIND", 4), ("bind", "$b", "in6:[2001:db8::9]:0"), ("c=socket", "AF_INET6", _t, 0), ("setsockopt", "$c", "IPPROTO_IP", "IP_FREEBIND", 1), ("bind", "$c", "in6:[2001:db8::8]:0"), ("setsockopt", "$c", "IPPROTO_IPV6", "IPV6_FREEBIND", "hex:01"))
case("ip-options-empty", "ip(7) IP_OPTIONS: an empty set clears them; reading returns nothing", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$s", "IPPROTO_IP", "IP_OPTIONS", "hex:", 0), ("getsockopt", "$s", "IPPROTO_IP", "IP_OPTIONS", 40))
case("ip-hdrincl-udp", "ip(7) IP_HDRINCL is for raw sockets only (ENOPROTOOPT)", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$s", "IPPROTO_IP", "IP_HDRINCL", 1), ("getsockopt", "$s", "IPPROTO_IP", "IP_HDRINCL", 4))
case("udp-cork", "udp(7) UDP_CORK", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$s", "IPPROTO_UDP", "UDP_CORK", 1), ("getsockopt", "$s", "IPPROTO_UDP", "UDP_CORK", 4), ("setsockopt", "$s", "IPPROTO_UDP", "UDP_CORK", 1, 2))
case("udp-tcp-level", "udp_getsockopt: other levels go to ip_getsockopt, which answers ENOPROTOOPT", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("getsockopt", "$s", "IPPROTO_TCP", "TCP_NODELAY", 4))

case("udp-reuseaddr", "socket(7) SO_REUSEADDR: two UDP sockets may share a port only if both set it", ("a=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$a", "SOL_SOCKET", "SO_REUSEADDR", 1), ("bind", "$a", "in:127.0.0.1:40400"), ("b=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$b", "in:127.0.0.1:40400"), ("setsockopt", "$b", "SOL_SOCKET", "SO_REUSEADDR", 1), ("bind", "$b", "in:127.0.0.1:40400"))
case("udp-reuseport", "socket(7) SO_REUSEPORT: both sockets set it", ("a=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$a", "SOL_SOCKET", "SO_REUSEPORT", 1), ("bind", "$a", "in:0.0.0.0:40401"), ("b=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$b", "SOL_SOCKET", "SO_REUSEPORT", 1), ("bind", "$b", "in:0.0.0.0:40401"), ("c=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$c", "in:127.0.0.1:40401"))
case("udp-broadcast-no-route", "udp_sendmsg routes before the SO_BROADCAST check: with only lo up, 255.255.255.255 is ENETUNREACH", ("a=socket", "AF_INET", "SOCK_DGRAM", 0), ("sendto", "$a", 1, 0, "in:255.255.255.255:40402"), ("setsockopt", "$a", "SOL_SOCKET", "SO_BROADCAST", 1), ("getsockopt", "$a", "SOL_SOCKET", "SO_BROADCAST", 4))
case("udp-rebind", "inet_bind: a bound socket cannot bind again (EINVAL)", ("a=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$a", "in:127.0.0.1:40403"), ("bind", "$a", "in:127.0.0.1:40404"))
case("udp-cork-one-datagram", "udp(7) UDP_CORK: corked sends leave as one datagram when uncorked", ("r=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$r", "in:127.0.0.1:40405"), ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$s", "IPPROTO_UDP", "UDP_CORK", 1), ("sendto", "$s", 3, 0, "in:127.0.0.1:40405"), ("sendto", "$s", 4, 0, "in:127.0.0.1:40405"), ("recv", "$r", 100, "MSG_DONTWAIT"), ("setsockopt", "$s", "IPPROTO_UDP", "UDP_CORK", 0), ("recv", "$r", 100, 0))
case("udp-set-unknown-level", "ip_setsockopt at a level it does not know", ("a=socket", "AF_INET", "SOCK_DGRAM", 0), ("setsockopt", "$a", "IPPROTO_TCP", "TCP_NODELAY", 1), ("setsockopt", "$a", 9999, 1, 1))

# --- UDP socket calls ---------------------------------------------------------------------------------------------
case("udp-loopback", "udp(7) over loopback: recvfrom reports the sender", ("r=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$r", "in:127.0.0.1:40100"), ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("sendto", "$s", 5, 0, "in:127.0.0.1:40100"), ("recvfrom", "$r", 10, 0), ("poll", [["$r", ALLPOLL]], 0))
case("udp-no-dest", "udp_sendmsg: EDESTADDRREQ", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("send", "$s", 1, 0))
case("udp-listen-accept", "sock_no_listen / sock_no_accept: EOPNOTSUPP", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("listen", "$s", 1), ("accept", "$s"))
case("udp-shutdown-unconnected", "inet_shutdown: ENOTCONN for an unconnected datagram socket", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("shutdown", "$s", "SHUT_RDWR"))
case("udp-oob", "udp_sendmsg: MSG_OOB is EOPNOTSUPP", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("sendto", "$s", 1, "MSG_OOB", "in:127.0.0.1:40101"))
case("udp-poll-fresh", "datagram_poll on a fresh UDP socket", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("poll", [["$s", ALLPOLL]], 0))
case("udp-bind-short", "inet_bind: addrlen < sizeof(sockaddr_in) is EINVAL", ("s=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$s", "hex:02000001"))
case("udp-recv-trunc", "udp(7): MSG_TRUNC returns the datagram's length", ("r=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$r", "in:127.0.0.1:40102"), ("sendto", "$r", 20, 0, "in:127.0.0.1:40102"), ("recvmsg", "$r", 5, 0, "MSG_TRUNC"))

# --- IPv6 and dual-stack UDP --------------------------------------------------------------------------------------
V6 = ["ipv6"]
case("v6-defaults", "ipv6(7): IPV6_V6ONLY defaults to net.ipv6.bindv6only (0); unicast hops read back 64", ("s=socket", "AF_INET6", "SOCK_DGRAM", 0), ("getsockopt", "$s", "IPPROTO_IPV6", "IPV6_V6ONLY", 4), ("getsockopt", "$s", "IPPROTO_IPV6", "IPV6_UNICAST_HOPS", 4), ("getsockopt", "$s", "SOL_SOCKET", "SO_DOMAIN", 4), tags=V6)
case("v6-dualstack-conflict", "ipv6(7): a v6 wildcard bind without IPV6_V6ONLY also takes the IPv4 port", ("a=socket", "AF_INET6", "SOCK_DGRAM", 0), ("bind", "$a", "in6:[::]:40200"), ("b=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$b", "in:0.0.0.0:40200"), tags=V6)
case("v6-v6only-no-conflict", "ipv6(7) IPV6_V6ONLY: the IPv4 port stays free", ("a=socket", "AF_INET6", "SOCK_DGRAM", 0), ("setsockopt", "$a", "IPPROTO_IPV6", "IPV6_V6ONLY", 1), ("bind", "$a", "in6:[::]:40201"), ("b=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$b", "in:0.0.0.0:40201"), tags=V6)
case("v6-v6only-after-bind", "do_ipv6_setsockopt: IPV6_V6ONLY on a bound socket is EINVAL", ("a=socket", "AF_INET6", "SOCK_DGRAM", 0), ("bind", "$a", "in6:[::]:40202"), ("setsockopt", "$a", "IPPROTO_IPV6", "IPV6_V6ONLY", 1), tags=V6)
case("v6-mapped-receive", "ipv6(7): IPv4 datagrams reach a dual-stack socket from a v4-mapped address", ("a=socket", "AF_INET6", "SOCK_DGRAM", 0), ("bind", "$a", "in6:[::]:40203"), ("b=socket", "AF_INET", "SOCK_DGRAM", 0), ("sendto", "$b", 3, 0, "in:127.0.0.1:40203"), ("recvfrom", "$a", 10, 0), tags=V6)
case("v6-v6only-no-v4", "IPV6_V6ONLY: IPv4 datagrams do not reach the socket", ("a=socket", "AF_INET6", "SOCK_DGRAM|SOCK_NONBLOCK", 0), ("setsockopt", "$a", "IPPROTO_IPV6", "IPV6_V6ONLY", 1), ("bind", "$a", "in6:[::]:40204"), ("b=socket", "AF_INET", "SOCK_DGRAM", 0), ("sendto", "$b", 3, 0, "in:127.0.0.1:40204"), ("recv", "$a", 10, 0), tags=V6)
case("v6-loopback", "ipv6(7): datagrams over ::1", ("a=socket", "AF_INET6", "SOCK_DGRAM", 0), ("bind", "$a", "in6:[::1]:40205"), ("b=socket", "AF_INET6", "SOCK_DGRAM", 0), ("sendto", "$b", 4, 0, "in6:[::1]:40205"), ("recvfrom", "$a", 10, 0), ("getsockname", "$a"), tags=V6)
case("v6-v6only-mapped-send", "udpv6_sendmsg: a v4-mapped destination on an IPV6_V6ONLY socket is ENETUNREACH", ("a=socket", "AF_INET6", "SOCK_DGRAM", 0), ("setsockopt", "$a", "IPPROTO_IPV6", "IPV6_V6ONLY", 1), ("sendto", "$a", 1, 0, "in6:[::ffff:127.0.0.1]:40206"), tags=V6)
case("v6-bind-short", "inet6_bind: addrlen < SIN6_LEN_RFC2133 (24) is EINVAL", ("a=socket", "AF_INET6", "SOCK_DGRAM", 0), ("bind", "$a", "hex:0a00" + "00" * 18), tags=V6)
case("v6-poll-fresh", "datagram_poll on a fresh IPv6 UDP socket", ("a=socket", "AF_INET6", "SOCK_DGRAM", 0), ("poll", [["$a", ALLPOLL]], 0), tags=V6)
case("so-error-cleared", "socket(7) SO_ERROR: reading it clears the pending error", pair(), ("send", "$p1", 3, 0), ("close", "$p0"), ("getsockopt", "$p1", "SOL_SOCKET", "SO_ERROR", 4), ("getsockopt", "$p1", "SOL_SOCKET", "SO_ERROR", 4), ("recv", "$p1", 10, 0))

# --- TCP (socket-layer view: connect states, masks, options) --------------------------------------------------------
T = ["tcp"]
def tcp_pair(port, nb=""):
    return [("l=socket", "AF_INET", "SOCK_STREAM", 0), ("setsockopt", "$l", "SOL_SOCKET", "SO_REUSEADDR", 1), ("bind", "$l", "in:127.0.0.1:%d" % port), ("listen", "$l", 5),
            ("c=socket", "AF_INET", "SOCK_STREAM" + nb, 0), ("connect", "$c", "in:127.0.0.1:%d" % port), ("a=accept", "$l")]
case("tcp-refused", "connect(2) ECONNREFUSED: nothing listens (RST)", ("c=socket", "AF_INET", "SOCK_STREAM", 0), ("connect", "$c", "in:127.0.0.1:40300"), ("getsockopt", "$c", "SOL_SOCKET", "SO_ERROR", 4), tags=T)
case("tcp-nonblock-connect", "connect(2) EINPROGRESS, then POLLOUT, SO_ERROR 0; the next connect returns 0 (inet_stream_connect), then EISCONN", ("l=socket", "AF_INET", "SOCK_STREAM", 0), ("bind", "$l", "in:127.0.0.1:40301"), ("listen", "$l", 5), ("c=socket", "AF_INET", "SOCK_STREAM|SOCK_NONBLOCK", 0), ("connect", "$c", "in:127.0.0.1:40301"), ("poll", [["$c", "POLLOUT"]], 1000), ("getsockopt", "$c", "SOL_SOCKET", "SO_ERROR", 4), ("connect", "$c", "in:127.0.0.1:40301"), ("connect", "$c", "in:127.0.0.1:40301"), tags=T)
case("tcp-nonblock-refused", "a refused non-blocking connect: POLLERR|POLLHUP, SO_ERROR ECONNREFUSED once", ("c=socket", "AF_INET", "SOCK_STREAM|SOCK_NONBLOCK", 0), ("connect", "$c", "in:127.0.0.1:40309"), ("poll", [["$c", "POLLOUT"]], 1000), ("poll", [["$c", ALLPOLL]], 0), ("getsockopt", "$c", "SOL_SOCKET", "SO_ERROR", 4), ("getsockopt", "$c", "SOL_SOCKET", "SO_ERROR", 4), tags=T)
case("tcp-accept-names", "accept(2) and the names of both ends", *tcp_pair(40302), ("getsockname", "$a"), ("getpeername", "$c"), ("getsockopt", "$l", "SOL_SOCKET", "SO_ACCEPTCONN", 4), ("getsockopt", "$a", "SOL_SOCKET", "SO_ACCEPTCONN", 4), tags=T)
case("tcp-accept-nonblock", "accept(2) EAGAIN on an empty non-blocking listener", ("l=socket", "AF_INET", "SOCK_STREAM|SOCK_NONBLOCK", 0), ("bind", "$l", "in:127.0.0.1:40303"), ("listen", "$l", 5), ("accept", "$l"), tags=T)
case("tcp-shut-wr-masks", "tcp_poll after the peer's FIN: POLLIN|POLLRDHUP; recv returns 0", *tcp_pair(40304), ("shutdown", "$c", "SHUT_WR"), ("poll", [["$a", "POLLIN"]], 1000), ("poll", [["$a", ALLPOLL], ["$c", ALLPOLL]], 0), ("recv", "$a", 10, 0), ("send", "$c", 1, 0), tags=T)
case("tcp-close-unread-rst", "tcp_close with unread data sends RST: the peer gets ECONNRESET, then EPIPE", *tcp_pair(40305), ("send", "$c", 5, 0), ("poll", [["$a", "POLLIN"]], 1000), ("close", "$a"), ("poll", [["$c", "POLLIN"]], 1000), ("poll", [["$c", ALLPOLL]], 0), ("recv", "$c", 10, 0), ("send", "$c", 1, "MSG_NOSIGNAL"), tags=T)
case("tcp-linger-zero", "SO_LINGER {1, 0}: close sends RST (socket(7))", *tcp_pair(40306), ("setsockopt", "$a", "SOL_SOCKET", "SO_LINGER", "hex:0100000000000000"), ("close", "$a"), ("poll", [["$c", "POLLIN"]], 1000), ("recv", "$c", 10, 0), tags=T)
case("tcp-epipe-sigpipe", "send(2) after SHUT_WR on TCP: EPIPE and SIGPIPE", *tcp_pair(40307), ("shutdown", "$c", "SHUT_WR"), ("send", "$c", 1, 0), tags=T)
case("tcp-opts", "tcp(7) options read back: TCP_NODELAY, TCP_KEEPIDLE/INTVL/CNT defaults and limits, TCP_SYNCNT, TCP_USER_TIMEOUT", ("s=socket", "AF_INET", "SOCK_STREAM", 0), *[("getsockopt", "$s", "IPPROTO_TCP", o, 4) for o in ("TCP_NODELAY", "TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_SYNCNT", "TCP_USER_TIMEOUT")], ("setsockopt", "$s", "IPPROTO_TCP", "TCP_NODELAY", 1), ("getsockopt", "$s", "IPPROTO_TCP", "TCP_NODELAY", 4), ("setsockopt", "$s", "IPPROTO_TCP", "TCP_KEEPIDLE", 0), ("setsockopt", "$s", "IPPROTO_TCP", "TCP_KEEPIDLE", 60), ("getsockopt", "$s", "IPPROTO_TCP", "TCP_KEEPIDLE", 4), ("setsockopt", "$s", "IPPROTO_TCP", "TCP_SYNCNT", 0), ("setsockopt", "$s", "IPPROTO_TCP", "TCP_NODELAY", 1, 2), tags=T)
case("tcp-data-peek-trunc", "tcp(7): MSG_PEEK keeps data; MSG_TRUNC discards it", *tcp_pair(40308), ("send", "$c", 6, 0), ("poll", [["$a", "POLLIN"]], 1000), ("recv", "$a", 2, "MSG_PEEK"), ("recv", "$a", 2, "MSG_TRUNC"), ("recv", "$a", 10, 0), tags=T)
case("tcp-connect-listener", "connect(2) on a listening TCP socket", ("l=socket", "AF_INET", "SOCK_STREAM", 0), ("bind", "$l", "in:127.0.0.1:40310"), ("listen", "$l", 5), ("connect", "$l", "in:127.0.0.1:40310"), tags=T)
case("tcp-recv-unconnected", "tcp_recvmsg on an unconnected socket: ENOTCONN", ("s=socket", "AF_INET", "SOCK_STREAM", 0), ("recv", "$s", 1, "MSG_DONTWAIT"), ("send", "$s", 1, "MSG_NOSIGNAL"), ("poll", [["$s", ALLPOLL]], 0), tags=T)

# --- fd table -------------------------------------------------------------------------------------------------------
case("dup-lowest", "dup(2): the lowest-numbered unused fd", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("b=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("close", "$a"), ("dup", "$b"), ("dup", "$b"))
case("dup2-same", "dup2(2): oldfd == newfd returns newfd", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("dup2", "$a", "$a"))
case("dup2-bad", "dup2(2) EBADF: oldfd not open, newfd out of range", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("dup2", 50, 60), ("dup2", "$a", -1), ("dup2", "$a", 100000000))
case("dup2-replaces", "dup2(2) closes newfd first", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("b=socket", "AF_UNIX", "SOCK_STREAM", 0), ("dup2", "$a", "$b"), ("getsockopt", "$b", "SOL_SOCKET", "SO_TYPE", 4))
case("dup3-rules", "dup3(2) EINVAL: oldfd == newfd, or flags other than O_CLOEXEC", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("dup3", "$a", "$a", 0), ("dup3", "$a", 9, "O_NONBLOCK"), ("dup3", "$a", 9, "O_CLOEXEC"), ("fcntl", 9, "F_GETFD"))
case("fcntl-dupfd", "fcntl(2) F_DUPFD: lowest at or above arg; at/over RLIMIT_NOFILE EINVAL", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("fcntl", "$a", "F_DUPFD", 10), ("fcntl", "$a", "F_DUPFD", 10), ("fcntl", "$a", "F_DUPFD_CLOEXEC", 20), ("fcntl", 20, "F_GETFD"), ("setrlimit", 30, 4096), ("fcntl", "$a", "F_DUPFD", 30))
case("fcntl-flags", "fcntl(2) F_GETFL/F_SETFL: access mode and O_NONBLOCK; other bits ignored", pair(), ("fcntl", "$p0", "F_GETFL"), ("fcntl", "$p0", "F_SETFL", "O_NONBLOCK|O_CREAT"), ("fcntl", "$p0", "F_GETFL"), ("recv", "$p0", 1, 0), ("fcntl", "$p0", "F_SETFD", 1), ("fcntl", "$p0", "F_GETFD"))
case("fcntl-bad", "fcntl(2): EBADF for a closed fd, EINVAL for an unknown command", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("fcntl", 40, "F_GETFL"), ("fcntl", "$a", 9999))
case("close-twice", "close(2) EBADF", ("a=socket", "AF_UNIX", "SOCK_DGRAM", 0), ("close", "$a"), ("close", "$a"), ("close", -1))
case("rlimit-emfile", "getrlimit(2) RLIMIT_NOFILE: fds at or above the soft limit are EMFILE", ("setrlimit", 5, 4096), ("socket", "AF_UNIX", "SOCK_DGRAM", 0), ("socket", "AF_UNIX", "SOCK_DGRAM", 0), ("socket", "AF_UNIX", "SOCK_DGRAM", 0), ("dup", 3), ("pipe2", 0))
case("rlimit-invalid", "setrlimit(2) EINVAL: soft above hard", ("setrlimit", 10, 5))
case("rlimit-socketpair", "socketpair(2) EMFILE when only one fd is free", ("setrlimit", 4, 4096), ("socketpair", "AF_UNIX", "SOCK_STREAM", 0), ("socket", "AF_UNIX", "SOCK_STREAM", 0))
case("rlimit-accept", "accept(2) EMFILE keeps the connection queued", *listener(), *client(), ("setrlimit", 5, 4096), ("accept", "$l"), ("setrlimit", 6, 4096), ("accept", "$l"))
case("read-write-socket", "read(2)/write(2) on a socket are recv/send", pair(), ("write", "$p0", 4, 0), ("read", "$p1", 10))
case("recv-not-socket", "recv(2) ENOTSOCK on a pipe", ("p=pipe2", 0), ("recv", "$p0", 1, "MSG_DONTWAIT"), ("getsockopt", "$p0", "SOL_SOCKET", "SO_TYPE", 4))
case("recv-badf", "recv(2) EBADF", ("recv", 50, 1, 0), ("send", 50, 1, 0), ("bind", 50, "abs:x"), ("listen", 50, 1), ("shutdown", 50, 0))

case("readv-writev-socket", "readv(2)/writev(2) on a socket gather and scatter in order", pair(), ("writev", "$p0", [2, 3]), ("readv", "$p1", [1, 2, 5]))
case("readv-writev-pipe", "readv(2)/writev(2) on a pipe", ("p=pipe2", 0), ("writev", "$p1", [4, 0, 2]), ("readv", "$p0", [3, 3]))
case("writev-dgram-one-message", "writev(2) on a datagram socket sends one message", pair("SOCK_DGRAM"), ("writev", "$p0", [2, 3]), ("recv", "$p1", 100, 0))

# --- ioctl -----------------------------------------------------------------------------------------------------------
case("ioctl-fionread-unix", "unix_inq_len: streams and seqpacket count all queued bytes, datagrams the first message; a listener is EINVAL", pair(), ("send", "$p0", 3, 0), ("send", "$p0", 4, 0), ("ioctl", "$p1", "FIONREAD", 0), ("recv", "$p1", 2, 0), ("ioctl", "$p1", "FIONREAD", 0), ("d=socketpair", "AF_UNIX", "SOCK_DGRAM", 0), ("send", "$d0", 3, 0), ("send", "$d0", 4, 0), ("ioctl", "$d1", "FIONREAD", 0), ("q=socketpair", "AF_UNIX", "SOCK_SEQPACKET", 0), ("send", "$q0", 3, 0), ("send", "$q0", 4, 0), ("ioctl", "$q1", "FIONREAD", 0), *listener(), ("ioctl", "$l", "FIONREAD", 0))
case("ioctl-fionread-udp", "udp_ioctl SIOCINQ: the first datagram's payload length", ("u=socket", "AF_INET", "SOCK_DGRAM", 0), ("bind", "$u", "in:127.0.0.1:40420"), ("ioctl", "$u", "FIONREAD", 0), ("sendto", "$u", 5, 0, "in:127.0.0.1:40420"), ("sendto", "$u", 9, 0, "in:127.0.0.1:40420"), ("poll", [["$u", "POLLIN"]], 1000), ("ioctl", "$u", "FIONREAD", 0))
case("ioctl-fionread-pipe-file", "FIONREAD on a pipe (bytes buffered) and a regular file (size past the offset)", ("p=pipe2", 0), ("write", "$p1", 10), ("ioctl", "$p0", "FIONREAD", 0), ("f=open", "@D/f", "O_CREAT|O_RDWR"), ("write", "$f", 10), ("lseek", "$f", 3, 0), ("ioctl", "$f", "FIONREAD", 0))
case("ioctl-fionbio-fioclex", "ioctl(2) FIONBIO sets O_NONBLOCK on the description; FIOCLEX/FIONCLEX the fd flag", pair(), ("ioctl", "$p0", "FIONBIO", 1), ("fcntl", "$p0", "F_GETFL"), ("recv", "$p0", 1, 0), ("ioctl", "$p0", "FIONBIO", 0), ("fcntl", "$p0", "F_GETFL"), ("ioctl", "$p0", "FIOCLEX", None), ("fcntl", "$p0", "F_GETFD"), ("ioctl", "$p0", "FIONCLEX", None), ("fcntl", "$p0", "F_GETFD"))
case("ioctl-unknown", "ioctl(2) ENOTTY for a request the file does not know; EBADF for a closed fd", pair(), ("ioctl", "$p0", 0x1234, 0), ("p=pipe2", 0), ("ioctl", "$p0", 0x1234, 0), ("ioctl", 40, "FIONREAD", 0))

# --- pipes ----------------------------------------------------------------------------------------------------------
case("pipe-epipe", "pipe(7): writing with no reader is EPIPE and SIGPIPE", ("p=pipe2", 0), ("close", "$p0"), ("write", "$p1", 3))
case("pipe-eof", "pipe(7): reading with no writer returns 0", ("p=pipe2", 0), ("write", "$p1", 3), ("close", "$p1"), ("read", "$p0", 10), ("read", "$p0", 10))
case("pipe-poll", "pipe_poll: POLLHUP on the read end after the writer closed, POLLERR on the write end without a reader", ("p=pipe2", 0), ("poll", [["$p0", ALLPOLL], ["$p1", ALLPOLL]], 0), ("q=pipe2", 0), ("close", "$p1"), ("close", "$q0"), ("poll", [["$p0", ALLPOLL], ["$q1", ALLPOLL]], 0))
case("pipe-fill-1", "pipe(7): 64 KiB capacity; small writes merge into pages", ("p=pipe2", "O_NONBLOCK"), ("fill", "$p1", 1, 0))
case("pipe-fill-100", "pipe_write merges only whole sub-page remainders", ("p=pipe2", "O_NONBLOCK"), ("fill", "$p1", 100, 0))
case("pipe-fill-5000", "pipe_write: a non-blocking write larger than the room left is partial", ("p=pipe2", "O_NONBLOCK"), ("fill", "$p1", 5000, 0))
case("pipe-wrong-end", "read(2)/write(2) EBADF on the wrong end", ("p=pipe2", 0), ("read", "$p1", 1), ("write", "$p0", 1))
case("pipe-flags", "pipe2(2) EINVAL for unknown flags; O_NONBLOCK reads give EAGAIN; F_GETPIPE_SZ", ("pipe2", "O_TRUNC"), ("p=pipe2", "O_NONBLOCK|O_CLOEXEC"), ("read", "$p0", 1), ("fcntl", "$p0", "F_GETFD"), ("fcntl", "$p0", "F_GETPIPE_SZ"), ("fcntl", "$p0", "F_GETFL"), ("fcntl", "$p1", "F_GETFL"))
case("pipe-lseek", "lseek(2) ESPIPE", ("p=pipe2", 0), ("lseek", "$p0", 0, 0))

# --- poll / select ---------------------------------------------------------------------------------------------------
case("poll-negative-fd", "poll(2): a negative fd is ignored (revents 0)", ("poll", [[-1, "POLLIN"]], 0))
case("poll-closed-fd", "poll(2) POLLNVAL for an fd that is not open", ("poll", [[40, "POLLIN"]], 0))
case("poll-timeout", "poll(2) returns 0 on timeout", pair(), ("poll", [["$p0", "POLLIN"]], 10))
case("poll-events-zero", "poll(2) with events 0 reports nothing on a healthy socket", pair(), ("send", "$p1", 1, 0), ("poll", [["$p0", 0]], 0))
case("select-basic", "select(2): a connected socket is writable; readable once data arrived", pair(), ("select", 10, ["$p0"], ["$p0"], ["$p0"], 0), ("send", "$p1", 1, 0), ("select", 10, ["$p0"], ["$p0"], ["$p0"], 0))
case("select-badf", "select(2) EBADF for a closed fd in a set", ("select", 10, [7], None, None, 0))
case("select-einval", "select(2) EINVAL: negative nfds or bad timeout", ("select", -1, None, None, None, 0))
case("select-nfds-cut", "select(2) ignores fds at or above nfds", pair(), ("select", 3, ["$p0"], ["$p0"], None, 0))
case("select-timeout", "select(2) times out with 0 and empty sets", pair(), ("select", 10, ["$p0"], None, None, 10000))
case("select-pipe-hup", "select: POLLHUP counts as readable", ("p=pipe2", 0), ("close", "$p1"), ("select", 10, ["$p0"], ["$p0"], ["$p0"], 0))
case("select-oob", "select: POLLPRI (urgent byte) is exceptional", pair(), ("send", "$p0", 1, "MSG_OOB"), ("select", 10, ["$p1"], None, ["$p1"], 0))

case("pselect-ppoll", "pselect(2)/ppoll(2) behave as select/poll here", pair(), ("send", "$p1", 1, 0), ("pselect", 10, ["$p0"], None, None, 0), ("ppoll", [["$p0", "POLLIN"], [-1, "POLLIN"], [99, "POLLIN"]], 0))
case("select-epoll-fd", "an epoll fd is readable for select when its set has events", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p0", "EPOLLIN"), ("select", 10, ["$e"], None, None, 0), ("send", "$p1", 1, 0), ("select", 10, ["$e"], None, None, 0))

# --- epoll -----------------------------------------------------------------------------------------------------------
case("epoll-create-einval", "epoll_create(2) EINVAL: size <= 0; epoll_create1 unknown flags", ("epoll_create", 0), ("epoll_create1", 1), ("e=epoll_create1", "EPOLL_CLOEXEC"), ("fcntl", "$e", "F_GETFD"))
case("epoll-ctl-file", "epoll_ctl(2) EPERM: regular files do not support poll", ("e=epoll_create1", 0), ("f=open", "@D/f", "O_CREAT|O_RDWR"), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$f", "EPOLLIN"))
case("epoll-ctl-self", "epoll_ctl(2) EINVAL: epfd == fd", ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$e", "EPOLLIN"))
case("epoll-ctl-not-epoll", "epoll_ctl(2) EINVAL: epfd is not an epoll fd", pair(), ("epoll_ctl", "$p0", "EPOLL_CTL_ADD", "$p1", "EPOLLIN"))
case("epoll-ctl-badf", "epoll_ctl(2) EBADF", ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", 40, "EPOLLIN"), ("epoll_ctl", 40, "EPOLL_CTL_ADD", "$e", "EPOLLIN"))
case("epoll-ctl-exist-noent", "epoll_ctl(2) EEXIST / ENOENT", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p0", "EPOLLIN"), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p0", "EPOLLIN"), ("epoll_ctl", "$e", "EPOLL_CTL_MOD", "$p1", "EPOLLIN"), ("epoll_ctl", "$e", "EPOLL_CTL_DEL", "$p1", None), ("epoll_ctl", "$e", "EPOLL_CTL_DEL", "$p0", None))
case("epoll-ctl-bad-op", "epoll_ctl(2) EINVAL for an unknown op", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", 99, "$p0", "EPOLLIN"))
case("epoll-ctl-null-event", "epoll_ctl(2) EFAULT: a NULL event is checked before the fds", ("epoll_ctl", 40, "EPOLL_CTL_ADD", 41, None))
case("epoll-exclusive-rules", "epoll_ctl(2) EPOLLEXCLUSIVE: not with MOD, ONESHOT or an epoll target; an exclusive item cannot be modified", pair(), ("e=epoll_create1", 0), ("f=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p0", "EPOLLIN|EPOLLEXCLUSIVE|EPOLLONESHOT"), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$f", "EPOLLIN|EPOLLEXCLUSIVE"), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p0", "EPOLLIN|EPOLLEXCLUSIVE"), ("epoll_ctl", "$e", "EPOLL_CTL_MOD", "$p0", "EPOLLIN"), ("epoll_ctl", "$e", "EPOLL_CTL_MOD", "$p0", "EPOLLIN|EPOLLEXCLUSIVE"), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN|EPOLLRDHUP|EPOLLEXCLUSIVE"))
case("epoll-wait-einval", "epoll_wait(2) EINVAL: maxevents <= 0, or not an epoll fd", pair(), ("e=epoll_create1", 0), ("epoll_wait", "$e", 0, 0), ("epoll_wait", "$p0", 1, 0), ("epoll_wait", 40, 1, 0))
case("epoll-lt", "epoll(7) level-triggered: reported while readable", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN"), ("epoll_wait", "$e", 8, 0), ("send", "$p0", 1, 0), ("epoll_wait", "$e", 8, 0), ("epoll_wait", "$e", 8, 0))
case("epoll-et", "epoll(7) edge-triggered: once per new arrival", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN|EPOLLET"), ("send", "$p0", 1, 0), ("epoll_wait", "$e", 8, 0), ("epoll_wait", "$e", 8, 0), ("send", "$p0", 1, 0), ("epoll_wait", "$e", 8, 0))
case("epoll-et-out", "edge-triggered EPOLLOUT: reported when added writable, then not on data arrival", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLOUT|EPOLLET"), ("epoll_wait", "$e", 8, 0), ("send", "$p0", 1, 0), ("epoll_wait", "$e", 8, 0), ("recv", "$p1", 1, 0), ("epoll_wait", "$e", 8, 0))
case("epoll-oneshot", "epoll_ctl(2) EPOLLONESHOT: disabled after one event until EPOLL_CTL_MOD", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN|EPOLLONESHOT"), ("send", "$p0", 1, 0), ("epoll_wait", "$e", 8, 0), ("send", "$p0", 1, 0), ("epoll_wait", "$e", 8, 0), ("epoll_ctl", "$e", "EPOLL_CTL_MOD", "$p1", "EPOLLIN|EPOLLONESHOT"), ("epoll_wait", "$e", 8, 0), ("epoll_wait", "$e", 8, 0))
case("epoll-rdhup", "epoll_ctl(2) EPOLLRDHUP after the peer's SHUT_WR", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN|EPOLLRDHUP"), ("shutdown", "$p0", "SHUT_WR"), ("epoll_wait", "$e", 8, 0))
case("epoll-hup-always", "epoll_ctl(2): EPOLLHUP and EPOLLERR are always reported", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", 0), ("epoll_wait", "$e", 8, 0), ("send", "$p1", 1, 0), ("close", "$p0"), ("epoll_wait", "$e", 8, 0))
case("epoll-close-dup", "epoll(7) Q6: a registration lives while the open file description lives (a dup keeps it)", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN", 77), ("d=dup", "$p1"), ("close", "$p1"), ("send", "$p0", 1, 0), ("epoll_wait", "$e", 8, 0), ("epoll_ctl", "$e", "EPOLL_CTL_DEL", "$p1", None), ("epoll_ctl", "$e", "EPOLL_CTL_DEL", "$d", None), ("close", "$d"), ("epoll_wait", "$e", 8, 0))
case("epoll-close-gone", "epoll(7): closing the last fd removes the registration", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN"), ("send", "$p0", 1, 0), ("close", "$p1"), ("epoll_wait", "$e", 8, 0))
case("epoll-nested", "epoll(7): an epoll fd is readable when its set has events", pair(), ("e=epoll_create1", 0), ("f=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN"), ("epoll_ctl", "$f", "EPOLL_CTL_ADD", "$e", "EPOLLIN"), ("epoll_wait", "$f", 8, 0), ("send", "$p0", 1, 0), ("epoll_wait", "$f", 8, 0), ("poll", [["$e", ALLPOLL]], 0))
case("epoll-loop", "epoll_ctl(2) ELOOP: a cycle of epoll instances", ("a=epoll_create1", 0), ("b=epoll_create1", 0), ("epoll_ctl", "$a", "EPOLL_CTL_ADD", "$b", "EPOLLIN"), ("epoll_ctl", "$b", "EPOLL_CTL_ADD", "$a", "EPOLLIN"))
case("epoll-depth", "epoll_ctl(2) ELOOP: nesting deeper than EP_MAX_NESTS (4)", *[("e%d=epoll_create1" % i, 0) for i in range(7)], *[("epoll_ctl", "$e%d" % (i + 1), "EPOLL_CTL_ADD", "$e%d" % i, "EPOLLIN") for i in range(6)])
case("epoll-rotation", "ep_send_events: unreported ready items go first next time, level-triggered ones re-queue at the tail", ("a=socketpair", "AF_UNIX", "SOCK_DGRAM", 0), ("b=socketpair", "AF_UNIX", "SOCK_DGRAM", 0), ("c=socketpair", "AF_UNIX", "SOCK_DGRAM", 0), ("e=epoll_create1", 0), *[("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$%s1" % x, "EPOLLIN") for x in "abc"], *[("send", "$%s0" % x, 1, 0) for x in "abc"], *[("epoll_wait", "$e", 1, 0) for _ in range(5)], ("epoll_wait", "$e", 2, 0), ("epoll_wait", "$e", 8, 0))
case("epoll-timeout", "epoll_wait(2) returns 0 after the timeout", ("e=epoll_create1", 0), ("epoll_wait", "$e", 1, 10))
case("epoll-pipe-hup", "epoll on a pipe: POLLHUP after the writer closes", ("p=pipe2", 0), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p0", "EPOLLIN"), ("close", "$p1"), ("epoll_wait", "$e", 8, 0))
case("epoll-mod-rearm-et", "EPOLL_CTL_MOD re-queues a ready item even when edge-triggered", pair(), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN|EPOLLET"), ("send", "$p0", 1, 0), ("epoll_wait", "$e", 8, 0), ("epoll_ctl", "$e", "EPOLL_CTL_MOD", "$p1", "EPOLLIN|EPOLLET"), ("epoll_wait", "$e", 8, 0))

case("epoll-wake-order", "add_wait_queue puts a new entry at the head: the newest registration is woken (and reported) first", pair(), ("d=dup", "$p1"), ("e=epoll_create1", 0), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$p1", "EPOLLIN", 1), ("epoll_ctl", "$e", "EPOLL_CTL_ADD", "$d", "EPOLLIN", 2), ("send", "$p0", 1, 0), ("epoll_wait", "$e", 8, 0))

# --- files and sendfile ------------------------------------------------------------------------------------------------
case("open-errors", "open(2): ENOENT, EEXIST with O_EXCL, EISDIR for a directory opened for writing, ENXIO for a socket", ("open", "@D/none", "O_RDONLY"), ("open", "@D/f", "O_CREAT|O_EXCL|O_RDWR"), ("open", "@D/f", "O_CREAT|O_EXCL|O_RDWR"), ("open", "@D", "O_RDWR"), ("s=socket", "AF_UNIX", "SOCK_STREAM", 0), ("bind", "$s", "unix:@D/s"), ("open", "@D/s", "O_RDWR"))
case("file-rw", "read(2)/write(2)/lseek(2) on a regular file share the offset", ("f=open", "@D/f", "O_CREAT|O_RDWR"), ("write", "$f", 10), ("lseek", "$f", 0, 1), ("lseek", "$f", 2, 0), ("read", "$f", 4), ("lseek", "$f", -1, 0), ("read", "$f", 100), ("read", "$f", 100))
case("unlink-errors", "unlink(2): ENOENT; EISDIR for a directory", ("unlink", "@D/none"), ("mkdir", "@D/d"), ("unlink", "@D/d"), ("mkdir", "@D/d"))
case("sendfile-socket", "sendfile(2) from a file to a socket; with an offset pointer the file position stays", ("f=open", "@D/f", "O_CREAT|O_RDWR"), ("write", "$f", 20), pair(), ("sendfile", "$p0", "$f", 5, 10), ("recv", "$p1", 100, 0), ("sendfile", "$p0", "$f", None, 100), ("lseek", "$f", 0, 1))
case("sendfile-to-pipe-and-file", "sendfile(2) to a pipe and to a regular file (any out_fd since Linux 5.12); O_APPEND out is EINVAL", ("f=open", "@D/f", "O_CREAT|O_RDWR"), ("write", "$f", 12), ("p=pipe2", 0), ("sendfile", "$p1", "$f", 0, 5), ("read", "$p0", 10), ("g=open", "@D/g", "O_CREAT|O_RDWR"), ("sendfile", "$g", "$f", 2, 4), ("lseek", "$g", 0, 1), ("h=open", "@D/h", "O_CREAT|O_RDWR|O_APPEND"), ("sendfile", "$h", "$f", 0, 4), ("w=open", "@D/f", "O_WRONLY"), ("sendfile", "$p1", "$w", 0, 4))
case("sendfile-from-socket", "sendfile(2) EINVAL: in_fd must support mmap-like reads", pair(), ("sendfile", "$p0", "$p1", None, 10))
case("sendfile-badf", "sendfile(2) EBADF", pair(), ("sendfile", "$p0", 40, None, 10))

json.dump({"consts": K, "cases": cases}, open(__file__.replace("cases.py", "cases.json"), "w"), indent=1)
print(len(cases), "cases")
