import { describe, expect, test } from '@jest/globals';
import { parseXml, XmlSyntaxError } from '../../harness/report/xml.ts';

describe('parseXml', () => {
  test('reads elements, attributes, entities, character references and CDATA', () => {
    const root = parseXml(`\uFEFF<?xml version="1.0"?>
<!DOCTYPE r [ <!ELEMENT r ANY> ]>
<r a="1 &lt; 2 &amp;&amp; &#x41;&#66;" b='it&apos;s&#xA;two'>
  <!-- comment --><c/>text &gt; <![CDATA[<raw> & ]]]]><![CDATA[>]]><?pi x?>
</r>`);
    expect(root.name).toBe('r');
    expect(root.attributes).toEqual({ a: '1 < 2 && AB', b: "it's\ntwo" });
    expect(root.children.map((c) => c.name)).toEqual(['c']);
    expect(root.text).toContain('text > <raw> & ]]>');
  });

  test('normalises literal newlines in attributes, keeps escaped ones', () => {
    expect(parseXml('<r a="x\ny" b="x&#xA;y"/>').attributes).toEqual({ a: 'x y', b: 'x\ny' });
  });

  test.each([
    ['<r>', /never closed/],
    ['<r></s>', /expected <\/r> but found <\/s>/],
    ['<r a=1/>', /must be quoted/],
    ['<r a="1" a="2"/>', /duplicate attribute/],
    ['<r>&nbsp;</r>', /unknown entity/],
    ['<r>a & b</r>', /unescaped "&"/],
    ['<r/><s/>', /after the root element/],
    ['', /no root element/],
    ['<r><![CDATA[x</r>', /unterminated CDATA/],
  ])('rejects %j', (source, message) => {
    expect(() => parseXml(source)).toThrow(XmlSyntaxError);
    expect(() => parseXml(source)).toThrow(message);
  });
});
