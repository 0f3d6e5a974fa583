/**
 * Commits a reconcile plan: the I/O around `decide()`. Each action reads and replaces the
 * instance's record; a failed action is logged, counted and (for starts) turned into a `failed`
 * record retried after back-off, so one bad instance never stops the others.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type InstanceSpec, type InstanceStatus, assertId, cpuShare, isWharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type ContainerRuntime } from '@wharf/runtime';
import { type CompiledAllocatorOptions } from './options';
import { type DataUsageMeter } from './data-usage';
import { LABELS, containerName } from './containers';
import { specFingerprint } from './fingerprint';
import { type InstanceRecord, recordFailure, reservedRecord } from './instance-record';
import { type AllocatorMetrics } from './metrics';
import { type PortCheck, type PortMap, allocatePorts, heldPorts, portsFit } from './ports';
import { type ReconcilePlan, type RemoveAction, type SpecAction } from './reconcile';
import { type InstanceContext } from '@wharf/stacks';
import { type StackCatalog } from './stack-port';
import { statusDocument } from './status-document';
import { type StatusStore } from './status-store';

/** What the applier works with. */
export interface ApplierContext {
  config: CompiledAllocatorOptions;
  runtime: ContainerRuntime;
  stacks: StackCatalog;
  records: Map<string, InstanceRecord>;
  statuses: StatusStore;
  portCheck: PortCheck;
  logger: Logger;
  metrics: AllocatorMetrics;
  now: () => number;
  /** Ports labelled on containers that have no record yet (orphans): not handed out. */
  foreignPorts: () => Iterable<number>;
  /** Data directory sizes of running instances (storage metering); absent: not reported. */
  dataUsage?: DataUsageMeter;
}

type Bucket = Exclude<keyof ReconcilePlan, 'wakeAt'>;

/** Cap on a pack's start delay: it holds up this allocator's reconcile pass meanwhile. */
const MAX_START_DELAY_MS = 2_000;

/** Applies `plan`: teardown first, then port reservations one by one, then starts in parallel. */
export async function applyPlan(ctx: ApplierContext, plan: ReconcilePlan): Promise<void> {
  await Promise.all([
    ...plan.remove.map((a) => guarded(ctx, 'remove', a.instanceId, () => remove(ctx, a))),
    ...plan.stop.map((a) => guarded(ctx, 'stop', a.instanceId, () => stop(ctx, a))),
    ...plan.accept.map((a) => guarded(ctx, 'accept', a.instanceId, async () => accept(ctx, a))),
  ]);
  // Reservations share one port pool, so they run one at a time.
  for (const a of plan.reserve) await guarded(ctx, 'reserve', a.instanceId, () => reserve(ctx, a), a.spec);
  for (const a of [...plan.start, ...plan.restart, ...plan.recreate]) {
    await guarded(ctx, 'reserve', a.instanceId, () => ensurePorts(ctx, a), a.spec);
  }
  await Promise.all([
    ...plan.start.map((a) => guarded(ctx, 'start', a.instanceId, () => launch(ctx, a, 'start'), a.spec)),
    ...plan.restart.map((a) =>
      guarded(ctx, 'restart', a.instanceId, () => launch(ctx, a, 'restart'), a.spec),
    ),
    ...plan.recreate.map((a) =>
      guarded(ctx, 'recreate', a.instanceId, () => launch(ctx, a, 'recreate'), a.spec),
    ),
  ]);
}

async function guarded(
  ctx: ApplierContext,
  action: Bucket,
  instanceId: string,
  run: () => Promise<void>,
  spec?: InstanceSpec,
): Promise<void> {
  try {
    await run();
  } catch (err) {
    ctx.metrics.actionErrors.inc({ action });
    ctx.logger.error('instance action failed', { action, instance: instanceId, err });
    if (!spec) return;
    const record =
      ctx.records.get(instanceId) ?? reservedRecord(instanceId, spec.deployment_id, {}, spec.generation);
    const message = `${action} failed: ${err instanceof Error ? err.message : String(err)}`;
    ctx.records.set(instanceId, recordFailure(record, message, ctx.config.backoff, ctx.now()));
  }
}

async function reserve(ctx: ApplierContext, { instanceId, spec }: SpecAction): Promise<void> {
  const previous = ctx.records.get(instanceId);
  const ports = await allocate(ctx, spec, instanceId);
  const record = reservedRecord(instanceId, spec.deployment_id, ports, spec.generation);
  ctx.records.set(instanceId, previous ? { ...record, restarts: previous.restarts } : record);
  ctx.logger.info('ports reserved', { instance: instanceId, deployment: spec.deployment_id, ports });
}

/** Makes sure a record exists with ports that fit the stack (reserving on the way). */
async function ensurePorts(ctx: ApplierContext, { instanceId, spec }: SpecAction): Promise<void> {
  const record = ctx.records.get(instanceId);
  const names = ctx.stacks(spec.stack).portNames;
  if (record && portsFit(record.ports, names, ctx.config.portRange)) return;
  const ports = await allocate(ctx, spec, instanceId);
  const base = record ?? reservedRecord(instanceId, spec.deployment_id, ports, spec.generation);
  ctx.records.set(instanceId, { ...base, ports });
}

async function allocate(ctx: ApplierContext, spec: InstanceSpec, instanceId: string): Promise<PortMap> {
  const others = [...ctx.records.values()].filter((r) => r.instanceId !== instanceId).map((r) => r.ports);
  const held = heldPorts(others);
  for (const port of ctx.foreignPorts()) held.add(port);
  return allocatePorts(ctx.stacks(spec.stack).portNames, ctx.config.portRange, held, ctx.portCheck);
}

function accept(ctx: ApplierContext, { instanceId, spec }: SpecAction): void {
  const record = ctx.records.get(instanceId);
  if (record) ctx.records.set(instanceId, { ...record, generation: spec.generation });
}

async function stop(ctx: ApplierContext, { instanceId, spec }: SpecAction): Promise<void> {
  const record = ctx.records.get(instanceId);
  if (!record) return;
  ctx.records.set(instanceId, { ...record, phase: 'stopping' });
  if (record.containerId) await destroy(ctx, record.containerId);
  const { containerId: _c, fingerprint: _f, retryAt: _r, healthySince: _h, ...rest } = record;
  ctx.records.set(instanceId, {
    ...rest,
    phase: 'reserved',
    healthy: false,
    failures: 0,
    generation: spec.generation,
  });
  ctx.logger.info('instance stopped for hold', { instance: instanceId, deployment: spec.deployment_id });
}

async function remove(ctx: ApplierContext, action: RemoveAction): Promise<void> {
  const { instanceId, containerId } = action;
  const record = ctx.records.get(instanceId);
  if (action.instance && record) ctx.records.set(instanceId, { ...record, phase: 'stopping' });
  if (containerId) await destroy(ctx, containerId);
  if (!action.instance) {
    ctx.logger.info('stray container removed', { instance: instanceId, container: containerId });
    return;
  }
  // The id may come from a container label: never build a path to delete from an unchecked one.
  await rm(instanceDir(ctx.config, assertId('instance', instanceId)), { recursive: true, force: true });
  await ctx.statuses.remove(instanceId);
  ctx.records.delete(instanceId);
  ctx.logger.info('instance removed', { instance: instanceId, container: containerId });
}

/** (Re)creates the instance's container: `start`, `restart` (counted) or `recreate`. */
async function launch(
  ctx: ApplierContext,
  { instanceId, spec }: SpecAction,
  why: 'start' | 'restart' | 'recreate',
): Promise<void> {
  const before = ctx.records.get(instanceId);
  if (!before) return; // ensurePorts failed and already recorded why
  if (before.phase === 'failed' && before.retryAt !== undefined && before.retryAt > ctx.now()) return;
  if (before.containerId) {
    ctx.records.set(instanceId, { ...before, phase: 'stopping' });
    await destroy(ctx, before.containerId);
  }
  // Only a first start honours the pack's start delay (it orders a new cluster's bootstrap).
  const containerId = await run(ctx, spec, before.ports, why === 'start' && before.restarts === 0);
  const { retryAt: _r, message: _m, healthySince: _h, ...rest } = before;
  const restarts = why === 'restart' ? before.restarts + 1 : before.restarts;
  ctx.records.set(instanceId, {
    ...rest,
    phase: 'starting',
    healthy: false,
    failures: 0,
    containerId,
    fingerprint: specFingerprint(spec),
    generation: spec.generation,
    restarts,
  });
  if (why === 'restart') ctx.metrics.restarts.inc({ stack: spec.stack });
  ctx.logger.info('instance started', {
    instance: instanceId,
    deployment: spec.deployment_id,
    why,
    container: containerId,
    restarts,
  });
}

async function run(
  ctx: ApplierContext,
  spec: InstanceSpec,
  ports: PortMap,
  firstStart: boolean,
): Promise<string> {
  const { config } = ctx;
  const began = ctx.now();
  const dataDir = instanceDataDir(config, spec.instance_id);
  await mkdir(dataDir, { recursive: true });
  const view = ctx.runtime.containerView(dataDir, config.host);
  const context: InstanceContext = {
    instanceId: spec.instance_id,
    deploymentId: spec.deployment_id,
    version: spec.version,
    host: config.host,
    bindHost: view.bindHost,
    ports,
    dataDir: view.dataDir,
    memoryMb: spec.memory_mb,
    settings: { ...(spec.settings ?? {}) },
    cluster: { token: spec.cluster.token, state: spec.cluster.state, members: spec.cluster.members },
    runtime: config.runtimeKind,
  };
  const command = ctx.stacks(spec.stack).command(context);
  const info = await ctx.runtime.create({
    name: containerName(config.id, spec.instance_id),
    argv: command.argv,
    env: command.env,
    // A Docker runtime refuses a command without an image: the start fails with that message.
    ...(command.image === undefined ? {} : { image: command.image }),
    labels: {
      [LABELS.allocator]: config.id,
      [LABELS.deployment]: spec.deployment_id,
      [LABELS.instance]: spec.instance_id,
      [LABELS.stack]: spec.stack,
      [LABELS.fingerprint]: specFingerprint(spec),
      [LABELS.generation]: String(spec.generation),
      [LABELS.ports]: JSON.stringify(ports),
    },
    dataDir,
    memoryMb: spec.memory_mb,
    // ECE's rule: an instance gets the share of CPU its memory is of the allocator's capacity.
    cpuQuota: cpuShare(spec.memory_mb, config.capacityMb),
    hostAddress: config.host,
    ports,
  });
  // The container is created meanwhile, so only what is left of the delay is waited.
  const wait = firstStart ? (command.startDelayMs ?? 0) - (ctx.now() - began) : 0;
  if (wait > 0) {
    ctx.logger.debug('start delayed by the stack pack', { instance: spec.instance_id, ms: wait });
    await sleep(Math.min(wait, MAX_START_DELAY_MS));
  }
  try {
    await ctx.runtime.start(info.id);
  } catch (err) {
    await destroy(ctx, info.id);
    throw err;
  }
  return info.id;
}

/** Stops (graceful, then kill) and removes a container; unknown is fine. */
async function destroy(ctx: ApplierContext, id: string): Promise<void> {
  try {
    await ctx.runtime.stop(id, { timeoutMs: ctx.config.stopTimeoutMs });
  } catch (err) {
    if (!isWharfError(err, 'WHARF_RUNTIME_NOT_FOUND')) throw err;
  }
  await ctx.runtime.remove(id, { force: true });
}

/** `<home>/allocators/<id>/instances/<instance>`: the instance's data and logs. */
export function instanceDir(config: CompiledAllocatorOptions, instanceId: string): string {
  return join(config.allocatorDir, 'instances', instanceId);
}

/** The status document of `record` now, with its data directory's last measured size. */
export function statusOf(ctx: ApplierContext, record: InstanceRecord, now: number): InstanceStatus {
  const dataMb = ctx.dataUsage?.get(record.instanceId);
  return statusDocument(record, ctx.config.id, ctx.config.host, now, dataMb);
}

/** `<instance dir>/data`: what an instance stores (and storage metering measures). */
export function instanceDataDir(config: CompiledAllocatorOptions, instanceId: string): string {
  return join(instanceDir(config, instanceId), 'data');
}

/**
 * Writes every status that changed; returns false when a write failed (retry next pass). Also
 * asks for the running instances' data directories to be measured when due (in the background).
 */
export async function reportStatuses(ctx: ApplierContext): Promise<boolean> {
  const now = ctx.now();
  ctx.dataUsage?.refresh(
    [...ctx.records.values()]
      .filter((r) => r.phase === 'running')
      .map((r) => ({ instanceId: r.instanceId, dir: instanceDataDir(ctx.config, r.instanceId) })),
  );
  const results = await Promise.all(
    [...ctx.records.values()].map(async (record) => {
      if (record.phase === 'stopping') return true;
      const doc = statusOf(ctx, record, now);
      try {
        if (await ctx.statuses.write(doc)) ctx.metrics.statusWrites.inc();
        return true;
      } catch (err) {
        const level = isWharfError(err, 'WHARF_ZK_CONNECTION_LOSS', 'WHARF_ZK_SESSION_EXPIRED')
          ? 'debug'
          : 'warn';
        ctx.logger[level]('status write failed', { instance: record.instanceId, err });
        return false;
      }
    }),
  );
  return results.every(Boolean);
}
