/**
 * Determinism of the socket layer (DEVELOPERS.md): the same scenario and seed give the same event stream — syscalls
 * with their arguments and results, signals, and the recorded random decisions (AF_UNIX autobind names) — and a
 * different seed changes the decisions, not the shape.
 */
import { describe, expect, test } from 'vitest';
import { pack } from 'msgpackr';
import { Sim } from '../../sim/sim.js';
import type { SimEvent } from '../../sim/events.js';
import { Network } from '../../stack/network.js';
import { AF_UNIX, EPOLLIN, EPOLL_CTL_ADD, SIGPIPE, SOCK_DGRAM, SOCK_STREAM } from '../../stack/constants.js';
import { unix } from '../../stack/sockaddr.js';
import { buildCmsgs, rightsCmsg } from '../../stack/cmsg.js';
import type { EpollEvent } from '../../stack/epoll.js';
import { ms } from '../../sim/time.js';

async function scenario(seed: number): Promise<SimEvent[]> {
  const events: SimEvent[] = [];
  const sim = new Sim({ seed, sink: { push: (e) => void events.push(e) } });
  const h = new Network(sim).addHost('h');
  h.spawn('server', async (sys) => {
    const l = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
    await sys.bind(l, unix('/tmp/s'));
    await sys.listen(l, 2);
    const ep = await sys.epoll_create1(0);
    await sys.epoll_ctl(ep, EPOLL_CTL_ADD, l, { events: EPOLLIN });
    const evs: EpollEvent[] = [];
    await sys.epoll_wait(ep, evs, 4, -1);
    const a = await sys.accept(l);
    const msg = { iov: [new Uint8Array(8)], control: new Uint8Array(32) };
    await sys.recvmsg(a, msg, 0);
    await sys.close(a);
  });
  h.spawn('client', async (sys) => {
    await sys.sleep(ms(2));
    const d = await sys.socket(AF_UNIX, SOCK_DGRAM, 0);
    await sys.bind(d, new Uint8Array([AF_UNIX, 0])); // autobind: a random abstract name
    const c = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
    await sys.connect(c, unix('/tmp/s'));
    await sys.sendmsg(c, { iov: [new Uint8Array(3)], control: buildCmsgs([rightsCmsg([d])]) }, 0);
    await sys.sleep(ms(1));
    await sys.send(c, new Uint8Array(1), 0); // the peer closed: EPIPE, and SIGPIPE kills the client
  });
  await sim.run();
  return events;
}

describe('determinism', () => {
  test('the same seed gives byte-identical event streams; the autobind choice is a recorded decision', async () => {
    const a = await scenario(7), b = await scenario(7), c = await scenario(8);
    expect(Buffer.from(pack(a)).equals(Buffer.from(pack(b)))).toBe(true);
    const decisions = (e: SimEvent[]) => e.filter((x) => x[0] === 'rand' && x[3] === 'unix-autobind');
    expect(decisions(a)).toHaveLength(1);
    expect(decisions(c)[0]![4]).not.toBe(decisions(a)[0]![4]);
    expect(a.some((x) => x[0] === 'sig' && x[3] === SIGPIPE)).toBe(true);
    expect(a.filter((x) => x[0] === 'sys').map((x) => x[3])).toEqual(c.filter((x) => x[0] === 'sys').map((x) => x[3]));
  });
});
