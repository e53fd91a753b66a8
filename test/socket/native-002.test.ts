/**
 * The seed-002 native API over socksim's AF_UNIX and UDP: the server/client example of its documentation, a socket
 * pair, datagrams with sender names, and handle errors (a closed or unknown handle is EBADF, like a bad fd).
 */
import { describe, expect, test } from 'vitest';
import { Errno } from '../../stack/errno.js';
import { NativeSockets } from '../../stack/native-002.js';
import { oneHost, runOne } from './helpers.js';

describe('seed 002 native sockets', () => {
  test('the documented server/client exchange: create, bind to a path, listen, connect, accept', async () => {
    const { sim, h } = oneHost();
    const got: unknown[] = [];
    h.spawn('server', async (sys) => {
      const n = new NativeSockets(sys);
      const s = await n.sys_socket_create();
      got.push(await n.sys_socket_bind(s, '/tmp/server.sock'), await n.sys_socket_listen(s, 5));
      const c = await n.sys_socket_accept(s);
      const buf = new Uint8Array(16);
      got.push(c > s, await n.sys_socket_recvfrom(c, buf));
    });
    h.spawn('client', async (sys) => {
      const n = new NativeSockets(sys);
      const c = await n.sys_socket_create();
      got.push(await n.sys_socket_connect(c, '/tmp/server.sock'));
      got.push(await n.sys_socket_sendto(c, new Uint8Array([1, 2, 3]), null));
    });
    await sim.run();
    expect(got).toEqual([0, 0, 0, 3, true, { n: 3, from: null }]);
  });

  test('socketpair handles, shutdown, datagrams with sender names, and EBADF for unknown handles', async () => {
    const out = await runOne(async (sys) => {
      const n = new NativeSockets(sys);
      const r: unknown[] = [];
      const pair = await n.sys_socketpair();
      if (pair === -1) throw new Error('socketpair failed');
      r.push(pair, await n.sys_socket_sendto(pair[0], new Uint8Array(2), null));
      r.push(await n.sys_socket_shutdown(pair[0], 'write'), await n.sys_socket_recvfrom(pair[1], new Uint8Array(8)));
      r.push(await n.sys_socket_recvfrom(pair[1], new Uint8Array(8))); // end of stream after the shutdown
      const a = await n.sys_socket_create('dgram'), b = await n.sys_socket_create('dgram');
      await n.sys_socket_bind(a, '/tmp/a');
      await n.sys_socket_bind(b, '/tmp/b');
      r.push(await n.sys_socket_sendto(a, new Uint8Array(4), '/tmp/b'), await n.sys_socket_recvfrom(b, new Uint8Array(8)));
      r.push(await n.sys_socket_sendto(a, new Uint8Array(1), '/tmp/none'), n.errno);
      await n.sys_handle_close(b);
      r.push(await n.sys_socket_listen(b, 1), n.errno, await n.sys_socket_bind(99, '/tmp/x'), n.errno);
      return r;
    });
    expect(out).toEqual([
      [1, 2], 2, 0, { n: 2, from: null }, { n: 0, from: null }, 4, { n: 4, from: '/tmp/a' },
      -1, Errno.ENOENT, -1, Errno.EBADF, -1, Errno.EBADF,
    ]);
  });
});
