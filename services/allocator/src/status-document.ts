/** The instance status document the allocator reports, derived purely from its record. */
import { type InstanceState, type InstanceStatus } from '@wharf/model';
import { type InstanceRecord, type Phase } from './instance-record';

/** Longest status `message` the schema accepts. */
const MAX_MESSAGE_LENGTH = 1024;

const STATE_OF_PHASE: Record<Phase, InstanceState> = {
  reserved: 'reserved',
  starting: 'starting',
  running: 'running',
  restarting: 'restarting',
  failed: 'failed',
  stopping: 'stopping',
  stopped: 'stopped',
};

/** The status document for `record`, stamped `updated` at `now`, with its data size when measured. */
export function statusDocument(
  record: InstanceRecord,
  allocatorId: string,
  host: string,
  now: number,
  dataMb?: number,
): InstanceStatus {
  const doc: InstanceStatus = {
    schema_version: 1,
    instance_id: record.instanceId,
    deployment_id: record.deploymentId,
    allocator_id: allocatorId,
    state: STATE_OF_PHASE[record.phase],
    healthy: record.phase === 'running' && record.healthy,
    host,
    ports: { ...record.ports },
    generation: record.generation,
    restarts: record.restarts,
    updated: new Date(now).toISOString(),
  };
  if (record.containerId !== undefined) doc.runtime_id = record.containerId;
  if (record.lastExit) {
    doc.last_exit = {
      code: record.lastExit.code,
      signal: record.lastExit.signal,
      at: new Date(record.lastExit.at).toISOString(),
    };
  }
  if (record.message !== undefined) doc.message = record.message.slice(0, MAX_MESSAGE_LENGTH);
  if (dataMb !== undefined) doc.data_mb = dataMb;
  return doc;
}

/** True when two status documents say the same thing (`updated` aside): no write needed. */
export function sameStatus(a: InstanceStatus | undefined, b: InstanceStatus | undefined): boolean {
  if (!a || !b) return a === b;
  return canonical({ ...a, updated: '' }) === canonical({ ...b, updated: '' });
}

/** JSON with object keys sorted, so documents read back from ZooKeeper compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
