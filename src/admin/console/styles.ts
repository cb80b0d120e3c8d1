// The console's one stylesheet, inlined (allowed by its hash in the CSP). Text colours meet WCAG
// AA contrast on their backgrounds (4.7:1 and up); focus is always visible for keyboard users.
export const CONSOLE_CSS = `
:root { --ink: #1b1f24; --muted: #4a5360; --line: #c9d1da; --bg: #f6f8fa; --card: #fff; --brand: #0b3d91;
  --accent: #0a58ca; --danger: #a4161a; --ok: #146c2e; --in: #0a58ca; --out: #b35900; --font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 var(--font); color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; }
header a:focus-visible, header button:focus-visible { outline-color: #ffbf47; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 8px; z-index: 2; }
.skip:focus { left: 8px; }
header { background: var(--brand); color: #fff; display: flex; align-items: center; gap: 24px; padding: 10px 24px; flex-wrap: wrap; }
header .brand { font-weight: 700; font-size: 18px; letter-spacing: .02em; }
header nav { display: flex; gap: 4px; flex: 1; }
header nav a, header button { color: #fff; text-decoration: none; padding: 6px 10px; border-radius: 6px; font: inherit; }
header nav a[aria-current="page"] { background: rgba(255,255,255,.18); }
header nav a:hover { background: rgba(255,255,255,.12); }
header button { background: transparent; border: 1px solid rgba(255,255,255,.6); cursor: pointer; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 48px; }
h1 { font-size: 24px; margin: 8px 0 16px; }
h2 { font-size: 18px; margin: 0 0 12px; }
h1:focus { outline: none; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin-bottom: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; margin-bottom: 16px; }
.card .grid { margin-bottom: 0; }
.grid > .card { margin-bottom: 0; min-width: 0; }
.grid > .wide { grid-column: 1 / -1; }
.card > h2:not(:first-child) { margin-top: 20px; }
.card { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 13px; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
pre { background: #eef1f4; border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow: auto; white-space: pre-wrap; word-break: break-all; margin: 8px 0; }
.label { display: inline-block; background: #e7eef8; border: 1px solid #b6c8e3; color: #123; border-radius: 10px; padding: 0 8px; margin: 0 4px 4px 0; font-size: 13px; }
form.inline { display: flex; gap: 10px; flex-wrap: wrap; align-items: flex-end; }
.field { display: flex; flex-direction: column; gap: 4px; margin-bottom: 10px; }
.field label, .field .legend { font-size: 13px; font-weight: 600; color: var(--muted); }
.hint { font-size: 12px; color: var(--muted); }
input, select, textarea { font: inherit; padding: 6px 8px; border: 1px solid #8b96a3; border-radius: 6px; background: #fff; color: var(--ink); }
textarea { min-height: 64px; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; width: 100%; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--danger); border-color: var(--danger); }
button:disabled { opacity: .6; cursor: default; }
.alert { color: var(--danger); font-weight: 600; white-space: pre-line; }
.alert:empty, .note:empty { display: none; }
.note { color: var(--ok); font-weight: 600; }
.status-ok { color: var(--ok); font-weight: 700; }
.status-bad { color: var(--danger); font-weight: 700; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); font-size: 13px; font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.stats { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 10px; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; min-width: 130px; background: #fbfcfd; }
.stat .v { font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; }
.stat .k { font-size: 12px; color: var(--muted); }
figure { margin: 0; }
svg.chart { width: 100%; height: 170px; display: block; background: #fbfcfd; border: 1px solid var(--line); border-radius: 6px; }
svg.chart .grid-line { stroke: #dde3ea; stroke-width: 1; }
svg.chart .axis { fill: var(--muted); font: 11px var(--font); }
svg.chart .s-in { stroke: var(--in); fill: none; stroke-width: 2; }
svg.chart .s-out { stroke: var(--out); fill: none; stroke-width: 2; stroke-dasharray: 6 3; }
.legend-in, .legend-out { font-weight: 600; }
.legend-in { color: var(--in); }
.legend-out { color: var(--out); }
.result { border: 2px solid var(--ok); }
.login { max-width: 440px; margin: 64px auto; }
.login input { width: 100%; }
.empty { color: var(--muted); font-style: italic; }
.actions { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; margin-bottom: 12px; }
footer.footer { max-width: 1180px; margin: 0 auto; padding: 0 24px 24px; }
#view-error { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
