import { test } from 'vitest';
import { Harness } from './harness.js';
import { listenOn } from './util.js';
test('zw no ts', async () => {
  const h = new Harness({ packetdrill: true });
  h.proc(async (sys) => { const l = await listenOn(sys, 8080); const c = await sys.accept(l, null); await sys.write(c, new Uint8Array(2000));
    const t = h.host.tcp.connections()[0]!; console.log('after write', t.xmitPending, t.xmitTimer.deadline, t.rto, t.sndWnd, t.packetsOut, t.hasUnsent(), t.state);
    await sys.sleep(3e9); });
  h.inject(0, 'S 0:0(0) win 65535 <mss 1460,sackOK,nop,nop,nop,wscale 7>');
  h.inject(0.1, '. 1:1(0) ack 1 win 0');
  await h.run(); console.log(h.lines().join('\n'));
});
