/*
 * glibc probe for socksim's name-resolution API (stack/resolve/getaddrinfo.ts, getnameinfo.ts, gethostby.ts).
 *
 * Runs the real glibc functions and prints one JSON object per case, so test/dns can compare socksim with glibc
 * without a C compiler. probe.py runs it inside a private network and mount namespace with only lo up, a
 * controlled /etc/hosts, resolv.conf, nsswitch.conf ("hosts: files dns"), host.conf ("multi on") and gai.conf
 * (empty), and dnsd.py answering on 127.0.0.1:53.
 *
 * Usage: probe gai | gni | ghbn | buffers | one-gai NAME FAMILY [COUNT] | one-ghbn NAME | one-ghbnr NAME BUFLEN
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static void jstr(const char *s) {
  if (s == NULL) { fputs("null", stdout); return; }
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void jaddr(const struct sockaddr *sa) {
  char buf[INET6_ADDRSTRLEN];
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    printf("{\"family\":2,\"addr\":\"%s\",\"port\":%d}", buf, ntohs(in->sin_port));
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    printf("{\"family\":10,\"addr\":\"%s\",\"port\":%d,\"scope\":%u}", buf, ntohs(in6->sin6_port), in6->sin6_scope_id);
  } else {
    printf("{\"family\":%d}", sa->sa_family);
  }
}

/* ----------------------------------------------------------------------------------------------- getaddrinfo */

struct gai_case { const char *node, *service; int flags, family, socktype, protocol, null_hints; const char *note; };

static const struct gai_case GAI[] = {
  { "localhost", NULL, 0, 0, 0, 0, 1, "NULL hints: AI_V4MAPPED|AI_ADDRCONFIG, all socket types" },
  { "localhost", "80", 0, 0, 0, 0, 0, "files: 127.0.0.1 and ::1, one entry per socket type, sorted" },
  { "localhost", "http", 0, AF_INET, SOCK_STREAM, 0, 0, "service name for tcp" },
  { NULL, "80", AI_PASSIVE, 0, 0, 0, 0, "no node, passive: :: then 0.0.0.0" },
  { NULL, "80", 0, 0, SOCK_DGRAM, 0, 0, "no node: ::1 then 127.0.0.1" },
  { NULL, NULL, 0, 0, 0, 0, 0, "neither node nor service" },
  { "*", "*", 0, 0, 0, 0, 0, "star means none" },
  { "127.0.0.1", "domain", 0, 0, 0, 0, 0, "domain is tcp and udp" },
  { "1.2.3", NULL, AI_NUMERICHOST, 0, SOCK_STREAM, 0, 0, "inet_aton short form is numeric" },
  { "0x7f.1", NULL, AI_NUMERICHOST, 0, SOCK_STREAM, 0, 0, "hex part" },
  { "1.2.3.4 junk", NULL, AI_NUMERICHOST, 0, SOCK_STREAM, 0, 0, "trailing junk is not numeric (inet_aton_exact)" },
  { "::1", NULL, 0, AF_INET, SOCK_STREAM, 0, 0, "IPv6 literal with AF_INET" },
  { "::ffff:1.2.3.4", NULL, 0, AF_INET, SOCK_STREAM, 0, 0, "mapped literal with AF_INET" },
  { "1.2.3.4", NULL, 0, AF_INET6, SOCK_STREAM, 0, 0, "IPv4 literal with AF_INET6" },
  { "1.2.3.4", NULL, AI_V4MAPPED, AF_INET6, SOCK_STREAM, 0, 0, "IPv4 literal mapped" },
  { "fe80::1%1", NULL, AI_NUMERICHOST, 0, SOCK_STREAM, 0, 0, "numeric scope" },
  { "fe80::1%lo", NULL, AI_NUMERICHOST, 0, SOCK_STREAM, 0, 0, "interface scope" },
  { "fe80::1%nosuch", NULL, AI_NUMERICHOST, 0, SOCK_STREAM, 0, 0, "unknown interface" },
  { "2001:db8::1%7", NULL, AI_NUMERICHOST, 0, SOCK_STREAM, 0, 0, "scope on a global address" },
  { "localhost", "80x", AI_NUMERICSERV, 0, 0, 0, 0, "AI_NUMERICSERV with a name" },
  { "localhost", " 80", AI_NUMERICSERV, AF_INET, SOCK_STREAM, 0, 0, "strtoul skips blanks" },
  { "localhost", "+80", 0, AF_INET, SOCK_STREAM, 0, 0, "plus sign" },
  { "localhost", "70000", 0, AF_INET, SOCK_STREAM, 0, 0, "port wraps" },
  { "localhost", "-1", 0, AF_INET, SOCK_STREAM, 0, 0, "minus one is a name" },
  { "localhost", "", 0, AF_INET, SOCK_STREAM, 0, 0, "empty service" },
  { "localhost", "domain", 0, AF_INET, SOCK_RAW, 0, 0, "service with SOCK_RAW" },
  { "localhost", NULL, 0, AF_INET, SOCK_RAW, 0, 0, "SOCK_RAW without service" },
  { "localhost", "nosuchservice", 0, AF_INET, 0, 0, 0, "unknown service" },
  { "localhost", "http", 0, AF_INET, SOCK_DGRAM, 0, 0, "http has no udp entry" },
  { "localhost", "80", 0x800, 0, 0, 0, 0, "unknown flag" },
  { NULL, "80", AI_CANONNAME, 0, 0, 0, 0, "AI_CANONNAME without node" },
  { "localhost", "80", 0, 99, 0, 0, 0, "bad family" },
  { "localhost", "80", 0, AF_INET, 99, 0, 0, "bad socktype" },
  { "localhost", "80", 0, AF_INET, 0, 99, 0, "bad protocol" },
  { "localhost", "80", 0, AF_INET, SOCK_DGRAM, IPPROTO_TCP, 0, "socktype and protocol disagree" },
  { "localhost", "80", 0, AF_INET, SOCK_SEQPACKET, 0, 0, "SOCK_SEQPACKET is sctp" },
  { "ip6-localhost", NULL, AI_CANONNAME, 0, SOCK_STREAM, 0, 0, "files alias, canonical name" },
  { "LOCALHOST", NULL, AI_CANONNAME, AF_INET, SOCK_STREAM, 0, 0, "files lookup ignores case" },
  { "multi", NULL, AI_CANONNAME, 0, SOCK_STREAM, 0, 0, "several hosts lines" },
  { "localhost", NULL, AI_ADDRCONFIG, AF_INET, SOCK_STREAM, 0, 0, "only loopback: AI_ADDRCONFIG fails" },
  { "localhost", NULL, AI_ADDRCONFIG, 0, SOCK_STREAM, 0, 0, "AF_UNSPEC with AI_ADDRCONFIG, no narrowing" },
  { "www.example.com", NULL, 0, 0, SOCK_STREAM, 0, 0, "DNS A and AAAA" },
  { "www.example.com", NULL, AI_CANONNAME, AF_INET, SOCK_STREAM, 0, 0, "DNS A only, canonical name" },
  { "www.example.com", NULL, 0, AF_INET6, SOCK_STREAM, 0, 0, "DNS AAAA only" },
  { "alias.example.com", NULL, AI_CANONNAME, 0, SOCK_STREAM, 0, 0, "CNAME chain" },
  { "WWW.Example.COM", NULL, AI_CANONNAME, 0, SOCK_STREAM, 0, 0, "case is kept from the question" },
  { "v4only.example.com", NULL, AI_V4MAPPED, AF_INET6, SOCK_STREAM, 0, 0, "mapped from DNS" },
  { "www.example.com", NULL, AI_V4MAPPED | AI_ALL, AF_INET6, SOCK_STREAM, 0, 0, "AI_ALL" },
  { "www.example.com", NULL, AI_V4MAPPED, AF_INET6, SOCK_STREAM, 0, 0, "AI_V4MAPPED with AAAA present" },
  { "v6only.example.com", NULL, 0, AF_INET, SOCK_STREAM, 0, 0, "no A record" },
  { "v6only.example.com", NULL, 0, 0, SOCK_STREAM, 0, 0, "AAAA only" },
  { "txtonly.example.com", NULL, 0, 0, SOCK_STREAM, 0, 0, "no address records" },
  { "deep.example.com", NULL, 0, 0, SOCK_STREAM, 0, 0, "empty non-terminal" },
  { "nx.example.com", NULL, 0, 0, SOCK_STREAM, 0, 0, "NXDOMAIN" },
  { "nx.example.com", NULL, 0, AF_INET, SOCK_STREAM, 0, 0, "NXDOMAIN, AF_INET" },
  { "www", NULL, 0, AF_INET, SOCK_STREAM, 0, 0, "search list" },
  { "a.b.deep", NULL, 0, AF_INET, SOCK_STREAM, 0, 0, "search after as-is" },
  { "www.example.com.", NULL, 0, AF_INET, SOCK_STREAM, 0, 0, "trailing dot" },
  { "many.example.com", NULL, 0, AF_INET, SOCK_STREAM, 0, 0, "TC then TCP" },
  { "loopy.example.com", NULL, 0, AF_INET, SOCK_STREAM, 0, 0, "sorting: loopback and unreachable" },
  { "bad..name", NULL, 0, 0, SOCK_STREAM, 0, 0, "empty label" },
};

static void print_gai(const char *id, const struct gai_case *c, int ret, struct addrinfo *res, double elapsed) {
  printf("{\"id\":"); jstr(id);
  printf(",\"node\":"); jstr(c->node);
  printf(",\"service\":"); jstr(c->service);
  if (c->null_hints) printf(",\"hints\":null");
  else printf(",\"hints\":{\"ai_flags\":%d,\"ai_family\":%d,\"ai_socktype\":%d,\"ai_protocol\":%d}", c->flags, c->family, c->socktype, c->protocol);
  printf(",\"ret\":%d,\"elapsed\":%.6f,\"result\":[", ret, elapsed);
  for (struct addrinfo *p = ret == 0 ? res : NULL; p; p = p->ai_next) {
    printf("{\"ai_flags\":%d,\"ai_family\":%d,\"ai_socktype\":%d,\"ai_protocol\":%d,\"ai_addrlen\":%u,\"ai_canonname\":",
           p->ai_flags, p->ai_family, p->ai_socktype, p->ai_protocol, (unsigned)p->ai_addrlen);
    jstr(p->ai_canonname);
    printf(",\"ai_addr\":");
    jaddr(p->ai_addr);
    printf("}%s", p->ai_next ? "," : "");
  }
  printf("],\"note\":"); jstr(c->note); printf("}\n");
}

static void run_gai(const struct gai_case *c, const char *id) {
  struct addrinfo hints = { .ai_flags = c->flags, .ai_family = c->family, .ai_socktype = c->socktype, .ai_protocol = c->protocol };
  struct addrinfo *res = NULL;
  double t0 = now();
  int ret = getaddrinfo(c->node, c->service, c->null_hints ? NULL : &hints, &res);
  double t1 = now();
  printf("{\"start\":%.6f}\n", t0);
  print_gai(id, c, ret, res, t1 - t0);
  if (ret == 0) freeaddrinfo(res);
}

/* ----------------------------------------------------------------------------------------------- getnameinfo */

struct gni_case { const char *addr; int port, salen_delta; size_t hostlen, servlen; int flags; const char *note; };

static const struct gni_case GNI[] = {
  { "127.0.0.1", 80, 0, NI_MAXHOST, NI_MAXSERV, 0, "files and services" },
  { "127.0.0.1", 80, 0, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST | NI_NUMERICSERV, "numeric" },
  { "127.0.0.1", 512, 0, NI_MAXHOST, NI_MAXSERV, 0, "512/tcp is exec" },
  { "127.0.0.1", 512, 0, NI_MAXHOST, NI_MAXSERV, NI_DGRAM, "512/udp is biff" },
  { "127.0.0.1", 5, 0, NI_MAXHOST, NI_MAXSERV, 0, "no service name" },
  { "127.0.0.1", 0, 0, NI_MAXHOST, NI_MAXSERV, 0, "port 0" },
  { "127.0.0.1", 80, 0, NI_MAXHOST, 0, 0, "no service buffer" },
  { "127.0.0.1", 80, 0, 0, NI_MAXSERV, 0, "no host buffer" },
  { "127.0.0.1", 80, 0, 0, 0, 0, "no buffers" },
  { "127.0.0.1", 80, 0, 5, NI_MAXSERV, 0, "host buffer too small" },
  { "127.0.0.1", 80, 0, 9, NI_MAXSERV, NI_NUMERICHOST, "numeric host, buffer 9 for 9 characters" },
  { "127.0.0.1", 80, 0, 10, NI_MAXSERV, NI_NUMERICHOST, "numeric host, buffer 10" },
  { "127.0.0.1", 80, 0, NI_MAXHOST, 4, 0, "service buffer 4 for http" },
  { "127.0.0.1", 80, 0, NI_MAXHOST, 5, 0, "service buffer 5 for http" },
  { "127.0.0.1", 80, -1, NI_MAXHOST, NI_MAXSERV, 0, "salen too short" },
  { "127.0.0.1", 80, 1, NI_MAXHOST, NI_MAXSERV, 0, "salen longer" },
  { "127.0.0.1", 80, 0, NI_MAXHOST, NI_MAXSERV, NI_NOFQDN, "NI_NOFQDN on a short name" },
  { "192.0.2.80", 80, 0, NI_MAXHOST, NI_MAXSERV, 0, "PTR from DNS" },
  { "192.0.2.80", 80, 0, NI_MAXHOST, NI_MAXSERV, NI_NOFQDN, "NI_NOFQDN" },
  { "10.9.9.9", 80, 0, NI_MAXHOST, NI_MAXSERV, 0, "unknown address: numeric" },
  { "10.9.9.9", 80, 0, NI_MAXHOST, NI_MAXSERV, NI_NAMEREQD, "NI_NAMEREQD" },
  { "10.9.9.9", 80, 0, NI_MAXHOST, NI_MAXSERV, NI_NAMEREQD | NI_NUMERICHOST, "NI_NAMEREQD with NI_NUMERICHOST" },
  { "::1", 80, 0, NI_MAXHOST, NI_MAXSERV, 0, "IPv6 loopback from files" },
  { "fe80::1", 80, 0, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST, "link-local with scope 1" },
  { "2001:db8::80", 80, 0, NI_MAXHOST, NI_MAXSERV, NI_NUMERICHOST, "IPv6 numeric" },
  { "::ffff:127.0.0.1", 80, 0, NI_MAXHOST, NI_MAXSERV, 0, "mapped address" },
  { "::ffff:192.0.2.80", 80, 0, NI_MAXHOST, NI_MAXSERV, 0, "mapped address from DNS" },
  { "127.0.0.1", 80, 0, NI_MAXHOST, NI_MAXSERV, 0x1000, "unknown flag" },
};

static void run_gni(const struct gni_case *c, int i) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t len;
  if (strchr(c->addr, ':')) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(c->port);
    inet_pton(AF_INET6, c->addr, &s6->sin6_addr);
    if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr)) s6->sin6_scope_id = 1;
    len = sizeof *s6;
  } else {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(c->port);
    inet_pton(AF_INET, c->addr, &s4->sin_addr);
    len = sizeof *s4;
  }
  len += c->salen_delta;
  char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";
  int ret = getnameinfo((struct sockaddr *)&ss, len, c->hostlen ? host : NULL, c->hostlen, c->servlen ? serv : NULL, c->servlen, c->flags);
  printf("{\"id\":\"gni%d\",\"addr\":", i); jstr(c->addr);
  printf(",\"port\":%d,\"salen\":%u,\"hostlen\":%zu,\"servlen\":%zu,\"flags\":%d,\"ret\":%d,\"host\":", c->port, (unsigned)len, c->hostlen, c->servlen, c->flags, ret);
  jstr(ret == 0 && c->hostlen ? host : NULL);
  printf(",\"serv\":"); jstr(ret == 0 && c->servlen ? serv : NULL);
  printf(",\"note\":"); jstr(c->note); printf("}\n");
}

/* ------------------------------------------------------------------------------------------- gethostby* */

static void jhostent(const struct hostent *h) {
  if (h == NULL) { fputs("null", stdout); return; }
  char buf[INET6_ADDRSTRLEN];
  printf("{\"h_name\":"); jstr(h->h_name);
  printf(",\"h_aliases\":[");
  for (int i = 0; h->h_aliases[i]; i++) { if (i) putchar(','); jstr(h->h_aliases[i]); }
  printf("],\"h_addrtype\":%d,\"h_length\":%d,\"h_addr_list\":[", h->h_addrtype, h->h_length);
  for (int i = 0; h->h_addr_list[i]; i++) {
    inet_ntop(h->h_addrtype, h->h_addr_list[i], buf, sizeof buf);
    printf("%s\"%s\"", i ? "," : "", buf);
  }
  printf("]}");
}

static const char *const GHBN[] = {
  "localhost", "ip6-localhost", "multi", "www.example.com", "alias.example.com", "WWW.Example.COM", "1.2.3.4", "1.2.3",
  "999.1.1.1", "1.2.3.4.", "::1", "nx.example.com", "txtonly.example.com", "v6only.example.com", "www", "many.example.com",
};

static void run_ghbn(void) {
  for (size_t i = 0; i < sizeof GHBN / sizeof *GHBN; i++) {
    for (int fam = 0; fam < 2; fam++) {
      int af = fam ? AF_INET6 : AF_INET;
      h_errno = 0;
      struct hostent *h = fam ? gethostbyname2(GHBN[i], af) : gethostbyname(GHBN[i]);
      printf("{\"id\":\"ghbn-%s-%d\",\"call\":\"%s\",\"name\":", GHBN[i], af, fam ? "gethostbyname2" : "gethostbyname");
      jstr(GHBN[i]);
      printf(",\"af\":%d,\"h_errno\":%d,\"result\":", af, h ? 0 : h_errno);
      jhostent(h);
      printf("}\n");
    }
  }
  static const char *const ADDRS[] = { "127.0.0.1", "127.0.1.1", "10.1.1.1", "192.0.2.80", "192.0.2.4", "10.9.9.9", "::1", "::ffff:192.0.2.80", "2001:db8::80" };
  for (size_t i = 0; i < sizeof ADDRS / sizeof *ADDRS; i++) {
    unsigned char a[16];
    int af = strchr(ADDRS[i], ':') ? AF_INET6 : AF_INET;
    inet_pton(af, ADDRS[i], a);
    h_errno = 0;
    struct hostent *h = gethostbyaddr(a, af == AF_INET ? 4 : 16, af);
    printf("{\"id\":\"ghba-%s\",\"call\":\"gethostbyaddr\",\"addr\":\"%s\",\"af\":%d,\"h_errno\":%d,\"result\":", ADDRS[i], ADDRS[i], af, h ? 0 : h_errno);
    jhostent(h);
    printf("}\n");
  }
  /* A short length: the backends say EAFNOSUPPORT / NETDB_INTERNAL. */
  unsigned char a4[4] = { 127, 0, 0, 1 };
  h_errno = 0;
  errno = 0;
  struct hostent *h = gethostbyaddr(a4, 3, AF_INET);
  printf("{\"id\":\"ghba-short\",\"call\":\"gethostbyaddr\",\"addr\":\"127.0.0.1\",\"len\":3,\"af\":2,\"h_errno\":%d,\"errno\":%d,\"result\":", h ? 0 : h_errno, errno);
  jhostent(h);
  printf("}\n");
}

/* The smallest buffer gethostbyname_r / gethostbyaddr_r succeeds with (malloc'd, so 16-byte aligned). */
static int r_call(const char *what, const char *arg, size_t buflen, int *herr, struct hostent **out) {
  static struct hostent he;
  char *buf = malloc(buflen ? buflen : 1);
  int ret;
  *herr = 0;
  if (strcmp(what, "name") == 0) {
    ret = gethostbyname_r(arg, &he, buf, buflen, out, herr);
  } else {
    unsigned char a[16];
    int af = strchr(arg, ':') ? AF_INET6 : AF_INET;
    inet_pton(af, arg, a);
    ret = gethostbyaddr_r(a, af == AF_INET ? 4 : 16, af, &he, buf, buflen, out, herr);
  }
  free(buf);
  return ret;
}

static void run_buffers(void) {
  static const char *const CASES[][2] = {
    { "name", "localhost" }, { "name", "multi" }, { "name", "www.example.com" }, { "name", "alias.example.com" },
    { "name", "1.2.3.4" }, { "name", "example.com" }, { "name", "nx.example.com" },
    { "addr", "127.0.0.1" }, { "addr", "192.0.2.80" },
  };
  for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
    int herr;
    struct hostent *out;
    size_t lo = 0, hi = 65536;
    /* The first size that does not give ERANGE. */
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (r_call(CASES[i][0], CASES[i][1], mid, &herr, &out) == ERANGE) lo = mid + 1; else hi = mid;
    }
    int below = lo > 0 ? r_call(CASES[i][0], CASES[i][1], lo - 1, &herr, &out) : -1;
    int below_herr = herr;
    int at = r_call(CASES[i][0], CASES[i][1], lo, &herr, &out);
    printf("{\"id\":\"buf-%s-%s\",\"kind\":\"%s\",\"arg\":\"%s\",\"min\":%zu,\"below_ret\":%d,\"below_h_errno\":%d,\"at_ret\":%d,\"at_h_errno\":%d,\"found\":%s}\n",
           CASES[i][0], CASES[i][1], CASES[i][0], CASES[i][1], lo, below, below_herr, at, herr, at == 0 && out ? "true" : "false");
  }
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (strcmp(argv[1], "gai") == 0) {
    for (size_t i = 0; i < sizeof GAI / sizeof *GAI; i++) {
      char id[16];
      snprintf(id, sizeof id, "gai%zu", i);
      run_gai(&GAI[i], id);
    }
  } else if (strcmp(argv[1], "gni") == 0) {
    for (size_t i = 0; i < sizeof GNI / sizeof *GNI; i++) run_gni(&GNI[i], (int)i);
  } else if (strcmp(argv[1], "ghbn") == 0) {
    run_ghbn();
  } else if (strcmp(argv[1], "buffers") == 0) {
    run_buffers();
  } else if (strcmp(argv[1], "one-gai") == 0 && argc >= 4) {
    /* COUNT calls in one process: resolver state (single-request mode) carries over from one to the next. */
    struct gai_case c = { argv[2], NULL, 0, atoi(argv[3]), SOCK_STREAM, 0, 0, "timed" };
    int count = argc >= 5 ? atoi(argv[4]) : 1;
    for (int i = 0; i < count; i++) run_gai(&c, i == 0 ? "one" : "again");
  } else if (strcmp(argv[1], "one-ghbn") == 0 && argc >= 3) {
    double t0 = now();
    h_errno = 0;
    struct hostent *h = gethostbyname(argv[2]);
    printf("{\"start\":%.6f}\n{\"id\":\"one\",\"elapsed\":%.6f,\"h_errno\":%d,\"result\":", t0, now() - t0, h ? 0 : h_errno);
    jhostent(h);
    printf("}\n");
  } else if (strcmp(argv[1], "one-ghbnr") == 0 && argc >= 4) {
    int herr;
    struct hostent *out;
    double t0 = now();
    int ret = r_call("name", argv[2], (size_t)atoi(argv[3]), &herr, &out);
    printf("{\"start\":%.6f}\n{\"id\":\"one\",\"elapsed\":%.6f,\"ret\":%d,\"h_errno\":%d}\n", t0, now() - t0, ret, herr);
  } else {
    return 2;
  }
  return 0;
}
