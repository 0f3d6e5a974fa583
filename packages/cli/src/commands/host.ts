/**
 * `wharf host list|roles` (API calls) and what every `host` command shares: role lists and the
 * default host id. `host join` is in host-join.ts, `host enrol` in host-enrol.ts.
 */
import { hostname } from 'node:os';
import { HOST_ROLES, assertId, isHostRole, isValidId, type HostRole } from '@wharf/model';
import { type ApiClient } from '../api/api-client';
import { invalidOption } from '../config/values';
import { type CliContext } from '../context';
import { formatTable } from '../output/format';

/** `host roles` / `host list` options. */
export interface HostCommandOptions {
  json?: boolean;
  /** `host roles`: remove the allocator role even while instances run there (`?force=true`). */
  force?: boolean;
}

/** Parses `a,b,c` into host roles; throws WHARF_VALIDATION naming `--roles`. */
export function parseRoles(raw: string): HostRole[] {
  const names = raw
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const bad = names.filter((r) => !isHostRole(r));
  if (bad.length > 0) {
    const message = `unknown role ${bad.join(', ')} (roles: ${HOST_ROLES.join(', ')})`;
    throw invalidOption('--roles', message);
  }
  return [...new Set(names)] as HostRole[];
}

/** This machine's host name as a host id (`host` when it is not one). */
export function defaultHostId(): string {
  const id = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return isValidId(id) ? id : 'host';
}

interface HostRow {
  id: string;
  zone: string;
  address: string;
  roles: string[];
  connected: boolean;
  services: { id: string; state: string; pid?: number; restarts: number }[];
}

/** Runs `host list`. */
export async function listHosts(
  client: ApiClient,
  options: HostCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const res = await client.request<{ hosts: HostRow[] }>('GET', '/platform/hosts');
  const hosts = res.body?.hosts ?? [];
  if (options.json) {
    ctx.stdout.write(`${JSON.stringify(hosts, null, 2)}\n`);
    return 0;
  }
  const rows = hosts.map((h) => [
    h.id,
    h.zone,
    h.address,
    h.roles.join(',') || '-',
    h.connected ? 'yes' : 'no',
    h.services.map((s) => `${s.id}:${s.state}`).join(' ') || '-',
  ]);
  ctx.stdout.write(
    `${formatTable(['HOST', 'ZONE', 'ADDRESS', 'ROLES', 'CONNECTED', 'SERVICES'], rows).join('\n')}\n`,
  );
  return 0;
}

/** Runs `host roles <id> <r,...>` (an empty list: `''`). */
export async function setHostRoles(
  client: ApiClient,
  rawId: string,
  rawRoles: string,
  options: HostCommandOptions,
  ctx: CliContext,
): Promise<number> {
  const id = assertId('host', rawId);
  const roles = parseRoles(rawRoles);
  const res = await client.request<Record<string, unknown>>('PUT', `/platform/hosts/${id}/roles`, {
    body: { roles },
    ...(options.force ? { query: { force: true } } : {}),
  });
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify(res.body, null, 2)}\n`
      : `host ${id} roles: ${roles.join(',') || '(none)'}\n`,
  );
  return 0;
}
