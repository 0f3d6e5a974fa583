/**
 * Recovery after an allocator (re)start: rebuilds instance records from this allocator's own
 * status znodes and the containers its runtime still has, so ports are never handed out twice
 * and running instances are adopted, not restarted.
 */
import { type InstanceStatus } from '@wharf/model';
import { type ExitInfo, type InstanceRecord } from './instance-record';
import { type PortMap } from './ports';
import { type ObservedContainer } from './reconcile';

/** A container with what its `wharf.*` labels say. */
export interface LabelledContainer extends ObservedContainer {
  deploymentId?: string;
  fingerprint?: string;
  generation?: number;
  ports?: PortMap;
}

/** Records for every instance a status znode or a container of this allocator mentions. */
export function recoverRecords(
  statuses: ReadonlyMap<string, InstanceStatus>,
  containers: readonly LabelledContainer[],
  now: number,
): Map<string, InstanceRecord> {
  const records = new Map<string, InstanceRecord>();
  const ids = new Set([...statuses.keys(), ...containers.map((c) => c.instanceId)]);
  for (const instanceId of ids) {
    const status = statuses.get(instanceId);
    const mine = containers.filter((c) => c.instanceId === instanceId);
    const record = recoverOne(instanceId, status, pickContainer(mine, status?.runtime_id), now);
    if (record) records.set(instanceId, record);
  }
  return records;
}

function pickContainer(
  containers: LabelledContainer[],
  runtimeId: string | undefined,
): LabelledContainer | undefined {
  return (
    containers.find((c) => c.running && c.id === runtimeId) ??
    containers.find((c) => c.running) ??
    containers.find((c) => c.id === runtimeId) ??
    containers[0]
  );
}

function recoverOne(
  instanceId: string,
  status: InstanceStatus | undefined,
  container: LabelledContainer | undefined,
  now: number,
): InstanceRecord | undefined {
  const ports = status?.ports ?? container?.ports ?? {};
  const deploymentId = status?.deployment_id ?? container?.deploymentId;
  if (deploymentId === undefined) return undefined;
  const base = {
    instanceId,
    deploymentId,
    ports: { ...ports },
    generation: status?.generation ?? container?.generation ?? 0,
    restarts: status?.restarts ?? 0,
    failures: 0,
    backoffMs: 0,
    ...(status?.last_exit ? { lastExit: exitFromStatus(status.last_exit) } : {}),
  };
  if (container?.running) {
    const healthy = status?.state === 'running' && status.healthy;
    return {
      ...base,
      phase: status?.state === 'running' ? 'running' : 'starting',
      healthy,
      containerId: container.id,
      ...(container.fingerprint === undefined ? {} : { fingerprint: container.fingerprint }),
      ...(healthy ? { healthySince: now } : {}),
    };
  }
  if (!container && (status === undefined || status.state === 'reserved' || status.state === 'stopped')) {
    return { ...base, phase: status?.state === 'stopped' ? 'stopped' : 'reserved', healthy: false };
  }
  // It ran before and is not running now: restart it on the same ports, without waiting.
  return {
    ...base,
    phase: 'restarting',
    healthy: false,
    retryAt: now,
    ...(container ? { containerId: container.id } : {}),
    ...(container?.exit ? { lastExit: container.exit } : {}),
  };
}

function exitFromStatus(exit: NonNullable<InstanceStatus['last_exit']>): ExitInfo {
  return { code: exit.code, signal: exit.signal, at: Date.parse(exit.at) };
}
