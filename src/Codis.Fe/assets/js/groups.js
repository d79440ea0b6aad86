// Groups (fe.md §3.6): New Group, Add Server with its data center, sync all, replica groups, and one table per
// group with promote, resync, the replica-group toggle, the wrench (SLAVEOF action), remove and INFO figures.
import { h, button, field, icon, table } from './dom.js';
import { humanSize, statusOf } from './format.js';
import { haClass, haMaster, haConflicts, sentinelsConfigured } from './ha.js';

/** "NO:ONE" or "<master_addr>:<master_link_status>" from a server's INFO. */
export function masterStatus(info) {
  if (!info?.master_addr) return 'NO:ONE';
  return `${info.master_addr}:${info.master_link_status ?? ''}`;
}

/** The groups panel. */
export function createGroups(ctx) {
  const newGid = field('Group [1,9999]', { inputmode: 'numeric', size: 6 });
  const dc = field('Data Center', { size: 8 });
  const addr = field('Codis Server Address', { placeholder: '127.0.0.1:6379', size: 18 });
  const addGid = field('Group', { inputmode: 'numeric', size: 6 });
  const body = h('div');

  async function createGroup() {
    const gid = newGid.input.value.trim();
    if (gid && (await ctx.mutate(ctx.api('group/create', gid)))) newGid.input.value = '';
  }

  async function addServer() {
    const gid = addGid.input.value.trim();
    const server = addr.input.value.trim();
    if (!gid || !server) return;
    const datacenter = dc.input.value.trim();
    const path = datacenter ? ctx.api('group/add', gid, server, datacenter) : ctx.api('group/add', gid, server);
    if (await ctx.mutate(path)) addr.input.value = '';
  }

  function syncAll() {
    const ids = (ctx.stats?.group?.models ?? []).map((g) => g.id).join(',');
    const conflicts = haConflicts(ctx.stats);
    return ctx.mutate(ctx.api('group/resync-all'),
      conflicts.length > 0 ? `Resync All Groups: group-[${ids}] (in conflict with HA)\n${conflicts.join('\n')}` : `Resync All Groups: group-[${ids}]`,
      { danger: conflicts.length > 0 });
  }

  const el = h('div', null,
    h('h2', null, 'Group'),
    h('div', { class: 'controls' }, button('New Group', { class: 'primary' }, createGroup), newGid.el),
    h('div', { class: 'controls' }, button('Add Server', { class: 'primary' }, addServer), dc.el, addr.el, addGid.el),
    h('div', { class: 'controls' },
      button('GROUPS: SYNC ALL', null, syncAll),
      button('REPLICA(S): ENABLE ALL', null, () => ctx.mutate(ctx.api('group/replica-groups-all', 1))),
      button('REPLICA(S): DISABLE ALL', null, () => ctx.mutate(ctx.api('group/replica-groups-all', 0)))),
    body);

  function serverRow(group, i) {
    const stats = ctx.stats;
    const server = group.servers[i];
    const entry = stats?.group?.stats?.[server.server];
    const info = entry?.stats;
    const status = statusOf(entry);
    const ha = haClass(stats, group, i);
    const master = haMaster(stats, group.id);
    const promoting = Boolean(group.promoting?.state);
    const json = JSON.stringify(server, null, 4);
    const realMasterElsewhere = sentinelsConfigured(stats) && master && master !== server.server && group.servers.some((x) => x.server === master);

    let first;
    if (promoting) {
      first = i === group.promoting.index
        ? button('PROMOTE', { class: ['small', 'bad'] }, () => ctx.mutate(ctx.api('group/promote', group.id, server.server), `Promote server ${server.server} from Group-[${group.id}]: ${json}`))
        : '';
    } else if (i === 0) {
      first = button('SYNC', { class: ['small', group.out_of_sync ? 'bad' : 'ok'], title: `RESYNC SLOTS of GROUP-${group.id}` },
        () => ctx.mutate(ctx.api('group/resync', group.id), `Resync Group-[${group.id}]: ${JSON.stringify(group, null, 4)}`));
    } else {
      first = button('PROMOTE', { class: ['small', ha === 'ha_real_master' ? 'ok' : 'warn'] },
        () => ctx.mutate(ctx.api('group/promote', group.id, server.server), `Promote server ${server.server} from Group-[${group.id}]: ${json}`,
          { danger: Boolean(realMasterElsewhere) }));
    }

    const expected = i === 0 ? 'NO:ONE' : `${group.servers[0].server}:up`;
    const actual = info ? masterStatus(info) : 'NA';
    const actionState = server.action?.state ?? '';
    const pending = actionState === 'pending';
    const actionText = pending ? `pending:${server.action.index}` : actionState;
    const memory = info ? `${humanSize(info.used_memory)} / ${Number(info.maxmemory ?? 0) === 0 ? 'INF.' : humanSize(info.maxmemory)}` : 'NA';
    const keys = status === 'HEALTHY'
      ? Object.entries(info).filter(([k]) => /^db\d+$/.test(k)).map(([k, v]) => h('div', null, `${k}:${v}`))
      : (entry ? h('span', { class: ['label', status.toLowerCase()] }, status) : 'NA');
    const keyCell = Array.isArray(keys) && keys.length === 0 ? h('span', { class: 'muted' }, 'no keys') : keys;
    const removable = !promoting && !(i === 0 && group.servers.length > 1);

    return h('tr', null,
      h('td', null, first),
      h('td', { class: 'server' },
        h('a', { href: ctx.dashboardUrl(`/api/topom/group/info/${server.server}`), target: '_blank', rel: 'noopener', title: 'INFO' }, 'S'),
        ' ', h('span', { class: ha }, server.server + (master === server.server ? ' [HA]' : ''))),
      h('td', null, server.datacenter ?? ''),
      h('td', { class: actual === expected ? '' : 'bad-text' }, actual),
      h('td', null,
        h('input', {
          type: 'checkbox', checked: Boolean(server.replica_group), disabled: promoting, title: `REPLICA_GROUP = ${Boolean(server.replica_group)}`,
          'aria-label': `replica group ${server.server}`,
          onchange: (e) => ctx.mutate(ctx.api('group/replica-groups', group.id, server.server, e.target.checked ? 1 : 0)),
        })),
      h('td', { class: 'nowrap' },
        pending
          ? button('−', { class: 'small', disabled: promoting, title: 'CANCEL ACTION' }, () => ctx.mutate(ctx.api('group/action/remove', server.server)))
          : button(icon('wrench', 'sync action'), { class: 'small', disabled: promoting, title: `SLAVEOF ${i === 0 ? 'NO:ONE' : group.servers[0].server}` },
            () => ctx.mutate(ctx.api('group/action/create', server.server))),
        ' ', h('span', { class: 'muted' }, actionText)),
      h('td', null, memory),
      h('td', null, keyCell),
      h('td', null, removable
        ? button('−', { class: 'small', title: `REMOVE SERVER ${server.server}` },
          () => ctx.mutate(ctx.api('group/del', group.id, server.server), `Remove server ${server.server} from Group-[${group.id}]: ${json}`,
            { danger: ha === 'ha_real_master' }))
        : ''));
  }

  function groupTable(group) {
    const master = haMaster(ctx.stats, group.id);
    const outside = sentinelsConfigured(ctx.stats) && master && !group.servers.some((x) => x.server === master);
    const promoting = Boolean(group.promoting?.state);
    const header = [
      h('th', { class: promoting ? 'bad-text' : '' }, promoting ? `[ ${group.id} ]` : String(group.id)),
      h('th', null, 'Server', outside ? h('span', { class: 'bad-text' }, ` [HA: ${master}]`) : ''),
      'Data Center',
      h('th', null, 'Master', group.out_of_sync ? h('span', { class: 'bad-text' }, ' (OUT OF SYNC)') : ''),
      '', '', 'Memory', 'Keys',
      h('th', null, group.servers.length === 0
        ? button(icon('trash', 'remove group'), { class: 'small', title: `REMOVE GROUP-[${group.id}]` }, () => ctx.mutate(ctx.api('group/remove', group.id))) : ''),
    ];
    return table(header, group.servers.map((_, i) => serverRow(group, i)), { class: 'group' });
  }

  return {
    el,
    reset() { body.replaceChildren(); },
    update() {
      const groups = [...(ctx.stats?.group?.models ?? [])].sort((a, b) => a.id - b.id);
      body.replaceChildren(...groups.map(groupTable));
    },
  };
}
