// A small, bounded XML reader for JUnit files a child wrote (untrusted input): elements,
// attributes, text and CDATA, the five predefined entities and numeric character references.
// No DTD, no external or custom entities (a DOCTYPE is skipped, never expanded), a depth cap,
// and it never throws: malformed input gives null. Enough for JUnit, not a general parser.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** the element's own text (CDATA included), entities decoded */
  text: string;
}

const MAX_DEPTH = 64;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** `&lt;` -> `<`, `&#233;` -> `é`; an unknown entity stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** The document's root element, or null when `xml` is not a well-formed document to us. */
export function parseXml(xml: string): XmlElement | null {
  const root: XmlElement = { name: '', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let at = 0;
  while (at < xml.length) {
    const open = xml.indexOf('<', at);
    const top = stack[stack.length - 1];
    if (open === -1) {
      top.text += decodeEntities(xml.slice(at));
      break;
    }
    if (open > at) top.text += decodeEntities(xml.slice(at, open));
    if (xml.startsWith('<!--', open)) at = skipPast(xml, open, '-->');
    else if (xml.startsWith('<![CDATA[', open)) {
      const end = xml.indexOf(']]>', open);
      if (end === -1) return null;
      top.text += xml.slice(open + 9, end);
      at = end + 3;
    } else if (xml.startsWith('<?', open)) at = skipPast(xml, open, '?>');
    else if (xml.startsWith('<!', open)) at = skipDoctype(xml, open);
    else if (xml[open + 1] === '/') {
      const end = xml.indexOf('>', open);
      if (end === -1 || stack.length < 2 || xml.slice(open + 2, end).trim() !== top.name) return null;
      stack.pop();
      at = end + 1;
    } else {
      const end = tagEnd(xml, open);
      if (end === -1) return null;
      const selfClosing = xml[end - 1] === '/';
      const body = xml.slice(open + 1, selfClosing ? end - 1 : end);
      const name = /^[^\s/>]+/.exec(body)?.[0];
      if (!name) return null;
      const element: XmlElement = { name, attrs: {}, children: [], text: '' };
      for (const match of body.slice(name.length).matchAll(ATTRIBUTE)) {
        element.attrs[match[1]] = decodeEntities(match[2] ?? match[3] ?? '');
      }
      top.children.push(element);
      if (!selfClosing) {
        if (stack.length > MAX_DEPTH) return null;
        stack.push(element);
      }
      at = end + 1;
    }
    if (at === -1) return null;
  }
  return stack.length === 1 && root.children.length === 1 ? root.children[0] : null;
}

function skipPast(xml: string, from: number, marker: string): number {
  const end = xml.indexOf(marker, from);
  return end === -1 ? -1 : end + marker.length;
}

/** The `>` ending the tag at `open`, outside quoted attribute values; -1 if none. */
function tagEnd(xml: string, open: number): number {
  let quote = '';
  for (let i = open + 1; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  return -1;
}

/** Past a `<!DOCTYPE ...>` and its internal subset (never interpreted). */
function skipDoctype(xml: string, open: number): number {
  let depth = 0;
  for (let i = open + 1; i < xml.length; i++) {
    if (xml[i] === '[') depth++;
    else if (xml[i] === ']') depth--;
    else if (xml[i] === '>' && depth <= 0) return i + 1;
  }
  return -1;
}

/** Every element named `name` in the tree, document order. */
export function findAll(element: XmlElement, name: string, found: XmlElement[] = []): XmlElement[] {
  for (const child of element.children) {
    if (child.name === name) found.push(child);
    else findAll(child, name, found);
  }
  return found;
}
