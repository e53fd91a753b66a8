/*
 * Golden generator for socksim's pure name-resolution helpers
 * (stack/resolve/inet.ts, services.ts, gai-errors.ts).
 *
 * Runs every case through the real glibc and prints JSON, one case per line, so
 * the vitest suites can compare socksim against glibc without needing gcc.
 * Usage: golden cases|fuzz|netdb   (see regen.sh)
 *
 * s_addr values are printed as an x86-64 program sees them: the network-order
 * bytes of struct in_addr loaded as a little-endian uint32 (socksim models an
 * x86-64 host, so its numbers are the same).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- JSON out */

/* Prints bytes as a JSON string; bytes >= 0x80 pass through (inputs are UTF-8). */
static void jstr_n(const char *s, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c == 0x7f) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}
static void jstr(const char *s) {
  if (s == NULL) fputs("null", stdout);
  else jstr_n(s, strlen(s));
}
static void jhex(const unsigned char *b, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
  putchar('"');
}
static void jaliases(char **al) {
  putchar('[');
  for (int i = 0; al[i] != NULL; i++) {
    if (i) putchar(',');
    jstr(al[i]);
  }
  putchar(']');
}
static void jservent(const struct servent *se) {
  if (se == NULL) { fputs("null", stdout); return; }
  fputs("{\"s_name\":", stdout); jstr(se->s_name);
  fputs(",\"s_aliases\":", stdout); jaliases(se->s_aliases);
  printf(",\"s_port\":%d,\"s_proto\":", se->s_port); jstr(se->s_proto);
  putchar('}');
}
static void jprotoent(const struct protoent *pe) {
  if (pe == NULL) { fputs("null", stdout); return; }
  fputs("{\"p_name\":", stdout); jstr(pe->p_name);
  fputs(",\"p_aliases\":", stdout); jaliases(pe->p_aliases);
  printf(",\"p_proto\":%d}", pe->p_proto);
}

static int first_in_section;
static void section(const char *name, int first) {
  printf("%s\n\"%s\":[", first ? "{" : "],", name);
  first_in_section = 1;
}
static void item(void) {
  printf("%s\n", first_in_section ? "" : ",");
  first_in_section = 0;
}

/* -------------------------------------------------------- per-call emitters */

static void do_aton(const char *s, size_t n, const char *note) {
  struct in_addr a = {0};
  int ret = inet_aton(s, &a);
  in_addr_t ia = inet_addr(s);
  item();
  fputs("{\"in\":", stdout); jstr_n(s, n);
  printf(",\"ret\":%d,\"s_addr\":", ret);
  if (ret) printf("%u", a.s_addr); else fputs("null", stdout);
  printf(",\"inet_addr\":%u,\"numeric_host\":", ia);
  /* getaddrinfo(AI_NUMERICHOST, AF_INET) uses glibc's internal __inet_aton_exact. */
  struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_family = AF_INET}, *res = NULL;
  if (getaddrinfo(s, NULL, &hints, &res) == 0) {
    printf("%u", ((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr);
    freeaddrinfo(res);
  } else fputs("null", stdout);
  fputs(",\"note\":", stdout); jstr(note); putchar('}');
}

static void do_pton(int af, const char *s, size_t n, const char *note) {
  unsigned char buf[16];
  memset(buf, 0xee, sizeof buf);
  errno = 0;
  int ret = inet_pton(af, s, buf);
  int e = errno;
  item();
  printf("{\"af\":%d,\"in\":", af); jstr_n(s, n);
  printf(",\"ret\":%d", ret);
  if (ret == 1) { fputs(",\"addr\":", stdout); jhex(buf, af == AF_INET ? 4 : 16); }
  if (ret == -1) printf(",\"errno\":%d", e);
  fputs(",\"note\":", stdout); jstr(note); putchar('}');
}

static void do_ntop(int af, const unsigned char *b, size_t blen, socklen_t size, const char *note) {
  char out[128];
  memset(out, 'Z', sizeof out);
  errno = 0;
  const char *r = inet_ntop(af, b, out, size);
  int e = errno;
  item();
  printf("{\"af\":%d,\"bytes\":", af); jhex(b, blen);
  printf(",\"size\":%u,", size);
  if (r) { fputs("\"ok\":", stdout); jstr(r); }
  else printf("\"errno\":%d", e);
  fputs(",\"note\":", stdout); jstr(note); putchar('}');
}

/* ------------------------------------------------------ hand-written cases */

#include "cases.h"

static void cases(void) {
  section("aton", 1);
  for (size_t i = 0; i < sizeof aton_cases / sizeof *aton_cases; i++)
    do_aton(aton_cases[i].s, aton_cases[i].n, aton_cases[i].note);

  section("pton", 0);
  for (size_t i = 0; i < sizeof pton4_cases / sizeof *pton4_cases; i++)
    do_pton(AF_INET, pton4_cases[i].s, pton4_cases[i].n, pton4_cases[i].note);
  for (size_t i = 0; i < sizeof pton6_cases / sizeof *pton6_cases; i++)
    do_pton(AF_INET6, pton6_cases[i].s, pton6_cases[i].n, pton6_cases[i].note);
  static const int bad_af[] = {AF_UNSPEC, AF_UNIX, 3, 11, -1, 255};
  for (size_t i = 0; i < sizeof bad_af / sizeof *bad_af; i++)
    do_pton(bad_af[i], "1.2.3.4", 7, "unsupported family: -1 with EAFNOSUPPORT");
  do_pton(AF_UNSPEC, "", 0, "family is checked before the text");

  section("ntop", 0);
  for (size_t i = 0; i < sizeof ntop_cases / sizeof *ntop_cases; i++) {
    const struct ncase *c = &ntop_cases[i];
    do_ntop(c->af, c->b, c->af == AF_INET ? 4 : 16, c->size, c->note);
  }
  static const unsigned char four[16] = {1, 2, 3, 4};
  for (size_t i = 0; i < sizeof bad_af / sizeof *bad_af; i++)
    do_ntop(bad_af[i], four, 16, 46, "unsupported family: NULL with EAFNOSUPPORT");
  do_ntop(AF_UNIX, four, 16, 0, "family is checked before the size");

  section("ntoa", 0);
  static const uint32_t ntoa_in[] = {0, 0xffffffffu, 0x0100007fu, 0x04030201u, 0x80000000u, 0x000000ffu, 0x00ff00ffu};
  for (size_t i = 0; i < sizeof ntoa_in / sizeof *ntoa_in; i++) {
    struct in_addr a = {ntoa_in[i]};
    item();
    printf("{\"s_addr\":%u,\"out\":", ntoa_in[i]); jstr(inet_ntoa(a)); putchar('}');
  }

  section("byteorder", 0);
  for (size_t i = 0; i < sizeof order_inputs / sizeof *order_inputs; i++) {
    long long x = order_inputs[i];
    item();
    printf("{\"in\":%lld,\"htons\":%u,\"ntohs\":%u,\"htonl\":%u,\"ntohl\":%u}", x,
           htons((uint16_t)x), ntohs((uint16_t)x), htonl((uint32_t)x), ntohl((uint32_t)x));
  }

  section("gai_strerror", 0);
  static const int codes[] = {
    -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13,
    -99, -100, -101, -102, -103, -104, -105, -106, 0, 1, 2, 12, INT_MIN, INT_MAX,
  };
  for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
    item();
    printf("{\"code\":%d,\"str\":", codes[i]); jstr(gai_strerror(codes[i])); putchar('}');
  }

  section("constants", 0);
  item();
  printf("{\"AF_INET\":%d,\"AF_INET6\":%d,\"EAFNOSUPPORT\":%d,\"ENOSPC\":%d,"
         "\"INADDR_NONE\":%u,\"INET_ADDRSTRLEN\":%d,\"INET6_ADDRSTRLEN\":%d,"
         "\"EAI_BADFLAGS\":%d,\"EAI_NONAME\":%d,\"EAI_AGAIN\":%d,\"EAI_FAIL\":%d,"
         "\"EAI_NODATA\":%d,\"EAI_FAMILY\":%d,\"EAI_SOCKTYPE\":%d,\"EAI_SERVICE\":%d,"
         "\"EAI_ADDRFAMILY\":%d,\"EAI_MEMORY\":%d,\"EAI_SYSTEM\":%d,\"EAI_OVERFLOW\":%d,"
         "\"EAI_INPROGRESS\":%d,\"EAI_CANCELED\":%d,\"EAI_NOTCANCELED\":%d,"
         "\"EAI_ALLDONE\":%d,\"EAI_INTR\":%d,\"EAI_IDN_ENCODE\":%d}",
         AF_INET, AF_INET6, EAFNOSUPPORT, ENOSPC, INADDR_NONE, INET_ADDRSTRLEN,
         INET6_ADDRSTRLEN, EAI_BADFLAGS, EAI_NONAME, EAI_AGAIN, EAI_FAIL, EAI_NODATA,
         EAI_FAMILY, EAI_SOCKTYPE, EAI_SERVICE, EAI_ADDRFAMILY, EAI_MEMORY, EAI_SYSTEM,
         EAI_OVERFLOW, EAI_INPROGRESS, EAI_CANCELED, EAI_NOTCANCELED, EAI_ALLDONE,
         EAI_INTR, EAI_IDN_ENCODE);
  puts("]}");
}

/* ------------------------------------------------------------------- fuzz */

/* xorshift32 with a fixed seed: the fuzz set is the same on every regen. */
static uint32_t rng = 0x5eed1234u;
static uint32_t rnd(void) {
  rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
  return rng;
}
static uint32_t below(uint32_t n) { return rnd() % n; }

static void random_chars(char *buf, const char *alphabet, size_t maxlen) {
  size_t n = below((uint32_t)maxlen + 1), k = strlen(alphabet);
  for (size_t i = 0; i < n; i++) buf[i] = alphabet[below((uint32_t)k)];
  buf[n] = 0;
}

static void gen_aton(char *buf) {
  if (below(10) < 3) { random_chars(buf, "0123456789.xXaF \t", 14); return; }
  static const uint32_t edge[] = {0, 1, 255, 256, 0xffff, 0x10000, 0xffffff, 0x1000000, 0xffffffffu};
  int parts = 1 + (int)below(5);
  char *p = buf;
  for (int i = 0; i < parts; i++) {
    if (i) *p++ = '.';
    uint32_t v = below(3) == 0 ? edge[below(9)] : below(2) ? below(300) : rnd();
    switch (below(6)) {
      case 0: p += sprintf(p, "0%o", v); break;
      case 1: p += sprintf(p, "0x%x", v); break;
      case 2: p += sprintf(p, "0X%X", v); break;
      case 3: if (below(4) != 0) p += sprintf(p, "%u", v); break; /* sometimes an empty part */
      default: p += sprintf(p, "%u", v);
    }
  }
  static const char *suffix[] = {"", "", "", "", " ", "\t", " junk", "x", ".", "\n", "9"};
  strcpy(p, suffix[below(11)]);
}

static void gen_pton4(char *buf) {
  if (below(10) < 3) { random_chars(buf, "0123456789.", 16); return; }
  int parts = below(5) == 0 ? 3 + (int)below(3) : 4;
  char *p = buf;
  for (int i = 0; i < parts; i++) {
    if (i) *p++ = '.';
    p += sprintf(p, below(8) == 0 ? "0%u" : "%u", below(4) == 0 ? below(300) : below(256));
  }
  if (below(8) == 0) strcpy(p, below(2) ? " " : ".");
}

/* A word biased towards 0 so that zero runs of every length occur. */
static unsigned word(void) {
  switch (below(6)) {
    case 0: case 1: case 2: return 0;
    case 3: return 1 + below(16);
    case 4: return 0xffff;
    default: return below(0x10000);
  }
}
static void gen_bytes6(unsigned char *b) {
  for (int i = 0; i < 8; i++) {
    unsigned w = word();
    b[2 * i] = (unsigned char)(w >> 8);
    b[2 * i + 1] = (unsigned char)w;
  }
  if (below(6) == 0) { memset(b, 0, 10); b[10] = b[11] = below(2) ? 0xff : 0; }
}

static void gen_pton6(char *buf) {
  if (below(10) < 2) { random_chars(buf, ":0123456789abcdef.", 12); return; }
  unsigned char b[16];
  gen_bytes6(b);
  /* Text pieces: 8 groups, or 6 groups and a dotted IPv4 tail. */
  char piece[8][24];
  int n = below(4) == 0 ? 7 : 8;
  for (int i = 0; i < n; i++) {
    if (n == 7 && i == 6) { sprintf(piece[i], "%u.%u.%u.%u", b[12], b[13], b[14], b[15]); continue; }
    unsigned w = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
    int pad = below(6) == 0 ? (int)below(6) : 0;
    sprintf(piece[i], below(3) == 0 ? "%0*X" : "%0*x", pad, w);
  }
  /* Maybe replace pieces [cs, ce) by "::" (valid only if they were all zero). */
  int cs = below(2) ? (int)below((uint32_t)n) : -1;
  int ce = cs < 0 ? -1 : cs + (int)below((uint32_t)(n - cs + 1));
  char *p = buf;
  for (int i = 0; i < n; i++) {
    if (i == cs) p += sprintf(p, "::");
    if (cs >= 0 && i >= cs && i < ce) continue;
    if (i > 0 && i != ce) *p++ = ':';
    p += sprintf(p, "%s", piece[i]);
  }
  *p = 0;
  /* Mutate: insert or delete a character. */
  if (below(5) == 0) {
    static const char ins[] = ":.0123456789abcdefABCDEFg% ";
    size_t len = strlen(buf), at = below((uint32_t)len + 1);
    if (below(2) && at < len) memmove(buf + at, buf + at + 1, len - at);
    else { memmove(buf + at + 1, buf + at, len - at + 1); buf[at] = ins[below(sizeof ins - 1)]; }
  }
}

static void fuzz(void) {
  char buf[256];
  section("aton", 1);
  for (int i = 0; i < 300; i++) { gen_aton(buf); do_aton(buf, strlen(buf), "fuzz"); }
  section("pton", 0);
  for (int i = 0; i < 200; i++) { gen_pton4(buf); do_pton(AF_INET, buf, strlen(buf), "fuzz"); }
  for (int i = 0; i < 400; i++) { gen_pton6(buf); do_pton(AF_INET6, buf, strlen(buf), "fuzz"); }
  section("ntop", 0);
  for (int i = 0; i < 300; i++) {
    unsigned char b[16];
    gen_bytes6(b);
    socklen_t size = below(4) == 0 ? below(48) : 46;
    do_ntop(AF_INET6, b, 16, size, "fuzz");
  }
  for (int i = 0; i < 50; i++) {
    unsigned char b[4];
    for (int j = 0; j < 4; j++) b[j] = below(2) ? (unsigned char)below(256) : (unsigned char)below(10);
    do_ntop(AF_INET, b, 4, below(18), "fuzz");
  }
  puts("]}");
}

/* ------------------------------------------------------------------ netdb */

#define MAXENT 1024
struct sent { char *name, **aliases, *proto; int port; };
static struct sent servs[MAXENT];
static int nservs;
static struct { char *name, **aliases; int proto; } protos[MAXENT];
static int nprotos;

static char **dup_list(char **l) {
  int n = 0;
  while (l[n]) n++;
  char **r = calloc((size_t)n + 1, sizeof *r);
  for (int i = 0; i < n; i++) r[i] = strdup(l[i]);
  return r;
}

/* Queries already printed, so each (key, proto) appears once. */
static char seen[8 * MAXENT][64];
static int nseen;
static int first_time(const char *kind, const char *key, const char *proto) {
  char k[64];
  snprintf(k, sizeof k, "%s|%s|%s", kind, key, proto ? proto : "(null)");
  for (int i = 0; i < nseen; i++) if (!strcmp(seen[i], k)) return 0;
  if (nseen < 8 * MAXENT) strcpy(seen[nseen++], k);
  return 1;
}

static void byname(const char *name, const char *proto, const char *note) {
  if (!first_time("n", name, proto)) return;
  item();
  fputs("{\"name\":", stdout); jstr(name);
  fputs(",\"proto\":", stdout); jstr(proto);
  fputs(",\"result\":", stdout); jservent(getservbyname(name, proto));
  fputs(",\"note\":", stdout); jstr(note); putchar('}');
}
static void byport(int port, const char *proto, const char *note) {
  char key[16];
  snprintf(key, sizeof key, "%d", port);
  if (!first_time("p", key, proto)) return;
  item();
  printf("{\"port\":%d,\"proto\":", port); jstr(proto);
  fputs(",\"result\":", stdout); jservent(getservbyport(port, proto));
  fputs(",\"note\":", stdout); jstr(note); putchar('}');
}
static void protoname(const char *name, const char *note) {
  if (!first_time("pn", name, NULL)) return;
  item();
  fputs("{\"name\":", stdout); jstr(name);
  fputs(",\"result\":", stdout); jprotoent(getprotobyname(name));
  fputs(",\"note\":", stdout); jstr(note); putchar('}');
}
static void protonum(int num, const char *note) {
  char key[16];
  snprintf(key, sizeof key, "%d", num);
  if (!first_time("pp", key, NULL)) return;
  item();
  printf("{\"number\":%d,\"result\":", num); jprotoent(getprotobynumber(num));
  fputs(",\"note\":", stdout); jstr(note); putchar('}');
}

static void netdb(void) {
  struct servent *se;
  setservent(0);
  while ((se = getservent()) != NULL && nservs < MAXENT) {
    servs[nservs++] = (struct sent){strdup(se->s_name), dup_list(se->s_aliases), strdup(se->s_proto), se->s_port};
  }
  endservent();
  struct protoent *pe;
  setprotoent(0);
  while ((pe = getprotoent()) != NULL && nprotos < MAXENT) {
    protos[nprotos].name = strdup(pe->p_name);
    protos[nprotos].aliases = dup_list(pe->p_aliases);
    protos[nprotos++].proto = pe->p_proto;
  }
  endprotoent();

  section("servent", 1);
  for (int i = 0; i < nservs; i++) {
    struct servent s = {servs[i].name, servs[i].aliases, servs[i].port, servs[i].proto};
    item(); jservent(&s);
  }
  section("protoent", 0);
  for (int i = 0; i < nprotos; i++) {
    struct protoent p = {protos[i].name, protos[i].aliases, protos[i].proto};
    item(); jprotoent(&p);
  }

  section("getservbyname", 0);
  byname("http", "tcp", "name with protocol");
  byname("www", "tcp", "alias with protocol");
  byname("http", NULL, "NULL protocol takes the first entry");
  byname("http", "udp", "no http/udp entry");
  byname("HTTP", "tcp", "names compare case-sensitively");
  byname("http", "TCP", "protocols compare case-sensitively");
  byname("http", "", "empty protocol matches nothing");
  byname("", NULL, "empty name");
  byname("no-such-service", NULL, "unknown name");
  byname("domain", NULL, "first of tcp/udp pair");
  byname("domain", "udp", "udp entry of a pair");
  byname("syslog", NULL, "alias of shell/tcp comes before syslog/udp");
  byname("syslog", "udp", "name of syslog/udp");
  byname("echo", "ddp", "AppleTalk ddp entry");
  byname("80", NULL, "a number is not a name");
  byname("http ", "tcp", "no trimming");
  for (int i = 0; i < nservs; i++) {
    byname(servs[i].name, servs[i].proto, "table entry by name and protocol");
    byname(servs[i].name, NULL, "table entry by name");
    for (int j = 0; servs[i].aliases[j]; j++) {
      byname(servs[i].aliases[j], servs[i].proto, "table entry by alias and protocol");
      byname(servs[i].aliases[j], NULL, "table entry by alias");
    }
  }

  section("getservbyport", 0);
  byport(htons(80), "tcp", "port in network byte order");
  byport(80, NULL, "host-order 80 is network port 20480: not found");
  byport(htons(80), "udp", "no 80/udp entry");
  byport(htons(80), "", "empty protocol matches nothing");
  byport(htons(514), NULL, "first 514 entry is shell/tcp");
  byport(htons(514), "udp", "514/udp is syslog");
  byport(htons(21), "udp", "21/udp is fsp");
  byport(htons(7000), NULL, "7000: bbs/tcp first");
  byport(htons(7000), "udp", "7000/udp is afs3-fileserver");
  byport(htons(4), "ddp", "AppleTalk ddp entry");
  byport(0, NULL, "port 0");
  byport(htons(80) | 0x10000, NULL, "bits above 16 make the int compare fail");
  byport(-1, NULL, "negative port");
  byport(htons(65535), NULL, "port 65535");
  for (int i = 0; i < nservs; i++) {
    byport(servs[i].port, servs[i].proto, "table entry by port and protocol");
    byport(servs[i].port, NULL, "table entry by port");
  }

  section("getprotobyname", 0);
  protoname("tcp", "name");
  protoname("TCP", "alias (uppercase)");
  protoname("Tcp", "case-sensitive");
  protoname("IP", "alias of ip");
  protoname("raw", "not in Debian netbase /etc/protocols");
  protoname("", "empty name");
  protoname("ipv6-icmp", "ICMPv6");
  protoname("icmpv6", "not an alias in netbase");
  for (int i = 0; i < nprotos; i++) {
    protoname(protos[i].name, "table entry by name");
    for (int j = 0; protos[i].aliases[j]; j++) protoname(protos[i].aliases[j], "table entry by alias");
  }

  section("getprotobynumber", 0);
  protonum(0, "0 is ip, the first of ip/hopopt");
  protonum(255, "255 (raw) is not in netbase");
  protonum(256, "above 255");
  protonum(-1, "negative");
  protonum(7, "gap in the table");
  for (int i = 0; i < nprotos; i++) protonum(protos[i].proto, "table entry by number");
  puts("]}");
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "cases")) cases();
  else if (argc == 2 && !strcmp(argv[1], "fuzz")) fuzz();
  else if (argc == 2 && !strcmp(argv[1], "netdb")) netdb();
  else { fprintf(stderr, "usage: %s cases|fuzz|netdb\n", argv[0]); return 2; }
  return 0;
}
