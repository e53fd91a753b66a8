/**
 * Gallery: HTTP/1.1 over TCP after a DNS lookup. A client resolves www.example.com with getaddrinfo (glibc's stub
 * resolver asking the example.com name server named in /etc/resolv.conf, service "http" from /etc/services), then
 * makes three requests on one persistent connection (RFC 9112 §9.3): a page, a missing page (404), and a last one
 * with "Connection: close", after which the server closes (§9.6) and the client reads EOF. Bodies are framed by
 * Content-Length (§6.3).
 */
import { AF_INET, SOCK_STREAM } from '../../stack/constants.js';
import { authoritativeServer } from '../../stack/dns/server.js';
import type { Network } from '../../stack/network.js';
import { gai_strerror } from '../../stack/resolve/gai-errors.js';
import { addrinfoList, getaddrinfo } from '../../stack/resolve/getaddrinfo.js';
import { resolverConfig } from '../../stack/resolve/resolver-config.js';
import { inet } from '../../stack/sockaddr.js';
import type { Sys } from '../../stack/sys.js';
import { ms } from '../../sim/time.js';
import { bytes, sendAll, text } from '../lib/io.js';
import { buildLan } from '../lib/lan.js';
import { exampleZone } from '../lib/zone.js';
import { num, registerScenario, type Params, type ScenarioHooks } from '../registry.js';

const ZONE = exampleZone({ ns: '10.0.0.53' }, { www: '10.0.0.80' });

/** The site: path → page. */
const PAGES: Record<string, string> = {
  '/': '<html><body>socksim says hello</body></html>\n',
  '/about': 'A deterministic simulator of a Linux network stack.\n'.repeat(60),
};

/** A parsed HTTP message head plus its body. */
interface Message {
  start: string;
  headers: Map<string, string>;
  body: Uint8Array;
}

/**
 * Reads one HTTP/1.1 message from a connection: the head up to the blank line, then Content-Length bytes of body.
 * `pending` carries bytes read past the previous message. Returns null at EOF before a whole message.
 */
async function readMessage(sys: Sys, fd: number, pending: { buf: Uint8Array }): Promise<Message | null> {
  const chunk = new Uint8Array(4096);
  const more = async (): Promise<boolean> => {
    const n = await sys.recv(fd, chunk);
    if (n <= 0) return false;
    const next = new Uint8Array(pending.buf.length + n);
    next.set(pending.buf);
    next.set(chunk.subarray(0, n), pending.buf.length);
    pending.buf = next;
    return true;
  };
  let end: number;
  while ((end = text(pending.buf).indexOf('\r\n\r\n')) < 0) if (!(await more())) return null;
  const [start, ...lines] = text(pending.buf.subarray(0, end)).split('\r\n');
  const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
  const len = Number(headers.get('content-length') ?? 0);
  const bodyStart = end + 4;
  while (pending.buf.length < bodyStart + len) if (!(await more())) return null;
  const body = pending.buf.slice(bodyStart, bodyStart + len);
  pending.buf = pending.buf.slice(bodyStart + len);
  return { start: start!, headers, body };
}

/** One connection of the server: answer requests until the client asks to close or closes. */
async function serveConnection(sys: Sys, fd: number, log: string[]): Promise<void> {
  const pending = { buf: new Uint8Array(0) };
  for (;;) {
    const req = await readMessage(sys, fd, pending);
    if (!req) break;
    const [method, path] = req.start.split(' ');
    const page = method === 'GET' ? PAGES[path ?? ''] : undefined;
    const close = req.headers.get('connection')?.toLowerCase() === 'close';
    const body = bytes(page ?? 'not found\n');
    const status = page !== undefined ? '200 OK' : '404 Not Found';
    log.push(`${req.start} -> ${status}`);
    await sendAll(sys, fd, bytes(`HTTP/1.1 ${status}\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`));
    await sendAll(sys, fd, body);
    if (close) break;
  }
  await sys.close(fd);
}

function build(net: Network, p: Params): ScenarioHooks {
  const lan = buildLan(net, { client: 10, ns: 53, www: 80 }, { latencyNs: ms(num(p, 'latencyMs')), loss: num(p, 'loss') });
  resolverConfig(lan.client.host).setResolvConf('nameserver 10.0.0.53\noptions timeout:1 attempts:3\n');
  lan.ns.host.spawn('named', authoritativeServer({ zones: [ZONE] }));
  const serverLog: string[] = [];
  const clientLog: string[] = [];
  let resolved = '';
  let sawEof = false;
  lan.www.host.spawn('httpd', async (sys) => {
    const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(l, inet('0.0.0.0', 80));
    await sys.listen(l, 16);
    const c = await sys.accept(l);
    await serveConnection(sys, c, serverLog);
    return sys.close(l);
  });
  lan.client.host.spawn('client', async (sys) => {
    const t0 = sys.now;
    const r = await getaddrinfo(sys, 'www.example.com', 'http', { ai_family: AF_INET, ai_socktype: SOCK_STREAM });
    if (r.ret !== 0) {
      resolved = `getaddrinfo failed: ${gai_strerror(r.ret)}`;
      net.sim.stop('the lookup failed');
      return 1;
    }
    const ai = addrinfoList(r.res)[0]!;
    resolved = `www.example.com -> ${ai.ai_addr.addr} port ${ai.ai_addr.port} in ${(sys.now - t0) / 1e6} ms`;
    const fd = await sys.socket(ai.ai_family, ai.ai_socktype, ai.ai_protocol);
    if ((await sys.connect(fd, ai.ai_addr)) < 0) return 1;
    const pending = { buf: new Uint8Array(0) };
    const requests: [string, boolean][] = [['/', false], ['/missing', false], ['/about', true]];
    for (const [path, close] of requests) {
      await sendAll(sys, fd, bytes(`GET ${path} HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: socksim\r\n${close ? 'Connection: close\r\n' : ''}\r\n`));
      const res = await readMessage(sys, fd, pending);
      clientLog.push(res ? `GET ${path}: ${res.start}, ${res.body.length} bytes` : `GET ${path}: no response`);
      if (res && path in PAGES && text(res.body) !== PAGES[path]) clientLog.push(`GET ${path}: body differs`);
    }
    sawEof = (await sys.recv(fd, new Uint8Array(1))) === 0;
    await sys.close(fd);
    net.sim.stop('the client is done'); // the name server would serve forever
    return 0;
  }, ms(10));
  return {
    summary: () => [resolved, ...clientLog, ...serverLog.map((l) => `server: ${l}`), `client read EOF after the last response: ${sawEof}`],
    ok: () => resolved.includes('-> 10.0.0.80 port 80') && sawEof && clientLog.length === 3
      && clientLog[0]!.includes('200 OK') && clientLog[1]!.includes('404 Not Found') && clientLog[2]!.includes('200 OK'),
  };
}

registerScenario({
  name: 'http-dns',
  description: 'gallery: getaddrinfo through a DNS server, then three HTTP/1.1 requests on one keep-alive connection',
  defaults: { latencyMs: 2, loss: 0.02 },
  maxTimeNs: 120e9,
  build,
});
