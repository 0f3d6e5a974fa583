/**
 * What the organization routes do: create, list, show (with usage), set quotas (refused below
 * current use), delete (refused while it owns deployments), and the quota check that deployment
 * creates and resizes run before they write.
 */
import { WharfError, isWharfError, type EventInput, type Organization, type Resources } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock } from './clock';
import {
  MAX_ORGANIZATIONS,
  parseOrganizationRequest,
  parseQuotas,
  planMemoryMb,
  quotaBelowUse,
  quotaBlocker,
  type Usage,
} from './domain/organizations';
import { type ServiceResponse } from './http/send';
import { type DeploymentStore } from './store/types';
import { type OrganizationStore } from './store/zk-organizations';

/** Dependencies of an {@link OrganizationService}. */
export interface OrganizationServiceDeps {
  organizations: OrganizationStore;
  deployments: DeploymentStore;
  clock: Clock;
  logger: Logger;
  /** Where a refusal for quota is reported (`quota-reached`); none: not reported. */
  events?: { emit(input: EventInput): void };
}

/** One `quota-reached` event per organization per this long: a client retrying in a loop pages once. */
export const QUOTA_EVENT_INTERVAL_MS = 10 * 60_000;

/** The 404 for an organization that does not exist or that the caller may not see. */
export function organizationNotFound(id: string, field = 'id'): WharfError {
  return new WharfError('WHARF_NOT_FOUND', `organization ${id} not found`, {
    details: [{ path: field, message: 'no such organization' }],
  });
}

/** `/organizations` and the quota checks. */
export class OrganizationService {
  /** When each organization's last `quota-reached` event was emitted (this process only). */
  private readonly quotaReported = new Map<string, number>();

  constructor(private readonly deps: OrganizationServiceDeps) {}

  private reportQuota(organization: string, message: string): void {
    const now = this.deps.clock.now();
    const last = this.quotaReported.get(organization);
    if (last !== undefined && now - last < QUOTA_EVENT_INTERVAL_MS) return;
    this.quotaReported.set(organization, now);
    this.deps.events?.emit({
      type: 'quota-reached',
      severity: 'warning',
      organization_id: organization,
      message,
    });
  }

  async create(body: Record<string, unknown>): Promise<ServiceResponse> {
    const request = parseOrganizationRequest(body);
    if ((await this.deps.organizations.list()).length >= MAX_ORGANIZATIONS) {
      throw new WharfError('WHARF_CONFLICT', `at most ${MAX_ORGANIZATIONS} organizations`, {
        details: [{ path: 'body', message: `the installation already has ${MAX_ORGANIZATIONS}` }],
      });
    }
    const organization: Organization = {
      schema_version: 1,
      id: request.id,
      name: request.name,
      created: new Date(this.deps.clock.now()).toISOString(),
      quotas: request.quotas,
    };
    try {
      await this.deps.organizations.create(organization);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) throw err;
      throw new WharfError('WHARF_CONFLICT', `organization ${request.id} exists`, {
        details: [{ path: 'id', message: 'already exists' }],
      });
    }
    this.deps.logger.info('organization created', { organization: organization.id });
    return { status: 201, body: view(organization, { memory_mb: 0, deployments: 0 }) };
  }

  /** Every organization, or only `scope` for an organization's key. */
  async list(scope: string | undefined): Promise<ServiceResponse> {
    const all = (await this.deps.organizations.list()).filter((o) => scope === undefined || o.id === scope);
    all.sort((a, b) => (a.id < b.id ? -1 : 1));
    return { status: 200, body: { organizations: all.map((o) => view(o)) } };
  }

  async show(id: string): Promise<ServiceResponse> {
    const organization = await this.get(id);
    return { status: 200, body: view(organization, await this.usage(id)) };
  }

  /** Replaces the quotas; refused (409 naming the quota) when below what is in use. */
  async setQuotas(id: string, body: Record<string, unknown>): Promise<ServiceResponse> {
    const quotas = parseQuotas(body);
    const stored = await this.deps.organizations.get(id);
    if (stored === undefined) throw organizationNotFound(id);
    const usage = await this.usage(id);
    const below = quotaBelowUse(quotas, usage);
    if (below) throw below;
    const updated = { ...stored.value, quotas };
    await this.deps.organizations.set(updated, stored.version);
    this.deps.logger.info('organization quotas set', { organization: id, quotas });
    return { status: 200, body: view(updated, usage) };
  }

  async remove(id: string): Promise<ServiceResponse> {
    await this.get(id);
    const usage = await this.usage(id);
    if (usage.deployments > 0) {
      throw new WharfError('WHARF_IN_USE', `organization ${id} owns ${usage.deployments} deployments`, {
        details: [{ path: 'id', message: 'delete its deployments first' }],
      });
    }
    await this.deps.organizations.delete(id);
    this.deps.logger.info('organization deleted', { organization: id });
    return { status: 200, body: { id, deleted: true } };
  }

  /** Throws 404 (`field` named) unless the organization exists. */
  async get(id: string, field = 'id'): Promise<Organization> {
    const stored = await this.deps.organizations.get(id);
    if (stored === undefined) throw organizationNotFound(id, field);
    return stored.value;
  }

  /**
   * Throws `WHARF_QUOTA_EXCEEDED` when `resources` (a new deployment, or a resize of `replacing`)
   * would take the organization past a quota. Nothing is written either way.
   */
  async checkQuota(id: string, resources: Resources | undefined, replacing?: string): Promise<void> {
    const organization = await this.get(id, 'organization_id');
    const usage = await this.usage(id, replacing);
    const adding = { memory_mb: planMemoryMb(resources), deployments: replacing === undefined ? 1 : 0 };
    const blocker = quotaBlocker(organization, usage, adding);
    if (blocker) {
      this.reportQuota(id, blocker.message);
      throw blocker;
    }
  }

  /** What the organization's deployments ask for (pending plan, else current), `except` one. */
  async usage(id: string, except?: string): Promise<Usage> {
    const owned = (await this.deps.deployments.list()).filter(
      (e) => e.deployment.organization_id === id && e.deployment.deleting !== true,
    );
    let memory = 0;
    for (const { deployment } of owned) {
      if (deployment.id === except) continue;
      const plans = await this.deps.deployments.plans(deployment.id);
      const plan = plans.pending?.value ?? plans.current;
      if (plan && plan.shutdown !== true) memory += planMemoryMb(plan.resources as Resources);
    }
    return { memory_mb: memory, deployments: owned.length };
  }
}

function view(organization: Organization, usage?: Usage): Record<string, unknown> {
  const { schema_version: _v, ...fields } = organization;
  return usage === undefined ? fields : { ...fields, usage };
}
