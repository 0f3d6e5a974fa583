import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temporary directory and the function that removes it. */
export interface TempDir {
  readonly path: string;
  /** Removes the directory and everything in it. Idempotent. */
  cleanup(): Promise<void>;
}

/** Creates a fresh directory under the OS temp dir, named `<prefix>-XXXXXX`. */
export async function tempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `${prefix}-`));
  return {
    path,
    cleanup: () => rm(path, { recursive: true, force: true }),
  };
}

/**
 * A fresh temporary directory for each test of the calling file (`home.path`), all removed after
 * the file's last test: after the file's own `afterEach` hooks have stopped whatever still writes
 * there, which a removal racing those writes would not survive.
 */
export function useTempDir(prefix: string): { readonly path: string } {
  const dirs: TempDir[] = [];
  let current: TempDir | undefined;
  beforeEach(async () => {
    current = await tempDir(prefix);
    dirs.push(current);
  });
  afterAll(async () => {
    await Promise.all(dirs.splice(0).map((dir) => dir.cleanup()));
  });
  return {
    get path(): string {
      if (current === undefined) throw new Error('useTempDir: the path exists only inside a test');
      return current.path;
    },
  };
}
