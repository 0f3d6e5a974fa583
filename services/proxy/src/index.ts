/** @packageDocumentation Routes client requests by deployment id to healthy instances */
export { Balancer, type BalancerOptions } from './balancer';
export { type Clock, type TimerHandle, systemClock } from './clock';
export {
  DEFAULT_PROXY_HOST,
  DEFAULT_PROXY_PORT,
  MAX_AUTO_WORKERS,
  MAX_WORKERS,
  type ProxyConfig,
  configFromEnv,
  helpText,
  parseWorkers,
  proxyEnv,
} from './config';
export {
  CONNECT_TIMEOUT_MS,
  type ForwardOutcome,
  HANDLING_DEPLOYMENT_HEADER,
  HANDLING_INSTANCE_HEADER,
  UPSTREAM_IDLE_SOCKET_TIMEOUT_MS,
  UPSTREAM_MAX_FREE_SOCKETS,
  UPSTREAM_MAX_SOCKETS,
  UPSTREAM_TIMEOUT_MS,
} from './forwarder';
export {
  HEALTH_CHECK_INTERVAL_MS,
  HealthChecker,
  type HealthCheckerOptions,
  type HealthCheckerState,
  tcpProbe,
} from './health-checker';
export {
  HaproxyDataPlane,
  type HaproxyDataPlaneOptions,
  type HaproxyDataPlaneState,
  type ProxyDataPlane,
  type SyncCounters,
} from './haproxy/data-plane';
export { type DownInstance, type HealthListener, InstanceHealth } from './instance-health';
export { MAX_REPLAY_BODY_BYTES } from './request-body';
export {
  type FailedAttempt,
  type FailureKind,
  MAX_ATTEMPTS,
  failureKind,
  isIdempotent,
  marksDown,
  mayRetry,
} from './retry-policy';
export { type ProxyMetrics, createProxyMetrics } from './metrics';
export {
  CLIENT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  type ProxyCounters,
  type ProxyOptions,
  type ProxyState,
  type WharfProxy,
  createProxy,
} from './proxy';
export type { ProxyCommonOptions } from './proxy-shell';
export {
  type ProxySupervisor,
  type ProxySupervisorOptions,
  WORKER_RESTART_DELAY_MS,
  WORKER_RESTART_MAX_DELAY_MS,
  createProxySupervisor,
} from './workers/supervisor';
export { WORKER_STATS_INTERVAL_MS } from './workers/worker';
export { DEFAULT_STATS_INTERVAL_MS } from './registration';
export { HEALTH_PATH, METRICS_PATH } from './request-handler';
export {
  type RouteSource,
  type RouteSourceEvent,
  type RouteSourceListener,
  StaticRouteSource,
} from './route-source';
export {
  DEFAULT_COALESCE_MS,
  DEFAULT_REFRESH_INTERVAL_MS,
  RouteTableCache,
  type RouteTableCacheOptions,
  type RouteTableCacheState,
} from './route-table-cache';
export {
  EMPTY_ROUTE_TABLE,
  type Route,
  type RouteDocument,
  type RouteTable,
  type RouteTableBuild,
  type RouteTableOptions,
  type RouteTarget,
  type SkippedRoute,
  type RouteTableBase,
  RouteMemo,
  applyRouteChanges,
  buildRouteTable,
} from './route-table';
export { DEPLOYMENT_HEADER, type RoutingKey, hostnameOf, normaliseDomain, routingKeyOf } from './routing-key';
export { ZkRouteSource, type ZkRouteSourceOptions } from './zk-route-source';
