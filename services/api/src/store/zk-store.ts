/** Builds the ZooKeeper-backed {@link ApiStore} with its caches, and starts and stops them. */
import { type Logger } from '@wharf/observability';
import { type ZkSession } from '@wharf/zk';
import { AllocatorCache } from './allocator-cache';
import { DeploymentCache } from './deployment-cache';
import { type ApiStore } from './types';
import { ZkDeploymentStore } from './zk-deployments';
import { ZkKeyStore } from './zk-keys';
import { ZkBillingStore } from './zk-billing';
import { zkCatalogStore } from './zk-catalog';
import { ZkBrandingStore } from '../branding/zk-branding';
import { ZkEventStore } from '../events/zk-events';
import { ZkLogStore } from '../logs/zk-logs';
import { ZkOrganizationStore } from './zk-organizations';
import { ZkPlatformStore } from './zk-platform';
import { ZkRequestIds } from './zk-request-ids';

/** Options of {@link createZkStore}. */
export interface ZkStoreOptions {
  /** Shown by `GET /platform` (sanitised). */
  connectString: string;
  chroot: string;
  logger: Logger;
}

/** The store plus the lifecycle of its caches. */
export interface ZkStore {
  readonly store: ApiStore;
  /** Loads the caches (resolves after their first load). */
  start(): Promise<void>;
  /** Stops the caches. Idempotent. */
  close(): Promise<void>;
}

/** A store over `zk`; `start()` it before serving. */
export function createZkStore(zk: ZkSession, options: ZkStoreOptions): ZkStore {
  const logger = options.logger;
  const deploymentCache = new DeploymentCache(zk, logger.child({ component: 'deployment-cache' }));
  const allocatorCache = new AllocatorCache(zk, logger.child({ component: 'allocator-cache' }));
  const requestIds = new ZkRequestIds(zk, logger.child({ component: 'request-ids' }));
  const keys = new ZkKeyStore(zk, logger.child({ component: 'api-keys' }));
  const store: ApiStore = {
    deployments: new ZkDeploymentStore(deploymentCache, requestIds),
    platform: new ZkPlatformStore(zk, allocatorCache, deploymentCache, logger, options),
    keys,
    organizations: new ZkOrganizationStore(zk, logger.child({ component: 'organizations' })),
    billing: new ZkBillingStore(zk, logger.child({ component: 'billing' })),
    events: new ZkEventStore(zk, logger.child({ component: 'events' })),
    logs: new ZkLogStore(zk, logger.child({ component: 'logs' })),
    catalog: zkCatalogStore(zk, logger.child({ component: 'catalog' })),
    branding: new ZkBrandingStore(zk, logger.child({ component: 'branding' })),
  };
  return {
    store,
    start: async () => {
      await Promise.all([deploymentCache.start(), allocatorCache.start(), keys.start()]);
    },
    close: async () => {
      await Promise.all([deploymentCache.close(), allocatorCache.close(), keys.close()]);
    },
  };
}
