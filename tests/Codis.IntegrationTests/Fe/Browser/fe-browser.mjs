// The browser test of codis-fe: Debian's headless Chromium, driven by playwright-core, against a live cluster
// that FeBrowserTests.cs started (dashboard, proxy, codis-servers, fe). Every step acts through the page as a
// person would, then waits (bounded) for the page to show the result. Prints "step: ..." lines and "ALL OK";
// exits 1 with the failing step and a screenshot otherwise.
//
// Environment: FE_URL, PRODUCT, PROXY_ADMIN, MASTER1, REPLICA1, MASTER2 (addresses), SHOTS (a directory),
// CHROMIUM (default /usr/bin/chromium), USER_DATA_DIR (a fresh directory).
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { connect } from 'node:net';

const env = (name, fallback) => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const feUrl = env('FE_URL');
const product = env('PRODUCT', 'codis-demo');
const proxyAdmin = env('PROXY_ADMIN');
const proxyAddr = env('PROXY_ADDR');
const master1 = env('MASTER1');
const replica1 = env('REPLICA1');
const master2 = env('MASTER2');
const shots = env('SHOTS');
const STEP_TIMEOUT = 45_000;

const context = await chromium.launchPersistentContext(env('USER_DATA_DIR'), {
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const page = context.pages()[0] ?? await context.newPage();
page.setDefaultTimeout(STEP_TIMEOUT);
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text()); });
// Every request of the page must succeed (a failed one names its URL).
page.on('response', (r) => { if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`); });

let current = 'start';
async function step(name, body) {
  current = name;
  await body();
  console.log(`step: ${name}`);
}

const shot = async (name) => {
  // From the top, so that the sticky header is where a person sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
};
const input = (section, label) => page.locator(`#${section} label.field`).filter({ has: page.locator('span', { hasText: new RegExp(`^${label.replace(/[[\]()]/g, '\\$&')}$`) }) }).locator('input');
const click = (section, text) => page.locator(`#${section} button`, { hasText: text }).first().click();
const ok = async () => {
  await page.locator('#dialog[open] #dialog-ok').click();
  await page.locator('#dialog[open]').waitFor({ state: 'detached' }).catch(() => {});
};
// The table row of a server address in a group table.
const serverRow = (addr) => page.locator('#groups table.group tbody tr').filter({ has: page.locator('td.server', { hasText: addr }) });

// Writes n keys through the proxy (pipelined SETs, then one GET), as a client of the cluster would.
function writeKeys(n) {
  const [host, port] = proxyAddr.split(':');
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), host);
    let buf = '';
    let replies = 0;
    sock.setEncoding('latin1');
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf += d;
      replies = (buf.match(/\r\n/g) ?? []).length;
      if (replies >= n + 1) {
        sock.end();
        resolve(buf);
      }
    });
    sock.on('connect', () => {
      let out = '';
      for (let i = 0; i < n; i++) {
        const k = `key:${i}`;
        const v = `value-${i}`;
        out += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
      }
      out += '*2\r\n$3\r\nGET\r\n$5\r\nkey:0\r\n';
      sock.write(out);
    });
  });
}

async function addServer(gid, addr, datacenter) {
  await input('groups', 'Data Center').fill(datacenter);
  await input('groups', 'Codis Server Address').fill(addr);
  await input('groups', 'Group').fill(String(gid));
  await click('groups', 'Add Server');
  await serverRow(addr).waitFor();
}

try {
  await step('the product list shows the product; selecting it shows the overview', async () => {
    await page.goto(feUrl);
    await page.locator(`#product-list a[data-name="${product}"]`).click();
    await page.locator('#overview table.kv', { hasText: 'Product Name' }).waitFor();
    await page.locator('#overview td', { hasText: product }).first().waitFor();
    await page.locator('#overview .qps-chart canvas').first().waitFor();
  });

  await step('New Group 1 and 2', async () => {
    for (const gid of [1, 2]) {
      await input('groups', 'Group [1,9999]').fill(String(gid));
      await click('groups', 'New Group');
      await page.locator('#groups table.group thead th', { hasText: new RegExp(`^${gid}$`) }).waitFor();
    }
  });

  await step('Add Server: a master and a replica to group 1 (with a data center), a master to group 2', async () => {
    await addServer(1, master1, 'dc1');
    await addServer(1, replica1, 'dc1');
    await addServer(2, master2, 'dc2');
    await serverRow(master1).locator('td', { hasText: 'dc1' }).waitFor();
    // Memory and keys come from each server's INFO once the stats loop has polled it.
    await serverRow(master1).locator('td', { hasText: '/ INF.' }).waitFor();
  });

  await step('New Proxy: the proxy becomes a row with its sessions and commands', async () => {
    await input('proxies', 'Proxy Admin Address').fill(proxyAdmin);
    await click('proxies', 'New Proxy');
    await page.locator('#proxies tbody tr', { hasText: proxyAdmin }).locator('td', { hasText: /^total=\d+,fails=/ }).waitFor();
  });

  await step('before the rebalance every slot is offline', async () => {
    await page.locator('#slots .legend', { hasText: 'Group-0:1024' }).waitFor();
    await shot('1-before-rebalance');
  });

  await step('Rebalance All Slots: the plan preview, confirm, and the chart shows 512 slots per group', async () => {
    await click('slots', 'Rebalance All Slots');
    const dialog = page.locator('#dialog[open]');
    await dialog.waitFor();
    const text = await dialog.locator('#dialog-body').innerText();
    if (!/group-\[1\] <== \[\d+,\d+\]/.test(text) || !/group-\[2\] <== \[\d+,\d+\]/.test(text)) {
      throw new Error(`unexpected rebalance plan: ${text}`);
    }
    await page.locator('#slots pre.plan', { hasText: 'group-[1] <==' }).waitFor();
    await ok();
    await page.locator('#slots .legend', { hasText: 'Group-1:512' }).waitFor({ timeout: 120_000 });
    await page.locator('#slots .legend', { hasText: 'Group-2:512' }).waitFor({ timeout: 120_000 });
    await page.locator('#slots .legend', { hasText: 'Group-0' }).waitFor({ state: 'detached', timeout: 120_000 });
    await shot('2-after-rebalance');
  });

  await step('keys through the proxy: the overview counts them, the command latency table lists SET and GET', async () => {
    const replies = await writeKeys(400);
    if (!replies.endsWith('$7\r\nvalue-0\r\n')) throw new Error(`unexpected replies from the proxy: ${replies.slice(-40)}`);
    await page.locator('#overview tr', { hasText: 'Redis Keys' }).locator('td', { hasText: '400' }).waitFor();
    await page.locator('#proxies details.latency summary').click();
    await page.locator('#proxies table.latency-table td', { hasText: /^SET$/ }).waitFor();
    await page.locator('#proxies table.latency-table td', { hasText: /^GET$/ }).waitFor();
  });

  await step('Action Interval, Disable/Enable, Migrate Some: progress with slots/s, keys/s and an ETA, pending actions', async () => {
    await input('slots', 'Action Interval (us)').fill('150000');
    await click('slots', 'Update');
    await page.locator('#slots input[placeholder="150000"]').waitFor();
    await click('slots', 'Disable');
    await page.locator('#slots span.bad-text', { hasText: 'Disabled' }).waitFor();
    await click('slots', 'Enable');
    await page.locator('#slots span.ok-text', { hasText: 'Enabled' }).waitFor();
    await page.locator('#slots label.check input[type=checkbox]').check();
    await input('slots', 'Migrate').fill('24');
    await input('slots', 'Slots from Group').fill('1');
    await input('slots', 'to Group').fill('2');
    await click('slots', 'Migrate Some');
    const body = await page.locator('#dialog[open] #dialog-body').innerText();
    if (!body.includes('Migrate 24 Slots from Group-[1] to Group-[2]')) throw new Error(`unexpected dialog: ${body}`);
    await ok();
    await page.locator('#slots .progress-text', { hasText: /slot\(s\) to migrate, [\d.]+ slots\/s, [\d,]+ keys\/s, ETA/ }).waitFor();
    await page.locator('#slots table td', { hasText: /^pending$/ }).first().waitFor();
    await shot('codis-fe');
    await page.locator('#slots .legend', { hasText: 'Group-2:536' }).waitFor({ timeout: 120_000 });
    await page.locator('#slots .progress-text').waitFor({ state: 'detached' });
    const replies = await writeKeys(1);
    if (!replies.endsWith('$7\r\nvalue-0\r\n')) throw new Error('the keys must stay readable after the migration');
  });

  await step('the wrench: the replica follows its master (master link up)', async () => {
    await serverRow(replica1).locator('button[title^="SLAVEOF"]').click();
    await serverRow(replica1).locator('td', { hasText: `${master1}:up` }).waitFor({ timeout: 90_000 });
  });

  await step('PROMOTE the replica: it becomes the master of group 1', async () => {
    await serverRow(replica1).locator('button', { hasText: 'PROMOTE' }).click();
    const body = await page.locator('#dialog[open] #dialog-body').innerText();
    if (!body.includes(`Promote server ${replica1} from Group-[1]`)) throw new Error(`unexpected promote dialog: ${body}`);
    await ok();
    // The promoted server is now the first row of group 1, with the SYNC (resync) button of a master.
    const firstRow = page.locator('#groups table.group').first().locator('tbody tr').first();
    await firstRow.locator('td.server', { hasText: replica1 }).waitFor({ timeout: 90_000 });
    await firstRow.locator('button', { hasText: 'SYNC' }).waitFor();
    await firstRow.locator('td', { hasText: 'NO:ONE' }).waitFor({ timeout: 90_000 });
    await shot('3-after-promote');
  });

  await step('a narrow screen: the menu button opens the product list, tables scroll inside the page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#menu-toggle').click();
    await page.locator('#sidebar a', { hasText: product }).waitFor({ state: 'visible' });
    await page.locator('#menu-toggle').click();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (overflow > 2) throw new Error(`the page is ${overflow}px wider than a 390px screen`);
    await shot('4-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  if (pageErrors.length > 0) throw new Error(`errors in the page: ${pageErrors.join(' | ')}`);
  console.log('ALL OK');
  await context.close();
} catch (e) {
  console.log(`FAILED at step "${current}": ${e?.message ?? e}`);
  if (pageErrors.length > 0) console.log(`errors in the page: ${pageErrors.join(' | ')}`);
  await shot('failure').catch(() => {});
  await context.close().catch(() => {});
  process.exit(1);
}
