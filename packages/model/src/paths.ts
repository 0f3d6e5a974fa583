/**
 * Znode paths, relative to the installation chroot (default `/wharf`). Every helper validates
 * the ids it is given, so no caller can build a path from unchecked input.
 */
import { WharfError } from './errors';
import { assertId, assertInstanceConfigurationId } from './ids';

/** Znode paths of every document Wharf stores. */
export const paths = {
  platformConfig: () => '/platform/config',
  /** Created with the first host by `wharf-runner --bootstrap-roles`: one bootstrap per installation. */
  bootstrap: () => '/platform/bootstrap',
  apiKeys: () => '/platform/security/api-keys',
  organizations: () => '/organizations',
  organization: (id: string) => `/organizations/${assertId('organization', id)}`,
  apiKey: (id: string) => `/platform/security/api-keys/${assertId('api_key', id)}`,
  rolesTokens: () => '/platform/security/roles-tokens',
  rolesToken: (id: string) => `/platform/security/roles-tokens/${assertId('roles_token', id)}`,
  /** The hash of the Prometheus scrape token (see `schemas/monitoring.ts`). */
  scrapeToken: () => '/platform/security/scrape-token',
  requestIds: () => '/platform/request-ids',
  instanceConfigurations: () => '/platform/instance-configurations',
  instanceConfiguration: (id: string) =>
    `/platform/instance-configurations/${assertInstanceConfigurationId(id)}`,

  templates: () => '/platform/templates',
  template: (id: string) => `/platform/templates/${assertId('template', id)}`,

  hosts: () => '/hosts',
  host: (id: string) => `/hosts/${assertId('host', id)}`,
  hostLive: (id: string) => `/hosts/${assertId('host', id)}/live`,

  allocators: () => '/allocators',
  allocator: (id: string) => `/allocators/${assertId('allocator', id)}`,
  allocatorLive: (id: string) => `/allocators/${assertId('allocator', id)}/live`,
  allocatorInstances: (id: string) => `/allocators/${assertId('allocator', id)}/instances`,
  instanceSpec: (allocator: string, instance: string) =>
    `/allocators/${assertId('allocator', allocator)}/instances/${assertId('instance', instance)}`,
  allocatorStatuses: (id: string) => `/allocators/${assertId('allocator', id)}/status`,
  instanceStatus: (allocator: string, instance: string) =>
    `/allocators/${assertId('allocator', allocator)}/status/${assertId('instance', instance)}`,

  deployments: () => '/deployments',
  deployment: (id: string) => `/deployments/${assertId('deployment', id)}`,
  plan: (id: string) => `/deployments/${assertId('deployment', id)}/plan`,
  planPending: (id: string) => `/deployments/${assertId('deployment', id)}/plan/pending`,
  planCurrent: (id: string) => `/deployments/${assertId('deployment', id)}/plan/current`,
  planAttempt: (id: string) => `/deployments/${assertId('deployment', id)}/plan/attempt`,
  planHistory: (id: string) => `/deployments/${assertId('deployment', id)}/plan/history`,
  /** Prefix for PERSISTENT_SEQUENTIAL history entries (`.../history/attempt-0000000003`). */
  planHistoryEntryPrefix: (id: string) => `/deployments/${assertId('deployment', id)}/plan/history/attempt-`,

  routes: () => '/routes',
  route: (id: string) => `/routes/${assertId('deployment', id)}`,

  proxies: () => '/proxies',
  proxy: (id: string) => `/proxies/${assertId('proxy', id)}`,

  constructors: () => '/constructors',
  constructorLeader: () => '/constructors/leader',
  constructorLive: (id: string) => `/constructors/live/${assertId('host', id)}`,
  services: () => '/services',
  meteringRoot: () => '/metering',
  meteringCursor: (deployment: string) => `/metering/${assertId('deployment', deployment)}`,
  meteringDay: (deployment: string, day: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`invalid metering day ${JSON.stringify(day)}`);
    return `/metering/${assertId('deployment', deployment)}/${day}`;
  },
  /** Proxy traffic counts by hour (`schemas/traffic.ts`). */
  trafficRoot: () => '/metering-traffic',
  trafficHour: (hour: string) => `/metering-traffic/${assertTrafficHour(hour)}`,
  trafficCounts: (hour: string, proxy: string) =>
    `/metering-traffic/${assertTrafficHour(hour)}/${assertId('proxy', proxy)}`,
  pricing: () => '/platform/pricing',
  /** Claims of scheduled snapshots (one per deployment, removed with the deployment). */
  snapshotScheduleRoot: () => '/snapshot-schedule',
  snapshotSchedule: (deployment: string) => `/snapshot-schedule/${assertId('deployment', deployment)}`,
  availabilityRoot: () => '/availability',
  availability: (deployment: string) => `/availability/${assertId('deployment', deployment)}`,
  /** Alert events (`schemas/events.ts`); children are PERSISTENT_SEQUENTIAL `event-<seq>`. */
  events: () => '/events',
  /** Prefix for a new event (`/events/event-0000000042`). */
  eventPrefix: () => '/events/event-',
  webhooks: () => '/platform/webhooks',
  /** White-label branding (`schemas/branding.ts`). */
  branding: () => '/platform/branding',
  webhookDeliveries: () => '/webhook-deliveries',
  webhookDelivery: (target: string) => `/webhook-deliveries/${assertId('webhook', target)}`,
  webhookDeadLetters: () => '/webhook-dead-letters',
  webhookDeadLetter: (target: string, seq: number) => {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`invalid event sequence ${String(seq)}`);
    return `/webhook-dead-letters/${assertId('webhook', target)}-${String(seq).padStart(10, '0')}`;
  },
  /** Log requests to an allocator (`schemas/instance-logs.ts`). */
  logRequests: (allocator: string) => `/log-requests/${assertId('allocator', allocator)}`,
  logRequestPrefix: (allocator: string) => `/log-requests/${assertId('allocator', allocator)}/req-`,
  directorRoot: () => '/director',
  /** The CA certificate the director publishes (`schemas/director.ts`). */
  directorCa: () => '/director/ca',
  /** A live director's status (ephemeral). `ca` is reserved for the certificate. */
  directorStatus: (id: string) => {
    if (assertId('director', id) === 'ca') {
      throw new WharfError('WHARF_INVALID_ID', 'director id "ca" is reserved', {
        details: [{ path: 'director', message: 'reserved for /director/ca' }],
      });
    }
    return `/director/${id}`;
  },
  serviceLive: (service: string, id: string) =>
    `/services/${assertId('topology', service)}/${assertId('host', id)}`,
} as const;

/** The znodes created once at installation so that watchers always have a parent to watch. */
export const ROOT_PATHS: readonly string[] = [
  '/platform',
  '/platform/security',
  paths.apiKeys(),
  paths.requestIds(),
  paths.instanceConfigurations(),
  paths.hosts(),
  paths.allocators(),
  paths.deployments(),
  paths.routes(),
  paths.proxies(),
  paths.constructors(),
  paths.constructorLeader(),
  '/constructors/live',
  paths.services(),
];

/** A traffic hour name (`YYYY-MM-DDTHH`), or throws: it becomes a path segment. */
function assertTrafficHour(hour: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(hour))
    throw new WharfError('WHARF_VALIDATION', `invalid traffic hour ${JSON.stringify(hour.slice(0, 32))}`);
  return hour;
}
