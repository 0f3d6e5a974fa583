/**
 * Pure rules of the catalog: built-ins merged with what is stored, the checks a topology element
 * must pass against its instance configuration, a template applied to a create request, and
 * which deployments use a configuration.
 */
import {
  listResources,
  stackBlockOf,
  type DeploymentCreateRequest,
  type DeploymentTemplate,
  type InstanceConfiguration,
  type PlanDocument,
  type Resources,
  type TemplatedCreateRequest,
  type ValidationIssue,
} from '@wharf/model';

/** Instance configurations by id, as looked up (undefined: neither stored nor built in). */
export type ConfigurationsById = ReadonlyMap<string, InstanceConfiguration | undefined>;

/** A catalog entry as listed: the document without its schema version, and where it comes from. */
export type CatalogView<T> = Omit<T, 'schema_version'> & { system_owned: boolean; stored: boolean };

/** The view of one entry: `system_owned` for a built-in id, `stored` when a znode holds it. */
export function catalogView<T extends { schema_version: number; id: string }>(
  doc: T,
  builtIns: Readonly<Record<string, T>>,
  stored: boolean,
): CatalogView<T> {
  const { schema_version: _v, ...fields } = doc;
  return { ...fields, system_owned: Object.hasOwn(builtIns, doc.id), stored };
}

/** Built-ins overridden by stored documents of the same id, sorted by id. */
export function mergeCatalog<T extends { schema_version: number; id: string }>(
  builtIns: Readonly<Record<string, T>>,
  stored: readonly T[],
): CatalogView<T>[] {
  const byId = new Map<string, CatalogView<T>>();
  for (const doc of Object.values(builtIns)) byId.set(doc.id, catalogView(doc, builtIns, false));
  for (const doc of stored) byId.set(doc.id, catalogView(doc, builtIns, true));
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Every instance configuration id the resources name. */
export function configurationIdsOf(resources: Resources): string[] {
  const ids = listResources(resources).flatMap((r) =>
    r.plan.cluster_topology.map((t) => t.instance_configuration_id),
  );
  return [...new Set(ids)];
}

/**
 * Issues for topology elements whose configuration is unknown or for another stack (naming
 * `...instance_configuration_id`), or that ask for a size it does not allow (naming `...size`).
 */
export function configurationIssues(
  resources: Resources,
  configurations: ConfigurationsById,
  prefix = '',
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const index: Record<string, number> = {};
  for (const resource of listResources(resources)) {
    const i = index[resource.kind] ?? 0;
    index[resource.kind] = i + 1;
    resource.plan.cluster_topology.forEach((element, t) => {
      const at = `${prefix}resources.${resource.kind}[${i}].plan.cluster_topology[${t}]`;
      const ic = configurations.get(element.instance_configuration_id);
      if (ic === undefined || ic.stack !== resource.kind) {
        const why = ic === undefined ? 'unknown instance configuration' : `is for stack '${ic.stack}'`;
        issues.push({
          path: `${at}.instance_configuration_id`,
          message: `${why} '${element.instance_configuration_id}'`,
        });
        return;
      }
      const sizes = ic.discrete_sizes?.sizes;
      if (sizes !== undefined && !sizes.includes(element.size.value)) {
        issues.push({
          path: `${at}.size`,
          message: `${element.size.value} MB is not allowed by '${ic.id}' (allowed: ${sizes.join(', ')})`,
        });
      }
    });
  }
  return issues;
}

/**
 * The create request a templated create stands for: the template's request, with the request's
 * `name`, `metadata` and per-stack `resources` replacing the template's, then the shorthand
 * overrides of `deployment_template` applied to every topology element and stack block.
 */
export function applyTemplate(
  template: DeploymentTemplate,
  request: TemplatedCreateRequest,
): DeploymentCreateRequest {
  const base = template.deployment;
  const metadata = request.metadata ?? base.metadata;
  const merged: DeploymentCreateRequest = structuredClone({
    name: request.name ?? base.name,
    resources: { ...base.resources, ...request.resources },
    ...(metadata === undefined ? {} : { metadata }),
  });
  const ref = request.deployment_template;
  for (const resource of listResources(merged.resources)) {
    for (const element of resource.plan.cluster_topology) {
      if (ref.size !== undefined) element.size = { resource: element.size.resource, value: ref.size };
      if (ref.zone_count !== undefined) element.zone_count = ref.zone_count;
      if (ref.instance_configuration_id !== undefined)
        element.instance_configuration_id = ref.instance_configuration_id;
    }
    if (ref.version !== undefined) stackBlockOf(resource).version = ref.version;
  }
  return merged;
}

const OVERRIDDEN_FIELDS: ReadonlyArray<[RegExp, keyof TemplatedCreateRequest['deployment_template']]> = [
  [/\.cluster_topology\[\d+\]\.size(\.|$)/, 'size'],
  [/\.cluster_topology\[\d+\]\.zone_count$/, 'zone_count'],
  [/\.cluster_topology\[\d+\]\.instance_configuration_id$/, 'instance_configuration_id'],
  [/^resources\.[a-z]+\[\d+\]\.plan\.[a-z]+\.version$/, 'version'],
];

/** Issues about fields a `deployment_template` override set, named as that override. */
export function blameOverrides(
  issues: readonly ValidationIssue[],
  ref: TemplatedCreateRequest['deployment_template'],
): ValidationIssue[] {
  return issues.map((issue) => {
    const hit = OVERRIDDEN_FIELDS.find(
      ([pattern, field]) => ref[field] !== undefined && pattern.test(issue.path),
    );
    return hit === undefined ? issue : { ...issue, path: `deployment_template.${hit[1]}` };
  });
}

/** True when the plan (pending or current) has a topology element on configuration `id`. */
export function planUses(plan: PlanDocument | undefined, id: string): boolean {
  return plan !== undefined && configurationIdsOf(plan.resources as Resources).includes(id);
}
