import { describe, expect, test } from 'vitest';
import { Sim } from '../../sim/sim.js';
import { Network } from '../../stack/network.js';
import { Errno } from '../../stack/errno.js';

describe('interface enumeration through Sys', () => {
  test('if_nametoindex/if_indextoname give Linux results and errnos; getifaddrs lists lo first', async () => {
    const sim = new Sim({ seed: 1 });
    const net = new Network(sim);
    const a = net.addHost('a'), b = net.addHost('b');
    net.connect(a, b, {}, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
    const seen: unknown[] = [];
    a.spawn('p', async (sys) => {
      seen.push(await sys.if_nametoindex('lo'), await sys.if_nametoindex('eth0'));
      // glibc's if_nametoindex on Linux: 0 and ENODEV (the SIOCGIFINDEX ioctl's error) for an unknown name
      seen.push(await sys.if_nametoindex('nope'), sys.errno === Errno.ENODEV);
      seen.push(await sys.if_indextoname(2));
      // if_indextoname: NULL and ENXIO for an unknown index
      seen.push(await sys.if_indextoname(42), sys.errno === Errno.ENXIO);
      const ifs = await sys.getifaddrs();
      seen.push(ifs[0]!.name, (await sys.if_nameindex()).map((x) => x.name));
    });
    await sim.run();
    expect(seen).toEqual([1, 2, 0, true, 'eth0', null, true, 'lo', ['lo', 'eth0']]);
  });
});
