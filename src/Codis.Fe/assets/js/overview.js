// Overview (fe.md §3.3): product, coordinator, QPS, sessions, memory, keys, the dashboard link, a chart of
// the last samples of QPS and the refresh slider.
import uPlot from '../vendor/uPlot.esm.js';
import { h } from './dom.js';
import { humanSize, thousands, infoKeys, clock } from './format.js';

const SAMPLES = 30;

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

/**
 * The OP/s chart: uPlot (web/package.json, served from vendor/), a time axis in HH:MM:SS and one line. It keeps
 * its size in step with its box (a narrow screen gets a narrow chart).
 */
function createChart(box) {
  let plot = null;
  const size = () => ({ width: Math.max(240, box.clientWidth || 600), height: 180 });
  const make = (data) => {
    plot = new uPlot({
      ...size(),
      class: 'qps-plot',
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (u, min, max) => [0, Math.max(10, max * 1.2)] } },
      axes: [
        { values: (u, ticks) => ticks.map((t) => clock(new Date(t * 1000))), space: 70 },
        { values: (u, ticks) => ticks.map((t) => thousands(t)), size: 60 },
      ],
      series: [{}, { label: 'OP/s', stroke: '#2b7bb9', width: 2, fill: 'rgba(43,123,185,0.12)', points: { show: true, size: 5 } }],
    }, data, box);
  };
  new ResizeObserver(() => plot?.setSize(size())).observe(box);
  return {
    set(samples) {
      const data = [samples.map((p) => p.at.getTime() / 1000), samples.map((p) => p.qps)];
      if (!plot) make(data);
      else plot.setData(data);
    },
    clear() {
      plot?.destroy();
      plot = null;
      box.replaceChildren();
    },
  };
}

/** The overview panel. */
export function createOverview(ctx, refresh) {
  const rows = h('tbody');
  const chartBox = h('div', { class: 'chart-box qps-chart', 'aria-label': 'OP/s' });
  const qps = createChart(chartBox);
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
      qps.clear();
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
      qps.set(samples);
    },
  };
}
