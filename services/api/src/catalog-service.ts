/**
 * Instance configurations and deployment templates: the built-ins from the model, overridden by
 * what operators stored. Why served from code rather than written at api start: the constructor
 * already falls back to the same built-ins (`readInstanceConfiguration`), so a fresh install works
 * before any api has run, several apis starting together never race to write them, an upgrade's
 * new built-ins appear without a migration, and a stored document of the same id still wins.
 */
import {
  DEFAULT_DEPLOYMENT_TEMPLATES,
  DEFAULT_INSTANCE_CONFIGURATIONS,
  WharfError,
  isWharfError,
  type DeploymentTemplate,
  type InstanceConfiguration,
  type Resources,
} from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { catalogView, mergeCatalog, planUses } from './domain/catalog';
import { type SupportedVersions } from './domain/plans';
import {
  checkConfigurations,
  prefixIssues,
  validateBody,
  validateRequest,
  type CatalogLookup,
} from './domain/validation';
import { type ServiceResponse } from './http/send';
import { type CatalogDirectory, type CatalogStore } from './store/zk-catalog';
import { type DeploymentStore, type Versioned } from './store/types';

/** Dependencies of a {@link CatalogService}. */
export interface CatalogServiceDeps {
  /** Without it only the built-ins exist and writes are refused. */
  catalog?: CatalogStore;
  deployments: DeploymentStore;
  supportedVersions: SupportedVersions;
  logger: Logger;
}

function notFound(what: string, id: string): WharfError {
  return new WharfError('WHARF_NOT_FOUND', `${what} ${id} not found`, {
    details: [{ path: 'id', message: `no such ${what}` }],
  });
}

function builtInOnly(what: string, id: string): WharfError {
  return new WharfError('WHARF_CONFLICT', `${what} ${id} is built in and cannot be deleted`, {
    details: [{ path: 'id', message: 'is built in (a PUT overrides it; deleting the override restores it)' }],
  });
}

/** The stored entry to delete: 409 for a built-in that is not overridden, 404 for none at all. */
async function storedOrRefuse<T>(
  dir: CatalogDirectory<T>,
  id: string,
  builtIns: Readonly<Record<string, unknown>>,
  what: string,
): Promise<Versioned<T>> {
  const stored = await dir.get(id);
  if (stored !== undefined) return stored;
  throw Object.hasOwn(builtIns, id) ? builtInOnly(what, id) : notFound(what, id);
}

/** The catalog routes' logic, and the {@link CatalogLookup} of deployment requests. */
export class CatalogService implements CatalogLookup {
  constructor(private readonly deps: CatalogServiceDeps) {}

  async configuration(id: string): Promise<InstanceConfiguration | undefined> {
    return (
      (await this.stored(this.deps.catalog?.configurations, id))?.value ?? DEFAULT_INSTANCE_CONFIGURATIONS[id]
    );
  }

  async template(id: string): Promise<DeploymentTemplate | undefined> {
    return (await this.stored(this.deps.catalog?.templates, id))?.value ?? DEFAULT_DEPLOYMENT_TEMPLATES[id];
  }

  /** The stored document; undefined for none or an id that cannot name one (the caller names the field). */
  private async stored<T>(dir: CatalogDirectory<T> | undefined, id: string) {
    try {
      return await dir?.get(id);
    } catch (err) {
      if (isWharfError(err, 'WHARF_INVALID_ID')) return undefined;
      throw err;
    }
  }

  /** One item: the stored one, else the built-in of that id, else 404 naming `what`. */
  private async show<T extends { schema_version: number; id: string }>(
    dir: CatalogDirectory<T> | undefined,
    builtIns: Readonly<Record<string, T>>,
    what: string,
    id: string,
  ): Promise<ServiceResponse> {
    const stored = await this.stored(dir, id);
    const doc = stored?.value ?? builtIns[id];
    if (doc === undefined) throw notFound(what, id);
    return { status: 200, body: catalogView(doc, builtIns, stored !== undefined) };
  }

  async listConfigurations(): Promise<ServiceResponse> {
    const stored = (await this.deps.catalog?.configurations.list()) ?? [];
    return {
      status: 200,
      body: { instance_configurations: mergeCatalog(DEFAULT_INSTANCE_CONFIGURATIONS, stored) },
    };
  }

  showConfiguration(id: string): Promise<ServiceResponse> {
    return this.show(
      this.deps.catalog?.configurations,
      DEFAULT_INSTANCE_CONFIGURATIONS,
      'instance configuration',
      id,
    );
  }

  /** Creates or replaces a stored configuration (overriding a built-in of the same id). */
  async putConfiguration(id: string, body: unknown): Promise<ServiceResponse> {
    const request = validateBody('instance-configuration-request', body);
    const sizes = request.discrete_sizes;
    if (sizes !== undefined && !sizes.sizes.includes(sizes.default_size)) {
      throw new WharfError('WHARF_VALIDATION', 'discrete_sizes.default_size: must be one of sizes', {
        details: [{ path: 'discrete_sizes.default_size', message: 'must be one of discrete_sizes.sizes' }],
      });
    }
    const doc: InstanceConfiguration = { schema_version: 1, id, ...request };
    return this.write(this.writable().configurations, id, doc, DEFAULT_INSTANCE_CONFIGURATIONS);
  }

  /** Deletes a stored configuration unless a deployment's pending or current plan uses it. */
  async deleteConfiguration(id: string): Promise<ServiceResponse> {
    const dir = this.writable().configurations;
    const stored = await storedOrRefuse(dir, id, DEFAULT_INSTANCE_CONFIGURATIONS, 'instance configuration');
    const users = await this.usersOf(id);
    if (users.length > 0) {
      throw new WharfError(
        'WHARF_IN_USE',
        `instance configuration ${id} is used by ${users.length} deployments`,
        {
          details: [{ path: 'id', message: `used by deployments ${users.slice(0, 10).join(', ')}` }],
        },
      );
    }
    await dir.delete(id, stored.version);
    this.deps.logger.info('instance configuration deleted', { instance_configuration: id });
    return { status: 200, body: { id, deleted: true } };
  }

  /** Deployments whose pending or current plan has an element on configuration `id`. */
  private async usersOf(id: string): Promise<string[]> {
    const users: string[] = [];
    for (const { deployment } of await this.deps.deployments.list()) {
      const plans = await this.deps.deployments.plans(deployment.id);
      if (planUses(plans.pending?.value, id) || planUses(plans.current, id)) users.push(deployment.id);
    }
    return users.sort();
  }

  async listTemplates(): Promise<ServiceResponse> {
    const stored = (await this.deps.catalog?.templates.list()) ?? [];
    return { status: 200, body: { templates: mergeCatalog(DEFAULT_DEPLOYMENT_TEMPLATES, stored) } };
  }

  showTemplate(id: string): Promise<ServiceResponse> {
    return this.show(this.deps.catalog?.templates, DEFAULT_DEPLOYMENT_TEMPLATES, 'template', id);
  }

  /** Creates or replaces a stored template; its deployment must be a valid create request. */
  async putTemplate(id: string, body: unknown): Promise<ServiceResponse> {
    const request = validateBody('deployment-template-request', body);
    try {
      validateRequest('deployment-create-request', request.deployment, this.deps.supportedVersions);
      await checkConfigurations(request.deployment.resources as Resources, this);
    } catch (err) {
      if (!isWharfError(err, 'WHARF_VALIDATION', 'WHARF_PLAN_INVALID')) throw err;
      throw prefixIssues(err, 'deployment.');
    }
    const doc: DeploymentTemplate = { schema_version: 1, id, ...request };
    return this.write(this.writable().templates, id, doc, DEFAULT_DEPLOYMENT_TEMPLATES);
  }

  async deleteTemplate(id: string): Promise<ServiceResponse> {
    const dir = this.writable().templates;
    const stored = await storedOrRefuse(dir, id, DEFAULT_DEPLOYMENT_TEMPLATES, 'template');
    await dir.delete(id, stored.version);
    this.deps.logger.info('template deleted', { template: id });
    return { status: 200, body: { id, deleted: true } };
  }

  private writable(): CatalogStore {
    if (this.deps.catalog === undefined)
      throw new WharfError('WHARF_UNAVAILABLE', 'this api has no catalog store', { details: [] });
    return this.deps.catalog;
  }

  /** Creates (201) or replaces at the version read (200); a write that raced answers 409. */
  private async write<T extends { schema_version: number; id: string }>(
    dir: CatalogDirectory<T>,
    id: string,
    doc: T,
    builtIns: Readonly<Record<string, T>>,
  ): Promise<ServiceResponse> {
    const existing = await dir.get(id);
    await dir.write(id, doc, existing?.version);
    this.deps.logger.info('catalog entry written', { id, created: existing === undefined });
    return { status: existing === undefined ? 201 : 200, body: catalogView(doc, builtIns, true) };
  }
}
