/**
 * The conformance suite against its Linux goldens (test/conformance/README.md): socksim must give the same result
 * as the real kernel for at least 95 % of the steps, and every step where it does not must be listed, with its
 * reason, in test/conformance/KNOWN_GAPS.md. No root or gcc needed: the goldens are committed.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { conformDir, formatReport, listCases, type ConformReport } from '../../tools/conform/run.js';
import { readGolden } from '../../tools/conform/golden.js';

const DIR = resolve(__dirname, '../conformance');
let report: ConformReport;

beforeAll(async () => {
  report = await conformDir(DIR);
}, 600_000);

describe('conformance suite (test/conformance) against Linux goldens', () => {
  test('has at least 150 cases, each with a golden taken on Linux', () => {
    const names = listCases(DIR);
    expect(names.length).toBeGreaterThanOrEqual(150);
    const missing = names.filter((n) => readGolden(DIR, n) === null);
    expect(missing).toEqual([]);
    const orphans = readdirSync(join(DIR, 'goldens')).map((f) => f.replace(/\.json$/, '')).filter((n) => !names.includes(n));
    expect(orphans).toEqual([]);
  });

  test('every case loads and runs in socksim (no schema errors, no simulator crashes)', () => {
    const broken = report.cases.filter((c) => c.status === 'error' || c.status === 'no-golden').map((c) => `${c.case}: ${c.message}`);
    expect(broken).toEqual([]);
  });

  test('the cases\' own expectations are what Linux does (Linux is the reference)', () => {
    const wrong = report.cases.flatMap((c) => c.expectFailures.map((f) => `${c.case}: ${f}`));
    expect(wrong).toEqual([]);
  });

  test('at least 95 % of the steps agree with Linux', () => {
    const pct = (100 * report.agreed) / report.steps;
    console.log(formatReport(report).at(-1));
    expect(report.steps).toBeGreaterThan(1000);
    expect(pct).toBeGreaterThanOrEqual(95);
  });

  test('every disagreement with Linux is listed in KNOWN_GAPS.md with its reason', () => {
    const unlisted = report.unknown.map((d) => `${d.case} ${d.step} ${d.call}: socksim ${d.socksim} | linux ${d.linux}`);
    if (unlisted.length) console.log(`not in ${join('test/conformance', 'KNOWN_GAPS.md')}:\n${unlisted.join('\n')}`);
    expect(unlisted).toEqual([]);
    for (const c of report.cases) for (const d of c.disagreements) expect(d.known?.reason.length ?? 0).toBeGreaterThan(10);
    if (report.staleGaps.length) {
      console.log(`KNOWN_GAPS.md rows that no longer match a disagreement (the gap may be fixed):\n${report.staleGaps.map((g) => `line ${g.line}: ${g.case}`).join('\n')}`);
    }
  });
});
