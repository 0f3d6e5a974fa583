/**
 * Forward steps that bring new instances up: `validate-plan-safety`, `allocate-instances`,
 * `start-instances`, `wait-until-running`. Each is idempotent, so a resumed attempt can run the
 * step it stopped in again.
 */
import {
  FAILURE_TYPES,
  paths,
  type InstanceConfiguration,
  type InstanceSpec,
  type InstanceStatus,
  type MemberEndpoint,
} from '@wharf/model';
import { planChanges, type NewInstance, type ResourceChanges } from '../core/changes';
import { attemptFailure } from '../core/failure';
import { place, type Placement, type PlacementRequest } from '../core/place';
import { isRoutable } from '../core/route';
import { type StepOutcome } from '../core/step-log';
import { readDocument } from '../io/documents';
import { type AttemptContext } from './attempt-context';
import { runHook } from './hooks';
import {
  buildSpec,
  createSpecs,
  isRunningAt,
  memberEndpoint,
  readInstanceConfiguration,
  readSpecs,
  releaseSpec,
  type SpecCluster,
} from './spec-writes';

/** Computes and records the change set; rejects unsupported strategies and unknown configurations. */
export async function validatePlanSafety(ctx: AttemptContext): Promise<StepOutcome> {
  const { zk, logger, stacks } = ctx.deps;
  const d = ctx.deploymentId;
  if (ctx.state.plan.deployment_id !== d) {
    throw invalidPlan(`the pending plan names deployment '${ctx.state.plan.deployment_id}'`, {
      deployment_id: d,
    });
  }
  const current = await readDocument(zk, 'plan', paths.planCurrent(d));
  const fresh = await readSpecs(zk, logger, (id) => id.startsWith(`${d}-`));
  const result = planChanges(current?.value ?? null, ctx.state.plan, fresh.specs, {
    reservedIds: fresh.statusIds,
  });
  if (!result.ok) throw result.error;
  const changes = result.changes;
  for (const r of changes.resources) {
    // A resource that goes away entirely needs nothing from its pack (no route, no hooks).
    if (!r.dissolve && !stacks(r.kind))
      throw invalidPlan(`no stack pack for stack '${r.kind}'`, { stack: r.kind });
    for (const c of r.create) await instanceConfigurationOf(ctx, c);
  }
  ctx.state.changes = changes;
  ctx.state.tokens = Object.fromEntries(
    changes.resources
      .filter((r) => r.create.length > 0)
      .map((r) => [
        r.ref_id,
        r.cluster.state === 'existing'
          ? r.cluster.token
          : `${d}-${r.ref_id}-${ctx.attempt.plan_attempt_id.slice(0, 8)}`,
      ]),
  );
  await ctx.log('change set computed', {
    steps: changes.steps.join(','),
    keep: count(changes.resources, 'keep'),
    create: count(changes.resources, 'create'),
    remove: count(changes.resources, 'remove'),
  });
  return 'success';
}

/** Places the new instances (once; the placements are saved before any spec is written) and writes held specs. */
export async function allocateInstances(ctx: AttemptContext): Promise<StepOutcome> {
  await ctx.deps.placementLock.run(async () => {
    await ctx.checkpoint();
    if (!ctx.state.placements) {
      const requests: PlacementRequest[] = [];
      for (const r of ctx.changes.resources) {
        for (const c of r.create) requests.push(await placementRequest(ctx, r, c));
      }
      const all = await readSpecs(ctx.deps.zk, ctx.deps.logger);
      const result = place(requests, [...ctx.observed().allocators.values()], all.specs);
      if (!result.ok) {
        ctx.deps.metrics.noCapacity.inc();
        throw result.error;
      }
      ctx.state.placements = result.placements;
      await ctx.log('instances placed', {
        placements: result.placements.map((p) => `${p.instance_id}@${p.allocator_id}/${p.zone}`).join(', '),
      });
    }
    const specs = await specsToCreate(ctx, ctx.state.placements);
    const created = await createSpecs(ctx.deps.zk, specs);
    if (created > 0) await ctx.log('held instance specs written', { count: created });
  });
  return 'success';
}

/**
 * Releases the holds once every new instance reported its ports. A new cluster starts all members
 * at once with the full member list; an existing cluster whose stack has a join hook grows one
 * member at a time (hook, release, wait until it serves).
 */
export async function startInstances(ctx: AttemptContext): Promise<StepOutcome> {
  const created = ctx.changes.resources.flatMap((r) => r.create.map((c) => c.instance_id));
  await ctx.log('waiting for ports to be reserved', { count: created.length });
  const statuses = await ctx.waitFor((o) => reservedStatuses(created, o.statuses));
  for (const r of ctx.changes.resources) {
    if (r.create.length === 0) continue;
    const token = ctx.state.tokens?.[r.ref_id] ?? `${ctx.deploymentId}-${r.ref_id}`;
    const pack = ctx.deps.stacks(r.kind);
    if (r.cluster.state === 'new' || !pack?.beforeJoin) {
      const members = [
        ...memberList(
          ctx,
          r.keep.map((k) => k.instance_id),
        ),
        ...r.create.map((c) => memberEndpoint(c.instance_id, statuses.get(c.instance_id)!)),
      ];
      for (const c of r.create) {
        await releaseSpec(ctx.deps.zk, placementOf(ctx, c.instance_id).allocator_id, c.instance_id, {
          token,
          state: r.cluster.state,
          members,
        });
      }
      await ctx.log('instances released', {
        ref_id: r.ref_id,
        cluster: r.cluster.state,
        count: r.create.length,
      });
    } else {
      await growOneByOne(ctx, r, token, statuses);
    }
  }
  return 'success';
}

/** Waits until every new instance runs healthy at its released generation. */
export async function waitUntilRunning(ctx: AttemptContext): Promise<StepOutcome> {
  const created = ctx.changes.resources.flatMap((r) => r.create.map((c) => c.instance_id));
  await ctx.log('waiting for instances to run healthy', { count: created.length });
  await ctx.waitFor((o) => (created.every((id) => runningNow(id, o.specs, o.statuses)) ? true : undefined));
  await ctx.log('instances running', { count: created.length });
  return 'success';
}

/** Adds the members of `r` one at a time: hook against the healthy members, release, wait. */
async function growOneByOne(
  ctx: AttemptContext,
  r: ResourceChanges,
  token: string,
  statuses: ReadonlyMap<string, InstanceStatus>,
): Promise<void> {
  const pack = ctx.deps.stacks(r.kind)!;
  for (const [index, c] of r.create.entries()) {
    await ctx.checkpoint();
    const placement = placementOf(ctx, c.instance_id);
    // Members joined before this one (in this run or before a leader change) are members now.
    const earlier = r.create.slice(0, index).map((e) => e.instance_id);
    const clusterIds = [...r.keep, ...r.remove].map((i) => i.instance_id).concat(earlier);
    const members = memberList(ctx, clusterIds);
    const healthy = members.filter((m) => isRoutable(ctx.observed().statuses.get(m.name)));
    const joining = memberEndpoint(c.instance_id, statuses.get(c.instance_id)!);
    const spec = ctx.observed().specs.get(c.instance_id);
    if (!spec || spec.hold) {
      ctx.state.joining = c.instance_id;
      await ctx.log('member joining', { instance: c.instance_id, members: members.length });
      await runHook(ctx, 'beforeJoin', () =>
        pack.beforeJoin!({
          deploymentId: ctx.deploymentId,
          refId: r.ref_id,
          members: healthy,
          joining,
          signal: ctx.signal,
        }),
      );
    }
    const cluster: SpecCluster = { token, state: 'existing', members: [...members, joining] };
    const released = await releaseSpec(ctx.deps.zk, placement.allocator_id, c.instance_id, cluster);
    await ctx.waitFor((o) =>
      isRunningAt(o.statuses.get(c.instance_id), released.generation) ? true : undefined,
    );
    await ctx.log('member joined', { instance: c.instance_id });
  }
}

/** Endpoints of the listed instances that have a status (members without one cannot be addressed). */
function memberList(ctx: AttemptContext, ids: readonly string[]): MemberEndpoint[] {
  const statuses = ctx.observed().statuses;
  return ids.flatMap((id) => {
    const status = statuses.get(id);
    return status ? [memberEndpoint(id, status)] : [];
  });
}

/** Every listed instance's status once all have ports; fails fast on a failed instance. */
function reservedStatuses(
  ids: readonly string[],
  statuses: ReadonlyMap<string, InstanceStatus>,
): Map<string, InstanceStatus> | undefined {
  const out = new Map<string, InstanceStatus>();
  for (const id of ids) {
    const status = statuses.get(id);
    if (status?.state === 'failed') throw instanceFailed(id, status);
    if (!status || Object.keys(status.ports).length === 0) return undefined;
    out.set(id, status);
  }
  return out;
}

function runningNow(
  id: string,
  specs: ReadonlyMap<string, InstanceSpec>,
  statuses: ReadonlyMap<string, InstanceStatus>,
): boolean {
  const status = statuses.get(id);
  if (status?.state === 'failed') throw instanceFailed(id, status);
  const spec = specs.get(id);
  return spec !== undefined && !spec.hold && isRunningAt(status, spec.generation);
}

function instanceFailed(id: string, status: InstanceStatus): Error {
  return attemptFailure(
    'WHARF_RUNTIME_ERROR',
    FAILURE_TYPES.instanceFailed,
    `instance ${id} failed: ${status.message ?? 'no message'}`,
    {
      instance_id: id,
      allocator_id: status.allocator_id,
    },
  );
}

function placementOf(ctx: AttemptContext, instanceId: string): Placement {
  const p = ctx.state.placements?.find((x) => x.instance_id === instanceId);
  if (!p) throw new Error(`no placement recorded for ${instanceId}`);
  return p;
}

async function specsToCreate(ctx: AttemptContext, placements: readonly Placement[]): Promise<InstanceSpec[]> {
  const out: InstanceSpec[] = [];
  for (const r of ctx.changes.resources) {
    for (const c of r.create) {
      const ic = await instanceConfigurationOf(ctx, c);
      const placement = placements.find((p) => p.instance_id === c.instance_id);
      if (!placement) throw new Error(`no placement recorded for ${c.instance_id}`);
      const token = ctx.state.tokens?.[r.ref_id] ?? `${ctx.deploymentId}-${r.ref_id}`;
      out.push(
        buildSpec(
          c,
          placement,
          { token, state: r.cluster.state, members: [] },
          ctx.attempt.plan_attempt_id,
          ctx.deploymentId,
          ctx.now(),
          ic.storage_multiplier,
        ),
      );
    }
  }
  return out;
}

async function placementRequest(
  ctx: AttemptContext,
  r: ResourceChanges,
  c: NewInstance,
): Promise<PlacementRequest> {
  const ic = await instanceConfigurationOf(ctx, c);
  return {
    instance_id: c.instance_id,
    deployment_id: ctx.deploymentId,
    ref_id: c.ref_id,
    topology_id: c.topology_id,
    memory_mb: c.memory_mb,
    constraints: {
      ...(ic.allowed_zones ? { allowed_zones: ic.allowed_zones } : {}),
      ...(ic.allocator_filter ? { allocator_filter: ic.allocator_filter } : {}),
      ...(ic.cpu_multiplier !== undefined ? { cpu_multiplier: ic.cpu_multiplier } : {}),
    },
    peers: r.keep.filter((k) => k.topology_id === c.topology_id).map((k) => k.instance_id),
  };
}

async function instanceConfigurationOf(ctx: AttemptContext, c: NewInstance): Promise<InstanceConfiguration> {
  const ic = await readInstanceConfiguration(ctx.deps.zk, c.instance_configuration_id);
  if (!ic)
    throw invalidPlan(`unknown instance configuration '${c.instance_configuration_id}'`, {
      id: c.instance_configuration_id,
    });
  if (ic.stack !== c.kind) {
    throw invalidPlan(`instance configuration '${ic.id}' is for stack '${ic.stack}', not '${c.kind}'`, {
      id: ic.id,
    });
  }
  return ic;
}

function invalidPlan(message: string, details: Record<string, unknown>): Error {
  return attemptFailure('WHARF_PLAN_INVALID', FAILURE_TYPES.invalidPlan, message, details);
}

function count(resources: readonly ResourceChanges[], bucket: 'keep' | 'create' | 'remove'): number {
  return resources.reduce((n, r) => n + r[bucket].length, 0);
}
