/**
 * `socksim bench NAME`: runs one of the benchmarks in bench/ and prints its numbers (never pass/fail: the targets
 * are printed beside the measured ratios). The last line of each is machine-readable key=value pairs.
 */
import { BULK_CASE_DEFAULTS, parseDelay, parseRate, printBulk } from '../../bench/bulk.js';
import { printMany } from '../../bench/many.js';
import { printRecordingBench, printReplayBench, TCP_REPLAY_PARAMS } from '../../bench/recording.js';
import { printFuzzBench } from '../../bench/fuzz.js';
import { printQueueBench } from '../../bench/queue.js';
import { numberOpt, parse, seedOpt, UsageError } from '../args.js';

/** `socksim bench --help`. */
export const BENCH_HELP = `usage: socksim bench NAME [options]

Benchmarks (numbers, not pass/fail; targets from issue 9 are printed beside the ratios):
  bulk       one TCP transfer over a point-to-point link, the same work as ns-3's bench/peers/ns3-bulk.cc
  many       10,000 concurrent TCP connections across 1,000 hosts: wall time, events/s, peak heap
  replay     replay time / run time and recording bytes per event on a TCP transfer (tcp-bulk)
  recording  the same on udp-echo (recording overhead)
  fuzz       generated scenarios checked per second
  queue      event-queue throughput beside a bare binary heap (the events/s floor)

bulk options:
  --bytes N        bytes to send (default 100000000)
  --rate R         link rate, ns-3 syntax (default 1Gbps)
  --delay D        one-way delay, ns-3 syntax (default 5ms)
  --loss P         loss probability of frames arriving at the receiver (default 0)
  --cc NAME        cubic or reno (NewReno with SACK, ns-3's setup; default reno)
  --seed N         master seed (default 1)
  --reps N         runs of each side; medians are printed (default 1)
  --ns3            also run the ns-3 peer (compiled into a cache under the OS tmpdir if missing and
                   libns3-dev is installed) and print ns3_wall / socksim_wall
  --ns3-bin PATH   the ns-3 peer binary to use
  --no-floor       skip measuring the bare-heap events/s floor
  --warmup         run an untimed transfer first (JIT warm-up); without it the measured run starts cold
many options:
  --hosts N --conns N --switches N   the topology (default 1000 hosts, 10000 connections, 10 switches)
replay options:
  --bytes N --loss P                 the transfer (default 10000000 bytes, 0.01)
  --reps N                           runs per measurement (default 3)
  -h, --help       this help`;

/** The options each benchmark takes (others are a usage error rather than silently ignored). */
const OPTIONS: Record<string, readonly string[]> = {
  bulk: ['bytes', 'rate', 'delay', 'loss', 'cc', 'seed', 'reps', 'ns3', 'ns3-bin', 'no-floor', 'warmup'],
  many: ['hosts', 'conns', 'switches'],
  replay: ['bytes', 'loss', 'reps'],
  recording: ['reps'],
  fuzz: [],
  queue: [],
};

/** A positive integer option. */
function intOpt(v: string | undefined, name: string): number | undefined {
  return numberOpt(v, name, (n) => Number.isInteger(n) && n > 0);
}

/** Runs `socksim bench NAME [options]`; returns the exit status (usage errors throw UsageError). */
export async function benchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    bytes: { type: 'string' }, rate: { type: 'string' }, delay: { type: 'string' }, loss: { type: 'string' },
    cc: { type: 'string' }, seed: { type: 'string' }, reps: { type: 'string' }, ns3: { type: 'boolean' },
    'ns3-bin': { type: 'string' }, 'no-floor': { type: 'boolean' }, warmup: { type: 'boolean' }, hosts: { type: 'string' }, conns: { type: 'string' },
    switches: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(BENCH_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('bench takes one benchmark name (socksim bench --help lists them)');
  const name = positionals[0]!;
  const takes = OPTIONS[name];
  if (!takes) throw new UsageError(`unknown benchmark "${name}" (have: ${Object.keys(OPTIONS).join(', ')})`);
  for (const k of Object.keys(values)) if (!takes.includes(k)) throw new UsageError(`--${k} does not apply to bench ${name}`);
  const bytes = intOpt(values.bytes, 'bytes');
  const loss = numberOpt(values.loss, 'loss', (n) => n >= 0 && n < 1);
  const reps = intOpt(values.reps, 'reps');
  switch (name) {
    case 'bulk': {
      const rate = values.rate ?? BULK_CASE_DEFAULTS.rate, delay = values.delay ?? BULK_CASE_DEFAULTS.delay;
      if (parseRate(rate) === null) throw new UsageError(`--rate: "${rate}" is not a rate (1Gbps, 100Mbps, …)`);
      if (parseDelay(delay) === null) throw new UsageError(`--delay: "${delay}" is not a time (5ms, 100us, …)`);
      const cc = values.cc ?? BULK_CASE_DEFAULTS.cc;
      if (cc !== 'reno' && cc !== 'cubic') throw new UsageError(`--cc: "${cc}" is not cubic or reno`);
      const seed = seedOpt(values.seed);
      if (typeof seed !== 'number') throw new UsageError('--seed: the peer takes a number');
      await printBulk(
        { ...BULK_CASE_DEFAULTS, bytes: bytes ?? BULK_CASE_DEFAULTS.bytes, rate, delay, loss: loss ?? 0, cc, seed },
        { ns3: values.ns3 ?? false, ns3Bin: values['ns3-bin'], reps: reps ?? 1, floor: !values['no-floor'], warmup: values.warmup ?? false },
      );
      return 0;
    }
    case 'many': {
      const p: Record<string, number> = {};
      for (const k of ['hosts', 'conns', 'switches'] as const) {
        const v = intOpt(values[k], k);
        if (v !== undefined) p[k] = v;
      }
      if ((p.conns ?? 10000) % (p.hosts ?? 1000) !== 0) throw new UsageError('--conns must be a multiple of --hosts');
      await printMany(p);
      return 0;
    }
    case 'replay':
      await printReplayBench(reps ?? 3, { ...TCP_REPLAY_PARAMS, ...(bytes ? { bytes } : {}), ...(loss !== undefined ? { loss } : {}) });
      return 0;
    case 'recording':
      await printRecordingBench(reps ?? 5);
      return 0;
    case 'fuzz':
      await printFuzzBench();
      return 0;
    case 'queue':
      await printQueueBench();
      return 0;
    default:
      return 2; // unreachable: OPTIONS names every benchmark handled above
  }
}
