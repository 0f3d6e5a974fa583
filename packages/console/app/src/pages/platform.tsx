/**
 * Platform: summary (ZooKeeper, constructor leader, services), the ZooKeeper quorum as each director
 * last read it, memory per zone (a plot and bars), allocators with memory capacity bars and (for a
 * platform-admin) maintenance toggles and vacate, hosts with their roles, proxies.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmButton } from '../confirm';
import { memoryPerZone } from '../plot';
import { useAllowed } from '../use-role';
import { useApi } from '../use-api';
import { ErrorLine, ListTable } from '../ui';
import { CapacityPlot } from './capacity-plot';

interface Allocator {
  id: string;
  zone: string | null;
  host: string | null;
  connected: boolean;
  maintenance: boolean;
  capacity: { memory_mb: number; used_memory_mb: number; free_memory_mb: number; cpus: number };
  instances: number;
}

interface Host {
  id: string;
  address?: string;
  zone?: string;
  roles?: string[];
  connected: boolean;
  services: { service?: string; name?: string; state?: string }[];
}

function CapacityBar({ used, total }: { used: number; total: number }) {
  const percent = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return (
    <div
      class="bar"
      role="meter"
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={used}
      aria-label={`${used} of ${total} MB used`}
    >
      <div class="bar-fill" style={{ width: `${percent}%` }} />
      <span class="bar-text">
        {used} / {total} MB
      </span>
    </div>
  );
}

/** Memory per zone: the sums of the zone's allocators (connected or not), as a plot and a table. */
function ZoneCapacity({ allocators }: { allocators: Allocator[] }) {
  const zones = memoryPerZone(allocators);
  return (
    <>
      <CapacityPlot zones={zones} />
      <table class="list compact" aria-label="Capacity per zone">
        <tbody>
          {zones.map((z) => (
            <tr key={z.zone} data-zone={z.zone}>
              <th scope="row">{z.zone}</th>
              <td>
                <CapacityBar used={z.used} total={z.total} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Allocators() {
  const { data, error, reload } = useApi<{ allocators: Allocator[] }>('/platform/allocators');
  const [actionError, setActionError] = useState<string>();
  const admin = useAllowed('platform-admin');
  const toggle = async (a: Allocator) => {
    try {
      await api('PUT', `/platform/allocators/${a.id}/maintenance`, { enabled: !a.maintenance });
      setActionError(undefined);
      reload();
    } catch (err) {
      setActionError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <>
      <h3>Memory per zone</h3>
      <ZoneCapacity allocators={data?.allocators ?? []} />
      <h3>Allocators</h3>
      <ErrorLine error={error ?? actionError} />
      <ListTable
        label="Allocators"
        columns={[
          'Allocator',
          'Zone',
          'Connected',
          'Memory',
          'Instances',
          'Maintenance',
          ...(admin ? ['Vacate'] : []),
        ]}
      >
        {(data?.allocators ?? []).map((a) => (
          <tr key={a.id} data-allocator={a.id}>
            <td>
              <code>{a.id}</code>
            </td>
            <td>{a.zone ?? '—'}</td>
            <td>
              <span class={a.connected ? 'ok' : 'bad'}>{a.connected ? 'yes' : 'no'}</span>
            </td>
            <td>
              <CapacityBar used={a.capacity.used_memory_mb} total={a.capacity.memory_mb} />
            </td>
            <td>{a.instances}</td>
            <td>
              {admin ? (
                <button
                  type="button"
                  class="secondary"
                  aria-pressed={a.maintenance}
                  onClick={() => void toggle(a)}
                >
                  {a.maintenance ? 'In maintenance' : 'Active'}
                </button>
              ) : (
                <span>{a.maintenance ? 'in maintenance' : 'active'}</span>
              )}
            </td>
            {admin && (
              <td>
                <ConfirmButton
                  label={`Vacate allocator ${a.id}`}
                  text="Vacate"
                  disabled={a.instances === 0}
                  title={`Move every instance off ${a.id}?`}
                  confirm="Vacate"
                  action={async () => {
                    await api('POST', `/platform/allocators/${a.id}/instances/_move`, {});
                    reload();
                  }}
                >
                  <p>
                    Each deployment on it gets a move plan: new instances start on other allocators before
                    these stop. Turn maintenance on first so that nothing new lands here.
                  </p>
                </ConfirmButton>
              </td>
            )}
          </tr>
        ))}
      </ListTable>
    </>
  );
}

function Hosts() {
  const { data, error } = useApi<{ hosts: Host[] }>('/platform/hosts');
  if (error) return <ErrorLine error={error} />;
  return (
    <ListTable label="Hosts" columns={['Host', 'Address', 'Zone', 'Roles', 'Runner']}>
      {(data?.hosts ?? []).map((h) => (
        <tr key={h.id} data-host={h.id}>
          <td>
            <code>{h.id}</code>
          </td>
          <td>{h.address ?? '—'}</td>
          <td>{h.zone ?? '—'}</td>
          <td>{(h.roles ?? []).join(', ')}</td>
          <td>
            <span class={h.connected ? 'ok' : 'bad'}>{h.connected ? 'connected' : 'away'}</span>
          </td>
        </tr>
      ))}
    </ListTable>
  );
}

interface ZkServer {
  address: string;
  mode: string;
  zxid?: string;
  zxid_lag?: number;
}

interface Director {
  id: string;
  enrol_address: string;
  ca_fingerprint: string;
  quorum: { healthy: boolean; servers: ZkServer[]; checked: string };
  updated: string;
}

interface PlatformInfo {
  version: string;
  zookeeper: { state: string; connect_string: string; chroot: string };
  directors?: Director[];
  services: Record<string, unknown[]>;
  constructors: { leader: string | null; alive: number };
  deployments: { total: number };
}

interface Registration {
  id: string;
  address: string;
  port?: number;
  zone?: string;
  version: string;
  stats?: Record<string, number>;
}

/** One row per ZooKeeper server per director: the quorum as that director's last `srvr` round saw it. */
function Quorum({ directors }: { directors: Director[] }) {
  return (
    <ListTable
      label="ZooKeeper quorum"
      columns={['Director', 'Quorum', 'Server', 'Mode', 'Behind (txns)', 'Checked']}
      empty={directors.length === 0 ? 'No director is running: nobody watches the quorum.' : undefined}
    >
      {directors.flatMap((d) =>
        d.quorum.servers.map((server) => (
          <tr key={`${d.id} ${server.address}`} data-director={d.id} data-server={server.address}>
            <td>
              <code>{d.id}</code>
            </td>
            <td>
              <span class={d.quorum.healthy ? 'ok' : 'bad'}>{d.quorum.healthy ? 'healthy' : 'at risk'}</span>
            </td>
            <td>
              <code>{server.address}</code>
            </td>
            <td>
              <span class={server.mode === 'unreachable' ? 'bad' : 'ok'}>{server.mode}</span>
            </td>
            <td>{server.zxid_lag ?? '—'}</td>
            <td>{new Date(d.quorum.checked).toLocaleTimeString()}</td>
          </tr>
        )),
      )}
    </ListTable>
  );
}

function Summary() {
  const { data, error } = useApi<PlatformInfo>('/platform');
  if (error) return <ErrorLine error={error} />;
  if (!data) return null;
  return (
    <>
      <Facts data={data} />
      <h2>ZooKeeper quorum</h2>
      <Quorum directors={data.directors ?? []} />
      {(data.directors ?? []).map((d) => (
        <p key={d.id} class="muted" data-enrolment={d.id}>
          Hosts join through <code>https://{d.enrol_address}</code> with a roles token, pinning CA{' '}
          <code>{d.ca_fingerprint}</code> (<code>wharf host enrol</code>).
        </p>
      ))}
    </>
  );
}

function Facts({ data }: { data: PlatformInfo }) {
  return (
    <dl class="facts" aria-label="Summary">
      <dt>ZooKeeper</dt>
      <dd>
        <span
          class={data.zookeeper.state === 'connected' ? 'ok' : 'bad'}
          data-zookeeper={data.zookeeper.state}
        >
          {data.zookeeper.state}
        </span>{' '}
        <code>
          {data.zookeeper.connect_string}
          {data.zookeeper.chroot}
        </code>
      </dd>
      <dt>Constructor leader</dt>
      <dd>
        {data.constructors.leader ?? 'none'} ({data.constructors.alive} alive)
      </dd>
      <dt>Services</dt>
      <dd>
        {Object.entries(data.services)
          .map(([name, list]) => `${name} ×${list.length}`)
          .join(', ')}
      </dd>
      <dt>Deployments</dt>
      <dd>{data.deployments.total}</dd>
      <dt>Version</dt>
      <dd>{data.version}</dd>
    </dl>
  );
}

function Proxies() {
  const { data } = useApi<{ proxies: Registration[] }>('/platform/proxies');
  return (
    <ListTable label="Proxies" columns={['Proxy', 'Address', 'Zone', 'Version']}>
      {(data?.proxies ?? []).map((p) => (
        <tr key={p.id} data-proxy={p.id}>
          <td>
            <code>{p.id}</code>
          </td>
          <td>
            {p.address}
            {p.port === undefined ? '' : `:${p.port}`}
          </td>
          <td>{p.zone ?? '—'}</td>
          <td>{p.version}</td>
        </tr>
      ))}
    </ListTable>
  );
}

/** The platform page. */
export function PlatformPage() {
  return (
    <section aria-labelledby="platform-title">
      <h1 id="platform-title">Platform</h1>
      <Summary />
      <h2>Capacity</h2>
      <Allocators />
      <h2>Hosts</h2>
      <Hosts />
      <h2>Proxies</h2>
      <Proxies />
    </section>
  );
}
