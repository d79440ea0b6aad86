// Overview (fe.md §3.3): product, coordinator, QPS, sessions, memory, keys, the dashboard link, a chart of
// the last samples of QPS and the refresh slider.
import { h, s } from './dom.js';
import { humanSize, thousands, infoKeys, clock } from './format.js';

const SAMPLES = 10;

/** Sums over proxies and the first server of each group. */
export function summarize(stats) {
  let qps = 0;
  let sessions = 0;
  let memory = 0;
  let keys = 0;
  for (const entry of Object.values(stats?.proxy?.stats ?? {})) {
    if (!entry?.stats) continue;
    qps += Number(entry.stats.ops?.qps ?? 0);
    sessions += Number(entry.stats.sessions?.alive ?? 0);
  }
  for (const group of stats?.group?.models ?? []) {
    const first = group.servers?.[0];
    const info = first ? stats.group.stats?.[first.server]?.stats : null;
    if (!info) continue;
    memory += Number(info.used_memory ?? 0);
    keys += infoKeys(info);
  }
  return { qps, sessions, memory, keys };
}

function chart(samples) {
  const width = 600;
  const height = 160;
  const pad = { left: 48, right: 8, top: 10, bottom: 22 };
  const max = Math.max(1, ...samples.map((p) => p.qps));
  const x = (i) => pad.left + (samples.length <= 1 ? 0 : (i * (width - pad.left - pad.right)) / (SAMPLES - 1));
  const y = (v) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const points = samples.map((p, i) => `${x(i).toFixed(1)},${y(p.qps).toFixed(1)}`).join(' ');
  return s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'qps-chart', role: 'img', 'aria-label': 'OP/s' },
    s('text', { x: 4, y: 12, class: 'axis' }, 'OP/s'),
    s('text', { x: pad.left - 4, y: y(max) + 4, class: 'axis', 'text-anchor': 'end' }, thousands(max)),
    s('text', { x: pad.left - 4, y: y(0) + 4, class: 'axis', 'text-anchor': 'end' }, '0'),
    s('line', { x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0), class: 'grid' }),
    s('line', { x1: pad.left, y1: y(max), x2: width - pad.right, y2: y(max), class: 'grid' }),
    samples.length > 0 && s('polyline', { points, class: 'line' }),
    samples.map((p, i) => s('circle', { cx: x(i), cy: y(p.qps), r: 3, class: 'dot' }, s('title', null, `${clock(p.at)}  ${thousands(p.qps)} op/s`))),
    samples.map((p, i) => (i % 3 === 0 || i === samples.length - 1)
      && s('text', { x: x(i), y: height - 6, class: 'axis', 'text-anchor': 'middle' }, clock(p.at))));
}

/** The overview panel. */
export function createOverview(ctx, refresh) {
  const rows = h('tbody');
  const chartBox = h('div', { class: 'chart-box' });
  const label = h('span', null);
  const slider = h('input', { type: 'range', min: 1, max: 60, value: refresh.getInterval(), 'aria-label': 'Refresh interval in seconds' });
  const showInterval = () => { label.textContent = `Refresh: ${slider.value}`; };
  slider.addEventListener('input', () => { refresh.setInterval(Number(slider.value)); showInterval(); });
  showInterval();
  let samples = [];
  const el = h('div', null,
    h('h2', null, 'Overview'),
    h('div', { class: 'overview' },
      h('div', { class: 'table-wrap' }, h('table', { class: 'kv' }, rows)),
      h('div', { class: 'chart' }, chartBox, h('label', { class: 'slider' }, label, slider))));

  function row(name, value) {
    return h('tr', null, h('th', null, name), h('td', null, value));
  }

  return {
    el,
    reset() {
      samples = [];
      rows.replaceChildren();
      chartBox.replaceChildren();
    },
    update() {
      const sum = summarize(ctx.stats);
      samples = [...samples, { at: new Date(), qps: sum.qps }].slice(-SAMPLES);
      rows.replaceChildren(
        row('Product Name', ctx.product),
        row(`[${ctx.coordinator?.name ?? ''}]`, ctx.coordinator?.addr ?? ''),
        row('Codis QPS', thousands(sum.qps)),
        row('Sessions', thousands(sum.sessions)),
        row('Redis Memory', humanSize(sum.memory)),
        row('Redis Keys', thousands(sum.keys)),
        row('Dashboard', ctx.dashboard
          ? h('a', { href: ctx.dashboardUrl('/topom'), target: '_blank', rel: 'noopener' }, ctx.dashboard) : 'NA'));
      chartBox.replaceChildren(chart(samples));
    },
  };
}
