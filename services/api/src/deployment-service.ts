/**
 * What the deployment routes do, between parsed input and the store: build documents, check
 * versions and states, and retry a conditional write when something else moved in between.
 * Every check runs before the first write, so a rejected request writes nothing.
 */
import {
  WharfError,
  isWharfError,
  listResources,
  newDeploymentId,
  type Deployment,
  type DeploymentCreateRequest,
  type Resources,
} from '@wharf/model';
import { type Clock } from './clock';
import { withCredentials } from './credentials/service';
import { type ServiceResponse } from './http/send';
import { type ApiMetrics } from './metrics';
import {
  newDeployment,
  newPlan,
  desiredResources,
  restartResources,
  updatedDeployment,
  type RestartGroupBy,
  type SupportedVersions,
} from './domain/plans';
import { bodyHash, isMarkerExpired, requestIdHash, type RequestMarker } from './domain/request-marker';
import { checkNotShutDown, keepStopped, restartOfStopped, withShutDown } from './domain/actions';
import { DeploymentListing } from './deployment-list-service';
import {
  checkConfigurations,
  resolveCreateRequest,
  validateRequest,
  type CatalogLookup,
} from './domain/validation';
import {
  attemptSummary,
  deploymentStatus,
  endpointUrl,
  heartbeatView,
  instancesHealthy,
  instancesOf,
  mergeAttempts,
} from './domain/views';
import {
  type CreateDeploymentOutcome,
  type DeploymentStore,
  type PlatformStore,
  type StoredMarker,
  type Versioned,
} from './store/types';

/** Conditional writes retried when the pending plan moved under us (the constructor finishing a plan). */
export const MAX_WRITE_ATTEMPTS = 5;
/**
 * Create attempts: a generated deployment id that is taken (64 random bits: never, in practice)
 * or a request-id marker that moved under us (a concurrent create, discard or sweep) starts over.
 */
const MAX_CREATE_ATTEMPTS = 5;

/** Dependencies of a {@link DeploymentService}. */
export interface DeploymentServiceDeps {
  deployments: DeploymentStore;
  platform: PlatformStore;
  clock: Clock;
  metrics: ApiMetrics;
  supportedVersions: SupportedVersions;
  /** Endpoint URL template with `{id}`. */
  publicProxyUrl: string;
  /** How long a request-id marker makes creates idempotent (ms). */
  requestIdTtlMs: number;
  /** Organizations' quotas; without it, none are enforced. */
  quotas?: QuotaCheck;
  /** Instance configurations and templates that requests name. */
  catalog: CatalogLookup;
  /** The platform secret: etcd resources' first root password is derived from it (`credentials/`). */
  platformSecret?: string;
}

/** Options of a create. */
export interface CreateOptions {
  requestId?: string;
  validateOnly: boolean;
  owner?: string;
  /** The organization of the key that creates it: owns it, and its quotas apply. */
  organizationId?: string;
}

/** The quota check of an organization (`organization-service.ts`). */
export interface QuotaCheck {
  checkQuota(organizationId: string, resources: Resources | undefined, replacing?: string): Promise<void>;
}

function resourceHeaders(d: Deployment, version: number): Record<string, string> {
  return {
    'x-cloud-resource-created': d.created,
    'x-cloud-resource-last-modified': d.updated,
    'x-cloud-resource-version': String(version),
  };
}

function notFound(id: string): WharfError {
  return new WharfError('WHARF_NOT_FOUND', `deployment ${id} not found`, {
    details: [{ path: 'id', message: 'no such deployment' }],
  });
}

/** Deployments: create, list, show, update, delete, plans, activity, cancel. */
export class DeploymentService {
  /** `GET /deployments` and `POST /deployments/_search`. */
  readonly listing: DeploymentListing;

  constructor(private readonly deps: DeploymentServiceDeps) {
    this.listing = new DeploymentListing(deps);
  }

  /** `POST /deployments`. */
  async create(body: unknown, options: CreateOptions): Promise<ServiceResponse> {
    const request = await resolveCreateRequest(body, this.deps.supportedVersions, this.deps.catalog);
    if (options.validateOnly) return { status: 200, body: { valid: true } };
    // Checked before the first write (not in its transaction: two creates racing for the last of
    // a quota can both pass; quotas bound tenants, they are not a lock).
    if (options.organizationId !== undefined)
      await this.deps.quotas?.checkQuota(options.organizationId, request.resources as Resources);
    const digest = bodyHash(request);
    const hash = options.requestId === undefined ? undefined : requestIdHash(options.requestId);
    for (let attempt = 1; ; attempt++) {
      if (hash !== undefined) {
        const stored = await this.deps.deployments.requestMarker(hash);
        if (stored !== undefined && !this.expired(stored)) return this.replay(stored.marker, digest, request);
        // Expired: the request id may be used again. Remove the old marker so the create's
        // transaction can write the new one; if that loses a race, the next attempt re-reads.
        if (stored !== undefined) await this.deps.deployments.discardMarker(hash, stored.revision);
      }
      const draft = this.draftCreate(request, options, digest);
      let outcome: CreateDeploymentOutcome;
      try {
        outcome = await this.deps.deployments.create({
          deployment: draft.deployment,
          pending: draft.pending,
          ...(hash === undefined ? {} : { marker: { requestIdHash: hash, marker: draft.marker } }),
        });
      } catch (err) {
        // WHARF_CONFLICT here means "the generated id was taken" (or a marker vanished): new id.
        if (!isWharfError(err, 'WHARF_CONFLICT') || attempt >= MAX_CREATE_ATTEMPTS) throw err;
        continue;
      }
      if (!outcome.created) {
        if (!this.expired(outcome.marker)) return this.replay(outcome.marker.marker, digest, request);
        if (attempt >= MAX_CREATE_ATTEMPTS) {
          throw new WharfError('WHARF_CONFLICT', 'request_id marker keeps changing; retry', {
            details: [{ path: 'request_id', message: 'is being used concurrently' }],
          });
        }
        continue;
      }
      this.deps.metrics.deploymentWrites.inc({ action: 'create' });
      const body = withCredentials(this.deps.platformSecret, draft.response, request.resources as Resources);
      return { status: 201, body, headers: resourceHeaders(draft.deployment, outcome.version) };
    }
  }

  private expired(stored: StoredMarker): boolean {
    // An unparseable `created` counts as expired; ctime is not known here and not needed.
    return isMarkerExpired(stored.marker, 0, this.deps.requestIdTtlMs, this.deps.clock.now());
  }

  /** The documents and the response of a create under a fresh id. */
  private draftCreate(request: DeploymentCreateRequest, options: CreateOptions, digest: string) {
    const now = new Date(this.deps.clock.now());
    const id = newDeploymentId();
    const deployment = {
      ...newDeployment(id, request, now, options.owner, options.requestId),
      ...(options.organizationId === undefined ? {} : { organization_id: options.organizationId }),
    };
    const pending = newPlan(id, request.resources, 'create', now, options.requestId);
    const response = {
      id,
      name: deployment.name,
      created: deployment.created,
      endpoint: endpointUrl(this.deps.publicProxyUrl, id),
      plan_id: pending.plan_id,
      resources: listResources(request.resources).map((r) => ({ kind: r.kind, ref_id: r.ref_id })),
    };
    const marker: RequestMarker = {
      schema_version: 1,
      deployment_id: id,
      body_sha256: digest,
      created: deployment.created,
      response,
    };
    return { deployment, pending, response, marker };
  }

  private replay(marker: RequestMarker, digest: string, request: { resources: unknown }): ServiceResponse {
    if (marker.body_sha256 !== digest) {
      throw new WharfError('WHARF_CONFLICT', 'request_id was already used with a different request body', {
        details: [{ path: 'request_id', message: 'already used with a different request body' }],
      });
    }
    const body = withCredentials(this.deps.platformSecret, marker.response, request.resources as Resources);
    return { status: 200, body, headers: { 'x-cloud-resource-created': marker.created } };
  }

  private async record(id: string): Promise<Versioned<Deployment>> {
    const record = await this.deps.deployments.get(id);
    if (record === undefined) throw notFound(id);
    return record;
  }

  /** `GET /deployments/:id`: record, plan state, instances, endpoint, health. */
  async show(id: string): Promise<ServiceResponse> {
    const record = await this.record(id);
    const [plans, allocators, availability] = await Promise.all([
      this.deps.deployments.plans(id),
      this.deps.platform.allocators(),
      this.deps.deployments.availability?.(id),
    ]);
    const latest = plans.attempt ?? (await this.deps.deployments.history(id, 1))[0];
    const planNodes = [...(plans.pending ? ['pending'] : []), ...(plans.current ? ['current'] : [])];
    const status = withShutDown(deploymentStatus(record.value, planNodes), plans.current);
    const instances = instancesOf(id, allocators);
    const { schema_version: _schemaVersion, ...fields } = record.value;
    const body = {
      ...fields,
      deleting: record.value.deleting === true,
      version: record.version,
      status,
      healthy: status !== 'deleting' && instancesHealthy(instances),
      endpoint: endpointUrl(this.deps.publicProxyUrl, id),
      ...heartbeatView(availability, this.deps.clock.now()),
      plan: {
        pending: plans.pending?.value ?? null,
        current: plans.current ?? null,
        latest_attempt: latest === undefined ? null : attemptSummary(latest),
      },
      instances,
    };
    return { status: 200, body, headers: resourceHeaders(record.value, record.version) };
  }

  /** `PUT /deployments/:id`: record + pending plan in one conditional transaction. */
  async update(id: string, body: unknown, expectedVersion: number | undefined): Promise<ServiceResponse> {
    const request = validateRequest('deployment-update-request', body, this.deps.supportedVersions);
    return this.writeWithRetry(id, expectedVersion, 'update', async (record, plans) => {
      if (record.value.deleting === true) {
        throw new WharfError('WHARF_CONFLICT', `deployment ${id} is being deleted`, {
          details: [{ path: 'id', message: 'is being deleted' }],
        });
      }
      const now = new Date(this.deps.clock.now());
      const basePlan = plans.pending?.value ?? plans.current;
      checkNotShutDown(id, basePlan);
      const base = basePlan?.resources;
      const resources = desiredResources(request, base);
      // Merged-in orphans can exceed per-stack limits: validate the result as a request again.
      validateRequest('deployment-update-request', { ...request, resources }, this.deps.supportedVersions);
      await checkConfigurations(resources as Resources, this.deps.catalog);
      const organization = record.value.organization_id;
      if (organization !== undefined) await this.deps.quotas?.checkQuota(organization, resources, id);
      return {
        deployment: updatedDeployment(record.value, request, now),
        pending: keepStopped(newPlan(id, resources, 'update', now), basePlan),
      };
    });
  }

  /** `DELETE /deployments/:id`: `deleting: true` and a shutdown plan; idempotent. */
  async remove(id: string): Promise<ServiceResponse> {
    return this.writeWithRetry(id, undefined, 'delete', async (record, plans) => {
      if (record.value.deleting === true && plans.pending?.value.shutdown === true) return undefined;
      const now = new Date(this.deps.clock.now());
      return {
        deployment: { ...record.value, deleting: true, updated: now.toISOString() },
        pending: newPlan(id, {}, 'delete', now),
      };
    });
  }

  /**
   * `POST /deployments/:id/_restart`: a pending plan equal to the latest one (pending, else
   * current), applied as a rolling replacement of every instance, `groupBy` at a time. It is an
   * attempt like any other: it shows in the activity log and resumes after a constructor crash.
   */
  async restart(id: string, groupBy: RestartGroupBy): Promise<ServiceResponse> {
    return this.writeWithRetry(id, undefined, 'restart', async (record, plans) => {
      if (record.value.deleting === true) {
        throw new WharfError('WHARF_CONFLICT', `deployment ${id} is being deleted`, {
          details: [{ path: 'id', message: 'is being deleted' }],
        });
      }
      const now = new Date(this.deps.clock.now());
      const started = restartOfStopped(plans.pending?.value ?? plans.current, now);
      if (started) return { deployment: { ...record.value, updated: now.toISOString() }, pending: started };
      const base = plans.pending?.value.resources ?? plans.current?.resources;
      if (base === undefined || Object.keys(base).length === 0) {
        throw new WharfError('WHARF_CONFLICT', `deployment ${id} runs nothing to restart`, {
          details: [{ path: 'id', message: 'has no plan with resources' }],
        });
      }
      return {
        deployment: { ...record.value, updated: now.toISOString() },
        pending: newPlan(id, restartResources(base, groupBy), 'restart', now),
      };
    });
  }

  private async writeWithRetry(
    id: string,
    expectedVersion: number | undefined,
    action: 'update' | 'delete' | 'restart',
    build: (
      record: Versioned<Deployment>,
      plans: Awaited<ReturnType<DeploymentStore['plans']>>,
    ) => Promise<{ deployment: Deployment; pending: ReturnType<typeof newPlan> } | undefined>,
  ): Promise<ServiceResponse> {
    for (let attempt = 1; ; attempt++) {
      const record = await this.record(id);
      if (expectedVersion !== undefined && record.version !== expectedVersion)
        throw versionConflict(id, record.version);
      const plans = await this.deps.deployments.plans(id);
      const change = await build(record, plans);
      if (change === undefined) {
        return { status: 202, body: accepted(record.value, record.version, plans.pending?.value.plan_id) };
      }
      try {
        const version = await this.deps.deployments.writePlan(id, {
          deployment: change.deployment,
          deploymentVersion: record.version,
          pending: change.pending,
          pendingVersion: plans.pending?.version,
        });
        this.deps.metrics.deploymentWrites.inc({ action });
        return {
          status: 202,
          body: accepted(change.deployment, version, change.pending.plan_id),
          headers: resourceHeaders(change.deployment, version),
        };
      } catch (err) {
        if (isWharfError(err, 'WHARF_VERSION_CONFLICT') && expectedVersion !== undefined) throw err;
        const retryable = isWharfError(err, 'WHARF_VERSION_CONFLICT', 'WHARF_CONFLICT');
        if (!retryable || attempt >= MAX_WRITE_ATTEMPTS) throw err;
      }
    }
  }

  /** `GET /deployments/:id/plan`. */
  async plans(id: string): Promise<ServiceResponse> {
    await this.record(id);
    const plans = await this.deps.deployments.plans(id);
    return { status: 200, body: { pending: plans.pending?.value ?? null, current: plans.current ?? null } };
  }

  /** `GET /deployments/:id/plan/activity`: running attempt first, then history, newest first. */
  async activity(id: string, size: number): Promise<ServiceResponse> {
    await this.record(id);
    const [plans, history] = await Promise.all([
      this.deps.deployments.plans(id),
      this.deps.deployments.history(id, size),
    ]);
    return { status: 200, body: { attempts: mergeAttempts(plans.attempt, history, size) } };
  }

  /** `DELETE /deployments/:id/plan/pending`. */
  async cancel(id: string): Promise<ServiceResponse> {
    await this.record(id);
    const cancelled = await this.deps.deployments.cancelPending(id);
    if (cancelled === undefined) {
      throw new WharfError('WHARF_NOT_FOUND', `deployment ${id} has no pending plan`, {
        details: [{ path: 'pending', message: 'no pending plan' }],
      });
    }
    this.deps.metrics.deploymentWrites.inc({ action: 'cancel' });
    return { status: 200, body: { id, cancelled } };
  }
}

function accepted(d: Deployment, version: number, planId: string | undefined) {
  return { id: d.id, name: d.name, deleting: d.deleting === true, version, plan_id: planId ?? null };
}

function versionConflict(id: string, current: number): WharfError {
  return new WharfError('WHARF_VERSION_CONFLICT', `deployment ${id} is at version ${current}`, {
    details: [{ path: 'version', message: `is stale: the deployment is at version ${current}` }],
  });
}
