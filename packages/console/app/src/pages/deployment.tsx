/**
 * One deployment, live: status and health, endpoint, instances, plan steps, plan durations, and
 * (for a deployment-manager) resize, restart, shut down and start, snapshots and restore, delete.
 */
import { api } from '../api';
import { ConfirmButton } from '../confirm';
import { useLiveDeployment, type DeploymentView } from '../live';
import { href } from '../router';
import { useAllowed } from '../use-role';
import { LifecycleActions, Snapshots } from './deployment-actions';
import { DurationsPlot } from './durations-plot';
import { Resize } from './resize';
import { History, Timeline } from './timeline';
import { ListTable } from '../ui';

function Instances({ deployment }: { deployment: DeploymentView }) {
  return (
    <ListTable
      label="Instances"
      columns={['Instance', 'Zone', 'Allocator', 'Memory', 'State', 'Health']}
      empty={deployment.instances.length === 0 ? 'No instances.' : undefined}
    >
      {deployment.instances.map((i) => (
        <tr key={i.instance_id} data-instance={i.instance_id}>
          <td>
            <code>{i.instance_id}</code>
          </td>
          <td>{i.zone}</td>
          <td>{i.allocator_id}</td>
          <td>{i.memory_mb} MB</td>
          <td>{i.state ?? 'pending'}</td>
          <td>
            <span class={i.healthy ? 'ok' : 'bad'}>{i.healthy ? 'healthy' : 'unhealthy'}</span>
          </td>
        </tr>
      ))}
    </ListTable>
  );
}

/** Delete behind a modal confirmation (a native dialog: focus-trapped, Escape cancels). */
function DeleteButton({ deployment }: { deployment: DeploymentView }) {
  return (
    <ConfirmButton
      label="Delete deployment"
      text="Delete deployment"
      buttonClass="danger"
      disabled={deployment.deleting}
      title={`Delete ${deployment.name}?`}
      confirm="Delete"
      action={() => api('DELETE', `/deployments/${deployment.id}`)}
    >
      <p>Every instance and its data is removed. This cannot be undone.</p>
    </ConfirmButton>
  );
}

/** The deployment page. */
export function DeploymentPage({ id }: { id: string }) {
  const live = useLiveDeployment(id);
  const canChange = useAllowed('deployment-manager');
  if (live.gone) {
    return (
      <section>
        <h1>Deployment {id}</h1>
        <p role="status">This deployment does not exist (it was deleted).</p>
        <a href={href({ page: 'deployments' })}>Back to deployments</a>
      </section>
    );
  }
  if (!live.snapshot) {
    return <p role="status">{live.error ?? 'Loading…'}</p>;
  }
  const { deployment, attempts } = live.snapshot;
  const [latest, ...earlier] = attempts;
  const plan = deployment.plan.pending ?? deployment.plan.current;
  return (
    <section aria-labelledby="deployment-title">
      <div class="title-row">
        <h1 id="deployment-title">{deployment.name}</h1>
        <span class={`status status-${deployment.status}`} data-deployment-status={deployment.status}>
          {deployment.status}
        </span>
        <span class={deployment.healthy ? 'ok' : 'bad'} data-healthy={String(deployment.healthy)}>
          {deployment.healthy ? 'healthy' : 'not healthy'}
        </span>
        <span
          class={`live-dot${live.connected ? ' on' : ''}`}
          title={live.connected ? 'live' : 'reconnecting'}
        />
      </div>
      <dl class="facts">
        <dt>Id</dt>
        <dd>
          <code>{deployment.id}</code>
        </dd>
        <dt>Endpoint</dt>
        <dd>
          <code>{deployment.endpoint}</code>
        </dd>
        <dt>Created</dt>
        <dd>{new Date(deployment.created).toLocaleString()}</dd>
      </dl>
      <h2>Instances</h2>
      <Instances deployment={deployment} />
      <h2>Plan activity</h2>
      {latest ? <Timeline attempt={latest} /> : <p>No plan attempt yet.</p>}
      {canChange && !deployment.deleting && plan && Object.keys(plan.resources).length > 0 && (
        <>
          <h2>Resize</h2>
          <Resize id={id} plan={plan} />
        </>
      )}
      {canChange && !deployment.deleting && (
        <>
          <h2>Actions</h2>
          <LifecycleActions deployment={deployment} />
          <h2>Snapshots</h2>
          <Snapshots deployment={deployment} />
        </>
      )}
      {attempts.some((a) => a.attempt_end_time !== undefined) && (
        <>
          <h2>Plan durations</h2>
          <DurationsPlot attempts={attempts} />
        </>
      )}
      {earlier.length > 0 && (
        <>
          <h2>Plan history</h2>
          <History attempts={earlier} />
        </>
      )}
      {canChange && (
        <>
          <h2>Danger zone</h2>
          <DeleteButton deployment={deployment} />
        </>
      )}
    </section>
  );
}
