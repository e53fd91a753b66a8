/**
 * IP_RECVERR / IPV6_RECVERR and recvmsg(MSG_ERRQUEUE) against the kernel: linux-probe/udp-recverr.expected.json is
 * what Linux 6.18 did when a UDP socket sent to a loopback port nobody listens on (linux-probe/udp-recverr.sh) —
 * with and without the option, connected or not: poll's mask, the error-queue message (payload, the
 * sock_extended_err control message with the offender's address, MSG_ERRQUEUE, the original destination), SO_ERROR
 * afterwards, a second error-queue read and a plain receive. socksim runs the same calls and must match.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { AF_INET, AF_INET6, MSG_ERRQUEUE, POLLERR, POLLIN, SOCK_DGRAM, SOL_SOCKET, SO_ERROR } from '../../stack/constants.js';
import { parseCmsgs } from '../../stack/cmsg.js';
import { inet, inet6, type SockAddr } from '../../stack/sockaddr.js';
import type { MsgHdr, Sys } from '../../stack/sys.js';

const golden = JSON.parse(readFileSync(new URL('./linux-probe/udp-recverr.expected.json', import.meta.url), 'utf8')) as {
  kernel: string; cases: Record<string, unknown>;
};

function addrPair(a: SockAddr | null | undefined): unknown {
  return a && 'addr' in a && 'port' in a ? [a.addr, a.port] : null;
}

async function tryRecvErr(sys: Sys, s: number): Promise<unknown> {
  const control = new Uint8Array(256);
  const msg: MsgHdr = { iov: [new Uint8Array(100)], control, controllen: 256 };
  const n = await sys.recvmsg(s, msg, MSG_ERRQUEUE);
  if (n < 0) return ['err', sys.errno];
  const cms = parseCmsgs(control, msg.controllen ?? 0).map((c) => {
    if ((c.level === 0 && c.type === 11) || (c.level === 41 && c.type === 25)) {
      const dv = new DataView(c.data.buffer, c.data.byteOffset, c.data.byteLength);
      return [c.level, c.type, dv.getUint32(0, true), c.data[4], c.data[5], c.data[6], dv.getUint32(8, true), dv.getUint32(12, true),
        Buffer.from(c.data.subarray(16)).toString('hex')];
    }
    return [c.level, c.type, Buffer.from(c.data).toString('hex')];
  });
  return [Buffer.from(msg.iov[0]!.subarray(0, n)).toString('hex'), cms, msg.flags, addrPair(msg.name as SockAddr | null)];
}

async function runCase(fam: number, recverr: boolean, connected: boolean): Promise<Record<string, unknown>> {
  const sim = new Sim({ seed: 1 });
  const net = new Network(sim);
  const h = net.addHost('h');
  const res: Record<string, unknown> = {};
  h.spawn('probe', async (sys) => {
    const dst = fam === AF_INET ? inet('127.0.0.1', 9) : inet6('::1', 9);
    const s = await sys.socket(fam, SOCK_DGRAM, 0);
    if (recverr) expect(await sys.setsockopt(s, fam === AF_INET ? 0 : 41, fam === AF_INET ? 11 : 25, 1)).toBe(0);
    if (connected) await sys.connect(s, dst);
    await sys.sendto(s, new TextEncoder().encode('abcdef'), 0, dst);
    await sys.sleep(50e6);
    const fds = [{ fd: s, events: POLLIN | POLLERR, revents: 0 }];
    await sys.poll(fds, 1, 0);
    res.poll = fds[0]!.revents;
    res.errq = await tryRecvErr(sys, s);
    res.so_error = await sys.getsockoptInt(s, SOL_SOCKET, SO_ERROR);
    const again = await tryRecvErr(sys, s);
    res.errq2 = Array.isArray(again) && again[0] === 'err' ? again : [again];
    const r = await sys.recv(s, new Uint8Array(100), 0x40);
    res.recv = r >= 0 ? 'data' : ['err', sys.errno];
  });
  await sim.run();
  return res;
}

describe(`IP_RECVERR / IPV6_RECVERR against Linux ${golden.kernel}`, () => {
  for (const fam of [AF_INET, AF_INET6]) {
    for (const recverr of [false, true]) {
      for (const connected of [false, true]) {
        const key = `${fam} recverr=${recverr ? 'True' : 'False'} connected=${connected ? 'True' : 'False'}`;
        test(key, async () => {
          expect(golden.cases[key]).toBeDefined();
          expect(await runCase(fam, recverr, connected)).toEqual(golden.cases[key]);
        });
      }
    }
  }

  test('an empty error queue is EAGAIN at once; IP_RECVERR reads back 1', async () => {
    const sim = new Sim({ seed: 1 });
    const net = new Network(sim);
    const h = net.addHost('h');
    const got: unknown[] = [];
    h.spawn('probe', async (sys) => {
      const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
      got.push(await sys.recvmsg(s, { iov: [new Uint8Array(100)] }, MSG_ERRQUEUE) < 0 ? sys.errno : 'ok');
      await sys.setsockopt(s, 0, 11, 5);
      got.push(await sys.getsockoptInt(s, 0, 11));
    });
    await sim.run();
    expect(got).toEqual([golden.cases['empty errq'], golden.cases.get]);
  });
});
