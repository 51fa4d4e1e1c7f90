import { describe, expect, test } from '@jest/globals';
import { escapeHtml, jsonForScript, renderHtml } from '../../harness/report/html.ts';
import { buildMatrix } from '../../harness/report/matrix.ts';
import { cell, fail, mixedCell, NASTY_NAMES, RUN } from './fixtures.ts';

describe('matrix.html', () => {
  const nasty = cell('calico', 'ipvs', NASTY_NAMES.map((name) => fail('dns', name, `diff for ${name}`)));
  const matrix = buildMatrix([mixedCell(), nasty], { ...RUN, id: 'run </title><script>alert(1)</script>' });
  const html = renderHtml(matrix);

  test('embeds the whole matrix as JSON that parses back unchanged', () => {
    const match = /<script type="application\/json" id="matrix-data">([\s\S]*?)<\/script>/.exec(html);
    expect(match).not.toBeNull();
    expect(JSON.parse(match?.[1] ?? '')).toEqual(matrix);
  });

  test('no name can close a script element, open a comment or inject markup', () => {
    // Exactly the page's own four script elements, each closed once.
    expect(html.match(/<script/gi)).toHaveLength(4);
    expect(html.match(/<\/script/gi)).toHaveLength(4);
    expect(html).not.toContain('<!--');
    expect(html).toContain('<title>cnimatrix — run run &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
  });

  test('is self-contained: no external resources', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  test('escapers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(jsonForScript({ s: '</script><!-- & \u2028' })).toBe('{"s":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}');
    expect(JSON.parse(jsonForScript({ s: '</script><!-- & \u2028' }))).toEqual({ s: '</script><!-- & \u2028' });
  });
});
