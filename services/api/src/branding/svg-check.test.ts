import { svgProblem } from './svg-check';

const wrap = (inner: string, attrs = '') => `<svg xmlns="http://www.w3.org/2000/svg"${attrs}>${inner}</svg>`;

describe('svgProblem', () => {
  it('accepts a plain drawing with a declaration, comments, gradients, styles and local references', () => {
    const svg = `<?xml version="1.0" encoding="UTF-8"?>
<!-- exported -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
  <defs>
    <linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>
    <style><![CDATA[ .a { fill: url(#g); } ]]></style>
  </defs>
  <title>Acme &amp; Co</title>
  <rect class="a" width="10" height="10" style="fill: url('#g')"/>
  <use xlink:href="#g"/>
  <text x="1" y="8">A &lt; B</text>
</svg>
`;
    expect(svgProblem(svg)).toBeUndefined();
  });

  it.each([
    ['a script element', wrap('<script>alert(1)</script>'), 'must not contain <script>'],
    ['a namespaced script', wrap('<svg:script>alert(1)</svg:script>'), 'must not contain <svg:script>'],
    ['foreignObject', wrap('<foreignObject><div/></foreignObject>'), 'must not contain <foreignObject>'],
    ['an event attribute', wrap('<rect onclick="x()"/>'), 'event attribute onclick'],
    ['an event attribute on the root', wrap('', ' onload="x()"'), 'event attribute onload on <svg>'],
    ['a javascript: href', wrap('<use href="javascript:alert(1)"/>'), 'script or data URL'],
    ['an entity-hidden javascript: href', wrap('<use href="&#106;avascript:x"/>'), 'script or data URL'],
    ['an external href', wrap('<use href="https://evil.example/x.svg#a"/>'), 'must point into the SVG'],
    ['an external url() in an attribute', wrap('<rect fill="url(https://e.example/p)"/>'), 'external'],
    ['an external url() in a style', wrap('<rect style="fill:url(//e.example/p)"/>'), 'external'],
    ['@import in <style>', wrap('<style>@import "https://e.example/x.css";</style>'), '@import'],
    ['a CSS escape', wrap('<style>.a{fill:u\\72l(x)}</style>'), 'escapes'],
    ['an image element', wrap('<image href="#a"/>'), 'must not contain <image>'],
    ['an anchor', wrap('<a href="#x"><rect/></a>'), 'must not contain <a>'],
    ['an animation', wrap('<set attributeName="href" to="javascript:x"/>'), 'must not contain <set>'],
    ['a DOCTYPE', `<!DOCTYPE svg [<!ENTITY x "y">]>${wrap('')}`, 'DOCTYPE'],
    ['an undeclared entity', wrap('<title>&x;</title>'), 'undeclared entity'],
    ['a stylesheet instruction', `<?xml-stylesheet href="x.css"?>${wrap('')}`, 'processing instructions'],
    ['an HTML root', '<html><body/></html>', 'must not contain <html>'],
    ['two roots', `${wrap('')}${wrap('')}`, 'one <svg> root'],
    ['unclosed elements', '<svg><g>', 'not a complete'],
    ['mismatched tags', wrap('<g></rect>'), 'not well-formed'],
    ['text outside the root', `hello${wrap('')}`, 'outside the <svg>'],
  ])('refuses %s', (_what, svg, message) => {
    expect(svgProblem(svg)).toContain(message);
  });
});
