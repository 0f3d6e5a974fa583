/**
 * `GET /api/v1/docs`: the OpenAPI document rendered on the server into one plain HTML page, so
 * the reference works offline, needs no script at all, and its only inline style is allowed by
 * its hash in the page's CSP (no 'unsafe-inline').
 */
import { createHash } from 'node:crypto';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2430}
h1{margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d9dee7}
.op{border:1px solid #d9dee7;border-radius:6px;margin:.8rem 0;padding:.6rem .9rem}
.m{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#1b7a3d}.post{color:#1f5f8b}.put{color:#8a5a00}.delete{color:#b3261e}
code,pre{font-family:ui-monospace,Menlo,monospace}pre{background:#f5f7fa;padding:.6rem;overflow:auto;max-height:24rem}
table{border-collapse:collapse}td,th{text-align:left;padding:.2rem .6rem;border-bottom:1px solid #eee}`;

/** The CSP of the docs page: nothing but its own hashed style. */
export const DOCS_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function escapeHtml(text: unknown): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

interface OpenApiOperation {
  operationId: string;
  summary: string;
  tags: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; description?: string; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { description: string }>;
}

function operationHtml(method: string, path: string, op: OpenApiOperation): string {
  const params = op.parameters ?? [];
  const body = op.requestBody?.content['application/json']?.schema;
  const ref = body?.$ref?.split('/').at(-1);
  return `<div class="op" id="${escapeHtml(op.operationId)}">
<div><span class="m ${escapeHtml(method)}">${escapeHtml(method)}</span> <code>${escapeHtml(path)}</code>${op.security ? ' <small>(no API key)</small>' : ''}</div>
<p>${escapeHtml(op.summary)}</p>
${
  params.length === 0
    ? ''
    : `<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>${params
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td><td>${escapeHtml(p.description ?? '')}</td></tr>`,
        )
        .join('')}</table>`
}
${body === undefined ? '' : `<p>Body: ${ref ? `<a href="#schema-${escapeHtml(ref)}">${escapeHtml(ref)}</a>` : `<code>${escapeHtml(JSON.stringify(body))}</code>`}</p>`}
<p>Responses: ${Object.entries(op.responses)
    .map(([code, r]) => `<code>${escapeHtml(code)}</code> ${escapeHtml(r.description)}`)
    .join('; ')}</p>
</div>`;
}

/** The HTML page of an OpenAPI document built by `buildOpenApi`. */
export function renderDocsPage(doc: Record<string, unknown>): string {
  const info = doc.info as { title: string; version: string; description: string };
  const paths = doc.paths as Record<string, Record<string, OpenApiOperation>>;
  const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const sections = [...byTag].map(([tag, ops]) => `<h2>${escapeHtml(tag)}</h2>${ops.join('\n')}`).join('\n');
  const schemaSections = Object.entries(schemas)
    .map(
      ([name, schema]) =>
        `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(info.title)}</h1><p>Version ${escapeHtml(info.version)}. ${escapeHtml(info.description)}
The machine-readable document: <a href="openapi.json">openapi.json</a>.</p>
${sections}
<h2>Schemas</h2>
${schemaSections}
</body></html>
`;
}
