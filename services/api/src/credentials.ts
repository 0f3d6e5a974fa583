/**
 * The API key file `$WHARF_HOME/credentials/api-key` (directory 0700, file 0600). It is written
 * to a temporary name before the key record is stored, and renamed after: if the process dies
 * in between, the key is still on disk (under the temporary name) rather than lost.
 */
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Owner-only directory: other local users must not read credentials. */
export const CREDENTIALS_DIR_MODE = 0o700;
/** Owner read/write only. */
export const CREDENTIALS_FILE_MODE = 0o600;

/** Where the api key lives under a WHARF_HOME. */
export function apiKeyFile(home: string): string {
  return join(home, 'credentials', 'api-key');
}

/** A key file staged under a temporary name; `commit()` moves it in place, `discard()` removes it. */
export interface StagedKeyFile {
  readonly path: string;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Writes `key` to a temporary file next to the final one. */
export async function stageApiKeyFile(home: string, key: string, pid: number): Promise<StagedKeyFile> {
  const path = apiKeyFile(home);
  const dir = join(home, 'credentials');
  await mkdir(dir, { recursive: true, mode: CREDENTIALS_DIR_MODE });
  // mkdir's mode is masked by the umask and ignored for an existing directory.
  await chmod(dir, CREDENTIALS_DIR_MODE);
  const temp = `${path}.tmp-${pid}`;
  await writeFile(temp, `${key}\n`, { mode: CREDENTIALS_FILE_MODE, flag: 'w' });
  await chmod(temp, CREDENTIALS_FILE_MODE);
  return {
    path,
    commit: () => rename(temp, path),
    discard: () => rm(temp, { force: true }),
  };
}
