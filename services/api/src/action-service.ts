/**
 * What the action routes do: `_shutdown` and `_start` of a deployment, `_stop` and `_start` of
 * listed instances. Each writes one pending plan (the current plan with a new `stopped` block;
 * `domain/actions.ts`) after every check passed, so a refused request writes nothing. Actions
 * apply to a settled deployment: one with a pending plan is refused (the constructor would have
 * to mix the action with the plan's own changes).
 */
import {
  WharfError,
  type Deployment,
  type InstanceSpec,
  type PlanDocument,
  type PlanRestore,
} from '@wharf/model';
import { type Clock } from './clock';
import {
  actionPlan,
  checkKnownInstances,
  checkQuorum,
  isShutDown,
  stoppedAfter,
  stoppedIds,
  type DeploymentAction,
} from './domain/actions';
import { type ServiceResponse } from './http/send';
import { type ApiMetrics } from './metrics';
import { type DeploymentStore, type PlatformStore, type Versioned } from './store/types';

/** Dependencies of an {@link ActionService}. */
export interface ActionServiceDeps {
  deployments: DeploymentStore;
  platform: PlatformStore;
  clock: Clock;
  metrics: ApiMetrics;
}

/** A deployment ready for an action: its record, current plan and instance specs. */
interface Settled {
  record: Versioned<Deployment>;
  current: PlanDocument;
  specs: InstanceSpec[];
}

/** Deployment and instance actions. */
export class ActionService {
  constructor(private readonly deps: ActionServiceDeps) {}

  /** `POST /deployments/:id/_shutdown`: stop every instance, keep data, unroutable. */
  async shutdown(id: string): Promise<ServiceResponse> {
    const s = await this.settled(id);
    if (isShutDown(s.current)) throw conflict('id', `deployment ${id} is already shut down`);
    return this.write(s, 'shutdown', []);
  }

  /** `POST /deployments/:id/_start`: start every stopped instance (after a shutdown or instance stops). */
  async start(id: string): Promise<ServiceResponse> {
    const s = await this.settled(id);
    if (!isShutDown(s.current) && stoppedIds(s.current).length === 0)
      throw conflict('id', `deployment ${id} is not shut down and has no stopped instance`);
    return this.write(s, 'start', []);
  }

  /** `POST /deployments/:id/instances/:ids/_stop`: stop the listed instances (quorum-guarded). */
  async stopInstances(id: string, ids: readonly string[], force: boolean): Promise<ServiceResponse> {
    const s = await this.settled(id);
    checkKnownInstances(id, ids, s.specs);
    if (isShutDown(s.current)) throw conflict('id', `deployment ${id} is shut down`);
    const already = ids.find((i) => stoppedIds(s.current).includes(i));
    if (already !== undefined) throw conflict('instance_ids', `instance ${already} is already stopped`);
    const after = new Set([...stoppedIds(s.current), ...ids]);
    checkQuorum(s.specs, after, force);
    return this.write(s, 'stop-instances', ids);
  }

  /** `POST /deployments/:id/instances/:ids/_start`: start the listed stopped instances. */
  async startInstances(id: string, ids: readonly string[]): Promise<ServiceResponse> {
    const s = await this.settled(id);
    checkKnownInstances(id, ids, s.specs);
    if (isShutDown(s.current))
      throw conflict('id', `deployment ${id} is shut down; start the whole deployment with _start`);
    const running = ids.find((i) => !stoppedIds(s.current).includes(i));
    if (running !== undefined) throw conflict('instance_ids', `instance ${running} is not stopped`);
    return this.write(s, 'start-instances', ids);
  }

  /**
   * `POST /deployments/:id/_restore`: a plan that puts the data of one of the deployment's own
   * snapshots back (`restore-snapshot` step). `check` finds and verifies the snapshot; it runs
   * after the deployment's checks and before the only write.
   */
  async restore(id: string, check: () => Promise<PlanRestore>): Promise<ServiceResponse> {
    const s = await this.settled(id);
    if (isShutDown(s.current))
      throw conflict('id', `deployment ${id} is shut down; start it with _start first`);
    const stopped = stoppedIds(s.current);
    if (stopped.length > 0)
      throw conflict('id', `instances ${stopped.join(', ')} are stopped; start them before a restore`);
    return this.write(s, 'restore', [], await check());
  }

  /** The deployment, refused unless it exists, is not being deleted and has no pending plan. */
  private async settled(id: string): Promise<Settled> {
    const record = await this.deps.deployments.get(id);
    if (!record) {
      throw new WharfError('WHARF_NOT_FOUND', `deployment ${id} not found`, {
        details: [{ path: 'id', message: 'no such deployment' }],
      });
    }
    if (record.value.deleting === true) throw conflict('id', `deployment ${id} is being deleted`);
    const plans = await this.deps.deployments.plans(id);
    if (plans.pending) throw conflict('id', `deployment ${id} has a pending plan; retry once it completes`);
    if (!plans.current) throw conflict('id', `deployment ${id} has no applied plan yet`);
    const allocators = await this.deps.platform.allocators();
    const specs = allocators.flatMap((a) => a.specs).filter((spec) => spec.deployment_id === id);
    return { record, current: plans.current, specs };
  }

  private async write(
    s: Settled,
    action: DeploymentAction,
    ids: readonly string[],
    restore?: PlanRestore,
  ): Promise<ServiceResponse> {
    const now = new Date(this.deps.clock.now());
    const plan = actionPlan(s.current, action, stoppedAfter(s.current, action, ids), now);
    const pending = restore === undefined ? plan : { ...plan, restore };
    const deployment = { ...s.record.value, updated: now.toISOString() };
    // Versioned on the record and created only if no pending plan exists: a concurrent plan wins.
    const version = await this.deps.deployments.writePlan(s.record.value.id, {
      deployment,
      deploymentVersion: s.record.version,
      pending,
      pendingVersion: undefined,
    });
    this.deps.metrics.deploymentWrites.inc({ action });
    return {
      status: 202,
      body: {
        id: deployment.id,
        action,
        ...(ids.length > 0 ? { instance_ids: ids } : {}),
        ...(restore === undefined ? {} : { snapshot: restore.snapshot }),
        version,
        plan_id: pending.plan_id,
      },
    };
  }
}

function conflict(path: string, message: string): WharfError {
  return new WharfError('WHARF_CONFLICT', message, { details: [{ path, message }] });
}
