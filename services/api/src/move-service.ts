/**
 * What the move routes do: check the request against the allocators and deployments as they are,
 * then write one pending plan per deployment (its current plan plus a `move` block). Everything is
 * checked before anything is written: an unknown instance or target, a full target or a
 * deployment that already has a pending plan is refused with nothing written. Plans of different
 * deployments are separate writes (as ECE's vacate moves clusters one by one).
 */
import { WharfError, type Deployment, type InstanceSpec, type PlanDocument } from '@wharf/model';
import { type Clock } from './clock';
import {
  allocatorMoveSpecs,
  checkTargets,
  deploymentMoveSpecs,
  groupByDeployment,
  movePendingPlan,
  parseMoveRequest,
  type MoveRequest,
} from './domain/moves';
import { type ServiceResponse } from './http/send';
import { type ApiMetrics } from './metrics';
import { type DeploymentStore, type PlatformStore, type Versioned } from './store/types';

/** Dependencies of a {@link MoveService}. */
export interface MoveServiceDeps {
  deployments: DeploymentStore;
  platform: PlatformStore;
  clock: Clock;
  metrics: ApiMetrics;
}

interface PreparedMove {
  record: Versioned<Deployment>;
  pending: PlanDocument;
}

/** `_move` of an allocator's instances and of a deployment's instances. */
export class MoveService {
  constructor(private readonly deps: MoveServiceDeps) {}

  /** `POST /platform/allocators/:id/instances/_move`: all (or the listed) instances off `id`. */
  async moveFromAllocator(id: string, body: Record<string, unknown>): Promise<ServiceResponse> {
    const req = parseMoveRequest(body, false);
    const allocators = await this.deps.platform.allocators();
    const source = allocators.find((a) => a.id === id);
    if (!source) {
      throw new WharfError('WHARF_NOT_FOUND', `allocator ${id} not found`, {
        details: [{ path: 'id', message: 'no such allocator' }],
      });
    }
    const specs = allocatorMoveSpecs(source, req);
    checkTargets(req.target_allocators, allocators, specs);
    const moves = await this.write(specs, req, `move off allocator ${id}`);
    return { status: 202, body: { allocator_id: id, moves } };
  }

  /** `POST /deployments/:id/instances/_move`: the listed instances of deployment `id`. */
  async moveInDeployment(id: string, body: Record<string, unknown>): Promise<ServiceResponse> {
    const req = parseMoveRequest(body, true);
    if (!(await this.deps.deployments.get(id))) {
      throw new WharfError('WHARF_NOT_FOUND', `deployment ${id} not found`, {
        details: [{ path: 'id', message: 'no such deployment' }],
      });
    }
    const allocators = await this.deps.platform.allocators();
    const specs = deploymentMoveSpecs(id, allocators, req.instances!);
    checkTargets(req.target_allocators, allocators, specs);
    const moves = await this.write(specs, req, `move of ${req.instances!.join(', ')}`);
    return { status: 202, body: { deployment_id: id, moves } };
  }

  /** Prepares every deployment's plan (refusing before any write), then writes them one by one. */
  private async write(specs: readonly InstanceSpec[], req: MoveRequest, reason: string) {
    const now = new Date(this.deps.clock.now());
    const prepared: PreparedMove[] = [];
    for (const group of groupByDeployment(specs)) {
      const record = await this.deps.deployments.get(group.deployment_id);
      const plans = await this.deps.deployments.plans(group.deployment_id);
      if (!record || record.value.deleting === true || !plans.current) {
        throw busy(group.deployment_id, 'is being created or deleted');
      }
      if (plans.pending) throw busy(group.deployment_id, 'has a pending plan; move it once that completes');
      if (plans.current.stopped?.all === true)
        throw busy(group.deployment_id, 'is shut down; start it first');
      prepared.push({
        record,
        pending: movePendingPlan(plans.current, group, req.target_allocators, reason, now),
      });
    }
    const moves = [];
    for (const { record, pending } of prepared) {
      await this.deps.deployments.writePlan(record.value.id, {
        deployment: { ...record.value, updated: now.toISOString() },
        deploymentVersion: record.version,
        pending,
        pendingVersion: undefined,
      });
      this.deps.metrics.deploymentWrites.inc({ action: 'move' });
      moves.push({
        deployment_id: record.value.id,
        instances: pending.move!.instances,
        plan_id: pending.plan_id,
      });
    }
    return moves;
  }
}

function busy(deploymentId: string, why: string): WharfError {
  return new WharfError('WHARF_CONFLICT', `deployment ${deploymentId} ${why}`, {
    details: [{ path: 'instances', message: `deployment ${deploymentId} ${why}` }],
  });
}
