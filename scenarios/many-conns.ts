/**
 * Many concurrent TCP connections: `hosts` hosts on `switches` Ethernet switches (one /16 per switch) joined by a
 * router, each host running an epoll server on port 80 and opening `conns / hosts` client connections to other
 * hosts (host i's k-th connection goes to host i + 1 + k·stride, so every host also serves exactly that many).
 * Each client connects, sends a request, reads the response, stays idle until `closeAtMs`, then closes; at that
 * instant every connection is open at once. The servers exit once their connections have all closed; the clients'
 * TIME_WAIT (60 s) ends the run.
 *
 * It is the `socksim bench many` workload (10,000 connections across 1,000 hosts by default).
 */
import { AF_INET, SOCK_STREAM } from '../stack/constants.js';
import type { Host } from '../stack/host.js';
import type { Network } from '../stack/network.js';
import { inet } from '../stack/sockaddr.js';
import { epollServer } from './lib/epoll-server.js';
import { recvFull, sendAll } from './lib/io.js';
import { num, registerScenario, type Params, type ScenarioHooks } from './registry.js';

const PORT = 80;

/** The address of host index j (0-based) on switch s: 10.(s+1).x.y, starting at .2 (the router is .1). */
function hostAddr(s: number, j: number): string {
  const n = j + 2;
  return `10.${s + 1}.${n >> 8}.${n & 255}`;
}

/** Progress counters the summary and the benchmark read. */
export interface ManyState {
  /** Client connections that got their whole response. */
  exchanged: number;
  /** Most client connections established and not yet closed at one time. */
  peakOpen: number;
  open: number;
  closed: number;
  failed: number;
  /** Server-side connections closed after the peer's FIN. */
  serverClosed: number;
}

/** Builds the topology and processes; the state fills in as the run goes. */
export function buildMany(net: Network, p: Params): ManyState {
  const nHosts = num(p, 'hosts'), nConns = num(p, 'conns'), nSwitches = num(p, 'switches');
  const reqBytes = num(p, 'requestBytes'), respBytes = num(p, 'responseBytes');
  const closeAt = Math.round(num(p, 'closeAtMs') * 1e6), spreadNs = Math.round(num(p, 'spreadMs') * 1e6);
  if (nConns % nHosts !== 0) throw new TypeError(`conns (${nConns}) must be a multiple of hosts (${nHosts})`);
  const perHost = nConns / nHosts;
  const st: ManyState = { exchanged: 0, peakOpen: 0, open: 0, closed: 0, failed: 0, serverClosed: 0 };
  const router = net.addRouter('router');
  const wire = { latencyNs: 20_000 };
  const switches = Array.from({ length: nSwitches }, (_, s) => {
    const sw = net.addSwitch(`sw${s + 1}`);
    net.attach(router, sw, wire, { ipv4: `10.${s + 1}.0.1/16` });
    return sw;
  });
  const hosts: { host: Host; addr: string }[] = [];
  for (let i = 0; i < nHosts; i++) {
    const s = i % nSwitches, j = Math.floor(i / nSwitches);
    const h = net.addHost(`h${i + 1}`);
    const addr = hostAddr(s, j);
    net.attach(h, switches[s]!, wire, { ipv4: `${addr}/16` });
    net.setDefaultGateway(h, `10.${s + 1}.0.1`);
    hosts.push({ host: h, addr });
  }
  const request = new Uint8Array(reqBytes).fill(0x71);
  const response = new Uint8Array(respBytes).fill(0x72);
  // A stride coprime with most host counts spreads each host's peers over the switches.
  const stride = Math.max(1, Math.floor(nHosts / perHost) + 1);
  hosts.forEach(({ host }, i) => {
    let served = 0;
    const pending = new Map<number, number>();
    host.spawn('server', (sys) => epollServer(sys, PORT, {
      onData: async (s, fd, data) => {
        // One request per connection, answered once it is whole (it may arrive in pieces).
        pending.set(fd, (pending.get(fd) ?? 0) + data.length);
        if (pending.get(fd) === reqBytes) await sendAll(s, fd, response);
      },
      onClose: (_s, fd) => {
        pending.delete(fd);
        served++;
        st.serverClosed++;
      },
      done: () => served === perHost,
    }, -1, 1024).then(() => 0));
    for (let k = 0; k < perHost; k++) {
      const peer = hosts[(i + 1 + k * stride) % nHosts]!;
      const start = Math.floor(((i * perHost + k) * spreadNs) / nConns);
      host.spawn(`client${k + 1}`, async (sys) => {
        const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
        if ((await sys.connect(fd, inet(peer.addr, PORT))) < 0) {
          st.failed++;
          return 1;
        }
        st.open++;
        st.peakOpen = Math.max(st.peakOpen, st.open);
        const got = (await sendAll(sys, fd, request)) < 0 ? null : await recvFull(sys, fd, respBytes);
        if (got?.length === respBytes) st.exchanged++;
        else st.failed++;
        if (sys.now < closeAt) await sys.sleep(closeAt - sys.now);
        await sys.close(fd);
        st.open--;
        st.closed++;
        return 0;
      }, start + 1_000_000); // after the servers are listening
    }
  });
  return st;
}

function build(net: Network, p: Params): ScenarioHooks {
  const st = buildMany(net, p);
  const conns = num(p, 'conns');
  return {
    summary: () => [
      `${st.exchanged} of ${conns} connections exchanged a request and a response; ${st.peakOpen} open at once; `
        + `${st.closed} closed by the clients, ${st.serverClosed} by the servers; ${st.failed} failed`,
    ],
    ok: () => st.exchanged === conns && st.peakOpen === conns && st.serverClosed === conns && st.failed === 0,
    artifact: st,
  };
}

registerScenario({
  name: 'many-conns',
  description: 'thousands of concurrent TCP connections between hosts on switches behind a router, epoll servers',
  defaults: { hosts: 1000, conns: 10000, switches: 10, requestBytes: 100, responseBytes: 1000, spreadMs: 1000, closeAtMs: 2000 },
  maxTimeNs: 600e9,
  build,
});
