/**
 * A small XML reader for SOAP envelopes: elements, attributes, text, CDATA
 * and the predefined and numeric entities. Names are matched by local name,
 * ignoring prefixes, because servers choose their own prefixes for the same
 * namespaces. DOCTYPE is refused: SOAP forbids it, and it is where entity
 * expansion attacks live.
 */
export interface XmlElement {
  name: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {}

const localOf = (name: string) => name.slice(name.indexOf(':') + 1);

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[entity]!;
  });
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? xml.length : lt;
    if (textEnd > i && stack.length > 0) stack[stack.length - 1]!.text += decodeEntities(xml.slice(i, textEnd));
    if (lt === -1) break;
    if (xml.startsWith('<?', lt)) {
      i = expectEnd(xml, '?>', lt);
    } else if (xml.startsWith('<!--', lt)) {
      i = expectEnd(xml, '-->', lt);
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = expectEnd(xml, ']]>', lt);
      if (stack.length > 0) stack[stack.length - 1]!.text += xml.slice(lt + 9, end - 3);
      i = end;
    } else if (xml.startsWith('<!', lt)) {
      throw new XmlError('DOCTYPE and other declarations are not accepted');
    } else if (xml.startsWith('</', lt)) {
      const end = expectEnd(xml, '>', lt);
      const name = xml.slice(lt + 2, end - 1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`unexpected closing tag </${name}>`);
      i = end;
    } else {
      const end = tagEnd(xml, lt);
      const selfClosing = xml[end - 2] === '/';
      const body = xml.slice(lt + 1, selfClosing ? end - 2 : end - 1);
      const nameMatch = /^[^\s/>]+/.exec(body);
      if (!nameMatch) throw new XmlError('element without a name');
      const name = nameMatch[0];
      const attrs: Record<string, string> = {};
      for (const m of body.slice(name.length).matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
        attrs[m[1]!] = decodeEntities(m[3] ?? m[4] ?? '');
      }
      const element: XmlElement = { name, local: localOf(name), attrs, children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
      else if (root) throw new XmlError('more than one root element');
      else root = element;
      if (!selfClosing) stack.push(element);
      i = end;
    }
  }
  if (!root || stack.length > 0) throw new XmlError('incomplete XML document');
  return root;
}

function expectEnd(xml: string, marker: string, from: number): number {
  const at = xml.indexOf(marker, from);
  if (at === -1) throw new XmlError(`unterminated ${marker}`);
  return at + marker.length;
}

/** The end of a start tag, skipping `>` inside quoted attribute values. */
function tagEnd(xml: string, from: number): number {
  let quote = '';
  for (let i = from + 1; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i + 1;
    }
  }
  throw new XmlError('unterminated start tag');
}

/** An attribute by local name. */
export function attr(element: XmlElement, local: string): string | undefined {
  for (const [name, value] of Object.entries(element.attrs)) if (localOf(name) === local) return value;
  return undefined;
}

/** The first descendant (depth first) with the given local name. */
export function find(element: XmlElement, local: string): XmlElement | undefined {
  for (const child of element.children) {
    if (child.local === local) return child;
    const deeper = find(child, local);
    if (deeper) return deeper;
  }
  return undefined;
}

export function findAll(element: XmlElement, local: string, out: XmlElement[] = []): XmlElement[] {
  for (const child of element.children) {
    if (child.local === local) out.push(child);
    findAll(child, local, out);
  }
  return out;
}

/** Follows a path of local names through direct children. */
export function path(element: XmlElement, ...locals: string[]): XmlElement | undefined {
  let current: XmlElement | undefined = element;
  for (const local of locals) current = current?.children.find((child) => child.local === local);
  return current;
}
