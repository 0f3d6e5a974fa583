/**
 * Deployment writes for scenarios, made the way the api's store makes them (one transaction:
 * record, `plan`, `plan/history`, `plan/pending`; a plan change: record + pending in one
 * transaction), without the HTTP layer in front, so a scenario measures the constructor and the
 * fleet, not request handling. Plans are `http` stack plans (no membership hooks to run).
 */
import {
  SCHEMA_VERSION,
  parseDocument,
  paths,
  serializeDocument,
  type Deployment,
  type PlanDocument,
} from '@wharf/model';
import { type ZkSession } from '@wharf/zk';

/** Version of the `http` stack simulated plans ask for. */
export const SIM_HTTP_VERSION = '1.0';

/** Shape of a simulated deployment's plan. */
export interface SimPlanOptions {
  planId: string;
  /** Instances, one per zone (1 = single-instance, 3 = three-zone). */
  zoneCount: number;
  memoryMb: number;
  /** `create`, `update` or `delete`, as the api records it. */
  action?: 'create' | 'update';
}

/** A pending plan for one `http` resource `main`. */
export function httpPlan(deploymentId: string, o: SimPlanOptions): PlanDocument {
  return {
    schema_version: SCHEMA_VERSION,
    plan_id: o.planId,
    deployment_id: deploymentId,
    created: new Date().toISOString(),
    source: { action: o.action ?? 'create' },
    resources: {
      http: [
        {
          ref_id: 'main',
          plan: {
            cluster_topology: [
              {
                id: 'default',
                instance_configuration_id: 'http.default',
                size: { resource: 'memory', value: o.memoryMb },
                zone_count: o.zoneCount,
              },
            ],
            http: { version: SIM_HTTP_VERSION },
            transient: { strategy: { grow_and_shrink: {} } },
          },
        },
      ],
    },
  };
}

/** Creates a deployment and its first pending plan in one transaction. */
export async function createDeployment(zk: ZkSession, plan: PlanDocument): Promise<void> {
  const id = plan.deployment_id;
  const now = new Date().toISOString();
  const record: Deployment = { schema_version: SCHEMA_VERSION, id, name: id, created: now, updated: now };
  await zk
    .transaction()
    .create(paths.deployment(id), serializeDocument('deployment', record))
    .create(paths.plan(id))
    .create(paths.planHistory(id))
    .create(paths.planPending(id), serializeDocument('plan', plan))
    .commit();
}

/** Replaces (or creates) the pending plan, bumping the record's `updated`, in one transaction. */
export async function submitPlan(zk: ZkSession, plan: PlanDocument): Promise<void> {
  await writeWithRecord(zk, plan, (record) => record);
}

/** Marks the deployment `deleting` and writes its shutdown plan, in one transaction. */
export async function requestDelete(zk: ZkSession, deploymentId: string, planId: string): Promise<void> {
  const plan: PlanDocument = {
    schema_version: SCHEMA_VERSION,
    plan_id: planId,
    deployment_id: deploymentId,
    created: new Date().toISOString(),
    source: { action: 'delete' },
    resources: {},
    shutdown: true,
  };
  await writeWithRecord(zk, plan, (record) => ({ ...record, deleting: true }));
}

async function writeWithRecord(
  zk: ZkSession,
  plan: PlanDocument,
  change: (record: Deployment) => Deployment,
): Promise<void> {
  const id = plan.deployment_id;
  const node = await zk.get(paths.deployment(id));
  const record = { ...change(parseDocument('deployment', node.data)), updated: new Date().toISOString() };
  const pending = await zk.exists(paths.planPending(id));
  const tx = zk
    .transaction()
    .set(paths.deployment(id), serializeDocument('deployment', record), node.stat.version);
  if (pending) tx.set(paths.planPending(id), serializeDocument('plan', plan), pending.version);
  else tx.create(paths.planPending(id), serializeDocument('plan', plan));
  await tx.commit();
}
