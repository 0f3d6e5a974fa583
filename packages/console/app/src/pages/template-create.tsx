/**
 * Create from a template: pick one of `GET /deployments/templates`, optionally override the name,
 * the memory per instance and the zone count, and send `{name?, deployment_template: {id, ...}}`.
 * The request is checked with the generated validator of the api's templated-create schema; what
 * only the api knows (a size the configuration does not allow) comes back as its field error.
 */
import { useMemo, useState } from 'preact/hooks';
import { api, type FieldIssue } from '../api';
import {
  templateElements,
  templateFieldOf,
  templatedRequest,
  type TemplateForm,
  type TemplateView,
} from '../catalog';
import { Field } from '../field';
import { validateTemplatedCreateRequest } from '../generated/validators.js';
import { validate } from '../plan-form';
import { navigate } from '../router';
import { useApi } from '../use-api';
import { ErrorLine, useSubmit } from '../ui';
import { CreateActions } from './json-editor';

type Errors = Partial<Record<keyof TemplateForm | 'form', string>>;

function errorsOf(issues: readonly FieldIssue[]): Errors {
  const out: Errors = {};
  for (const { path, message } of issues) {
    const field = templateFieldOf(path);
    out[field] ??= field === 'form' && path !== '' ? `${path}: ${message}` : message;
  }
  return out;
}

/** What the chosen template creates, shown beside the form. */
function TemplateSummary({ template }: { template: TemplateView | undefined }) {
  if (template === undefined) return null;
  return (
    <div class="template-summary" data-template-summary={template.id}>
      {template.description && <p>{template.description}</p>}
      <ul>
        {templateElements(template).map((e, i) => (
          <li key={i}>
            {e.stack} {e.version} on <code>{e.configuration}</code>: {e.memoryMb} MB × {e.zones} zones
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The create-from-template form; `initial` preselects a template. */
export function TemplateCreate({ initial }: { initial?: string | undefined }) {
  const { data, error } = useApi<{ templates: TemplateView[] }>('/deployments/templates');
  const templates = data?.templates ?? [];
  const [form, setForm] = useState<TemplateForm>({
    template: initial ?? '',
    name: '',
    size: '',
    zone_count: '',
  });
  const [serverErrors, setServerErrors] = useState<Errors>({});
  const chosen = form.template || templates[0]?.id || '';
  const template = templates.find((t) => t.id === chosen);
  const request = useMemo(() => templatedRequest({ ...form, template: chosen }), [form, chosen]);
  const localErrors = useMemo(() => errorsOf(validate(validateTemplatedCreateRequest, request)), [request]);
  const shown = (field: keyof TemplateForm | 'form') => serverErrors[field] ?? localErrors[field];
  const set = (field: keyof TemplateForm) => (value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
    setServerErrors({});
  };
  const first = templateElements(template ?? ({ deployment: { resources: {} } } as TemplateView))[0];
  /** The overridable fields: form field, label, and what the template says. */
  const overrides: [keyof TemplateForm, string, string][] = [
    ['name', 'Name', template?.deployment.name ?? '—'],
    ['size', 'Memory per instance (MB)', `${first?.memoryMb ?? '—'} MB`],
    ['zone_count', 'Zones', String(first?.zones ?? '—')],
  ];
  const { busy, submit } = useSubmit(
    async () => {
      const created = await api<{ id: string }>('POST', '/deployments', request);
      navigate({ page: 'deployment', id: created.id });
    },
    (issues) => setServerErrors(errorsOf(issues)),
    () => chosen === '' || Object.keys(localErrors).length > 0,
  );
  if (data === undefined)
    return error ? <ErrorLine error={error} /> : <p role="status">Loading templates…</p>;
  return (
    <form class="form" onSubmit={(e) => void submit(e)} noValidate aria-label="Create from a template">
      <Field
        label="Template"
        id="template"
        value={chosen}
        error={shown('template')}
        onInput={set('template')}
      >
        <select
          id="template"
          name="template"
          value={chosen}
          onChange={(e) => set('template')(e.currentTarget.value)}
        >
          {templates.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.id})
            </option>
          ))}
        </select>
      </Field>
      <TemplateSummary template={template} />
      {overrides.map(([field, label, fromTemplate]) => (
        <Field
          key={field}
          label={label}
          id={`template-${field}`}
          {...(field === 'name' ? {} : { type: 'number' as const })}
          value={form[field]}
          hint={`Optional; the template's is ${fromTemplate}`}
          error={shown(field)}
          onInput={set(field)}
        />
      ))}
      <ErrorLine error={shown('form')} />
      <CreateActions disabled={busy || chosen === ''} />
    </form>
  );
}
