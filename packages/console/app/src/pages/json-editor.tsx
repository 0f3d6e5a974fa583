/**
 * The create request as JSON, validated on every keystroke with the generated validator: each
 * issue is listed with its dotted path (the same path the api would report). The api's own
 * answer to a submit is listed the same way.
 */
import { useMemo, useState } from 'preact/hooks';
import { api, type FieldIssue } from '../api';
import { validateCreateRequest } from '../generated/validators.js';
import { validate } from '../plan-form';
import { navigate } from '../router';
import { useSubmit } from '../ui';

function parse(text: string): { value?: unknown; issues: FieldIssue[] } {
  try {
    const value: unknown = JSON.parse(text);
    return { value, issues: validate(validateCreateRequest, value) };
  } catch (err) {
    return {
      issues: [{ path: '', message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` }],
    };
  }
}

/** The JSON editor, starting from `initial`. */
export function JsonEditor({ initial }: { initial: unknown }) {
  const [text, setText] = useState(() => JSON.stringify(initial, null, 2));
  const [serverIssues, setServerIssues] = useState<FieldIssue[]>([]);
  const parsed = useMemo(() => parse(text), [text]);
  const issues = serverIssues.length > 0 ? serverIssues : parsed.issues;

  const { busy, submit } = useSubmit(
    async () => {
      const created = await api<{ id: string }>('POST', '/deployments', parsed.value);
      navigate({ page: 'deployment', id: created.id });
    },
    setServerIssues,
    () => parsed.issues.length > 0,
  );

  return (
    <form class="form wide" onSubmit={(e) => void submit(e)} noValidate>
      <label for="plan-json">Create request (JSON)</label>
      <textarea
        id="plan-json"
        rows={24}
        spellcheck={false}
        value={text}
        aria-invalid={issues.length > 0}
        aria-describedby="plan-json-issues"
        onInput={(e) => {
          setText(e.currentTarget.value);
          setServerIssues([]);
        }}
      />
      <ul id="plan-json-issues" class="issues" aria-live="polite">
        {issues.map((issue, i) => (
          <li key={i} class="field-error" data-issue-path={issue.path}>
            <code>{issue.path || '(request)'}</code> {issue.message}
          </li>
        ))}
      </ul>
      <CreateActions disabled={busy || parsed.issues.length > 0} />
    </form>
  );
}

/** Create and Cancel, at the foot of both create forms. */
export function CreateActions({ disabled }: { disabled: boolean }) {
  return (
    <div class="actions">
      <button type="submit" disabled={disabled}>
        Create
      </button>
      <a class="button secondary" href="#/deployments">
        Cancel
      </a>
    </div>
  );
}
