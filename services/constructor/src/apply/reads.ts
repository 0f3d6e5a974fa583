/**
 * The attempt steps' fresh reads from ZooKeeper: placement and change sets must not be computed
 * from a cache that may lag, so specs, status ids, instance configurations and the current plan
 * are read straight from the nodes, once per step, and handed to the pure decisions in `core/`.
 */
import {
  DEFAULT_INSTANCE_CONFIGURATIONS,
  isWharfError,
  paths,
  type InstanceConfiguration,
  type InstanceSpec,
  type PlanDocument,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type ConfigurationsById } from '../core/validate-plan';
import { childrenOrNone, readDocument } from '../io/documents';
import { type ZkPort } from '../io/zk-port';

/** Specs read straight from ZooKeeper, and instance ids that still have a status. */
export interface FreshSpecs {
  specs: InstanceSpec[];
  statusIds: string[];
}

/** Reads every spec (optionally only instance ids accepted by `want`) and every status id. */
export async function readSpecs(
  zk: ZkPort,
  logger: Logger,
  want: (instanceId: string) => boolean = () => true,
): Promise<FreshSpecs> {
  const specs: InstanceSpec[] = [];
  const statusIds: string[] = [];
  for (const allocator of await childrenOrNone(zk, paths.allocators())) {
    for (const name of await childrenOrNone(zk, paths.allocatorInstances(allocator))) {
      if (!want(name)) continue;
      try {
        const doc = await readDocument(zk, 'instance-spec', paths.instanceSpec(allocator, name));
        if (doc) specs.push(doc.value);
      } catch (err) {
        if (!isWharfError(err, 'WHARF_VALIDATION', 'WHARF_INVALID_ID')) throw err;
        logger.warn('invalid instance spec skipped', { allocator, instance: name, err });
      }
    }
    statusIds.push(...(await childrenOrNone(zk, paths.allocatorStatuses(allocator))).filter(want));
  }
  return { specs, statusIds };
}

/** Only the instance ids of one deployment (`<deployment>-…`). */
export function ofDeployment(deploymentId: string): (instanceId: string) => boolean {
  return (id) => id.startsWith(`${deploymentId}-`);
}

/** The deployment's current plan; null when it has none yet. */
export async function readCurrentPlan(zk: ZkPort, deploymentId: string): Promise<PlanDocument | null> {
  return (await readDocument(zk, 'plan', paths.planCurrent(deploymentId)))?.value ?? null;
}

/**
 * Instance configuration ids as the plan schema allows them (`etcd.default`). `paths.instanceConfiguration`
 * checks them against the DNS-label id pattern, which has no dots, so the path is built here.
 */
const INSTANCE_CONFIGURATION_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The stored instance configuration, else the built-in one, else undefined. */
export async function readInstanceConfiguration(
  zk: ZkPort,
  id: string,
): Promise<InstanceConfiguration | undefined> {
  if (!INSTANCE_CONFIGURATION_ID.test(id)) return undefined;
  const stored = await readDocument(zk, 'instance-configuration', `${paths.instanceConfigurations()}/${id}`);
  return stored?.value ?? DEFAULT_INSTANCE_CONFIGURATIONS[id];
}

/** Every listed instance configuration (undefined for an unknown id). */
export async function readConfigurations(zk: ZkPort, ids: readonly string[]): Promise<ConfigurationsById> {
  const out = new Map<string, InstanceConfiguration | undefined>();
  for (const id of ids) out.set(id, await readInstanceConfiguration(zk, id));
  return out;
}
