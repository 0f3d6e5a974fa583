/** Deployments: the list with a filter by name, id or status. */
import { useState } from 'preact/hooks';
import { href } from '../router';
import { useAllowed } from '../use-role';
import { useApi } from '../use-api';
import { ErrorLine, ListTable, StatusBadge } from '../ui';

interface Row {
  id: string;
  name: string;
  created: string;
  status: string;
}

/** Most rows one list request asks for (the api's page limit). */
const PAGE_SIZE = 100;

const emptyText = (total: number) => (total === 0 ? 'No deployments yet.' : 'Nothing matches the filter.');

/** The deployment list. */
export function DeploymentsPage() {
  const { data, error, reload } = useApi<{ deployments: Row[]; total: number }>(
    `/deployments?size=${PAGE_SIZE}`,
  );
  const [filter, setFilter] = useState('');
  const canCreate = useAllowed('deployment-manager');
  const needle = filter.trim().toLowerCase();
  const rows = (data?.deployments ?? []).filter(
    (d) => needle === '' || `${d.name} ${d.id} ${d.status}`.toLowerCase().includes(needle),
  );
  return (
    <section aria-labelledby="deployments-title">
      <div class="title-row">
        <h1 id="deployments-title">Deployments</h1>
        {canCreate && (
          <a class="button" href={href({ page: 'create' })}>
            Create deployment
          </a>
        )}
      </div>
      <div class="toolbar">
        <label for="filter">Filter</label>
        <input
          id="filter"
          type="search"
          placeholder="name, id or status"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <ErrorLine error={error} />
      {data && (
        <ListTable
          label="Deployments"
          columns={['Name', 'Id', 'Status', 'Created']}
          empty={rows.length === 0 ? emptyText(data.total) : undefined}
        >
          {rows.map((d) => (
            <tr key={d.id} data-deployment={d.id}>
              <td>
                <a href={href({ page: 'deployment', id: d.id })}>{d.name}</a>
              </td>
              <td>
                <code>{d.id}</code>
              </td>
              <td>
                <StatusBadge status={d.status} />
              </td>
              <td>{new Date(d.created).toLocaleString()}</td>
            </tr>
          ))}
        </ListTable>
      )}
    </section>
  );
}
