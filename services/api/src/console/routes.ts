/**
 * Serves the built console (`@wharf/console`'s Vite output) without authentication: `/` is the
 * page, `/assets/<name>` its hashed files. Everything is read into memory once at start (a few
 * hundred KB), so a request never touches the file system and no request path becomes a file
 * path. Hashed assets are cached for a year; the page itself is revalidated on every load.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Router } from 'express';
import { type Logger } from '@wharf/observability';
import { setPageHeaders } from './headers';

/** Content types of the files a Vite build emits. */
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
/** Hashed file names never change content: cache them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Largest asset loaded into memory; a bigger file is a build mistake, not something to serve. */
const MAX_ASSET_BYTES = 5 * 1024 * 1024;

interface Asset {
  body: Buffer;
  type: string;
}

/** The files of a console build, or undefined when it has not been built. */
export function loadConsole(dir: string): { index: Buffer; assets: Map<string, Asset> } | undefined {
  let index: Buffer;
  try {
    index = readFileSync(join(dir, 'index.html'));
  } catch {
    return undefined;
  }
  const assets = new Map<string, Asset>();
  const assetsDir = join(dir, 'assets');
  let names: string[] = [];
  try {
    names = readdirSync(assetsDir);
  } catch {
    names = [];
  }
  for (const name of names) {
    const type = CONTENT_TYPES[extname(name)];
    const file = join(assetsDir, name);
    if (type === undefined || statSync(file).size > MAX_ASSET_BYTES) continue;
    assets.set(name, { body: readFileSync(file), type });
  }
  return { index, assets };
}

/** The console routes; without a build, `/` says how to build it. */
export function consoleRoutes(dir: string, logger: Logger): Router {
  const router = Router();
  const built = loadConsole(dir);
  if (built === undefined) logger.warn('console not built; / answers 503', { dir });
  else logger.info('console loaded', { assets: built.assets.size });

  router.get('/', (_req, res) => {
    setPageHeaders(res);
    res.setHeader('cache-control', 'no-cache');
    if (built === undefined) {
      res.status(503).type('text/plain').send('The console is not built: run `npm run build`.\n');
      return;
    }
    res.status(200).type('text/html; charset=utf-8').send(built.index);
  });

  router.get('/assets/:name', (req, res, next) => {
    const asset = built?.assets.get(String(req.params.name));
    if (asset === undefined) {
      next();
      return;
    }
    setPageHeaders(res);
    res.setHeader('cache-control', IMMUTABLE);
    res.status(200).type(asset.type).send(asset.body);
  });

  return router;
}
