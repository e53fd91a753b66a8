/**
 * SO_TIMESTAMP on AF_UNIX sockets, as Linux 6.18 gives it (checked with socketpair in Python on this machine):
 * datagram and seqpacket messages carry SCM_TIMESTAMP (16 bytes), before SCM_CREDENTIALS when SO_PASSCRED is on,
 * even when the option was set after the message was sent; stream sockets carry none; without a control buffer the
 * message reports MSG_CTRUNC. The stamp is the send time when the receiver already wanted stamps
 * (unix_dgram_sendmsg), else the receive time (__sock_recv_timestamp), in socksim's virtual time.
 */
import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { AF_UNIX, MSG_CTRUNC, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM, SOL_SOCKET, SO_PASSCRED, SO_TIMESTAMP } from '../../stack/constants.js';
import { parseCmsgs } from '../../stack/cmsg.js';
import type { MsgHdr, Sys } from '../../stack/sys.js';

async function onHost<T>(fn: (sys: Sys) => Promise<T>): Promise<T> {
  const sim = new Sim({ seed: 1 });
  const h = new Network(sim).addHost('h');
  let out: T | undefined;
  h.spawn('p', async (sys) => {
    out = await fn(sys);
  });
  await sim.run();
  return out as T;
}

/** One receive: [level, type, length] of each control message, the stamp's seconds and µs, and msg_flags. */
async function recvOne(sys: Sys, fd: number, withBuf = true): Promise<{ cm: number[][]; stamp: number[] | null; flags: number }> {
  const control = new Uint8Array(256);
  const msg: MsgHdr = withBuf ? { iov: [new Uint8Array(100)], control, controllen: 256 } : { iov: [new Uint8Array(100)] };
  expect(await sys.recvmsg(fd, msg, 0)).toBeGreaterThan(0);
  const cms = withBuf ? parseCmsgs(control, msg.controllen ?? 0) : [];
  const ts = cms.find((c) => c.type === SO_TIMESTAMP);
  const dv = ts ? new DataView(ts.data.buffer, ts.data.byteOffset, 16) : null;
  return { cm: cms.map((c) => [c.level, c.type, c.data.length]), stamp: dv ? [Number(dv.getBigInt64(0, true)), Number(dv.getBigInt64(8, true))] : null, flags: msg.flags ?? 0 };
}

describe('SO_TIMESTAMP on AF_UNIX (Linux 6.18)', () => {
  for (const [name, type] of [['dgram', SOCK_DGRAM], ['seqpacket', SOCK_SEQPACKET]] as const) {
    test(`${name}: stamped with the send time, before the credentials; set after the send: the receive time`, async () => {
      const r = await onHost(async (sys) => {
        const sv: number[] = [];
        await sys.socketpair(AF_UNIX, type, 0, sv);
        await sys.setsockopt(sv[1]!, SOL_SOCKET, SO_TIMESTAMP, 1);
        await sys.setsockopt(sv[1]!, SOL_SOCKET, SO_PASSCRED, 1);
        await sys.sleep(2_500_001_000);
        await sys.send(sv[0]!, Uint8Array.of(1, 2, 3));
        await sys.sleep(1000);
        const first = await recvOne(sys, sv[1]!);
        const pair: number[] = [];
        await sys.socketpair(AF_UNIX, type, 0, pair);
        await sys.send(pair[0]!, Uint8Array.of(1));
        await sys.sleep(7000);
        await sys.setsockopt(pair[1]!, SOL_SOCKET, SO_TIMESTAMP, 1);
        const late = await recvOne(sys, pair[1]!);
        await sys.send(pair[0]!, Uint8Array.of(1));
        const noBuf = await recvOne(sys, pair[1]!, false);
        return { first, late, noBuf: noBuf.flags };
      });
      expect(r.first.cm).toEqual([[1, 29, 16], [1, 2, 12]]);
      expect(r.first.stamp).toEqual([2, 500001]);
      expect(r.late.cm).toEqual([[1, 29, 16]]);
      expect(r.late.stamp).toEqual([2, 500009]); // the receive time, 7 µs after that message was sent
      expect(r.noBuf & MSG_CTRUNC).toBe(MSG_CTRUNC);
    });
  }

  test('stream sockets carry no stamp', async () => {
    const r = await onHost(async (sys) => {
      const sv: number[] = [];
      await sys.socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
      await sys.setsockopt(sv[1]!, SOL_SOCKET, SO_TIMESTAMP, 1);
      await sys.send(sv[0]!, Uint8Array.of(1, 2, 3));
      return recvOne(sys, sv[1]!);
    });
    expect(r.cm).toEqual([]);
  });
});
