import { describe, expect, test } from '@jest/globals';
import { inline, renderMarkdown } from '../../harness/report/markdown.ts';
import { buildMatrix } from '../../harness/report/matrix.ts';
import { bigRun, cell, fail, mixedCell, NASTY_NAMES, NO_SCTP_EVIDENCE, pass, probedAbsent, RUN, unsupported } from './fixtures.ts';

/** The rows of the markdown table that starts right after the given heading. */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    // Split on unescaped pipes only, like GitHub does.
    rows.push(line.slice(1, -1).split('|').map((c) => c.trim()));
  }
  return rows;
}

describe('matrix.md', () => {
  const md = renderMarkdown(buildMatrix([mixedCell('calico', 'iptables'), cell('kindnet', 'iptables', [pass('pod-network', 'same node › TCP')])], RUN));

  test('has a legend with symbols and their meaning', () => {
    expect(md).toContain('Legend: ✅ pass · ❌ fail · ⚠️ flaky · ➖ unsupported · 💥 error · ⏭️ skipped by your choice · · not run');
    expect(md).toContain('**Result: failed** — 1 failed, 1 errored, 1 flaky');
  });

  test('has a tests × cells grid per suite; a suite where nothing failed is folded', () => {
    const rows = tableAfter(md, '<details><summary>✅ pod-network: 3 tests, nothing failed</summary>');
    expect(rows[0]).toEqual(['Test', 'kindnet-iptables', 'calico-iptables']);
    expect(rows.slice(2)).toEqual([
      ['same node › TCP', '✅', '✅'],
      ['cross node › TCP', '·', '✅'],
      ['SCTP', '·', '➖'],
    ]);
    expect(tableAfter(md, '### network-policy').slice(2)).toEqual([
      ['deny all ingress', '·', '❌'],
      ['allow from namespace', '·', '⚠️'],
    ]);
  });

  test('cells table counts every status and links the troubleshooting bundle of each cell that failed', () => {
    const rows = tableAfter(md, '### Cells');
    expect(rows[2]).toEqual(['kindnet-iptables', 'kindnet v1.0.0', 'iptables', 'v1.30.0', '1', '0', '0', '0', '0', '', '']);
    expect(rows[3]).toEqual(['calico-iptables', 'calico v3.28.0', 'iptables', 'v1.30.0', '3', '1', '1', '1', '1', '', '[bundle](artifacts/calico-iptables/README.md)']);
  });

  test('failures are collapsed with the full text in a fenced block', () => {
    expect(md).toContain('### Failures');
    expect(md).toContain('<details><summary>❌ calico-iptables · network-policy › deny all ingress</summary>\n\n```text\npolicy deny-all-ingress: 2 of 6 probes differ\n');
    expect(md).toContain('<details><summary>💥 calico-iptables · dns › search path</summary>');
  });

  test('for a pull-request comment: the verdict, then the failures, then the cells and grids', () => {
    const at = (text: string) => md.indexOf(text);
    expect(at('**Result: failed**')).toBeLessThan(at('### Failures'));
    expect(at('### Failures')).toBeLessThan(at('### Cells'));
    expect(at('### Cells')).toBeLessThan(at('### network-policy'));
  });

  test('➖ comes with its reason, per cell, apart from the grids', () => {
    expect(md).toContain('### Not tested\n\n- ➖ calico-iptables: needs capability sctp (1 check: pod-network › SCTP)\n');
    const optOut = Array.from({ length: 5 }, (_, i) => unsupported('ingress', `from outside › case ${i}`, 'skipped: disabled by CNIMATRIX_EXTERNAL_CLIENT=off'));
    const skipped = renderMarkdown(buildMatrix([cell('calico', 'iptables', optOut)], RUN));
    expect(skipped).toContain(
      '### Skipped by your choice\n\n- ⏭️ calico-iptables: skipped: disabled by CNIMATRIX&#95;EXTERNAL&#95;CLIENT=off (5 checks: ingress › from outside › case 0; ingress › from outside › case 1; ingress › from outside › case 2; and 2 more)',
    );
  });

  test("a check the user switched off is shown apart from one the cell cannot run, in the grid and under the reasons", () => {
    const mixed = renderMarkdown(
      buildMatrix([cell('calico', 'iptables', [unsupported('ingress', 'from outside', 'skipped: disabled by CNIMATRIX_EXTERNAL_CLIENT=off'), unsupported('ingress', 'SCTP', 'needs capability sctp')])], RUN),
    );
    expect(tableAfter(mixed, '<details><summary>✅ ingress: 2 tests, nothing failed</summary>').slice(2)).toEqual([
      ['from outside', '⏭️'],
      ['SCTP', '➖'],
    ]);
    expect(mixed).toContain('### Not tested\n\n- ➖ calico-iptables: needs capability sctp (1 check: ingress › SCTP)\n\n### Skipped by your choice\n\n- ⏭️ calico-iptables: skipped:');
  });

  test('capabilities probed absent are listed under the cells table with their evidence, only when there are any', () => {
    const absent = renderMarkdown(
      buildMatrix([probedAbsent(mixedCell('calico', 'iptables'), { sctp: NO_SCTP_EVIDENCE, networkPolicy: 'not enforced\nsecond line' }), mixedCell('cilium', 'none')], RUN),
    );
    const list = [
      'Declared by the profile but probed absent from the cluster:',
      '',
      '- calico-iptables: networkPolicy — not enforced',
      `- calico-iptables: sctp — ${NO_SCTP_EVIDENCE}`,
      '',
    ].join('\n');
    expect(absent).toContain(list);
    expect(absent.indexOf(list)).toBeGreaterThan(absent.indexOf('| cilium-none |'));
    expect(absent.indexOf(list)).toBeLessThan(absent.indexOf('### Not tested'));
    expect(md).not.toContain('probed absent');
  });

  test('text symbols for renderers without emoji', () => {
    const text = renderMarkdown(buildMatrix([mixedCell()], RUN), { symbols: 'text' });
    expect(text).toContain('Legend: PASS pass · FAIL fail · FLAKY flaky · N/A unsupported · ERROR error · SKIP skipped by your choice · - not run');
    expect(text).not.toMatch(/[✅❌💥➖]/u);
  });

  test('cell errors are listed with phase and hint', () => {
    const broken = renderMarkdown(buildMatrix([cell('cilium', 'none', [], { error: { phase: 'install-cni', message: 'helm failed\nline 2', hint: 'see collect/' } })], RUN));
    expect(broken).toContain('| cilium-none | cilium v1.0.0 | none | v1.30.0 | 0 | 0 | 0 | 0 | 0 | 💥 install-cni: helm failed | [bundle](artifacts/cilium-none/README.md) |');
    expect(broken).toContain('cell could not run (install-cni)</summary>\n\n```text\nhelm failed\nline 2\n\nhint: see collect/\n```');
  });
});

describe('escaping in matrix.md', () => {
  test('inline() neutralises table, markdown and HTML syntax', () => {
    expect(inline('a | b')).toBe('a &#124; b');
    expect(inline('x <b> & y')).toBe('x &lt;b&gt; &amp; y');
    expect(inline('one\ntwo')).toBe('one<br>two');
    expect(inline('`code`')).toBe('&#96;code&#96;');
    expect(inline('*a* _b_ [c] \\ ~d~ $e$')).toBe('&#42;a&#42; &#95;b&#95; &#91;c&#93; &#92; &#126;d&#126; &#36;e&#36;');
    expect(inline('unicode › 日本語 🚀')).toBe('unicode › 日本語 🚀');
  });

  test('nasty names keep every grid row at the right number of columns', () => {
    const tests = NASTY_NAMES.map((name) => fail('dns', name, `text with \`\`\`\`fence\`\`\`\` and </details> and ${name}`));
    const md = renderMarkdown(buildMatrix([cell('calico', 'ipvs', tests), cell('cilium', 'ipvs', tests)], RUN));
    const rows = tableAfter(md, '### dns');
    expect(rows).toHaveLength(2 + NASTY_NAMES.length);
    for (const row of rows) expect(row).toHaveLength(3);
    // Outside fenced blocks (which renderers show verbatim) no raw HTML from the names survives.
    const outsideFences = md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
    expect(outsideFences).not.toMatch(/<script|<\/script|<!--/);
    expect(outsideFences.match(/<details>/g)).toHaveLength(18);
    expect(outsideFences.match(/<\/details>/g)).toHaveLength(18);
    // A failure text holding a 4-backtick run gets a longer fence, so it cannot close the block.
    expect(md).toContain('`````text\ntext with ````fence````');
  });
});

describe('size limit', () => {
  test('long failure texts are truncated with a note', () => {
    const md = renderMarkdown(buildMatrix([cell('calico', 'ipvs', [fail('dns', 'huge', 'x'.repeat(50_000))])], RUN), { maxFailureChars: 1000 });
    expect(md).toContain('… truncated: 49000 more characters');
    expect(md.length).toBeLessThan(5000);
  });

  test('a run with many long failures stays under 1 MiB and says what it left out', () => {
    const cells = bigRun(20, 200).map((c) => ({ ...c, tests: c.tests.map((t) => (t.status === 'pass' ? { ...t, status: 'fail' as const, message: 'y'.repeat(20_000) } : t)) }));
    const md = renderMarkdown(buildMatrix(cells, RUN));
    expect(Buffer.byteLength(md, 'utf8')).toBeLessThanOrEqual(1_000_000);
    expect(md).toMatch(/_\d+ more failure texts are not shown to keep this summary under 1 MiB/);
    // The grid itself is always complete.
    expect(md.split('\n').filter((l) => l.startsWith('| case '))).toHaveLength(200);
  });
});

test('one cell is "1 cell", one test "1 test"', () => {
  expect(renderMarkdown(buildMatrix([cell('kindnet', 'iptables', [pass('dns', 'a')])], RUN))).toContain('\n1 cell · 1 test · ');
});
