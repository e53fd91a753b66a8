/**
 * The `socksim inspect --html` page: one self-contained file. The analysis is embedded as JSON, the styles and the
 * drawing script inline, and a Content-Security-Policy of default-src 'none' guarantees the page fetches nothing
 * from any network. Huge connections are sampled here (every retransmission, drop and SYN/FIN/RST kept) and the
 * page says so.
 */
import { TCP_FIN, TCP_RST, TCP_SYN } from '../../stack/wire/index.js';
import type { Analysis, TcpConnection, TcpSegmentRow } from './model.js';
import { pageMain, type PageConnection, type PageData } from './page-script.js';
import { PAGE_CSS } from './page-style.js';

/** Limits on what the page carries. */
export interface HtmlOptions {
  /** Segment rows kept per connection before sampling (default 30000). */
  maxRowsPerConnection?: number;
  /** Connections drawn (default 100; the rest are listed in the summary only). */
  maxConnections?: number;
}

/** Rows of a connection, sampled down to `max`: every segment that matters kept, the others evenly thinned. */
export function sampleRows(rows: readonly TcpSegmentRow[], max: number): TcpSegmentRow[] {
  if (rows.length <= max) return rows.slice();
  const special = (r: TcpSegmentRow): boolean => r[8] === 1 || r[9] !== '' || (r[3] & (TCP_SYN | TCP_FIN | TCP_RST)) !== 0;
  const nSpecial = rows.reduce((n, r) => n + (special(r) ? 1 : 0), 0);
  const budget = Math.max(0, max - nSpecial);
  const ordinary = rows.length - nSpecial;
  // Integer arithmetic: ordinary row j is kept when floor(j·budget/ordinary) steps up, exactly `budget` of them.
  const bucket = (j: number): number => Math.floor((j * budget) / ordinary);
  const out: TcpSegmentRow[] = [];
  let j = 0;
  for (const r of rows) {
    if (special(r)) {
      out.push(r);
      continue;
    }
    if (budget > 0 && (j === 0 ? true : bucket(j) !== bucket(j - 1))) out.push(r);
    j++;
  }
  return out;
}

/** The page's data: the analysis with its connections capped and sampled. */
export function pageData(a: Analysis, opts: HtmlOptions = {}): PageData {
  const maxRows = opts.maxRowsPerConnection ?? 30000;
  const maxConns = opts.maxConnections ?? 100;
  const conns: PageConnection[] = a.tcp.slice(0, maxConns).map((c: TcpConnection) => ({
    ...c, segments: sampleRows(c.segments, maxRows), totalSegments: c.segments.length,
  }));
  const notes = [...a.notes];
  if (a.tcp.length > maxConns) notes.push(`the page draws the first ${maxConns} of ${a.tcp.length} TCP connections`);
  for (const c of conns) {
    if (c.segments.length < c.totalSegments) {
      notes.push(`connection ${c.id}: ${c.segments.length} of ${c.totalSegments} segments drawn (sampled evenly; every retransmission, drop, SYN, FIN and RST kept)`);
    }
  }
  return { analysis: { ...a, tcp: conns, notes } };
}

/** JSON safe inside a <script> element: no "</script>", "<!--" or U+2028/9 can end or confuse it. */
export function scriptSafeJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Escapes text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The whole page. */
export function renderHtml(a: Analysis, opts: HtmlOptions = {}): string {
  const title = `socksim inspect: ${a.header.scenario} (seed ${String(a.header.seed)})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body data-status="loading" data-errors="0">
<noscript><p>This page draws its timeline and plots with JavaScript; the data is embedded below as JSON.</p></noscript>
<div id="app"></div>
<div id="tip" class="tip" hidden></div>
<script type="application/json" id="socksim-data">${scriptSafeJson(pageData(a, opts))}</script>
<script>
(function () {
  var errors = 0;
  function fail(msg) {
    errors++;
    document.body.setAttribute('data-errors', String(errors));
    var p = document.createElement('pre');
    p.className = 'error';
    p.textContent = 'page error: ' + msg;
    document.body.insertBefore(p, document.body.firstChild);
  }
  window.addEventListener('error', function (e) { fail(e.message); });
  try {
    (${pageMain.toString()})(JSON.parse(document.getElementById('socksim-data').textContent));
    document.body.setAttribute('data-status', 'ready');
  } catch (e) {
    fail(e && e.stack ? e.stack : String(e));
    document.body.setAttribute('data-status', 'failed');
  }
})();
</script>
</body>
</html>
`;
}
