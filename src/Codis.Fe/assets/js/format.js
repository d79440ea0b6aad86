// Formatting and the status rules shared by the panels (fe.md §3).

/** Bytes as B, KB, MB, GB or TB with 2 decimals (base 1024). */
export function humanSize(bytes) {
  const n = Number(bytes);
  if (!Number.isFinite(n)) return 'NA';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(2)} ${units[i]}`;
}

/** An integer with thousands separators. */
export function thousands(n) {
  return String(Math.trunc(Number(n) || 0)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The keys= counts of every db<N> field of an INFO map, summed. */
export function infoKeys(info) {
  let keys = 0;
  for (const [name, value] of Object.entries(info ?? {})) {
    if (!/^db\d+$/.test(name)) continue;
    const m = /keys=(\d+)/.exec(value);
    if (m) keys += Number(m[1]);
  }
  return keys;
}

/** HEALTHY, TIMEOUT, ERROR or PENDING for a stats entry of a proxy or server ({stats, error, timeout}). */
export function statusOf(entry, online = (stats) => stats !== undefined) {
  if (!entry) return 'PENDING';
  if (entry.timeout) return 'TIMEOUT';
  if (entry.error) return 'ERROR';
  return online(entry.stats) ? 'HEALTHY' : 'PENDING';
}

/** Slot ids grouped into ranges: [1,2,3,7] -> "[1,3],[7,7]". */
export function ranges(ids) {
  const sorted = [...ids].map(Number).sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < sorted.length; i++) {
    const beg = sorted[i];
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i] + 1) i++;
    out.push(`[${beg},${sorted[i]}]`);
  }
  return out.join(',');
}

/** hh:mm:ss of a Date. */
export function clock(date) {
  return date.toTimeString().slice(0, 8);
}
