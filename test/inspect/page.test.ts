/**
 * The `socksim inspect --html` page in a real browser (headless Chromium): it loads with no console error and no
 * refused load (its Content-Security-Policy forbids every fetch, so any attempt would show up), draws points in
 * the time–sequence plot, arrows in the sequence diagram and marks on the timeline, and its screenshot is not
 * blank. The page is produced by the built CLI (what a user runs) and, once, in-process, which shows the inlined
 * script is self-contained whatever compiled it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { RecordingReader } from '../../sim/recording-reader.js';
import { analyzeRecording } from '../../tools/inspect/analyze.js';
import { renderHtml } from '../../tools/inspect/html.js';
import { socksim, tempDir } from '../e2e/cli-helpers.js';
import { ensureFreshBuild } from './build.js';
import { CHROMIUM_APT, bodyAttrs, consoleErrors, findChromium, pngStats, runChromium } from './chromium.js';
import { synthTransfer } from './synth.js';

const browser = findChromium();

describe.skipIf('missing' in browser)('the inspect page in headless Chromium', () => {
  const chromium = 'path' in browser ? browser.path : '';
  let dir: string;
  let tcpPage: string;
  beforeAll(() => {
    ensureFreshBuild();
    dir = tempDir();
    // A lossy transfer (fast retransmit, timeouts, SACK), and a process name that tries to close the data <script>.
    const rec = join(dir, 'tcp.socksim');
    writeFileSync(rec, synthTransfer({ bytes: 60_000, window: 10, lose: [3, 7, 8, 30], loseAcks: [2], clientName: '</script><script>boom()</script>' }).bytes);
    tcpPage = join(dir, 'tcp.html');
    const r = socksim(['inspect', rec, '--html', tcpPage]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 180_000);

  test('a TCP transfer with loss: loads cleanly, plots points, draws arrows and timeline marks', () => {
    const r = runChromium(chromium, tcpPage, ['--dump-dom']);
    const body = bodyAttrs(r.stdout);
    expect(consoleErrors(r.stderr)).toEqual([]);
    expect(body['data-errors']).toBe('0');
    expect(body['data-status']).toBe('ready');
    expect(Number(body['data-plot-points'])).toBeGreaterThan(0);
    expect(Number(body['data-arrows'])).toBeGreaterThan(0);
    expect(Number(body['data-timeline-marks'])).toBeGreaterThan(0);
    expect(body['data-connections']).toBe('1');
    // The hostile process name is shown as text, not run: no element made from it.
    expect(r.stdout).not.toMatch(/<script>boom\(\)<\/script>/);
    expect(r.stdout).toContain('&lt;/script&gt;&lt;script&gt;boom()&lt;/script&gt;');
  });

  test('dragging across the time–sequence plot zooms it, double-click resets; the diagram pages on', () => {
    // The test's own copy of the page gets a script that plays a user's mouse: the product page has no test hooks.
    const player = `<script>(function () {
      try {
        var host = document.querySelector('section[id^="conn"] [data-points]');
        var svg = host.querySelector('svg');
        var overlay = svg.querySelector('rect[fill="transparent"]');
        var r = overlay.getBoundingClientRect();
        function ev(el, type, x, y) { el.dispatchEvent(new MouseEvent(type, { clientX: x, clientY: y, bubbles: true })); }
        ev(overlay, 'mousedown', r.left + r.width * 0.1, r.top + r.height * 0.1);
        ev(overlay, 'mousemove', r.left + r.width * 0.4, r.top + r.height * 0.9);
        ev(overlay, 'mouseup', r.left + r.width * 0.4, r.top + r.height * 0.9);
        document.body.setAttribute('data-test-zoomed', String(svg.textContent.indexOf('double-click to reset') >= 0));
        ev(svg.querySelector('rect[fill="transparent"]'), 'dblclick', 0, 0);
        document.body.setAttribute('data-test-reset', String(svg.textContent.indexOf('double-click to reset') < 0));
        var later = Array.prototype.find.call(document.querySelectorAll('button'), function (b) { return b.textContent.indexOf('later') === 0; });
        later.click();
        document.body.setAttribute('data-test-page', later.parentNode.textContent.match(/segments \\d+–\\d+/)[0]);
      } catch (e) { document.body.setAttribute('data-test-error', String(e)); }
    })();</script>`;
    const played = join(dir, 'played.html');
    writeFileSync(played, readFileSync(tcpPage, 'utf8').replace('</body>', `${player}</body>`));
    const r = runChromium(chromium, played, ['--dump-dom']);
    const body = bodyAttrs(r.stdout);
    expect(consoleErrors(r.stderr)).toEqual([]);
    expect(body['data-test-error']).toBeUndefined();
    expect(body['data-test-zoomed']).toBe('true');
    expect(body['data-test-reset']).toBe('true');
    expect(body['data-test-page']).toBe('segments 101–131');
  });

  test('its screenshot is a 1400×1000 PNG that is not blank', () => {
    const png = join(dir, 'tcp.png');
    const r = runChromium(chromium, tcpPage, [`--screenshot=${png}`, '--window-size=1400,1000']);
    expect(existsSync(png), r.stderr.slice(-2000)).toBe(true);
    const s = pngStats(png);
    expect([s.width, s.height]).toEqual([1400, 1000]);
    // A blank or error page has a handful of colours; tables, text and coloured plots have many.
    expect(s.colours).toBeGreaterThan(30);
  });

  test('a real udp-echo run (no TCP): loads cleanly with timeline marks and no plot', () => {
    const rec = join(dir, 'udp.socksim');
    expect(socksim(['run', '--seed', '3', '--record', rec]).status).toBe(0);
    const page = join(dir, 'udp.html');
    expect(socksim(['inspect', rec, '--html', page]).status).toBe(0);
    const r = runChromium(chromium, page, ['--dump-dom']);
    const body = bodyAttrs(r.stdout);
    expect(consoleErrors(r.stderr)).toEqual([]);
    expect(body['data-status']).toBe('ready');
    expect(body['data-errors']).toBe('0');
    expect(body['data-connections']).toBe('0');
    expect(Number(body['data-timeline-marks'])).toBeGreaterThan(0);
  }, 60_000);

  test('rendered in-process (the script compiled by the test runner, not tsc) it works the same', () => {
    const a = analyzeRecording(new RecordingReader(synthTransfer({ lose: [2], viaSwitch: true }).bytes));
    const page = join(dir, 'inproc.html');
    writeFileSync(page, renderHtml(a));
    const r = runChromium(chromium, page, ['--dump-dom']);
    const body = bodyAttrs(r.stdout);
    expect(consoleErrors(r.stderr)).toEqual([]);
    expect(body['data-status']).toBe('ready');
    expect(Number(body['data-plot-points'])).toBeGreaterThan(0);
  });

  test('a huge connection is sampled and the page says so', () => {
    const a = analyzeRecording(new RecordingReader(synthTransfer({ bytes: 400_000, window: 20, lose: [50, 51, 52] }).bytes));
    const page = join(dir, 'sampled.html');
    writeFileSync(page, renderHtml(a, { maxRowsPerConnection: 200 }));
    const r = runChromium(chromium, page, ['--dump-dom']);
    const body = bodyAttrs(r.stdout);
    expect(body['data-status']).toBe('ready');
    expect(r.stdout).toMatch(/Sampled: \d+ of \d+ segments are drawn/);
    expect(Number(body['data-plot-points'])).toBeGreaterThan(0);
  });
});

test.runIf('missing' in browser)(`chromium is missing: install it (${CHROMIUM_APT}) to check the inspect page`, () => {
  console.warn(`skipping the inspect page checks: ${'missing' in browser ? browser.missing : ''}`);
  expect(process.env.CI, 'CI must have chromium (.ci/run installs it)').toBeUndefined();
});
