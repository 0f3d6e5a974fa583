/**
 * Deployment templates and instance configurations as the api lists them, and what the console
 * shows of them: a template's stack, configuration, size and zones (from its create request), a
 * configuration's allowed sizes, and the `POST /deployments` body of a create from a template.
 */

/** One topology element of a template's create request. */
interface TemplateElement {
  instance_configuration_id: string;
  size: { resource: string; value: number };
  zone_count: number;
}

/** A template as `GET /deployments/templates` lists it. */
export interface TemplateView {
  id: string;
  name: string;
  description?: string;
  deployment: {
    name: string;
    resources: Record<
      string,
      { ref_id: string; plan: { cluster_topology: TemplateElement[] } & Record<string, unknown> }[]
    >;
  };
  system_owned: boolean;
  stored: boolean;
}

/** An instance configuration as `GET /platform/configuration/instances` lists it. */
export interface ConfigurationView {
  id: string;
  stack: string;
  allowed_zones?: string[];
  cpu_multiplier?: number;
  storage_multiplier?: number;
  discrete_sizes?: { sizes: number[]; default_size: number };
  system_owned: boolean;
  stored: boolean;
}

/** What a template creates, one line per topology element. */
export interface TemplateElementSummary {
  stack: string;
  version: string;
  configuration: string;
  memoryMb: number;
  zones: number;
}

/** The topology elements of a template, with their stack and version. */
export function templateElements(t: TemplateView): TemplateElementSummary[] {
  return Object.entries(t.deployment.resources).flatMap(([stack, list]) =>
    list.flatMap((r) => {
      const block = r.plan[stack] as { version?: unknown } | undefined;
      return r.plan.cluster_topology.map((e) => ({
        stack,
        version: typeof block?.version === 'string' ? block.version : '',
        configuration: e.instance_configuration_id,
        memoryMb: e.size.value,
        zones: e.zone_count,
      }));
    }),
  );
}

/** A configuration's sizes as text: `256, 512 MB (default 256)`, or `any` without a list. */
export function sizesText(c: ConfigurationView): string {
  const d = c.discrete_sizes;
  if (d === undefined || d.sizes.length === 0) return 'any';
  return `${d.sizes.join(', ')} MB (default ${d.default_size})`;
}

/** The create-from-template form, every value as typed; empty means "as the template says". */
export interface TemplateForm {
  template: string;
  name: string;
  size: string;
  zone_count: string;
}

/** A typed integer, or the text itself so the schema reports it as not an integer. */
function integer(text: string): number | string {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;
}

/** The `POST /deployments` body: the template and only the overrides that were typed. */
export function templatedRequest(form: TemplateForm): Record<string, unknown> {
  const ref: Record<string, unknown> = { id: form.template };
  if (form.size.trim() !== '') ref.size = integer(form.size);
  if (form.zone_count.trim() !== '') ref.zone_count = integer(form.zone_count);
  return {
    ...(form.name.trim() === '' ? {} : { name: form.name }),
    deployment_template: ref,
  };
}

/** The template-form field an issue's path belongs to (`form` when none does). */
export function templateFieldOf(path: string): keyof TemplateForm | 'form' {
  if (path === 'name') return 'name';
  if (path === 'deployment_template.id' || path === 'deployment_template') return 'template';
  if (path === 'deployment_template.size' || /\.size(\.value)?$/.test(path)) return 'size';
  if (path.endsWith('zone_count')) return 'zone_count';
  return 'form';
}
