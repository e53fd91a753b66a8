/** Helpers for the packetdrill runner tests: run a script text in one mode and look at the outcome. */
import { expect } from 'vitest';
import { formatParseError, type Script } from '../../tools/packetdrill/ast.js';
import { parseScript } from '../../tools/packetdrill/parser.js';
import { buildConfig, type IpMode, type OptionSetting } from '../../tools/packetdrill/runner/config.js';
import { runScript, type RunOutcome } from '../../tools/packetdrill/runner/runner.js';

/** Parses a script, failing the test on a syntax error. */
export function parse(text: string): Script {
  const r = parseScript(text, 't.pkt');
  if (!r.ok) expect.fail(r.errors.map(formatParseError).join('\n'));
  return r;
}

/** Runs a script text (in `dir`, default this directory) in one IP mode. */
export async function runPkt(text: string, mode: IpMode = 'ipv4', overrides: OptionSetting[] = [], dir = __dirname): Promise<RunOutcome> {
  const script = parse(text);
  return runScript(script, buildConfig(mode, script.options, overrides), dir);
}

/** Asserts a run passed, showing the failure otherwise. */
export function expectPass(o: RunOutcome): void {
  if (o.failure) expect.fail(`line ${o.failure.line}: ${o.failure.message}\n${o.failure.details.join('\n')}`);
}

/** Asserts a run failed at `line` with a message containing each of `parts`. */
export function expectFail(o: RunOutcome, line: number, ...parts: string[]): void {
  expect(o.failure, 'the script should have failed').not.toBeNull();
  const f = o.failure!;
  const text = `${f.message}\n${f.details.join('\n')}`;
  expect({ line: f.line, text }).toMatchObject({ line });
  for (const p of parts) expect(text).toContain(p);
}

/**
 * A passive open as Linux 6.x answers it with packetdrill's defaults.sh (wscale 8 from tcp_rmem[2] = 15 MB, MSS
 * 1460 on a 1500-byte MTU, options in tcp_synack_options' order), then one write of 1000 bytes. `patch` replaces
 * the lines the failing variants change.
 */
export function serverScript(patch: { synack?: string; data?: string } = {}): string {
  return `\`./defaults.sh\`
    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
   +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
   +0 bind(3, ..., ...) = 0
   +0 listen(3, 1) = 0
   +0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
${patch.synack ?? '   +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>'}
  +.1 < . 1:1(0) ack 1 win 257
   +0 accept(3, ..., ...) = 4
   +0 write(4, ..., 1000) = 1000
${patch.data ?? '   +0 > P. 1:1001(1000) ack 1'}
  +.1 < . 1:1(0) ack 1001 win 257
`;
}
