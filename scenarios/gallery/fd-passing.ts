/**
 * Gallery: passing file descriptors between processes over AF_UNIX (unix(7) SCM_RIGHTS, sendmsg(2)/recvmsg(2)),
 * the way a privileged front end hands accepted connections to a worker. On host "srv" a broker accepts TCP
 * connections and sends each one to a worker process over a named stream socket, then closes its own copy; the
 * worker receives a new fd for the same open connection and serves it. Before any connection the broker also
 * passes an open log file: the worker's appends go to the very file the broker opened, which the broker reads back
 * at the end. Clients on other hosts see only that a worker answered them.
 */
import { AF_INET, AF_UNIX, O_APPEND, O_CREAT, O_RDONLY, O_WRONLY, SCM_RIGHTS, SHUT_WR, SOCK_STREAM, SOL_SOCKET } from '../../stack/constants.js';
import { buildCmsgs, cmsgSpace, parseCmsgs, rightsCmsg, rightsFds } from '../../stack/cmsg.js';
import type { Network } from '../../stack/network.js';
import { inet, unix } from '../../stack/sockaddr.js';
import type { MsgHdr, Sys } from '../../stack/sys.js';
import { ms } from '../../sim/time.js';
import { bytes, readToEof, sendAll, text } from '../lib/io.js';
import { buildLan } from '../lib/lan.js';
import { num, registerScenario, type Params, type ScenarioHooks } from '../registry.js';

const PORT = 8080, WORKER_PATH = '/tmp/worker.sock', LOG = '/tmp/access.log';

/** Sends one fd over a unix stream socket (one marker byte, since a stream message carries at least one). */
async function passFd(sys: Sys, via: number, fd: number): Promise<number> {
  return sys.sendmsg(via, { iov: [bytes('F')], control: buildCmsgs([rightsCmsg([fd])]) });
}

/** Receives one passed fd; -1 at EOF or when no fd came. */
async function receiveFd(sys: Sys, via: number): Promise<number> {
  const msg: MsgHdr = { iov: [new Uint8Array(1)], control: new Uint8Array(cmsgSpace(4)) };
  if ((await sys.recvmsg(via, msg)) <= 0) return -1;
  const c = parseCmsgs(msg.control!, msg.controllen ?? 0).find((m) => m.level === SOL_SOCKET && m.type === SCM_RIGHTS);
  return c ? rightsFds(c.data)[0] ?? -1 : -1;
}

function build(net: Network, p: Params): ScenarioHooks {
  const clients = num(p, 'clients');
  const octets: Record<string, number> = { srv: 1 };
  for (let c = 1; c <= clients; c++) octets[`client${c}`] = 10 + c;
  const lan = buildLan(net, octets, { latencyNs: ms(1) });
  const srv = lan.srv!.host;
  const answers: string[] = [];
  const log: string[] = [];
  let logBack = '';
  srv.spawn('worker', async (sys) => {
    const l = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
    await sys.bind(l, unix(WORKER_PATH));
    await sys.listen(l, 1);
    const ch = await sys.accept(l);
    const logFd = await receiveFd(sys, ch);
    log.push(`worker (pid ${sys.pid}): got the log file as fd ${logFd}`);
    for (;;) {
      const c = await receiveFd(sys, ch);
      if (c < 0) break; // the broker closed the channel
      const req = await readToEof(sys, c);
      const line = `worker pid ${sys.pid} served "${req ? text(req).trim() : '?'}" on fd ${c}`;
      log.push(line);
      await sendAll(sys, c, bytes(`${line}\n`));
      await sys.write(logFd, bytes(`${line}\n`));
      await sys.close(c);
    }
    await sys.close(logFd);
    await sys.close(ch);
    return sys.close(l);
  });
  srv.spawn('broker', async (sys) => {
    const ch = await sys.socket(AF_UNIX, SOCK_STREAM, 0);
    if ((await sys.connect(ch, unix(WORKER_PATH))) < 0) return 1;
    const logFd = await sys.open(LOG, O_WRONLY | O_CREAT | O_APPEND);
    await passFd(sys, ch, logFd);
    await sys.close(logFd); // the worker's copy keeps the file open
    const l = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(l, inet('0.0.0.0', PORT));
    await sys.listen(l, 16);
    for (let i = 0; i < clients; i++) {
      const c = await sys.accept(l);
      log.push(`broker (pid ${sys.pid}): accepted fd ${c}, passed it on, closed it`);
      await passFd(sys, ch, c);
      await sys.close(c);
    }
    await sys.close(l);
    await sys.close(ch); // EOF tells the worker there is no more
    await sys.sleep(ms(100));
    const rd = await sys.open(LOG, O_RDONLY);
    logBack = text((await readToEof(sys, rd)) ?? new Uint8Array(0));
    return sys.close(rd);
  }, ms(1));
  for (let c = 1; c <= clients; c++) {
    lan[`client${c}`]!.host.spawn(`client${c}`, async (sys) => {
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      if ((await sys.connect(fd, inet(lan.srv!.addr, PORT))) < 0) return 1;
      await sendAll(sys, fd, bytes(`GET item${c}\n`));
      await sys.shutdown(fd, SHUT_WR); // the request is complete
      const got = await readToEof(sys, fd);
      answers.push(`client${c}: ${got ? text(got).trim() : '(error)'}`);
      return sys.close(fd);
    }, ms(10 * c));
  }
  return {
    summary: () => [...log, ...answers, `access log as the broker reads it back: ${logBack.split('\n').filter(Boolean).length} lines`],
    ok: () => answers.length === clients && answers.every((a) => a.includes('worker pid') && a.includes('served "GET item'))
      && logBack.split('\n').filter(Boolean).length === clients,
  };
}

registerScenario({
  name: 'fd-passing',
  description: 'gallery: a broker accepts TCP connections and hands them (and a log file) to a worker with SCM_RIGHTS',
  defaults: { clients: 3 },
  maxTimeNs: 120e9,
  build,
});
