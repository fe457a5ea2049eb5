/**
 * A small strict XML reader for what S3 answers (ListObjectsV2 results and error documents): a prolog,
 * elements with attributes, text with the predefined and numeric entities, CDATA and comments. Anything else
 * (DTDs, mismatched tags, stray text after the root) is an error with the offset where it was found.
 */
import { type Decoded, decoded, failed } from '@syncscope/protocols/core';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const MAX_DEPTH = 64;

export function parseXml(text: string): Decoded<XmlElement> {
  try {
    const reader = new Reader(text);
    return decoded(reader.document());
  } catch (thrown) {
    if (thrown instanceof XmlSyntaxError) return failed('xml', thrown.message, thrown.offset);
    throw thrown;
  }
}

class Reader {
  private at = 0;
  constructor(private readonly text: string) {}

  document(): XmlElement {
    if (this.text.startsWith('\uFEFF')) this.at = 1;
    this.skipSpace();
    if (this.text.startsWith('<?xml', this.at)) {
      const end = this.text.indexOf('?>', this.at);
      if (end < 0) this.fail('unterminated XML declaration');
      this.at = end + 2;
    }
    this.skipMisc();
    if (this.text[this.at] !== '<') this.fail(this.at >= this.text.length ? 'no root element' : 'text before the root element');
    const root = this.element(0);
    this.skipMisc();
    if (this.at < this.text.length) this.fail('content after the root element');
    return root;
  }

  private element(depth: number): XmlElement {
    if (depth > MAX_DEPTH) this.fail('elements nested too deeply');
    this.expect('<');
    const name = this.name();
    const attributes: Record<string, string> = {};
    for (;;) {
      const hadSpace = this.skipSpace();
      const c = this.text[this.at];
      if (c === '/') {
        this.expect('/>');
        return { name, attributes, children: [] };
      }
      if (c === '>') {
        this.at++;
        break;
      }
      if (c === undefined) this.fail(`unterminated start tag <${name}>`);
      if (!hadSpace) this.fail(`expected a space before an attribute of <${name}>`);
      const attribute = this.name();
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      const quote = this.text[this.at];
      if (quote !== '"' && quote !== "'") this.fail(`attribute ${attribute} of <${name}> needs a quoted value`);
      const end = this.text.indexOf(quote, this.at + 1);
      if (end < 0) this.fail(`unterminated value of attribute ${attribute}`);
      if (Object.hasOwn(attributes, attribute)) this.fail(`attribute ${attribute} repeated on <${name}>`);
      attributes[attribute] = this.unescape(this.text.slice(this.at + 1, end), this.at + 1);
      this.at = end + 1;
    }
    const children: XmlNode[] = [];
    let textRun = '';
    for (;;) {
      if (this.at >= this.text.length) this.fail(`<${name}> is not closed`);
      if (this.text.startsWith('</', this.at)) {
        this.at += 2;
        const closing = this.name();
        if (closing !== name) this.fail(`</${closing}> closes <${name}>`);
        this.skipSpace();
        this.expect('>');
        if (textRun) children.push(textRun);
        return { name, attributes, children };
      }
      if (this.text.startsWith('<!--', this.at)) {
        this.comment();
      } else if (this.text.startsWith('<![CDATA[', this.at)) {
        const end = this.text.indexOf(']]>', this.at);
        if (end < 0) this.fail('unterminated CDATA section');
        textRun += this.text.slice(this.at + 9, end);
        this.at = end + 3;
      } else if (this.text[this.at] === '<') {
        if (this.text[this.at + 1] === '!' || this.text[this.at + 1] === '?')
          this.fail('declarations and processing instructions are not supported here');
        if (textRun) children.push(textRun);
        textRun = '';
        children.push(this.element(depth + 1));
      } else {
        const next = this.text.indexOf('<', this.at);
        const end = next < 0 ? this.text.length : next;
        textRun += this.unescape(this.text.slice(this.at, end), this.at);
        this.at = end;
      }
    }
  }

  private unescape(raw: string, base: number): string {
    return raw.replace(/&([^;&\s]*);?/g, (whole, body: string, index: number) => {
      if (!whole.endsWith(';')) throw new XmlSyntaxError('unterminated entity reference', base + index);
      if (body.startsWith('#')) {
        const code = body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
        if (!Number.isInteger(code) || code < 1 || code > 0x10ffff)
          throw new XmlSyntaxError(`bad character reference &${body};`, base + index);
        return String.fromCodePoint(code);
      }
      const value = ENTITIES[body];
      if (value === undefined) throw new XmlSyntaxError(`unknown entity &${body};`, base + index);
      return value;
    });
  }

  private comment(): void {
    const end = this.text.indexOf('-->', this.at + 4);
    if (end < 0) this.fail('unterminated comment');
    this.at = end + 3;
  }

  private skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (this.text.startsWith('<!--', this.at)) this.comment();
      else return;
    }
  }

  private skipSpace(): boolean {
    const start = this.at;
    while (this.at < this.text.length && /\s/.test(this.text[this.at] as string)) this.at++;
    return this.at > start;
  }

  private name(): string {
    NAME.lastIndex = this.at;
    const match = NAME.exec(this.text);
    if (!match) this.fail('expected a name');
    this.at += (match as RegExpExecArray)[0].length;
    return (match as RegExpExecArray)[0];
  }

  private expect(token: string): void {
    if (!this.text.startsWith(token, this.at)) this.fail(`expected "${token}"`);
    this.at += token.length;
  }

  private fail(message: string): never {
    throw new XmlSyntaxError(message, Math.min(this.at, this.text.length));
  }
}

/** The text content of an element (its text children joined); elements inside are an error for the caller. */
export function textOf(element: XmlElement): string {
  return element.children.filter((child): child is string => typeof child === 'string').join('');
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}
