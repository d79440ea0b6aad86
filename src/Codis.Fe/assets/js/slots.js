// Slots (fe.md §3.5): the slot chart per group and state, migrate range / some, the action switches and
// interval, pending actions with cancel, and the auto-rebalance preview and confirm.
import { h, s, button, field, table } from './dom.js';
import { infoKeys, ranges, thousands } from './format.js';

const MAX_SLOTS = 1024;
const CATEGORIES = ['Offline', 'Migrating', 'Default'];
const PALETTE = ['#7cb5ec', '#434348', '#90ed7d', '#f7a35c', '#8085e9', '#f15c80', '#e4d354', '#2b908f', '#f45b5b', '#91e8e1'];

/** Contiguous runs [beg, end] of slot ids for which pick(slot) is true. */
function runs(slots, pick) {
  const out = [];
  let beg = -1;
  for (let i = 0; i <= slots.length; i++) {
    const hit = i < slots.length && pick(slots[i]);
    if (hit && beg < 0) beg = i;
    if (!hit && beg >= 0) {
      out.push([slots[beg].id, slots[i - 1].id]);
      beg = -1;
    }
  }
  return out;
}

/** One series per group seen in group_id or action.target_id: its runs per category, and its slot count. */
export function slotSeries(slots) {
  const sorted = [...(slots ?? [])].sort((a, b) => a.id - b.id);
  const ids = new Set();
  for (const slot of sorted) {
    ids.add(slot.group_id ?? 0);
    if (slot.action?.state) ids.add(slot.action.target_id ?? 0);
  }
  return [...ids].sort((a, b) => a - b).map((gid) => ({
    gid,
    count: sorted.filter((slot) => (slot.group_id ?? 0) === gid).length,
    home: runs(sorted, (slot) => (slot.group_id ?? 0) === gid),
    migrating: runs(sorted, (slot) => Boolean(slot.action?.state) && (slot.action.target_id ?? 0) === gid),
  }));
}

function chart(series) {
  const width = 1100;
  const left = 76;
  const lane = 34;
  const top = 8;
  const scale = (width - left - 12) / MAX_SLOTS;
  const xOf = (slot) => left + slot * scale;
  const lanes = CATEGORIES.map((name, i) => s('g', null,
    s('text', { x: left - 6, y: top + i * lane + lane / 2 + 4, class: 'axis', 'text-anchor': 'end' }, name),
    s('rect', { x: left, y: top + i * lane + 2, width: MAX_SLOTS * scale, height: lane - 4, class: 'lane' })));
  const ticks = [];
  for (let t = 0; t <= MAX_SLOTS; t += 64) {
    ticks.push(s('line', { x1: xOf(t), x2: xOf(t), y1: top, y2: top + 3 * lane, class: 'grid' }));
    if (t % 128 === 0) ticks.push(s('text', { x: xOf(t), y: top + 3 * lane + 14, class: 'axis', 'text-anchor': 'middle' }, t));
  }
  const bars = [];
  series.forEach((g, n) => {
    const color = g.gid === 0 ? '#bbb' : PALETTE[n % PALETTE.length];
    const bar = (lane0, [a, b], tip) => s('rect', {
      x: xOf(a), y: top + lane0 * lane + 5, width: Math.max((b - a + 1) * scale, 1.5), height: lane - 10, fill: color, class: 'bar',
    }, s('title', null, tip));
    for (const r of g.home) {
      bars.push(g.gid === 0 ? bar(0, r, `Slot-[${r[0]},${r[1]}] are Offline`) : bar(2, r, `Slot-[${r[0]},${r[1]}] --> Group-[${g.gid}]`));
    }
    for (const r of g.migrating) bars.push(bar(1, r, `Slot-[${r[0]},${r[1]}] will be moved to Group-[${g.gid}]`));
  });
  const legend = h('ul', { class: 'legend' }, series.map((g, n) => h('li', null,
    h('span', { class: 'swatch', style: `background:${g.gid === 0 ? '#bbb' : PALETTE[n % PALETTE.length]}` }), `Group-${g.gid}:${g.count}`)));
  const svg = s('svg', { viewBox: `0 0 ${width} ${top + 3 * lane + 20}`, class: 'slot-chart', role: 'img', 'aria-label': 'slots per group' },
    lanes, ticks, bars);
  return h('div', null, h('div', { class: 'chart-scroll' }, svg), legend);
}

/** The rebalance plan {slot: gid} as "group-[gid] <== [a,b],[c,d]" lines. */
export function planLines(plan) {
  const byGroup = new Map();
  for (const [sid, gid] of Object.entries(plan ?? {})) {
    if (!byGroup.has(gid)) byGroup.set(gid, []);
    byGroup.get(gid).push(Number(sid));
  }
  return [...byGroup.entries()].sort((a, b) => a[0] - b[0]).map(([gid, ids]) => `group-[${gid}] <== ${ranges(ids)}`);
}

/** The slots panel. */
export function createSlots(ctx) {
  const beg = field('Slots-[', { inputmode: 'numeric', placeholder: 'beg', size: 5 });
  const end = field('~', { inputmode: 'numeric', placeholder: 'end', size: 5 });
  const rangeGid = field('] to Group', { inputmode: 'numeric', placeholder: 'gid', size: 5 });
  const someN = field('Migrate', { inputmode: 'numeric', placeholder: 'number', size: 6 });
  const someFrom = field('Slots from Group', { inputmode: 'numeric', placeholder: 'gid', size: 5 });
  const someTo = field('to Group', { inputmode: 'numeric', placeholder: 'gid', size: 5 });
  const interval = field('Action Interval (us)', { inputmode: 'numeric', size: 8 });
  const showActions = h('input', { type: 'checkbox' });
  const chartBox = h('div', { class: 'chart-box' });
  const actionState = h('span');
  const actionStatus = h('span');
  const progress = h('div', { class: 'progress' });
  const actionsBox = h('div');
  const preview = h('pre', { class: 'plan', hidden: true });
  let progressSamples = [];

  const int = (input) => (/^\s*-?\d+\s*$/.test(input.value) ? Number(input.value) : null);

  async function migrateRange() {
    const [a, b, g] = [int(beg.input), int(end.input), int(rangeGid.input)];
    if (a === null || b === null || g === null) return;
    await ctx.mutate(ctx.api('slots/action/create-range', a, b, g), `Migrate Slots-[${a},${b}] to Group-[${g}]`);
  }

  async function migrateSome() {
    const [n, from, to] = [int(someN.input), int(someFrom.input), int(someTo.input)];
    if (n === null || from === null || to === null) return;
    await ctx.mutate(ctx.api('slots/action/create-some', from, to, n), `Migrate ${n} Slots from Group-[${from}] to Group-[${to}]`);
  }

  async function rebalance() {
    preview.hidden = true;
    const plan = await ctx.mutate(ctx.api('slots/rebalance', 0));
    if (plan === undefined) return;
    const lines = planLines(plan === true ? {} : plan);
    preview.textContent = lines.length > 0 ? lines.join('\n') : 'nothing to move';
    preview.hidden = false;
    if (lines.length === 0) return;
    // The dashboard computes the plan again when it applies it.
    await ctx.mutate(ctx.api('slots/rebalance', 1), `Preview of Auto-Rebalance:\n${lines.join('\n')}`);
  }

  async function updateInterval() {
    const v = int(interval.input);
    if (v === null) return;
    if (await ctx.mutate(ctx.api('slots/action/interval', v))) interval.input.value = '';
  }

  showActions.addEventListener('change', () => render());

  const el = h('div', null,
    h('h2', null, 'Slots'),
    h('div', { class: 'controls' }, button('Migrate Range', { class: 'primary' }, migrateRange), beg.el, end.el, rangeGid.el),
    chartBox,
    h('div', { class: 'controls' }, button('Migrate Some', { class: 'primary' }, migrateSome), someN.el, someFrom.el, someTo.el),
    h('div', { class: 'actions-panel' },
      h('div', { class: 'controls' }, h('span', null, 'Action : ', actionState),
        button('Enable', null, () => ctx.mutate(ctx.api('slots/action/disabled', 0))),
        button('Disable', null, () => ctx.mutate(ctx.api('slots/action/disabled', 1)))),
      h('div', { class: 'controls' }, interval.el, button('Update', null, updateInterval)),
      h('div', { class: 'controls' }, h('span', null, 'Action Status : ', actionStatus)),
      progress,
      h('div', { class: 'controls' }, h('label', { class: 'check' }, showActions, 'Show Actions')),
      actionsBox,
      h('div', { class: 'controls' }, h('span', null, 'Auto-Rebalance'), button('Rebalance All Slots', { class: 'primary' }, rebalance)),
      preview));

  /** Keys held by the masters of the groups in gids (their INFO db<N> keys=). */
  function keysOf(gids) {
    let keys = 0;
    for (const group of ctx.stats?.group?.models ?? []) {
      if (!gids.has(group.id)) continue;
      const first = group.servers?.[0];
      keys += infoKeys(ctx.stats.group.stats?.[first?.server]?.stats);
    }
    return keys;
  }

  function renderProgress(slots) {
    // Beyond Codis: the slots left, the rate of the last minute in slots/s and in keys/s (keys arriving in the
    // target groups), and an ETA.
    const moving = slots.filter((slot) => slot.action?.state);
    const pending = moving.length;
    const now = Date.now();
    if (pending === 0) {
      progressSamples = [];
      progress.replaceChildren();
      return;
    }
    const targets = new Set(moving.map((slot) => slot.action.target_id));
    const keys = keysOf(targets);
    progressSamples = [...progressSamples.filter((p) => now - p.at < 60_000), { at: now, pending, keys }];
    const first = progressSamples[0];
    const seconds = (now - first.at) / 1000;
    const rate = seconds > 0 ? (first.pending - pending) / seconds : 0;
    const keyRate = seconds > 0 ? Math.max(0, keys - first.keys) / seconds : 0;
    const eta = rate > 0 ? `${Math.ceil(pending / rate)} s` : 'unknown';
    const total = Math.max(first.pending, pending);
    progress.replaceChildren(
      h('progress', { max: total, value: total - pending }),
      h('span', { class: 'progress-text' },
        ` ${thousands(pending)} slot(s) to migrate, ${rate.toFixed(2)} slots/s, ${thousands(keyRate)} keys/s, ETA ${eta}`));
  }

  function render() {
    const stats = ctx.stats;
    if (!stats) return;
    const slots = [...(stats.slots ?? [])].sort((a, b) => a.id - b.id);
    chartBox.replaceChildren(chart(slotSeries(slots)));
    const action = stats.slot_action ?? {};
    actionState.textContent = action.disabled ? 'Disabled' : 'Enabled';
    actionState.className = action.disabled ? 'bad-text' : 'ok-text';
    interval.input.placeholder = String(action.interval ?? '');
    actionStatus.textContent = action.progress?.status ?? '';
    renderProgress(slots);
    if (!showActions.checked) {
      actionsBox.replaceChildren();
      return;
    }
    const rows = slots.filter((slot) => slot.action?.state).map((slot) => h('tr', null,
      h('td', null, slot.id), h('td', null, slot.group_id), h('td', null, slot.action.target_id), h('td', null, slot.action.index),
      h('td', { class: slot.action.state === 'pending' ? '' : 'bad-text' }, slot.action.state),
      h('td', null, slot.action.state === 'pending'
        ? button('−', { class: 'small', title: `REMOVE ACTION of Slot-[${slot.id}]` }, () => ctx.mutate(ctx.api('slots/action/remove', slot.id))) : '')));
    actionsBox.replaceChildren(rows.length > 0 ? table(['Slot', 'Group', 'Target', 'Index', 'Status', ''], rows) : h('p', { class: 'muted' }, 'no action'));
  }

  return {
    el,
    reset() {
      progressSamples = [];
      preview.hidden = true;
      chartBox.replaceChildren();
      actionsBox.replaceChildren();
    },
    update: render,
  };
}
