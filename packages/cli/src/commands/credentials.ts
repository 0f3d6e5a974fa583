/**
 * Stack credentials on the command line: the passwords a create returns (printed once, they are
 * not stored anywhere), and `wharf deployment credentials reset <id>`
 * (`POST /deployments/:id/etcd/:ref_id/credentials/_reset`).
 */
import { assertId } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { type CliContext } from '../context';

/** `credentials reset` options. */
export interface CredentialsResetOptions {
  /** The etcd resource; default `main`. */
  refId?: string;
  json?: boolean;
}

/** The ref_id a deployment created from the usual plans has. */
const DEFAULT_REF_ID = 'main';

/** Lines naming each resource's credentials in a create answer (empty when it has none). */
export function credentialLines(body: unknown): string[] {
  const resources = (body as { resources?: unknown } | undefined)?.resources;
  if (!Array.isArray(resources)) return [];
  return resources.flatMap((r: { kind?: unknown; ref_id?: unknown; credentials?: unknown }) => {
    const c = r.credentials as { username?: unknown; password?: unknown } | undefined;
    if (typeof c?.username !== 'string' || typeof c.password !== 'string') return [];
    return [`${String(r.kind)} ${String(r.ref_id)}: username ${c.username} password ${c.password}`];
  });
}

/** Printed under credentials: the API keeps no copy. */
export const SHOWN_ONCE =
  'save the password now: it is shown only once (reset it with `wharf deployment credentials reset`)';

/** Runs `deployment credentials reset <id>`. */
export async function resetCredentials(
  client: ApiClient,
  rawId: string,
  options: CredentialsResetOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('deployment', rawId);
  const refId = assertId('ref_id', options.refId ?? DEFAULT_REF_ID);
  const res = await client.request<Record<string, unknown>>(
    'POST',
    `/deployments/${id}/etcd/${refId}/credentials/_reset`,
  );
  const body = res.body ?? {};
  const text = options.json
    ? JSON.stringify(body, null, 2)
    : `etcd ${refId}: username ${String(body.username)} password ${String(body.password)}\n${SHOWN_ONCE}`;
  ctx.stdout.write(`${text}\n`);
  return 0;
}
