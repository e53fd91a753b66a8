/**
 * Processes and the run loop. The rules checked are socksim's own (DEVELOPERS.md, "Determinism"): the event stream is
 * a pure function of the scenario and seed; virtual time moves only when the queue hands out an event; a woken process
 * runs (until it parks again) before the next event; a process is one thread of control; a killed process never runs
 * again; a run always ends, with a status that says why. Blocking with a deadline follows the shape of Linux's
 * timed waits (select(2)/poll(2)/SO_RCVTIMEO): woken by the condition, or by the timeout at the deadline exactly.
 */
import { describe, expect, test as vtest } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { Sim, ForeignAwaitError } from '../../../sim/sim.js';
import { WaitQueue, type Process, type WakeReason } from '../../../sim/process.js';
import { formatTime, MS, SEC } from '../../../sim/time.js';
import { MemorySink, sleep } from './helpers.js';

/**
 * A small scenario: a producer hands items to two consumers through a WaitQueue (wakeOne, an exclusive hand-off),
 * with random think times, while a ticker sleeps in a loop. Returns the event stream and the run result.
 */
async function handOffScenario(seed: number | string, items = 12) {
  const sink = new MemorySink();
  const sim = new Sim({ seed, sink });
  const ready = new WaitQueue();
  const queue: number[] = [];
  const rnd = sim.random.stream('think');
  const consumer = async (p: Process) => {
    for (;;) {
      while (queue.length === 0) {
        const why = await p.block([ready], sim.now + 50 * MS, 'recv');
        if (why === 'timeout') return 7; // no more work: exit status 7
      }
      const item = queue.shift()!;
      sim.record('got', p.pid, item);
      const think = rnd.int(1, 5) * MS;
      sim.decide('think', 'ns', think);
      await sleep(sim, p, think);
    }
  };
  sim.spawn('consumer-a', 'host', consumer);
  sim.spawn('consumer-b', 'host', consumer);
  sim.spawn('producer', 'host', async (p) => {
    for (let i = 0; i < items; i++) {
      queue.push(i);
      sim.record('put', i);
      ready.wakeOne();
      await sleep(sim, p, rnd.int(0, 3) * MS);
    }
  });
  sim.spawn('ticker', 'host', async (p) => {
    for (let i = 0; i < 5; i++) {
      await sleep(sim, p, 7 * MS);
      sim.note(`tick ${i}`);
    }
  }, 2 * MS);
  const result = await sim.run();
  return { events: sink.events, result };
}

describe('Sim processes: determinism', () => {
  vtest('the same scenario and seed produce the same event stream on every run', async () => {
    const a = await handOffScenario(1);
    const b = await handOffScenario(1);
    expect(a.result.status).toBe('completed');
    expect(b.events).toEqual(a.events);
    expect(b.result).toEqual(a.result);
    // Both consumers got work, every item was delivered exactly once, and consumers exited by their timeout.
    const got = a.events.filter((e) => e[0] === 'got');
    expect(got.map((e) => e[3]).sort((x, y) => (x as number) - (y as number))).toEqual([...Array(12).keys()]);
    expect(new Set(got.map((e) => e[2])).size).toBe(2);
    expect(a.result.processes.map((p) => p.exitCode)).toEqual([7, 7, 0, 0]);
    // A different seed draws different think times, hence a different stream.
    const c = await handOffScenario(2);
    expect(c.events).not.toEqual(a.events);
  });

  vtest('event times never decrease and the run ends at the time of its last event', async () => {
    const { events, result } = await handOffScenario('order');
    for (let i = 1; i < events.length; i++) expect(events[i]![1] as number).toBeGreaterThanOrEqual(events[i - 1]![1] as number);
    expect(result.timeNs).toBe(events[events.length - 1]![1]);
  });

  test.prop([fc.array(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 8 }), { minLength: 1, maxLength: 5 })], { numRuns: 60 })(
    'virtual time advances only through events: each sleep wakes exactly its duration later, runs repeat exactly',
    async (schedules) => {
      const runOnce = async () => {
        const sink = new MemorySink();
        const sim = new Sim({ seed: 0, sink });
        schedules.forEach((sleeps, i) => {
          sim.spawn(`p${i}`, 'h', async (p) => {
            let t = sim.now;
            for (const d of sleeps) {
              // Non-blocking awaits cost microtasks but no virtual time.
              await Promise.resolve();
              expect(sim.now).toBe(t);
              const why = await sleep(sim, p, d);
              expect(why).toBe('timeout');
              expect(sim.now).toBe(t + d);
              t = sim.now;
              sim.record('woke', p.pid, t);
            }
          });
        });
        const result = await sim.run();
        return { events: sink.events, result };
      };
      const a = await runOnce();
      const b = await runOnce();
      expect(a.result.status).toBe('completed');
      expect(b.events).toEqual(a.events);
      // The run ends at the latest wake-up: nothing but events moved the clock.
      const ends = schedules.map((s) => s.reduce((x, y) => x + y, 0));
      expect(a.result.timeNs).toBe(Math.max(0, ...ends));
      // One queue event per spawn and per sleep, no more.
      expect(a.result.events).toBe(schedules.length + schedules.reduce((n, s) => n + s.length, 0));
    },
  );
});

describe('Sim processes: scheduling', () => {
  vtest('a woken process runs before the next event, even one at the same virtual time', async () => {
    const sim = new Sim({ seed: 0 });
    const q = new WaitQueue();
    let state = 'initial';
    let seenByLaterEvent = '';
    sim.spawn('waiter', 'h', async (p) => {
      await p.block([q], null, 'wait');
      // A few non-blocking awaits: still part of this process's turn.
      await Promise.resolve();
      await Promise.resolve();
      state = 'set-by-woken-process';
      await p.block([q], null, 'wait again');
    });
    sim.at(10, () => q.wakeAll());
    sim.at(10, () => {
      seenByLaterEvent = state;
    });
    const r = await sim.run();
    expect(seenByLaterEvent).toBe('set-by-woken-process');
    expect(r.status).toBe('idle');
  });

  vtest('wakeOne hands off to the oldest waiter; wakeAll wakes all oldest first', async () => {
    const sink = new MemorySink();
    const sim = new Sim({ seed: 0, sink });
    const q = new WaitQueue();
    for (const name of ['w1', 'w2', 'w3']) {
      sim.spawn(name, 'h', async (p) => {
        await p.block([q], null);
        sim.record('woke', name);
      });
    }
    sim.at(5, () => expect(q.wakeOne()).toBe(true));
    sim.at(6, () => q.wakeAll());
    sim.at(7, () => expect(q.wakeOne()).toBe(false));
    const r = await sim.run();
    expect(r.status).toBe('completed');
    expect(sink.events.filter((e) => e[0] === 'woke')).toEqual([['woke', 5, 'w1'], ['woke', 6, 'w2'], ['woke', 6, 'w3']]);
    expect(q.size).toBe(0);
  });

  vtest('two blocking calls at once from one process throw a clear error', async () => {
    const sim = new Sim({ seed: 0 });
    const q = new WaitQueue();
    const p = sim.spawn('two-threads', 'h', async (p) => {
      void p.block([q], null, 'first');
      await p.block([q], null, 'second');
    });
    const r = await sim.run();
    expect(p.state).toBe('exited');
    expect(p.exitCode).toBe(1);
    expect(p.error).toMatch(/process 1 \(two-threads\) made a blocking call while blocked/);
    expect(p.error).toMatch(/one thread/);
    expect(r.status).toBe('completed');
  });

  vtest('a process that exits while still on a wait queue does not swallow a later wakeOne', async () => {
    // wakeOne is an exclusive hand-off: it must reach a live waiter. A process that died with a pending block
    // (here: the two-blocking-calls error) must have left the queue, or it takes the wake-up and nobody runs.
    const sim = new Sim({ seed: 0 });
    const q = new WaitQueue();
    sim.spawn('broken', 'h', async (p) => {
      void p.block([q], 1000, 'first');
      await p.block([q], null, 'second');
    });
    let served = false;
    sim.spawn('server', 'h', async (p) => {
      await p.block([q], null, 'accept');
      served = true;
    }, 1);
    sim.at(5, () => q.wakeOne());
    const r = await sim.run();
    expect(served).toBe(true);
    expect(r.status).toBe('completed');
    // The dead process's deadline is gone too: the run ends at the hand-off, not at t=1000.
    expect(r.timeNs).toBe(5);
  });

  vtest('a process that returns with a block it never awaited leaves its wait queue and deadline behind it', async () => {
    const sim = new Sim({ seed: 0 });
    const q = new WaitQueue();
    const broken = sim.spawn('forgot-await', 'h', async (p) => {
      void p.block([q], 1000, 'accept');
      return 3;
    });
    // A process with a non-blocking await gives the microtask queue a turn, so the exit above is processed at t=0.
    sim.spawn('yielder', 'h', async () => {
      await Promise.resolve();
    });
    let served = false;
    sim.spawn('server', 'h', async (p) => {
      await p.block([q], null, 'accept');
      served = true;
    }, 1);
    sim.at(5, () => q.wakeOne());
    const r = await sim.run();
    expect(broken.state).toBe('exited');
    expect(broken.exitCode).toBe(3);
    expect(served).toBe(true);
    expect(r.timeNs).toBe(5);
  });

  vtest('a process awaiting a real timer makes run() reject with ForeignAwaitError instead of hanging', async () => {
    const sim = new Sim({ seed: 0 });
    sim.spawn('sleeper', 'h', async () => {
      await new Promise((r) => setTimeout(r, 1));
    });
    const err = await sim.run().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ForeignAwaitError);
    expect((err as Error).message).toMatch(/process 1 \(sleeper\) is awaiting something outside the simulation/);
  });

  vtest('a process that throws is recorded as an exit with its error message, and the run goes on', async () => {
    const sink = new MemorySink();
    const sim = new Sim({ seed: 0, sink });
    sim.spawn('async-thrower', 'h', async (p) => {
      await sleep(sim, p, 3);
      throw new Error('boom');
    });
    sim.spawn('sync-thrower', 'h', () => {
      throw new Error('sync boom');
    });
    sim.spawn('survivor', 'h', async (p) => {
      await sleep(sim, p, 10);
      return 5;
    });
    const r = await sim.run();
    expect(r.status).toBe('completed');
    expect(r.timeNs).toBe(10);
    const exits = sink.events.filter((e) => e[0] === 'exit');
    expect(exits).toEqual([['exit', 0, 2, 1, 'sync boom'], ['exit', 3, 1, 1, 'boom'], ['exit', 10, 3, 5, null]]);
    expect(r.processes.map((p) => [p.state, p.exitCode, p.error])).toEqual([
      ['exited', 1, 'boom'], ['exited', 1, 'sync boom'], ['exited', 5, null],
    ]);
  });
});

describe('Sim processes: kill', () => {
  vtest('kill runs the exit hooks once, records the exit, and the process never resumes', async () => {
    const sink = new MemorySink();
    const sim = new Sim({ seed: 0, sink });
    let resumed = false;
    let hooks = 0;
    const p = sim.spawn('victim', 'host-a', async (p) => {
      p.exitHooks.push(() => hooks++);
      await sleep(sim, p, 100);
      resumed = true;
    });
    sim.at(50, () => sim.kill(p, 'host-a crashed'));
    sim.at(60, () => sim.kill(p, 'again')); // a second kill is a no-op
    const r = await sim.run();
    expect(resumed).toBe(false);
    expect(hooks).toBe(1);
    expect(p.state).toBe('killed');
    expect(p.error).toBe('host-a crashed');
    expect(sink.events.filter((e) => e[0] === 'exit')).toEqual([['exit', 50, 1, null, 'host-a crashed']]);
    // Its sleep's deadline was cancelled: nothing happens at t=100.
    expect(r.timeNs).toBe(60);
    expect(r.status).toBe('completed');
  });

  vtest('a process killed before its start time never starts', async () => {
    const sink = new MemorySink();
    const sim = new Sim({ seed: 0, sink });
    let ran = false;
    const p = sim.spawn('late', 'h', async () => {
      ran = true;
    }, 20);
    sim.at(10, () => sim.kill(p, 'gone'));
    await sim.run();
    expect(ran).toBe(false);
    expect(sink.events.map((e) => e[0])).toEqual(['exit']);
  });

  vtest('a process woken and then killed in the same event never resumes', async () => {
    // A host crash closes fds (waking blocked readers) and kills the host's processes: the woken reader must not run.
    const sim = new Sim({ seed: 0 });
    const q = new WaitQueue();
    let resumed = false;
    const p = sim.spawn('reader', 'h', async (p) => {
      await p.block([q], null, 'read');
      resumed = true;
    });
    sim.at(10, () => {
      q.wakeAll();
      sim.kill(p, 'crash');
    });
    const r = await sim.run();
    expect(resumed).toBe(false);
    expect(p.state).toBe('killed');
    expect(r.status).toBe('completed');
  });

  vtest('a process killed by another woken process in the same turn never resumes', async () => {
    const sim = new Sim({ seed: 0 });
    const q = new WaitQueue();
    let victimResumed = false;
    let victim: Process | null = null;
    sim.spawn('killer', 'h', async (p) => {
      await p.block([q], null);
      sim.kill(victim!, 'killed by a peer');
    });
    victim = sim.spawn('victim', 'h', async (p) => {
      await p.block([q], null);
      victimResumed = true;
    });
    sim.at(10, () => q.wakeAll());
    await sim.run();
    expect(victimResumed).toBe(false);
    expect(victim.state).toBe('killed');
  });
});

describe('Sim run bounds and endings', () => {
  /** Two processes ping-ponging through wait queues forever, each sleeping `gap` ns before answering. */
  function pingPong(sim: Sim, gap: number): void {
    const ping = new WaitQueue(), pong = new WaitQueue();
    sim.spawn('ping', 'h', async (p) => {
      for (;;) {
        await sleep(sim, p, gap);
        pong.wakeOne();
        await p.block([ping], null, 'ping');
      }
    });
    sim.spawn('pong', 'h', async (p) => {
      for (;;) {
        await p.block([pong], null, 'pong');
        await sleep(sim, p, gap);
        ping.wakeOne();
      }
    });
  }

  vtest('an endless ping-pong stops at the time bound with a message naming it', async () => {
    const sim = new Sim({ seed: 0, maxTimeNs: 1 * SEC });
    pingPong(sim, 1 * MS);
    const r = await sim.run();
    expect(r.status).toBe('time-limit');
    expect(r.message).toContain(`bound of ${formatTime(SEC)} of virtual time`);
    expect(r.timeNs).toBeLessThanOrEqual(SEC);
  });

  vtest('an endless zero-time ping-pong stops at the event bound with a message naming it', async () => {
    const sim = new Sim({ seed: 0, maxEvents: 1000 });
    pingPong(sim, 0);
    const r = await sim.run();
    expect(r.status).toBe('event-limit');
    expect(r.message).toContain('bound of 1000 events');
    expect(r.events).toBe(1000);
    expect(r.timeNs).toBe(0);
  });

  vtest('processes waking each other forever without virtual time passing end the run instead of hanging it', async () => {
    // No event is involved, so no run bound applies; the settle loop's microtask budget must still end it.
    const sim = new Sim({ seed: 0, maxEvents: 1000 });
    const a = new WaitQueue(), b = new WaitQueue();
    sim.spawn('pong', 'h', async (p) => {
      for (;;) {
        await p.block([b], null, 'pong');
        a.wakeOne();
      }
    });
    sim.spawn('ping', 'h', async (p) => {
      for (;;) {
        b.wakeOne();
        await p.block([a], null, 'ping');
      }
    });
    const err = await sim.run().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ForeignAwaitError);
    expect((err as Error).message).toMatch(/keep waking each other with no virtual time passing/);
  }, 20_000);

  vtest("status 'idle' when processes are blocked forever and no event is left", async () => {
    const sim = new Sim({ seed: 0 });
    const q = new WaitQueue();
    sim.spawn('stuck', 'h', async (p) => {
      await p.block([q], null, 'recvfrom fd 3');
    });
    const r = await sim.run();
    expect(r.status).toBe('idle');
    expect(r.message).toMatch(/blocked forever/);
    expect(r.processes[0]).toMatchObject({ state: 'blocked', blockedIn: 'recvfrom fd 3' });
  });

  vtest('stop() ends the run after the current event', async () => {
    const sim = new Sim({ seed: 0 });
    let after = false;
    sim.at(1, () => sim.stop('enough'));
    sim.at(1, () => {
      after = true;
    });
    const r = await sim.run();
    expect(r).toMatchObject({ status: 'stopped', message: 'enough', timeNs: 1, events: 1 });
    expect(after).toBe(false);
  });

  vtest('abortRun ends the run with the given status and message', async () => {
    const sim = new Sim({ seed: 0 });
    sim.at(3, () => sim.abortRun('diverged', 'first difference at event #0'));
    sim.at(4, () => {});
    const r = await sim.run();
    expect(r).toMatchObject({ status: 'diverged', message: 'first difference at event #0', timeNs: 3 });
  });
});

describe('Sim timed waits', () => {
  vtest("a timed block wakes with 'timeout' at exactly its deadline", async () => {
    const sim = new Sim({ seed: 0 });
    const q = new WaitQueue();
    const seen: [WakeReason, number][] = [];
    sim.spawn('timed', 'h', async (p) => {
      await sleep(sim, p, 7);
      seen.push([await p.block([q], 12_345, 'poll'), sim.now]);
      // A deadline already past wakes at once (poll(2) with a zero timeout returns immediately).
      seen.push([await p.block([q], 0, 'poll'), sim.now]);
    });
    await sim.run();
    expect(seen).toEqual([['timeout', 12_345], ['timeout', 12_345]]);
    expect(q.size).toBe(0);
  });

  vtest("a wake before the deadline returns 'woken' and cancels the deadline", async () => {
    const sim = new Sim({ seed: 0 });
    const q = new WaitQueue();
    let why: WakeReason | null = null;
    sim.spawn('timed', 'h', async (p) => {
      why = await p.block([q], 1_000, 'poll');
    });
    sim.at(400, () => q.wakeAll());
    const r = await sim.run();
    expect(why).toBe('woken');
    expect(r.timeNs).toBe(400);
    expect(r.events).toBe(2); // the spawn and the wake; the cancelled deadline never fires
  });

  vtest('waiting on several queues: the first to wake wins and the process leaves all of them', async () => {
    const sim = new Sim({ seed: 0 });
    const a = new WaitQueue(), b = new WaitQueue();
    let count = 0;
    sim.spawn('select', 'h', async (p) => {
      await p.block([a, b], null, 'select');
      count++;
    });
    sim.at(5, () => {
      b.wakeAll();
      expect(a.size).toBe(0);
      a.wakeAll(); // already running: no second resume
    });
    await sim.run();
    expect(count).toBe(1);
  });
});

describe('Sim scheduling guards', () => {
  vtest('virtual time never goes backwards: scheduling in the past throws', async () => {
    const sim = new Sim({ seed: 0 });
    const errors: string[] = [];
    sim.at(10, () => {
      for (const f of [() => sim.at(5, () => {}), () => sim.after(-5, () => {}), () => sim.timer(-1, 'x', () => {})]) {
        try {
          f();
        } catch (e) {
          errors.push((e as Error).constructor.name);
        }
      }
    });
    const r = await sim.run();
    expect(errors).toEqual(['RangeError', 'RangeError', 'RangeError']);
    expect(r.timeNs).toBe(10);
  });

  vtest('times are whole nanoseconds: NaN or fractional event times are rejected', () => {
    const sim = new Sim({ seed: 0 });
    expect(() => sim.at(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => sim.after(1.5, () => {})).toThrow(RangeError);
    expect(() => sim.spawn('x', 'h', async () => {}, 0.5)).toThrow(RangeError);
  });

  vtest('a fractional deadline is rejected inside the process that asked for it', async () => {
    const sim = new Sim({ seed: 0 });
    const p = sim.spawn('frac', 'h', async (p) => {
      await p.block([], 2.5, 'sleep');
    });
    const r = await sim.run();
    expect(p.error).toMatch(/deadline must be an integer of nanoseconds, got 2.5/);
    expect(r.status).toBe('completed');
  });

  vtest('timer() records a timer event with its label when it fires', async () => {
    const sink = new MemorySink();
    const sim = new Sim({ seed: 0, sink });
    let fired = 0;
    sim.timer(25, 'rto', () => fired++);
    sim.timer(30, 'cancelled', () => fired++).cancel();
    await sim.run();
    expect(fired).toBe(1);
    expect(sink.events).toEqual([['timer', 25, 'rto']]);
  });

  vtest('run() cannot be entered twice at once', async () => {
    const sim = new Sim({ seed: 0 });
    const first = sim.run();
    await expect(sim.run()).rejects.toThrow(/already running/);
    await first;
  });
});
