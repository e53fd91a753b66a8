/**
 * Gallery: a chat server fanning messages out to many clients. The server (one process on epoll) splits what each
 * client sends into lines and writes every line to every other client. Clients join over a few milliseconds, each
 * says a few lines at its own pace, and reads until it has heard every other client's lines. Since one process
 * relays everything in the order it read it, every client hears the others' lines in one common order: each
 * client's transcript is the server's relay log with its own lines left out.
 */
import { AF_INET, MSG_DONTWAIT, POLLIN, SOCK_STREAM } from '../../stack/constants.js';
import type { Network } from '../../stack/network.js';
import { inet } from '../../stack/sockaddr.js';
import { ms } from '../../sim/time.js';
import { epollServer } from '../lib/epoll-server.js';
import { bytes, sendAll, text } from '../lib/io.js';
import { buildLan } from '../lib/lan.js';
import { num, registerScenario, type Params, type ScenarioHooks } from '../registry.js';

const PORT = 6667;

/** Splits a byte stream into lines; returns the complete ones and keeps the rest. */
class LineBuffer {
  private rest = '';
  push(data: Uint8Array): string[] {
    const all = this.rest + text(data);
    const lines = all.split('\n');
    this.rest = lines.pop()!;
    return lines;
  }
}

function build(net: Network, p: Params): ScenarioHooks {
  const n = num(p, 'clients'), lines = num(p, 'lines');
  const octets: Record<string, number> = { server: 1 };
  for (let c = 1; c <= n; c++) octets[`user${c}`] = 10 + c;
  const lan = buildLan(net, octets, { latencyNs: ms(1), jitterNs: ms(num(p, 'jitterMs')) });
  const relayed: string[] = [];
  const heard: string[][] = Array.from({ length: n }, () => []);
  let accepted = 0;
  lan.server!.host.spawn('chatd', async (sys) => {
    const members = new Set<number>();
    const buffers = new Map<number, LineBuffer>();
    let left = 0;
    await epollServer(sys, PORT, {
      onAccept: (_s, fd) => {
        members.add(fd);
        buffers.set(fd, new LineBuffer());
        accepted++;
      },
      onData: async (s, fd, data) => {
        for (const line of buffers.get(fd)!.push(data)) {
          relayed.push(line);
          const out = bytes(`${line}\n`);
          for (const other of members) if (other !== fd) await sendAll(s, other, out);
        }
      },
      onClose: (_s, fd) => {
        members.delete(fd);
        left++;
      },
      done: () => left === n,
    });
  });
  const expected = (n - 1) * lines;
  for (let c = 1; c <= n; c++) {
    lan[`user${c}`]!.host.spawn(`user${c}`, async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      if ((await sys.connect(fd, inet(lan.server!.addr, PORT))) < 0) return 1;
      // Everyone is in before the first line: the server relays only to those it has accepted.
      await sys.sleep(ms(50 + 3 * n) - sys.now);
      const inbox = new LineBuffer();
      const buf = new Uint8Array(4096);
      let said = 0;
      let next = sys.now;
      while (heard[c - 1]!.length < expected) {
        if (said < lines && sys.now >= next) {
          await sendAll(sys, fd, bytes(`user${c}: line ${++said}\n`));
          next = sys.now + ms(7 * c); // each user talks at its own pace
        }
        const deadline = said < lines ? next : Infinity;
        // Wait for lines until it is time to talk again (poll's timeout), then read what came.
        await sys.poll([{ fd, events: POLLIN, revents: 0 }], 1, deadline === Infinity ? -1 : Math.max(0, Math.ceil((deadline - sys.now) / 1e6)));
        const r = await sys.recv(fd, buf, MSG_DONTWAIT);
        if (r === 0) break;
        if (r > 0) heard[c - 1]!.push(...inbox.push(buf.subarray(0, r)));
      }
      while (said < lines) await sendAll(sys, fd, bytes(`user${c}: line ${++said}\n`));
      return sys.close(fd);
    }, ms(3 * c));
  }
  return {
    summary: () => [
      `server: ${accepted} users joined, ${relayed.length} lines relayed to ${relayed.length * (n - 1)} recipients`,
      ...heard.map((h, i) => `user${i + 1}: heard ${h.length} of ${expected} lines from the others, in the server's order: ${
        h.join('\n') === relayed.filter((l) => !l.startsWith(`user${i + 1}:`)).join('\n')}`),
    ],
    ok: () => relayed.length === n * lines
      && heard.every((h, i) => h.join('\n') === relayed.filter((l) => !l.startsWith(`user${i + 1}:`)).join('\n')),
  };
}

registerScenario({
  name: 'chat',
  description: 'gallery: an epoll chat server relaying every line to every other client, in one common order',
  defaults: { clients: 8, lines: 4, jitterMs: 2 },
  maxTimeNs: 120e9,
  build,
});
