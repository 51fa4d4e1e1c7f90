// matrix.html: one self-contained page (inline CSS and JS, no network) to explore a matrix:
// sticky row and column headers, filters by suite, status and text, and a side panel with the
// failure text of the clicked cell. The matrix travels as JSON inside the page and every string
// reaches the DOM through textContent, so names and failure texts are never parsed as HTML.
import { TEST_STATUSES } from '../model/results.ts';
import type { Matrix } from './matrix.ts';
import { bundleLinks } from './bundle-link.ts';
import { isOptedOut, NOT_RUN, OPTED_OUT, STATUS_STYLE } from './status-style.ts';
import { runVerdict } from './verdict.ts';

export function renderHtml(matrix: Matrix): string {
  const styles = { statuses: TEST_STATUSES, style: STATUS_STYLE, notRun: NOT_RUN, optedOut: OPTED_OUT };
  // What the page shows but TypeScript decides, so the page never derives it again: each failed
  // cell's bundle link, and the results ("<test index>/<cell id>") the user switched off.
  const derived = {
    bundles: bundleLinks(matrix),
    optedOut: matrix.tests.flatMap((test, index) => Object.entries(test.results).flatMap(([cell, result]) => (isOptedOut(result) ? [`${index}/${cell}`] : []))),
  };
  const { passed, summary } = runVerdict(matrix);
  const verdict = `Result: ${passed ? 'passed' : 'failed'}${summary ? ` — ${summary}` : ''}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>cnimatrix — run ${escapeHtml(matrix.run.id)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
  <h1>cnimatrix <span id="run-id"></span></h1>
  <p id="run-info"></p>
  <p id="verdict" class="${passed ? 'passed' : 'failed'}">${escapeHtml(verdict)}</p>
${matrix.run.ended?.hint === undefined ? '' : `  <p id="ended-hint">What to do: ${escapeHtml(matrix.run.ended.hint)}</p>
`}  <ul id="cell-errors" hidden></ul>
  <p id="not-run"></p>
  <form id="filters" onsubmit="return false">
    <label>Suite <select id="suite-filter"><option value="">all suites</option></select></label>
    <fieldset id="status-filter"><legend>Show tests with</legend></fieldset>
    <button type="button" id="problems-only">problems only</button>
    <button type="button" id="show-all">show all</button>
    <label>Search <input id="search" type="search" placeholder="test, suite or failure text"></label>
    <span id="shown-count" aria-live="polite"></span>
  </form>
  <p id="legend"></p>
</header>
<main id="grid-wrap">
  <p id="no-tests" hidden>No test ran: every cell stopped before its suites (see the errors above).</p>
  <table id="grid">
    <thead><tr id="group-row"><th class="corner" scope="col" rowspan="2">Test</th></tr><tr id="head-row"></tr></thead>
    <tbody id="grid-body"></tbody>
  </table>
</main>
<aside id="panel" hidden>
  <button type="button" id="panel-close" aria-label="close">×</button>
  <h2 id="panel-title"></h2>
  <dl id="panel-facts"></dl>
  <p><a id="panel-bundle" hidden>troubleshooting bundle</a></p>
  <pre id="panel-text"></pre>
</aside>
<script type="application/json" id="matrix-data">${jsonForScript(matrix)}</script>
<script type="application/json" id="status-style">${jsonForScript(styles)}</script>
<script type="application/json" id="derived">${jsonForScript(derived)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

/** JSON that cannot end its <script> element or open a comment in it: <, > and & are \u-escaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const CSS = `
:root { --pass:#009E73; --fail:#D55E00; --flaky:#E69F00; --unsupported:#999999; --error:#CC79A7; --notrun:#ffffff;
  --pass-bg:#d4efe6; --fail-bg:#f7d5c2; --flaky-bg:#fbe8c4; --unsupported-bg:#ececec; --error-bg:#f4deec; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1a1a1a; background: #fff; }
header { padding: 8px 14px; border-bottom: 1px solid #ccc; background: #fafafa; }
h1 { font-size: 18px; margin: 0 0 2px; }
#run-info { margin: 0 0 6px; color: #444; }
#filters { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; }
#filters fieldset { border: 1px solid #ccc; padding: 2px 8px; margin: 0; display: flex; gap: 8px; }
#filters legend { font-size: 11px; color: #555; padding: 0 4px; }
#filters label { white-space: nowrap; }
#legend { margin: 6px 0 0; }
#verdict { margin: 0 0 6px; padding: 3px 8px; font-weight: 700; border-radius: 3px; display: inline-block; }
#verdict.passed { background: var(--pass-bg); color: #00573f; }
#verdict.failed { background: var(--fail-bg); color: #8a3000; }
#cell-errors { margin: 0 0 6px; padding-left: 18px; }
#cell-errors li { margin: 2px 0; }
#cell-errors button { border: none; background: none; padding: 0; color: #0072B2; cursor: pointer; font: inherit; text-decoration: underline; }
#no-tests { margin: 10px 14px; color: #555; }
.sym { display: inline-block; min-width: 1.6em; text-align: center; border-radius: 3px; font-weight: 700; }
#grid-wrap { overflow: auto; height: calc(100vh - var(--header-h, 120px)); }
#grid { border-collapse: separate; border-spacing: 0; }
#grid th, #grid td { border-right: 1px solid #e2e2e2; border-bottom: 1px solid #e2e2e2; padding: 2px 4px; }
#grid thead th { position: sticky; top: 0; background: #f3f3f3; z-index: 2; vertical-align: bottom; }
#grid th.corner { left: 0; z-index: 4; text-align: left; min-width: 24em; }
#grid th.cni-head { text-align: center; font-weight: 700; white-space: nowrap; border-bottom: 2px solid #bbb; }
#grid #head-row th { top: var(--group-row-h, 22px); }
#grid th.cell-head { cursor: pointer; font-weight: 600; }
#grid th.cell-head div { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; padding: 4px 0; }
#grid th.cell-head.broken { background: var(--error-bg); }
#grid th.cell-head .counts { writing-mode: horizontal-tb; transform: none; font-weight: 400; font-size: 10px; color: #555; padding: 0; }
#grid tbody th { position: sticky; left: 0; background: #fff; z-index: 1; text-align: left; font-weight: 400; max-width: 34em; }
#grid tr.suite-row th { background: #e8eef7; font-weight: 700; }
#grid tr.test-row:hover th, #grid tr.test-row:hover td { filter: brightness(0.95); }
#grid td.st { text-align: center; min-width: 2.2em; cursor: pointer; font-weight: 700; }
#grid td.st:focus { outline: 2px solid #0072B2; outline-offset: -2px; }
td.st.pass { background: var(--pass-bg); color: #00573f; }
td.st.fail { background: var(--fail-bg); color: #8a3000; box-shadow: inset 0 0 0 2px var(--fail); }
td.st.flaky { background: var(--flaky-bg); color: #7a4f00; }
td.st.unsupported { background: var(--unsupported-bg); color: #555; }
td.st.opted-out { background: #fff; color: #777; }
td.st.error { background: var(--error-bg); color: #7d2d61; box-shadow: inset 0 0 0 2px var(--error); }
td.st.notrun { background: var(--notrun); color: #aaa; cursor: default; }
td.st.selected { outline: 3px solid #0072B2; outline-offset: -3px; }
#panel { position: fixed; top: var(--header-h, 120px); right: 0; width: min(46vw, 720px); height: calc(100vh - var(--header-h, 120px)); overflow: auto; background: #fff;
  border-left: 2px solid #0072B2; box-shadow: -4px 0 12px rgba(0,0,0,.15); padding: 10px 14px; z-index: 10; }
#panel h2 { font-size: 15px; margin: 0 24px 8px 0; word-break: break-word; }
#panel dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0 0 8px; }
#panel dt { color: #555; }
#panel dd { margin: 0; word-break: break-word; }
#panel pre { background: #f6f6f6; border: 1px solid #ddd; padding: 8px; white-space: pre-wrap; overflow-wrap: anywhere; overflow: auto; font: 12px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; }
#panel-close { position: absolute; top: 6px; right: 8px; font-size: 18px; border: none; background: none; cursor: pointer; }
`;

// Plain browser JavaScript (no template literals, so this TypeScript string stays simple).
const SCRIPT = `
(function () {
  'use strict';
  var matrix = JSON.parse(document.getElementById('matrix-data').textContent);
  var styles = JSON.parse(document.getElementById('status-style').textContent);
  var derived = JSON.parse(document.getElementById('derived').textContent);
  var bundles = derived.bundles;
  var optedOutKeys = {};
  derived.optedOut.forEach(function (key) { optedOutKeys[key] = true; });
  var statuses = styles.statuses;
  var el = function (tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  };
  var sym = function (status) { return status ? styles.style[status].glyph : styles.notRun.glyph; };
  // A check the user switched off is unsupported, but shown apart from a capability the cell lacks.
  var optedOut = function (testIndex, cellId) { return optedOutKeys[testIndex + '/' + cellId] === true; };
  var look = function (result, testIndex, cellId) {
    if (optedOut(testIndex, cellId)) return styles.optedOut;
    return result ? styles.style[result.status] : styles.notRun;
  };

  document.getElementById('run-id').textContent = matrix.run.id;
  var count = function (n, noun) { return n + ' ' + noun + (n === 1 ? '' : 's'); };
  document.getElementById('run-info').textContent = count(matrix.cells.length, 'cell') + ' \\u00b7 ' + count(matrix.tests.length, 'test') + ' \\u00b7 ' +
    matrix.run.startedAt + ' \\u2192 ' + matrix.run.finishedAt + ' \\u00b7 host ' + matrix.run.host + ' \\u00b7 cnimatrix ' + matrix.run.cnimatrixVersion;

  var notRun = matrix.run.notRun || [];
  if (notRun.length > 0) {
    document.getElementById('not-run').textContent = 'Not run (unsupported combinations): ' +
      notRun.map(function (c) { return c.id + ': ' + c.reason; }).join(' \u00b7 ');
  }

  // Cells that could not run: named at the top with their error, whatever the grid holds.
  var cellErrors = document.getElementById('cell-errors');
  matrix.cells.forEach(function (cell, index) {
    if (!cell.error) return;
    var li = el('li');
    var name = el('button', { type: 'button', 'data-cell-index': String(index) }, cell.id);
    name.addEventListener('click', function () { showCell(document.querySelector('th.cell-head[data-cell-index="' + index + '"]')); });
    li.appendChild(el('span', { 'class': 'sym' }, sym('error')));
    li.appendChild(document.createTextNode(' '));
    li.appendChild(name);
    li.appendChild(document.createTextNode(' could not run (' + cell.error.phase + '): ' + cell.error.message.split('\\n')[0] + ' \\u00b7 '));
    li.appendChild(el('a', { href: bundles[cell.id] }, 'troubleshooting bundle'));
    cellErrors.appendChild(li);
    cellErrors.hidden = false;
  });
  // With no test at all, an empty grid of cell headers would say nothing: the errors above say it.
  document.getElementById('no-tests').hidden = matrix.tests.length > 0;
  document.getElementById('grid').hidden = matrix.tests.length === 0;

  var legend = document.getElementById('legend');
  legend.appendChild(document.createTextNode('Legend: '));
  statuses.forEach(function (s) {
    var chip = el('span', { 'class': 'sym' }, sym(s));
    chip.style.background = 'var(--' + s + '-bg)';
    legend.appendChild(chip);
    legend.appendChild(document.createTextNode(' ' + styles.style[s].label + '  '));
  });
  legend.appendChild(el('span', { 'class': 'sym' }, styles.optedOut.glyph));
  legend.appendChild(document.createTextNode(' ' + styles.optedOut.label + '  '));
  legend.appendChild(el('span', { 'class': 'sym' }, styles.notRun.glyph));
  legend.appendChild(document.createTextNode(' ' + styles.notRun.label));

  var suiteSelect = document.getElementById('suite-filter');
  var suites = [];
  matrix.tests.forEach(function (t) { if (suites.indexOf(t.suite) < 0) suites.push(t.suite); });
  suites.forEach(function (s) { suiteSelect.appendChild(el('option', { value: s }, s)); });

  var statusBoxes = {};
  var fieldset = document.getElementById('status-filter');
  statuses.forEach(function (s) {
    var label = el('label');
    var box = el('input', { type: 'checkbox', value: s, 'data-status': s });
    box.checked = true;
    statusBoxes[s] = box;
    label.appendChild(box);
    label.appendChild(document.createTextNode(' ' + sym(s) + ' ' + styles.style[s].label));
    fieldset.appendChild(label);
  });

  // Columns as users think of the matrix: one group per CNI (cells arrive sorted CNI first), its
  // proxy modes beneath.
  var groupRow = document.getElementById('group-row');
  var groups = [];
  matrix.cells.forEach(function (cell) {
    var last = groups[groups.length - 1];
    if (last && last.cni === cell.cni) last.cells.push(cell);
    else groups.push({ cni: cell.cni, cells: [cell] });
  });
  groups.forEach(function (group) {
    var versions = group.cells.map(function (c) { return c.cniVersion; }).filter(function (v, i, all) { return all.indexOf(v) === i; });
    groupRow.appendChild(el('th', { scope: 'colgroup', colspan: String(group.cells.length), 'class': 'cni-head' },
      group.cni + (versions.length === 1 ? ' ' + versions[0] : '')));
  });
  var headRow = document.getElementById('head-row');
  matrix.cells.forEach(function (cell, index) {
    var th = el('th', { scope: 'col', 'class': 'cell-head' + (cell.error ? ' broken' : ''), 'data-cell-index': String(index) });
    // Under its CNI's group a cell is named by the rest of its id: the proxy mode, for a planned cell.
    th.appendChild(el('div', null, cell.id.indexOf(cell.cni + '-') === 0 ? cell.id.slice(cell.cni.length + 1) : cell.id));
    var counts = matrix.summary[cell.id] || {};
    th.appendChild(el('div', { 'class': 'counts' }, (counts.fail || 0) + (counts.error || 0) > 0 ? String((counts.fail || 0) + (counts.error || 0)) + '\\u2717' : (cell.error ? '\\u203c' : '\\u2713')));
    var absent = Object.keys(cell.probedAbsent || {});
    th.title = cell.id + ' \\u2014 ' + cell.cni + ' ' + cell.cniVersion + ', ' + cell.proxyMode + ', Kubernetes ' + cell.kubernetesVersion +
      (absent.length > 0 ? '; probed absent from the cluster: ' + absent.join(', ') : '');
    headRow.appendChild(th);
  });

  var body = document.getElementById('grid-body');
  var rows = [];
  var suiteRows = {};
  matrix.tests.forEach(function (test, testIndex) {
    if (!suiteRows[test.suite]) {
      var sr = el('tr', { 'class': 'suite-row', 'data-suite': test.suite });
      var sth = el('th', { scope: 'rowgroup', colspan: String(matrix.cells.length + 1) }, test.suite);
      sr.appendChild(sth);
      body.appendChild(sr);
      suiteRows[test.suite] = sr;
    }
    var tr = el('tr', { 'class': 'test-row', 'data-suite': test.suite });
    tr.appendChild(el('th', { scope: 'row' }, test.name));
    var present = [];
    matrix.cells.forEach(function (cell, cellIndex) {
      var result = test.results[cell.id];
      var status = result ? result.status : null;
      if (status) present.push(status);
      var shown = look(result, testIndex, cell.id);
      var td = el('td', { 'class': 'st ' + (status || 'notrun') + (optedOut(testIndex, cell.id) ? ' opted-out' : ''), 'data-test-index': String(testIndex),
        'data-cell-index': String(cellIndex), 'data-status': status || 'notrun', title: cell.id + ': ' + shown.label });
      if (status) td.tabIndex = 0;
      td.textContent = shown.glyph;
      tr.appendChild(td);
    });
    // The search also finds a failure by its evidence (message) or an unsupported reason (detail).
    var evidence = Object.keys(test.results).map(function (id) { var r = test.results[id]; return (r.message || '') + ' ' + (r.detail || ''); }).join(' ');
    rows.push({ tr: tr, test: test, statuses: present, haystack: (test.suite + ' ' + test.name + ' ' + evidence).toLowerCase() });
    body.appendChild(tr);
  });

  var search = document.getElementById('search');
  function applyFilters() {
    var suite = suiteSelect.value;
    var needle = search.value.trim().toLowerCase();
    var shown = 0;
    var visibleSuites = {};
    rows.forEach(function (row) {
      var ok = (!suite || row.test.suite === suite) &&
        (!needle || row.haystack.indexOf(needle) >= 0) &&
        row.statuses.some(function (s) { return statusBoxes[s].checked; });
      row.tr.hidden = !ok;
      if (ok) { shown++; visibleSuites[row.test.suite] = true; }
    });
    Object.keys(suiteRows).forEach(function (s) { suiteRows[s].hidden = !visibleSuites[s]; });
    document.getElementById('shown-count').textContent = 'showing ' + shown + ' of ' + rows.length + ' tests';
  }
  suiteSelect.addEventListener('change', applyFilters);
  search.addEventListener('input', applyFilters);
  statuses.forEach(function (s) { statusBoxes[s].addEventListener('change', applyFilters); });
  document.getElementById('problems-only').addEventListener('click', function () {
    statuses.forEach(function (s) { statusBoxes[s].checked = s === 'fail' || s === 'error' || s === 'flaky'; });
    applyFilters();
  });
  document.getElementById('show-all').addEventListener('click', function () {
    statuses.forEach(function (s) { statusBoxes[s].checked = true; });
    suiteSelect.value = '';
    search.value = '';
    applyFilters();
  });

  var panel = document.getElementById('panel');
  var selected = null;
  function fact(dl, name, value) {
    if (value === undefined || value === null || value === '') return;
    dl.appendChild(el('dt', null, name));
    // A list gets a line per item (e.g. one per capability), not one run-on string.
    var dd = Array.isArray(value) ? el('dd') : el('dd', null, String(value));
    if (Array.isArray(value)) value.forEach(function (line) { dd.appendChild(el('div', null, line)); });
    dl.appendChild(dd);
  }
  // Each capability with its source: the profile declares it, and the cluster may have been probed not to have it.
  function capabilitySources(cell) {
    var absent = cell.probedAbsent || {};
    if (cell.capabilities.length === 0) return 'none declared by the profile';
    return cell.capabilities.map(function (c) {
      return c + ': declared by the profile' + (absent[c] === undefined ? '' : ', probed absent: ' + absent[c]);
    });
  }
  function openPanel(title, facts, text, cell) {
    var bundle = document.getElementById('panel-bundle');
    var link = cell && bundles[cell.id];
    bundle.hidden = !link;
    if (link) bundle.setAttribute('href', link);
    document.getElementById('panel-title').textContent = title;
    var dl = document.getElementById('panel-facts');
    dl.textContent = '';
    facts.forEach(function (f) { fact(dl, f[0], f[1]); });
    var pre = document.getElementById('panel-text');
    pre.textContent = text || '';
    pre.hidden = !text;
    panel.hidden = false;
  }
  function showResult(td) {
    var test = matrix.tests[Number(td.getAttribute('data-test-index'))];
    var cell = matrix.cells[Number(td.getAttribute('data-cell-index'))];
    var result = test.results[cell.id];
    if (!result) return;
    var shown = look(result, td.getAttribute('data-test-index'), cell.id);
    if (selected) selected.classList.remove('selected');
    selected = td;
    td.classList.add('selected');
    var measured = Object.keys(result.figures || {}).map(function (k) { return ['measured ' + k, result.figures[k]]; });
    openPanel(test.suite + ' \\u203a ' + test.name,
      [['cell', cell.id], ['status', shown.glyph + ' ' + shown.label], ['duration', result.durationMs + ' ms'],
       ['detail', result.detail], ['CNI', cell.cni + ' ' + cell.cniVersion], ['proxy mode', cell.proxyMode]].concat(measured),
      result.message, result.status === 'fail' || result.status === 'error' ? cell : null);
  }
  // An upgrade cell's timeline, in text: baseline, rollout and settle, then each monitored check's
  // longest gap (or broken connections) on the same scale; 0 is when the new version was applied.
  function upgradeTimeline(cell) {
    var checks = matrix.tests.filter(function (t) { return t.suite === 'upgrade' && t.results[cell.id] && t.results[cell.id].figures; });
    var rollout = checks.filter(function (t) { return t.results[cell.id].figures.rolloutMs; })[0];
    if (!rollout) return '';
    var f = rollout.results[cell.id].figures;
    var start = -Number(f.baselineMs) / 1000, roll = Number(f.rolloutMs) / 1000, end = roll + Number(f.monitoredAfterMs) / 1000;
    var width = 60, scale = width / (end - start);
    var col = function (t) { return Math.max(0, Math.min(width - 1, Math.round((t - start) * scale))); };
    var bar = '';
    for (var i = 0; i < width; i++) bar += i < col(0) ? '\\u00b7' : i <= col(roll) ? '=' : '-';
    var lines = ['upgrade timeline (0 = ' + cell.cniVersion.split('\\u2192')[1] + ' applied; = rollout ' + roll.toFixed(1) + 's)',
      bar + '  ' + start.toFixed(1) + 's .. +' + end.toFixed(1) + 's'];
    checks.forEach(function (t) {
      var r = t.results[cell.id], w = /^([+-][\\d.]+)s\\.\\.([+-][\\d.]+)s/.exec(r.figures.longestGapWindow || '');
      if (!w) { if (r.figures.brokenAt) lines.push(sym(r.status) + ' ' + t.name + ': ' + r.figures.brokenAt); return; }
      var row = '';
      for (var i = 0; i < width; i++) row += i >= col(Number(w[1])) && i <= col(Number(w[2])) ? '\\u2588' : ' ';
      lines.push(row + '  ' + sym(r.status) + ' ' + t.name + ': longest gap ' + (Number(r.figures.longestGapMs) / 1000).toFixed(1) + 's');
    });
    return lines.join('\\n') + '\\n\\n';
  }
  function showCell(th) {
    var cell = matrix.cells[Number(th.getAttribute('data-cell-index'))];
    var counts = matrix.summary[cell.id] || {};
    var phases = cell.phases.map(function (p) { return p.phase + ': ' + p.status + ' (' + p.durationMs + ' ms)' + (p.error ? ' \\u2014 ' + p.error : ''); }).join('\\n');
    var text = upgradeTimeline(cell) + (cell.error ? 'Cell could not run (' + cell.error.phase + '):\\n' + cell.error.message + (cell.error.hint ? '\\n\\nhint: ' + cell.error.hint : '') + '\\n\\n' + phases : phases);
    openPanel(cell.id, [['CNI', cell.cni + ' ' + cell.cniVersion], ['proxy mode', cell.proxyMode], ['kind', cell.kindVersion],
      ['Kubernetes', cell.kubernetesVersion], ['node image', cell.nodeImage], ['host', cell.host], ['capabilities', capabilitySources(cell)],
      ['results', cell.error && !statuses.some(function (s) { return counts[s]; }) ? 'none: the cell could not run its suites' :
        statuses.map(function (s) { return sym(s) + ' ' + (counts[s] || 0); }).join('  ')]], text, cell);
  }
  body.addEventListener('click', function (event) {
    var td = event.target.closest('td.st');
    if (td) showResult(td);
  });
  body.addEventListener('keydown', function (event) {
    var td = event.target.closest('td.st');
    if (td && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); showResult(td); }
  });
  headRow.addEventListener('click', function (event) {
    var th = event.target.closest('th.cell-head');
    if (th) showCell(th);
  });
  function closePanel() {
    panel.hidden = true;
    if (selected) selected.classList.remove('selected');
    selected = null;
  }
  document.getElementById('panel-close').addEventListener('click', closePanel);
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape') closePanel(); });

  var header = document.querySelector('header');
  function fitGrid() {
    document.documentElement.style.setProperty('--header-h', header.offsetHeight + 'px');
    document.documentElement.style.setProperty('--group-row-h', groupRow.offsetHeight + 'px');
  }
  window.addEventListener('resize', fitGrid);
  fitGrid();
  applyFilters();
})();
`;
