// codis-fe's page: the product list, then the panels of the selected product, refreshed every N seconds
// from the dashboard's /api/topom/stats (fe.md §3).
import { listProducts, call, xauth } from './api.js';
import { confirmAction, showError } from './dialog.js';
import { h } from './dom.js';
import { createOverview } from './overview.js';
import { createProxies } from './proxies.js';
import { createSlots } from './slots.js';
import { createGroups } from './groups.js';
import { createSentinels } from './sentinels.js';

/** The state shared by the panels and the actions they run. */
class Context {
  constructor(onRefresh) {
    this.onRefresh = onRefresh;
    this.reset(null);
  }

  reset(product) {
    this.product = product;
    this.xauth = null;
    this.dashboard = null;
    this.coordinator = null;
    this.overview = null;
    this.stats = null;
    this.generation = (this.generation ?? 0) + 1;
  }

  /** GET through the FE; errors go to the error dialog and resolve to null. */
  async get(path) {
    try {
      return await call('GET', path, this.product);
    } catch (e) {
      await showError(e);
      return null;
    }
  }

  /**
   * A PUT that changes the cluster: asks first when confirm is given, shows a failure, refreshes at once on
   * success. Resolves to the reply, or undefined when cancelled or failed.
   */
  async mutate(path, confirm, { danger = false } = {}) {
    if (!this.product || !this.xauth) return undefined;
    if (confirm && !(await confirmAction(confirm, { danger }))) return undefined;
    let reply;
    try {
      reply = await call('PUT', path, this.product);
    } catch (e) {
      await showError(e);
      return undefined;
    }
    await this.onRefresh();
    return reply ?? true;
  }

  /** A dashboard API path: /api/topom/<rest> with the xauth after the verb. */
  api(verbPath, ...args) {
    return [`/api/topom/${verbPath}`, this.xauth, ...args].join('/');
  }

  /** A link to the dashboard itself (opened in a new tab). */
  dashboardUrl(path) {
    return `http://${this.dashboard}${path}`;
  }
}

const state = {
  refreshInterval: 3,
  ticks: 0,
  refreshing: false,
};

const ctx = new Context(() => refresh());
const panels = [];

function createPanels() {
  const defs = [
    ['overview', createOverview],
    ['proxies', createProxies],
    ['slots', createSlots],
    ['groups', createGroups],
    ['sentinels', createSentinels],
  ];
  for (const [id, create] of defs) {
    const section = document.getElementById(id);
    const panel = create(ctx, {
      getInterval: () => state.refreshInterval,
      setInterval: (n) => { state.refreshInterval = n; },
    });
    section.replaceChildren(panel.el);
    panels.push({ section, panel });
  }
}

function showPanels(visible) {
  document.getElementById('placeholder').hidden = visible;
  for (const { section } of panels) section.hidden = !visible;
}

function render() {
  for (const { panel } of panels) panel.update(ctx);
}

async function refresh() {
  if (!ctx.product || !ctx.dashboard || state.refreshing) return;
  const generation = ctx.generation;
  state.refreshing = true;
  try {
    const stats = await call('GET', `/api/topom/stats/${ctx.xauth}`, ctx.product);
    if (generation !== ctx.generation) return;
    ctx.stats = stats;
    delete document.getElementById('product-title').dataset.error;
    render();
  } catch (e) {
    if (generation === ctx.generation) document.getElementById('product-title').dataset.error = e.status ?? 'error';
  } finally {
    state.refreshing = false;
    state.ticks = 0;
  }
}

async function selectProduct(name) {
  ctx.reset(name);
  const generation = ctx.generation;
  for (const { panel } of panels) panel.reset?.();
  for (const a of document.querySelectorAll('#product-list a')) a.classList.toggle('active', a.dataset.name === name);
  document.getElementById('product-title').textContent = name;
  closeMenu();
  showPanels(true);
  ctx.xauth = await xauth(name);
  let overview;
  try {
    overview = await call('GET', '/topom', name);
  } catch (e) {
    if (generation === ctx.generation) await showError(e);
    return;
  }
  if (generation !== ctx.generation) return;
  ctx.overview = overview;
  ctx.dashboard = overview?.model?.admin_addr ?? null;
  const name0 = overview?.config?.coordinator_name ?? '';
  ctx.coordinator = {
    name: name0 ? name0[0].toUpperCase() + name0.slice(1) : '',
    addr: overview?.config?.coordinator_addr ?? '',
  };
  ctx.stats = overview?.stats ?? null;
  render();
}

async function loadProducts() {
  const list = document.getElementById('product-list');
  let names;
  try {
    names = await listProducts();
  } catch (e) {
    list.replaceChildren(h('li', { class: 'error' }, `cannot list products (${e.status ?? e})`));
    return;
  }
  if (names.length === 0) {
    list.replaceChildren(h('li', { class: 'muted' }, 'no product with a running dashboard'));
    return;
  }
  list.replaceChildren(...names.map((name) => h('li', null,
    h('a', { href: `#${name}`, 'data-name': name, onclick: () => selectProduct(name) }, name))));
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (names.includes(wanted)) selectProduct(wanted);
}

function closeMenu() {
  document.body.classList.remove('menu-open');
  document.getElementById('menu-toggle').setAttribute('aria-expanded', 'false');
}

function start() {
  createPanels();
  showPanels(false);
  document.getElementById('menu-toggle').addEventListener('click', () => {
    const open = document.body.classList.toggle('menu-open');
    document.getElementById('menu-toggle').setAttribute('aria-expanded', String(open));
  });
  setInterval(() => {
    state.ticks++;
    if (state.ticks >= state.refreshInterval) refresh();
  }, 1000);
  loadProducts();
}

start();
