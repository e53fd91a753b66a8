/**
 * Gallery: an echo server on epoll (epoll(7)). One process serves every client from a level-triggered epoll set:
 * the non-blocking listener and each accepted connection, reading until EAGAIN and writing back what it read. The
 * clients, on other hosts of the same switch, send messages of growing size (up to several segments) over a link
 * with a little loss and check that each comes back byte for byte.
 */
import { AF_INET, SOCK_STREAM } from '../../stack/constants.js';
import type { Network } from '../../stack/network.js';
import { inet } from '../../stack/sockaddr.js';
import { ms } from '../../sim/time.js';
import { epollServer, type EpollServerStats } from '../lib/epoll-server.js';
import { recvFull, sendAll } from '../lib/io.js';
import { buildLan } from '../lib/lan.js';
import { num, registerScenario, type Params, type ScenarioHooks } from '../registry.js';

const PORT = 7;

/** Message k of client c: its size grows with k, its bytes depend on both. */
function message(c: number, k: number): Uint8Array {
  const b = new Uint8Array(100 * 4 ** k);
  for (let i = 0; i < b.length; i++) b[i] = (c * 31 + k * 7 + i) & 0xff;
  return b;
}

function build(net: Network, p: Params): ScenarioHooks {
  const clients = num(p, 'clients'), messages = num(p, 'messages');
  const octets: Record<string, number> = { server: 1 };
  for (let c = 1; c <= clients; c++) octets[`client${c}`] = 10 + c;
  const lan = buildLan(net, octets, { latencyNs: ms(1), loss: num(p, 'loss') });
  const echoed = new Array<number>(clients).fill(0);
  let mismatches = 0;
  let server: EpollServerStats | null = null;
  lan.server!.host.spawn('echo-server', async (sys) => {
    let closed = 0;
    server = await epollServer(sys, PORT, {
      onData: async (s, fd, data) => {
        await sendAll(s, fd, data.slice());
      },
      onClose: () => {
        closed++;
      },
      done: () => closed === clients,
    });
  });
  for (let c = 1; c <= clients; c++) {
    lan[`client${c}`]!.host.spawn(`client${c}`, async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      if ((await sys.connect(fd, inet(lan.server!.addr, PORT))) < 0) return 1;
      for (let k = 0; k < messages; k++) {
        const m = message(c, k);
        await sendAll(sys, fd, m);
        const back = await recvFull(sys, fd, m.length);
        if (back?.length === m.length && back.every((x, i) => x === m[i])) echoed[c - 1]! += m.length;
        else mismatches++;
        await sys.sleep(ms(10 * c)); // the clients interleave: the server juggles several at once
      }
      return sys.close(fd);
    }, ms(5 * c));
  }
  const expected = Array.from({ length: messages }, (_, k) => message(0, k).length).reduce((a, b) => a + b, 0);
  return {
    summary: () => [
      ...echoed.map((n, i) => `client${i + 1}: ${n} of ${expected} bytes echoed intact`),
      server ? `server: ${server.accepted} connections accepted, ${server.wakeups} epoll_wait wake-ups, ${server.bytesIn} bytes echoed, ${server.closed} closed` : 'server: did not finish',
    ],
    ok: () => mismatches === 0 && echoed.every((n) => n === expected) && server !== null && (server as EpollServerStats).closed === clients,
  };
}

registerScenario({
  name: 'epoll-echo',
  description: 'gallery: a single-process echo server on epoll serving several clients at once over a lossy switch',
  defaults: { clients: 4, messages: 5, loss: 0.01 },
  maxTimeNs: 120e9,
  build,
});
