/**
 * Per-deployment stack credentials without stored passwords. Every platform service that talks
 * to a stack's authenticated API (constructor hooks, api snapshots and resets) holds one platform
 * secret (`$WHARF_HOME/credentials/platform-secret`, 0600); the passwords it needs are derived
 * from it with HMAC-SHA256, so ZooKeeper and the logs hold none of them:
 *
 * - the platform's own stack user (`wharf-platform`): HMAC(secret, deployment id);
 * - a new deployment's first `root` password: HMAC(secret, deployment, ref_id, create plan id),
 *   computed by the api for the create response and by the constructor when it enables auth.
 *
 * A reset generates a random password, sets it through the platform user and forgets it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';

/** The platform's own stack user (etcd: role `root`); users never get its password. */
export const PLATFORM_STACK_USER = 'wharf-platform';
/** The user whose password a deployment's owner gets (etcd's superuser). */
export const STACK_ROOT_USER = 'root';
/** Bytes of a new platform secret and of a generated password (256 and 192 bits). */
const SECRET_BYTES = 32;
const PASSWORD_BYTES = 24;
/** Owner-only: other local users must not read the secret. */
const SECRET_DIR_MODE = 0o700;
const SECRET_FILE_MODE = 0o600;

/** A user name and password for a stack's own API. */
export interface StackCredentials {
  username: string;
  password: string;
}

/** Where the platform secret lives under a WHARF_HOME. */
export function platformSecretFile(home: string): string {
  return join(home, 'credentials', 'platform-secret');
}

/**
 * The installation's platform secret, created (random, 0600) on first use. Two services starting
 * together may race to create it: the loser (`EEXIST`) reads the winner's.
 */
export async function loadPlatformSecret(home: string): Promise<string> {
  const file = platformSecretFile(home);
  const existing = await readSecret(file);
  if (existing !== undefined) return existing;
  const dir = join(home, 'credentials');
  await mkdir(dir, { recursive: true, mode: SECRET_DIR_MODE });
  await chmod(dir, SECRET_DIR_MODE);
  try {
    await writeFile(file, `${randomBytes(SECRET_BYTES).toString('hex')}\n`, {
      mode: SECRET_FILE_MODE,
      flag: 'wx',
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const created = await readSecret(file);
  if (created === undefined) throw new WharfError('WHARF_INTERNAL', 'platform secret file is empty');
  return created;
}

/**
 * Copies the platform secret of `fromHome` (created there if absent) into `toHome`, where the
 * services a runner starts read it: every api and constructor of one installation must derive
 * the same credentials. Written under a temporary name, then renamed (never half a file).
 */
export async function sharePlatformSecret(fromHome: string, toHome: string): Promise<void> {
  const secret = await loadPlatformSecret(fromHome);
  if ((await readSecret(platformSecretFile(toHome))) === secret) return;
  const dir = join(toHome, 'credentials');
  await mkdir(dir, { recursive: true, mode: SECRET_DIR_MODE });
  await chmod(dir, SECRET_DIR_MODE);
  const temp = `${platformSecretFile(toHome)}.tmp-${process.pid}`;
  await writeFile(temp, `${secret}\n`, { mode: SECRET_FILE_MODE });
  await chmod(temp, SECRET_FILE_MODE);
  await rename(temp, platformSecretFile(toHome));
}

async function readSecret(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function derive(secret: string, ...parts: string[]): string {
  return createHmac('sha256', secret).update(parts.join('\0')).digest('base64url');
}

/** The platform's credentials for one deployment's stack (pure). */
export function platformStackCredentials(secret: string, deploymentId: string): StackCredentials {
  return { username: PLATFORM_STACK_USER, password: derive(secret, 'platform', deploymentId) };
}

/** The first `root` password of a resource created by plan `planId` (pure). */
export function initialRootPassword(
  secret: string,
  deploymentId: string,
  refId: string,
  planId: string,
): string {
  return derive(secret, 'root', deploymentId, refId, planId);
}

/** A new random password (URL-safe, 32 characters). */
export function generatePassword(): string {
  return randomBytes(PASSWORD_BYTES).toString('base64url');
}
