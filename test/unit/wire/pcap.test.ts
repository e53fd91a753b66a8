/** Classic pcap files (pcap-savefile(5)): nanosecond magic 0xa1b23c4d so integer-ns virtual time is exact. */

import { describe, expect, test as plainTest } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { LINKTYPE_ETHERNET, PcapWriter, readPcap } from '../../../stack/wire/pcap.js';
import { arbMutated } from './arbitraries.js';
import { expectOnlyWireError, expectWireError } from './fuzz.js';
import { fromHex, toHex } from './golden.js';

/** Virtual times up to about 104 days, the range where integer nanoseconds stay exact doubles. */
const arbTimeNs = fc.oneof(fc.nat(), fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((s) => s * 4_194_304 + 123));

describe('pcap', () => {
  plainTest('file header: little-endian ns magic, version 2.4, zone 0, sigfigs 0, snaplen, LINKTYPE_ETHERNET', () => {
    expect(toHex(new PcapWriter().toBytes())).toBe('4d3cb2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' +
      '01000000');
    expect(toHex(new PcapWriter(101, 65535).toBytes().subarray(16))).toBe('ffff0000' + '65000000');
  });
  plainTest('a record splits the time into seconds and nanoseconds exactly', () => {
    const w = new PcapWriter();
    w.addPacket(1_500_000_000_123, Uint8Array.of(0xaa, 0xbb));
    expect(toHex(w.toBytes().subarray(24))).toBe('dc050000' + '7b000000' + '02000000' + '02000000' + 'aabb');
  });
  plainTest('frames over snaplen keep their original length and lose their tail', () => {
    const w = new PcapWriter(LINKTYPE_ETHERNET, 4);
    w.addPacket(0, Uint8Array.of(1, 2, 3, 4, 5, 6));
    const rec = readPcap(w.toBytes()).records[0];
    expect(rec.origLen).toBe(6);
    expect(Array.from(rec.data)).toEqual([1, 2, 3, 4]);
  });
  plainTest('refuses negative or fractional timestamps', () => {
    expect(() => new PcapWriter().addPacket(-1, new Uint8Array(1))).toThrow(RangeError);
    expect(() => new PcapWriter().addPacket(0.5, new Uint8Array(1))).toThrow(RangeError);
  });
  test.prop([fc.array(fc.tuple(arbTimeNs, fc.uint8Array({ maxLength: 300 })), { maxLength: 40 })], { numRuns: 100 })(
    'readPcap gives back every packet and time written (the buffer grows across many packets)', (pkts) => {
      const w = new PcapWriter();
      for (const [t, f] of pkts) w.addPacket(t, f);
      const file = readPcap(w.toBytes());
      expect(file).toMatchObject({ linkType: 1, snaplen: 262144, nanosecond: true });
      expect(file.records).toEqual(pkts.map(([timeNs, data]) => ({ timeNs, origLen: data.length, data })));
    });
  plainTest('reads big-endian microsecond files (tcpdump on a big-endian host) scaling µs to ns', () => {
    const be = fromHex('a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000001' + '00000002 000f4240 00000001 00000003 ee');
    const file = readPcap(be);
    expect(file).toMatchObject({ linkType: 1, snaplen: 65535, nanosecond: false });
    expect(file.records).toEqual([{ timeNs: 3_000_000_000, origLen: 3, data: Uint8Array.of(0xee) }]);
  });
  plainTest('bad magic and cut records are WireErrors', () => {
    expectWireError(() => readPcap(new Uint8Array(24)), 'pcap', 'bad-magic');
    expectWireError(() => readPcap(new Uint8Array(23)), 'pcap', 'truncated');
    const w = new PcapWriter();
    w.addPacket(1, new Uint8Array(10));
    expectWireError(() => readPcap(w.toBytes().subarray(0, 24 + 15)), 'pcap', 'truncated');
    expectWireError(() => readPcap(w.toBytes().subarray(0, 24 + 16 + 9)), 'pcap', 'truncated');
  });
  const arbFile = fc.array(fc.tuple(arbTimeNs, fc.uint8Array({ maxLength: 40 })), { maxLength: 4 }).map((pkts) => {
    const w = new PcapWriter();
    for (const [t, f] of pkts) w.addPacket(t, f);
    return w.toBytes();
  });
  test.prop([fc.oneof(fc.uint8Array({ maxLength: 120 }), arbMutated(arbFile))], { numRuns: 500 })(
    'random or damaged files: returns or throws WireError', (bytes) => {
      expectOnlyWireError(() => readPcap(bytes), bytes.length);
    });
});
