/**
 * Deployments in ZooKeeper. Create is one transaction over the record, the plan subtree, the
 * pending plan and the request-id marker; updates and deletes are one transaction over the
 * record (conditional on its version) and the pending plan (conditional create or set).
 */
import {
  WharfError,
  isWharfError,
  paths,
  type Deployment,
  type PlanAttempt,
  type Availability,
  type SearchSortField,
} from '@wharf/model';
import { type DocumentStore } from '@wharf/zk';
import { serializeMarker } from '../domain/request-marker';
import { type DeploymentCache } from './deployment-cache';
import {
  type CancelledPlan,
  type CreateDeploymentInput,
  type CreateDeploymentOutcome,
  type DeploymentListEntry,
  type DeploymentPlans,
  type DeploymentRow,
  type DeploymentStore,
  type PlanWrite,
  type StoredMarker,
  type Versioned,
} from './types';
import { requestMarkerPath, type ZkRequestIds } from './zk-request-ids';
import { corrupt, failedOp } from './zk-errors';

/** Attempts to delete a pending plan that keeps being replaced under us. */
const MAX_CANCEL_ATTEMPTS = 5;
/** Digits of a sequential node's counter (`attempt-0000000003`). */
const SEQUENCE_SUFFIX = /(\d{10})$/;

/** {@link DeploymentStore} over a ZooKeeper session and the deployment cache. */
export class ZkDeploymentStore implements DeploymentStore {
  private readonly docs: DocumentStore;

  constructor(
    private readonly cache: DeploymentCache,
    private readonly requestIds: ZkRequestIds,
  ) {
    // The cache's decoder: a bad document is logged once, whether the cache or a request read it.
    this.docs = cache.docs;
  }

  async create(input: CreateDeploymentInput): Promise<CreateDeploymentOutcome> {
    const id = input.deployment.id;
    const tx = this.docs
      .transaction()
      .create('deployment', paths.deployment(id), input.deployment)
      .createNode(paths.plan(id))
      .createNode(paths.planHistory(id))
      .create('plan', paths.planPending(id), input.pending);
    const markerPath = input.marker && requestMarkerPath(input.marker.requestIdHash);
    if (input.marker && markerPath) tx.createNode(markerPath, serializeMarker(input.marker.marker));
    try {
      await tx.commit();
    } catch (err) {
      const failed = failedOp(err);
      if (failed?.code === 'WHARF_ZK_NODE_EXISTS' && failed.path === markerPath && input.marker) {
        const marker = await this.requestMarker(input.marker.requestIdHash);
        if (marker !== undefined) return { created: false, marker };
        throw new WharfError('WHARF_CONFLICT', 'request marker vanished; retry', { cause: err });
      }
      if (failed?.code === 'WHARF_ZK_NODE_EXISTS' && failed.path === paths.deployment(id)) {
        throw new WharfError('WHARF_CONFLICT', 'deployment id taken; retry', { cause: err });
      }
      if (failed?.code === 'WHARF_ZK_NO_NODE') {
        throw new WharfError('WHARF_UNAVAILABLE', 'ZooKeeper layout missing (not bootstrapped)', {
          cause: err,
        });
      }
      throw err;
    }
    const pendingPath = paths.planPending(id);
    await this.cache.sync((tree) => tree.get(pendingPath) !== undefined);
    return { created: true, version: 0 };
  }

  requestMarker(requestIdHash: string): Promise<StoredMarker | undefined> {
    return this.requestIds.get(requestIdHash);
  }

  discardMarker(requestIdHash: string, revision: string): Promise<void> {
    return this.requestIds.discard(requestIdHash, revision);
  }

  async get(id: string): Promise<Versioned<Deployment> | undefined> {
    const path = paths.deployment(id);
    try {
      const doc = await this.docs.read('deployment', path);
      return doc && { value: doc.value, version: doc.version };
    } catch (err) {
      if (isWharfError(err, 'WHARF_VALIDATION')) throw corrupt(path, err);
      throw err;
    }
  }

  list(): Promise<DeploymentListEntry[]> {
    return this.cache.list();
  }

  rows(order: SearchSortField): Promise<readonly DeploymentRow[]> {
    return this.cache.rows(order);
  }

  async plans(id: string): Promise<DeploymentPlans> {
    const [pending, current, attempt] = await Promise.all([
      this.docs.readOrSkip('plan', paths.planPending(id)),
      this.docs.readOrSkip('plan', paths.planCurrent(id)),
      this.docs.readOrSkip('plan-attempt', paths.planAttempt(id)),
    ]);
    return {
      ...(pending ? { pending: { value: pending.value, version: pending.version } } : {}),
      ...(current ? { current: current.value } : {}),
      ...(attempt ? { attempt: attempt.value } : {}),
    };
  }

  async availability(id: string): Promise<Availability | undefined> {
    return (await this.docs.readOrSkip('availability', paths.availability(id)))?.value;
  }

  async history(id: string, limit: number): Promise<PlanAttempt[]> {
    const dir = paths.planHistory(id);
    const names = await this.docs.readChildren(dir);
    const newest = names
      .filter((n) => SEQUENCE_SUFFIX.test(n))
      .sort((a, b) => (SEQUENCE_SUFFIX.exec(b)?.[1] ?? '').localeCompare(SEQUENCE_SUFFIX.exec(a)?.[1] ?? ''))
      .slice(0, limit);
    const attempts = await Promise.all(
      newest.map(async (name) => {
        const doc = await this.docs.readOrSkip('plan-attempt', `${dir}/${name}`);
        return doc?.value;
      }),
    );
    return attempts.filter((a): a is PlanAttempt => a !== undefined);
  }

  async writePlan(id: string, write: PlanWrite): Promise<number> {
    const recordPath = paths.deployment(id);
    const pendingPath = paths.planPending(id);
    const tx = this.docs
      .transaction()
      .set('deployment', recordPath, write.deployment, write.deploymentVersion);
    if (write.pendingVersion === undefined) tx.create('plan', pendingPath, write.pending);
    else tx.set('plan', pendingPath, write.pending, write.pendingVersion);
    let version: number;
    try {
      const results = await tx.commit();
      const first = results[0];
      version = first?.op === 'set' ? first.stat.version : write.deploymentVersion + 1;
    } catch (err) {
      throw this.planWriteError(err, id, recordPath);
    }
    await this.cache.sync(
      (tree) => (tree.get(recordPath)?.stat.version ?? -1) >= version && tree.get(pendingPath) !== undefined,
    );
    return version;
  }

  private planWriteError(err: unknown, id: string, recordPath: string): unknown {
    const failed = failedOp(err);
    if (failed === undefined) return err;
    if (failed.path === recordPath && failed.code === 'WHARF_ZK_BAD_VERSION') {
      return new WharfError('WHARF_VERSION_CONFLICT', `deployment ${id} was modified concurrently`, {
        cause: err,
        details: [{ path: 'version', message: 'is stale: the deployment was modified' }],
      });
    }
    if (failed.path === recordPath && failed.code === 'WHARF_ZK_NO_NODE') {
      return new WharfError('WHARF_NOT_FOUND', `deployment ${id} not found`, {
        cause: err,
        details: [{ path: 'id', message: 'no such deployment' }],
      });
    }
    // The pending plan moved (the constructor completed it, or another writer replaced it).
    return new WharfError('WHARF_CONFLICT', `pending plan of ${id} changed concurrently`, { cause: err });
  }

  async cancelPending(id: string): Promise<CancelledPlan | undefined> {
    const path = paths.planPending(id);
    for (let attempt = 1; ; attempt++) {
      const node = await this.docs.readNode('plan', path);
      if (node === undefined) return undefined;
      try {
        if (!(await this.docs.delete(path, node.version))) return undefined;
      } catch (err) {
        if (!isWharfError(err, 'WHARF_ZK_BAD_VERSION') || attempt >= MAX_CANCEL_ATTEMPTS) throw err;
        continue;
      }
      await this.cache.sync((tree) => tree.get(path) === undefined);
      const plan = node.value;
      return { plan_id: plan?.plan_id ?? null, action: plan?.source.action ?? null };
    }
  }
}
