#!/usr/bin/env node
/**
 * socksim's command line. Each command lives in tools/commands/; this file dispatches and turns usage errors into
 * one-line messages with exit status 2 (never a stack trace for a user's mistake).
 */
import { UsageError } from './args.js';
import { runCommand, RUN_HELP } from './commands/run.js';
import { replayCommand, REPLAY_HELP } from './commands/replay.js';
import { pcapCommand, PCAP_HELP } from './commands/pcap.js';
import { fuzzCommand, FUZZ_HELP } from './commands/fuzz.js';
import { profilesCommand, PROFILES_HELP } from './commands/profiles.js';
import { shrinkCommand, SHRINK_HELP } from './commands/shrink.js';
import { inspectCommand, INSPECT_HELP } from './commands/inspect.js';
import { exportCCommand, EXPORT_C_HELP } from './commands/export-c.js';
import { conformCommand, CONFORM_HELP } from './commands/conform.js';
import { packetdrillCommand, PACKETDRILL_HELP } from './commands/packetdrill.js';
import { benchCommand, BENCH_HELP } from './commands/bench.js';

interface Command {
  run: (argv: string[]) => Promise<number>;
  help: string;
  summary: string;
}

const commands: Record<string, Command> = {
  run: { run: runCommand, help: RUN_HELP, summary: 'run a scenario (default: udp-echo), record it, print a summary' },
  replay: { run: replayCommand, help: REPLAY_HELP, summary: 're-run a recording and compare it event by event' },
  pcap: { run: pcapCommand, help: PCAP_HELP, summary: 'export a recording\'s frames as a pcap for Wireshark/tshark' },
  fuzz: { run: fuzzCommand, help: FUZZ_HELP, summary: 'check properties on generated scenarios; shrink and save failures' },
  shrink: { run: shrinkCommand, help: SHRINK_HELP, summary: 'shrink a recorded failing case again against its property' },
  profiles: { run: profilesCommand, help: PROFILES_HELP, summary: 'list the stack profiles (linux and documented deviations)' },
  inspect: { run: inspectCommand, help: INSPECT_HELP, summary: 'summarise a recording: processes, drops, errnos, TCP connections; --html page' },
  'export-c': { run: exportCCommand, help: EXPORT_C_HELP, summary: 'write a scenario-data case or recording as a standalone C program' },
  conform: { run: conformCommand, help: CONFORM_HELP, summary: 'compare socksim with Linux goldens case by case (--linux makes them)' },
  packetdrill: { run: packetdrillCommand, help: PACKETDRILL_HELP, summary: 'run packetdrill scripts against a simulated Linux host (the script is the peer)' },
  bench: { run: benchCommand, help: BENCH_HELP, summary: 'run a benchmark (bulk vs ns-3, many connections, replay, …) and print its numbers' },
};

function mainHelp(): string {
  const lines = Object.entries(commands).map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`);
  return `usage: socksim COMMAND [options]\n\ncommands:\n${lines.join('\n')}\n\n'socksim COMMAND --help' describes each command.`;
}

/** Runs the CLI with argv (without node and script); returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const which = name === 'help' ? rest[0] : undefined;
    if (which && commands[which]) console.log(commands[which].help);
    else console.log(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`socksim: unknown command "${name}" (socksim --help lists them)`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`socksim ${name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`socksim: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exitCode = 70;
  },
);
