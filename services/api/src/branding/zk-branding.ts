/** The branding document in ZooKeeper (`/platform/branding`), read and written whole. */
import { paths, type Branding } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { type Versioned } from '../store/types';

/** What the branding routes need. */
export interface BrandingStore {
  /** The stored branding and its znode version; undefined when none was ever set. */
  get(): Promise<Versioned<Branding> | undefined>;
  /**
   * Writes the whole document if it is still at `version` (undefined: absent). Throws
   * `WHARF_ZK_BAD_VERSION` or `WHARF_ZK_NODE_EXISTS` when another write came first.
   */
  put(next: Branding, version: number | undefined): Promise<void>;
}

/** {@link BrandingStore} over a ZooKeeper session. */
export class ZkBrandingStore implements BrandingStore {
  private readonly docs: DocumentStore;

  constructor(zk: ZkSession, logger: Logger) {
    this.docs = new DocumentStore(zk, { logger });
  }

  async get(): Promise<Versioned<Branding> | undefined> {
    const doc = await this.docs.read('branding', paths.branding());
    return doc && { value: doc.value, version: doc.version };
  }

  async put(next: Branding, version: number | undefined): Promise<void> {
    // One znode, one conditional write: a reader sees the old branding or the new, never a mix.
    if (version === undefined) await this.docs.create('branding', paths.branding(), next);
    else await this.docs.set('branding', paths.branding(), next, version);
  }
}
