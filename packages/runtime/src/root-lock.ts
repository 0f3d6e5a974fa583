/**
 * One live runtime per root directory: two allocators adopting the same processes would fight
 * over them. The lock file names its holder by process identity, so a lock left by a crashed
 * holder is recognised as stale and taken over.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict } from './errors';
import { identityOf, isSameProcess, type ProcessIdentity } from './proc';

/** Attempts to take over a stale lock before giving up (another opener may race us). */
const LOCK_ATTEMPTS = 3;

interface LockContent extends ProcessIdentity {
  token: string;
}

/** A held lock on a runtime root. */
export class RootLock {
  private constructor(
    private readonly path: string,
    private readonly token: string,
  ) {}

  /** Takes the lock of `rootDir`, or throws `WHARF_CONFLICT` naming the live holder. */
  static async acquire(rootDir: string): Promise<RootLock> {
    const path = join(rootDir, 'runtime.lock');
    const self = await identityOf(process.pid);
    if (self === null) throw new Error('cannot read own process identity');
    const content: LockContent = { ...self, token: randomBytes(8).toString('hex') };
    for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt += 1) {
      try {
        const handle = await open(path, 'wx', 0o600);
        await handle.writeFile(JSON.stringify(content));
        await handle.close();
        return new RootLock(path, content.token);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = await readLock(path);
      if (holder !== null && (await isSameProcess(holder))) {
        throw conflict('runtime root is in use by another runtime', { rootDir, holderPid: holder.pid });
      }
      await unlink(path).catch(() => undefined);
    }
    throw conflict('could not take the runtime root lock', { rootDir });
  }

  /** Releases the lock if it is still ours. Idempotent. */
  async release(): Promise<void> {
    const holder = await readLock(this.path);
    if (holder?.token === this.token) await unlink(this.path).catch(() => undefined);
  }
}

async function readLock(path: string): Promise<LockContent | null> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as LockContent;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string' ? parsed : null;
  } catch {
    return null;
  }
}
