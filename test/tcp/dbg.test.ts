import { test } from 'vitest';
import { Harness } from './harness.js';
import { listenOn } from './util.js';
import { AF_INET, SOCK_STREAM } from '../../stack/constants.js';
import { inet } from '../../stack/sockaddr.js';
test('dbg passive', async () => {
  const h = new Harness();
  h.proc(async (sys) => {
    const l = await listenOn(sys, 8080);
    const c = await sys.accept(l, null);
    const buf = new Uint8Array(2000);
    const n = await sys.read(c, buf);
    console.log('read', n, sys.now);
    await sys.write(c, new Uint8Array(10));
    await sys.close(c);
  });
  h.inject(0.1, 'S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>');
  h.inject(0.2, '. 1:1(0) ack 1 win 257 <nop,nop,TS val 200 ecr 100>');
  h.inject(0.3, 'P. 1:1001(1000) ack 1 win 257 <nop,nop,TS val 300 ecr 100>');
  h.inject(0.5, '. 1001:1001(0) ack 11 win 257 <nop,nop,TS val 400 ecr 100>');
  h.inject(0.6, 'F. 1001:1001(0) ack 12 win 257 <nop,nop,TS val 500 ecr 100>');
  await h.run();
  console.log(h.lines().join('\n'));
});
test('dbg active', async () => {
  const h = new Harness();
  h.proc(async (sys) => {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    const r = await sys.connect(fd, inet('192.0.2.1', 8080));
    console.log('connect', r, sys.errno, sys.now);
  });
  h.at(0, () => { h.localPort = 0; });
  await h.run();
  console.log(h.lines().join('\n'));
});
