/**
 * Decides whether an SVG logo is inert enough to store, and says why not. Pure.
 *
 * A logo that could act is refused, never rewritten: a rewritten logo is not what its owner
 * uploaded, and a refusal names the construct so the owner can export a clean file. The check is
 * an allowlist of drawing elements over a small, strict XML tokenizer (no DTD, so no entities but
 * XML's five and character references, which are decoded before values are looked at):
 * - elements: only drawing, gradient, filter and text elements; `<script>`, `<foreignObject>`,
 *   `<image>`, `<a>`, animation elements and anything unknown are refused;
 * - attributes: no `on*` event handlers; `href`/`xlink:href` only to `#fragments`; no value with a
 *   `javascript:`/`vbscript:`/`data:` URL or a `url(...)` that leaves the document;
 * - CSS (`style` attributes and `<style>`): no `@import`, no external `url(...)`, no escapes.
 * The api also serves the logo as an image under a CSP that forbids scripts, so a check this
 * strict is a second wall, not the only one.
 */

/** The elements a logo may use. */
const ALLOWED_ELEMENTS = new Set([
  'svg',
  'g',
  'defs',
  'title',
  'desc',
  'symbol',
  'use',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'linearGradient',
  'radialGradient',
  'stop',
  'clipPath',
  'mask',
  'pattern',
  'marker',
  'style',
  'filter',
  'feBlend',
  'feColorMatrix',
  'feComposite',
  'feDropShadow',
  'feFlood',
  'feGaussianBlur',
  'feMerge',
  'feMergeNode',
  'feOffset',
]);

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_][\w.:-]*/;
const ATTRIBUTE = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/;

/** A refusal, carried out of the tokenizer. */
class Refused extends Error {}

/** Decodes XML's five entities and character references; any other entity is refused. */
function decodeEntities(value: string): string {
  return value.replace(/&([^;\s&]{0,32});/g, (_m, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isInteger(code) || code < 1 || code > 0x10ffff)
        throw new Refused(`bad character reference &${ref};`);
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) throw new Refused(`undeclared entity &${ref};`);
    return named;
  });
}

/** What a URL-ish value looks like to a browser: no whitespace or control characters, lower case. */
function squeezed(value: string): string {
  return value.replace(/[\s\u0000-\u001f]+/g, '').toLowerCase();
}

/** Refuses `url(...)` that does not point into the document itself. */
function checkUrls(text: string, where: string): void {
  for (const m of text.matchAll(/url\(\s*(['"]?)([^)]*)\)/g))
    if (!m[2]!.startsWith('#')) throw new Refused(`${where} references an external resource`);
}

function checkCss(css: string, where: string): void {
  const s = squeezed(css);
  if (s.includes('\\')) throw new Refused(`${where} must not use CSS escapes`);
  if (s.includes('@import')) throw new Refused(`${where} must not use @import`);
  if (/expression\(|-moz-binding|behavior:/.test(s)) throw new Refused(`${where} must not use active CSS`);
  checkUrls(s, where);
}

function checkAttribute(element: string, name: string, raw: string): void {
  const lower = name.toLowerCase();
  if (lower.startsWith('on')) throw new Refused(`event attribute ${name} on <${element}> is not allowed`);
  const value = decodeEntities(raw);
  // Namespace declarations name a namespace; nothing fetches them.
  if (lower === 'xmlns' || lower.startsWith('xmlns:')) return;
  const s = squeezed(value);
  if (/(?:javascript|vbscript|data):/.test(s))
    throw new Refused(`${name} on <${element}> holds a script or data URL`);
  if ((lower === 'href' || lower.endsWith(':href')) && !s.startsWith('#'))
    throw new Refused(`${name} on <${element}> must point into the SVG (#id), not elsewhere`);
  if (lower === 'style') checkCss(value, `the style of <${element}>`);
  else checkUrls(s, `${name} on <${element}>`);
}

/** Reads one start tag at `text[at] === '<'`; returns its name, whether it closes itself, and the end. */
function readStartTag(text: string, at: number): { name: string; selfClosing: boolean; end: number } {
  const name = NAME.exec(text.slice(at + 1))?.[0];
  if (name === undefined) throw new Refused('is not well-formed XML');
  if (!ALLOWED_ELEMENTS.has(name))
    throw new Refused(
      name === 'script' || name === 'foreignObject'
        ? `must not contain <${name}>`
        : `must not contain <${name}> (only drawing elements are allowed)`,
    );
  let rest = text.slice(at + 1 + name.length);
  let consumed = at + 1 + name.length;
  for (;;) {
    const attr = ATTRIBUTE.exec(rest);
    if (attr === null) break;
    checkAttribute(name, attr[1]!, attr[2] ?? attr[3] ?? '');
    rest = rest.slice(attr[0].length);
    consumed += attr[0].length;
  }
  const close = /^\s*(\/?)>/.exec(rest);
  if (close === null) throw new Refused(`has a malformed <${name}> tag`);
  return { name, selfClosing: close[1] === '/', end: consumed + close[0].length };
}

/** Skips a comment, CDATA section or the XML declaration at `at`; returns the end and any text. */
function readSpecial(text: string, at: number): { end: number; text?: string } {
  const special: [string, string][] = [
    ['<!--', '-->'],
    ['<![CDATA[', ']]>'],
    ['<?', '?>'],
  ];
  for (const [open, close] of special) {
    if (!text.startsWith(open, at)) continue;
    const stop = text.indexOf(close, at + open.length);
    if (stop < 0) throw new Refused('is not well-formed XML');
    if (open === '<?' && !(at === 0 && /^<\?xml\s/.test(text)))
      throw new Refused('must not contain processing instructions');
    const inner = text.slice(at + open.length, stop);
    return { end: stop + close.length, ...(open === '<![CDATA[' ? { text: inner } : {}) };
  }
  throw new Refused(
    /^<!doctype/i.test(text.slice(at, at + 9)) ? 'must not have a DOCTYPE' : 'is not well-formed XML',
  );
}

/** Checks character data: CSS inside `<style>`, nothing but whitespace outside the root. */
function checkText(text: string, open: readonly string[], decode: boolean): void {
  const value = decode ? decodeEntities(text) : text;
  if (open.length === 0 && value.trim() !== '') throw new Refused('has text outside the <svg> element');
  if (open.at(-1) === 'style') checkCss(value, '<style>');
}

/** Undefined when `svg` is an inert SVG document; otherwise why it is refused (`SVG …`). */
export function svgProblem(svg: string): string | undefined {
  const text = svg.replace(/^\uFEFF/, '');
  const open: string[] = [];
  let roots = 0;
  let at = 0;
  try {
    while (at < text.length) {
      const lt = text.indexOf('<', at);
      checkText(text.slice(at, lt < 0 ? text.length : lt), open, true);
      if (lt < 0) break;
      if (text[lt + 1] === '!' || text[lt + 1] === '?') {
        const special = readSpecial(text, lt);
        if (special.text !== undefined) checkText(special.text, open, false);
        at = special.end;
      } else if (text[lt + 1] === '/') {
        const close = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(text.slice(lt));
        if (close === null || open.pop() !== close[1]) throw new Refused('is not well-formed XML');
        at = lt + close[0].length;
      } else {
        const tag = readStartTag(text, lt);
        if (open.length === 0 && (roots++ > 0 || tag.name !== 'svg'))
          throw new Refused('must have one <svg> root element');
        if (!tag.selfClosing) open.push(tag.name);
        at = tag.end;
      }
    }
    if (open.length > 0 || roots === 0) throw new Refused('is not a complete <svg> document');
  } catch (err) {
    if (err instanceof Refused) return `SVG ${err.message}`;
    throw err;
  }
  return undefined;
}
