/**
 * Gallery: a network partition in the middle of a TCP transfer, then healing (stack/network.ts partition/heal, the
 * iptables-style cut Jepsen uses). Host a sends a file to host b through router r. While the partition lasts every
 * segment is dropped at the far end; the sender's retransmission timer backs off exponentially (RFC 6298 §5.5,
 * Linux doubling the RTO up to 120 s), so after the heal the transfer resumes at the next retransmission, not at
 * once. The receiver checks every byte against the file.
 */
import { AF_INET, SOCK_STREAM } from '../../stack/constants.js';
import type { Network } from '../../stack/network.js';
import { inet } from '../../stack/sockaddr.js';
import { ms } from '../../sim/time.js';
import { sendAll } from '../lib/io.js';
import { num, registerScenario, type Params, type ScenarioHooks } from '../registry.js';

const PORT = 5001;

/** Byte i of the file. */
const fileByte = (i: number): number => (i * 7 + (i >> 10)) & 0xff;

function build(net: Network, p: Params): ScenarioHooks {
  const size = num(p, 'bytes');
  const cutAt = ms(num(p, 'partitionAtMs')), healAt = cutAt + ms(num(p, 'partitionMs'));
  const a = net.addHost('a'), r = net.addRouter('r'), b = net.addHost('b');
  const wire = { latencyNs: ms(5), rateBps: num(p, 'rateMbps') * 1e6, queueLimit: 100 };
  net.connect(a, r, wire, { a: { ipv4: '10.0.1.2/24' }, b: { ipv4: '10.0.1.1/24' } });
  net.connect(r, b, wire, { a: { ipv4: '10.0.2.1/24' }, b: { ipv4: '10.0.2.2/24' } });
  net.setDefaultGateway(a, '10.0.1.1');
  net.setDefaultGateway(b, '10.0.2.1');
  let received = 0, corrupt = 0, atCut = 0, atHeal = 0, done = 0, resumedAt = 0;
  net.sim.at(cutAt, () => {
    net.sim.note('partition {a} | {b}');
    atCut = received;
    net.partition([a], [b]);
  });
  net.sim.at(healAt, () => {
    net.sim.note('heal');
    atHeal = received;
    net.heal();
  });
  b.spawn('receiver', async (sys) => {
    const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(l, inet('0.0.0.0', PORT));
    await sys.listen(l, 1);
    const c = await sys.accept(l);
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await sys.recv(c, buf);
      if (n <= 0) break;
      if (sys.now > healAt && resumedAt === 0) resumedAt = sys.now;
      for (let i = 0; i < n; i++) if (buf[i] !== fileByte(received + i)) corrupt++;
      received += n;
    }
    done = sys.now;
    await sys.close(c);
    return sys.close(l);
  });
  a.spawn('sender', async (sys) => {
    const file = new Uint8Array(size);
    for (let i = 0; i < size; i++) file[i] = fileByte(i);
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    if ((await sys.connect(fd, inet('10.0.2.2', PORT))) < 0) return 1;
    await sendAll(sys, fd, file);
    return sys.close(fd);
  });
  const s = (t: number): string => `${(t / 1e9).toFixed(3)} s`;
  return {
    summary: () => [
      `partition at ${s(cutAt)} after ${atCut} bytes; heal at ${s(healAt)} with ${atHeal} bytes received`,
      `first byte after the heal at ${s(resumedAt)} (${((resumedAt - healAt) / 1e6).toFixed(0)} ms later: the next backed-off retransmission)`,
      `done at ${s(done)}: ${received} of ${size} bytes, ${corrupt} wrong; sender retransmitted ${a.tcp.stats.retransSegs} segments`,
    ],
    ok: () => received === size && corrupt === 0 && atCut > 0 && atHeal === atCut && done > healAt,
  };
}

registerScenario({
  name: 'partition-heal',
  description: 'gallery: a TCP transfer through a router survives a partition; RTO backoff decides when it resumes',
  defaults: { bytes: 2_000_000, rateMbps: 50, partitionAtMs: 150, partitionMs: 3000 },
  maxTimeNs: 600e9,
  build,
});
