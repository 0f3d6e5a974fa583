/**
 * Prometheus HTTP service discovery (`http_sd_configs`) from the service registrations in
 * ZooKeeper: one target group per registered service process that has a metrics port
 * (`/services/<service>/<id>`), labelled with the service, its id, the host that runs it (from
 * the runners' live nodes) and its zone. A pure function: the reads live in `zk-targets.ts`.
 *
 * The format (Prometheus docs, "HTTP SD"): `[{ "targets": ["host:port"], "labels": {...} }]`;
 * `__metrics_path__` and `__scheme__` are honoured by Prometheus as target settings.
 */
import { type HostLive, type HostRegistration, type ServiceRegistration } from '@wharf/model';

/** One Prometheus target group. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** A runner host as read from ZooKeeper (either document may be missing). */
export interface HostView {
  id: string;
  registration?: HostRegistration;
  live?: HostLive;
}

/** Where each service serves Prometheus text; the proxy keeps `/metrics` free for deployments. */
export const METRICS_PATHS: Readonly<Record<string, string>> = { proxy: '/_metrics' };
/** Everything else serves the conventional path. */
export const DEFAULT_METRICS_PATH = '/metrics';

const UNSPECIFIED = new Set(['0.0.0.0', '::', '']);

/** `host:port`, brackets around IPv6. */
function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Which host runs each service id: runners list their services in their live nodes, those they
 * supervise (`services`) and those of the host's roles that run beside them (`beside`: the
 * directors `wharf up` runs, which own ZooKeeper).
 */
function hostsByServiceId(hosts: readonly HostView[]): Map<string, HostView> {
  const byService = new Map<string, HostView>();
  for (const host of hosts) {
    byService.set(`runner/${host.id}`, host);
    for (const s of [...(host.live?.services ?? []), ...(host.live?.beside ?? [])]) {
      byService.set(`${s.service}/${s.id}`, host);
    }
  }
  return byService;
}

/** Target groups for every registration with a port, sorted by service then id. */
export function buildTargetGroups(
  registrations: readonly ServiceRegistration[],
  hosts: readonly HostView[],
): TargetGroup[] {
  const byService = hostsByServiceId(hosts);
  const groups: TargetGroup[] = [];
  const sorted = [...registrations].sort(
    (a, b) => a.service.localeCompare(b.service) || a.id.localeCompare(b.id),
  );
  for (const reg of sorted) {
    if (reg.port === undefined) continue;
    const host = byService.get(`${reg.service}/${reg.id}`);
    // A service bound to every interface is reached at its host's address.
    const address = UNSPECIFIED.has(reg.address) ? (host?.registration?.address ?? reg.address) : reg.address;
    const zone = reg.zone ?? host?.registration?.zone;
    groups.push({
      targets: [hostPort(address, reg.port)],
      labels: {
        __metrics_path__: METRICS_PATHS[reg.service] ?? DEFAULT_METRICS_PATH,
        service: reg.service,
        id: reg.id,
        ...(host === undefined ? {} : { host: host.id }),
        ...(zone === undefined ? {} : { zone }),
      },
    });
  }
  return groups;
}
