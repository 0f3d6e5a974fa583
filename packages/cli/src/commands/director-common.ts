/**
 * What `wharf director add` and `wharf director remove` share: short ZooKeeper sessions, the
 * ensemble super password, a director's certificate for TLS ensembles, and a host's registration
 * (read, and its `director` role).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type HostRegistration, WharfError, isWharfError, paths } from '@wharf/model';
import { type PlatformRecord } from '@wharf/platform';
import { readTlsCredentials } from '@wharf/pki';
import { DocumentStore, ZkSession, type ZkTlsOptions } from '@wharf/zk';
import { type CliContext } from '../context';

/** How long a role update may wait out an election (after the leader was removed or added). */
export const ROLE_UPDATE_WITHIN_MS = 45_000;
/** Between two tries of the role update. */
const ROLE_UPDATE_RETRY_MS = 250;

/** Runs `fn` in a fresh session and closes it. */
export type ZkRunner = <T>(fn: (zk: ZkSession) => Promise<T>) => Promise<T>;

/** A {@link ZkRunner} on `connectString` (the installation's chroot; TLS when given). */
export function zkRunner(connectString: string, chroot: string, tls: ZkTlsOptions | undefined): ZkRunner {
  return async (fn) => {
    const zk = new ZkSession({ connectString, chroot, ...(tls === undefined ? {} : { tls }) });
    try {
      await zk.start();
      return await fn(zk);
    } finally {
      await zk.close();
    }
  };
}

/** The host's `/hosts/<id>` registration; an unknown host is `WHARF_NOT_FOUND` naming `host-id`. */
export async function readHostRegistration(run: ZkRunner, host: string): Promise<HostRegistration> {
  const registration = await run((zk) => new DocumentStore(zk).read('host-registration', paths.host(host)));
  if (registration === undefined) {
    throw new WharfError('WHARF_NOT_FOUND', `unknown host ${host}`, {
      details: [{ path: 'host-id', message: 'no /hosts/<id> registration' }],
    });
  }
  return registration.value;
}

/**
 * Adds `director` to, or takes it off, the host's roles. A reconfiguration may start an election:
 * a session may lose its connection or not get one for a few seconds, so this retries on
 * connection errors for up to {@link ROLE_UPDATE_WITHIN_MS}.
 */
export async function updateDirectorRole(
  run: ZkRunner,
  host: string,
  change: 'add' | 'remove',
): Promise<void> {
  const deadline = Date.now() + ROLE_UPDATE_WITHIN_MS;
  for (;;) {
    try {
      await run((zk) =>
        new DocumentStore(zk).updateDocument('host-registration', paths.host(host), (current) => {
          const others = current!.roles.filter((r) => r !== 'director');
          return { ...current!, roles: change === 'add' ? [...others, 'director'] : others };
        }),
      );
      return;
    } catch (err) {
      const retriable = isWharfError(
        err,
        'WHARF_ZK_CONNECTION_LOSS',
        'WHARF_UNAVAILABLE',
        'WHARF_ZK_SESSION_EXPIRED',
        'WHARF_TIMEOUT',
      );
      if (!retriable || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, ROLE_UPDATE_RETRY_MS));
    }
  }
}

/** `WHARF_ZK_SUPER_PASSWORD`, else `<home>/credentials/zk-super` (what `wharf up` shares). */
export async function readSuperPassword(home: string, ctx: CliContext): Promise<string> {
  const fromEnv = ctx.env.WHARF_ZK_SUPER_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const file = join(home, 'credentials', 'zk-super');
  const password = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (password === '') {
    const message = `no ensemble super password: set WHARF_ZK_SUPER_PASSWORD or provide ${file}`;
    throw new WharfError('WHARF_VALIDATION', message, {
      details: [{ path: 'WHARF_ZK_SUPER_PASSWORD', message }],
    });
  }
  return password;
}

/**
 * A TLS ensemble takes a director's certificate (the members' x509 super user): `--tls-dir`, else
 * on a `wharf up --secure` installation the director certificate of another director host.
 */
export async function directorTls(
  options: { tlsDir?: string },
  record: PlatformRecord | undefined,
  other: string,
  ctx: CliContext,
): Promise<ZkTlsOptions | undefined> {
  if (options.tlsDir !== undefined) return readTlsCredentials(resolve(ctx.cwd, options.tlsDir));
  if (record?.zookeeper.tls !== true) return undefined;
  const hosts = record.services.filter((s) => s.service === 'director' && s.host !== other);
  for (const s of hosts) {
    const creds = await readTlsCredentials(join(record.home, 'hosts', s.host!, 'tls', 'director')).catch(
      () => undefined,
    );
    if (creds !== undefined) return creds;
  }
  const message = 'a TLS ensemble needs a director certificate: give --tls-dir';
  throw new WharfError('WHARF_VALIDATION', message, { details: [{ path: '--tls-dir', message }] });
}
