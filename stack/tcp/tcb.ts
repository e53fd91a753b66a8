/**
 * The transmission control block (RFC 9293 §3.3.1) of one connection, with Linux's extra state (struct tcp_sock,
 * inet_connection_sock): the send and receive sequence variables, negotiated options, the retransmission queue
 * and its SACK scoreboard, congestion control, RTT estimation, delayed-ACK state and timers. Behaviour lives in
 * the sibling modules (input, ack, output, recovery, timers); this file holds the data and small helpers.
 */
import { MS } from '../../sim/time.js';
import type { TcpLayer } from './layer.js';
import type { TcpSocket } from './tcp-socket.js';
import type { IpAddr } from './isn.js';
import type { CongestionControl } from './congestion/cc.js';
import { SendBuffer } from './sendbuf.js';
import { OooQueue, RecvQueue } from './rcvqueue.js';
import { LazyTimer, type TimerTarget } from './lazy-timer.js';
import { MAX_SACK_BLOCKS } from './segment.js';
import { thawFields, widenFields } from '../../sim/repr.js';

/** Connection states, numbered as Linux's TCP_* (include/net/tcp_states.h), which TCP_INFO reports. */
export const TCP_ESTABLISHED = 1, TCP_SYN_SENT = 2, TCP_SYN_RECV = 3, TCP_FIN_WAIT1 = 4, TCP_FIN_WAIT2 = 5,
  TCP_TIME_WAIT = 6, TCP_CLOSE = 7, TCP_CLOSE_WAIT = 8, TCP_LAST_ACK = 9, TCP_LISTEN = 10, TCP_CLOSING = 11;

/** State names for recordings, indexed by state number. */
export const STATE_NAMES = ['?', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT',
  'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'];

/** Congestion-avoidance states (enum tcp_ca_state). */
export const CA_OPEN = 0, CA_DISORDER = 1, CA_CWR = 2, CA_RECOVERY = 3, CA_LOSS = 4;

/** sk_shutdown bits. */
export const RCV_SHUTDOWN = 1, SEND_SHUTDOWN = 2;

/** icsk_ack.pending bits (inet_connection_sock.h). */
export const ACK_SCHED = 1, ACK_TIMER = 2, ACK_PUSHED = 4, ACK_PUSHED2 = 8, ACK_NOW = 16, ACK_NOMEM = 32;

/** SACK blocks kept (TCP_NUM_SACKS). */
export const MAX_SACKS = 4;

/** TCP_SKB_CB(skb)->sacked bits. */
export const S_SACKED = 1, S_RETRANS = 2, S_LOST = 4, S_EVER_RETRANS = 16;

/** Linux constants (include/net/tcp.h). */
export const TCP_TIMEOUT_INIT = 1000 * MS, TCP_TIMEOUT_FALLBACK = 3000 * MS, TCP_DELACK_MIN = 40 * MS,
  TCP_DELACK_MAX = 200 * MS, TCP_ATO_MIN = 40 * MS, TCP_MAX_QUICKACKS = 16, TCP_TIMEWAIT_LEN = 60_000 * MS,
  TCP_MSS_DEFAULT = 536, TCP_MIN_MSS = 88, TCP_MAX_WSCALE = 14, TCP_INIT_CWND = 10,
  TCP_RESOURCE_PROBE_INTERVAL = 500 * MS, TCP_INFINITE_SSTHRESH = 0x7fffffff;

/** One transmitted segment on the retransmission queue (an skb of the rtx queue). */
export class TxSeg {
  /** Bit set of S_SACKED, S_RETRANS, S_LOST, S_EVER_RETRANS. */
  sacked = 0;
  /** Last (re)transmission time, ns. */
  xmitTime = 0;
  /** Links of the time-sorted list of unacked, un-SACKed segments (tsorted_sent_queue), used by RACK. */
  tsPrev: TxSeg | null = null;
  tsNext: TxSeg | null = null;
  inTs = false;
  constructor(
    public seq: number,
    public end: number,
    /** TCP flags it was sent with (SYN, FIN, PSH, URG). */
    public flags: number,
  ) {}
}

// Sequence numbers and send times are above 2^30 sooner or later; SACK bits change only once losses start
// (sim/repr.ts).
thawFields(widenFields(new TxSeg(0, 0, 0), ['seq', 'end', 'xmitTime']));

/**
 * Fields of a TCB that hold 32-bit sequence numbers and timestamps, or virtual times and timer durations (ns):
 * doubles from the start (sim/repr.ts). Each costs a boxed number per connection (about 1 KB in all), so byte
 * counters, windows and user timeouts, which pass 2^30 rarely or before any code is hot, are left out.
 */
const WIDE_FIELDS = [
  'iss', 'sndUna', 'sndNxt', 'sndWl1', 'sndWl2', 'writeSeq', 'pushedSeq', 'sndSml', 'sndUp', 'sndBufSeq', 'tailSkbSeq',
  'irs', 'rcvNxt', 'rcvWup', 'copiedSeq', 'rcvqSpaceSeq', 'rcvRttSeq', 'dsackStart', 'dsackEnd', 'highSeq',
  'undoMarker', 'highSacked', 'rackEndSeq', 'tlpHighSeq', 'cwndUsageSeq', 'rttSeq', 'compressedAckRcvNxt', 'urgSeq',
  'tsRecent', 'tsOff', 'rcvTsecr', 'rcvRttLastTsecr',
  'rcvqSpaceTime', 'rcvRttTime', 'tsRecentStamp', 'cwndStamp', 'rackMstamp', 'rto', 'retransStamp', 'probesTstamp',
  'ackTimeout', 'lrcvtime', 'lsndtime', 'rcvTstamp', 'lastDataRecv', 'twDeadline', 'synSentAt', 'synackSentAt',
  'lastOowAck', 'rwndLimitedNs', 'sndbufLimitedNs', 'busyNs', 'chronoStart',
];

/** Whether the shared hidden class of TCBs has been prepared (sim/repr.ts): the first TCB of a process does it. */
let fieldsPrepared = false;

/** The TCB. */
export class Tcb implements TimerTarget {
  // Identity.
  /** Run-wide connection number, for recordings. */
  readonly id: number;
  /** IP version of the connection. */
  v: 4 | 6 = 4;
  laddr: IpAddr = 0;
  raddr: IpAddr = 0;
  lport = 0;
  rport = 0;
  /** A printable id for recordings, built on first use. */
  private label: string | null = null;

  state = TCP_CLOSE;
  caState = CA_OPEN;

  // Send sequence space (RFC 9293 §3.3.1) and Linux's extras.
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** Peer's window, already scaled. */
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  maxWindow = 0;
  /** Sequence number after the last byte the application wrote (write_seq). */
  writeSeq = 0;
  pushedSeq = 0;
  /** End of the last small segment sent (Minshall's Nagle variant, tcp_minshall_update). */
  sndSml = 0;
  /** Urgent pointer (snd_up), valid while urgMode. */
  sndUp = 0;
  urgMode = false;
  sndWscale = 0;
  readonly sendBuf = new SendBuffer();
  /** Sequence number of the first byte held in sendBuf. */
  sndBufSeq = 0;
  /** Sequence numbers that end a write and so carry PSH (tcp_mark_push), ascending, all after sndNxt. */
  readonly pushMarks: number[] = [];
  /** Ends of MSG_EOR writes not yet fully sent (TCP_SKB_CB(skb)->eor): no segment is built across one. */
  readonly eorMarks: number[] = [];
  /** First sequence number of the unsent tail skb (tcp_write_queue_tail), for the TCP_NOTSENT_LOWAT copy loop. */
  tailSkbSeq = 0;
  /** Bytes of the current write already appended by that loop (tcp-data.ts). */
  lowatCopied = 0;
  /** RFC 3168 ECN negotiated on this connection (TCP_ECN_OK in tp->ecn_flags). */
  ecnOk = false;
  /** The retransmission queue, oldest first, from rtxHead. */
  readonly rtx: TxSeg[] = [];
  rtxHead = 0;
  /** Where tcp_xmit_retransmit_queue resumes (retransmit_skb_hint), an index into rtx, -1 for none. */
  rtxHint = -1;
  /** The time-sorted list ends (oldest transmission first). */
  tsHead: TxSeg | null = null;
  tsTail: TxSeg | null = null;
  /** A FIN is queued after writeSeq (shutdown(SHUT_WR) or close()). */
  finQueued = false;
  /** The SYN is still to be acknowledged. */
  synPending = false;

  // Receive sequence space.
  irs = 0;
  rcvNxt = 0;
  /** The window last advertised (unscaled bytes) and the RCV.NXT it was advertised at. */
  rcvWnd = 0;
  rcvWup = 0;
  rcvWscale = 0;
  /** Sequence number of the next byte the application will read. */
  copiedSeq = 0;
  windowClamp = 0;
  rcvSsthresh = 0;
  readonly rcvQueue = new RecvQueue();
  readonly ooo = new OooQueue();
  /** Receive-buffer auto-tuning (tcp_rcv_space_adjust). */
  rcvqSpace = 0;
  rcvqSpaceSeq = 0;
  rcvqSpaceTime = 0;
  /** Receiver RTT estimate (rcv_rtt_est), µs << 3, and its measurement window. */
  rcvRttUs = 0;
  rcvRttLastTsecr = 0;
  rcvRttSeq = 0;
  rcvRttTime = 0;
  /** skb payload / truesize ratio, << 8 (tcp_win_from_space). */
  scalingRatio = 128;

  // Negotiated options.
  tsOk = false;
  sackOk = false;
  wscaleOk = false;
  tsRecent = 0;
  /** When tsRecent was taken (ns), 0 = never. */
  tsRecentStamp = 0;
  tsOff = 0;
  /** TSecr of the segment being processed (0: none). */
  rcvTsecr = 0;
  sawTstamp = false;
  /** Peer's MSS (mss_clamp), and the user's TCP_MAXSEG (0: none). */
  mssClamp = TCP_MSS_DEFAULT;
  userMss = 0;
  /** Our announced MSS. */
  advmss = 1460;
  /** Effective send MSS, payload bytes per segment after options (mss_cache). */
  mssCache = TCP_MSS_DEFAULT;
  /** TCP header length our data segments carry (20 + 12 with timestamps). */
  tcpHeaderLen = 20;
  /** Path MTU in use. */
  pmtu = 1500;

  /** SACK blocks of the previous ACK (recv_sack_cache) and scratch for the current one. */
  readonly sackCache = new Uint32Array(2 * MAX_SACK_BLOCKS);
  readonly sackCacheNext = new Uint32Array(2 * MAX_SACK_BLOCKS);
  sackCacheN = 0;

  // Receiver SACK state (rx_opt.num_sacks, selective_acks, duplicate_sack).
  numSacks = 0;
  readonly sacks = new Uint32Array(2 * MAX_SACK_BLOCKS);
  dsack = false;
  dsackStart = 0;
  dsackEnd = 0;

  // Congestion control and loss recovery.
  cc: CongestionControl;
  cwnd = TCP_INIT_CWND;
  ssthresh = TCP_INFINITE_SSTHRESH;
  cwndCnt = 0;
  cwndStamp = 0;
  priorCwnd = 0;
  priorSsthresh = 0;
  highSeq = 0;
  undoMarker = 0;
  undoRetrans = -1;
  packetsOut = 0;
  sackedOut = 0;
  lostOut = 0;
  retransOut = 0;
  reordering = 3;
  reordSeen = 0;
  /** RFC 6937 PRR state. */
  prrDelivered = 0;
  prrOut = 0;
  /** Segments delivered (acked or sacked) in total, and lost. */
  delivered = 0;
  lost = 0;
  totalRetrans = 0;
  /** Highest SACKed sequence (for RACK and reordering detection). */
  highSacked = 0;
  /** RACK (RFC 8985 §6.1): most recent (re)transmission time delivered, its end sequence, and the RTT. */
  rackMstamp = 0;
  rackEndSeq = 0;
  rackRttUs = 0;
  rackReoWndSteps = 1;
  rackAdvanced = false;
  /** Tail loss probe in flight (tlp_high_seq), and whether it was a retransmission. */
  tlpHighSeq = 0;
  tlpRetrans = false;
  /** F-RTO (RFC 5682) is probing whether the last retransmission timeout was spurious (tp->frto). */
  frto = false;
  /** Dup-ACKs seen for a non-SACK peer (counted in sackedOut as Linux's tcp_add_reno_sack does). */
  /** ACKs freed send-buffer space since the last tcp_check_space (SOCK_QUEUE_SHRUNK). */
  queueShrunk = false;
  isCwndLimited = false;
  maxPacketsOut = 0;
  cwndUsageSeq = 0;
  sndCwndUsed = 0;

  // RTT estimation (tcp_rtt_estimator): srtt << 3 and mdev << 2, in µs.
  srttUs = 0;
  mdevUs = 0;
  mdevMaxUs = 0;
  rttvarUs = 0;
  rttSeq = 0;
  minRttUs = 0;
  /** Retransmission timeout, ns. */
  rto = TCP_TIMEOUT_INIT;
  backoff = 0;
  retransmits = 0;
  totalRto = 0;
  /** Time the first unacknowledged segment was first sent while retransmitting (retrans_stamp), 0: none. */
  retransStamp = 0;
  probesOut = 0;
  probesTstamp = 0;

  // Delayed ACK (icsk_ack).
  ackPending = 0;
  quick = 0;
  pingpong = 0;
  ato = 0;
  ackTimeout = 0;
  lrcvtime = 0;
  rcvMss = TCP_MSS_DEFAULT;
  lastSegSize = 0;
  /** Compressed SACK state (tcp_sack_compress_send_ack). */
  compressedAck = 0;
  compressedAckRcvNxt = 0;
  dupAckCounter = 0;

  // Times (ns).
  /** Last data sent (lsndtime), last ACK received (rcv_tstamp), last data received, connection start. */
  lsndtime = 0;
  rcvTstamp = 0;
  lastDataRecv = 0;
  /** When TIME_WAIT (or an orphan's FIN_WAIT2 linger) ends; 0 while not in either. */
  twDeadline = 0;
  /** When our first SYN went out (the SYN-ACK's TSecr must echo something after it). */
  synSentAt = 0;
  /** When the SYN-ACK that created this (passive) connection was sent, and whether it was resent. */
  synackSentAt = -1;
  synackRetrans = false;
  /** Time of the last challenge ACK / out-of-window dup ACK (rate limiting, tcp_oow_rate_limited). */
  lastOowAck = 0;

  // User settings.
  nodelay = false;
  cork = false;
  keepIdleNs = 0;
  keepIntvlNs = 0;
  keepCnt = 0;
  synRetries = 0;
  userTimeoutNs = 0;
  notsentLowat = 0;
  linger2Ns = 0;
  /** SO_RCVBUF / SO_SNDBUF were set by the user (SOCK_RCVBUF_LOCK / SOCK_SNDBUF_LOCK). */
  rcvbufLocked = false;
  sndbufLocked = false;

  // Shutdown, errors, urgent data.
  shutdown = 0;
  /** SOCK_DONE: the peer's FIN was seen (tcp_fin()). */
  done = false;
  /** The socket is closed by the user (SOCK_DEAD): an orphan finishing its shutdown. */
  dead = false;
  softError = 0;
  /** Received urgent state (urg_data: URG_VALID | byte, URG_NOTYET, URG_READ; 0 none) and its sequence. */
  urgData = 0;
  urgSeq = 0;

  // Counters for TCP_INFO.
  bytesSent = 0;
  bytesRetrans = 0;
  bytesAcked = 0;
  bytesReceived = 0;
  segsOut = 0;
  segsIn = 0;
  dataSegsOut = 0;
  dataSegsIn = 0;
  dsackDups = 0;
  rcvOoopack = 0;
  rwndLimitedNs = 0;
  sndbufLimitedNs = 0;
  busyNs = 0;
  chronoStart = 0;
  chronoType = 0;

  /** IP id counter of the connection (inet_id, random start). */
  ipId = 0;

  // Timers.
  readonly xmitTimer: LazyTimer;
  /** Which event xmitTimer stands for: 1 RTO, 2 zero-window probe, 3 TLP, 4 RACK reordering. */
  xmitPending = 0;
  readonly delackTimer: LazyTimer;
  readonly keepaliveTimer: LazyTimer;
  readonly compAckTimer: LazyTimer;

  constructor(readonly layer: TcpLayer, public sock: TcpSocket, cc: CongestionControl) {
    this.id = layer.nextConnId();
    this.cc = cc;
    const sim = layer.host.sim;
    this.xmitTimer = new LazyTimer(sim, this, 0);
    this.delackTimer = new LazyTimer(sim, this, 1);
    this.keepaliveTimer = new LazyTimer(sim, this, 2);
    this.compAckTimer = new LazyTimer(sim, this, 3);
    this.reordering = layer.sysctl.reordering;
    if (!fieldsPrepared) {
      // Many fields change for the first time when the first loss is recovered, in the middle of a transfer.
      fieldsPrepared = true;
      thawFields(widenFields(this, WIDE_FIELDS));
      thawFields(this.rcvQueue);
      thawFields(this.ooo);
      thawFields(this.sendBuf);
    }
  }

  /** Timer expiry: dispatched by the layer (timers.ts). */
  fireTimer(kind: number): void {
    this.layer.timerFired(this, kind);
  }

  /** A printable connection id: "host#n laddr:lport>raddr:rport". */
  get name(): string {
    if (this.label === null) this.label = `${this.layer.host.name}#${this.id}`;
    return this.label;
  }

  /** Unacked segments still considered in the network (tcp_packets_in_flight, RFC 6675 "pipe"). */
  inFlight(): number {
    return this.packetsOut - (this.sackedOut + this.lostOut) + this.retransOut;
  }

  /** Appends s to the time-sorted list (it was just transmitted). */
  tsAppend(s: TxSeg): void {
    if (s.inTs) this.tsUnlink(s);
    s.inTs = true;
    s.tsPrev = this.tsTail;
    s.tsNext = null;
    if (this.tsTail) this.tsTail.tsNext = s;
    else this.tsHead = s;
    this.tsTail = s;
  }

  /** Removes s from the time-sorted list. */
  tsUnlink(s: TxSeg): void {
    if (!s.inTs) return;
    s.inTs = false;
    if (s.tsPrev) s.tsPrev.tsNext = s.tsNext;
    else this.tsHead = s.tsNext;
    if (s.tsNext) s.tsNext.tsPrev = s.tsPrev;
    else this.tsTail = s.tsPrev;
    s.tsPrev = s.tsNext = null;
  }

  /** Oldest segment on the retransmission queue, if any. */
  rtxFirst(): TxSeg | undefined {
    return this.rtx[this.rtxHead];
  }

  /** Number of segments on the retransmission queue. */
  get rtxLen(): number {
    return this.rtx.length - this.rtxHead;
  }

  /** Bytes written but not yet sent. */
  get unsentBytes(): number {
    return (this.writeSeq - this.sndNxt) >>> 0;
  }

  /** Whether anything (data or a FIN) waits to be sent for the first time. */
  hasUnsent(): boolean {
    return ((this.sndNxt - this.writeSeq) | 0) < 0 || (this.finQueued && !this.finSent());
  }

  /** Whether our FIN has been sent (it then occupies writeSeq). */
  finSent(): boolean {
    return this.finQueued && this.sndNxt === ((this.writeSeq + 1) >>> 0);
  }

  /** Right edge of the peer's window (tcp_wnd_end). */
  wndEnd(): number {
    return (this.sndUna + this.sndWnd) >>> 0;
  }

  /** The window we still offer past RCV.NXT (tcp_receive_window). */
  receiveWindow(): number {
    const w = ((this.rcvWup + this.rcvWnd - this.rcvNxt) | 0);
    return w < 0 ? 0 : w;
  }

  /** Receive memory in use: in-order and out-of-order payload (Linux charges skb truesize; see scalingRatio). */
  rmemAlloc(): number {
    return this.rcvQueue.bytes + this.ooo.bytes;
  }

  /** The current TCP timestamp clock (1 ms ticks, tcp_time_stamp_ts) plus this connection's offset. */
  tsNow(): number {
    return (Math.floor(this.layer.host.sim.now / MS) + this.tsOff) >>> 0;
  }

  /** Whether this connection is in a synchronized state past the handshake (not SYN_SENT/SYN_RECV/CLOSE/LISTEN). */
  synchronized(): boolean {
    return this.state !== TCP_SYN_SENT && this.state !== TCP_SYN_RECV && this.state !== TCP_CLOSE && this.state !== TCP_LISTEN;
  }
}
