// Browser test of the console UI against a real flowlens-console serving a store seeded by
// internal/flowgen (console/internal/uitest runs it):
//
//   node e2e/ui.mjs <console URL (--mode=cluster)> <screenshot dir> [<console URL (--mode=host)>]
//
// Checks each view with real flows, the filter bar, the topology drill-down, the flow detail
// panel, the CSV export, the token dialog (with 401 answers simulated in the browser) and, with
// a host-mode console, the host defaults. Every request outside 127.0.0.1/localhost is blocked
// and fails the run, as do page errors and console errors.

import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, outDir, hostBase] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node e2e/ui.mjs <console URL> <screenshot dir>');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const NAMESPACES = ['shop', 'payments', 'monitoring', 'kube-system', 'ingress'];
// Conversations of internal/flowgen that cross namespaces, at the namespace scope.
const EDGES = [
  ['ingress', 'shop'], // router -> web
  ['shop', 'payments'], // checkout -> payments-api
  ['shop', 'kube-system'], // DNS
  ['payments', 'kube-system'], // DNS
  ['monitoring', 'shop'], // scraping
  ['monitoring', 'payments'],
];

const started = Date.now();
const failures = [];
const external = [];
const pageErrors = [];
let passed = 0;

function log(msg) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/** waitUntil polls fn (in node) until it returns a truthy value. */
async function waitUntil(fn, what, timeout = 15000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, acceptDownloads: true });
/** local lets loopback requests through and blocks (and records) any other. */
function local(route) {
  const u = new URL(route.request().url());
  if (['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) || u.protocol === 'data:' || u.protocol === 'blob:') {
    return route.continue();
  }
  external.push(u.href);
  return route.abort();
}
await context.route('**/*', local);
const page = await context.newPage();
page.setDefaultTimeout(15000);
page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
let expectHttpErrors = false;
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  if (expectHttpErrors && /Failed to load resource: the server responded with a status of 400/.test(m.text())) return;
  pageErrors.push(`console error: ${m.text()}`);
});

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures.push(`${name}: ${e.message}`);
    log(`FAIL ${name}: ${e.message}`);
    await page.screenshot({ path: join(outDir, `failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
  }
}

async function shot(name) {
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
}

const q = (id) => `[data-testid="${id}"]`;
const seriesOf = (id) => page.$eval(q(id), (el) => Number(el.getAttribute('data-series'))).catch(() => 0);
const rowTexts = () => page.$$eval(q('flow-row'), (rows) => rows.map((r) => r.textContent ?? ''));
const queryOf = () => new URL(page.url()).searchParams;
/** The topology graph's nodes and their rendered centres in page coordinates. */
const graphNodes = () =>
  page.$eval(q('topology-graph'), (el) => {
    const cy = el.__cy;
    if (!cy) return [];
    const box = el.getBoundingClientRect();
    return cy
      .nodes()
      .filter((n) => !n.isParent())
      .map((n) => ({ label: n.data('label'), x: box.left + n.renderedPosition().x, y: box.top + n.renderedPosition().y }));
  });
const edgeRows = () =>
  page.$$eval(q('topology-edge'), (rows) => rows.map((r) => [r.getAttribute('data-source'), r.getAttribute('data-target')]));

await step('overview renders the seeded flows', async () => {
  await page.goto(`${base}/`);
  await page.waitForSelector(q('view-overview'));
  // The view is in the URL from the first load.
  assert(queryOf().get('view') === 'overview', `URL has no view=overview: ${page.url()}`);
  // Default quick filters of the cluster mode are on at first load.
  const defaults = await page.$$eval(`${q('quick-filter')} input:checked`, (els) => els.map((e) => e.parentElement.getAttribute('data-name')));
  assert(defaults.includes('Applications'), `default quick filters not on: ${defaults}`);
  await waitUntil(async () => (await seriesOf('chart-bytes')) > 0, 'byte rate series');
  await waitUntil(async () => (await seriesOf('chart-packets')) > 0, 'packet rate series');
  await waitUntil(async () => (await seriesOf('chart-rtt')) > 0, 'RTT series');
  const flows = await page.textContent(q('total-flows-value'));
  assert(/^[\d,]+$/.test(flows.trim()) && Number(flows.replace(/,/g, '')) > 0, `flows total is ${flows}`);
  // DNS is infrastructure traffic: hidden by the Applications quick filter, with an empty state.
  await page.waitForSelector(q('panel-dns-empty'));
  // Quick filters off (through the UI): DNS and drops appear.
  for (const box of await page.$$(`${q('quick-filter')} input:checked`)) await box.uncheck();
  assert(queryOf().get('quick') === '', `quick filters not off in the URL: ${page.url()}`);
  await waitUntil(async () => (await seriesOf('chart-dns')) > 0, 'DNS latency series');
  await waitUntil(async () => (await seriesOf('chart-drops')) > 0, 'drop series');
  const legend = await page.textContent(q('chart-bytes'));
  for (const ns of ['shop', 'ingress']) assert(legend.includes(ns), `byte chart legend lacks ${ns}: ${legend}`);
  const stats = await page.textContent(q('query-stats'));
  assert(/store/.test(stats), `query stats do not name the store: "${stats}"`);
  await page.selectOption(q('overview-scope'), 'owner');
  await waitUntil(async () => (await page.textContent(q('chart-bytes'))).includes('router'), 'owner scope series');
  await shot('overview');
});

let before = [];
await step('table lists flows of the seeded namespaces', async () => {
  await page.goto(`${base}/?view=table&quick=`);
  await page.waitForSelector(q('flow-row'));
  before = await rowTexts();
  assert(before.length >= 50, `only ${before.length} rows`);
  const all = before.join('\n');
  for (const ns of ['shop', 'payments']) assert(all.includes(ns), `no row mentions ${ns}`);
  assert(before.some((r) => !r.includes('payments')), 'every row already involves payments: the filter test would prove nothing');
  const headers = await page.$$eval('table.flows th', (ths) => ths.map((t) => t.textContent));
  assert(headers.some((h) => h.includes('End Time')), `headers: ${headers}`);
});

await step('filter bar: namespace "payments" narrows the table', async () => {
  // Pick the filter, type a prefix, choose the suggestion with the keyboard.
  await page.selectOption(q('filter-field'), 'namespace');
  await page.fill(q('filter-value'), 'pay');
  await page.waitForSelector(`${q('filter-suggestion')}:has-text("payments")`);
  const suggestions = await page.$$eval(q('filter-suggestion'), (els) => els.map((e) => e.textContent));
  for (let i = 0; i <= suggestions.indexOf('payments'); i++) await page.press(q('filter-value'), 'ArrowDown');
  await page.press(q('filter-value'), 'Enter');
  const chips = await page.$$eval(q('filter-chip'), (cs) => cs.map((c) => c.textContent));
  assert(chips.length === 1 && chips[0].includes('payments'), `chips: ${chips}`);
  assert((queryOf().get('filters') ?? '').includes('namespace="payments"'), `URL filters: ${page.url()}`);
  const rows = await waitUntil(async () => {
    const rs = await rowTexts();
    return rs.length > 0 && rs.every((r) => r.includes('payments')) ? rs : null;
  }, 'every row to involve payments');
  assert(rows.join() !== before.join(), 'rows did not change');
  // Typing and Enter adds a chip too; Backspace in the empty input removes the last one.
  await page.selectOption(q('filter-field'), 'dst_port');
  await page.fill(q('filter-value'), '5432');
  await page.press(q('filter-value'), 'Enter');
  await waitUntil(async () => (await page.$$(q('filter-chip'))).length === 2, 'a second chip');
  const pg = await waitUntil(async () => {
    const rs = await rowTexts();
    return rs.length > 0 && rs.every((r) => r.includes('5432')) ? rs : null;
  }, 'rows to port 5432');
  assert(pg.every((r) => r.includes('postgres')), 'port 5432 rows are not postgres');
  await page.press(q('filter-value'), 'Backspace');
  await waitUntil(async () => (await page.$$(q('filter-chip'))).length === 1, 'the second chip removed');
});

await step('flow detail panel opens from a row', async () => {
  await page.click(`${q('flow-row')} >> nth=0`);
  await page.waitForSelector(q('flow-detail'));
  for (const g of ['detail-source', 'detail-destination', 'detail-common']) await page.waitForSelector(q(g));
  const text = await page.textContent(q('flow-detail'));
  assert(text.includes('payments'), 'detail does not show the payments namespace');
  await shot('table');
  await page.click(q('detail-json'));
  const json = JSON.parse(await page.textContent(q('detail-json-text')));
  assert(json.SrcAddr && json.DstAddr && json.Bytes > 0, `raw JSON lacks fields: ${Object.keys(json)}`);
  await page.click(q('detail-fields'));
  // "Filter on this" adds a chip.
  const n = (await page.$$(q('filter-chip'))).length;
  await page.click(`${q('detail-destination')} ${q('filter-on-this')} >> nth=0`);
  await waitUntil(async () => (await page.$$(q('filter-chip'))).length === n + 1, 'a chip from the detail panel');
  await page.click(`${q('filter-chip')} >> nth=${n} >> button`);
  await waitUntil(async () => (await page.$$(q('filter-chip'))).length === n, 'the chip removed');
  await page.press(q('flow-detail'), 'Escape');
  await waitUntil(async () => !(await page.$(q('flow-detail'))), 'the panel closed');
});

await step('manage columns and sort', async () => {
  await page.click(q('manage-columns'));
  await page.waitForSelector(q('columns-dialog'));
  await page.check(q('column-toggle-SrcHostName'));
  await page.click(q('columns-apply'));
  await page.waitForSelector(q('col-SrcHostName'));
  assert((queryOf().get('cols') ?? '').includes('SrcHostName'), 'columns not in the URL');
  await page.click(`${q('col-Bytes')} button`);
  assert(queryOf().get('sort') === 'Bytes', 'sort not in the URL');
  assert((await page.getAttribute(q('col-Bytes'), 'aria-sort')) === 'descending', 'Bytes header not sorted');
  const bytes = await page.$$eval('table.flows', (tables) => {
    const t = tables[0];
    const i = [...t.querySelectorAll('th')].findIndex((th) => th.getAttribute('data-testid') === 'col-Bytes');
    const unit = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };
    return [...t.querySelectorAll('tbody tr')].map((tr) => {
      const [n, u] = tr.children[i].textContent.trim().split(' ');
      return Number(n) * (unit[u] ?? NaN);
    });
  });
  assert(bytes.length > 1 && bytes.every((b, j) => j === 0 || bytes[j - 1] >= b), `Bytes not descending: ${bytes.slice(0, 8)}`);
});

await step('CSV export downloads the visible columns', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(q('export-csv'))]);
  const path = await download.path();
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  assert(header[0] === 'TimeFlowEndMs' && header.includes('SrcK8S_HostName'), `header row: ${lines[0]}`);
  assert(lines.length > 1, 'no data rows');
  assert(lines.slice(1).every((l) => l.includes('payments')), 'exported rows ignore the filter');
  log(`     ${download.suggestedFilename()}: ${lines.length - 1} rows, header ${lines[0].slice(0, 80)}…`);
});

await step('topology at namespace scope', async () => {
  await page.goto(`${base}/?view=topology&quick=&scope=namespace&edges=50`);
  await page.waitForSelector(`${q('topology-graph')}[data-ready="1"]`);
  const labels = (await graphNodes()).map((n) => n.label);
  for (const ns of NAMESPACES) assert(labels.includes(ns), `no node ${ns} in ${labels}`);
  const edges = await edgeRows();
  for (const [s, d] of EDGES) assert(edges.some(([a, b]) => a === s && b === d), `no edge ${s} → ${d} in ${JSON.stringify(edges)}`);
  await shot('topology-namespace');
});

await step('topology side panel and drill-down', async () => {
  const shop = (await graphNodes()).find((n) => n.label === 'shop');
  await page.mouse.click(shop.x, shop.y);
  await page.waitForSelector(q('topology-panel'));
  assert((await page.textContent(`${q('topology-panel')} h2`)) === 'shop', 'panel is not about shop');
  await waitUntil(async () => /\d/.test(await page.textContent(q('node-in'))) && /\d/.test(await page.textContent(q('node-out'))), 'in/out totals');
  await page.waitForSelector(q('node-chart'));
  // An edge from the list shows its own panel.
  await page.click(`${q('topology-edge')}[data-source="shop"][data-target="payments"]`);
  await waitUntil(async () => (await page.textContent(`${q('topology-panel')} h2`)) === 'shop → payments', 'edge panel');
  await page.waitForSelector(q('edge-chart'));
  // Double-click steps into the owners of shop.
  const again = (await graphNodes()).find((n) => n.label === 'shop');
  await page.mouse.dblclick(again.x, again.y);
  await waitUntil(() => queryOf().get('scope') === 'owner', 'scope=owner in the URL');
  assert((queryOf().get('filters') ?? '').includes('namespace="shop"'), `no shop filter: ${page.url()}`);
  await page.waitForSelector(`${q('topology-graph')}[data-ready="1"]`);
  const owners = await waitUntil(async () => {
    const ls = (await graphNodes()).map((n) => n.label);
    return ['web', 'cart', 'checkout'].every((o) => ls.some((l) => l === o || l.startsWith(`${o} (`))) ? ls : null;
  }, 'owner nodes web, cart, checkout');
  assert(!owners.includes('shop'), 'still at namespace scope');
  await shot('topology-owner');
  // The Step into button goes on to resources.
  const option = await page.$eval(q('topology-node-select'), (sel) =>
    [...sel.options].find((o) => /^payments-api \(Deployment\)/.test(o.textContent) || /^payments-api ·/.test(o.textContent))?.value,
  );
  assert(option, 'no payments-api Deployment in the node list');
  await page.selectOption(q('topology-node-select'), option);
  await page.waitForSelector(q('step-into'));
  await page.click(q('step-into'));
  await waitUntil(() => queryOf().get('scope') === 'resource', 'scope=resource');
  await page.waitForSelector(`${q('topology-graph')}[data-ready="1"]`);
  await waitUntil(async () => (await graphNodes()).some((n) => /^payments-api-/.test(n.label)), 'payments-api pods');
  await shot('topology-resource');
  // Back returns to the owner scope.
  await page.goBack();
  await waitUntil(() => queryOf().get('scope') === 'owner', 'back to owner scope');
});

await step('API errors are shown verbatim', async () => {
  expectHttpErrors = true;
  try {
    await page.goto(`${base}/?view=table&quick=&filters=${encodeURIComponent('nosuchfield="x"')}`);
    const text = await (await page.waitForSelector(q('table-error'))).textContent();
    assert(text.includes('unknown field "nosuchfield"'), `error box: ${text}`);
  } finally {
    expectHttpErrors = false;
  }
});

await step('token dialog on 401', async () => {
  // The console runs with --auth=none: the browser plays a server that wants a token.
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const seen = [];
  await ctx.route('**/*', (route) => {
    const req = route.request();
    const u = new URL(req.url());
    if ((u.pathname.startsWith('/api/') || u.pathname === '/role') && u.hostname === new URL(base).hostname) {
      const auth = req.headers().authorization ?? '';
      seen.push(auth);
      if (auth !== 'Bearer e2e-token') {
        return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: 'e2e: no or invalid token' }) });
      }
    }
    return local(route);
  });
  const p2 = await ctx.newPage();
  p2.on('pageerror', (e) => pageErrors.push(`page error (token): ${e.message}`));
  await p2.goto(`${base}/?view=overview&quick=`);
  await p2.waitForSelector(q('token-dialog'));
  const text = await p2.textContent(q('token-dialog'));
  assert(text.includes('kubectl create token') && text.includes('oc whoami -t'), 'the dialog does not say how to get a token');
  assert(text.includes('e2e: no or invalid token'), 'the dialog does not show the API error');
  await p2.fill(q('token-input'), 'e2e-token');
  await p2.press(q('token-input'), 'Enter');
  await waitUntil(async () => Number(await p2.$eval(q('chart-bytes'), (el) => el.getAttribute('data-series')).catch(() => 0)) > 0, 'charts after the token');
  assert(!(await p2.$(q('token-dialog'))), 'the dialog stayed open');
  assert((await p2.evaluate(() => sessionStorage.getItem('flowlens.token'))) === 'e2e-token', 'token not kept in sessionStorage');
  assert(seen.includes('Bearer e2e-token'), 'no request carried the token');
  await p2.screenshot({ path: join(outDir, 'overview-with-token.png') });
  await ctx.close();
});

if (hostBase) {
  await step('host mode defaults', async () => {
    await page.goto(`${hostBase}/?view=table`);
    await page.waitForSelector(q('flow-row'));
    assert((await page.textContent(q('mode'))).trim() === 'Host', 'no Host badge');
    const headers = await page.$$eval('table.flows th', (ths) => ths.map((t) => t.textContent));
    assert(!headers.some((h) => /Namespace|Owner/.test(h)), `Kubernetes columns shown on a host: ${headers}`);
    assert(headers.some((h) => /IP/.test(h)), `no IP column on a host: ${headers}`);
    assert((await page.$$(`${q('quick-filter')} input:checked`)).length === 0, 'a quick filter is on by default on a host');
    await shot('table-host');
    await page.click(q('tab-topology'));
    await page.waitForSelector(`${q('topology-graph')}[data-ready="1"]`);
    assert((await page.inputValue(q('topology-scope'))) === 'resource', 'host topology is not at resource scope');
    assert(!(await page.$(q('step-into'))), 'step into offered without a deeper scope');
    const labels = (await graphNodes()).map((n) => n.label);
    assert(labels.length > 2, `host topology nodes: ${labels}`);
    await shot('topology-host');
  });
}

await browser.close();

if (external.length) failures.push(`requests outside localhost were attempted: ${[...new Set(external)].join(', ')}`);
if (pageErrors.length) failures.push(`the page reported errors:\n  ${pageErrors.join('\n  ')}`);
log(`${passed} passed, ${failures.length} failed`);
if (failures.length) {
  console.log('\nFailures:\n- ' + failures.join('\n- '));
  process.exit(1);
}
