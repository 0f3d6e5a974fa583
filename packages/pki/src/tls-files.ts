import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import { CA_DIR_MODE, PUBLIC_FILE_MODE, SECRET_FILE_MODE, writeFileAtomic } from './ca-store';

/** A service's certificate in its TLS directory (leaf first, PEM). */
export const SERVICE_CERT_FILE = 'cert.pem';

/** The service's private key (PKCS#8 PEM, 0600). */
export const SERVICE_KEY_FILE = 'key.pem';

/** The CA certificate(s) the service trusts. */
export const TRUSTED_CA_FILE = 'ca.pem';

/**
 * A service's TLS credentials as PEM text. The shape of `ZkSessionOptions.tls` in @wharf/zk and of
 * Node's `tls` options, so one value configures ZooKeeper, HTTPS and the proxy alike.
 */
export interface TlsCredentials {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/**
 * Writes credentials into `dir` (0700): key 0600, certificate and CA 0644, each atomically. The key
 * is written first and the certificate last, so a reader that sees the new certificate also finds
 * its key; a rotation rewrites the files in place and readers pick them up on their next read.
 */
export async function writeTlsCredentials(dir: string, credentials: TlsCredentials): Promise<void> {
  await mkdir(dir, { recursive: true, mode: CA_DIR_MODE });
  await writeFileAtomic(join(dir, SERVICE_KEY_FILE), credentials.key, SECRET_FILE_MODE);
  await writeFileAtomic(join(dir, TRUSTED_CA_FILE), credentials.ca, PUBLIC_FILE_MODE);
  await writeFileAtomic(join(dir, SERVICE_CERT_FILE), credentials.cert, PUBLIC_FILE_MODE);
}

/**
 * Reads credentials written by {@link writeTlsCredentials}. WHARF_PKI_KEY_ERROR when a file is
 * missing or the key is accessible by group or others.
 */
export async function readTlsCredentials(dir: string): Promise<TlsCredentials> {
  const keyPath = join(dir, SERVICE_KEY_FILE);
  const mode = await stat(keyPath).then(
    (s) => s.mode & 0o777,
    (err: unknown) => {
      throw filesError('TLS key file missing or unreadable', keyPath, err);
    },
  );
  if ((mode & 0o077) !== 0) {
    throw filesError(
      'TLS key file is accessible by group or others (chmod 600 it)',
      keyPath,
      undefined,
      mode,
    );
  }
  const read = (file: string): Promise<string> =>
    readFile(join(dir, file), 'utf8').catch((err: unknown) => {
      throw filesError('TLS file missing or unreadable', join(dir, file), err);
    });
  const [key, cert, ca] = await Promise.all([
    read(SERVICE_KEY_FILE),
    read(SERVICE_CERT_FILE),
    read(TRUSTED_CA_FILE),
  ]);
  return { ca, cert, key };
}

function filesError(message: string, path: string, cause?: unknown, mode?: number): WharfError {
  return new WharfError('WHARF_PKI_KEY_ERROR', message, {
    details: { path, ...(mode === undefined ? {} : { mode: mode.toString(8) }) },
    cause,
  });
}
