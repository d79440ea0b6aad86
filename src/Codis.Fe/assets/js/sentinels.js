// Sentinels (fe.md §3.7): Add Sentinel, resync all, and per sentinel its links, status from INFO, the run-id
// check against the groups, remove and force remove.
import { h, button, field, table } from './dom.js';
import { statusOf } from './format.js';
import { haConflicts } from './ha.js';

/** "masters=..,down=..,slaves=..,sentinels=.." from a sentinel's INFO, counting this product's masters only. */
export function sentinelSummary(product, info) {
  let masters = 0;
  let down = 0;
  let slaves = 0;
  let sentinels = 0;
  const n = Number(info?.sentinel_masters ?? 0);
  for (let j = 0; j < n; j++) {
    const line = info?.[`master${j}`];
    if (!line) continue;
    const fields = Object.fromEntries(line.split(',').map((kv) => {
      const eq = kv.indexOf('=');
      return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
    }));
    const name = fields.name ?? '';
    if (!name.startsWith(product) || name.lastIndexOf('-') !== product.length) continue;
    masters++;
    if (fields.status !== 'ok') down++;
    slaves += Number(fields.slaves ?? 0);
    sentinels += Number(fields.sentinels ?? 0);
  }
  const avg = (x) => (masters > 0 ? x / masters : 0).toFixed(2);
  return `masters=${masters},down=${down},slaves=${avg(slaves)},sentinels=${avg(sentinels)}`;
}

/** The run-id check: the last finding of a server known to one side only, or ''. */
export function runIdCheck(product, stats, sentinelEntry) {
  let finding = '';
  for (const group of stats?.group?.models ?? []) {
    const known = sentinelEntry?.sentinel?.[`${product}-${group.id}`];
    if (!known) continue;
    const sentinelIds = new Map();
    for (const node of [known.master, ...(known.slaves ?? [])]) {
      if (node) sentinelIds.set(node['run-id'] ?? node.runid ?? '', `${node.ip}:${node.port}`);
    }
    const groupIds = new Map();
    for (const server of group.servers) {
      const runid = stats?.group?.stats?.[server.server]?.stats?.run_id;
      if (runid) groupIds.set(runid, server.server);
    }
    for (const [runid, addr] of sentinelIds) {
      if (!groupIds.has(runid)) finding = `[+]group=${group.id},server=${addr},runid=${runid || 'NA'}`;
    }
    for (const [runid, addr] of groupIds) {
      if (!sentinelIds.has(runid)) finding = `[-]group=${group.id},server=${addr},runid=${runid}`;
    }
  }
  return finding;
}

/** The sentinels panel. */
export function createSentinels(ctx) {
  const addr = field('Redis Sentinel Address', { placeholder: '127.0.0.1:26379', size: 18 });
  const body = h('div');

  async function add() {
    const value = addr.input.value.trim();
    if (value && (await ctx.mutate(ctx.api('sentinels/add', value)))) addr.input.value = '';
  }

  function resyncAll() {
    const list = (ctx.stats?.sentinels?.model?.servers ?? []).join(', ');
    const conflicts = haConflicts(ctx.stats);
    return ctx.mutate(ctx.api('sentinels/resync-all'),
      conflicts.length > 0 ? `Resync All Sentinels: ${list}\n\nHA conflicts:\n${conflicts.join('\n')}` : `Resync All Sentinels: ${list}`,
      { danger: conflicts.length > 0 });
  }

  const el = h('div', null,
    h('h2', null, 'Sentinels'),
    h('div', { class: 'controls' }, button('Add Sentinel', { class: 'primary' }, add), addr.el),
    body);

  function row(server) {
    const entry = ctx.stats?.sentinels?.stats?.[server];
    const status = statusOf(entry);
    return h('tr', null,
      h('td', { class: 'links' },
        h('a', { href: ctx.dashboardUrl(`/api/topom/sentinels/info/${server}/monitored`), target: '_blank', rel: 'noopener' }, 'WATCHED'),
        h('a', { href: ctx.dashboardUrl(`/api/topom/sentinels/info/${server}`), target: '_blank', rel: 'noopener' }, 'S')),
      h('td', null, server),
      h('td', null, status === 'ERROR'
        ? button('x', { class: ['small', 'bad'], title: `FORCE REMOVE SENTINEL ${server}` },
          () => ctx.mutate(ctx.api('sentinels/del', server, 1), `[FORCE] Remove sentinel ${server}`, { danger: true })) : ''),
      h('td', null, status === 'HEALTHY' ? sentinelSummary(ctx.product, entry.stats) : h('span', { class: ['label', status.toLowerCase()] }, status)),
      h('td', { class: 'bad-text' }, status === 'HEALTHY' ? runIdCheck(ctx.product, ctx.stats, entry) : ''),
      h('td', null, button('−', { class: 'small', title: `REMOVE SENTINEL ${server}` },
        () => ctx.mutate(ctx.api('sentinels/del', server, 0), `Remove sentinel ${server}`))));
  }

  return {
    el,
    reset() { body.replaceChildren(); },
    update() {
      const model = ctx.stats?.sentinels?.model ?? {};
      const header = [
        h('th', null, button('SYNC', { class: ['small', model.out_of_sync ? 'bad' : 'ok'], title: 'RESYNC ALL SENTINELS & PROXIES' }, resyncAll)),
        h('th', null, 'Sentinel', model.out_of_sync ? h('span', { class: 'bad-text' }, ' (OUT OF SYNC)') : ''),
        '', 'Status', '', '',
      ];
      body.replaceChildren(table(header, (model.servers ?? []).map(row)));
    },
  };
}
