// HA status from the sentinels (fe.md §3.6): which server the sentinels report as each group's master.

/** True when sentinels are configured for the product. */
export function sentinelsConfigured(stats) {
  return (stats?.sentinels?.model?.servers ?? []).length > 0;
}

/** The address sentinels report as master of group gid, or undefined. */
export function haMaster(stats, gid) {
  return stats?.sentinels?.masters?.[String(gid)];
}

/** The HA class of the server at index i of group: ha_master, ha_real_master, ha_not_master, ha_slave, ha_undefined or ''. */
export function haClass(stats, group, i) {
  if (!sentinelsConfigured(stats)) return '';
  const master = haMaster(stats, group.id);
  const addr = group.servers[i].server;
  if (!master) return 'ha_undefined';
  if (i === 0) return master === addr ? 'ha_master' : 'ha_not_master';
  return master === addr ? 'ha_real_master' : 'ha_slave';
}

/** Groups where a non-first server is the sentinels' master: "group-[gid] <addr>" lines. */
export function haConflicts(stats) {
  if (!sentinelsConfigured(stats)) return [];
  const out = [];
  for (const group of stats?.group?.models ?? []) {
    const master = haMaster(stats, group.id);
    if (!master) continue;
    group.servers.forEach((server, i) => {
      if (i > 0 && server.server === master) out.push(`group-[${group.id}]: real master ${master}, logical master ${group.servers[0].server}`);
    });
  }
  return out;
}
