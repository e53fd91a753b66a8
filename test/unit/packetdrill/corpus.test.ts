/**
 * Optional check against a local copy of the upstream corpus (google/packetdrill
 * gtests/net/tcp and the kernel's tools/testing/selftests/net/packetdrill), which the
 * project does not ship: set PACKETDRILL_CORPUS to a directory of .pkt files (searched
 * recursively). Every script must parse and survive a format/parse round trip, and the
 * test prints how many code blocks fall outside the Python subset.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatParseError } from '../../../tools/packetdrill/ast.js';
import { formatScript } from '../../../tools/packetdrill/format.js';
import { parseScript } from '../../../tools/packetdrill/parser.js';
import { stripLocs } from './helpers.js';

const root = process.env['PACKETDRILL_CORPUS'];

/** Every .pkt file under `dir`, sorted for a stable report. */
function pktFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pktFiles(p));
    else if (name.endsWith('.pkt')) out.push(p);
  }
  return out;
}

describe.skipIf(root === undefined)('local packetdrill corpus (PACKETDRILL_CORPUS)', () => {
  it('parses every script and round-trips it through the printer', () => {
    const dir = root ?? '';
    const failures: string[] = [];
    let pythonMisses = 0;
    const files = pktFiles(dir);
    for (const file of files) {
      const name = relative(dir, file);
      const r = parseScript(readFileSync(file, 'utf8'), name);
      if (!r.ok) {
        failures.push(...r.errors.map(formatParseError));
        continue;
      }
      for (const e of r.events) if (e.kind === 'code' && !e.python.ok) pythonMisses++;
      const again = parseScript(formatScript(r), name);
      if (!again.ok || JSON.stringify(stripLocs(again)) !== JSON.stringify(stripLocs(r))) failures.push(`${name}: printer round trip differs`);
    }
    console.log(`packetdrill corpus: ${files.length} scripts, ${failures.length} problems, ${pythonMisses} code blocks outside the Python subset`);
    expect(failures).toEqual([]);
  });
});
