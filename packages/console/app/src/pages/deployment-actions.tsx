/**
 * A deployment's actions as the api offers them, for a deployment-manager: rolling restart, shut
 * down (data kept, unroutable) and start again, and snapshots (take one, restore one in place).
 * Each asks first in a dialog; the api answers with a plan attempt that the live timeline on the
 * same page follows, so nothing here polls. A refusal (409 while a plan runs, 422 for a damaged
 * snapshot) is shown in the dialog with the api's own message.
 */
import { api } from '../api';
import { ConfirmButton } from '../confirm';
import { type DeploymentView } from '../live';
import { useApi } from '../use-api';
import { ErrorLine, ListTable } from '../ui';

interface SnapshotView {
  id: string;
  status: string;
  created: string;
  bytes: number;
  trigger: string;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Restart, shut down or start: one row of buttons, each behind a confirmation. */
export function LifecycleActions({ deployment }: { deployment: DeploymentView }) {
  const id = deployment.id;
  const stopped = deployment.status === 'stopped';
  const busy = deployment.deleting || deployment.plan.pending !== null;
  return (
    <div class="actions" aria-label="Lifecycle actions" role="group">
      <ConfirmButton
        label="Restart deployment"
        text="Restart"
        buttonClass="secondary"
        disabled={busy || stopped}
        title={`Restart ${deployment.name}?`}
        confirm="Restart"
        action={() => api('POST', `/deployments/${id}/_restart`)}
      >
        <p>Every instance is replaced, one at a time; a new member joins before the next one leaves.</p>
      </ConfirmButton>
      {stopped ? (
        <ConfirmButton
          label="Start deployment"
          text="Start"
          buttonClass="secondary"
          disabled={busy}
          title={`Start ${deployment.name}?`}
          confirm="Start"
          action={() => api('POST', `/deployments/${id}/_start`)}
        >
          <p>The instances start again on their data and the deployment is routed again.</p>
        </ConfirmButton>
      ) : (
        <ConfirmButton
          label="Shut down deployment"
          text="Shut down"
          buttonClass="danger"
          disabled={busy}
          title={`Shut down ${deployment.name}?`}
          confirm="Shut down"
          action={() => api('POST', `/deployments/${id}/_shutdown`)}
        >
          <p>
            Every instance stops and the endpoint stops answering. The data is kept; Start brings it back.
          </p>
        </ConfirmButton>
      )}
    </div>
  );
}

/** The deployment's snapshots, newest first, with Take and (per snapshot) Restore. */
export function Snapshots({ deployment }: { deployment: DeploymentView }) {
  const id = deployment.id;
  const { data, error, reload } = useApi<{ snapshots: SnapshotView[] }>(`/deployments/${id}/snapshots`);
  const snapshots = data?.snapshots ?? [];
  const busy = deployment.deleting || deployment.plan.pending !== null;
  return (
    <>
      <ErrorLine error={error} />
      <ListTable
        label="Snapshots"
        columns={['Snapshot', 'Taken', 'Size', 'Why', 'Status', '']}
        empty={data && snapshots.length === 0 ? 'No snapshots yet.' : undefined}
      >
        {snapshots.map((s) => (
          <tr key={s.id} data-snapshot={s.id} data-snapshot-status={s.status}>
            <td>
              <code>{s.id}</code>
            </td>
            <td>{new Date(s.created).toLocaleString()}</td>
            <td>{kib(s.bytes)}</td>
            <td>{s.trigger}</td>
            <td>{s.status}</td>
            <td>
              <ConfirmButton
                label={`Restore snapshot ${s.id}`}
                text="Restore"
                disabled={busy}
                title={`Restore ${deployment.name} from ${s.id}?`}
                confirm="Restore"
                action={() => api('POST', `/deployments/${id}/_restore`, { snapshot: s.id })}
              >
                <p>
                  The deployment's data is replaced by this snapshot's. Its endpoint answers 503 until every
                  member is back.
                </p>
              </ConfirmButton>
            </td>
          </tr>
        ))}
      </ListTable>
      <div class="actions">
        <ConfirmButton
          label="Take snapshot"
          text="Take snapshot"
          buttonClass="secondary"
          disabled={deployment.deleting || deployment.status === 'stopped'}
          title={`Take a snapshot of ${deployment.name}?`}
          confirm="Take snapshot"
          action={async () => {
            await api('POST', `/deployments/${id}/snapshots`);
            reload();
          }}
        >
          <p>The data is copied into the installation's snapshot repository and verified.</p>
        </ConfirmButton>
      </div>
    </>
  );
}
