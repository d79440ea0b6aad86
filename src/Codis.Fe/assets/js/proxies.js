// Proxies (fe.md §3.4): New Proxy, the table with reinit (SYNC), remove and force remove.
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
  const el = h('div', null,
    h('h2', null, 'Proxy'),
    h('div', { class: 'controls' },
      button('New Proxy', { class: 'primary' }, async () => {
        const value = addr.input.value.trim();
        if (value && (await ctx.mutate(ctx.api('proxy/create', value)))) addr.input.value = '';
      }),
      addr.el),
    body);

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

  function latency(models) {
    // Beyond Codis: the per-command table each proxy reports in its stats (ops.cmd), merged over proxies.
    const merged = new Map();
    for (const p of models) {
      for (const c of ctx.stats?.proxy?.stats?.[p.token]?.stats?.ops?.cmd ?? []) {
        const m = merged.get(c.opstr) ?? { calls: 0, usecs: 0, fails: 0, errors: 0 };
        m.calls += Number(c.calls ?? 0);
        m.usecs += Number(c.usecs ?? (c.usecs_percall ?? 0) * (c.calls ?? 0));
        m.fails += Number(c.fails ?? 0);
        m.errors += Number(c.redis_errtype ?? 0);
        merged.set(c.opstr, m);
      }
    }
    if (merged.size === 0) return null;
    const rows = [...merged.entries()].sort((a, b) => b[1].calls - a[1].calls).map(([op, m]) => h('tr', null,
      h('td', null, op), h('td', { class: 'num' }, thousands(m.calls)),
      h('td', { class: 'num' }, m.calls > 0 ? (m.usecs / m.calls).toFixed(0) : '0'),
      h('td', { class: 'num' }, thousands(m.fails)), h('td', { class: 'num' }, thousands(m.errors))));
    return h('details', { class: 'latency' }, h('summary', null, `Commands (${merged.size})`),
      table(['Command', 'Calls', 'µs/call', 'Fails', 'Redis errors'], rows));
  }

  return {
    el,
    reset() { body.replaceChildren(); },
    update() {
      const models = [...(ctx.stats?.proxy?.models ?? [])].sort((a, b) => a.id - b.id);
      const open = body.querySelector('details.latency')?.open ?? false;
      const details = latency(models);
      if (details) details.open = open;
      body.replaceChildren(
        table(['ID', 'Stats', 'Proxy / Admin', '', 'Data Center', '', 'Sessions', 'Commands', ''], models.map(row), { class: 'proxies' }),
        details ?? '');
    },
  };
}
