/**
 * KNOWN_GAPS.md: the disagreements with Linux the project knows about, each with its reason. It is a Markdown
 * table `| case | steps | reason |` where steps is `*` (every step of the case) or step keys such as `p0#3 p1#2`.
 * A disagreement that no row covers is a new one: the conformance test fails until it is fixed or listed.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Disagreement } from './compare.js';

/** One row of the table. */
export interface KnownGap {
  case: string;
  /** Step keys, or null for every step. */
  steps: Set<string> | null;
  reason: string;
  /** Line number in the file (for messages about stale or malformed rows). */
  line: number;
}

/** Parses the table rows of KNOWN_GAPS.md text; malformed rows are errors naming their line. */
export function parseKnownGaps(text: string): KnownGap[] {
  const out: KnownGap[] = [];
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (!line.startsWith('|')) return;
    const cells = line.replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
    if (cells.every((c) => /^:?-+:?$/.test(c)) || cells[0]?.toLowerCase() === 'case') return; // separator, header
    if (cells.length !== 3) throw new Error(`KNOWN_GAPS.md line ${n + 1}: expected | case | steps | reason |`);
    const [c, s, reason] = cells as [string, string, string];
    const name = c.replace(/`/g, '');
    const steps = s.replace(/`/g, '').trim();
    if (!name || !reason) throw new Error(`KNOWN_GAPS.md line ${n + 1}: a row needs a case and a reason`);
    if (steps !== '*' && !/^(p\d+#\d+)([ ,]+p\d+#\d+)*$/.test(steps)) {
      throw new Error(`KNOWN_GAPS.md line ${n + 1}: steps must be * or keys like p0#3 p1#2, got "${steps}"`);
    }
    out.push({ case: name, steps: steps === '*' ? null : new Set(steps.split(/[ ,]+/)), reason, line: n + 1 });
  });
  return out;
}

/** Reads DIR/KNOWN_GAPS.md (no file: no known gaps). */
export function readKnownGaps(path: string): KnownGap[] {
  return existsSync(path) ? parseKnownGaps(readFileSync(path, 'utf8')) : [];
}

/** The row that covers a disagreement, if any. */
export function gapFor(gaps: readonly KnownGap[], d: Disagreement): KnownGap | undefined {
  return gaps.find((g) => g.case === d.case && (g.steps === null || g.steps.has(d.step)));
}
