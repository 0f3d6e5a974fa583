/** `GET /openapi.json` and `GET /docs` (below the API prefix), served without an API key. */
import { Router } from 'express';
import { setPageHeaders } from '../console/headers';
import { DOCS_CSP, renderDocsPage } from './docs-page';
import { buildOpenApi } from './document';

/** The OpenAPI routes; the document and page are built once. */
export function openApiRoutes(version: string, apiPrefix: string): Router {
  const router = Router();
  const doc = buildOpenApi(version, apiPrefix);
  const json = JSON.stringify(doc);
  const page = renderDocsPage(doc);

  router.get('/openapi.json', (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.status(200).type('application/json').send(json);
  });

  router.get('/docs', (_req, res) => {
    setPageHeaders(res, DOCS_CSP);
    res.setHeader('cache-control', 'no-cache');
    res.status(200).type('text/html; charset=utf-8').send(page);
  });

  return router;
}
