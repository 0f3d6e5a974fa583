/**
 * The catalog in ZooKeeper: instance configurations (`/platform/instance-configurations/<id>`) and
 * deployment templates (`/platform/templates/<id>`), one document each. Only what operators
 * stored; the built-in defaults live in the model and are merged in by `catalog-service.ts`.
 */
import { paths, type DeploymentTemplate, type InstanceConfiguration } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { type Versioned } from './types';

/** One directory of catalog documents. */
export interface CatalogDirectory<T> {
  /** Every stored document (unreadable ones skipped and logged). */
  list(): Promise<T[]>;
  get(id: string): Promise<Versioned<T> | undefined>;
  /**
   * Creates (`version` undefined: throws `WHARF_ZK_NODE_EXISTS` when taken) or replaces at
   * `version` (throws `WHARF_ZK_BAD_VERSION` when it moved); returns the new version.
   */
  write(id: string, value: T, version: number | undefined): Promise<number>;
  /** Deletes at `version`; false when there was none. */
  delete(id: string, version: number): Promise<boolean>;
}

/** Instance configurations and deployment templates. */
export interface CatalogStore {
  configurations: CatalogDirectory<InstanceConfiguration>;
  templates: CatalogDirectory<DeploymentTemplate>;
}

type CatalogKind = 'instance-configuration' | 'deployment-template';
type DocOf<K extends CatalogKind> = K extends 'instance-configuration'
  ? InstanceConfiguration
  : DeploymentTemplate;

class ZkCatalogDirectory<K extends CatalogKind> implements CatalogDirectory<DocOf<K>> {
  constructor(
    private readonly zk: ZkSession,
    private readonly docs: DocumentStore,
    private readonly kind: K,
    private readonly dir: string,
    private readonly pathOf: (id: string) => string,
  ) {}

  async list(): Promise<DocOf<K>[]> {
    const ids = await this.docs.readChildren(this.dir);
    const read = await Promise.all(ids.map((id) => this.docs.readOrSkip(this.kind, `${this.dir}/${id}`)));
    return read.flatMap((doc) => (doc === undefined ? [] : [doc.value as DocOf<K>]));
  }

  async get(id: string): Promise<Versioned<DocOf<K>> | undefined> {
    const doc = await this.docs.read(this.kind, this.pathOf(id));
    return doc && { value: doc.value as DocOf<K>, version: doc.stat.version };
  }

  async write(id: string, value: DocOf<K>, version: number | undefined): Promise<number> {
    const path = this.pathOf(id);
    if (version !== undefined) return this.docs.set(this.kind, path, value as never, version);
    // The templates directory is not among the install-time roots; the first write makes it.
    await this.zk.mkdirp(this.dir);
    await this.docs.create(this.kind, path, value as never);
    return 0;
  }

  delete(id: string, version: number): Promise<boolean> {
    return this.docs.delete(this.pathOf(id), version);
  }
}

/** {@link CatalogStore} over a ZooKeeper session. */
export function zkCatalogStore(zk: ZkSession, logger: Logger): CatalogStore {
  const docs = new DocumentStore(zk, { logger });
  return {
    configurations: new ZkCatalogDirectory(
      zk,
      docs,
      'instance-configuration',
      paths.instanceConfigurations(),
      paths.instanceConfiguration,
    ),
    templates: new ZkCatalogDirectory(zk, docs, 'deployment-template', paths.templates(), paths.template),
  };
}
