/** @packageDocumentation Routes client requests by deployment id to healthy instances */
export { Balancer } from './balancer';
export type { BalancerOptions } from './balancer';
export { systemClock } from './clock';
export type { Clock, TimerHandle } from './clock';
export {
  DEFAULT_PROXY_HOST,
  DEFAULT_PROXY_PORT,
  MAX_AUTO_WORKERS,
  MAX_WORKERS,
  configFromEnv,
  helpText,
  parseWorkers,
  proxyEnv,
} from './config';
export type { ProxyConfig } from './config';
export {
  CONNECT_TIMEOUT_MS,
  HANDLING_DEPLOYMENT_HEADER,
  HANDLING_INSTANCE_HEADER,
  UPSTREAM_IDLE_SOCKET_TIMEOUT_MS,
  UPSTREAM_MAX_FREE_SOCKETS,
  UPSTREAM_MAX_SOCKETS,
  UPSTREAM_TIMEOUT_MS,
} from './forwarder';
export { HEALTH_CHECK_INTERVAL_MS, HealthChecker, tcpProbe } from './health-checker';
export type { HealthCheckerOptions, HealthCheckerState } from './health-checker';
export { InstanceHealth } from './instance-health';
export type { DownInstance, HealthListener } from './instance-health';
export { MAX_REPLAY_BODY_BYTES } from './request-body';
export { MAX_ATTEMPTS, failureKind, isIdempotent, marksDown, mayRetry } from './retry-policy';
export type { FailedAttempt, FailureKind } from './retry-policy';
export type { ForwardOutcome } from './forwarder';
export { createProxyMetrics } from './metrics';
export type { ProxyMetrics } from './metrics';
export { CLIENT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_DRAIN_TIMEOUT_MS, createProxy } from './proxy';
export type { ProxyCounters, ProxyOptions, ProxyState, WharfProxy } from './proxy';
export type { ProxyCommonOptions } from './proxy-shell';
export {
  WORKER_RESTART_DELAY_MS,
  WORKER_RESTART_MAX_DELAY_MS,
  createProxySupervisor,
} from './workers/supervisor';
export type { ProxySupervisor, ProxySupervisorOptions } from './workers/supervisor';
export { WORKER_STATS_INTERVAL_MS } from './workers/worker';
export { DEFAULT_STATS_INTERVAL_MS } from './registration';
export { HEALTH_PATH, METRICS_PATH } from './request-handler';
export { StaticRouteSource } from './route-source';
export type { RouteSource, RouteSourceEvent, RouteSourceListener } from './route-source';
export { DEFAULT_COALESCE_MS, DEFAULT_REFRESH_INTERVAL_MS, RouteTableCache } from './route-table-cache';
export type { RouteTableCacheOptions, RouteTableCacheState } from './route-table-cache';
export { EMPTY_ROUTE_TABLE, buildRouteTable } from './route-table';
export type {
  Route,
  RouteDocument,
  RouteTable,
  RouteTableBuild,
  RouteTableOptions,
  RouteTarget,
  SkippedRoute,
} from './route-table';
export { DEPLOYMENT_HEADER, hostnameOf, normaliseDomain, routingKeyOf } from './routing-key';
export type { RoutingKey } from './routing-key';
export { ZkRouteSource } from './zk-route-source';
export type { ZkRouteSourceOptions } from './zk-route-source';
