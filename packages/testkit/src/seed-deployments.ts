import { paths, serializeDocument, type InstanceSpec, type PlanDocument } from '@wharf/model';
import { type ZkSession } from '@wharf/zk';
import { etcdCreateRequest, httpResource } from './plans';

/** One deployment written straight into ZooKeeper by {@link seedDeployments}. */
export interface SeedDeployment {
  id: string;
  name: string;
  /** ISO timestamp (default: now). */
  created?: string;
  stack?: 'etcd' | 'http';
  /** `creating`: a pending plan only; `running`: a current plan only (default). */
  status?: 'creating' | 'running';
  /** Writes one instance spec of it on this allocator (which must exist with its `instances`). */
  allocator?: string;
  organizationId?: string;
}

/** Deployments per multi-op transaction (5 znodes each, 6 with an instance spec). */
export const SEED_BATCH = 100;

function plan(d: SeedDeployment, created: string): PlanDocument {
  const resources =
    d.stack === 'http' ? { http: [httpResource()] } : { etcd: etcdCreateRequest(d.name).resources.etcd };
  return {
    schema_version: 1,
    plan_id: `plan-${d.id}`,
    deployment_id: d.id,
    created,
    source: { action: 'create' },
    resources,
  };
}

function spec(d: SeedDeployment, allocator: string, created: string): InstanceSpec {
  return {
    schema_version: 1,
    instance_id: `${d.id}-main-0`,
    deployment_id: d.id,
    ref_id: 'main',
    topology_id: 'default',
    stack: d.stack ?? 'etcd',
    version: d.stack === 'http' ? '1' : '3.4',
    allocator_id: allocator,
    zone: 'zone-a',
    memory_mb: 256,
    hold: false,
    cluster: { token: d.id, state: 'new', members: [] },
    plan_attempt_id: `attempt-${d.id}`,
    generation: 1,
    created,
  };
}

/**
 * Writes deployments the way the api and the constructor leave them (record, plan subtree,
 * pending or current plan, optionally an instance spec), {@link SEED_BATCH} per transaction:
 * thousands in seconds, for tests and benchmarks of what reads them.
 */
export async function seedDeployments(
  session: ZkSession,
  deployments: readonly SeedDeployment[],
  batch = SEED_BATCH,
): Promise<void> {
  for (let i = 0; i < deployments.length; i += batch) {
    const tx = session.transaction();
    for (const d of deployments.slice(i, i + batch)) {
      const created = d.created ?? new Date().toISOString();
      const record = { schema_version: 1, id: d.id, name: d.name, created, updated: created } as const;
      tx.create(
        paths.deployment(d.id),
        serializeDocument('deployment', {
          ...record,
          ...(d.organizationId === undefined ? {} : { organization_id: d.organizationId }),
        }),
      )
        .create(paths.plan(d.id))
        .create(paths.planHistory(d.id));
      const which = d.status === 'creating' ? paths.planPending(d.id) : paths.planCurrent(d.id);
      tx.create(which, serializeDocument('plan', plan(d, created)));
      if (d.allocator !== undefined) {
        const instance = spec(d, d.allocator, created);
        tx.create(
          paths.instanceSpec(d.allocator, instance.instance_id),
          serializeDocument('instance-spec', instance),
        );
      }
    }
    await tx.commit();
  }
}
