/**
 * @packageDocumentation Logger factory, per-service metrics registry, /metrics and /health handler,
 * and the service bootstrap pieces every `main.ts` shares (graceful shutdown, environment table).
 */
export {
  LOG_LEVELS,
  type LogLevel,
  type Logger,
  type LoggerOptions,
  createLogger,
  isLogLevel,
  nullLogger,
} from './logger';
export { REDACTED, isSecretKey, sanitize } from './redact';
export { type LogEntry, type TestLogger, createTestLogger } from './test-logger';
export {
  type HistogramOptions,
  type MetricOptions,
  type Metrics,
  SERVICE_LABEL,
  createMetrics,
} from './metrics';
export type { Counter, Gauge, Histogram, Registry } from 'prom-client';
export {
  CERTIFICATE_EXPIRY_METRIC,
  type CertificateExpiry,
  certificateExpiryGauge,
} from './certificate-expiry';
export {
  type LoadedPemPair,
  PEM_PAIR_RELOAD_INTERVAL_MS,
  type PemPairFiles,
  type WatchPemPairOptions,
  readPemPair,
  watchPemPair,
} from './pem-pair';
export {
  type HealthCheck,
  type HealthReport,
  type HealthResponse,
  type HealthStatus,
  evaluateHealth,
} from './health';
export {
  DEFAULT_HEALTH_TIMEOUT_MS,
  type ObservabilityHandler,
  type ObservabilityHandlerOptions,
  createObservabilityHandler,
} from './handler';
export {
  DEFAULT_OBSERVABILITY_HOST,
  type ObservabilityServer,
  type ObservabilityServerOptions,
  startObservabilityServer,
} from './server';
export {
  DEFAULT_SHUTDOWN_MESSAGES,
  EXIT_OK,
  EXIT_SHUTDOWN_FAILED,
  SHUTDOWN_SIGNALS,
  type ShutdownMessages,
  type ShutdownOptions,
  type ShutdownProcess,
  installShutdown,
  runMain,
} from './shutdown';
export {
  type EnvHelpOptions,
  type EnvRead,
  type EnvSetting,
  envReader,
  integerIn,
  renderEnvHelp,
} from './env';
export {
  type EnvParser,
  type EnvProblem,
  type EnvRow,
  type EnvTable,
  EnvValueError,
  type HelpText,
  MAX_ID_LENGTH,
  configFromEnv,
  defaultId,
  invalidConfig,
  renderHelp,
} from './service-config';
export { commonEnvRows, envParsers } from './env-parsers';
export { serviceConfig } from './service-config-kit';
