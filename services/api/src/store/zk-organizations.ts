/** Organizations in ZooKeeper: `/organizations/<id>`, one document each. */
import { paths, type Organization } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';
import { type Versioned } from './types';

/** Reads and writes organization documents. */
export interface OrganizationStore {
  list(): Promise<Organization[]>;
  get(id: string): Promise<Versioned<Organization> | undefined>;
  /** Throws `WHARF_ZK_NODE_EXISTS` when the id is taken. */
  create(organization: Organization): Promise<void>;
  /** Writes at `version`; throws `WHARF_ZK_BAD_VERSION` when it moved. */
  set(organization: Organization, version: number): Promise<void>;
  /** False when there was none. */
  delete(id: string): Promise<boolean>;
}

/** {@link OrganizationStore} over a ZooKeeper session. */
export class ZkOrganizationStore implements OrganizationStore {
  private readonly docs: DocumentStore;

  constructor(
    private readonly zk: ZkSession,
    logger: Logger,
  ) {
    this.docs = new DocumentStore(zk, { logger });
  }

  async list(): Promise<Organization[]> {
    const ids = await this.docs.readChildren(paths.organizations());
    const read = await Promise.all(
      ids.map((id) => this.docs.readOrSkip('organization', `${paths.organizations()}/${id}`)),
    );
    return read.flatMap((doc) => (doc === undefined ? [] : [doc.value]));
  }

  async get(id: string): Promise<Versioned<Organization> | undefined> {
    const doc = await this.docs.read('organization', paths.organization(id));
    return doc && { value: doc.value, version: doc.stat.version };
  }

  async create(organization: Organization): Promise<void> {
    await this.zk.mkdirp(paths.organizations());
    await this.docs.create('organization', paths.organization(organization.id), organization);
  }

  async set(organization: Organization, version: number): Promise<void> {
    await this.docs.set('organization', paths.organization(organization.id), organization, version);
  }

  async delete(id: string): Promise<boolean> {
    return this.docs.delete(paths.organization(id));
  }
}
