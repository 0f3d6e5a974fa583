/**
 * Templates and instance configurations (ECE's deployment templates and instance
 * configurations): what each template creates, each configuration's stack and allowed sizes, and
 * whether it is built in or stored. A deployment-manager gets "Create from template"; a
 * platform-admin can delete a stored entry (a built-in overridden by it comes back; a
 * configuration a deployment uses is refused by the api with 409, shown in the dialog).
 */
import { api } from '../api';
import { sizesText, templateElements, type ConfigurationView, type TemplateView } from '../catalog';
import { ConfirmButton } from '../confirm';
import { href } from '../router';
import { useAllowed } from '../use-role';
import { useApi } from '../use-api';
import { ErrorLine, ListTable } from '../ui';

const origin = (e: { system_owned: boolean; stored: boolean }) =>
  e.stored ? (e.system_owned ? 'built-in, overridden' : 'stored') : 'built-in';

function Templates() {
  const { data, error, reload } = useApi<{ templates: TemplateView[] }>('/deployments/templates');
  const canCreate = useAllowed('deployment-manager');
  const canDelete = useAllowed('platform-admin');
  return (
    <>
      <ErrorLine error={error} />
      <ListTable label="Templates" columns={['Template', 'Name', 'Creates', 'Origin', '']}>
        {(data?.templates ?? []).map((t) => (
          <tr key={t.id} data-template={t.id}>
            <td>
              <code>{t.id}</code>
            </td>
            <td>{t.name}</td>
            <td>
              {templateElements(t).map((e, i) => (
                <div key={i}>
                  {e.stack} {e.version}, <code>{e.configuration}</code>, {e.memoryMb} MB × {e.zones} zones
                </div>
              ))}
            </td>
            <td>{origin(t)}</td>
            <td class="row-actions">
              {canCreate && (
                <a class="button small" href={href({ page: 'create', template: t.id })}>
                  Create from {t.id}
                </a>
              )}
              {canDelete && t.stored && (
                <ConfirmButton
                  label={`Delete template ${t.id}`}
                  title={`Delete template ${t.id}?`}
                  confirm="Delete"
                  action={async () => {
                    await api('DELETE', `/deployments/templates/${t.id}`);
                    reload();
                  }}
                />
              )}
            </td>
          </tr>
        ))}
      </ListTable>
    </>
  );
}

function Configurations() {
  const { data, error, reload } = useApi<{ instance_configurations: ConfigurationView[] }>(
    '/platform/configuration/instances',
  );
  const canDelete = useAllowed('platform-admin');
  return (
    <>
      <ErrorLine error={error} />
      <ListTable
        label="Instance configurations"
        columns={['Configuration', 'Stack', 'Sizes', 'Zones', 'CPU ×', 'Storage ×', 'Origin', '']}
      >
        {(data?.instance_configurations ?? []).map((c) => (
          <tr key={c.id} data-configuration={c.id}>
            <td>
              <code>{c.id}</code>
            </td>
            <td>{c.stack}</td>
            <td data-sizes>{sizesText(c)}</td>
            <td>{c.allowed_zones?.join(', ') ?? 'any'}</td>
            <td>{c.cpu_multiplier ?? 1}</td>
            <td>{c.storage_multiplier ?? 1}</td>
            <td>{origin(c)}</td>
            <td class="row-actions">
              {canDelete && c.stored && (
                <ConfirmButton
                  label={`Delete configuration ${c.id}`}
                  title={`Delete instance configuration ${c.id}?`}
                  confirm="Delete"
                  action={async () => {
                    await api('DELETE', `/platform/configuration/instances/${c.id}`);
                    reload();
                  }}
                >
                  <p>Refused while a deployment's plan uses it.</p>
                </ConfirmButton>
              )}
            </td>
          </tr>
        ))}
      </ListTable>
    </>
  );
}

/** The templates and instance configurations page. */
export function CatalogPage() {
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Templates</h1>
      <h2>Deployment templates</h2>
      <Templates />
      <h2>Instance configurations</h2>
      <Configurations />
      <p class="hint">
        Write them with <code>PUT /api/v1/deployments/templates/&lt;id&gt;</code> and{' '}
        <code>PUT /api/v1/platform/configuration/instances/&lt;id&gt;</code> (see the API reference).
      </p>
    </section>
  );
}
