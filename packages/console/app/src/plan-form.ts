/**
 * The create/resize forms as plain values, the request they become, and where each validation
 * issue belongs. Requests are checked in the browser by the ajv validators generated from the
 * model's schemas (the api's own rules), and the api checks them again: whichever finds a problem,
 * the issue's dotted path is mapped to the form field that produced it.
 */
import { type FieldIssue } from './api';
import { type AjvError, type StandaloneValidator } from './generated/validators.js';

/** Stack kinds the create form offers (the model's `STACK_KINDS`). */
export const STACKS = ['etcd', 'http'] as const;

/** The create form, every value as typed. */
export interface CreateForm {
  name: string;
  stack: string;
  version: string;
  instance_configuration_id: string;
  memory: string;
  zone_count: string;
}

/** Form fields an issue can be shown at; `form` is the whole form. */
export type FieldName = keyof CreateForm | 'form';

/** Issues per field. */
export type FieldErrors = Partial<Record<FieldName, string>>;

/** The form a person starts from: a 3-zone etcd of 256 MB per instance. */
export function defaultCreateForm(): CreateForm {
  return {
    name: '',
    stack: 'etcd',
    version: '3.4',
    instance_configuration_id: 'etcd.default',
    memory: '256',
    zone_count: '3',
  };
}

/** A typed integer, or the text itself so the schema reports it as not an integer. */
function integer(text: string): number | string {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;
}

/** One topology element from a size and zone count as typed. */
export function topology(instanceConfigurationId: string, memory: string, zoneCount: string) {
  return {
    id: 'default',
    instance_configuration_id: instanceConfigurationId,
    size: { resource: 'memory', value: integer(memory) },
    zone_count: integer(zoneCount),
  };
}

/** The `POST /deployments` body of a form. */
export function createRequest(form: CreateForm): Record<string, unknown> {
  return {
    name: form.name,
    resources: {
      [form.stack]: [
        {
          ref_id: 'main',
          plan: {
            cluster_topology: [topology(form.instance_configuration_id, form.memory, form.zone_count)],
            [form.stack]: { version: form.version },
          },
        },
      ],
    },
  };
}

/** `/a/0/b` → `a[0].b`, as the model's `toDottedPath`. */
function dotted(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** An ajv error as a `{ path, message }` issue, worded like the api's. */
export function issueOf(error: AjvError): FieldIssue {
  const path = dotted(error.instancePath);
  const join = (key: unknown) => (path === '' ? String(key) : `${path}.${String(key)}`);
  if (error.keyword === 'required')
    return { path: join(error.params.missingProperty), message: 'is required' };
  if (error.keyword === 'additionalProperties') {
    return { path: join(error.params.additionalProperty), message: 'is not allowed here' };
  }
  if (error.keyword === 'pattern') return { path, message: `must match ${String(error.params.pattern)}` };
  return { path, message: error.message ?? 'is invalid' };
}

/** Runs a generated validator; the issues it found (none when valid). */
export function validate(validator: StandaloneValidator, value: unknown): FieldIssue[] {
  if (validator(value)) return [];
  // Union schemas report one error per branch; the first per path is the one to show.
  return (validator.errors ?? []).map(issueOf);
}

const FIELD_PATTERNS: [RegExp, FieldName][] = [
  [/^name$/, 'name'],
  [/^resources\.[a-z]+\[\d+\]\.plan\.cluster_topology\[\d+\]\.zone_count$/, 'zone_count'],
  [/^resources\.[a-z]+\[\d+\]\.plan\.cluster_topology\[\d+\]\.size(\.value)?$/, 'memory'],
  [
    /^resources\.[a-z]+\[\d+\]\.plan\.cluster_topology\[\d+\]\.instance_configuration_id$/,
    'instance_configuration_id',
  ],
  [/^resources\.[a-z]+\[\d+\]\.plan\.[a-z]+(\.version)?$/, 'version'],
  [/^resources(\.[a-z]+)?$/, 'stack'],
];

/** The form field an issue's path belongs to (`form` when none does). */
export function fieldOf(path: string): FieldName {
  for (const [pattern, field] of FIELD_PATTERNS) if (pattern.test(path)) return field;
  return 'form';
}

/** Issues grouped by field; the first issue of a field wins. */
export function fieldErrors(issues: readonly FieldIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const field = fieldOf(issue.path);
    out[field] ??= field === 'form' && issue.path !== '' ? `${issue.path}: ${issue.message}` : issue.message;
  }
  return out;
}
