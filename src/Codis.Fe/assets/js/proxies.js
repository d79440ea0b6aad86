// Proxies (fe.md §3.4): New Proxy, the table with reinit (SYNC), remove and force remove.
import { call } from './api.js';
import { h, button, field, table } from './dom.js';
import { statusOf, thousands } from './format.js';
import { haConflicts } from './ha.js';

/** HEALTHY, TIMEOUT, ERROR or PENDING for a proxy's stats entry. */
export function proxyStatus(entry) {
  return statusOf(entry, (stats) => Boolean(stats?.online));
}

/** The proxies panel. */
export function createProxies(ctx) {
  const addr = field('Proxy Admin Address', { placeholder: '127.0.0.1:11080', autocomplete: 'off' });
  const body = h('div');
  const latencyBox = h('div');
  const el = h('div', null,
    h('h2', null, 'Proxy'),
    h('div', { class: 'controls' },
      button('New Proxy', { class: 'primary' }, async () => {
        const value = addr.input.value.trim();
        if (value && (await ctx.mutate(ctx.api('proxy/create', value)))) addr.input.value = '';
      }),
      addr.el),
    body,
    latencyBox);

  function reinit(p, switched) {
    const conflicts = haConflicts(ctx.stats);
    if (conflicts.length > 0) {
      return ctx.mutate(ctx.api('proxy/reinit', p.token),
        `HA: real master & logical master area conflicting:\n${conflicts.join('\n')}\n\nPlease fix these before resync proxy-[${p.token}].`,
        { danger: true });
    }
    return ctx.mutate(ctx.api('proxy/reinit', p.token), `Reinit and Start proxy: ${JSON.stringify(p, null, 4)}`, { danger: switched });
  }

  function remove(p, force) {
    const text = `${force ? '[FORCE] ' : ''}Remove and Shutdown proxy: ${JSON.stringify(p, null, 4)}`;
    return ctx.mutate(ctx.api('proxy/remove', p.token, force ? 1 : 0), text, { danger: force });
  }

  function row(p) {
    const entry = ctx.stats?.proxy?.stats?.[p.token];
    const status = proxyStatus(entry);
    const st = entry?.stats;
    const switched = Boolean(st?.sentinels?.switched);
    const primaryOnly = Boolean(st?.backend?.primary_only);
    const syncClass = status === 'HEALTHY' && !switched ? 'ok' : (status === 'PENDING' || switched ? 'bad' : '');
    return h('tr', null,
      h('td', null, p.id),
      h('td', { class: 'links' },
        h('a', { href: `http://${p.admin_addr}/proxy`, target: '_blank', rel: 'noopener', title: 'proxy model' }, 'F'),
        h('a', { href: `http://${p.admin_addr}/proxy/stats`, target: '_blank', rel: 'noopener', class: primaryOnly ? 'primary-only' : '', title: primaryOnly ? 'BACKEND: PRIMARY ONLY' : 'proxy stats' }, 'S')),
      h('td', { class: switched ? 'switched' : '', title: switched ? 'HA: MASTER SWITCHED' : null },
        h('div', null, p.proxy_addr), h('div', { class: 'muted' }, p.admin_addr)),
      h('td', null, button('SYNC', { class: ['small', syncClass], title: `RESYNC ALL SLOTS to ${p.proxy_addr}` }, () => reinit(p, switched))),
      h('td', null, p.datacenter ?? ''),
      h('td', null, status === 'ERROR'
        ? button('x', { class: ['small', 'bad'], title: `FORCE REMOVE PROXY-[${p.token}]` }, () => remove(p, true)) : ''),
      h('td', null, st ? `total=${st.sessions?.total ?? 0},alive=${st.sessions?.alive ?? 0}` : 'NA'),
      h('td', null, status === 'HEALTHY'
        ? `total=${st.ops?.total ?? 0},fails=${st.ops?.fails ?? 0},rsp.errs=${st.ops?.redis?.errors ?? 0},qps=${st.ops?.qps ?? 0}`
        : h('span', { class: ['label', status.toLowerCase()] }, status)),
      h('td', null, button('−', { class: 'small', title: `REMOVE PROXY-[${p.token}]` }, () => remove(p, false))));
  }

  // Beyond Codis: the per-command table of each proxy's full stats (ops.cmd), which the dashboard's stats leave
  // out; codis-fe relays it (GET /fe/proxy/stats/<admin addr>). Merged over proxies, busiest command first.
  let commands = new Map();
  let fetching = false;

  async function fetchCommands(models, generation) {
    if (fetching) return;
    fetching = true;
    try {
      const replies = await Promise.all(models.map((p) => call('GET', `/fe/proxy/stats/${p.admin_addr}`, ctx.product).catch(() => null)));
      if (generation !== ctx.generation) return;
      commands = new Map();
      for (const reply of replies) {
        for (const c of reply?.ops?.cmd ?? []) {
          const m = commands.get(c.opstr) ?? { calls: 0, usecs: 0, fails: 0, errors: 0 };
          m.calls += Number(c.calls ?? 0);
          m.usecs += Number(c.usecs ?? (c.usecs_percall ?? 0) * (c.calls ?? 0));
          m.fails += Number(c.fails ?? 0);
          m.errors += Number(c.redis_errtype ?? 0);
          commands.set(c.opstr, m);
        }
      }
      renderLatency();
    } finally {
      fetching = false;
    }
  }

  function renderLatency() {
    const open = latencyBox.querySelector('details.latency')?.open ?? false;
    if (commands.size === 0) {
      latencyBox.replaceChildren();
      return;
    }
    const rows = [...commands.entries()].sort((a, b) => b[1].calls - a[1].calls).map(([op, m]) => h('tr', null,
      h('td', null, op), h('td', { class: 'num' }, thousands(m.calls)),
      h('td', { class: 'num' }, m.calls > 0 ? (m.usecs / m.calls).toFixed(1) : '0'),
      h('td', { class: 'num' }, thousands(m.fails)), h('td', { class: 'num' }, thousands(m.errors))));
    const details = h('details', { class: 'latency' }, h('summary', null, `Command latency (${commands.size} commands)`),
      table(['Command', 'Calls', 'µs/call', 'Fails', 'Redis errors'], rows, { class: 'latency-table' }));
    details.open = open;
    latencyBox.replaceChildren(details);
  }

  return {
    el,
    reset() {
      body.replaceChildren();
      commands = new Map();
      latencyBox.replaceChildren();
    },
    update() {
      const models = [...(ctx.stats?.proxy?.models ?? [])].sort((a, b) => a.id - b.id);
      body.replaceChildren(
        table(['ID', 'Stats', 'Proxy / Admin', '', 'Data Center', '', 'Sessions', 'Commands', ''], models.map(row), { class: 'proxies' }));
      fetchCommands(models, ctx.generation);
    },
  };
}
