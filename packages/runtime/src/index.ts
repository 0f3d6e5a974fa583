/**
 * @packageDocumentation
 * The `ContainerRuntime` interface every allocator speaks, and `ProcessRuntime`, the embedded
 * implementation that runs instances as local process groups, and `DockerRuntime` (one container
 * per instance on a Docker engine).
 */
export type {
  ContainerInfo,
  ContainerRuntime,
  ContainerSpec,
  ContainerState,
  ContainerView,
  ExitEvent,
  ExitListener,
  LogsOptions,
  RemoveOptions,
  RuntimeKind,
  RuntimeState,
  StopOptions,
} from './types';
export { NOOP_LOGGER, type RuntimeClock, type RuntimeLogger, SYSTEM_CLOCK } from './deps';
export {
  CONTAINER_NAME_PATTERN,
  assertContainerName,
  isCleanAbsolutePath,
  isValidContainerName,
  validateArgv,
  validateContainerSpec,
} from './validate';
export { ProcessRuntime } from './process-runtime';
export {
  type CompiledProcessRuntimeOptions,
  DEFAULT_INSTANCE_PATH,
  DEFAULT_STOP_TIMEOUT_MS,
  DEFAULT_WATCH_INTERVAL_MS,
  type ProcessRuntimeOptions,
  compileProcessRuntimeOptions,
} from './options';
export { DEFAULT_LOG_TAIL_LINES } from './log-file';
export { DockerRuntime } from './docker-runtime';
export {
  type CompiledDockerRuntimeOptions,
  DEFAULT_CONTAINER_UID,
  DEFAULT_MOUNT_PATH,
  type DockerRuntimeOptions,
  compileDockerRuntimeOptions,
} from './docker-options';
export { CPU_PERIOD_US, MANAGED_LABEL, cpuQuotaUs } from './docker-spec';
export type { ContainerStats } from './docker-stats';
export type { FollowLogsOptions } from './docker-logs';
export { DEFAULT_ENGINE_PROBE_TIMEOUT_MS, type DockerProbeOptions, dockerEngineReady } from './docker-probe';
