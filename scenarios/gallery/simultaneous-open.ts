/**
 * Gallery: TCP simultaneous open (RFC 9293 §3.5, figure 7). Two hosts bind a port each and connect() to each
 * other at the same instant, with no listener anywhere. The SYNs cross on the wire; each side, in SYN-SENT,
 * receives a SYN without an ACK, moves to SYN-RECEIVED and answers with a SYN-ACK (Linux: tcp_rcv_synsent_state_process
 * "simultaneous open"); each SYN-ACK completes the other side's open. Both connect() calls succeed and one
 * connection carries data both ways. An observer on the cable counts the segments by their flags.
 */
import { AF_INET, SOCK_STREAM } from '../../stack/constants.js';
import type { FrameInFlight } from '../../stack/link.js';
import type { Network } from '../../stack/network.js';
import { inet } from '../../stack/sockaddr.js';
import type { Sys } from '../../stack/sys.js';
import { ms } from '../../sim/time.js';
import { bytes, recvFull, sendAll, text } from '../lib/io.js';
import { num, registerScenario, type Params, type ScenarioHooks } from '../registry.js';

/** TCP flag bits (RFC 9293 §3.1). */
const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

/** The TCP flags of an Ethernet/IPv4/TCP frame, or null for anything else. */
function tcpFlags(frame: Uint8Array): number | null {
  if (frame.length < 14 + 20 + 20 || frame[12] !== 0x08 || frame[13] !== 0x00 || frame[14 + 9] !== 6) return null;
  const ihl = (frame[14]! & 0x0f) * 4;
  return frame[14 + ihl + 13]!;
}

function build(net: Network, p: Params): ScenarioHooks {
  const a = net.addHost('a'), b = net.addHost('b');
  const link = net.connect(a, b, { latencyNs: ms(num(p, 'latencyMs')) }, { a: { ipv4: '10.0.0.1/24' }, b: { ipv4: '10.0.0.2/24' } });
  const seen = { syn: 0, synAck: 0, rst: 0, fin: 0, segments: 0 };
  // An observer, not a fault: it passes every frame and counts TCP segments by their flags.
  link.addRule({
    name: 'observe-tcp-flags',
    apply: (f: FrameInFlight) => {
      const fl = tcpFlags(f.bytes);
      if (fl !== null) {
        seen.segments++;
        if (fl & SYN) seen[fl & ACK ? 'synAck' : 'syn']++;
        if (fl & RST) seen.rst++;
        if (fl & FIN) seen.fin++;
      }
      return { kind: 'pass' };
    },
  });
  const results: Record<string, string> = {};
  const side = (me: string, local: string, port: number, peer: string, peerPort: number) => async (sys: Sys) => {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(fd, inet(local, port));
    // Both calls happen at the same virtual instant: neither side listens.
    const r = await sys.connect(fd, inet(peer, peerPort));
    if (r < 0) {
      results[me] = `connect failed, errno ${sys.errno}`;
      return 1;
    }
    const hello = bytes(`hello from ${me}`);
    await sendAll(sys, fd, hello);
    const got = await recvFull(sys, fd, hello.length);
    results[me] = `connected at ${(sys.now / 1e6).toFixed(3)} ms, heard "${got ? text(got) : '(error)'}"`;
    return sys.close(fd);
  };
  const at = ms(10);
  a.spawn('peer-a', side('a', '10.0.0.1', 5000, '10.0.0.2', 6000), at);
  b.spawn('peer-b', side('b', '10.0.0.2', 6000, '10.0.0.1', 5000), at);
  return {
    summary: () => [
      `a: ${results.a ?? 'did not finish'}`,
      `b: ${results.b ?? 'did not finish'}`,
      `on the wire: ${seen.syn} SYN, ${seen.synAck} SYN-ACK, ${seen.fin} FIN, ${seen.rst} RST in ${seen.segments} segments`,
    ],
    ok: () => results.a?.endsWith('heard "hello from b"') === true && results.b?.endsWith('heard "hello from a"') === true
      && seen.syn === 2 && seen.synAck === 2 && seen.rst === 0,
  };
}

registerScenario({
  name: 'simultaneous-open',
  description: 'gallery: two hosts connect() to each other at once; the SYNs cross and one connection forms',
  defaults: { latencyMs: 10 },
  maxTimeNs: 120e9,
  build,
});
