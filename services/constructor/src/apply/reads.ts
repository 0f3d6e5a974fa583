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
import { documentsOf } from '../io/documents';
import { type ZkPort } from '../io/zk-port';

/** Specs read straight from ZooKeeper, and instance ids that still have a status. */
export interface FreshSpecs {
  specs: InstanceSpec[];
  statusIds: string[];
}

/**
 * Allocators whose specs {@link readSpecs} reads at once. The reads were one round trip after
 * another — O(allocators + specs) sequential round trips per call, twice per plan and once under
 * the placement lock — which made placement time grow with the fleet (bench/fleet: ~1 s per plan
 * at 500 allocators). Pipelined on the one session, 32 in flight (the tree cache's load
 * concurrency) keeps the server's queue short while hiding the round-trip latency.
 */
export const READ_SPECS_CONCURRENCY = 32;

/** Reads every spec (optionally only instance ids accepted by `want`) and every status id. */
export async function readSpecs(
  zk: ZkPort,
  logger: Logger,
  want: (instanceId: string) => boolean = () => true,
): Promise<FreshSpecs> {
  const allocators = await documentsOf(zk, logger).readChildren(paths.allocators());
  const read: FreshSpecs[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < allocators.length; i = next++) {
      read[i] = await readAllocatorSpecs(zk, logger, allocators[i] as string, want);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_SPECS_CONCURRENCY, allocators.length) }, worker));
  return { specs: read.flatMap((r) => r.specs), statusIds: read.flatMap((r) => r.statusIds) };
}

/** One allocator's specs (read in parallel) and, after them, its status ids. */
async function readAllocatorSpecs(
  zk: ZkPort,
  logger: Logger,
  allocator: string,
  want: (instanceId: string) => boolean,
): Promise<FreshSpecs> {
  const docs = documentsOf(zk, logger);
  const names = (await docs.readChildren(paths.allocatorInstances(allocator))).filter(want);
  const specs = await Promise.all(
    names.map(async (name) => {
      try {
        return (await docs.read('instance-spec', paths.instanceSpec(allocator, name)))?.value;
      } catch (err) {
        if (!isWharfError(err, 'WHARF_VALIDATION', 'WHARF_INVALID_ID')) throw err;
        logger.warn('invalid instance spec skipped', { allocator, instance: name, err });
        return undefined;
      }
    }),
  );
  const statusIds = (await docs.readChildren(paths.allocatorStatuses(allocator))).filter(want);
  return { specs: specs.filter((d): d is InstanceSpec => d !== undefined), statusIds };
}

/** Only the instance ids of one deployment (`<deployment>-…`). */
export function ofDeployment(deploymentId: string): (instanceId: string) => boolean {
  return (id) => id.startsWith(`${deploymentId}-`);
}

/** The deployment's current plan; null when it has none yet. */
export async function readCurrentPlan(zk: ZkPort, deploymentId: string): Promise<PlanDocument | null> {
  return (await readCurrentPlanNode(zk, deploymentId))?.value ?? null;
}

/** The current plan with its znode version; null when there is none. */
export async function readCurrentPlanNode(
  zk: ZkPort,
  deploymentId: string,
): Promise<{ value: PlanDocument; version: number } | null> {
  return (await documentsOf(zk).read('plan', paths.planCurrent(deploymentId))) ?? null;
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
  const stored = await documentsOf(zk).read(
    'instance-configuration',
    `${paths.instanceConfigurations()}/${id}`,
  );
  return stored?.value ?? DEFAULT_INSTANCE_CONFIGURATIONS[id];
}

/**
 * Every listed instance configuration from a cache of `/platform/instance-configurations`
 * (`stored(path)`: the stored document, undefined when absent or unreadable), with the same
 * fallback as {@link readInstanceConfiguration}: the built-in one, else undefined.
 */
export function configurationsFrom(
  ids: readonly string[],
  stored: (path: string) => InstanceConfiguration | undefined,
): ConfigurationsById {
  const out = new Map<string, InstanceConfiguration | undefined>();
  for (const id of ids) {
    if (!INSTANCE_CONFIGURATION_ID.test(id)) out.set(id, undefined);
    else
      out.set(id, stored(`${paths.instanceConfigurations()}/${id}`) ?? DEFAULT_INSTANCE_CONFIGURATIONS[id]);
  }
  return out;
}

/** The listed configurations: from the cache when it can tell (`cached`), else read. */
export async function configurationsFor(
  zk: ZkPort,
  ids: readonly string[],
  cached: (ids: readonly string[]) => ConfigurationsById | undefined,
): Promise<ConfigurationsById> {
  return cached(ids) ?? (await readConfigurations(zk, ids));
}

/** Every listed instance configuration (undefined for an unknown id). */
export async function readConfigurations(zk: ZkPort, ids: readonly string[]): Promise<ConfigurationsById> {
  const out = new Map<string, InstanceConfiguration | undefined>();
  for (const id of ids) out.set(id, await readInstanceConfiguration(zk, id));
  return out;
}
