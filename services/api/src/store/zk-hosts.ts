/**
 * Hosts and roles tokens in ZooKeeper: `/hosts/<host>` (+ `/live`), read for the host list and
 * updated (roles only, read-modify-write) for role changes; roles-token records written once.
 */
import {
  assertDocument,
  isWharfError,
  parseDocument,
  paths,
  serializeDocument,
  type HostLive,
  type HostRegistration,
  type HostRole,
  type RolesToken,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type ZkSession, updateJson } from '@wharf/zk';
import { orUndefined, parseOrSkip } from './zk-errors';

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
}

/** {@link HostStore} over a ZooKeeper session. */
export class ZkHostStore implements HostStore {
  constructor(
    private readonly zk: ZkSession,
    private readonly logger: Logger,
  ) {}

  async list(): Promise<HostSnapshot[]> {
    const ids = ((await orUndefined(() => this.zk.children(paths.hosts()))) ?? []).slice(0, MAX_HOSTS_READ);
    const hosts = await Promise.all(ids.map((id) => this.read(id)));
    return hosts
      .filter((h): h is HostSnapshot => h !== undefined)
      .sort((a, b) => a.registration.id.localeCompare(b.registration.id));
  }

  private async read(id: string): Promise<HostSnapshot | undefined> {
    const path = paths.host(id);
    const [node, liveNode] = await Promise.all([
      orUndefined(() => this.zk.get(path)),
      orUndefined(() => this.zk.get(paths.hostLive(id))),
    ]);
    const registration =
      node && parseOrSkip(this.logger, path, () => parseDocument('host-registration', node.data));
    if (registration === undefined) return undefined;
    const live =
      liveNode &&
      parseOrSkip(this.logger, paths.hostLive(id), () => parseDocument('host-live', liveNode.data));
    return { registration, live };
  }

  async setRoles(id: string, roles: HostRole[]): Promise<HostRegistration | undefined> {
    try {
      const result = await updateJson<HostRegistration>(
        this.zk,
        paths.host(id),
        (current) => ({ ...current!, roles }),
        {
          parse: (value) => assertDocument('host-registration', value),
        },
      );
      return result.value;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return undefined;
      throw err;
    }
  }

  async createRolesToken(record: RolesToken): Promise<void> {
    await this.zk.mkdirp(paths.rolesTokens());
    await this.zk.create(paths.rolesToken(record.id), serializeDocument('roles-token', record));
  }
}
