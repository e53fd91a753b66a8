/**
 * The default scenario: several clients send numbered UDP requests to an echo server across lossy links and retry
 * on timeout, the way a DNS stub or an RPC client does. It shows loss, retries and replay in a few lines.
 *
 * Topology: a server host with one point-to-point link per client (10.0.i.0/24, server .1, client .2).
 */
import { AF_INET, MSG_DONTWAIT, SOCK_DGRAM } from '../stack/constants.js';
import { Errno } from '../stack/errno.js';
import type { Network } from '../stack/network.js';
import { inet } from '../stack/sockaddr.js';
import type { AddrOut, Sys } from '../stack/sys.js';
import { ms } from '../sim/time.js';
import { num, registerScenario, type Params, type ScenarioHooks } from './registry.js';

/** Per-client outcome. */
interface ClientStats {
  answered: number;
  retries: number;
  gaveUp: number;
}

const PORT = 7;

/**
 * Waits for a datagram until `deadline` by polling with MSG_DONTWAIT every `stepNs` (a plain retry loop); fills
 * `from` with the sender. Returns the length, or -1 at the deadline.
 */
async function recvUntil(sys: Sys, fd: number, buf: Uint8Array, deadline: number, stepNs: number, from?: AddrOut): Promise<number> {
  for (;;) {
    const n = await sys.recvfrom(fd, buf, MSG_DONTWAIT, from);
    if (n >= 0 || sys.errno !== Errno.EAGAIN) return n;
    if (sys.now >= deadline) return -1;
    await sys.sleep(Math.min(stepNs, deadline - sys.now));
  }
}

function build(net: Network, p: Params): ScenarioHooks {
  const clients = num(p, 'clients'), requests = num(p, 'requests'), retries = num(p, 'retries');
  const timeoutNs = ms(num(p, 'timeoutMs'));
  const server = net.addHost('server');
  const stats: ClientStats[] = [];
  for (let i = 1; i <= clients; i++) {
    const c = net.addHost(`client${i}`);
    net.connect(server, c, { latencyNs: ms(num(p, 'latencyMs')), jitterNs: ms(num(p, 'jitterMs')), loss: num(p, 'loss') },
      { a: { ipv4: `10.0.${i}.1/24` }, b: { ipv4: `10.0.${i}.2/24` } });
    const st: ClientStats = { answered: 0, retries: 0, gaveUp: 0 };
    stats.push(st);
    c.spawn(`client${i}`, async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      await sys.connect(fd, inet(`10.0.${i}.1`, PORT));
      const buf = new Uint8Array(64);
      for (let seq = 0; seq < requests; seq++) {
        const req = new TextEncoder().encode(`client${i} request ${seq}`);
        let done = false;
        for (let attempt = 0; attempt <= retries && !done; attempt++) {
          if (attempt > 0) st.retries++;
          await sys.send(fd, req);
          const deadline = sys.now + timeoutNs;
          // Skip stale replies to earlier attempts; accept the reply to this request.
          for (;;) {
            const n = await recvUntil(sys, fd, buf, deadline, ms(5));
            if (n < 0) break;
            if (n === req.length && buf.subarray(0, n).every((b, k) => b === req[k])) {
              done = true;
              break;
            }
          }
        }
        if (done) st.answered++;
        else st.gaveUp++;
      }
      await sys.close(fd);
    });
  }
  server.spawn('echo-server', async (sys) => {
    const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.bind(fd, inet('0.0.0.0', PORT));
    const buf = new Uint8Array(1500);
    const from: AddrOut = { addr: null };
    // Serve until every client has finished: replies can be lost, so the clients' progress decides, not a count.
    while (!stats.every((s) => s.answered + s.gaveUp >= requests)) {
      const n = await recvUntil(sys, fd, buf, sys.now + ms(50), ms(5), from);
      if (n >= 0 && from.addr) await sys.sendto(fd, buf.subarray(0, n), 0, from.addr);
    }
    await sys.close(fd);
  });
  return {
    summary: () => stats.map((s, i) => `client${i + 1}: ${s.answered}/${requests} answered, ${s.retries} retries, ${s.gaveUp} gave up`),
    ok: () => stats.every((s) => s.answered + s.gaveUp === requests),
  };
}

registerScenario({
  name: 'udp-echo',
  description: 'clients exchange UDP requests with an echo server over lossy links, retrying on timeouts',
  defaults: { clients: 3, requests: 20, loss: 0.1, latencyMs: 5, jitterMs: 1, timeoutMs: 100, retries: 5 },
  build,
});
