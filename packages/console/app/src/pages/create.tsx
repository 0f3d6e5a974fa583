/**
 * Create a deployment. Every edit re-validates the request with the generated validator (the
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
import { JsonEditor } from './json-editor';

/** The create page. */
export function CreatePage() {
  const [form, setForm] = useState<CreateForm>(defaultCreateForm);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [asJson, setAsJson] = useState(false);
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
        <button type="button" class="secondary" aria-pressed={!asJson} onClick={() => setAsJson(false)}>
          Form
        </button>
        <button type="button" class="secondary" aria-pressed={asJson} onClick={() => setAsJson(true)}>
          Edit as JSON
        </button>
      </div>
      {asJson ? (
        <JsonEditor initial={request} />
      ) : (
        <form
          class="form"
          onSubmit={(e) => {
            setSubmitted(true);
            void submit(e);
          }}
          noValidate
        >
          <Field id="name" label="Name" value={form.name} error={shown('name')} onInput={set('name')} />
          <Field id="stack" label="Stack" value={form.stack} error={shown('stack')} onInput={set('stack')}>
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
          <Field
            id="version"
            label="Version"
            value={form.version}
            error={shown('version')}
            onInput={set('version')}
          />
          <Field
            id="instance_configuration_id"
            label="Instance configuration"
            value={form.instance_configuration_id}
            error={shown('instance_configuration_id')}
            onInput={set('instance_configuration_id')}
          />
          <Field
            id="memory"
            label="Memory per instance (MB)"
            type="number"
            value={form.memory}
            error={shown('memory')}
            onInput={set('memory')}
          />
          <Field
            id="zone_count"
            label="Zones"
            type="number"
            hint="One instance per zone"
            value={form.zone_count}
            error={shown('zone_count')}
            onInput={set('zone_count')}
          />
          <ErrorLine error={shown('form')} />
          <div class="actions">
            <button type="submit" disabled={busy}>
              Create
            </button>
            <a class="button secondary" href="#/deployments">
              Cancel
            </a>
          </div>
        </form>
      )}
    </section>
  );
}
