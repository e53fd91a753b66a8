/**
 * The inspect page's script. `pageMain` runs in the browser: html.ts inlines its source (Function.prototype.toString
 * of the compiled function) into the page, so it must stay self-contained: no imports at run time, no reference to
 * anything outside its own body. It is written in TypeScript so the data it reads is type-checked; the DOM is typed
 * loosely (`any`) because the project's tsconfig has no DOM library.
 *
 * It draws the overview tables, a zoomable timeline, and per TCP connection a time–sequence plot (tcptrace style:
 * data segments as vertical bars at their send time, ACK and window lines as the sender saw them) and a paged
 * sequence diagram. When done it writes its counts into <body> (data-plot-points, data-timeline-marks,
 * data-arrows) so a headless browser can check what was drawn.
 */
import type { Analysis, TcpConnection } from './model.js';

/** A connection as the page draws it: its rows possibly sampled, with the count before sampling. */
export interface PageConnection extends TcpConnection {
  totalSegments: number;
}

/** The data embedded in the page. */
export interface PageData {
  analysis: Omit<Analysis, 'tcp'> & { tcp: PageConnection[] };
}

// The browser's globals; this module's function runs in the page, never in node.
declare const document: any;
declare const window: any;

/** Builds the whole page into #app from the embedded data. */
export function pageMain(data: PageData): void {
  const A = data.analysis;
  const SVGNS = 'http://www.w3.org/2000/svg';
  const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16;
  const counters = { plotPoints: 0, timelineMarks: 0, arrows: 0 };
  const app = document.getElementById('app');
  const tip = document.getElementById('tip');

  type Kid = any;
  function h(tag: string, attrs?: Record<string, string | number> | null, ...kids: Kid[]): any {
    const e = document.createElement(tag);
    for (const k in attrs ?? {}) e.setAttribute(k, String(attrs![k]));
    for (const c of kids) if (c !== null && c !== undefined) e.append(typeof c === 'object' ? c : String(c));
    return e;
  }
  function s(tag: string, attrs?: Record<string, string | number> | null, ...kids: Kid[]): any {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs ?? {}) e.setAttribute(k, String(attrs![k]));
    for (const c of kids) if (c !== null && c !== undefined) e.append(typeof c === 'object' ? c : String(c));
    return e;
  }
  function table(head: string[], rows: Kid[][], numeric: number[] = []): any {
    return h('table', null,
      h('thead', null, h('tr', null, ...head.map((x, i) => h('th', numeric.includes(i) ? { class: 'num' } : null, x)))),
      h('tbody', null, ...rows.map((r) => h('tr', null, ...r.map((x, i) => h('td', numeric.includes(i) ? { class: 'num' } : null, x))))));
  }
  function shortTime(ns: number): string {
    return (ns / 1e9).toFixed(6) + 's';
  }
  /** The unit a time range reads best in. */
  function unitFor(rangeNs: number): { div: number; name: string } {
    if (rangeNs <= 2e6) return { div: 1e3, name: 'µs' };
    if (rangeNs <= 5e9) return { div: 1e6, name: 'ms' };
    return { div: 1e9, name: 's' };
  }
  /** About `count` round tick values (1, 2, 5 × 10^k) covering [lo, hi]. */
  function ticks(lo: number, hi: number, count: number): number[] {
    if (!(hi > lo)) return [lo];
    const raw = (hi - lo) / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => st >= raw) ?? 10 * mag;
    const out: number[] = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return out;
  }
  function fmtNum(v: number): string {
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(a >= 1e10 ? 1 : 2) + 'G';
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 1 : 2) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k';
    return String(Math.round(v * 1000) / 1000);
  }
  function flagsText(f: number): string {
    let out = '';
    if (f & FIN) out += 'F';
    if (f & SYN) out += 'S';
    if (f & RST) out += 'R';
    if (f & PSH) out += 'P';
    if (f & ACK) out += '.';
    return out || '(none)';
  }
  function showTip(text: string, ev: any): void {
    tip.textContent = text;
    tip.hidden = false;
    const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = Math.min(ev.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function hideTip(): void {
    tip.hidden = true;
  }

  // ---- a zoomable SVG plot: axes, clip, drag-to-zoom, double-click to reset, nearest-point tooltips ----
  interface Domain { x0: number; x1: number; y0: number; y1: number }
  interface Hit { x: number; y: number; text: string }
  interface PlotSpec {
    width: number;
    height: number;
    margin: { l: number; r: number; t: number; b: number };
    domain: Domain;
    zoomY: boolean;
    /** Y axis: numeric ticks with this label, or custom labelled ticks. */
    yLabel: string;
    yTicks?: { v: number; label: string }[];
    /** Draws into g (clipped to the plot area) and returns the hover targets. */
    draw: (g: any, sx: (v: number) => number, sy: (v: number) => number, d: Domain) => Hit[];
  }
  let plotSeq = 0;
  function zoomPlot(spec: PlotSpec): { root: any; redraw: () => void } {
    const id = 'p' + ++plotSeq;
    const root = h('div');
    const svg = s('svg', { width: spec.width, height: spec.height, viewBox: `0 0 ${spec.width} ${spec.height}` });
    root.append(svg);
    const full = { ...spec.domain };
    let dom: Domain = { ...full };
    let hits: Hit[] = [];
    const m = spec.margin;
    const pw = spec.width - m.l - m.r, ph = spec.height - m.t - m.b;
    const render = (): void => {
      svg.replaceChildren();
      const sx = (v: number): number => m.l + ((v - dom.x0) / (dom.x1 - dom.x0 || 1)) * pw;
      const sy = (v: number): number => m.t + ph - ((v - dom.y0) / (dom.y1 - dom.y0 || 1)) * ph;
      svg.append(s('defs', null, s('clipPath', { id: id + 'c' }, s('rect', { x: m.l, y: m.t, width: pw, height: ph }))));
      const unit = unitFor(dom.x1 - dom.x0);
      const grid = s('g', { class: 'grid' });
      const axis = s('g', { class: 'axis' });
      for (const v of ticks(dom.x0, dom.x1, Math.max(2, Math.floor(pw / 110)))) {
        const x = sx(v);
        grid.append(s('line', { x1: x, x2: x, y1: m.t, y2: m.t + ph }));
        axis.append(s('line', { x1: x, x2: x, y1: m.t + ph, y2: m.t + ph + 4 }));
        axis.append(s('text', { x, y: m.t + ph + 16, 'text-anchor': 'middle' }, fmtNum(v / unit.div)));
      }
      const yt = spec.yTicks ?? ticks(dom.y0, dom.y1, Math.max(2, Math.floor(ph / 45))).map((v) => ({ v, label: fmtNum(v) }));
      for (const t of yt) {
        if (t.v < dom.y0 || t.v > dom.y1) continue;
        const y = sy(t.v);
        if (!spec.yTicks) grid.append(s('line', { x1: m.l, x2: m.l + pw, y1: y, y2: y }));
        axis.append(s('text', { x: m.l - 6, y: y + 4, 'text-anchor': 'end', class: spec.yTicks ? 'lane-label' : '' }, t.label));
      }
      axis.append(s('path', { d: `M${m.l} ${m.t}V${m.t + ph}H${m.l + pw}`, fill: 'none' }));
      axis.append(s('text', { x: m.l + pw / 2, y: spec.height - 6, 'text-anchor': 'middle' }, `virtual time (${unit.name})`));
      if (spec.yLabel) {
        axis.append(s('text', { transform: `translate(14 ${m.t + ph / 2}) rotate(-90)`, 'text-anchor': 'middle' }, spec.yLabel));
      }
      svg.append(grid, axis);
      const g = s('g', { 'clip-path': `url(#${id}c)` });
      svg.append(g);
      hits = spec.draw(g, sx, sy, dom);
      const zoomed = dom.x0 !== full.x0 || dom.x1 !== full.x1 || dom.y0 !== full.y0 || dom.y1 !== full.y1;
      if (zoomed) svg.append(s('text', { x: m.l + pw, y: m.t - 4, 'text-anchor': 'end', class: 'muted' }, 'zoomed — double-click to reset'));
      const overlay = s('rect', { x: m.l, y: m.t, width: pw, height: ph, fill: 'transparent', style: 'cursor: crosshair' });
      svg.append(overlay);
      const band = s('rect', { fill: 'rgba(36,88,198,.12)', stroke: '#2458c6', 'stroke-dasharray': '3 2', visibility: 'hidden' });
      svg.append(band);
      let start: { x: number; y: number } | null = null;
      const pos = (ev: any): { x: number; y: number } => {
        const r = svg.getBoundingClientRect();
        return { x: (ev.clientX - r.left) * (spec.width / r.width), y: (ev.clientY - r.top) * (spec.height / r.height) };
      };
      overlay.addEventListener('mousedown', (ev: any) => {
        start = pos(ev);
        ev.preventDefault();
      });
      overlay.addEventListener('mousemove', (ev: any) => {
        const p = pos(ev);
        if (start) {
          const y0 = spec.zoomY ? Math.min(start.y, p.y) : m.t, y1 = spec.zoomY ? Math.max(start.y, p.y) : m.t + ph;
          band.setAttribute('x', Math.min(start.x, p.x));
          band.setAttribute('y', y0);
          band.setAttribute('width', Math.abs(p.x - start.x));
          band.setAttribute('height', y1 - y0);
          band.setAttribute('visibility', 'visible');
          hideTip();
          return;
        }
        let best: Hit | null = null, bd = 100;
        for (const hi of hits) {
          const d = (hi.x - p.x) * (hi.x - p.x) + (hi.y - p.y) * (hi.y - p.y);
          if (d < bd) {
            bd = d;
            best = hi;
          }
        }
        if (best) showTip(best.text, ev);
        else hideTip();
      });
      overlay.addEventListener('mouseleave', () => {
        hideTip();
      });
      overlay.addEventListener('mouseup', (ev: any) => {
        const p = pos(ev);
        const st = start;
        start = null;
        band.setAttribute('visibility', 'hidden');
        if (!st || Math.abs(p.x - st.x) < 5) return;
        const ix = (x: number): number => dom.x0 + ((x - m.l) / pw) * (dom.x1 - dom.x0);
        const iy = (y: number): number => dom.y0 + ((m.t + ph - y) / ph) * (dom.y1 - dom.y0);
        const nd: Domain = { x0: ix(Math.min(st.x, p.x)), x1: ix(Math.max(st.x, p.x)), y0: dom.y0, y1: dom.y1 };
        if (spec.zoomY && Math.abs(p.y - st.y) >= 5) {
          nd.y0 = iy(Math.max(st.y, p.y));
          nd.y1 = iy(Math.min(st.y, p.y));
        }
        dom = nd;
        render();
      });
      overlay.addEventListener('dblclick', () => {
        dom = { ...full };
        render();
      });
    };
    render();
    return { root, redraw: render };
  }

  function legend(items: [string, string][]): any {
    return h('div', { class: 'legend' }, ...items.map(([color, text]) => h('span', { style: `--c: ${color}` }, text)));
  }

  // ---- header and overview ----
  const hd = A.header;
  const end = A.end;
  const statusOk = end !== null && (end.status === 'completed' || end.status === 'stopped');
  app.append(
    h('h1', null, `${hd.scenario} `, h('span', { class: 'sub' }, `seed ${String(hd.seed)} · socksim ${hd.socksimVersion} · recording format ${hd.format}`)),
    h('div', null,
      end ? h('span', { class: statusOk ? 'status-ok' : 'status-bad' }, `run ${end.status}`) : h('span', { class: 'status-bad' }, A.truncated ? 'recording cut short' : 'no end frame'),
      end?.message ? ` — ${end.message}` : '',
      ` · virtual time ${shortTime(end ? end.timeNs : A.lastNs)} · ${A.events} events · ${A.frames.total} frames · ${A.drops.total} drops · ${A.tcp.length} TCP connections · ${A.udp.length} UDP flows`),
    h('div', { class: 'sub mono' }, `params ${JSON.stringify(hd.params)}`),
    h('nav', null, h('a', { href: '#overview' }, 'overview'), h('a', { href: '#timeline' }, 'timeline'),
      ...A.tcp.map((c) => h('a', { href: `#conn${c.id}` }, `TCP #${c.id}`))),
  );
  if (A.notes.length > 0) app.append(h('ul', { class: 'notes' }, ...A.notes.map((n) => h('li', null, n))));

  app.append(h('h2', { id: 'overview' }, 'Overview'));
  const grid = h('div', { class: 'grid' });
  app.append(grid);
  const panel = (title: string, body: Kid): void => {
    grid.append(h('div', { class: 'panel' }, h('h3', null, title), body));
  };
  panel(`Processes (${A.processes.length})`, table(['pid', 'host', 'name', 'start', 'end', 'syscalls', 'failed'],
    A.processes.map((p) => [p.pid, p.host, p.name, shortTime(p.startNs),
      p.exitNs === null ? 'running' : p.code === null ? `killed ${shortTime(p.exitNs)}: ${p.error ?? ''}` : `exit ${p.code} ${shortTime(p.exitNs)}${p.error ? ': ' + p.error : ''}`,
      p.syscalls, p.failedSyscalls]), [0, 5, 6]));
  panel(`Links (${A.links.length})`, table(['link', 'frames', 'delivered', 'dropped', 'bytes'],
    A.links.map((l) => [h('span', { class: 'mono' }, l.name), l.frames, l.delivered, l.dropped, l.bytes]), [1, 2, 3, 4]));
  panel(`Drops (${A.drops.total})`, h('div', null,
    table(['reason', 'count', 'first at'], A.drops.byReason.map((d) => [d.key, d.count, shortTime(d.firstNs)]), [1]),
    h('div', { style: 'height:8px' }),
    table(['place', 'count', 'first at'], A.drops.byWhere.map((d) => [h('span', { class: 'mono' }, d.key), d.count, shortTime(d.firstNs)]), [1])));
  panel(`Failed syscalls (${A.failedSyscalls.reduce((n, f) => n + f.count, 0)})`, table(['call', 'errno', 'count', 'first at', 'pids'],
    A.failedSyscalls.map((f) => [f.call, `${f.errnoName} (${f.errno})`, f.count, shortTime(f.firstNs), f.pids.join(' ')]), [2]));
  panel(`UDP flows (${A.udp.length})`, table(['a', 'b', 'a→b', 'b→a', 'dropped', 'bytes'],
    A.udp.map((f) => [h('span', { class: 'mono' }, f.a), h('span', { class: 'mono' }, f.b), f.datagrams[0], f.datagrams[1], `${f.dropped[0]} / ${f.dropped[1]}`, f.bytes[0] + f.bytes[1]]), [2, 3, 5]));
  panel(`Frames (${A.frames.total})`, table(['carrying', 'frames'],
    [...Object.entries(A.frames.byProtocol).map(([k, n]) => [k, n]), ['forwarded copies', A.frames.forwardedCopies], ['undecodable', A.frames.undecodable]], [1]));
  if (A.icmp.total > 0) {
    panel(`ICMP (${A.icmp.total})`, h('div', { class: 'scroll' }, table(['time', 'from', 'to', 'message'],
      A.icmp.messages.slice(0, 500).map((mm) => [shortTime(mm.t), mm.src, mm.dst, mm.text]))));
  }

  // ---- timeline ----
  app.append(h('h2', { id: 'timeline' }, 'Timeline'));
  const kinds: [string, string, string][] = [
    ['proc', 'var(--proc)', 'process start / exit / signal'], ['sys', 'var(--sys)', 'failed syscall'],
    ['wouldblock', 'var(--wouldblock)', 'EAGAIN / EINPROGRESS'], ['drop', 'var(--drop)', 'drop'],
    ['link', 'var(--link)', 'link control'], ['host', 'var(--host)', 'host crash / restart'], ['tcp', 'var(--tcp)', 'TCP state change'],
    ['note', 'var(--note)', 'scenario note'],
  ];
  const entries = A.timeline.entries;
  const laneOrder: string[] = [];
  const seenLane = new Set<string>();
  const used = new Set(entries.map((e) => e.lane));
  for (const name of [...A.hosts.map((x) => x.name), ...A.links.map((l) => l.name), ...entries.map((e) => e.lane)]) {
    if (used.has(name) && !seenLane.has(name)) {
      seenLane.add(name);
      laneOrder.push(name);
    }
  }
  const laneIdx = new Map(laneOrder.map((n, i) => [n, i] as [string, number]));
  // Would-block answers are routine for non-blocking I/O and can outnumber everything else: hidden until asked for.
  const enabled = new Set(kinds.map((k) => k[0]).filter((k) => k !== 'wouldblock'));
  const tlControls = h('div', { class: 'controls' }, h('span', { class: 'muted' }, 'show:'));
  const tlHost = h('div');
  const tlList = h('div', { class: 'scroll' });
  app.append(h('div', { class: 'panel' },
    h('div', { class: 'muted' }, `${A.timeline.total} events on ${laneOrder.length} rows (hosts, links). Drag across the plot to zoom in time, double-click to reset; hover a mark for details.`),
    tlControls, tlHost, legend(kinds.map((k) => [k[1], k[2]])), tlList));
  const glyph = (kind: string, x: number, y: number): string => {
    switch (kind) {
      case 'proc': return `M${x - 3.5} ${y}a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0`;
      case 'sys': return `M${x} ${y - 4}L${x + 4} ${y + 3}H${x - 4}Z`;
      case 'wouldblock': return `M${x - 1.5} ${y - 1.5}h3v3h-3z`;
      case 'drop': return `M${x - 3} ${y - 3}L${x + 3} ${y + 3}M${x + 3} ${y - 3}L${x - 3} ${y + 3}`;
      case 'tcp': return `M${x - 1} ${y - 6}h2v12h-2z`;
      default: return `M${x} ${y - 4}L${x + 4} ${y}L${x} ${y + 4}L${x - 4} ${y}Z`;
    }
  };
  const colorOf = new Map(kinds.map((k) => [k[0], k[1]] as [string, string]));
  let tlDomain = { x0: 0, x1: Math.max(A.lastNs, end?.timeNs ?? 0, 1) };
  const renderList = (): void => {
    const vis = entries.filter((e) => enabled.has(e.kind) && e.t >= tlDomain.x0 && e.t <= tlDomain.x1);
    const rows = vis.slice(0, 300).map((e) => [shortTime(e.t), e.kind, h('span', { class: 'mono' }, e.lane), e.text]);
    tlList.replaceChildren(h('div', { class: 'muted' }, vis.length > 300 ? `first 300 of ${vis.length} events in this window (zoom in to see others)` : `${vis.length} events in this window`),
      table(['time', 'kind', 'row', 'what'], rows));
  };
  const drawTimeline = (): void => {
    let marks = 0;
    const plot = zoomPlot({
      width: 1300, height: 60 + Math.max(1, laneOrder.length) * 24, margin: { l: 250, r: 20, t: 14, b: 40 },
      domain: { x0: tlDomain.x0, x1: tlDomain.x1, y0: -0.5, y1: laneOrder.length - 0.5 }, zoomY: false, yLabel: '',
      yTicks: laneOrder.map((n, i) => ({ v: laneOrder.length - 1 - i, label: n.length > 38 ? n.slice(0, 37) + '…' : n })),
      draw: (g, sx, sy, d) => {
        tlDomain = { x0: d.x0, x1: d.x1 };
        renderList();
        const paths = new Map<string, string[]>();
        const hits: Hit[] = [];
        for (let i = 0; i < laneOrder.length; i++) {
          const y = sy(laneOrder.length - 1 - i);
          g.append(s('line', { x1: sx(d.x0), x2: sx(d.x1), y1: y, y2: y, stroke: '#eef0f4' }));
        }
        for (const e of entries) {
          if (!enabled.has(e.kind) || e.t < d.x0 || e.t > d.x1) continue;
          const x = sx(e.t), y = sy(laneOrder.length - 1 - laneIdx.get(e.lane)!);
          let list = paths.get(e.kind);
          if (!list) paths.set(e.kind, (list = []));
          list.push(glyph(e.kind, x, y));
          hits.push({ x, y, text: `${shortTime(e.t)}  ${e.lane}\n${e.text}` });
          marks++;
        }
        for (const [kind, list] of paths) {
          const c = colorOf.get(kind) ?? '#333';
          const stroke = kind === 'drop' || kind === 'tcp';
          g.append(s('path', { d: list.join(''), fill: stroke ? c : c, stroke: c, 'stroke-width': stroke ? 1.6 : 0.5, 'fill-opacity': kind === 'tcp' ? 0.8 : 0.85 }));
        }
        return hits;
      },
    });
    tlHost.replaceChildren(plot.root);
    counters.timelineMarks = marks;
  };
  for (const [k, c, text] of kinds) {
    const n = entries.filter((e) => e.kind === k).length;
    const box = h('input', { type: 'checkbox' });
    box.checked = enabled.has(k);
    box.addEventListener('change', () => {
      if (box.checked) enabled.add(k);
      else enabled.delete(k);
      drawTimeline();
    });
    tlControls.append(h('label', { style: `color: ${c}` }, box, ` ${text} (${n})`));
  }
  drawTimeline();

  // ---- TCP connections ----
  for (const c of A.tcp) drawConnection(c);

  function drawConnection(c: PageConnection): void {
    const who = (ep: TcpConnection['a']): string => ep.addr + (ep.host ? ` (${ep.host})` : '');
    const sec = h('section', { id: `conn${c.id}` });
    app.append(sec);
    sec.append(h('h2', null, `TCP #${c.id}: ${who(c.a)} → ${who(c.b)}`));
    const stat = (label: string, ep: TcpConnection['a']): any => h('div', null, h('b', null, label), ` ${ep.segments} segments, ${ep.dataSegments} with data (${ep.payloadBytes} bytes), `,
      h('span', { style: ep.retransmissions ? 'color: var(--retrans); font-weight: 600' : '' }, `${ep.retransmissions} retransmissions`),
      `, ${ep.dropped} dropped, ${ep.dupAcks} dup ACKs, ${ep.sackSegments} with SACK, ${ep.resets} RST · ISN ${ep.isn}${ep.synSeen ? '' : ' (no SYN seen)'}` +
      ` · ${ep.mss !== null ? 'mss ' + ep.mss : ''}${ep.wscale !== null ? ' wscale ' + ep.wscale : ''}${ep.sackOk ? ' sackOK' : ''}${ep.timestamps ? ' TS' : ''}`);
    const states = (label: string, list: TcpConnection['a']['states']): any => h('div', { class: 'states' }, h('b', null, label + ' states: '),
      ...(list.length ? list.map((st) => h('span', { class: 'st', title: st.why }, `${st.state} @ ${shortTime(st.t)}`)) : [h('span', { class: 'muted' }, 'none seen')]));
    const info = h('div', { class: 'panel' },
      h('div', null, `${shortTime(c.firstNs)} – ${shortTime(c.lastNs)} · ${c.totalSegments} segments · ${c.outcome}`),
      stat('a→b', c.a), stat('b→a', c.b), states('a (' + c.a.addr + ')', c.a.states), states('b (' + c.b.addr + ')', c.b.states),
      h('div', { class: 'muted' }, 'States are inferred from the frames each end sent and received (RFC 9293 §3.3.2; Linux state names). Sequence numbers are relative to each side\'s ISN: the SYN is 0, data starts at 1.'));
    for (const r of c.recordedStates) {
      info.append(h('div', { class: 'states' }, h('b', null, `recorded by the stack (${r.connId}): `),
        ...r.states.map((st) => h('span', { class: 'st' }, `${st.to} @ ${shortTime(st.t)}`)), r.retransmits ? ` · ${r.retransmits} retransmit events` : ''));
    }
    sec.append(info);
    if (c.segments.length < c.totalSegments) {
      sec.append(h('div', { class: 'notes' }, `Sampled: ${c.segments.length} of ${c.totalSegments} segments are drawn (every retransmission, drop, SYN, FIN and RST kept; the rest thinned evenly).`));
    }
    sec.append(h('h3', null, 'Time–sequence plot'));
    sec.append(timeSeq(c));
    sec.append(h('h3', null, 'Sequence diagram'));
    sec.append(seqDiagram(c));
  }

  function timeSeq(c: PageConnection): any {
    const bytes = (d: 0 | 1): number => (d === 0 ? c.a.payloadBytes : c.b.payloadBytes);
    let dir: 0 | 1 = bytes(1) > bytes(0) ? 1 : 0;
    const show = { ack: true, win: true, sack: true };
    const box = h('div', { class: 'panel' });
    const controls = h('div', { class: 'controls' });
    const host = h('div');
    const sel = h('select', null,
      h('option', { value: '0' }, `data ${c.a.addr} → ${c.b.addr} (${c.a.payloadBytes} bytes)`),
      h('option', { value: '1' }, `data ${c.b.addr} → ${c.a.addr} (${c.b.payloadBytes} bytes)`));
    sel.value = String(dir);
    sel.addEventListener('change', () => {
      dir = sel.value === '1' ? 1 : 0;
      draw(false);
    });
    controls.append(h('label', null, 'direction ', sel));
    for (const k of ['ack', 'win', 'sack'] as const) {
      const cb = h('input', { type: 'checkbox' });
      cb.checked = true;
      cb.addEventListener('change', () => {
        show[k] = cb.checked;
        draw(false);
      });
      controls.append(h('label', null, cb, { ack: ' ACK line', win: ' receive window', sack: ' SACK blocks' }[k]));
    }
    box.append(controls, host,
      legend([['var(--data)', 'data segment (seq range at send time)'], ['var(--retrans)', 'retransmission'], ['var(--drop)', '✕ dropped on the way'],
        ['var(--ack)', 'ACK received (at arrival)'], ['var(--win)', 'ACK + receive window'], ['var(--sack)', 'SACK block']]),
      h('div', { class: 'muted' }, 'As seen at the data sender: segments at their send time, ACKs and SACKs at the time they reached it. Drag a rectangle to zoom, double-click to reset.'));
    const draw = (count: boolean): void => {
      const rows = c.segments;
      const data = rows.filter((r) => r[2] === dir && (r[5] > 0 || (r[3] & (SYN | FIN)) !== 0));
      const acks = rows.filter((r) => r[2] !== dir && r[6] >= 0 && r[9] === '').map((r) => ({ t: r[1] >= 0 ? r[1] : r[0], ack: r[6], win: r[7], sack: r[10], r }))
        .sort((x, y) => x.t - y.t);
      let x0 = Infinity, x1 = -Infinity, y0 = 0, y1 = 1;
      for (const r of data) {
        x0 = Math.min(x0, r[0]);
        x1 = Math.max(x1, r[0]);
        y1 = Math.max(y1, r[4] + Math.max(r[5], 1));
        y0 = Math.min(y0, r[4]);
      }
      const dataTop = y1;
      for (const k of acks) {
        x0 = Math.min(x0, k.t);
        x1 = Math.max(x1, k.t);
        y1 = Math.max(y1, k.ack);
        // The window line may reach far above the data: show it up to twice the data's height, clipped beyond.
        if (show.win) y1 = Math.max(y1, Math.min(k.ack + k.win, 2 * dataTop));
      }
      if (!isFinite(x0)) {
        x0 = c.firstNs;
        x1 = c.lastNs;
      }
      const pad = (x1 - x0) * 0.02 || 1e6;
      const yl = (y1 - y0) * 0.04 || 1;
      let points = 0;
      const plot = zoomPlot({
        width: 1300, height: 460, margin: { l: 80, r: 20, t: 16, b: 40 },
        domain: { x0: x0 - pad, x1: x1 + pad, y0: y0 - yl, y1: y1 + yl }, zoomY: true, yLabel: 'relative sequence number (bytes)',
        draw: (g, sx, sy) => {
          const hits: Hit[] = [];
          const seg: string[] = [], re: string[] = [], drops: string[] = [];
          for (const r of data) {
            const x = sx(r[0]), ya = sy(r[4]), yb = Math.min(sy(r[4] + Math.max(r[5], 1)), ya - 2);
            const p = `M${x} ${ya}V${yb}M${x - 2.5} ${yb}h5M${x - 2.5} ${ya}h5`;
            (r[8] ? re : seg).push(p);
            if (r[9] !== '') drops.push(`M${x - 4} ${yb - 10}l8 8m0 -8l-8 8`);
            hits.push({ x, y: yb, text: `${r[8] ? 'RETRANSMISSION ' : ''}[${flagsText(r[3])}] seq ${r[4]}:${r[4] + r[5]} (${r[5]} bytes)\nsent ${shortTime(r[0])}` +
              (r[9] ? `\nDROPPED: ${r[9]}` : r[1] >= 0 ? `\narrived ${shortTime(r[1])}` : '\nnever arrived') });
          }
          points = data.length;
          g.append(s('path', { d: seg.join(''), stroke: 'var(--data)', 'stroke-width': 1.4, fill: 'none' }));
          g.append(s('path', { d: re.join(''), stroke: 'var(--retrans)', 'stroke-width': 2.2, fill: 'none' }));
          g.append(s('path', { d: drops.join(''), stroke: 'var(--drop)', 'stroke-width': 2, fill: 'none' }));
          if (acks.length > 0) {
            let ackPath = '', winPath = '';
            const sackPath: string[] = [];
            acks.forEach((k, i) => {
              const x = sx(k.t), y = sy(k.ack), yw = sy(k.ack + k.win);
              ackPath += i === 0 ? `M${x} ${y}` : `H${x}V${y}`;
              winPath += i === 0 ? `M${x} ${yw}` : `H${x}V${yw}`;
              for (let j = 0; j + 1 < k.sack.length; j += 2) sackPath.push(`M${x} ${sy(k.sack[j]!)}V${sy(k.sack[j + 1]!)}`);
              hits.push({ x, y, text: `ACK ${k.ack} win ${k.win}${k.sack.length ? ' SACK ' + k.sack.join(',') : ''}\nreceived ${shortTime(k.t)} (sent ${shortTime(k.r[0])})` });
            });
            points += acks.length;
            const last = sx(acks[acks.length - 1]!.t + pad);
            if (show.win) g.append(s('path', { d: winPath + `H${last}`, stroke: 'var(--win)', 'stroke-width': 1.2, fill: 'none' }));
            if (show.ack) g.append(s('path', { d: ackPath + `H${last}`, stroke: 'var(--ack)', 'stroke-width': 1.4, fill: 'none' }));
            if (show.sack) g.append(s('path', { d: sackPath.join(''), stroke: 'var(--sack)', 'stroke-width': 3, fill: 'none', 'stroke-opacity': 0.7 }));
          }
          return hits;
        },
      });
      host.replaceChildren(plot.root);
      if (count) counters.plotPoints += points;
      host.setAttribute('data-points', String(points));
    };
    draw(true);
    return box;
  }

  function seqDiagram(c: PageConnection): any {
    const PAGE = 100;
    let startAt = 0;
    const box = h('div', { class: 'panel' });
    const controls = h('div', { class: 'controls' });
    const host = h('div', { style: 'max-height: 760px; overflow: auto; border: 1px solid #eef0f4' });
    const prev = h('button', null, '◀ earlier');
    const next = h('button', null, 'later ▶');
    const where = h('span');
    const jump = h('input', { type: 'number', min: 1, max: c.segments.length, style: 'width: 90px' });
    prev.addEventListener('click', () => {
      startAt = Math.max(0, startAt - PAGE);
      draw(false);
    });
    next.addEventListener('click', () => {
      startAt = Math.min(Math.floor(Math.max(0, c.segments.length - 1) / PAGE) * PAGE, startAt + PAGE);
      draw(false);
    });
    jump.addEventListener('change', () => {
      const v = Number(jump.value);
      if (v >= 1) startAt = Math.min(Math.max(0, c.segments.length - 1), v - 1);
      draw(false);
    });
    controls.append(prev, next, where, h('label', null, 'start at segment # ', jump));
    box.append(controls, host,
      legend([['var(--data)', 'segment with data'], ['#8c94a3', 'no data (pure ACK, SYN, FIN)'], ['var(--retrans)', 'retransmission'], ['var(--drop)', 'dropped (✕ where lost)']]),
      h('div', { class: 'muted' }, 'Time runs down; rows are the instants at which a segment left or arrived (not to scale). Arrows go from the send time to the arrival time. Hover an arrow for details.'));
    const draw = (count: boolean): void => {
      const rows = c.segments.slice(startAt, startAt + PAGE);
      const total = c.segments.length;
      where.textContent = total > PAGE || c.totalSegments > total
        ? `segments ${startAt + 1}–${startAt + rows.length} of ${total}${c.totalSegments > total ? ` drawn (${c.totalSegments} in the connection, sampled)` : ''} · ${PAGE} per page`
        : `all ${total} segments`;
      prev.disabled = startAt === 0;
      next.disabled = startAt + PAGE >= total;
      interface Item { t: number; send: boolean; i: number; y: number }
      const items: Item[] = [];
      rows.forEach((r, i) => {
        items.push({ t: r[0], send: true, i, y: 0 });
        if (r[1] >= 0 && r[9] === '') items.push({ t: r[1], send: false, i, y: 0 });
      });
      items.sort((p, q) => p.t - q.t || Number(p.send) - Number(q.send) || p.i - q.i);
      let y = -1, curT = NaN, curHasSend = true;
      const sendY: number[] = [], arrY: number[] = [];
      const rowTimes: number[] = [];
      for (const it of items) {
        if (it.t !== curT) {
          y++;
          curT = it.t;
          curHasSend = false;
          rowTimes[y] = it.t;
        }
        if (it.send) {
          if (curHasSend) {
            y++;
            rowTimes[y] = it.t;
          }
          curHasSend = true;
          sendY[it.i] = y;
        } else {
          arrY[it.i] = y;
        }
      }
      const RH = 22, TOP = 46, W = 1280, XA = 330, XB = 1120;
      const H = TOP + (y + 2) * RH;
      const svg = s('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}` });
      const mid = 'arrow' + c.id;
      svg.append(s('defs', null,
        ...[['a', '#2458c6'], ['g', '#8c94a3'], ['r', '#d62828'], ['o', '#f07b12']].map(([k, col]) =>
          s('marker', { id: `${mid}${k}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
            s('path', { d: 'M0 0L10 5L0 10z', fill: col! }))))); 
      const yOf = (row: number): number => TOP + row * RH;
      svg.append(s('text', { x: XA, y: 16, 'text-anchor': 'middle', 'font-weight': 600 }, `a ${c.a.addr}`),
        s('text', { x: XA, y: 30, 'text-anchor': 'middle', class: 'muted' }, c.a.host ?? ''),
        s('text', { x: XB, y: 16, 'text-anchor': 'middle', 'font-weight': 600 }, `b ${c.b.addr}`),
        s('text', { x: XB, y: 30, 'text-anchor': 'middle', class: 'muted' }, c.b.host ?? ''),
        s('line', { x1: XA, x2: XA, y1: TOP - 8, y2: H - 10, stroke: '#9aa2b1', 'stroke-width': 2 }),
        s('line', { x1: XB, x2: XB, y1: TOP - 8, y2: H - 10, stroke: '#9aa2b1', 'stroke-width': 2 }),
        s('text', { x: 8, y: 30, class: 'muted' }, 'virtual time'));
      for (let r = 0; r <= y; r++) {
        if (r > 0 && rowTimes[r] === rowTimes[r - 1]) continue;
        svg.append(s('text', { x: 8, y: yOf(r) + 4, class: 'mono' }, `${(rowTimes[r]! / 1e6).toFixed(3)} ms`));
        svg.append(s('line', { x1: 90, x2: W - 10, y1: yOf(r), y2: yOf(r), stroke: '#f3f4f7' }));
      }
      let arrows = 0;
      rows.forEach((r, i) => {
        const [x1, x2] = r[2] === 0 ? [XA, XB] : [XB, XA];
        const ys = yOf(sendY[i]!);
        const dropped = r[9] !== '';
        const color = r[8] ? '#d62828' : dropped ? '#f07b12' : r[5] > 0 ? '#2458c6' : '#8c94a3';
        const mk = r[8] ? 'r' : dropped ? 'o' : r[5] > 0 ? 'a' : 'g';
        let xe: number, ye: number;
        if (dropped) {
          xe = x1 + (x2 - x1) * 0.55;
          ye = ys + RH * 0.7;
        } else if (r[1] >= 0) {
          xe = x2;
          ye = yOf(arrY[i]!);
        } else {
          xe = x1 + (x2 - x1) * 0.85;
          ye = ys + RH * 0.7;
        }
        const seqText = r[5] > 0 ? `${r[4]}:${r[4] + r[5]}` : `${r[4]}`;
        const label = `${r[8] ? 'RETRANS ' : ''}[${flagsText(r[3])}] seq ${seqText}${r[6] >= 0 ? ` ack ${r[6]}` : ''} win ${r[7]}${r[10].length ? ` SACK ${r[10].join(',')}` : ''}${r[5] > 0 ? ` len ${r[5]}` : ''}`;
        const detail = `#${startAt + i + 1} ${r[2] === 0 ? 'a→b' : 'b→a'} ${label}\nsent ${shortTime(r[0])}` +
          (dropped ? `\nDROPPED: ${r[9]}` : r[1] >= 0 ? `\narrived ${shortTime(r[1])} (after ${((r[1] - r[0]) / 1e6).toFixed(3)} ms)` : '\nnot delivered by the end of the recording');
        const gEl = s('g', { style: 'cursor: default' }, s('title', null, detail));
        gEl.append(s('line', { x1, y1: ys, x2: xe, y2: ye, stroke: color, 'stroke-width': r[5] > 0 ? 1.6 : 1.1,
          'stroke-dasharray': !dropped && r[1] < 0 ? '5 3' : 'none', 'marker-end': dropped ? 'none' : `url(#${mid}${mk})` }));
        gEl.append(s('line', { x1, y1: ys, x2: xe, y2: ye, stroke: 'transparent', 'stroke-width': 8 }));
        if (dropped) {
          gEl.append(s('path', { d: `M${xe - 5} ${ye - 5}l10 10m0 -10l-10 10`, stroke: '#f07b12', 'stroke-width': 2.4 }));
          gEl.append(s('text', { x: xe + (x2 > x1 ? 10 : -10), y: ye + 4, 'text-anchor': x2 > x1 ? 'start' : 'end', fill: '#f07b12' }, `dropped (${r[9]})`));
        }
        gEl.append(s('text', { x: x1 + (x2 > x1 ? 8 : -8), y: ys - 4, 'text-anchor': x2 > x1 ? 'start' : 'end', fill: color, class: 'mono' }, label));
        svg.append(gEl);
        arrows++;
      });
      host.replaceChildren(svg);
      if (count) counters.arrows += arrows;
    };
    draw(true);
    return box;
  }

  if (A.tcp.length === 0) app.append(h('p', { class: 'muted' }, 'No TCP connections in this recording: no sequence diagrams or time–sequence plots to draw.'));
  document.body.setAttribute('data-plot-points', String(counters.plotPoints));
  document.body.setAttribute('data-timeline-marks', String(counters.timelineMarks));
  document.body.setAttribute('data-arrows', String(counters.arrows));
  document.body.setAttribute('data-connections', String(A.tcp.length));
}
