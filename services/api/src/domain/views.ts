/**
 * Pure shaping of API responses from stored documents: deployment status, its instances as
 * placed (specs) and observed (statuses), overall health, allocator capacity.
 */
import {
  type AllocatorAdvertisement,
  type Deployment,
  type InstanceState,
  type PlanAttempt,
  availabilityPercent,
  type Availability,
} from '@wharf/model';
import { type AllocatorSnapshot } from '../store/types';

/** A deployment's coarse status, derived from its record and which plan znodes exist. */
export type DeploymentStatus = 'creating' | 'updating' | 'running' | 'deleting' | 'inactive';

/**
 * `deleting` once DELETE was accepted; `creating`/`updating` while a plan is pending (without /
 * with a current plan); `running` with a current plan and nothing pending; `inactive` with
 * neither (the first plan failed or was cancelled).
 */
export function deploymentStatus(deployment: Deployment, planNodes: readonly string[]): DeploymentStatus {
  if (deployment.deleting === true) return 'deleting';
  const pending = planNodes.includes('pending');
  const current = planNodes.includes('current');
  if (pending) return current ? 'updating' : 'creating';
  return current ? 'running' : 'inactive';
}

/** One instance of a deployment as the API shows it. */
export interface InstanceView {
  instance_id: string;
  ref_id: string;
  topology_id: string;
  zone: string;
  allocator_id: string;
  memory_mb: number;
  /** Observed state; null until the allocator has reported. */
  state: InstanceState | null;
  healthy: boolean;
  host: string | null;
  ports: Record<string, number>;
  /** The spec generation the allocator has applied, null before its first report. */
  generation: number | null;
  /** Stopped by `_stop`/`_shutdown`: kept with its data, not run, not routed. */
  stopped: boolean;
}

/** The instances placed for a deployment (from specs), joined with their observed status. */
export function instancesOf(deploymentId: string, allocators: readonly AllocatorSnapshot[]): InstanceView[] {
  const out: InstanceView[] = [];
  for (const allocator of allocators) {
    for (const spec of allocator.specs) {
      if (spec.deployment_id !== deploymentId) continue;
      const status = allocator.statuses.find((s) => s.instance_id === spec.instance_id);
      out.push({
        instance_id: spec.instance_id,
        ref_id: spec.ref_id,
        topology_id: spec.topology_id,
        zone: spec.zone,
        allocator_id: allocator.id,
        memory_mb: spec.memory_mb,
        state: status?.state ?? null,
        healthy: status !== undefined && status.state === 'running' && status.healthy && allocator.live,
        host: status?.host ?? null,
        ports: status?.ports ?? {},
        generation: status?.generation ?? null,
        stopped: spec.stopped === true,
      });
    }
  }
  return out.sort((a, b) => a.instance_id.localeCompare(b.instance_id));
}

/** Healthy: at least one instance, and every instance running and healthy. */
export function instancesHealthy(instances: readonly InstanceView[]): boolean {
  return instances.length > 0 && instances.every((i) => i.healthy);
}

/** The endpoint URL of a deployment from the `{id}` template. */
export function endpointUrl(template: string, deploymentId: string): string {
  return template.split('{id}').join(deploymentId);
}

/** The summary of an attempt shown on the deployment (the full log is under `/plan/activity`). */
export interface AttemptSummary {
  plan_attempt_id: string;
  plan_id: string;
  status: PlanAttempt['status'];
  healthy: boolean | null;
  attempt_start_time: string;
  attempt_end_time: string | null;
  failure_type: string | null;
  message: string | null;
  step: string | null;
}

/** Summarises an attempt: status, health, failure and the step it is at (or ended with). */
export function attemptSummary(attempt: PlanAttempt): AttemptSummary {
  return {
    plan_attempt_id: attempt.plan_attempt_id,
    plan_id: attempt.plan_id,
    status: attempt.status,
    healthy: attempt.healthy ?? null,
    attempt_start_time: attempt.attempt_start_time,
    attempt_end_time: attempt.attempt_end_time ?? null,
    failure_type: attempt.error?.failure_type ?? null,
    message: attempt.error?.message ?? null,
    step: attempt.plan_attempt_log.at(-1)?.step_id ?? null,
  };
}

/** Attempts newest first without duplicates (a finished attempt may sit in both `attempt` and history). */
export function mergeAttempts(
  running: PlanAttempt | undefined,
  history: readonly PlanAttempt[],
  limit: number,
): PlanAttempt[] {
  const seen = new Set<string>();
  const out: PlanAttempt[] = [];
  for (const attempt of running ? [running, ...history] : history) {
    if (seen.has(attempt.plan_attempt_id)) continue;
    seen.add(attempt.plan_attempt_id);
    out.push(attempt);
    if (out.length >= limit) break;
  }
  return out;
}

/** An allocator as `GET /platform/allocators` shows it. */
export interface AllocatorView {
  id: string;
  zone: string | null;
  host: string | null;
  connected: boolean;
  maintenance: boolean;
  capacity: { memory_mb: number; used_memory_mb: number; free_memory_mb: number; cpus: number };
  instances: number;
  tags: Record<string, string>;
  runtime: AllocatorAdvertisement['runtime'] | null;
  version: string | null;
  started: string | null;
}

/** The heartbeat's last probe older than this reads as `unknown`: the heartbeat is not running. */
export const HEARTBEAT_STALE_MS = 5 * 60_000;

/** `health` and `availability` of `GET /deployments/<id>`, from the heartbeat's record. */
export function heartbeatView(record: Availability | undefined, now: number) {
  const last = record?.last;
  const fresh = last !== undefined && now - Date.parse(last.at) <= HEARTBEAT_STALE_MS;
  return {
    health: {
      status: !fresh ? 'unknown' : last.up ? 'up' : 'down',
      ...(last === undefined
        ? {}
        : {
            checked_at: last.at,
            latency_ms: last.ms,
            ...(last.status === undefined ? {} : { http_status: last.status }),
          }),
    },
    availability: {
      last_24h: record === undefined ? null : availabilityPercent(record, now, 24),
      last_30d: record === undefined ? null : availabilityPercent(record, now, 30 * 24),
    },
  };
}

/** Capacity used is the sum of the memory of the specs placed on the allocator. */
export function allocatorView(snapshot: AllocatorSnapshot): AllocatorView {
  const ad = snapshot.advertisement;
  const total = ad?.capacity.memory_mb ?? 0;
  const used = snapshot.specs.reduce((sum, spec) => sum + spec.memory_mb, 0);
  return {
    id: snapshot.id,
    zone: ad?.zone ?? null,
    host: ad?.host ?? null,
    connected: snapshot.live,
    maintenance: ad?.maintenance ?? false,
    capacity: {
      memory_mb: total,
      used_memory_mb: used,
      free_memory_mb: Math.max(0, total - used),
      cpus: ad?.capacity.cpus ?? 0,
    },
    instances: snapshot.specs.length,
    tags: ad?.tags ?? {},
    runtime: ad?.runtime ?? null,
    version: ad?.version ?? null,
    started: ad?.started ?? null,
  };
}
