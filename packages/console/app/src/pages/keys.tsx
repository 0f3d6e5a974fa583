/**
 * API keys and roles tokens (platform-admin only; the navigation hides the page from other
 * roles and the api refuses them anyway): list, create, revoke. A new key or token is shown once
 * (`secret-once.tsx`).
 */
import { useState } from 'preact/hooks';
import { api, type FieldIssue } from '../api';
import { ConfirmButton } from '../confirm';
import { Field } from '../field';
import { ROLES } from '../roles';
import { useAllowed } from '../use-role';
import { useApi } from '../use-api';
import { ErrorLine, ListTable, useSubmit } from '../ui';
import { SecretOnce } from './secret-once';

interface KeyView {
  id: string;
  description: string;
  created: string;
  expires?: string;
  expired: boolean;
  roles: string[];
  organization_id?: string;
}

/** Host roles a roles token can carry (the model's `HOST_ROLES`). */
const HOST_ROLES = ['allocator', 'proxy', 'coordinator', 'director'] as const;

const byPath = (issues: FieldIssue[]): Record<string, string> =>
  Object.fromEntries(issues.map((i) => [i.path || 'form', i.message]));

function CreateKey({ onCreated }: { onCreated: (label: string, secret: string) => void }) {
  const [description, setDescription] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { busy, submit } = useSubmit(
    async () => {
      const created = await api<{ id: string; key: string }>(
        'POST',
        '/platform/configuration/security/api-keys',
        {
          description,
          roles: [role],
        },
      );
      setDescription('');
      setErrors({});
      onCreated(`API key ${created.id}`, created.key);
    },
    (issues) => setErrors(byPath(issues)),
    () => false,
  );
  return (
    <form class="form inline" onSubmit={(e) => void submit(e)} noValidate aria-label="Create an API key">
      <Field
        label="Description"
        id="key-description"
        value={description}
        error={errors.description}
        onInput={setDescription}
      />
      <Field
        label="Role"
        id="key-role"
        value={role}
        error={errors['roles'] ?? errors['roles[0]']}
        onInput={setRole}
      >
        <select id="key-role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      <ErrorLine error={errors.form} />
      <button type="submit" disabled={busy}>
        Create API key
      </button>
    </form>
  );
}

function CreateRolesToken({ onCreated }: { onCreated: (label: string, secret: string) => void }) {
  const [roles, setRoles] = useState<Set<string>>(new Set(['allocator']));
  const [persistent, setPersistent] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const toggle = (r: string) =>
    setRoles((s) => {
      const next = new Set(s);
      if (!next.delete(r)) next.add(r);
      return next;
    });
  const { busy, submit } = useSubmit(
    async () => {
      const created = await api<{ id: string; token: string }>(
        'POST',
        '/platform/configuration/security/roles-tokens',
        { roles: HOST_ROLES.filter((r) => roles.has(r)), persistent },
      );
      setErrors({});
      onCreated(`Roles token ${created.id}`, created.token);
    },
    (issues) => setErrors(byPath(issues)),
    () => false,
  );
  return (
    <form class="form inline" onSubmit={(e) => void submit(e)} noValidate aria-label="Create a roles token">
      <fieldset>
        <legend>Host roles</legend>
        {HOST_ROLES.map((r) => (
          <label key={r} class="check">
            <input type="checkbox" checked={roles.has(r)} onChange={() => toggle(r)} /> {r}
          </label>
        ))}
        <label class="check">
          <input type="checkbox" checked={persistent} onChange={() => setPersistent((p) => !p)} /> persistent
        </label>
      </fieldset>
      <ErrorLine error={errors.roles ?? errors.form} />
      <button type="submit" disabled={busy}>
        Create roles token
      </button>
    </form>
  );
}

function KeyList({ keys, reload }: { keys: KeyView[]; reload: () => void }) {
  return (
    <ListTable label="API keys" columns={['Key', 'Description', 'Role', 'Created', 'Expires', '']}>
      {keys.map((k) => (
        <tr key={k.id} data-key={k.id}>
          <td>
            <code>{k.id}</code>
          </td>
          <td>{k.description}</td>
          <td>{k.roles.join(', ')}</td>
          <td>{new Date(k.created).toLocaleString()}</td>
          <td>
            {k.expires === undefined
              ? 'never'
              : `${new Date(k.expires).toLocaleString()}${k.expired ? ' (expired)' : ''}`}
          </td>
          <td class="row-actions">
            <ConfirmButton
              label={`Revoke key ${k.id}`}
              title={`Revoke API key ${k.id}?`}
              confirm="Revoke"
              action={async () => {
                await api('DELETE', `/platform/configuration/security/api-keys/${k.id}`);
                reload();
              }}
            >
              <p>Requests with this key are refused from now on. This cannot be undone.</p>
            </ConfirmButton>
          </td>
        </tr>
      ))}
    </ListTable>
  );
}

/** The API keys and roles tokens page; only a platform-admin's key even asks for the list. */
export function KeysPage() {
  return useAllowed('platform-admin') ? (
    <Keys />
  ) : (
    <p role="status">Only a platform-admin key manages API keys.</p>
  );
}

function Keys() {
  const { data, error, reload } = useApi<{ keys: KeyView[] }>('/platform/configuration/security/api-keys');
  const [secret, setSecret] = useState<{ label: string; secret: string }>();
  const created = (label: string, value: string) => {
    setSecret({ label, secret: value });
    reload();
  };
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      {secret && <SecretOnce {...secret} onDone={() => setSecret(undefined)} />}
      <ErrorLine error={error} />
      <KeyList keys={data?.keys ?? []} reload={reload} />
      <h2>Create an API key</h2>
      <CreateKey onCreated={created} />
      <h2>Roles tokens</h2>
      <p class="hint">
        A roles token lets a new host join with the roles it names (<code>wharf host join --token</code>, or{' '}
        <code>WHARF_ROLES_TOKEN</code>). It is shown once; tokens are not listed.
      </p>
      <CreateRolesToken onCreated={created} />
    </section>
  );
}
