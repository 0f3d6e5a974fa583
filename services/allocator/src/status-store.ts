/**
 * Writes this allocator's instance status znodes: versioned (a write is conditional on the
 * version last seen), and only when the document says something new, so a steady allocator does
 * not write to ZooKeeper at all.
 */
import { type InstanceStatus, isWharfError, paths } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { sameStatus } from './status-document';

/** Attempts at one write when the version moved underneath (another writer or a stale cache). */
const MAX_WRITE_ATTEMPTS = 3;

interface Written {
  doc: InstanceStatus | undefined;
  version: number;
}

/** The status znodes of one allocator. */
export class StatusStore {
  private readonly written = new Map<string, Written>();
  private readonly docs: DocumentStore;

  constructor(
    private readonly zk: ZkSession,
    private readonly allocatorId: string,
    logger: Logger,
  ) {
    this.docs = new DocumentStore(zk, { logger });
  }

  /** Reads every status znode of this allocator (bad ones are logged and skipped). */
  async load(): Promise<Map<string, InstanceStatus>> {
    const dir = paths.allocatorStatuses(this.allocatorId);
    await this.zk.mkdirp(dir);
    const statuses = new Map<string, InstanceStatus>();
    for (const name of await this.zk.children(dir)) {
      const node = await this.docs.readNode('instance-status', `${dir}/${name}`);
      if (node === undefined) continue;
      // Known version even if the document is bad (logged once): the next write replaces it in place.
      this.written.set(name, { doc: node.value, version: node.version });
      if (node.value !== undefined) statuses.set(name, node.value);
    }
    return statuses;
  }

  /** Forgets what was written, so the next write re-reads versions (after a session change). */
  invalidate(): void {
    for (const entry of this.written.values()) entry.doc = undefined;
  }

  /** True when `doc` differs from what was last written for its instance. */
  differs(doc: InstanceStatus): boolean {
    return !sameStatus(this.written.get(doc.instance_id)?.doc, doc);
  }

  /** Writes `doc` unless it says nothing new; returns true when it wrote. */
  async write(doc: InstanceStatus): Promise<boolean> {
    if (!this.differs(doc)) return false;
    const id = doc.instance_id;
    const path = paths.instanceStatus(this.allocatorId, id);
    for (let attempt = 1; ; attempt++) {
      const known = this.written.get(id);
      try {
        const version =
          known === undefined
            ? (await this.docs.create('instance-status', path, doc), 0)
            : await this.docs.set('instance-status', path, doc, known.version);
        this.written.set(id, { doc, version });
        return true;
      } catch (err) {
        if (
          attempt >= MAX_WRITE_ATTEMPTS ||
          !isWharfError(err, 'WHARF_ZK_BAD_VERSION', 'WHARF_ZK_NO_NODE', 'WHARF_ZK_NODE_EXISTS')
        ) {
          throw err;
        }
        await this.refresh(id, path);
      }
    }
  }

  /** Deletes an instance's status znode (gone already is fine). */
  async remove(instanceId: string): Promise<void> {
    await this.docs.delete(paths.instanceStatus(this.allocatorId, instanceId));
    this.written.delete(instanceId);
  }

  private async refresh(id: string, path: string): Promise<void> {
    const stat = await this.zk.exists(path);
    if (stat === null) this.written.delete(id);
    else this.written.set(id, { doc: undefined, version: stat.version });
  }
}
