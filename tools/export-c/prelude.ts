/**
 * The fixed part of an exported C program: headers, the per-process fd list, result printing (one JSON line per
 * call), expectation checks, address builders, and the printers of outputs.ts's canonical text, written in plain
 * C99 over libc and POSIX so the authors of another OS can build it unchanged. epoll is Linux's, so its header is
 * included only when a case uses it.
 */
import { Errno } from '../../stack/errno.js';
import { DATA_HEX_MAX } from '../../scenarios/data/outputs.js';

/** The #include lines; `epoll` adds <sys/epoll.h>. */
export function includes(epoll: boolean): string {
  const h = ['arpa/inet.h', 'dirent.h', 'errno.h', 'fcntl.h', 'netdb.h', 'netinet/in.h', 'netinet/tcp.h', 'poll.h', 'signal.h',
    'stdarg.h', 'stddef.h', 'stdio.h', 'stdlib.h', 'string.h', ...(epoll ? ['sys/epoll.h'] : []), 'sys/mman.h',
    'sys/select.h', 'sys/socket.h', 'sys/time.h', 'sys/un.h', 'sys/wait.h', 'time.h', 'unistd.h'];
  return ['#define _GNU_SOURCE /* accept4, SOCK_NONBLOCK, struct ucred, SCM_CREDENTIALS */', ...h.map((x) => `#include <${x}>`)].join('\n');
}

/** errname(): errno value to name, for every errno socksim knows (guarded, as another libc may lack some). */
function errnoTable(): string {
  const rows = Object.keys(Errno).map((n) => `#ifdef ${n}\n    if (e == ${n}) return "${n}";\n#endif`);
  return `/* The name of an errno value, as socksim prints it ("E<n>" when unknown). */
static const char *errname(int e)
{
    static char unknown[32];
${rows.join('\n')}
    snprintf(unknown, sizeof unknown, "E%d", e);
    return unknown;
}`;
}

/** A piece of the prelude and the names it defines (none: always included). */
interface Chunk {
  names: string[];
  code: string;
}

/** The prelude cut at its top-level definitions, each with the name it defines. */
function chunks(): Chunk[] {
  return HELPERS().trim().split(/\n\n(?=\/\*|static|#define)/).map((code) => {
    if (code.startsWith('static int P;') || code.startsWith('#define')) return { names: [], code };
    const fns = [...code.matchAll(/^static [^(=;{]*?\b(\w+)\(/gm)].map((m) => `${m[1]}(`);
    const objs = [...code.matchAll(/^static union[\s\S]*?\}\s*(\w+);/gm), ...code.matchAll(/^static (?!union)(?![^;]*\()[^;=[]*?\b(\w+)\s*(?:\[[^\]]*\])?;/gm)]
      .map((m) => m[1]!);
    return { names: [...objs, ...fns], code };
  });
}

/** The helpers a program needs: the always-present core plus every helper `bodies` use, directly or not. */
export function helpersFor(bodies: string): string {
  const all = chunks();
  const used = new Set<Chunk>(all.filter((c) => c.names.length === 0));
  const code = (t: string) => t.replace(/\/\*[\s\S]*?\*\//g, ''); // comments do not use anything
  let text = code(bodies + [...used].map((c) => c.code).join('\n'));
  for (let grew = true; grew;) {
    grew = false;
    for (const c of all) {
      // A function counts as used when something calls it ("name("), an object when its name appears.
      if (used.has(c) || !c.names.some((n) => new RegExp(n.endsWith('(') ? `\\b${n.slice(0, -1)}\\(` : `\\b${n}\\b`).test(text))) continue;
      used.add(c);
      text += `\n${code(c.code)}`;
      grew = true;
    }
  }
  return all.filter((c) => used.has(c)).map((c) => c.code).join('\n\n');
}

/** The helper functions an exported program may use. */
function HELPERS(): string {
  return String.raw`
#define MAXFDS 1024

static int P;                  /* index of the running process in the case */
static int keep_going;         /* -k: report a failed expectation and go on */
static int failed;             /* expectations that failed in this process */
static pid_t *pids;            /* every process's pid (shared memory), to name credentials */
static char out[16384];        /* the current call's outputs, in socksim's canonical text */
static size_t outn;

/* The fd an op's index names: indices wrap around the list, so a shrunk case stays valid. */
static int fds[MAXFDS];        /* fds this process created, in order: ops name them by index */
static int nfds;

static int FD(int k) { return nfds == 0 ? -1 : fds[k % nfds]; }

static void add_fd(int fd)
{
    if (nfds < MAXFDS) fds[nfds++] = fd;
}

static void msleep(double ms)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

${errnoTable()}

static void outf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (outn < sizeof out) {
        int n = vsnprintf(out + outn, sizeof out - outn, fmt, ap);
        if (n > 0) outn += (size_t)n;
        if (outn >= sizeof out) outn = sizeof out - 1;
    }
    va_end(ap);
}

static void out_hex(const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i < n; i++) outf("%02x", b[i]);
}

/* Received bytes: hex up to ${DATA_HEX_MAX} bytes, else their FNV-1a hash. */
static void out_data(const unsigned char *b, size_t n)
{
    unsigned h = 0x811c9dc5u;
    size_t i;
    if (n <= ${DATA_HEX_MAX}) {
        out_hex(b, n);
        return;
    }
    for (i = 0; i < n; i++) h = (h ^ b[i]) * 0x01000193u;
    outf("fnv:%08x", h);
}

/* A socket address as socksim shows it: 1.2.3.4:80, [::1]:80, unix:path, unix:@abstract, unix:(unnamed). */
static void out_addr(const void *p, socklen_t len)
{
    const struct sockaddr *sa = p;
    char text[INET6_ADDRSTRLEN];
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = p;
        inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
        outf("%s:%d", text, ntohs(sin->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = p;
        inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
        outf("[%s]:%d", text, ntohs(sin6->sin6_port));
    } else if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *sun = p;
        size_t n = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
        if (n == 0) outf("unix:(unnamed)");
        else if (sun->sun_path[0] == '\0') outf("unix:@%.*s", (int)(n - 1), sun->sun_path + 1);
        else outf("unix:%.*s", (int)strnlen(sun->sun_path, n), sun->sun_path);
    } else {
        outf("af%d:", sa->sa_family);
        out_hex(p, len);
    }
}

/* A pid as the case's process that has it (p0, p1…), 0, or other. */
static void out_pid(long pid)
{
    int k;
    if (pid == 0) { outf("0"); return; }
    for (k = 0; pids[k] != 0; k++) if (pids[k] == pid) { outf("p%d", k); return; }
    outf("other");
}

static void out_cred(const struct ucred *c)
{
    outf("pid=");
    out_pid((long)c->pid);
    outf(",uid=%u,gid=%u", (unsigned)c->uid, (unsigned)c->gid);
}

/* A getsockopt value by what came back: len=4 v=1, len=8 v=1,5 (linger), len=16 v=2,500000 (timeval). */
static void out_opt(int level, int name, const unsigned char *v, socklen_t len)
{
    outf("len=%u v=", (unsigned)len);
    if (len == 4) {
        int x;
        memcpy(&x, v, 4);
        outf("%d", x);
    } else if (len == 1) {
        outf("%u", v[0]);
    } else if (level == SOL_SOCKET && name == SO_LINGER && len == 8) {
        int x[2];
        memcpy(x, v, 8);
        outf("%d,%d", x[0], x[1]);
    } else if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO) && len == 16) {
        long long x[2];
        memcpy(x, v, 16);
        outf("%lld,%lld", x[0], x[1]);
    } else if (level == SOL_SOCKET && name == SO_PEERCRED && len == 12) {
        struct ucred c;
        memcpy(&c, v, 12);
        out_cred(&c);
    } else {
        out_hex(v, len);
    }
}

/* The getsockopt buffer a case asks with by default: the size of the option's C type. */
static socklen_t optlen_for(int level, int name)
{
    if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) return 16;
    if (level == SOL_SOCKET && name == SO_LINGER) return 8;
    if (level == SOL_SOCKET && name == SO_PEERCRED) return 12;
    return 4;
}

/* select(2) sets: a negative fd (an empty fd list) is left out rather than passed to FD_SET. */
static void add_set(fd_set *s, int fd, int *maxfd)
{
    if (fd < 0 || fd >= FD_SETSIZE) return;
    FD_SET(fd, s);
    if (fd > *maxfd) *maxfd = fd;
}

static int in_set(fd_set *s, int fd)
{
    return fd >= 0 && fd < FD_SETSIZE && FD_ISSET(fd, s);
}

/* "" the first time, "," after: joins a list. */
static const char *comma(int *count)
{
    return (*count)++ ? "," : "";
}

/* Grows a buffer to n bytes (never shrinks); exits when memory runs out. */
static unsigned char *grow(unsigned char **b, size_t *cap, size_t n)
{
    if (n > *cap) {
        free(*b);
        *b = malloc(n ? n : 1);
        if (!*b) { perror("malloc"); _exit(3); }
        *cap = n;
    }
    return *b;
}

/* The payload of a send of n bytes: socksim's pattern, byte = (process * 37 + position) mod 256. */
static unsigned char *pattern(size_t n)
{
    static unsigned char *b;
    static size_t cap;
    static unsigned pos;       /* position in this process's pattern, across all its sends */
    size_t i;
    grow(&b, &cap, n);
    for (i = 0; i < n; i++) b[i] = (unsigned char)((unsigned)P * 37u + pos++);
    return b;
}

/* A zeroed receive buffer of n bytes (what a call does not write reads as zeros, as in socksim). */
static unsigned char *rbuf(size_t n)
{
    static unsigned char *b;
    static size_t cap;
    grow(&b, &cap, n);
    memset(b, 0, n);
    return b;
}

/* Prints one call's result as a JSON line: process, op index, call, return value, errno name, outputs. */
static void result(int i, const char *op, long long ret, int err)
{
    char line[sizeof out + 256];
    size_t n = 0, k;
    n += (size_t)snprintf(line, sizeof line, "{\"p\":%d,\"i\":%d,\"op\":\"%s\",\"ret\":%lld,\"errno\":", P, i, op, ret);
    if (ret == -1 && err >= 0) n += (size_t)snprintf(line + n, sizeof line - n, "\"%s\"", errname(err));
    else n += (size_t)snprintf(line + n, sizeof line - n, "null");
    if (outn > 0) {
        n += (size_t)snprintf(line + n, sizeof line - n, ",\"out\":\"");
        for (k = 0; k < outn && n + 8 < sizeof line; k++) {
            unsigned char c = (unsigned char)out[k];
            if (c == '"' || c == '\\') { line[n++] = '\\'; line[n++] = (char)c; }
            else if (c < 0x20 || c >= 0x7f) n += (size_t)snprintf(line + n, sizeof line - n, "\\u%04x", c);
            else line[n++] = (char)c;
        }
        line[n++] = '"';
    }
    line[n++] = '}';
    line[n++] = '\n';
    if (write(1, line, n) < 0) _exit(3);
    outn = 0;
    out[0] = '\0';
}

/*
 * Checks a call against the case's expectation: want_ret is ">=0", a number, or NULL; want_errno an errno name or
 * NULL (then the call must have failed with it). A mismatch is reported; the process stops unless -k was given.
 */
static void expect(int i, const char *op, long long ret, int err, const char *want_ret, const char *want_errno)
{
    int ok = 1;
    char got[64];
    if (want_errno) ok = ret == -1 && strcmp(errname(err), want_errno) == 0;
    if (want_ret && strcmp(want_ret, ">=0") == 0) ok = ok && ret >= 0;
    else if (want_ret) ok = ok && ret == atoll(want_ret);
    if (ok) return;
    if (ret == -1) snprintf(got, sizeof got, "-1 %s", errname(err));
    else snprintf(got, sizeof got, "%lld", ret);
    fprintf(stderr, "process %d op #%d %s: expected %s%s%s, got %s\n", P, i, op,
        want_errno ? "-1 " : "", want_errno ? want_errno : "", want_errno ? "" : want_ret, got);
    failed++;
    if (!keep_going) _exit(1);
}

/* struct sockaddr builders: each fills A and returns the address length. */
static union { struct sockaddr sa; struct sockaddr_storage ss; unsigned char raw[256]; } A;

static socklen_t in4(const char *ip, int port)
{
    struct sockaddr_in *in = (struct sockaddr_in *)&A;
    memset(&A, 0, sizeof A);
    in->sin_family = AF_INET;
    in->sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, ip, &in->sin_addr);
    return sizeof *in;
}

static socklen_t in6(const char *ip, int port)
{
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&A;
    memset(&A, 0, sizeof A);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((unsigned short)port);
    inet_pton(AF_INET6, ip, &in6->sin6_addr);
    return sizeof *in6;
}

/* An AF_UNIX address; a leading '@' names the abstract namespace (a leading NUL). */
static socklen_t un(const char *path)
{
    struct sockaddr_un *u = (struct sockaddr_un *)&A;
    size_t n = strlen(path);
    memset(&A, 0, sizeof A);
    u->sun_family = AF_UNIX;
    memcpy(u->sun_path, path, n);           /* A is larger than sockaddr_un: over-long paths still fit */
    if (path[0] == '@') {
        u->sun_path[0] = '\0';
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    }
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (n ? 1 : 0));
}

/* Raw sockaddr bytes from hex (malformed-address cases). */
static socklen_t rawaddr(const char *hex)
{
    size_t n = 0;
    unsigned x;
    memset(&A, 0, sizeof A);
    while (hex[2 * n] && n < sizeof A.raw && sscanf(hex + 2 * n, "%2x", &x) == 1) A.raw[n++] = (unsigned char)x;
    return (socklen_t)n;
}

/* Bytes from hex (inet_ntop's input). */
static size_t unhex(unsigned char *b, size_t cap, const char *hex)
{
    size_t n = 0;
    unsigned x;
    while (hex[2 * n] && n < cap && sscanf(hex + 2 * n, "%2x", &x) == 1) b[n++] = (unsigned char)x;
    return n;
}

/* Control messages for sendmsg: SCM_RIGHTS with fds, then SCM_CREDENTIALS with this process's ucred. */
static union { struct cmsghdr align; unsigned char buf[4096]; } CTL;

static size_t ctl_build(const int *pass, int npass, int creds)
{
    struct msghdr m;
    struct cmsghdr *c;
    size_t len = (npass ? CMSG_SPACE(sizeof(int) * (size_t)npass) : 0) + (creds ? CMSG_SPACE(sizeof(struct ucred)) : 0);
    memset(&CTL, 0, sizeof CTL);
    memset(&m, 0, sizeof m);
    m.msg_control = CTL.buf;
    m.msg_controllen = len;
    c = CMSG_FIRSTHDR(&m);
    if (npass) {
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)npass);
        memcpy(CMSG_DATA(c), pass, sizeof(int) * (size_t)npass);
        c = CMSG_NXTHDR(&m, c);
    }
    if (creds) {
        struct ucred u;
        u.pid = getpid();
        u.uid = getuid();
        u.gid = getgid();
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_CREDENTIALS;
        c->cmsg_len = CMSG_LEN(sizeof u);
        memcpy(CMSG_DATA(c), &u, sizeof u);
    }
    return len;
}

/* After recvmsg: lists the control messages (rights:N, creds:…, level/type:hex) and adds received fds. */
static void out_cmsgs(struct msghdr *m)
{
    struct cmsghdr *c;
    const char *sep = " cmsg=";
    for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        size_t n = c->cmsg_len - CMSG_LEN(0);
        outf("%s", sep);
        sep = ",";
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            size_t k;
            int fd;
            outf("rights:%u", (unsigned)(n / sizeof(int)));
            for (k = 0; k < n / sizeof(int); k++) {
                memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
                add_fd(fd);
            }
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && n >= sizeof(struct ucred)) {
            struct ucred u;
            memcpy(&u, CMSG_DATA(c), sizeof u);
            outf("creds:");
            out_cred(&u);
        } else {
            outf("%d/%d:", c->cmsg_level, c->cmsg_type);
            out_hex(CMSG_DATA(c), n);
        }
    }
}

/* getaddrinfo's answers: family/socktype/protocol/address for each, ';'-separated. */
static void out_addrinfo(const struct addrinfo *res)
{
    const struct addrinfo *ai;
    if (res && res->ai_canonname) outf("canon=%s ", res->ai_canonname);
    outf("ai=");
    for (ai = res; ai; ai = ai->ai_next) {
        outf("%s%d/%d/%d/", ai == res ? "" : ";", ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        out_addr(ai->ai_addr, ai->ai_addrlen);
    }
}
`;
}
