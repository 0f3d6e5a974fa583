/**
 * Restore into a new deployment (logical restore). `POST /deployments` with `restore_from`
 * checks everything before writing anything: the snapshot record exists, its file is in the
 * repository, matches the recorded SHA-256, passes the stack's own verification (etcd: the
 * SHA-256 trailer and a full read of the database), and the request's stack matches the
 * snapshot's. Then the deployment is created as usual and a restore record `/restores/<id>`
 * (`pending`) is written; the {@link RestoreRunner} waits until the new cluster's instances are
 * routed and healthy, writes every key through the pack's `restore` hook (idempotent puts), and
 * marks the record `done`. An api that crashes mid-way finds the `pending` record on start and
 * runs the restore again from the beginning.
 */
import { WharfError, assertId, isWharfError, type PlanRestore, type SnapshotRecord } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { getStackPack, isStackKind } from '@wharf/stacks';
import { type ZkSession } from '@wharf/zk';
import { type Clock } from '../clock';
import { type SnapshotService } from './service';

/** Parent of the restore records. */
export const RESTORES_ROOT = '/restores';
/** Pause between looks for the new cluster's healthy instances. */
export const RESTORE_POLL_MS = 500;
/** How long a restore waits for the new cluster before it is marked failed (plan timeouts are shorter). */
export const RESTORE_DEADLINE_MS = 15 * 60_000;

/** A restore record. */
export interface RestoreRecord {
  schema_version: 1;
  deployment_id: string;
  from: { deployment: string; snapshot: string };
  sha256: string;
  status: 'pending' | 'done' | 'failed';
  created: string;
  completed?: string;
  keys?: number;
  error?: string;
}

/** `restore_from` of a create request, checked. */
export interface RestoreSource {
  deployment: string;
  snapshot: string;
}

function invalid(path: string, message: string): WharfError {
  return new WharfError('WHARF_VALIDATION', `restore_from: ${message}`, { details: [{ path, message }] });
}

/** Checks the shape of `restore_from` (ids only; existence is checked by {@link checkRestoreSource}). */
export function parseRestoreFrom(value: unknown): RestoreSource {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('restore_from', 'must be an object {deployment, snapshot}');
  }
  const extra = Object.keys(value).filter((k) => k !== 'deployment' && k !== 'snapshot');
  if (extra.length > 0) throw invalid(`restore_from.${extra[0]}`, 'is not a known field');
  const { deployment, snapshot } = value as Record<string, unknown>;
  for (const [field, v] of [
    ['deployment', deployment],
    ['snapshot', snapshot],
  ] as const) {
    try {
      assertId(field, v);
    } catch {
      throw invalid(`restore_from.${field}`, `must be a ${field} id`);
    }
  }
  return { deployment: deployment as string, snapshot: snapshot as string };
}

/** Everything a restore needs, verified; throws a coded error naming the field otherwise. */
export async function checkRestoreSource(
  snapshots: SnapshotService,
  source: RestoreSource,
  requestedKinds: readonly string[],
  organizationId: string | undefined,
): Promise<SnapshotRecord> {
  const field = 'restore_from.snapshot';
  const record = await findSnapshot(snapshots, source, organizationId, field);
  if (!requestedKinds.includes(record.kind)) {
    throw invalid('resources', `the snapshot is of a ${record.kind} deployment`);
  }
  await verifySnapshotFile(snapshots, record, field);
  return record;
}

/**
 * `_restore` in place: snapshot `snapshotId` of the deployment itself, its file present and
 * verified (404 / 422 naming `snapshot`); the `restore` block of the plan that puts it back.
 */
export async function checkInPlaceSnapshot(
  snapshots: SnapshotService,
  deploymentId: string,
  snapshotId: string,
  organizationId: string | undefined,
): Promise<PlanRestore> {
  const source = { deployment: deploymentId, snapshot: snapshotId };
  const record = await findSnapshot(snapshots, source, organizationId, 'snapshot');
  await verifySnapshotFile(snapshots, record, 'snapshot');
  return { snapshot: record.id, sha256: record.sha256, created: record.created };
}

/** The record of a snapshot the caller may see; 404 naming `field` otherwise. */
async function findSnapshot(
  snapshots: SnapshotService,
  source: RestoreSource,
  organizationId: string | undefined,
  field: string,
): Promise<SnapshotRecord> {
  const record = await snapshots.record(source.deployment, source.snapshot);
  // An organization's key sees only its organization's snapshots: another's answers as missing.
  const hidden = organizationId !== undefined && record?.organization_id !== organizationId;
  if (record === undefined || hidden) {
    throw new WharfError('WHARF_NOT_FOUND', `snapshot ${source.snapshot} of ${source.deployment} not found`, {
      details: [{ path: field, message: 'no such snapshot of that deployment' }],
    });
  }
  return record;
}

/** The record's file is in the repository and intact (its SHA-256, the pack's own check). */
async function verifySnapshotFile(
  snapshots: SnapshotService,
  record: SnapshotRecord,
  field: string,
): Promise<void> {
  const repository = await snapshots.repository();
  const file = await repository.localCopy(record.deployment_id, record.id);
  if (file === undefined) {
    throw new WharfError('WHARF_NOT_FOUND', 'snapshot file is missing from the repository', {
      details: [{ path: field, message: 'its file is missing from the repository' }],
    });
  }
  if (!isStackKind(record.kind)) throw invalid(field, `unknown stack ${record.kind}`);
  const corrupt = () =>
    new WharfError('WHARF_SNAPSHOT_CORRUPT', 'snapshot file does not match its recorded SHA-256', {
      details: [{ path: field, message: 'file changed since it was recorded' }],
    });
  let verified;
  try {
    verified = await getStackPack(record.kind).verifySnapshot(file);
  } catch (err) {
    if (isWharfError(err, 'WHARF_SNAPSHOT_CORRUPT')) throw corrupt();
    throw err;
  }
  if (verified.sha256 !== record.sha256) throw corrupt();
}

/** Dependencies of a {@link RestoreRunner}. */
export interface RestoreRunnerDeps {
  zk: ZkSession;
  snapshots: SnapshotService;
  clock: Clock;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/** `idle` → `running` (start) → `closed`. */
export type RestoreRunnerState = 'idle' | 'running' | 'closed';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Carries pending restores to `done`; one task per deployment, resumed on start. */
export class RestoreRunner {
  private state: RestoreRunnerState = 'idle';
  private readonly active = new Map<string, Promise<void>>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: RestoreRunnerDeps) {
    this.sleep = deps.sleep ?? defaultSleep;
  }

  /** Resumes every `pending` record. */
  async start(): Promise<void> {
    this.state = 'running';
    await this.deps.zk.mkdirp(RESTORES_ROOT);
    for (const id of await this.deps.zk.children(RESTORES_ROOT)) this.submit(id);
  }

  /** Writes a `pending` record for `deploymentId` and starts its task. */
  async begin(deploymentId: string, record: SnapshotRecord, source: RestoreSource): Promise<RestoreRecord> {
    const doc: RestoreRecord = {
      schema_version: 1,
      deployment_id: deploymentId,
      from: source,
      sha256: record.sha256,
      status: 'pending',
      created: new Date(this.deps.clock.now()).toISOString(),
    };
    await this.deps.zk.mkdirp(RESTORES_ROOT);
    await this.deps.zk.createJson(`${RESTORES_ROOT}/${assertId('deployment', deploymentId)}`, doc);
    this.submit(deploymentId);
    return doc;
  }

  /** The restore record of a deployment, if any. */
  async get(deploymentId: string): Promise<RestoreRecord | undefined> {
    try {
      const { value } = await this.deps.zk.getJson<RestoreRecord>(
        `${RESTORES_ROOT}/${assertId('deployment', deploymentId)}`,
      );
      return value;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return undefined;
      throw err;
    }
  }

  private submit(deploymentId: string): void {
    if (this.state !== 'running' || this.active.has(deploymentId)) return;
    const task = this.run(deploymentId)
      .catch((err: unknown) =>
        this.deps.logger.warn('restore task stopped', { deployment: deploymentId, err }),
      )
      .finally(() => this.active.delete(deploymentId));
    this.active.set(deploymentId, task);
  }

  private async run(deploymentId: string): Promise<void> {
    const path = `${RESTORES_ROOT}/${assertId('deployment', deploymentId)}`;
    const { value: doc, stat } = await this.deps.zk.getJson<RestoreRecord>(path);
    if (doc.status !== 'pending') return;
    const finish = (change: Partial<RestoreRecord>) =>
      this.deps.zk.setJson(
        path,
        { ...doc, ...change, completed: new Date(this.deps.clock.now()).toISOString() },
        stat.version,
      );
    const deadline = this.deps.clock.now() + RESTORE_DEADLINE_MS;
    while (this.state === 'running') {
      try {
        const pack = await this.deps.snapshots.packOf(deploymentId);
        const members = await this.deps.snapshots.healthyMembers(deploymentId, pack);
        const repository = await this.deps.snapshots.repository();
        const file = await repository.localCopy(doc.from.deployment, doc.from.snapshot);
        if (file === undefined) throw new WharfError('WHARF_NOT_FOUND', 'snapshot file disappeared');
        const result = await pack.restore(file, members, {
          ...this.deps.snapshots.stackOptions(deploymentId),
          logger: this.deps.logger,
        });
        await finish({ status: 'done', keys: result.keys });
        this.deps.logger.info('restore done', { deployment: deploymentId, keys: result.keys });
        return;
      } catch (err) {
        const waiting = isWharfError(err, 'WHARF_UNAVAILABLE', 'WHARF_CONFLICT', 'WHARF_STACK_ERROR');
        if (!waiting || this.deps.clock.now() > deadline) {
          await finish({ status: 'failed', error: err instanceof Error ? err.message : String(err) });
          this.deps.logger.warn('restore failed', { deployment: deploymentId, err });
          return;
        }
      }
      await this.sleep(RESTORE_POLL_MS);
    }
  }

  /** Stops the tasks (a `pending` record is resumed by the next start). */
  async close(): Promise<void> {
    this.state = 'closed';
    await Promise.all(this.active.values());
  }
}
