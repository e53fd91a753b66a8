/**
 * Gallery: TCP half-close with shutdown(SHUT_WR) (shutdown(2), RFC 9293 §3.6). A client uploads a document whose
 * length the server does not know, then shuts down its sending side: a FIN tells the server the upload is over
 * (its recv returns 0), while the client's receiving side stays open. The server answers with a summary of what it
 * read (bytes, lines, a checksum) and closes. After the shutdown the client's own sends fail with EPIPE (MSG_NOSIGNAL
 * keeps SIGPIPE away), yet it reads the whole answer and then EOF.
 */
import { AF_INET, MSG_NOSIGNAL, SHUT_WR, SOCK_STREAM } from '../../stack/constants.js';
import { Errno } from '../../stack/errno.js';
import type { Network } from '../../stack/network.js';
import { inet } from '../../stack/sockaddr.js';
import { ms } from '../../sim/time.js';
import { bytes, readToEof, sendAll, text } from '../lib/io.js';
import { num, registerScenario, type Params, type ScenarioHooks } from '../registry.js';

const PORT = 9000;

/** The answer for a document: its length, its line count and a simple checksum (sum of bytes mod 65521). */
function digest(doc: Uint8Array): string {
  let sum = 0, lines = 0;
  for (const x of doc) {
    sum = (sum + x) % 65521;
    if (x === 0x0a) lines++;
  }
  return `${doc.length} bytes, ${lines} lines, sum ${sum}`;
}

function build(net: Network, p: Params): ScenarioHooks {
  const client = net.addHost('client'), server = net.addHost('server');
  net.connect(client, server, { latencyNs: ms(5), loss: num(p, 'loss') }, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
  const doc = bytes(Array.from({ length: num(p, 'lines') }, (_, i) => `line ${i + 1} of the upload\n`).join(''));
  const log: string[] = [];
  let answer = '', sendAfterShutdown = 0, eofAfterAnswer = false, serverSawEof = false;
  server.spawn('server', async (sys) => {
    const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(l, inet('0.0.0.0', PORT));
    await sys.listen(l, 1);
    const c = await sys.accept(l);
    const upload = await readToEof(sys, c); // ends when the client's FIN arrives
    serverSawEof = upload !== null;
    log.push(`server: read ${upload?.length ?? 0} bytes, then EOF at ${(sys.now / 1e6).toFixed(1)} ms; answering`);
    await sendAll(sys, c, bytes(upload ? digest(upload) : 'error'));
    await sys.close(c);
    return sys.close(l);
  });
  client.spawn('client', async (sys) => {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    if ((await sys.connect(fd, inet('10.0.0.2', PORT))) < 0) return 1;
    await sendAll(sys, fd, doc);
    await sys.shutdown(fd, SHUT_WR);
    log.push(`client: sent ${doc.length} bytes, shutdown(SHUT_WR) at ${(sys.now / 1e6).toFixed(1)} ms`);
    const r = await sys.send(fd, bytes('too late'), MSG_NOSIGNAL);
    sendAfterShutdown = r < 0 ? sys.errno : 0;
    const got = await readToEof(sys, fd);
    answer = got ? text(got) : '';
    eofAfterAnswer = got !== null;
    log.push(`client: read the answer "${answer}" and EOF at ${(sys.now / 1e6).toFixed(1)} ms`);
    return sys.close(fd);
  });
  return {
    summary: () => [...log, `client: send after shutdown(SHUT_WR): ${sendAfterShutdown === Errno.EPIPE ? 'EPIPE' : `errno ${sendAfterShutdown}`}`],
    ok: () => serverSawEof && eofAfterAnswer && answer === digest(doc) && sendAfterShutdown === Errno.EPIPE,
  };
}

registerScenario({
  name: 'half-close',
  description: 'gallery: shutdown(SHUT_WR) ends an upload; the server answers on the half-open connection',
  defaults: { lines: 2000, loss: 0.02 },
  maxTimeNs: 120e9,
  build,
});
