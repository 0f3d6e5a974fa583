/**
 * The record of a snapshot, `/snapshots/<deployment>/<snapshot>`: written by whoever took the
 * snapshot (the api on request or on schedule, the constructor before a destructive step) only
 * after the file is in the repository and verified. Records live outside `/deployments/<id>` so
 * they outlive the deployment (restore after delete).
 */
import { randomBytes } from 'node:crypto';
import { assertId } from './ids';

/** Parent of every deployment's snapshot records. */
export const SNAPSHOTS_ROOT = '/snapshots';

/**
 * Why a snapshot was taken; absent: on request. `schedule`: the scheduler (retention prunes only
 * those); `before-change`: the constructor, before a plan removed instances.
 */
export type SnapshotTrigger = 'schedule' | 'before-change';

/** A stored snapshot record. */
export interface SnapshotRecord {
  schema_version: 1;
  id: string;
  deployment_id: string;
  kind: string;
  status: 'success';
  created: string;
  bytes: number;
  sha256: string;
  /** The instance the snapshot was streamed from. */
  instance_id: string;
  /** The organization owning the source deployment (restores by its keys only); absent: the platform's. */
  organization_id?: string;
  repository: string;
  trigger?: SnapshotTrigger;
}

/** True for a readable record (the fields a listing and a restore rely on). */
export function isSnapshotRecord(value: unknown): value is SnapshotRecord {
  const v = value as Partial<SnapshotRecord> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.schema_version === 1 &&
    typeof v.id === 'string' &&
    typeof v.deployment_id === 'string' &&
    typeof v.kind === 'string' &&
    typeof v.created === 'string' &&
    typeof v.bytes === 'number' &&
    typeof v.sha256 === 'string'
  );
}

/** Record path; ids are checked before they become znode names. */
export function snapshotRecordPath(deploymentId: string, snapshotId?: string): string {
  const base = `${SNAPSHOTS_ROOT}/${assertId('deployment', deploymentId)}`;
  return snapshotId === undefined ? base : `${base}/${assertId('snapshot', snapshotId)}`;
}

/** A new snapshot id: sortable by time, unique by 24 random bits. */
export function newSnapshotId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:.]/g, '').toLowerCase();
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
