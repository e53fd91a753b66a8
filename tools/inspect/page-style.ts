/** The inspect page's style sheet, inlined into the page (it may fetch nothing). */

/** CSS for the page: plain tables, the plots' colours (one per meaning, shared by marks and legends). */
export const PAGE_CSS = `
:root { --fg: #1d2330; --muted: #6b7385; --line: #d8dce4; --bg: #fbfbfd; --panel: #ffffff;
  --data: #2458c6; --retrans: #d62828; --ack: #1e9e4a; --win: #c99a06; --sack: #8a3ab9; --drop: #f07b12;
  --proc: #2458c6; --sys: #c2185b; --wouldblock: #b7a4c9; --link: #5f6b7a; --host: #000000; --tcp: #1e9e4a; --note: #0b8a8a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
#app { max-width: 1360px; margin: 0 auto; padding: 16px 20px 60px; }
h1 { font-size: 20px; margin: 4px 0 2px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: var(--muted); }
.status-ok { color: #1e7e34; font-weight: 600; } .status-bad { color: var(--retrans); font-weight: 600; }
nav a { margin-right: 14px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 8px 0; overflow-x: auto; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 10px; }
table { border-collapse: collapse; font-size: 13px; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eef0f4; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.notes li { color: #8a5300; }
.controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 6px 0; font-size: 13px; }
.controls label { cursor: pointer; }
button { font: inherit; font-size: 12px; padding: 2px 8px; }
svg { display: block; background: #fff; user-select: none; max-width: 100%; height: auto; }
svg text { font-family: system-ui, sans-serif; font-size: 11px; fill: var(--fg); }
svg .axis line, svg .axis path { stroke: #9aa2b1; }
svg .grid line { stroke: #eef0f4; }
svg .lane-label { font-size: 12px; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; margin: 4px 0; }
.legend span::before { content: ""; display: inline-block; width: 14px; height: 3px; margin-right: 5px; vertical-align: middle; background: var(--c); }
.tip { position: fixed; pointer-events: none; background: rgba(29,35,48,.95); color: #fff; font-size: 12px; padding: 5px 8px;
  border-radius: 4px; max-width: 520px; white-space: pre-wrap; z-index: 10; }
.states { font-size: 13px; margin: 4px 0; }
.states .st { display: inline-block; border: 1px solid var(--line); border-radius: 10px; padding: 0 7px; margin: 1px 2px; background: #f4f6fa; }
.muted { color: var(--muted); }
pre.error { background: #fde8e8; color: #8b1010; padding: 8px; margin: 0; white-space: pre-wrap; }
.scroll { max-height: 320px; overflow: auto; }
`;
