/** Helpers for the constructor's integration tests: platform layout, api-like writes, waits. */
import {
  ROOT_PATHS,
  SCHEMA_VERSION,
  parseDocument,
  paths,
  serializeDocument,
  type InstanceSpec,
  type PlanAttempt,
  type PlanDocument,
  type RouteEntry,
} from '@wharf/model';
import { createLogger, nullLogger } from '@wharf/observability';
import { waitFor } from '@wharf/testkit';
import { type ZkSession } from '@wharf/zk';
import { createConstructor, type Constructor } from '../src/constructor';
import { type ConstructorOptions, type ConstructorTiming } from '../src/options';
import { type ConstructorStack } from '../src/stack-port';
import { resolveStacks } from '../src/stacks-adapter';
import { FakeAllocator, type FakeAllocatorOptions } from './fake-allocator';
import { T0, shutdownPlanDoc } from './fixtures';

/** Short waits so a test runs in seconds; the logic is the same as in production. */
export const TEST_TIMING: Partial<ConstructorTiming> = {
  waitPollMs: 200,
  hookRetryBaseMs: 20,
  hookRetryMaxMs: 100,
  rollbackTimeoutMs: 5_000,
  resyncMs: 2_000,
  retryMs: 200,
  drainMs: 100,
  pauseDrainMs: 50,
};

/** Creates the znodes an installation starts with. */
export async function preparePlatform(zk: ZkSession): Promise<void> {
  for (const p of ROOT_PATHS) await zk.mkdirp(p);
}

/** Starts fake allocators `[id, zone, options]`. */
export async function startAllocators(
  zk: ZkSession,
  list: [string, string, FakeAllocatorOptions?][],
): Promise<FakeAllocator[]> {
  const out: FakeAllocator[] = [];
  for (const [i, [id, zone, options]] of list.entries()) {
    const a = new FakeAllocator(zk, id, zone, options, 30000 + i * 100);
    await a.start();
    out.push(a);
  }
  return out;
}

/** Starts a constructor on `zk` with test timings (plus `timing` overrides). */
export async function startConstructor(
  zk: ZkSession,
  id: string,
  stack: ConstructorStack,
  metricsPort?: number,
  timing: Partial<ConstructorTiming> = {},
  options: Pick<ConstructorOptions, 'groupCommit'> = {},
): Promise<Constructor> {
  const c = createConstructor({
    ...options,
    zk,
    id,
    stacks: () => stack,
    timing: { ...TEST_TIMING, ...timing },
    ...(process.env.WHARF_TEST_LOG
      ? { logger: createLogger({ service: 'constructor', level: 'debug' }) }
      : {}),
    ...(metricsPort === undefined ? {} : { metricsPort }),
  });
  await c.start();
  return c;
}

/** A constructor `c-one` with the real etcd stack pack (for members run by an {@link EtcdRunner}). */
export function startEtcdConstructor(
  zk: ZkSession,
  timing: Partial<ConstructorTiming> = {},
): Promise<Constructor> {
  return startConstructor(zk, 'c-one', resolveStacks(nullLogger)('etcd')!, undefined, timing);
}

/** The client URL of a healthy member of `deployment` on none of the allocators `not`. */
export async function healthyEndpoint(
  zk: ZkSession,
  deployment: string,
  not: string[] = [],
): Promise<string> {
  const route = await readRoute(zk, deployment);
  const i = route!.instances.find((x) => x.healthy && !not.includes(x.allocator_id))!;
  return `http://${i.host}:${i.port}`;
}

/** Writes a deployment and its first pending plan the way the api does. */
export async function createDeployment(zk: ZkSession, plan: PlanDocument): Promise<void> {
  const d = plan.deployment_id;
  const record = { schema_version: SCHEMA_VERSION, id: d, name: d, created: T0, updated: T0 } as const;
  await zk
    .transaction()
    .create(paths.deployment(d), serializeDocument('deployment', record))
    .create(paths.plan(d))
    .create(paths.planHistory(d))
    .create(paths.planPending(d), serializeDocument('plan', plan))
    .commit();
}

/** Writes a new pending plan. */
export async function submitPlan(zk: ZkSession, plan: PlanDocument): Promise<void> {
  await zk.create(paths.planPending(plan.deployment_id), serializeDocument('plan', plan));
}

/** Marks the deployment deleting and writes a shutdown plan. */
export async function requestDelete(zk: ZkSession, d: string): Promise<void> {
  const node = await zk.get(paths.deployment(d));
  const record = { ...parseDocument('deployment', node.data), deleting: true };
  await zk
    .transaction()
    .set(paths.deployment(d), serializeDocument('deployment', record), node.stat.version)
    .create(paths.planPending(d), serializeDocument('plan', shutdownPlanDoc(d)))
    .commit();
}

/** The attempt document, if any. */
export async function readAttempt(zk: ZkSession, d: string): Promise<PlanAttempt | undefined> {
  const stat = await zk.exists(paths.planAttempt(d));
  return stat ? parseDocument('plan-attempt', (await zk.get(paths.planAttempt(d))).data) : undefined;
}

/** Waits for the leader's recovery attempt (`recover-…` plan) to finish and returns it. */
export async function waitForRecovery(zk: ZkSession, d: string, timeoutMs = 60_000): Promise<PlanAttempt> {
  return waitFor(
    async () => {
      const a = await readAttempt(zk, d);
      return a && a.plan_id.startsWith('recover-') && a.status !== 'running' ? a : undefined;
    },
    { timeoutMs, intervalMs: 100, message: 'a recover attempt to finish' },
  );
}

/** Waits for the attempt of `planId` to finish and returns it. */
export async function waitForAttempt(
  zk: ZkSession,
  d: string,
  planId: string,
  timeoutMs = 20_000,
): Promise<PlanAttempt> {
  return waitFor(
    async () => {
      const a = await readAttempt(zk, d);
      return a && a.plan_id === planId && ['success', 'error', 'cancelled'].includes(a.status)
        ? a
        : undefined;
    },
    { timeoutMs, intervalMs: 50, message: `attempt of ${planId} to finish` },
  );
}

/** Every spec of a deployment, read fresh. */
export async function specsOf(zk: ZkSession, d: string): Promise<InstanceSpec[]> {
  const out: InstanceSpec[] = [];
  for (const a of await zk.children(paths.allocators())) {
    const stat = await zk.exists(paths.allocatorInstances(a));
    if (!stat) continue;
    for (const i of await zk.children(paths.allocatorInstances(a))) {
      const spec = parseDocument('instance-spec', (await zk.get(paths.instanceSpec(a, i))).data);
      if (spec.deployment_id === d) out.push(spec);
    }
  }
  return out.sort((x, y) => x.instance_id.localeCompare(y.instance_id, 'en', { numeric: true }));
}

/** Ids of the instances that have a status (on any allocator). */
export async function statusIds(zk: ZkSession, d: string): Promise<string[]> {
  const out: string[] = [];
  for (const a of await zk.children(paths.allocators())) {
    if (!(await zk.exists(paths.allocatorStatuses(a)))) continue;
    out.push(...(await zk.children(paths.allocatorStatuses(a))).filter((id) => id.startsWith(`${d}-`)));
  }
  return out.sort();
}

/** The route, if any. */
export async function readRoute(zk: ZkSession, d: string): Promise<RouteEntry | undefined> {
  const stat = await zk.exists(paths.route(d));
  return stat ? parseDocument('route', (await zk.get(paths.route(d))).data) : undefined;
}

/** Instance ids of a list of documents. */
export const ids = (list: readonly { instance_id: string }[]): string[] => list.map((x) => x.instance_id);
