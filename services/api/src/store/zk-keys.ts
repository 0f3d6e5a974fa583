/**
 * API key records in ZooKeeper (`/platform/security/api-keys/<keyId>`), plus a watch-driven view
 * of them that authentication consults on every cached verification, so a key deleted through
 * any api stops working here as soon as the watch fires.
 *
 * Revocations are serialised through the parent znode: each delete is a transaction
 * with a version-checked `set` of `/platform/security/api-keys`. Two concurrent deletes that each
 * saw "another key remains" therefore cannot both commit; the loser re-reads and re-applies the
 * lock-out rule.
 */
import { WharfError, isWharfError, paths, type ApiKeyRecord } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, TreeCache, type ZkSession, type ZkStat } from '@wharf/zk';
import { type KeyStore, type RevocationPolicy, type StoredKey } from './types';
import { corrupt, failedOp } from './zk-errors';

/** Key records read per list or revocation at most (creation is capped well below this). */
export const MAX_KEYS_READ = 2048;
/** Revocations retried when another revocation moved the parent version in between. */
const MAX_REVOKE_ATTEMPTS = 5;
/** How long a write waits for its own change to reach the watch-driven view (ms on a healthy server). */
export const KEY_CACHE_SYNC_TIMEOUT_MS = 2_000;

function revisionOf(node: { readonly stat: ZkStat }): string {
  return `${node.stat.czxid}:${node.stat.version}`;
}

/** {@link KeyStore} over a ZooKeeper session; `start()` loads the watch-driven view. */
export class ZkKeyStore implements KeyStore {
  private readonly tree: TreeCache;

  private readonly docs: DocumentStore;

  constructor(
    private readonly zk: ZkSession,
    private readonly logger: Logger,
  ) {
    this.tree = new TreeCache(zk, paths.apiKeys(), { depth: 1 });
    this.docs = new DocumentStore(zk, { logger });
  }

  /** Loads the view and arms its watches. */
  async start(): Promise<void> {
    await this.tree.start();
  }

  /** Stops watching. Idempotent. */
  async close(): Promise<void> {
    await this.tree.close();
  }

  async get(keyId: string): Promise<StoredKey | undefined> {
    const path = paths.apiKey(keyId);
    try {
      const doc = await this.docs.read('api-key', path);
      return doc && { record: doc.value, revision: revisionOf(doc) };
    } catch (err) {
      if (isWharfError(err, 'WHARF_VALIDATION')) throw corrupt(path, err);
      throw err;
    }
  }

  cachedRevision(keyId: string): string | undefined {
    const node = this.tree.get(paths.apiKey(keyId));
    return node === undefined ? undefined : revisionOf(node);
  }

  async list(): Promise<ApiKeyRecord[]> {
    const ids = (await this.docs.readChildren(paths.apiKeys())).slice(0, MAX_KEYS_READ);
    const read = await Promise.all(ids.map((id) => this.readRecord(id)));
    return read.filter((r): r is ApiKeyRecord => r !== undefined);
  }

  async count(): Promise<number> {
    return (await this.docs.readChildren(paths.apiKeys())).length;
  }

  async create(record: ApiKeyRecord): Promise<void> {
    const path = paths.apiKey(record.id);
    await this.docs.create('api-key', path, record);
    await this.sync(() => this.tree.get(path) !== undefined);
  }

  async revoke(keyId: string, policy: RevocationPolicy): Promise<boolean> {
    const parentPath = paths.apiKeys();
    const path = paths.apiKey(keyId);
    for (let attempt = 1; ; attempt++) {
      const parent = await this.zk.get(parentPath);
      const ids = (await this.zk.children(parentPath)).slice(0, MAX_KEYS_READ);
      if (!ids.includes(keyId)) return false;
      const node = await this.docs.readNode('api-key', path);
      if (node === undefined) return false;
      const target = node.value;
      const others = await Promise.all(ids.filter((id) => id !== keyId).map((id) => this.readRecord(id)));
      const refusal = await policy(
        target,
        others.filter((r): r is ApiKeyRecord => r !== undefined),
      );
      if (refusal !== undefined) throw refusal;
      try {
        await this.zk
          .transaction()
          .set(parentPath, parent.data, parent.stat.version)
          .delete(path, node.version)
          .commit();
      } catch (err) {
        const failed = failedOp(err);
        if (failed?.path === path && failed.code === 'WHARF_ZK_NO_NODE') return false;
        const moved = failed?.code === 'WHARF_ZK_BAD_VERSION';
        if (!moved || attempt >= MAX_REVOKE_ATTEMPTS) {
          throw moved
            ? new WharfError('WHARF_CONFLICT', 'API keys changed concurrently; retry', { cause: err })
            : err;
        }
        continue;
      }
      await this.sync(() => this.tree.get(path) === undefined);
      return true;
    }
  }

  private async readRecord(id: string): Promise<ApiKeyRecord | undefined> {
    return (await this.docs.readOrSkip('api-key', paths.apiKey(id)))?.value;
  }

  /** Resolves once `predicate` holds on the view, or after {@link KEY_CACHE_SYNC_TIMEOUT_MS}. */
  private async sync(predicate: () => boolean): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        off();
        this.logger.debug('api key cache sync timed out', {});
        resolve();
      }, KEY_CACHE_SYNC_TIMEOUT_MS);
      const off = this.tree.on('changed', () => {
        if (!predicate()) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }
}
