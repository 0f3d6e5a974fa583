/**
 * `GET/POST /deployments/{id}/snapshots`. The api takes a snapshot itself, synchronously, while
 * the request waits: a snapshot is a read of the stack's own API (data path, like the proxy's),
 * changes no plan, and needs no placement, so routing it through the constructor's plan loop would
 * only add latency and a queue. Crash safety comes from the order of writes: the pack writes the
 * file under a temp name, fsyncs and renames it; the file is verified again; only then is the
 * record znode `/snapshots/<deployment>/<snapshot>` created. A crash before the record leaves at
 * most an unlisted file, never a record without its file. Records live outside
 * `/deployments/<id>` so they outlive the deployment (restore after delete).
 */
import {
  WharfError,
  isSnapshotRecord,
  isWharfError,
  listResources,
  newSnapshotId,
  paths,
  snapshotRecordPath,
  validateDocument,
  type RouteEntry,
  type SnapshotRecord,
  type SnapshotTrigger,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import {
  configuredRepository,
  getStackPack,
  isStackKind,
  platformStackCredentials,
  storeVerifiedSnapshot,
  type HookOptions,
  type MemberEndpoint,
  type SnapshotRepository,
  type StackPack,
} from '@wharf/stacks';
import { type ZkSession } from '@wharf/zk';
import { type Clock } from '../clock';
import { type ServiceResponse } from '../http/send';
import { type DeploymentStore } from '../store/types';
import { snapshotsInUse } from './in-use';
import { toPrune } from './schedule';

/** Most records listed for one deployment (newest first). */
export const MAX_LISTED_SNAPSHOTS = 500;

/** Dependencies of a {@link SnapshotService}. */
export interface SnapshotServiceDeps {
  zk: ZkSession;
  deployments: DeploymentStore;
  clock: Clock;
  logger: Logger;
  /** The platform secret: snapshots and restores of a deployment with authentication on need it. */
  secret?: string;
}

/** Snapshots: take, list, and look one up for a restore. */
export class SnapshotService {
  constructor(private readonly deps: SnapshotServiceDeps) {}

  /** The installation's repository; `WHARF_SNAPSHOT_UNSUPPORTED` when none is configured. */
  async repository(): Promise<SnapshotRepository> {
    const { value } = await this.deps.zk.getJson(paths.platformConfig());
    const checked = validateDocument('platform-config', value);
    return configuredRepository(checked.ok ? checked.value : undefined);
  }

  /** Every readable record of a deployment, newest first. */
  async records(deploymentId: string): Promise<SnapshotRecord[]> {
    let names: string[];
    try {
      names = await this.deps.zk.children(snapshotRecordPath(deploymentId));
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return [];
      throw err;
    }
    const records = await Promise.all(names.map((name) => this.record(deploymentId, name)));
    return records
      .filter((r): r is SnapshotRecord => r !== undefined)
      .sort((a, b) => (a.created === b.created ? (a.id < b.id ? 1 : -1) : a.created < b.created ? 1 : -1))
      .slice(0, MAX_LISTED_SNAPSHOTS);
  }

  /** One record, or undefined when missing or unreadable (logged). */
  async record(deploymentId: string, snapshotId: string): Promise<SnapshotRecord | undefined> {
    try {
      const { value } = await this.deps.zk.getJson(snapshotRecordPath(deploymentId, snapshotId));
      if (isSnapshotRecord(value)) return value;
      this.deps.logger.warn('unreadable snapshot record skipped', { deployment: deploymentId, snapshotId });
      return undefined;
    } catch (err) {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE', 'WHARF_INVALID_ID')) return undefined;
      throw err;
    }
  }

  /** `GET /deployments/:id/snapshots`: also answers for a deleted deployment that left snapshots. */
  async list(deploymentId: string): Promise<ServiceResponse> {
    const records = await this.records(deploymentId);
    if (records.length === 0 && (await this.deps.deployments.get(deploymentId)) === undefined) {
      throw deploymentNotFound(deploymentId);
    }
    return { status: 200, body: { snapshots: records.map(view) } };
  }

  /** `POST /deployments/:id/snapshots`: takes one now from a healthy instance (or on schedule). */
  async take(deploymentId: string, trigger?: SnapshotTrigger): Promise<ServiceResponse> {
    const record = await this.deps.deployments.get(deploymentId);
    if (record === undefined || record.value.deleting === true) throw deploymentNotFound(deploymentId);
    const pack = await this.packOf(deploymentId);
    const members = await this.healthyMembers(deploymentId, pack);
    const repository = await this.repository();
    const id = newSnapshotId(this.deps.clock.now());
    let last: unknown;
    for (const member of members) {
      try {
        const target = { deploymentId, snapshotId: id, member };
        const verified = await storeVerifiedSnapshot(
          pack,
          repository,
          target,
          this.stackOptions(deploymentId),
        );
        const stored: SnapshotRecord = {
          schema_version: 1,
          id,
          deployment_id: deploymentId,
          kind: pack.kind,
          status: 'success',
          created: new Date(this.deps.clock.now()).toISOString(),
          bytes: verified.bytes,
          sha256: verified.sha256,
          instance_id: member.name,
          repository: repository.location,
          ...(record.value.organization_id ? { organization_id: record.value.organization_id } : {}),
          ...(trigger === undefined ? {} : { trigger }),
        };
        await this.deps.zk.mkdirp(snapshotRecordPath(deploymentId));
        await this.deps.zk.createJson(snapshotRecordPath(deploymentId, id), stored);
        this.deps.logger.info('snapshot taken', {
          deployment: deploymentId,
          snapshotId: id,
          bytes: stored.bytes,
        });
        return { status: 201, body: view(stored) };
      } catch (err) {
        last = err;
        await repository.remove(deploymentId, id);
        if (!isWharfError(err, 'WHARF_STACK_ERROR')) throw err;
        this.deps.logger.warn('snapshot from one instance failed', {
          deployment: deploymentId,
          instance: member.name,
        });
      }
    }
    throw new WharfError('WHARF_UNAVAILABLE', 'no instance could be snapshotted', {
      details: [{ path: 'id', message: 'no instance answered the snapshot' }],
      cause: last,
    });
  }

  /**
   * Deletes a snapshot: its record first, then its file (a file without a record is only an
   * unlisted file; a record without its file would be listed and fail to restore).
   */
  async remove(deploymentId: string, snapshotId: string): Promise<void> {
    await this.deps.zk.delete(snapshotRecordPath(deploymentId, snapshotId)).catch((err: unknown) => {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
    });
    await (await this.repository()).remove(deploymentId, snapshotId);
  }

  /** Hook options for the deployment's stack: the platform's credentials when a secret is set. */
  stackOptions(deploymentId: string): HookOptions {
    const { secret } = this.deps;
    return secret === undefined ? {} : { credentials: platformStackCredentials(secret, deploymentId) };
  }

  /** The resource `refId` of the deployment's current (else pending) plan; undefined when none. */
  async resourceOf(
    deploymentId: string,
    refId: string,
  ): Promise<{ kind: string; ref_id: string } | undefined> {
    const plans = await this.deps.deployments.plans(deploymentId);
    const resources = plans.current?.resources ?? plans.pending?.value.resources;
    return resources === undefined ? undefined : listResources(resources).find((r) => r.ref_id === refId);
  }

  /**
   * `DELETE /deployments/:id/snapshots/:snapshot`: 404 naming `snapshot` when there is no such
   * record (or it is another organization's), 409 while a restore uses it; then {@link remove}.
   */
  async delete(deploymentId: string, snapshotId: string, organizationId?: string): Promise<ServiceResponse> {
    const record = await this.record(deploymentId, snapshotId);
    if (record === undefined || (organizationId !== undefined && record.organization_id !== organizationId)) {
      throw new WharfError('WHARF_NOT_FOUND', `snapshot ${snapshotId} of ${deploymentId} not found`, {
        details: [{ path: 'snapshot', message: 'no such snapshot of that deployment' }],
      });
    }
    if ((await snapshotsInUse(this.deps.zk, this.deps.deployments, deploymentId)).has(snapshotId)) {
      throw new WharfError('WHARF_CONFLICT', `snapshot ${snapshotId} is being restored`, {
        details: [{ path: 'snapshot', message: 'a restore in progress reads it' }],
      });
    }
    await this.remove(deploymentId, snapshotId);
    this.deps.logger.info('snapshot deleted', { deployment: deploymentId, snapshotId });
    return { status: 200, body: view(record) };
  }

  /**
   * Retention (`schedule.ts` {@link toPrune}): deletes the scheduled and before-change snapshots
   * beyond `retention` each, except the newest and any a restore uses; returns their ids. Reads
   * the records only when there are more than `retention` (nothing can be pruned otherwise).
   */
  async prune(deploymentId: string, retention: number): Promise<string[]> {
    const names = await this.deps.zk.children(snapshotRecordPath(deploymentId)).catch((err: unknown) => {
      if (isWharfError(err, 'WHARF_ZK_NO_NODE')) return [];
      throw err;
    });
    if (names.length <= retention) return [];
    const inUse = await snapshotsInUse(this.deps.zk, this.deps.deployments, deploymentId);
    const ids = toPrune(await this.records(deploymentId), retention, inUse);
    for (const id of ids) await this.remove(deploymentId, id);
    return ids;
  }

  /** The pack of the deployment's (single) resource; `WHARF_SNAPSHOT_UNSUPPORTED` for http. */
  async packOf(deploymentId: string): Promise<StackPack> {
    const plans = await this.deps.deployments.plans(deploymentId);
    const resources = plans.current?.resources ?? plans.pending?.value.resources;
    const kind = resources === undefined ? undefined : listResources(resources)[0]?.kind;
    if (kind === undefined || !isStackKind(kind)) {
      throw new WharfError('WHARF_CONFLICT', `deployment ${deploymentId} has no running resource yet`, {
        details: [{ path: 'id', message: 'has no plan with a resource' }],
      });
    }
    const pack = getStackPack(kind);
    if (!pack.snapshots) {
      throw new WharfError('WHARF_SNAPSHOT_UNSUPPORTED', `${kind} deployments have no snapshots`, {
        details: [{ path: 'id', message: `is a ${kind} deployment` }],
      });
    }
    return pack;
  }

  /** Healthy routed instances as pack endpoints; `WHARF_UNAVAILABLE` when there is none. */
  async healthyMembers(
    deploymentId: string,
    pack: StackPack,
    purpose = 'snapshot',
  ): Promise<MemberEndpoint[]> {
    let route: RouteEntry | undefined;
    try {
      const { value } = await this.deps.zk.getJson(paths.route(deploymentId));
      const checked = validateDocument('route', value);
      route = checked.ok ? checked.value : undefined;
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NO_NODE')) throw err;
    }
    const members = (route?.instances ?? [])
      .filter((i) => i.healthy)
      .map((i) => ({ name: i.instance_id, host: i.host, ports: { [pack.routePort]: i.port } }));
    if (members.length === 0) {
      throw new WharfError('WHARF_UNAVAILABLE', `deployment ${deploymentId} has no healthy instance`, {
        details: [{ path: 'id', message: `no healthy instance to ${purpose}` }],
      });
    }
    return members;
  }
}

function view(r: SnapshotRecord) {
  return {
    id: r.id,
    deployment_id: r.deployment_id,
    kind: r.kind,
    status: r.status,
    created: r.created,
    bytes: r.bytes,
    sha256: r.sha256,
    instance_id: r.instance_id,
    organization_id: r.organization_id ?? null,
    trigger: r.trigger ?? 'request',
  };
}

function deploymentNotFound(id: string): WharfError {
  return new WharfError('WHARF_NOT_FOUND', `deployment ${id} not found`, {
    details: [{ path: 'id', message: 'no such deployment' }],
  });
}
