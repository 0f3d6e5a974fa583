/**
 * `wharf host join|list|roles`. `join` starts this host's runner (`wharf-runner`), detached, with
 * the roles token in its environment (never on its command line, where `ps` would show it): the
 * runner validates the token against ZooKeeper and registers the host in one transaction.
 * `join --bootstrap` starts the first host of a new installation instead, with no token. The CLI
 * waits for the host's live node, or for the runner to exit with its refusal. `list` and `roles`
 * are API calls.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { HOST_ROLES, WharfError, assertId, isHostRole, isValidId, paths, type HostRole } from '@wharf/model';
import { ZkSession } from '@wharf/zk';
import { type ApiClient } from '../api/api-client';
import { invalidOption } from '../config/values';
import { type CliContext } from '../context';
import { formatTable } from '../output/format';
import { findPackageDir } from '@wharf/platform';

/** How long `join` waits for the runner to register: token hashing plus a ZooKeeper round trip. */
export const JOIN_TIMEOUT_MS = 30_000;
/** How often `join` looks for the live node. */
const JOIN_POLL_MS = 100;
/** Exit code of `wharf-runner` when the token or the bootstrap is refused. */
const RUNNER_EXIT_TOKEN_REFUSED = 3;
/** Lines of the runner's log shown when it fails to start. */
const LOG_TAIL_LINES = 5;

/** `host join` options. */
export interface HostJoinOptions {
  zk: string;
  /** Roles token; exactly one of `token` and `bootstrap`. */
  token?: string;
  /** First host of a new installation: no token (there is no api yet). */
  bootstrap?: boolean;
  zone: string;
  roles: string;
  hostId?: string;
  address?: string;
  zkChroot?: string;
  home?: string;
  json?: boolean;
}

/** `host roles` / `host list` options. */
export interface HostCommandOptions {
  json?: boolean;
  /** `host roles`: remove the allocator role even while instances run there (`?force=true`). */
  force?: boolean;
}

/** What `$WHARF_HOME/run/runner-<host>.json` records. */
export interface RunnerRecord {
  host: string;
  pid: number;
  zk: string;
  chroot: string;
  log: string;
  started: string;
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

/** The `wharf-runner` entry point: `$WHARF_SERVICES_ROOT/runner`, else the installed package. */
function runnerEntry(ctx: CliContext): string {
  const root = ctx.env.WHARF_SERVICES_ROOT;
  const dir = root ? join(root, 'runner') : findPackageDir(dirname(ctx.cliPath), '@wharf/runner');
  if (dir === undefined)
    throw new WharfError('WHARF_NOT_FOUND', 'the @wharf/runner package is not installed');
  return join(dir, 'dist', 'main.js');
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return '';
  }
}

/** Runs `host join`: spawns the runner and waits until the host is live or the runner gave up. */
export async function joinHost(options: HostJoinOptions, ctx: CliContext): Promise<number> {
  const roles = parseRoles(options.roles);
  if ((options.token === undefined) === (options.bootstrap !== true)) {
    const message = 'give either --token (joining an installation) or --bootstrap (its first host)';
    throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--token', message }] });
  }
  const host = assertId('host', options.hostId ?? defaultHostId());
  assertId('zone', options.zone);
  const home = resolve(ctx.cwd, options.home ?? ctx.env.WHARF_HOME ?? '.wharf');
  const chroot = options.zkChroot ?? ctx.env.WHARF_ZK_CHROOT ?? '/wharf';
  const log = join(home, 'logs', `runner-${host}.log`);
  mkdirSync(dirname(log), { recursive: true });
  mkdirSync(join(home, 'run'), { recursive: true });
  const fd = openSync(log, 'a');
  const child = spawn(ctx.execPath, [runnerEntry(ctx)], {
    env: {
      ...ctx.env,
      WHARF_ZK: options.zk,
      WHARF_ZK_CHROOT: chroot,
      WHARF_HOME: home,
      WHARF_HOST_ID: host,
      WHARF_ZONE: options.zone,
      ...(options.token === undefined
        ? { WHARF_BOOTSTRAP_ROLES: roles.join(',') }
        : { WHARF_ROLES: roles.join(','), WHARF_ROLES_TOKEN: options.token }),
      ...(options.address === undefined ? {} : { WHARF_HOST_ADDRESS: options.address }),
    },
    detached: true,
    shell: false,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exit: number | null | undefined;
  child.once('exit', (code) => (exit = code ?? -1));
  const record: RunnerRecord = {
    host,
    pid: child.pid!,
    zk: options.zk,
    chroot,
    log,
    started: new Date().toISOString(),
  };
  writeFileSync(join(home, 'run', `runner-${host}.json`), `${JSON.stringify(record, null, 2)}\n`);
  const live = await waitForLive(options.zk, chroot, host, () => exit !== undefined);
  if (!live) {
    if (exit === undefined) child.kill('SIGTERM');
    const refused = options.bootstrap ? 'the bootstrap was refused' : 'the roles token was refused';
    const why = exit === RUNNER_EXIT_TOKEN_REFUSED ? refused : 'the runner did not start';
    ctx.stderr.write(`error: ${why}\n${tail(log)}\n`);
    return 1;
  }
  child.unref();
  ctx.stdout.write(
    options.json
      ? `${JSON.stringify(record, null, 2)}\n`
      : `host ${host} joined with roles ${roles.join(',') || '(none)'}; runner pid ${record.pid}, log ${log}\n`,
  );
  return 0;
}

async function waitForLive(
  zk: string,
  chroot: string,
  host: string,
  gaveUp: () => boolean,
): Promise<boolean> {
  const session = new ZkSession({ connectString: zk, chroot });
  try {
    await session.start();
    const deadline = Date.now() + JOIN_TIMEOUT_MS;
    while (Date.now() < deadline && !gaveUp()) {
      if ((await session.exists(paths.hostLive(host))) !== null) return true;
      await delay(JOIN_POLL_MS);
    }
    return false;
  } finally {
    await session.close();
  }
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
