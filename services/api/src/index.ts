/** @packageDocumentation REST API /api/v1 with API-key authentication (see README). */
export { API_PREFIX, type AppDeps, HEALTH_PATH, METRICS_PATH, createApp } from './app';
export {
  API_KEY_PREFIX,
  type GeneratedApiKey,
  type ParsedApiKey,
  generateApiKey,
  parseApiKey,
  verifySecret,
} from './auth/api-key';
export { KeyVerifier, VERIFIED_KEY_TTL_MS } from './auth/authenticate';
export { type BootstrapOptions, type BootstrapResult, KEY_BOOTSTRAP_LOCK, bootstrap } from './bootstrap';
export { type Clock, SYSTEM_CLOCK } from './clock';
export { type ApiConfig, configFromEnv, helpText } from './config';
export { apiKeyFile } from './credentials';
export type { SupportedVersions } from './domain/plans';
export { DEFAULT_REQUEST_ID_TTL_SECONDS, requestIdHash } from './domain/request-marker';
export { MAX_API_KEYS, MAX_KEY_TTL_SECONDS } from './domain/api-keys';
export { DEFAULT_RATE_LIMIT, type RateLimit } from './http/rate-limit';
export {
  REQUEST_ID_SWEEP_BATCH,
  REQUEST_ID_SWEEP_INTERVAL_MS,
  RequestIdSweeper,
  type RequestIdSweeperOptions,
  type RequestIdSweeperState,
} from './request-id-sweeper';
export { API_KEYS_PATH } from './routes/api-keys';
export { MAX_BODY_BYTES } from './http/body';
export { type ApiMetrics, createApiMetrics } from './metrics';
/** Largest page of `GET /deployments` and `_search`. */
export { MAX_SEARCH_SIZE as MAX_PAGE_SIZE } from '@wharf/model';
export { versionsFromStackPacks, versionsFromTable } from './stack-versions';
export { type ZkStore, type ZkStoreOptions, createZkStore } from './store/zk-store';
export type { ApiStore } from './store/types';
export { type RunningApi, type StartApiOptions, startApi } from './server';
