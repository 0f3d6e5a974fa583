/**
 * Move requests, decided (pure): the body of `POST /platform/allocators/:id/instances/_move` and
 * `POST /deployments/:id/instances/_move` checked field by field, the instances grouped by
 * deployment, the target allocators checked (known, live, not in maintenance, not a source, room
 * for the largest instance), and each deployment's pending plan: its current plan plus a `move`
 * block, which the constructor applies as an ordinary attempt (new instances first, the moved
 * ones removed after the route moved).
 */
import { randomUUID } from 'node:crypto';
import { WharfError, isValidId, type InstanceSpec, type PlanDocument } from '@wharf/model';
import { badRequest } from '../http/errors';
import { type AllocatorSnapshot } from '../store/types';

/** Most instances or targets one request may name. */
export const MAX_MOVE_ITEMS = 256;

/** A checked move request. */
export interface MoveRequest {
  /** Instance ids; undefined: every instance of the allocator. */
  instances?: string[];
  /** Allocators the replacements may go to; undefined: any eligible one. */
  target_allocators?: string[];
}

/** The instances of one deployment to move. */
export interface MoveGroup {
  deployment_id: string;
  instances: string[];
}

const ALLOWED_KEYS = new Set(['instances', 'target_allocators']);

/** Checks a move body; `instances` is required for a deployment move. 400 naming the field otherwise. */
export function parseMoveRequest(body: Record<string, unknown>, requireInstances: boolean): MoveRequest {
  for (const key of Object.keys(body)) {
    if (!ALLOWED_KEYS.has(key)) throw badRequest(key, 'is not allowed here');
  }
  const out: MoveRequest = {};
  if (body.instances !== undefined) out.instances = idList(body.instances, 'instances');
  else if (requireInstances) throw badRequest('instances', 'is required: a list of instance ids');
  if (body.target_allocators !== undefined)
    out.target_allocators = idList(body.target_allocators, 'target_allocators');
  return out;
}

function idList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_MOVE_ITEMS) {
    throw badRequest(field, `must be a list of 1 to ${MAX_MOVE_ITEMS} ids`);
  }
  value.forEach((v, i) => {
    if (!isValidId(v))
      throw badRequest(`${field}[${i}]`, 'must be an id (lowercase letters, digits, inner hyphens)');
    if (value.indexOf(v) !== i) throw badRequest(`${field}[${i}]`, `repeats '${v as string}'`);
  });
  return value as string[];
}

/** The specs an allocator move takes: all of them, or the listed ones (each must be on it). */
export function allocatorMoveSpecs(source: AllocatorSnapshot, req: MoveRequest): InstanceSpec[] {
  if (!req.instances) return source.specs;
  return req.instances.map((id, i) => {
    const spec = source.specs.find((s) => s.instance_id === id);
    if (!spec) throw badRequest(`instances[${i}]`, `is not an instance of allocator ${source.id}`);
    return spec;
  });
}

/** The specs a deployment move takes (each must belong to the deployment). */
export function deploymentMoveSpecs(
  deploymentId: string,
  allocators: readonly AllocatorSnapshot[],
  instances: readonly string[],
): InstanceSpec[] {
  const specs = allocators.flatMap((a) => a.specs).filter((s) => s.deployment_id === deploymentId);
  return instances.map((id, i) => {
    const spec = specs.find((s) => s.instance_id === id);
    if (!spec) throw badRequest(`instances[${i}]`, `is not an instance of deployment ${deploymentId}`);
    return spec;
  });
}

/** Groups specs by deployment, in deployment id order. */
export function groupByDeployment(specs: readonly InstanceSpec[]): MoveGroup[] {
  const out = new Map<string, string[]>();
  for (const s of specs) out.set(s.deployment_id, [...(out.get(s.deployment_id) ?? []), s.instance_id]);
  return [...out]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([deployment_id, instances]) => ({ deployment_id, instances: instances.sort() }));
}

/**
 * Every target must be a known allocator that is live, not in maintenance, not one the instances
 * leave, with room for the largest moving instance (memory). 400 for an unknown or source target,
 * 409 for an unusable or full one; each names `target_allocators[i]`.
 */
export function checkTargets(
  targets: readonly string[] | undefined,
  allocators: readonly AllocatorSnapshot[],
  moving: readonly InstanceSpec[],
): void {
  if (!targets) return;
  const sources = new Set(moving.map((s) => s.allocator_id));
  const largest = moving.reduce((max, s) => Math.max(max, s.memory_mb), 0);
  targets.forEach((id, i) => {
    const field = `target_allocators[${i}]`;
    const a = allocators.find((x) => x.id === id);
    if (!a?.advertisement) throw badRequest(field, `no such allocator '${id}'`);
    if (sources.has(id)) throw badRequest(field, `'${id}' is an allocator the instances move off`);
    if (!a.live) throw conflict('WHARF_CONFLICT', field, `allocator '${id}' is not connected`);
    if (a.advertisement.maintenance)
      throw conflict('WHARF_CONFLICT', field, `allocator '${id}' is in maintenance`);
    const free = a.advertisement.capacity.memory_mb - a.specs.reduce((n, s) => n + s.memory_mb, 0);
    if (free < largest) {
      throw conflict(
        'WHARF_NO_CAPACITY',
        field,
        `allocator '${id}' is full: ${free} MB free, an instance to move needs ${largest} MB`,
      );
    }
  });
}

function conflict(code: 'WHARF_CONFLICT' | 'WHARF_NO_CAPACITY', path: string, message: string): WharfError {
  return new WharfError(code, `${path}: ${message}`, { details: [{ path, message }] });
}

/** The pending plan of one deployment's move: its current plan, a new id, `source.action: move`. */
export function movePendingPlan(
  current: PlanDocument,
  group: MoveGroup,
  targets: readonly string[] | undefined,
  reason: string,
  now: Date,
): PlanDocument {
  const { move: _move, shutdown: _shutdown, restore: _restore, ...rest } = current;
  return {
    ...rest,
    plan_id: randomUUID(),
    created: now.toISOString(),
    source: { action: 'move', reason },
    move: { instances: group.instances, ...(targets ? { allocators: [...targets] } : {}) },
  };
}
