/**
 * Hosts and roles tokens in ZooKeeper: `/hosts/<host>` (+ `/live`), read for the host list and
 * updated (roles only, read-modify-write) for role changes; roles-token records written once.
 */
import {
  isWharfError,
  paths,
  type HostLive,
  type HostRegistration,
  type HostRole,
  type RolesToken,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';

/** Hosts read per `GET /platform/hosts` at most; a bound, not an expectation. */
export const MAX_HOSTS_READ = 1024;

/** One host as the api shows it. */
export interface HostSnapshot {
  registration: HostRegistration;
  /** Undefined when the runner is not connected (no live node). */
  live: HostLive | undefined;
}

/** Hosts and roles tokens. */
export interface HostStore {
  /** Every readable host registration with its live node. */
  list(): Promise<HostSnapshot[]>;
  /** Replaces a host's roles; undefined when the host does not exist. */
  setRoles(id: string, roles: HostRole[]): Promise<HostRegistration | undefined>;
  /** Stores a new roles-token record. */
  createRolesToken(record: RolesToken): Promise<void>;
  /** Marks a roles token revoked (kept for the record); undefined when there is no such token. */
  revokeRolesToken(id: string, now: Date): Promise<RolesToken | undefined>;
}

/** {@link HostStore} over a ZooKeeper session. */
export class ZkHostStore implements HostStore {
  private readonly docs: DocumentStore;

  constructor(
    private readonly zk: ZkSession,
    logger: Logger,
  ) {
    this.docs = new DocumentStore(zk, { logger });
  }

  async list(): Promise<HostSnapshot[]> {
    const ids = (await this.docs.readChildren(paths.hosts())).slice(0, MAX_HOSTS_READ);
    const hosts = await Promise.all(ids.map((id) => this.read(id)));
    return hosts
      .filter((h): h is HostSnapshot => h !== undefined)
      .sort((a, b) => a.registration.id.localeCompare(b.registration.id));
  }

  private async read(id: string): Promise<HostSnapshot | undefined> {
    const [registration, live] = await Promise.all([
      this.docs.readOrSkip('host-registration', paths.host(id)),
      this.docs.readOrSkip('host-live', paths.hostLive(id)),
    ]);
    if (registration === undefined) return undefined;
    return { registration: registration.value, live: live?.value };
  }

  async setRoles(id: string, roles: HostRole[]): Promise<HostRegistration | undefined> {
    try {
      const result = await this.docs.updateDocument('host-registration', paths.host(id), (current) => ({
        ...current!,
        roles,
      }));
      return result.value;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return undefined;
      throw err;
    }
  }

  async revokeRolesToken(id: string, now: Date): Promise<RolesToken | undefined> {
    try {
      const result = await this.docs.updateDocument('roles-token', paths.rolesToken(id), (current) => ({
        ...current!,
        revoked: current!.revoked ?? now.toISOString(),
      }));
      return result.value;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return undefined;
      throw err;
    }
  }

  async createRolesToken(record: RolesToken): Promise<void> {
    await this.zk.mkdirp(paths.rolesTokens());
    await this.docs.create('roles-token', paths.rolesToken(record.id), record);
  }
}
