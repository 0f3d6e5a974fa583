/**
 * The reconciler: a pure function from desired specs, the allocator's instance records and the
 * runtime's containers (at `now`) to a change set in named buckets. `applier.ts` commits it.
 *
 * ```
 *  specs ─┐
 *  records ├─▶ decide() ─▶ { reserve, start, restart, recreate, stop, accept, remove, wakeAt }
 *  containers ┘
 * ```
 */
import { type InstanceSpec } from '@wharf/model';
import { specFingerprint } from './fingerprint';
import { type BackoffPolicy } from './options';
import { type ExitInfo, type InstanceRecord, isLive, recordExit } from './instance-record';

/** A container of this allocator as the runtime reports it. */
export interface ObservedContainer {
  id: string;
  /** From the `wharf.instance` label. */
  instanceId: string;
  running: boolean;
  /** How it ended, when it is not running and the runtime knows. */
  exit?: ExitInfo;
}

/** Everything the reconciler looks at. */
export interface ReconcileInput {
  /** Valid specs by instance id. */
  specs: ReadonlyMap<string, InstanceSpec>;
  /**
   * Instance ids whose spec znode exists but could not be read: nothing is done to them (a bad
   * write by another service must not tear an instance down).
   */
  unreadable: ReadonlySet<string>;
  /**
   * False until the spec cache is initialised after (re)connecting, and while ZooKeeper is
   * unreachable: a missing spec then proves nothing, so nothing is removed.
   */
  authoritative: boolean;
  records: ReadonlyMap<string, InstanceRecord>;
  containers: readonly ObservedContainer[];
  now: number;
}

/** One instance to act on, with its spec. */
export interface SpecAction {
  instanceId: string;
  spec: InstanceSpec;
}

/** Something to tear down: an instance (its record, status and data) and/or a container. */
export interface RemoveAction {
  instanceId: string;
  /** The container to stop and remove, if any. */
  containerId?: string;
  /** True when the instance itself goes (status, data dir, ports); false for a stray container. */
  instance: boolean;
}

/** The change set, in named buckets. */
export interface ReconcilePlan {
  /** Held spec without reserved ports: reserve and report `reserved`. */
  reserve: SpecAction[];
  /** Released spec with nothing running yet (or a failed start due for retry): create + start. */
  start: SpecAction[];
  /** Crashed instance whose back-off has elapsed: replace its container, `restarts`+1. */
  restart: SpecAction[];
  /** Running instance whose version/size/settings changed: replace its container. */
  recreate: SpecAction[];
  /** Started instance whose spec is held again or stopped: stop it, keep its ports and data. */
  stop: SpecAction[];
  /** Generation changed in ways that need no action (e.g. cluster members): just report it. */
  accept: SpecAction[];
  /** Spec gone (or a stray container): stop, remove, delete data and status. */
  remove: RemoveAction[];
  /** Earliest time a pending back-off expires, so the loop can wake for it. */
  wakeAt?: number;
}

/** Decides what to do. Pure: same input, same plan. */
export function decide(input: ReconcileInput): ReconcilePlan {
  const plan: ReconcilePlan = {
    reserve: [],
    start: [],
    restart: [],
    recreate: [],
    stop: [],
    accept: [],
    remove: [],
  };
  const byInstance = groupContainers(input.containers);
  const ids = new Set([...input.specs.keys(), ...input.records.keys(), ...byInstance.keys()]);
  for (const instanceId of [...ids].sort()) {
    if (input.unreadable.has(instanceId)) continue;
    const spec = input.specs.get(instanceId);
    const record = input.records.get(instanceId);
    const containers = byInstance.get(instanceId) ?? [];
    if (!spec) {
      if (input.authoritative) removeAll(plan, instanceId, record, containers);
      continue;
    }
    const current =
      record?.containerId === undefined ? undefined : containers.find((c) => c.id === record.containerId);
    for (const stray of containers) {
      if (stray !== current && record !== undefined) {
        plan.remove.push({ instanceId, containerId: stray.id, instance: false });
      }
    }
    decideOne(plan, { instanceId, spec }, record, current, containers, input.now);
  }
  return plan;
}

function decideOne(
  plan: ReconcilePlan,
  action: SpecAction,
  record: InstanceRecord | undefined,
  container: ObservedContainer | undefined,
  containers: readonly ObservedContainer[],
  now: number,
): void {
  const { spec } = action;
  if (!record || Object.keys(record.ports).length === 0) {
    if (record?.retryAt !== undefined && record.retryAt > now) return void wake(plan, record.retryAt);
    // Containers labelled for it that recovery did not adopt: replace them.
    for (const c of containers)
      plan.remove.push({ instanceId: action.instanceId, containerId: c.id, instance: false });
    (spec.hold || spec.stopped === true ? plan.reserve : plan.start).push(action);
    return;
  }
  if (record.phase === 'stopping') return;
  const idle = record.phase === 'reserved' || record.phase === 'stopped';
  // A stopped spec (`_stop`/`_shutdown`) is handled like a held one: stopped, ports and data kept.
  if (spec.hold || spec.stopped === true) {
    if (!idle) plan.stop.push(action);
    else if (record.generation !== spec.generation) plan.accept.push(action);
    return;
  }
  if (idle) return void plan.start.push(action);
  if (record.phase === 'restarting' || record.phase === 'failed') {
    if (record.retryAt !== undefined && record.retryAt > now) return void wake(plan, record.retryAt);
    (record.phase === 'failed' && !container ? plan.start : plan.restart).push(action);
    return;
  }
  // starting / running (observe() has already turned a dead container into `restarting`)
  if (!container || !container.running) return void plan.restart.push(action);
  if (record.fingerprint !== specFingerprint(spec)) return void plan.recreate.push(action);
  if (record.generation !== spec.generation) plan.accept.push(action);
}

function wake(plan: ReconcilePlan, at: number): void {
  plan.wakeAt = Math.min(plan.wakeAt ?? Infinity, at);
}

function removeAll(
  plan: ReconcilePlan,
  instanceId: string,
  record: InstanceRecord | undefined,
  containers: readonly ObservedContainer[],
): void {
  const main = containers.find((c) => c.id === record?.containerId) ?? containers[0];
  plan.remove.push({ instanceId, instance: true, ...(main ? { containerId: main.id } : {}) });
  for (const c of containers) {
    if (c !== main) plan.remove.push({ instanceId, containerId: c.id, instance: false });
  }
}

function groupContainers(containers: readonly ObservedContainer[]): Map<string, ObservedContainer[]> {
  const map = new Map<string, ObservedContainer[]>();
  for (const c of containers) {
    const list = map.get(c.instanceId);
    if (list) list.push(c);
    else map.set(c.instanceId, [c]);
  }
  return map;
}

/** True when the plan has nothing to do. */
export function isEmptyPlan(plan: ReconcilePlan): boolean {
  return (
    plan.reserve.length +
      plan.start.length +
      plan.restart.length +
      plan.recreate.length +
      plan.stop.length +
      plan.accept.length +
      plan.remove.length ===
    0
  );
}

/**
 * Folds what the runtime shows into the records before deciding: a live record whose container
 * is gone or stopped crashed even if its exit event was missed. Returns only the changed records.
 */
export function observe(
  records: ReadonlyMap<string, InstanceRecord>,
  containers: readonly ObservedContainer[],
  policy: BackoffPolicy,
  now: number,
): Map<string, InstanceRecord> {
  const byId = new Map(containers.map((c) => [c.id, c]));
  const changed = new Map<string, InstanceRecord>();
  for (const record of records.values()) {
    if (!isLive(record) || record.containerId === undefined) continue;
    const container = byId.get(record.containerId);
    if (container?.running) continue;
    const exit = container?.exit ?? { code: null, signal: null, at: now };
    changed.set(record.instanceId, recordExit(record, record.containerId, exit, policy, now));
  }
  return changed;
}

/** The plan as instance ids per bucket, for a debug log line. */
export function summarize(plan: ReconcilePlan): Record<string, unknown> {
  const ids = (list: { instanceId: string }[]) => list.map((a) => a.instanceId);
  return {
    reserve: ids(plan.reserve),
    start: ids(plan.start),
    restart: ids(plan.restart),
    recreate: ids(plan.recreate),
    stop: ids(plan.stop),
    accept: ids(plan.accept),
    remove: plan.remove.map((a) => ({ instance: a.instanceId, container: a.containerId, whole: a.instance })),
    ...(plan.wakeAt === undefined ? {} : { wakeAt: plan.wakeAt }),
  };
}
