import { describe, expect, test } from 'vitest';
import { twoHosts, listenOn, connectTo, sendAll, readAll, pattern } from './util.js';

describe('TCP smoke', () => {
  test('handshake, data both ways, orderly close', async () => {
    const { sim, a, b } = twoHosts();
    const data = pattern(100_000);
    let got: Uint8Array | null = null;
    let end = -1;
    b.spawn('server', async (sys) => {
      const l = await listenOn(sys, 80);
      const c = await sys.accept(l, null);
      expect(c).toBeGreaterThanOrEqual(0);
      const r = await readAll(sys, c);
      got = r.data;
      end = r.end;
      await sys.close(c);
      await sys.close(l);
    });
    a.spawn('client', async (sys) => {
      const fd = await connectTo(sys, '10.0.0.2', 80);
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(await sendAll(sys, fd, data)).toBe(data.length);
      await sys.close(fd);
    });
    const r = await sim.run();
    expect(r.status).toBe('completed');
    expect(end).toBe(0);
    expect(got!.length).toBe(data.length);
    expect(Buffer.from(got!).equals(Buffer.from(data))).toBe(true);
  });
});
