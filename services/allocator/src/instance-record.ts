/**
 * What the allocator knows about one instance it is responsible for, and the pure transitions
 * that fold observations (an exit, a probe result) into it. Records are immutable values; the
 * allocator keeps the current one per instance in a map.
 */
import { type BackoffPolicy } from './options';
import { nextBackoff } from './backoff';
import { type PortMap } from './ports';

/**
 * Local lifecycle of an instance (the status document's `state` follows it):
 * `reserved` ports held, not started · `starting` started, no probe passed yet ·
 * `running` a probe passed (health tracked by `healthy`) · `restarting` it exited, a restart
 * is due at `retryAt` · `failed` creating or starting it failed, retried at `retryAt` ·
 * `stopping` the allocator is stopping it on purpose (its exit is not a crash) ·
 * `stopped` stopped by an allocator shutdown; started again (not counted as a restart).
 */
export type Phase = 'reserved' | 'starting' | 'running' | 'restarting' | 'failed' | 'stopping' | 'stopped';

/** How an instance's process last ended. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Epoch milliseconds. */
  at: number;
}

/** The allocator's knowledge of one instance. */
export interface InstanceRecord {
  readonly instanceId: string;
  readonly deploymentId: string;
  readonly phase: Phase;
  /** Reserved ports; empty until reserved. */
  readonly ports: PortMap;
  /** Spec generation this record reflects (reported as the status `generation`). */
  readonly generation: number;
  /** Fingerprint of the spec the current container was created from. */
  readonly fingerprint?: string;
  readonly containerId?: string;
  readonly healthy: boolean;
  /** Consecutive failed probes. */
  readonly failures: number;
  /** When the last healthy spell began (epoch ms). */
  readonly healthySince?: number;
  readonly restarts: number;
  readonly lastExit?: ExitInfo;
  /** Last restart delay used (0 = none yet). */
  readonly backoffMs: number;
  /** Earliest time a restart/retry may happen (epoch ms). */
  readonly retryAt?: number;
  readonly message?: string;
}

/** A fresh record for an instance whose ports were just reserved. */
export function reservedRecord(
  instanceId: string,
  deploymentId: string,
  ports: PortMap,
  generation: number,
): InstanceRecord {
  return {
    instanceId,
    deploymentId,
    phase: 'reserved',
    ports,
    generation,
    healthy: false,
    failures: 0,
    restarts: 0,
    backoffMs: 0,
  };
}

/** True when an exit of this record's container is a crash (not one the allocator caused). */
export function isLive(record: InstanceRecord): boolean {
  return record.phase === 'starting' || record.phase === 'running';
}

/**
 * Folds an unexpected exit of the record's container: `restarting`, unhealthy, the next back-off
 * computed and the restart scheduled. Exits of other containers or of stopped instances are
 * ignored (returns the record unchanged).
 */
export function recordExit(
  record: InstanceRecord,
  containerId: string,
  exit: ExitInfo,
  policy: BackoffPolicy,
  now: number,
): InstanceRecord {
  if (!isLive(record) || record.containerId !== containerId) return record;
  const backoffMs = nextBackoff(policy, record.backoffMs, record.healthySince, now);
  const { healthySince: _dropped, message: _message, ...rest } = record;
  return {
    ...rest,
    phase: 'restarting',
    healthy: false,
    failures: 0,
    lastExit: exit,
    backoffMs,
    retryAt: now + backoffMs,
  };
}

/** Folds a start/create failure: `failed`, retried after the next back-off. */
export function recordFailure(
  record: InstanceRecord,
  message: string,
  policy: BackoffPolicy,
  now: number,
): InstanceRecord {
  const backoffMs = nextBackoff(policy, record.backoffMs, undefined, now);
  const { healthySince: _dropped, ...rest } = record;
  return {
    ...rest,
    phase: 'failed',
    healthy: false,
    failures: 0,
    backoffMs,
    retryAt: now + backoffMs,
    message,
  };
}

/**
 * Folds one probe result. A pass makes a starting instance running and healthy; failures flip a
 * running instance to unhealthy only after `unhealthyAfter` in a row (one slow answer is noise).
 */
export function applyProbe(
  record: InstanceRecord,
  ok: boolean,
  unhealthyAfter: number,
  now: number,
  detail = 'health probe failing',
): InstanceRecord {
  if (!isLive(record)) return record;
  if (ok) {
    const becameHealthy = !record.healthy || record.phase === 'starting';
    const { message: _message, ...rest } = record;
    return {
      ...rest,
      phase: 'running',
      healthy: true,
      failures: 0,
      healthySince: becameHealthy ? now : (record.healthySince ?? now),
    };
  }
  const failures = record.failures + 1;
  if (record.healthy && failures >= unhealthyAfter) {
    const { healthySince: _dropped, ...rest } = record;
    return { ...rest, healthy: false, failures, message: `unhealthy: ${detail}` };
  }
  return { ...record, failures };
}
