/**
 * Where the API is and which key to send: `--api` / WHARF_API (default `http://127.0.0.1:12400`),
 * `--api-key` / WHARF_API_KEY / `$WHARF_HOME/credentials/api-key` (the file `wharf up` leaves).
 */
import { join, resolve } from 'node:path';
import { LOOPBACK } from '@wharf/platform';
import { DEFAULT_API_PORT, DEFAULT_HOME } from './up-config';
import { invalidOption } from './values';

/** The API of a default `wharf up` on this host. */
export const DEFAULT_API_URL = `http://${LOOPBACK}:${DEFAULT_API_PORT}`;

/** Raw global options. */
export interface ClientOptions {
  api?: string;
  apiKey?: string;
  home?: string;
}

/** Where the key came from, for error messages. */
export type ApiKeySource = 'flag' | 'env' | 'file' | 'none';

/** A resolved client configuration. */
export interface ClientConfig {
  readonly baseUrl: string;
  readonly apiKey?: string;
  readonly apiKeySource: ApiKeySource;
  readonly apiKeyFile: string;
}

/** Resolves the API URL and key; `readKeyFile` returns the file's content or undefined. */
export function resolveClientConfig(
  options: ClientOptions,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  readKeyFile: (file: string) => string | undefined,
): ClientConfig {
  const rawUrl = options.api ?? nonEmpty(env.WHARF_API) ?? DEFAULT_API_URL;
  const baseUrl = normaliseBaseUrl(options.api === undefined ? 'WHARF_API' : '--api', rawUrl);
  const home = resolve(cwd, options.home ?? nonEmpty(env.WHARF_HOME) ?? DEFAULT_HOME);
  const apiKeyFile = join(home, 'credentials', 'api-key');
  const candidates: [ApiKeySource, () => string | undefined][] = [
    ['flag', () => options.apiKey],
    ['env', () => env.WHARF_API_KEY],
    ['file', () => readKeyFile(apiKeyFile)],
  ];
  for (const [source, read] of candidates) {
    const key = nonEmpty(read()?.trim());
    if (key !== undefined) return Object.freeze({ baseUrl, apiKey: key, apiKeySource: source, apiKeyFile });
  }
  return Object.freeze({ baseUrl, apiKeySource: 'none', apiKeyFile });
}

/** `http(s)://host[:port]` without a trailing slash or `/api/v1`. */
export function normaliseBaseUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidOption(name, `${JSON.stringify(raw)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalidOption(name, 'expected an http(s) URL');
  if (url.search !== '' || url.hash !== '') throw invalidOption(name, 'expected no query or fragment');
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.origin}${path}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
