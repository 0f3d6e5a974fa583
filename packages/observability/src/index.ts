/**
 * @packageDocumentation Logger factory, per-service metrics registry, /metrics and /health handler,
 * and the service bootstrap pieces every `main.ts` shares (graceful shutdown, environment table).
 */
export { LOG_LEVELS, createLogger, isLogLevel, nullLogger } from './logger';
export type { LogLevel, Logger, LoggerOptions } from './logger';
export { REDACTED, isSecretKey, sanitize } from './redact';
export { createTestLogger } from './test-logger';
export type { LogEntry, TestLogger } from './test-logger';
export { SERVICE_LABEL, createMetrics } from './metrics';
export type { HistogramOptions, MetricOptions, Metrics } from './metrics';
export type { Counter, Gauge, Histogram, Registry } from 'prom-client';
export { evaluateHealth } from './health';
export type { HealthCheck, HealthReport, HealthResponse, HealthStatus } from './health';
export { DEFAULT_HEALTH_TIMEOUT_MS, createObservabilityHandler } from './handler';
export type { ObservabilityHandler, ObservabilityHandlerOptions } from './handler';
export { DEFAULT_OBSERVABILITY_HOST, startObservabilityServer } from './server';
export type { ObservabilityServer, ObservabilityServerOptions } from './server';
export {
  DEFAULT_SHUTDOWN_MESSAGES,
  EXIT_OK,
  EXIT_SHUTDOWN_FAILED,
  SHUTDOWN_SIGNALS,
  installShutdown,
} from './shutdown';
export type { ShutdownMessages, ShutdownOptions, ShutdownProcess } from './shutdown';
export { envReader, integerIn, renderEnvHelp } from './env';
export type { EnvHelpOptions, EnvRead, EnvSetting } from './env';
export {
  EnvValueError,
  MAX_ID_LENGTH,
  configFromEnv,
  defaultId,
  invalidConfig,
  renderHelp,
} from './service-config';
export type { EnvParser, EnvProblem, EnvRow, EnvTable, HelpText } from './service-config';
export { commonEnvRows, envParsers } from './env-parsers';
export { serviceConfig } from './service-config-kit';
