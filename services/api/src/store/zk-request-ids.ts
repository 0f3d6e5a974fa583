/**
 * Request-id markers in ZooKeeper (`/platform/request-ids/<sha256>`): read, discard an expired
 * one before reusing its request id, and sweep expired ones.
 *
 * Several apis may sweep and discard at once, so every marker deletion is a transaction with a
 * version-checked `set` of `/platform/request-ids`. A deleter reads that parent
 * first and judges expiry on marker data read afterwards; if any other deletion commits in
 * between, its transaction fails. This also rules out the ABA case "marker expired, deleted by
 * someone else, recreated fresh under the same name, then deleted by a stale sweeper", which a
 * version check on the marker alone cannot see (a recreated znode starts at version 0 again).
 * Markers are created (in the deployment transaction) without touching the parent.
 */
import { WharfError, paths } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession, type ZkStat } from '@wharf/zk';
import { parseMarker, type RequestMarker } from '../domain/request-marker';
import { type StoredMarker, type SweepResult, type SweptMarker } from './types';
import { corrupt, failedOp } from './zk-errors';

/** Markers read at once during a sweep: enough to keep a round short, gentle on the server. */
const SWEEP_READ_CONCURRENCY = 16;
/** Attempts of a discard whose guard moved under it (other sweeps commit in between). */
const MAX_DISCARD_ATTEMPTS = 3;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** The znode of a request-id marker (the name is a sha256 hex, already safe). */
export function requestMarkerPath(hash: string): string {
  if (!HASH_PATTERN.test(hash)) throw new WharfError('WHARF_INTERNAL', 'bad request id hash');
  return `${paths.requestIds()}/${hash}`;
}

function revisionOf(node: { readonly stat: ZkStat }): string {
  return `${node.stat.czxid}:${node.stat.version}`;
}

function tryParse(data: Buffer): RequestMarker | undefined {
  try {
    return parseMarker(data);
  } catch {
    return undefined;
  }
}

/** Request-id markers over a ZooKeeper session. */
export class ZkRequestIds {
  private readonly docs: DocumentStore;

  constructor(
    private readonly zk: ZkSession,
    private readonly logger: Logger,
  ) {
    this.docs = new DocumentStore(zk, { logger });
  }

  /** The marker of a request-id hash; throws `WHARF_INTERNAL` when it is unreadable. */
  async get(hash: string): Promise<StoredMarker | undefined> {
    const path = requestMarkerPath(hash);
    const node = await this.docs.readRaw(path);
    if (node === undefined) return undefined;
    try {
      return { marker: parseMarker(node.data), revision: revisionOf(node) };
    } catch (err) {
      throw corrupt(path, err);
    }
  }

  /**
   * Deletes the marker of `hash` if it is still the one read at `revision` (the caller judged it
   * expired). Does nothing when it moved or went: the caller re-reads either way.
   */
  async discard(hash: string, revision: string): Promise<void> {
    const parentPath = paths.requestIds();
    const path = requestMarkerPath(hash);
    for (let attempt = 1; attempt <= MAX_DISCARD_ATTEMPTS; attempt++) {
      const parent = await this.zk.get(parentPath);
      const node = await this.docs.readRaw(path);
      if (node === undefined || revisionOf(node) !== revision) return;
      try {
        await this.zk
          .transaction()
          .set(parentPath, parent.data, parent.stat.version)
          .delete(path, node.stat.version)
          .commit();
        return;
      } catch (err) {
        if (failedOp(err) === undefined) throw err;
      }
    }
  }

  /** Every marker name (sha256 hex); unsorted. */
  async names(): Promise<string[]> {
    return this.docs.readChildren(paths.requestIds());
  }

  /**
   * Reads the markers named in `batch` and deletes those `expired` says have expired, in one
   * guarded transaction. A marker that moved meanwhile is left for a later round; when the
   * guard moved (another api swept or discarded), nothing is deleted this round.
   */
  async sweep(batch: readonly string[], expired: (m: SweptMarker) => boolean): Promise<SweepResult> {
    const parentPath = paths.requestIds();
    const parent = await this.docs.readRaw(parentPath);
    if (parent === undefined) return { examined: 0, deleted: 0, contended: false };
    const read = await this.readBatch(batch.filter((name) => HASH_PATTERN.test(name)));
    const doomed = read.filter(({ swept }) => expired(swept));
    if (doomed.length === 0) return { examined: read.length, deleted: 0, contended: false };
    const pending = new Map(doomed.map((d) => [requestMarkerPath(d.swept.name), d.version]));
    while (pending.size > 0) {
      const tx = this.zk.transaction().set(parentPath, parent.data, parent.stat.version);
      for (const [path, version] of pending) tx.delete(path, version);
      try {
        await tx.commit();
        return { examined: read.length, deleted: pending.size, contended: false };
      } catch (err) {
        const failed = failedOp(err);
        if (failed === undefined) throw err;
        if (failed.path === parentPath || !pending.has(failed.path)) {
          return { examined: read.length, deleted: 0, contended: true };
        }
        // A marker went without the guard moving (deleted by hand): drop it, retry the rest.
        this.logger.debug('request-id marker changed during sweep', { path: failed.path, code: failed.code });
        pending.delete(failed.path);
      }
    }
    return { examined: read.length, deleted: 0, contended: false };
  }

  private async readBatch(names: readonly string[]): Promise<Array<{ swept: SweptMarker; version: number }>> {
    const out: Array<{ swept: SweptMarker; version: number }> = [];
    for (let i = 0; i < names.length; i += SWEEP_READ_CONCURRENCY) {
      const chunk = names.slice(i, i + SWEEP_READ_CONCURRENCY);
      const nodes = await Promise.all(chunk.map((name) => this.docs.readRaw(requestMarkerPath(name))));
      nodes.forEach((node, j) => {
        if (node === undefined) return;
        out.push({
          swept: { name: chunk[j]!, marker: tryParse(node.data), ctimeMs: node.stat.ctime },
          version: node.stat.version,
        });
      });
    }
    return out;
  }
}
