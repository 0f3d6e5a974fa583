import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import { CertificateAuthority, createRootCa, type RootCaOptions } from './ca';
import { isEncryptedKeyPem } from './keys';

/** CA certificate file in the CA directory (public). */
export const CA_CERT_FILE = 'ca.pem';

/** CA private key file in the CA directory: mode 0600, PKCS#8, encrypted when a passphrase is set. */
export const CA_KEY_FILE = 'ca.key';

/**
 * Environment variable a service's `main.ts` reads the CA passphrase from (the store itself never
 * reads the environment). Unset: the key is stored unencrypted, protected by file mode only.
 */
export const CA_PASSPHRASE_ENV = 'WHARF_CA_PASSPHRASE';

/** Mode of the CA directory: only the owner may list or enter it. */
export const CA_DIR_MODE = 0o700;

/** Mode of every private key file: owner read/write only, as ssh insists for its keys. */
export const SECRET_FILE_MODE = 0o600;

/** Mode of certificate files: public material. */
export const PUBLIC_FILE_MODE = 0o644;

/** Options of {@link saveCa} / {@link loadCa}. */
export interface CaStoreOptions {
  /** Encrypts the key at rest (save) / decrypts it (load). */
  readonly passphrase?: string;
}

/**
 * Writes `content` to `path` atomically (temp file, fsync, rename) with `mode` set at creation,
 * so no reader ever sees a partial file or a key that was briefly world-readable.
 */
export async function writeFileAtomic(
  path: string,
  content: string,
  mode: number,
  overwrite = true,
): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(tmp, mode); // the umask may have cleared bits of `mode`; set exactly
    if (overwrite) await rename(tmp, path);
    else await link(tmp, path); // EEXIST instead of replacing
  } finally {
    if (!overwrite) await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Stores a CA under `dir` (created 0700): `ca.pem` 0644 and `ca.key` 0600. Refuses to replace an
 * existing key (WHARF_CONFLICT): a new CA key silently invalidates every certificate issued.
 */
export async function saveCa(
  dir: string,
  ca: CertificateAuthority,
  options: CaStoreOptions = {},
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: CA_DIR_MODE });
  const keyPem = ca.exportKeyPem(options.passphrase);
  try {
    await writeFileAtomic(join(dir, CA_KEY_FILE), keyPem, SECRET_FILE_MODE, false);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new WharfError('WHARF_CONFLICT', 'a CA key already exists in this directory', {
        details: { dir, file: CA_KEY_FILE },
      });
    }
    throw err;
  }
  await writeFileAtomic(join(dir, CA_CERT_FILE), ca.certPem, PUBLIC_FILE_MODE);
}

/**
 * Loads the CA stored under `dir`. WHARF_PKI_KEY_ERROR when a file is missing, the key file is
 * readable by group or others, the key is encrypted and no (or a wrong) passphrase was given, or
 * key and certificate do not match. Errors carry paths, never key material.
 */
export async function loadCa(dir: string, options: CaStoreOptions = {}): Promise<CertificateAuthority> {
  const keyPath = join(dir, CA_KEY_FILE);
  const certPath = join(dir, CA_CERT_FILE);
  const info = await stat(keyPath).catch((err: unknown) => {
    throw keyError('CA key file missing or unreadable', keyPath, err);
  });
  if ((info.mode & 0o077) !== 0) {
    throw keyError('CA key file is accessible by group or others (chmod 600 it)', keyPath, undefined, {
      mode: (info.mode & 0o777).toString(8),
    });
  }
  const [keyPem, certPem] = await Promise.all([
    readFile(keyPath, 'utf8').catch((err: unknown) => {
      throw keyError('CA key file unreadable', keyPath, err);
    }),
    readFile(certPath, 'utf8').catch((err: unknown) => {
      throw keyError('CA certificate file missing or unreadable', certPath, err);
    }),
  ]);
  if (isEncryptedKeyPem(keyPem) && options.passphrase === undefined) {
    throw keyError(`CA key is encrypted: set ${CA_PASSPHRASE_ENV}`, keyPath);
  }
  return CertificateAuthority.fromPem(certPem, keyPem, options.passphrase);
}

/** Loads the CA under `dir`, or creates and stores a new one when the directory holds no key. */
export async function loadOrCreateCa(
  dir: string,
  options: CaStoreOptions & RootCaOptions = {},
): Promise<{ ca: CertificateAuthority; created: boolean }> {
  const exists = await stat(join(dir, CA_KEY_FILE)).then(
    () => true,
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
  );
  if (exists) return { ca: await loadCa(dir, options), created: false };
  const ca = await createRootCa(options);
  try {
    await saveCa(dir, ca, options);
  } catch (err) {
    // Another process created it between our check and our write: use theirs.
    if (err instanceof WharfError && err.code === 'WHARF_CONFLICT')
      return { ca: await loadCa(dir, options), created: false };
    throw err;
  }
  return { ca, created: true };
}

function keyError(
  message: string,
  path: string,
  cause?: unknown,
  extra: Record<string, unknown> = {},
): WharfError {
  return new WharfError('WHARF_PKI_KEY_ERROR', message, { details: { path, ...extra }, cause });
}
