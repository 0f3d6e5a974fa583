/**
 * Create a deployment: from a template (`template-create.tsx`), with the form, or as JSON. Every edit re-validates the request with the generated validator (the
 * model's schema) and shows issues at their fields once the field was touched or a submit was
 * tried; the api's own answer (e.g. an unsupported version) is shown the same way.
 */
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api';
import { Field } from '../field';
import { validateCreateRequest } from '../generated/validators.js';
import {
  STACKS,
  createRequest,
  defaultCreateForm,
  fieldErrors,
  validate,
  type CreateForm,
  type FieldErrors,
} from '../plan-form';
import { navigate } from '../router';
import { ErrorLine, useSubmit } from '../ui';
import { CreateActions, JsonEditor } from './json-editor';
import { TemplateCreate } from './template-create';

/** The three ways to write the request. */
type Mode = 'template' | 'form' | 'json';
const MODES: [Mode, string][] = [
  ['template', 'From template'],
  ['form', 'Form'],
  ['json', 'Edit as JSON'],
];

/** The create page; `template` (from the route) opens it on that template. */
export function CreatePage({ template }: { template?: string | undefined }) {
  const [form, setForm] = useState<CreateForm>(defaultCreateForm);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [mode, setMode] = useState<Mode>(template === undefined ? 'form' : 'template');
  const request = useMemo(() => createRequest(form), [form]);
  const localErrors = useMemo(() => fieldErrors(validate(validateCreateRequest, request)), [request]);

  const shown = (field: keyof CreateForm | 'form') =>
    serverErrors[field] ?? (submitted || touched.has(field) ? localErrors[field] : undefined);
  const set = (field: keyof CreateForm) => (value: string) => {
    setForm((f) => {
      const next = { ...f, [field]: value };
      if (field === 'stack') next.instance_configuration_id = `${value}.default`;
      return next;
    });
    setTouched((t) => new Set(t).add(field));
    setServerErrors({});
  };
  /** Id, value, error and input handler of a form field. */
  const bind = (field: keyof CreateForm) => ({
    id: field,
    value: form[field],
    error: shown(field),
    onInput: set(field),
  });

  const { busy, submit } = useSubmit(
    async () => {
      const created = await api<{ id: string }>('POST', '/deployments', request);
      navigate({ page: 'deployment', id: created.id });
    },
    (issues) => setServerErrors(fieldErrors(issues)),
    () => Object.keys(localErrors).length > 0,
  );

  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">Create deployment</h1>
      <div class="toolbar" role="group" aria-label="Editor">
        {MODES.map(([m, label]) => (
          <button
            key={m}
            type="button"
            class="secondary"
            aria-pressed={mode === m}
            onClick={() => setMode(m)}
          >
            {label}
          </button>
        ))}
      </div>
      {mode === 'template' && <TemplateCreate initial={template} />}
      {mode === 'json' && <JsonEditor initial={request} />}
      {mode === 'form' && (
        <form
          class="form"
          onSubmit={(e) => {
            setSubmitted(true);
            void submit(e);
          }}
          noValidate
        >
          <Field label="Name" {...bind('name')} />
          <Field label="Stack" {...bind('stack')}>
            <select
              id="stack"
              name="stack"
              value={form.stack}
              onChange={(e) => set('stack')(e.currentTarget.value)}
            >
              {STACKS.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Version" {...bind('version')} />
          <Field label="Instance configuration" {...bind('instance_configuration_id')} />
          <Field label="Memory per instance (MB)" type="number" {...bind('memory')} />
          <Field label="Zones" type="number" hint="One instance per zone" {...bind('zone_count')} />
          <ErrorLine error={shown('form')} />
          <CreateActions disabled={busy} />
        </form>
      )}
    </section>
  );
}
