// matrix.html in a real headless Chromium: rendering, filters and the failure side panel.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { renderHtml } from '../../harness/report/html.ts';
import { buildMatrix } from '../../harness/report/matrix.ts';
import type { Matrix } from '../../harness/report/matrix.ts';
import { judgeUpgrade } from '../../harness/upgrade/disruption.ts';
import type { MonitorEvent } from '../../harness/upgrade/monitor-script.ts';
import { bigRun, cell, fail, NASTY_NAMES, NO_SCTP_EVIDENCE, probedAbsent, RUN, unsupported } from './fixtures.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);

if (!available) {
  if (process.env.CI === 'true') {
    test('a Chromium browser is installed for the matrix.html tests', () => {
      throw new Error(`${CHROMIUM} not found; CI must install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
    });
  } else {
    console.log(`skipping matrix.html browser tests: ${CHROMIUM} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  }
}

(available ? describe : describe.skip)('matrix.html in Chromium', () => {
  let dir: string;
  let browser: Browser;
  let page: Page;
  let matrix: Matrix;
  const dialogs: string[] = [];

  beforeAll(async () => {
    const nasty = cell('calico', 'iptables', NASTY_NAMES.map((name) => fail('dns', `nasty ${name}`, `failure for ${name}\n<b>not bold</b>`)));
    const cells = bigRun(20, 200).map((c) => (c.cell.id === 'calico-iptables' ? probedAbsent({ ...c, tests: [...c.tests, ...nasty.tests] }, { sctp: `${NO_SCTP_EVIDENCE} <b>x</b>` }) : c));
    matrix = buildMatrix(cells, { ...RUN, notRun: [{ id: 'flannel-none', reason: 'Flannel has no kube-proxy replacement <script>' }] });
    dir = await mkdtemp(join(tmpdir(), 'cnimatrix-html-'));
    const file = join(dir, 'matrix.html');
    await writeFile(file, renderHtml(matrix), 'utf8');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // Any request other than the file itself would mean the page is not self-contained.
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);
    expect(requests).toEqual([pathToFileURL(file).href]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const visibleRows = () => page.locator('#grid-body tr.test-row:visible');

  test('renders one row per test and one cell per (test, cell)', async () => {
    expect(await page.locator('#grid-body tr.test-row').count()).toBe(matrix.tests.length);
    expect(await page.locator('#grid thead th.cell-head').count()).toBe(20);
    expect(await page.locator('#grid-body td.st').count()).toBe(matrix.tests.length * 20);
    expect(await page.locator('#grid-body td.st.fail').count()).toBe(Object.values(matrix.summary).reduce((sum, c) => sum + c.fail, 0));
    expect(await page.locator('#shown-count').textContent()).toBe(`showing ${matrix.tests.length} of ${matrix.tests.length} tests`);
  });

  test('combinations that were not run are listed with their reason', async () => {
    expect(await page.locator('#not-run').textContent()).toBe('Not run (unsupported combinations): flannel-none: Flannel has no kube-proxy replacement <script>');
  });

  test('names are shown as text, never run as markup', async () => {
    const names = await page.locator('#grid-body tr.test-row th').allTextContents();
    for (const name of NASTY_NAMES) expect(names).toContain(`nasty ${name}`);
    expect(dialogs).toEqual([]);
    expect(await page.locator('#grid-body script, #grid-body b').count()).toBe(0);
  });

  test('the status filter hides rows that only pass', async () => {
    await page.locator('#status-filter input[data-status="pass"]').uncheck();
    const expected = matrix.tests.filter((t) => Object.values(t.results).some((r) => r.status !== 'pass')).length;
    expect(expected).toBeLessThan(matrix.tests.length);
    expect(await visibleRows().count()).toBe(expected);
    await page.locator('#problems-only').click();
    const problems = matrix.tests.filter((t) => Object.values(t.results).some((r) => ['fail', 'error', 'flaky'].includes(r.status))).length;
    expect(await visibleRows().count()).toBe(problems);
    await page.locator('#show-all').click();
    expect(await visibleRows().count()).toBe(matrix.tests.length);
  });

  test('the suite filter and the search narrow the rows', async () => {
    await page.locator('#suite-filter').selectOption('ingress');
    const ingress = matrix.tests.filter((t) => t.suite === 'ingress').length;
    expect(await visibleRows().count()).toBe(ingress);
    expect(new Set(await visibleRows().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-suite'))))).toEqual(new Set(['ingress']));
    expect(await page.locator('#grid-body tr.suite-row:visible').count()).toBe(1);
    await page.locator('#suite-filter').selectOption('');
    await page.locator('#search').fill('case 017');
    expect(await visibleRows().count()).toBe(1);
    await page.locator('#show-all').click();
  });

  test('clicking a failing cell shows its failure text in the side panel', async () => {
    expect(await page.locator('#panel').isHidden()).toBe(true);
    const target = matrix.tests.find((t) => t.name === 'nasty a < b && c > d');
    const testIndex = matrix.tests.indexOf(target as Matrix['tests'][number]);
    const cellIndex = matrix.cells.findIndex((c) => c.id === 'calico-iptables');
    await page.locator(`td.st[data-test-index="${testIndex}"][data-cell-index="${cellIndex}"]`).click();
    expect(await page.locator('#panel').isVisible()).toBe(true);
    expect(await page.locator('#panel-title').textContent()).toBe('dns › nasty a < b && c > d');
    expect(await page.locator('#panel-text').textContent()).toBe('failure for a < b && c > d\n<b>not bold</b>');
    expect(await page.locator('#panel-facts').textContent()).toContain('calico-iptables');
    await page.keyboard.press('Escape');
    expect(await page.locator('#panel').isHidden()).toBe(true);
  });

  test("a cell's details give each capability its source: the profile, and the evidence where the cluster was probed not to have it", async () => {
    const facts = async (cellId: string) => {
      const head = page.locator(`th.cell-head[data-cell-index="${matrix.cells.findIndex((c) => c.id === cellId)}"]`);
      await head.click();
      const names = await page.locator('#panel-facts dt').allTextContents();
      const values = page.locator('#panel-facts dd').nth(names.indexOf('capabilities'));
      const lines = await values.locator('div').allTextContents();
      const text = await values.textContent();
      const title = await head.getAttribute('title');
      await page.keyboard.press('Escape');
      return { lines, text, title };
    };
    const calico = await facts('calico-iptables');
    // The evidence's "<b>x</b>" stays text: parsed as markup, the line would end in "x".
    expect(calico.lines).toEqual(['networkPolicy: declared by the profile', `sctp: declared by the profile, probed absent: ${NO_SCTP_EVIDENCE} <b>x</b>`]);
    expect(calico.title).toMatch(/; probed absent from the cluster: sctp$/);
    const flannel = await facts('flannel-iptables');
    expect(flannel.lines).toEqual(['networkPolicy: declared by the profile', 'sctp: declared by the profile']);
    expect(flannel.title).not.toMatch(/probed absent/);
    expect((await facts('kindnet-iptables')).text).toBe('none declared by the profile');
  });

  test('columns are grouped by CNI, its proxy modes beneath', async () => {
    const groups = page.locator('#grid thead th.cni-head');
    const expected = ['kindnet', 'calico', 'flannel', 'cilium', 'weave'].map((cni) => {
      const version = matrix.cells.find((c) => c.cni === cni)!.cniVersion;
      return { text: `${cni} ${version}`, colspan: '4' };
    });
    const seen = [];
    for (let i = 0; i < (await groups.count()); i++) seen.push({ text: await groups.nth(i).textContent(), colspan: await groups.nth(i).getAttribute('colspan') });
    expect(seen).toEqual(expected);
    const heads = await page.locator('#grid thead th.cell-head div:first-child').allTextContents();
    expect(heads.slice(0, 4)).toEqual(['iptables', 'ipvs', 'nftables', 'none']);
    // Each proxy-mode head sits under its CNI's group.
    const calico = (await groups.nth(1).boundingBox())!;
    const calicoIpvs = (await page.locator(`th.cell-head[data-cell-index="${matrix.cells.findIndex((c) => c.id === 'calico-ipvs')}"]`).boundingBox())!;
    expect(calicoIpvs.x).toBeGreaterThanOrEqual(calico.x);
    expect(calicoIpvs.x + calicoIpvs.width).toBeLessThanOrEqual(calico.x + calico.width + 1);
    expect(calicoIpvs.y).toBeGreaterThanOrEqual(calico.y + calico.height - 1);
  });

  test('headers stay in view while scrolling', async () => {
    await page.locator('#grid-wrap').evaluate((wrap) => wrap.scrollTo(2000, 3000));
    const wrapBox = await page.locator('#grid-wrap').boundingBox();
    const groupBox = await page.locator('#grid thead th.cni-head').last().boundingBox();
    expect(Math.abs((groupBox?.y ?? -1) - (wrapBox?.y ?? -2))).toBeLessThan(2);
    const headBox = await page.locator('#grid thead th.cell-head').last().boundingBox();
    expect(Math.abs((headBox?.y ?? -1) - ((groupBox?.y ?? 0) + (groupBox?.height ?? 0)))).toBeLessThan(2);
    const firstVisibleName = page.locator('#grid-body tr.test-row th').nth(150);
    expect(Math.abs(((await firstVisibleName.boundingBox())?.x ?? -1) - (wrapBox?.x ?? -2))).toBeLessThan(2);
  });
});

(available ? describe : describe.skip)('matrix.html of a red run in Chromium', () => {
  let dir: string;
  let browser: Browser;
  let page: Page;

  const open = async (m: Matrix, viewport = { width: 1400, height: 900 }) => {
    const file = join(dir, `${m.run.id}.html`);
    await writeFile(file, renderHtml(m), 'utf8');
    page = await browser.newPage({ viewport });
    await page.goto(pathToFileURL(file).href);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cnimatrix-html-red-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("a check the user switched off is shown apart from one the cell cannot run", async () => {
    const checks = [unsupported('ingress', 'from outside', 'skipped: disabled by CNIMATRIX_EXTERNAL_CLIENT=off'), unsupported('ingress', 'SCTP', 'needs capability sctp')];
    await open(buildMatrix([cell('calico', 'iptables', checks)], { ...RUN, id: 'opted-out' }));
    const cells = page.locator('#grid-body td.st');
    expect(await cells.allTextContents()).toEqual(['»', '–']);
    expect(await cells.nth(0).getAttribute('title')).toBe('calico-iptables: skipped by your choice');
    expect(await cells.nth(1).getAttribute('title')).toBe('calico-iptables: unsupported');
    expect(await page.locator('#legend').textContent()).toContain('» skipped by your choice');
    await cells.nth(0).click();
    expect(await page.locator('#panel-facts').textContent()).toContain('status» skipped by your choice');
    await page.close();
  });

  test('an all-errored run shows a failed banner and each cell error with its bundle, not an empty grid', async () => {
    const broken = (cni: 'calico' | 'cilium') =>
      cell(cni, 'iptables', [], { error: { phase: 'create-cluster', message: `failed to create cluster: ${cni} node image\nsecond line`, hint: 'check Docker' } });
    await open(buildMatrix([broken('calico'), broken('cilium')], { ...RUN, id: 'all-errored' }));
    expect(await page.locator('#verdict').textContent()).toBe('Result: failed — 0 failed, 0 errored, 2 cells could not run');
    const errors = page.locator('#cell-errors li');
    expect(await errors.allTextContents()).toEqual([
      '! calico-iptables could not run (create-cluster): failed to create cluster: calico node image · troubleshooting bundle',
      '! cilium-iptables could not run (create-cluster): failed to create cluster: cilium node image · troubleshooting bundle',
    ]);
    expect(await errors.first().locator('a').getAttribute('href')).toBe('artifacts/calico-iptables/README.md');
    expect(await page.locator('#grid').isHidden()).toBe(true);
    expect(await page.locator('#no-tests').isVisible()).toBe(true);
    await errors.first().locator('button').click();
    expect(await page.locator('#panel-facts').textContent()).toContain('none: the cell could not run its suites');
    expect(await page.locator('#panel-text').textContent()).toContain('hint: check Docker');
    await page.close();
  });

  test('the failure panel wraps long evidence, leaves the toolbar usable, links the bundle; search finds evidence', async () => {
    const evidence = `no SRV record for a Service's named port: ${'x'.repeat(400)}`;
    await open(buildMatrix([cell('calico', 'iptables', [fail('dns', 'SRV record', evidence), fail('dns', 'A record', 'timeout')])], { ...RUN, id: 'red' }), { width: 1000, height: 700 });
    expect(await page.locator('#verdict').textContent()).toBe('Result: failed — 2 failed, 0 errored');
    expect(await page.locator('#run-info').textContent()).toMatch(/^1 cell · 2 tests · /);
    await page.locator('td.st[data-test-index="0"]').click();
    const pre = page.locator('#panel-text');
    expect(await pre.evaluate((node) => node.scrollWidth <= node.clientWidth)).toBe(true);
    const header = await page.locator('header').boundingBox();
    const panel = await page.locator('#panel').boundingBox();
    expect(panel!.y).toBeGreaterThanOrEqual(header!.y + header!.height - 1);
    expect(await page.locator('#panel-bundle').getAttribute('href')).toBe('artifacts/calico-iptables/README.md');
    await page.locator('#search').fill('named port');
    expect(await page.locator('#grid-body tr.test-row:visible th').allTextContents()).toEqual(['SRV record']);
    await page.close();
  });

  test("an upgrade cell's head shows the upgrade timeline; a check's panel lists what it measured", async () => {
    const T0 = 1_800_000_000_000;
    const events: MonitorEvent[] = [{ at: T0, type: 'started' }];
    for (let at = T0; at < T0 + 30_000; at += 250) {
      const down = at >= T0 + 10_000 && at < T0 + 16_000;
      events.push({ at, type: 'probe', id: 'tcp.cross', exitCode: down ? 1 : 0, output: down ? 'TIMEOUT' : '' });
    }
    const checks = judgeUpgrade({
      records: [{ source: 'client-a', targets: { 'tcp.cross': '10.244.2.4:80' }, events }],
      window: { upgradeStartedAt: T0 + 5_000, rolledOutAt: T0 + 20_000, stoppedAt: T0 + 30_000, from: 'v0.27.3', to: 'v0.27.4' },
      maxGapMs: 3000,
      leaksUnsupported: 'flannel enforces no NetworkPolicy',
      overhead: {},
      agents: { replaced: 3, total: 3, daemonSets: ['kube-flannel/kube-flannel-ds'] },
    }).filter((t) => t.name.includes('rolled out') || t.name.includes('cross-node pod-to-pod TCP'));
    const base = cell('flannel', 'iptables', checks);
    const upgraded = { ...base, cell: { ...base.cell, id: 'flannel-upg-iptables', cniVersion: 'v0.27.3→v0.27.4' } };
    const m = buildMatrix([upgraded], { ...RUN, id: 'upgrade' });
    await open(m);
    await page.locator('th.cell-head[data-cell-index="0"]').click();
    const text = (await page.locator('#panel-text').textContent()) ?? '';
    expect(text).toContain('upgrade timeline (0 = v0.27.4 applied; = rollout 15.0s)');
    expect(text).toMatch(/█+ +✗? ?.*cross-node pod-to-pod TCP keeps answering through the upgrade: longest gap 6\.3s/);
    await page.keyboard.press('Escape');
    const gapRow = m.tests.findIndex((t) => t.name.includes('cross-node pod-to-pod TCP'));
    await page.locator(`td.st[data-test-index="${gapRow}"][data-cell-index="0"]`).click();
    expect(await page.locator('#panel-facts').textContent()).toContain('measured longestGapMs6250');
    await page.close();
  });
});
