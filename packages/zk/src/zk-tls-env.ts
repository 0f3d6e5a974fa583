import { readFileSync, statSync } from 'node:fs';
import { WharfError } from '@wharf/model';
import { type ZkTlsOptions } from './tls';

/**
 * The variables that put a service's ZooKeeper sessions in secure mode: PEM file paths, as
 * @wharf/pki's `writeTlsCredentials` lays them out (`ca.pem`, `cert.pem`, `key.pem`). All three
 * or none: a half-configured service must not silently fall back to plaintext.
 */
export const ZK_TLS_ENV = Object.freeze({
  ca: 'WHARF_ZK_TLS_CA',
  cert: 'WHARF_ZK_TLS_CERT',
  key: 'WHARF_ZK_TLS_KEY',
} as const);

/** File access, injectable for unit tests. */
export interface ZkTlsFiles {
  read(path: string): Buffer;
  /** The file's permission bits (`stat.mode & 0o777`). */
  mode(path: string): number;
}

const DISK: ZkTlsFiles = {
  read: (path) => readFileSync(path),
  mode: (path) => statSync(path).mode & 0o777,
};

/**
 * `ZkSessionOptions.tls` from the environment (each service's `main.ts` passes `process.env`),
 * or undefined when none of {@link ZK_TLS_ENV} is set (plain mode, the default). Throws
 * WHARF_VALIDATION naming the variable: only some set, a file unreadable, or a key file that
 * group or others may access (as ssh refuses one). Never puts file contents in an error. The
 * result re-reads the files before each new connection, so a rotated certificate is used from
 * the next reconnect on.
 */
export function zkTlsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  files: ZkTlsFiles = DISK,
): ZkTlsOptions | undefined {
  const entries = (Object.keys(ZK_TLS_ENV) as (keyof typeof ZK_TLS_ENV)[]).map(
    (field) => [field, ZK_TLS_ENV[field], env[ZK_TLS_ENV[field]]?.trim() || undefined] as const,
  );
  const missing = entries.filter(([, , value]) => value === undefined);
  if (missing.length === entries.length) return undefined;
  if (missing.length > 0) {
    throw invalid(missing[0]![1], `set ${Object.values(ZK_TLS_ENV).join(', ')} together`);
  }
  const pem: Partial<Record<keyof typeof ZK_TLS_ENV, Buffer>> = {};
  for (const [field, variable, path] of entries) {
    try {
      if (field === 'key' && (files.mode(path!) & 0o077) !== 0) {
        throw invalid(variable, 'key file must not be accessible by group or others (chmod 600)');
      }
      pem[field] = files.read(path!);
    } catch (err) {
      if (err instanceof WharfError) throw err;
      throw invalid(variable, 'unreadable file', err);
    }
  }
  const paths = Object.fromEntries(entries.map(([field, , path]) => [field, path!])) as Record<
    keyof typeof ZK_TLS_ENV,
    string
  >;
  // Rotation (`wharf pki rotate` rewrites the files): every new connection re-reads them.
  const reload = () => ({
    ca: files.read(paths.ca),
    cert: files.read(paths.cert),
    key: files.read(paths.key),
  });
  return { ca: pem.ca!, cert: pem.cert!, key: pem.key!, reload };
}

function invalid(variable: string, reason: string, cause?: unknown): WharfError {
  return new WharfError('WHARF_VALIDATION', 'invalid zookeeper tls configuration', {
    details: { field: variable, reason },
    cause,
  });
}
