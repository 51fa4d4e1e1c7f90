// A small, strict XML reader for JUnit files: elements, attributes, text, CDATA, character and
// predefined entity references. Declarations, comments, processing instructions and DOCTYPE are
// skipped. Enough for JUnit written by cnimatrix and by other tools; not a general XML parser
// (no namespaces, no DTD-defined entities).

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA directly inside this element. */
  text: string;
}

export class XmlSyntaxError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, source: string, offset: number) {
    const before = source.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - before.lastIndexOf('\n');
    super(`${message} at line ${line}, column ${column}`);
    this.name = 'XmlSyntaxError';
    this.line = line;
    this.column = column;
  }
}

const PREDEFINED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.:\-\u00B7\u00C0-\uFFFF]*/y;

/** Parses a whole document and returns its root element. Throws XmlSyntaxError on malformed input. */
export function parseXml(source: string): XmlElement {
  const reader = new Reader(source.charCodeAt(0) === 0xfeff ? source.slice(1) : source);
  return reader.document();
}

class Reader {
  private readonly src: string;
  private pos = 0;

  constructor(src: string) {
    this.src = src;
  }

  document(): XmlElement {
    this.skipMisc();
    if (this.pos >= this.src.length) this.fail('document has no root element');
    const root = this.element();
    this.skipMisc();
    if (this.pos < this.src.length) this.fail('unexpected content after the root element');
    return root;
  }

  /** Skips whitespace, the XML declaration, comments, processing instructions and DOCTYPE. */
  private skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (this.src.startsWith('<?', this.pos)) this.skipPast('?>', 'processing instruction');
      else if (this.src.startsWith('<!--', this.pos)) this.skipPast('-->', 'comment');
      else if (this.src.startsWith('<!DOCTYPE', this.pos)) this.skipDoctype();
      else return;
    }
  }

  private skipDoctype(): void {
    let depth = 0;
    for (; this.pos < this.src.length; this.pos++) {
      const ch = this.src[this.pos];
      if (ch === '[') depth++;
      else if (ch === ']') depth--;
      else if (ch === '>' && depth <= 0) {
        this.pos++;
        return;
      }
    }
    this.fail('unterminated DOCTYPE');
  }

  private element(): XmlElement {
    const start = this.pos;
    if (this.src[this.pos] !== '<') this.fail('expected "<"');
    this.pos++;
    const name = this.name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const hadSpace = this.skipSpace();
      if (this.src.startsWith('/>', this.pos)) {
        this.pos += 2;
        return { name, attributes, children: [], text: '' };
      }
      if (this.src[this.pos] === '>') {
        this.pos++;
        break;
      }
      if (!hadSpace) this.fail(`malformed start tag <${name}>`);
      const attr = this.name();
      this.skipSpace();
      if (this.src[this.pos] !== '=') this.fail(`attribute "${attr}" of <${name}> has no value`);
      this.pos++;
      this.skipSpace();
      if (attr in attributes) this.fail(`duplicate attribute "${attr}" on <${name}>`);
      attributes[attr] = this.attributeValue();
    }
    const node: XmlElement = { name, attributes, children: [], text: '' };
    for (;;) {
      if (this.pos >= this.src.length) {
        this.pos = start;
        this.fail(`element <${name}> is never closed`);
      }
      if (this.src.startsWith('</', this.pos)) {
        this.pos += 2;
        const closing = this.name();
        if (closing !== name) this.fail(`expected </${name}> but found </${closing}>`);
        this.skipSpace();
        if (this.src[this.pos] !== '>') this.fail(`malformed end tag </${closing}>`);
        this.pos++;
        return node;
      }
      if (this.src.startsWith('<![CDATA[', this.pos)) {
        const end = this.src.indexOf(']]>', this.pos + 9);
        if (end < 0) this.fail('unterminated CDATA section');
        node.text += this.src.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (this.src.startsWith('<!--', this.pos)) {
        this.skipPast('-->', 'comment');
      } else if (this.src.startsWith('<?', this.pos)) {
        this.skipPast('?>', 'processing instruction');
      } else if (this.src[this.pos] === '<') {
        node.children.push(this.element());
      } else {
        const end = this.src.indexOf('<', this.pos);
        const raw = this.src.slice(this.pos, end < 0 ? this.src.length : end);
        node.text += this.decode(raw, this.pos);
        this.pos += raw.length;
      }
    }
  }

  private attributeValue(): string {
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") this.fail('attribute value must be quoted');
    const end = this.src.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail('unterminated attribute value');
    const raw = this.src.slice(this.pos + 1, end);
    if (raw.includes('<')) this.fail('"<" is not allowed in an attribute value');
    // Attribute-value normalisation: literal whitespace becomes a space; escaped stays as written.
    const value = this.decode(raw.replace(/\r\n|[\t\n\r]/g, ' '), this.pos + 1);
    this.pos = end + 1;
    return value;
  }

  private decode(raw: string, offset: number): string {
    return raw.replace(/&([^;&\s]*);?/g, (match, ref: string, index: number) => {
      if (!match.endsWith(';')) this.failAt('unescaped "&"', offset + index);
      if (ref.startsWith('#x') || ref.startsWith('#X')) return this.codePoint(parseInt(ref.slice(2), 16), offset + index);
      if (ref.startsWith('#')) return this.codePoint(parseInt(ref.slice(1), 10), offset + index);
      const entity = PREDEFINED_ENTITIES[ref];
      if (entity === undefined) this.failAt(`unknown entity "&${ref};"`, offset + index);
      return entity;
    });
  }

  private codePoint(value: number, offset: number): string {
    if (!Number.isInteger(value) || value < 0 || value > 0x10ffff) this.failAt('invalid character reference', offset);
    return String.fromCodePoint(value);
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.src);
    if (!match) this.fail('expected a name');
    this.pos += match[0].length;
    return match[0];
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos++;
    return this.pos > start;
  }

  private skipPast(terminator: string, what: string): void {
    const end = this.src.indexOf(terminator, this.pos);
    if (end < 0) this.fail(`unterminated ${what}`);
    this.pos = end + terminator.length;
  }

  private fail(message: string): never {
    throw new XmlSyntaxError(message, this.src, this.pos);
  }

  private failAt(message: string, offset: number): never {
    throw new XmlSyntaxError(message, this.src, offset);
  }
}

/** Child elements with the given name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}
