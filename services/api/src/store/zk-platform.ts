/**
 * Platform facts from ZooKeeper: allocators from the cache; proxies, service registrations and
 * the constructor leader read on demand (a few small nodes); maintenance as a versioned
 * read-modify-write that preserves the rest of the advertisement.
 */
import {
  WharfError,
  isWharfError,
  paths,
  type AllocatorAdvertisement,
  type DirectorStatus,
  type ServiceRegistration,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, SKIP_UPDATE, type ZkSession } from '@wharf/zk';
import { type AllocatorCache } from './allocator-cache';
import { type DeploymentCache } from './deployment-cache';
import { type AllocatorSnapshot, type PlatformStore, type ZooKeeperInfo } from './types';

/** Registrations read per `GET /platform` at most (per service); a bound, not an expectation. */
export const MAX_REGISTRATIONS_READ = 256;
/** Longest leader id shown. */
const MAX_LEADER_ID_LENGTH = 128;
const SEQUENCE_SUFFIX = /(\d{10})$/;

/** `host:port` list without any `user:password@` part or chroot suffix. */
export function sanitizeConnectString(connect: string): string {
  return connect
    .split('/')[0]!
    .split(',')
    .map((host) => host.slice(host.lastIndexOf('@') + 1).trim())
    .join(',');
}

/** {@link PlatformStore} over a ZooKeeper session and the caches. */
export class ZkPlatformStore implements PlatformStore {
  private readonly docs: DocumentStore;

  constructor(
    private readonly zk: ZkSession,
    private readonly allocatorCache: AllocatorCache,
    private readonly deploymentCache: DeploymentCache,
    logger: Logger,
    private readonly connect: { connectString: string; chroot: string },
  ) {
    this.docs = new DocumentStore(zk, { logger });
  }

  allocators(): Promise<AllocatorSnapshot[]> {
    return this.allocatorCache.allocators();
  }

  private async registrations(dir: string): Promise<ServiceRegistration[]> {
    const names = (await this.docs.readChildren(dir)).slice(0, MAX_REGISTRATIONS_READ);
    const regs = await Promise.all(
      names.map(
        async (name) => (await this.docs.readOrSkip('service-registration', `${dir}/${name}`))?.value,
      ),
    );
    return regs.filter((r): r is ServiceRegistration => r !== undefined);
  }

  proxies(): Promise<ServiceRegistration[]> {
    return this.registrations(paths.proxies());
  }

  async services(): Promise<Map<string, ServiceRegistration[]>> {
    const root = paths.services();
    const names = (await this.docs.readChildren(root)).slice(0, MAX_REGISTRATIONS_READ);
    const lists = await Promise.all(names.map((name) => this.registrations(`${root}/${name}`)));
    return new Map(names.map((name, i) => [name, lists[i] ?? []]));
  }

  async constructorLeader(): Promise<string | undefined> {
    const dir = paths.constructorLeader();
    const names = await this.docs.readChildren(dir);
    const ordered = names
      .filter((n) => SEQUENCE_SUFFIX.test(n))
      .sort((a, b) => (SEQUENCE_SUFFIX.exec(a)?.[1] ?? '').localeCompare(SEQUENCE_SUFFIX.exec(b)?.[1] ?? ''));
    // The lowest sequence leads; if it vanished between the two reads, the next one does.
    for (const name of ordered) {
      const node = await this.docs.readRaw(`${dir}/${name}`);
      if (node !== undefined) return node.data.toString('utf8').slice(0, MAX_LEADER_ID_LENGTH);
    }
    return undefined;
  }

  async directors(): Promise<DirectorStatus[]> {
    const root = paths.directorRoot();
    // `ca` is the published certificate, not a director.
    const names = (await this.docs.readChildren(root))
      .filter((name) => name !== 'ca')
      .slice(0, MAX_REGISTRATIONS_READ);
    const statuses = await Promise.all(
      names.map(async (name) => (await this.docs.readOrSkip('director-status', `${root}/${name}`))?.value),
    );
    return statuses
      .filter((s): s is DirectorStatus => s !== undefined)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  deploymentCount(): Promise<number> {
    return this.deploymentCache.count();
  }

  async setMaintenance(id: string, enabled: boolean): Promise<AllocatorAdvertisement | undefined> {
    try {
      const result = await this.docs.updateDocument(
        'allocator-advertisement',
        paths.allocator(id),
        (current) =>
          current === undefined || current.maintenance === enabled
            ? SKIP_UPDATE
            : { ...current, maintenance: enabled },
      );
      return result.value;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return undefined;
      if (isWharfError(err, 'WHARF_VALIDATION')) {
        throw new WharfError('WHARF_CONFLICT', `allocator ${id} has not advertised itself yet`, {
          cause: err,
          details: [{ path: 'id', message: 'allocator has no valid advertisement' }],
        });
      }
      throw err;
    }
  }

  zookeeper(): ZooKeeperInfo {
    return {
      state: this.zk.state,
      connect_string: sanitizeConnectString(this.connect.connectString),
      chroot: this.connect.chroot,
    };
  }
}
