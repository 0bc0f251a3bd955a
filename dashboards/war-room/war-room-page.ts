/**
 * The war-room page: one self-contained HTML document for a wall screen. It polls war-room.json every
 * few seconds and paints what it gets; every label, value and status comes from the server (the catalog
 * and the views), so there is no second copy of the metric logic here. When a poll fails or the data
 * is old, a banner says so and the tiles fade: a stale number must never look live.
 */
import { STATUSES } from '../../schemas/metric-catalog.js';

export const REFRESH_MS = 3000;

const STATUS_COLOURS: Record<(typeof STATUSES)[number] | 'surge', string> = {
  red: '#c62828',
  amber: '#f9a825',
  green: '#2e7d32',
  insufficient: '#616161',
  neutral: '#37474f',
  surge: '#1565c0',
};

export function warRoomPage(): string {
  const css = Object.entries(STATUS_COLOURS)
    .map(([status, colour]) => `.s-${status}{background:${colour};color:${status === 'amber' ? '#111' : '#fff'}}`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>War room</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{margin:0;font-family:system-ui,sans-serif;background:#111;color:#eee}
header{display:flex;justify-content:space-between;align-items:baseline;padding:12px 24px;font-size:28px}
#banner{display:none;padding:12px 24px;font-size:26px;font-weight:600}
#banner.show{display:block}
main{display:grid;grid-template-columns:2fr 1fr;gap:16px;padding:0 24px 24px}
#tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:12px}
.tile{border-radius:10px;padding:14px;min-height:150px}
.tile .label{font-size:24px;font-weight:600}
.tile .value{font-size:52px;font-weight:700;margin:6px 0}
.tile .status{font-size:20px;text-transform:uppercase;letter-spacing:.05em}
.tile .cmp{font-size:18px;opacity:.9}
.stale .tile,.stale section{opacity:.45}
section{background:#1e1e1e;border-radius:10px;padding:14px;margin-bottom:12px}
h2{margin:0 0 8px;font-size:24px}
table{width:100%;border-collapse:collapse;font-size:20px}
td,th{padding:4px 6px;text-align:left}
.pill{border-radius:6px;padding:2px 8px}
${css}
</style></head>
<body>
<header><span>War room · <span id="hour">–</span></span><span id="fresh">connecting…</span></header>
<div id="banner" role="alert"></div>
<main id="main">
  <div id="tiles"></div>
  <div>
    <section><h2>GMV vs plan</h2><div id="plan">no plan loaded for this hour</div></section>
    <section><h2>SKUs at risk</h2><table id="risk"></table></section>
    <section><h2>Surges (opportunities)</h2><table id="surges"></table></section>
    <section><h2>Active alerts</h2><table id="alerts"></table></section>
  </div>
</main>
<script>
const token = new URLSearchParams(location.search).get('token');
const el = (id) => document.getElementById(id);
const text = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const pill = (status, label) => '<span class="pill s-' + text(status) + '">' + text(label ?? status) + '</span>';
let lastGood = null;
function banner(message, status) {
  const b = el('banner');
  b.className = message ? 'show s-' + status : '';
  b.textContent = message ?? '';
}
function render(d) {
  el('hour').textContent = d.hourLabel;
  el('tiles').innerHTML = d.metrics.map((m) =>
    '<div class="tile s-' + text(m.status) + '" data-metric="' + text(m.id) + '" data-status="' + text(m.status) + '" title="' + text(m.description) + '">' +
    '<div class="label">' + text(m.label) + '</div><div class="value">' + text(m.value) + '</div>' +
    '<div class="status">' + text(m.status === 'insufficient' ? 'insufficient data' : m.status) + '</div>' +
    '<div class="cmp">yesterday ' + text(m.yesterday) + ' ' + text(m.change) + '</div></div>').join('');
  const p = d.gmvPlan;
  el('plan').innerHTML = p ? pill(p.status, p.actual + ' of ' + p.plan + ' (' + p.attainment + ')') + ' &nbsp; to date ' + pill(p.statusToDate, p.toDate) : 'no plan loaded for this hour';
  el('risk').innerHTML = d.atRisk.length === 0 ? '<tr><td>none</td></tr>' : '<tr><th>SKU</th><th>stock</th><th>cover</th><th>cart adds</th></tr>' +
    d.atRisk.map((r) => '<tr><td>' + pill(r.status, r.sku) + '</td><td>' + text(r.available) + '</td><td>' + text(r.hoursOfCover) + '</td><td>' + text(r.cartAdds) + '</td></tr>').join('');
  el('surges').innerHTML = d.surges.length === 0 ? '<tr><td>none</td></tr>' :
    d.surges.map((s) => '<tr><td>' + pill('surge', s.ratio) + '</td><td>' + text(s.campaign) + ' / ' + text(s.channel) + '</td><td>' + text(s.cartAdds) + ' adds (yesterday ' + text(s.yesterday) + ')</td></tr>').join('');
  el('alerts').innerHTML = d.alerts === null ? '<tr><td>Alertmanager not configured</td></tr>' : d.alerts.length === 0 ? '<tr><td>none</td></tr>' :
    d.alerts.map((a) => '<tr><td>' + pill(a.severity === 'critical' ? 'red' : 'amber', a.severity) + '</td><td>' + text(a.name) + '</td><td>' + text(a.summary) + '</td></tr>').join('');
}
function showFreshness() {
  if (!lastGood) return;
  const age = Math.round((lastGood.data.dataAgeMs + Date.now() - lastGood.at) / 1000);
  el('fresh').textContent = lastGood.data.lastWriteMs === null ? 'no data yet' : 'as of ' + age + ' s ago';
}
async function refresh() {
  try {
    const res = await fetch('war-room.json' + (token ? '?token=' + encodeURIComponent(token) : ''), { cache: 'no-store' });
    const data = await res.json();
    if (!res.ok) throw new Error(data.error ?? res.statusText);
    lastGood = { data, at: Date.now() };
    render(data);
    el('main').className = data.health.status === 'red' ? 'stale' : '';
    banner(data.health.message, data.health.status);
  } catch (error) {
    el('main').className = 'stale';
    banner('Cannot refresh: ' + error.message + (lastGood ? ' — showing data fetched at ' + new Date(lastGood.at).toLocaleTimeString() : ''), 'red');
  }
  showFreshness();
}
refresh();
setInterval(refresh, ${REFRESH_MS});
setInterval(showFreshness, 1000);
</script>
</body></html>
`;
}
