/**
 * `wharf apikey create|list|revoke`: API keys through `/platform/configuration/security/api-keys`.
 * A new key is printed once (the api stores only its hash); a revoked key is refused on its next
 * request; the api refuses to revoke the last platform-admin key that never expires (409).
 */
import { assertId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { parseInteger } from '../config/values';
import { type CliContext } from '../context';
import { formatTable } from '../output/format';

/** The api's path of the key collection. */
export const API_KEYS_PATH = '/platform/configuration/security/api-keys';

/** `apikey` options. */
export interface ApiKeyCommandOptions {
  description?: string;
  /** Seconds until the new key expires (none: it never expires). */
  expiresIn?: string;
  /** The new key's role (the api checks the name). */
  role?: string;
  json?: boolean;
}

interface KeyRow {
  id: string;
  description?: string;
  created: string;
  expires?: string;
  expired?: boolean;
  roles?: string[];
}

/** Runs `apikey create`. */
export async function createApiKey(
  client: ApiClient,
  options: ApiKeyCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const body: Record<string, unknown> = { description: options.description ?? '' };
  if (options.role !== undefined) body.roles = [options.role];
  if (options.expiresIn !== undefined) {
    body.expires_in_seconds = parseInteger('--expires-in', options.expiresIn, 1, 2 ** 31 - 1);
  }
  const res = await client.request<KeyRow & { key: string }>('POST', API_KEYS_PATH, { body });
  const key = res.body!;
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify(key, null, 2)}\n`
      : `API key ${key.id}${key.expires ? ` (expires ${key.expires})` : ''}: ${key.key}\n` +
          '(shown once: the api keeps only its hash)\n',
  );
  return 0;
}

/** Runs `apikey list`. */
export async function listApiKeys(
  client: ApiClient,
  options: ApiKeyCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const res = await client.request<{ keys: KeyRow[] }>('GET', API_KEYS_PATH);
  const keys = res.body?.keys ?? [];
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
    return 0;
  }
  const rows = keys.map((k) => [
    k.id,
    k.description || '-',
    k.created,
    k.expires ?? 'never',
    k.roles?.join(',') ?? '-',
    k.expired ? 'expired' : 'valid',
  ]);
  const header = ['ID', 'DESCRIPTION', 'CREATED', 'EXPIRES', 'ROLE', 'STATE'];
  ctx.stdout.write(`${formatTable(header, rows).join('\n')}\n`);
  return 0;
}

/** Runs `apikey revoke <id>`. */
export async function revokeApiKey(
  client: ApiClient,
  rawId: string,
  options: ApiKeyCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('api_key', rawId);
  const res = await client.request<Record<string, unknown>>('DELETE', `${API_KEYS_PATH}/${id}`);
  ctx.stdout.write(options.json ? `${JSON.stringify(res.body, null, 2)}\n` : `API key ${id} revoked\n`);
  return 0;
}
