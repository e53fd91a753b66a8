/**
 * The runner's model of the script's sockets, after packetdrill's socket.h and run_packet.c: each socket has a
 * script side (fds and initial sequence numbers as written) and a live side (the fds and 4-tuple the stack
 * really uses, the ISN it chose). Packets are mapped between the two spaces: the script's local ISN (usually 0)
 * stands for the live ISN, the remote ISN is the script's own choice, and TS vals the stack sends are recorded so
 * an inbound `ecr` naming a script TS val can be given the live one.
 */
import type { PacketEvent } from '../ast.js';

/** packetdrill's socket states (socket.h enum socket_state_t) that the runner needs. */
export type SocketState =
  | 'new' | 'listening' | 'connecting' | 'syn-sent' | 'syn-acked'
  | 'passive-syn-received' | 'passive-synack-sent' | 'passive-synack-acked';

/** One end of a connection on the wire: address text (dotted IPv4 or canonical IPv6) and port. */
export interface WireEnd {
  ip: string;
  port: number;
}

/** A socket the script knows. */
export class ScriptSocket {
  /** The fd the script names (-1 until a syscall gives it one). */
  scriptFd = -1;
  /** The fd the simulated process really has. */
  liveFd = -1;
  state: SocketState = 'new';
  /** The live 4-tuple, filled in by bind/connect/the first packets. */
  readonly local: WireEnd = { ip: '', port: 0 };
  readonly remote: WireEnd = { ip: '', port: 0 };
  /** Initial sequence numbers in script space and live. */
  scriptLocalIsn = 0;
  liveLocalIsn = 0;
  scriptRemoteIsn = 0;
  liveRemoteIsn = 0;
  /** Script TS val → live TS val, as seen in outbound packets (packetdrill's ts_val_map). */
  readonly tsValMap = new Map<number, number>();
  /** The first TS val pair, the baseline for mapping live TS vals into script space. */
  firstTs: { script: number; live: number } | null = null;
  /** The first script → live IPv6 flow label pair (verify_outbound_live_ipv6_flowlabel). */
  flowLabel: { script: number; live: number } | null = null;
  /** Set once the script closed the socket's fd (accept must not hand it out again). */
  closed = false;
  /** Whether this socket was created by socket(2) (else it is a passive child made by an inbound SYN). */
  constructor(readonly protocol: 'tcp' | 'udp', readonly active: boolean) {}

  /** Script → live offset of our own sequence numbers (seq of outbound, ack of inbound). */
  localScriptToLive(): number {
    return (this.liveLocalIsn - this.scriptLocalIsn) >>> 0;
  }

  /** Script → live offset of the peer's sequence numbers. */
  remoteScriptToLive(): number {
    return (this.liveRemoteIsn - this.scriptRemoteIsn) >>> 0;
  }

  /** Records an outbound TS val pair and maps the live value into script space (map_outbound_live_packet). */
  mapOutboundTsVal(scriptVal: number, liveVal: number): number {
    this.tsValMap.set(scriptVal >>> 0, liveVal >>> 0);
    if (this.firstTs === null) this.firstTs = { script: scriptVal >>> 0, live: liveVal >>> 0 };
    return (this.firstTs.script + (liveVal - this.firstTs.live)) >>> 0;
  }
}

/** Where a live packet belongs. */
export interface LiveMatch {
  socket: ScriptSocket;
}

/** Every socket of a run plus the one packets are mapped to (packetdrill's socket_under_test). */
export class SocketTable {
  readonly all: ScriptSocket[] = [];
  underTest: ScriptSocket | null = null;
  private nextEphemeral = 48_000;

  /** A socket made by socket(2), which becomes the socket under test. */
  create(protocol: 'tcp' | 'udp', scriptFd: number, liveFd: number): ScriptSocket {
    const s = new ScriptSocket(protocol, true);
    s.scriptFd = scriptFd;
    s.liveFd = liveFd;
    this.all.push(s);
    this.underTest = s;
    return s;
  }

  /** The socket whose live fd is fd. */
  byLiveFd(fd: number): ScriptSocket | undefined {
    return this.all.find((s) => s.liveFd === fd);
  }

  /** Forgets an fd after close(2); the socket stays, for packets sent after the close. */
  closeFd(fd: number): void {
    for (const s of this.all) {
      if (s.liveFd === fd) {
        s.liveFd = -1;
        s.scriptFd = -1;
        s.closed = true;
      }
    }
  }

  /**
   * The socket a script packet is about (find_or_create_socket_for_script_packet): an inbound SYN to a listening
   * socket makes a passive child with an ephemeral remote port; an outbound SYN moves a connecting socket to
   * SYN-SENT; anything else goes to the socket under test. Returns an error message when there is none.
   */
  forScriptPacket(p: PacketEvent, remoteIp: string): ScriptSocket | string {
    const ut = this.underTest;
    if (p.body.protocol === 'tcp') {
      const f = p.body.flags;
      if (p.direction === 'inbound' && f.syn && !f.ack && ut && ut.state === 'listening') {
        const child = new ScriptSocket('tcp', false);
        child.state = 'passive-syn-received';
        child.local.ip = ut.local.ip;
        child.local.port = ut.local.port;
        child.remote.ip = remoteIp;
        child.remote.port = this.nextEphemeral++;
        child.scriptRemoteIsn = p.body.seq.start >>> 0;
        child.liveRemoteIsn = p.body.seq.start >>> 0;
        this.all.push(child);
        this.underTest = child;
        return child;
      }
      if (p.direction === 'outbound' && f.syn && !f.ack && ut && ut.state === 'connecting') {
        ut.state = 'syn-sent';
        ut.scriptLocalIsn = p.body.seq.start >>> 0;
        return ut;
      }
    }
    if (ut) return ut;
    return 'no matching socket for script packet';
  }

  /**
   * The socket a live outbound packet belongs to: an exact 4-tuple match, or a socket in SYN-SENT (or a
   * connecting UDP socket) whose peer it goes to, which then learns its local port and ISN
   * (find_socket_for_live_packet, find_connect_for_live_packet).
   */
  forLivePacket(src: WireEnd, dst: WireEnd, proto: 'tcp' | 'udp', syn: boolean, ack: boolean, seq: number): ScriptSocket | null {
    for (const s of this.all) {
      if (s.protocol !== proto) continue;
      if (s.local.ip === src.ip && s.local.port === src.port && s.remote.ip === dst.ip && s.remote.port === dst.port) return s;
    }
    for (const s of this.all) {
      const waiting = proto === 'tcp' ? s.state === 'syn-sent' && syn && !ack : s.state === 'connecting';
      if (s.protocol !== proto || !waiting) continue;
      if (s.remote.ip !== dst.ip || s.remote.port !== dst.port) continue;
      s.local.ip = src.ip;
      s.local.port = src.port;
      if (proto === 'tcp') s.liveLocalIsn = seq >>> 0;
      return s;
    }
    return null;
  }

  /** The passive child an accept(2) returns: the oldest one the handshake completed for, without an fd. */
  takeAccepted(listenFd: number): ScriptSocket | undefined {
    const listener = this.byLiveFd(listenFd);
    const port = listener?.local.port;
    const ready = (s: ScriptSocket): boolean => !s.active && !s.closed && s.liveFd < 0 && (port === undefined || s.local.port === port);
    return this.all.find((s) => ready(s) && s.state === 'passive-synack-acked') ?? this.all.find(ready);
  }
}
